"""Feature services: plain async Python, no Discord imports.

A service takes ids and values, owns its SQL, returns dataclasses, and raises
:class:`bot.errors.UserError` with a kind message when the input needs changing.
"""
