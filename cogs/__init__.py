"""Discord glue, one module (or package) per feature. Every module here is loaded at start.

A cog validates input, defers when work may take a moment, calls a service from
``bot.services``, and renders the result. It holds no SQL and no business rules.
"""
