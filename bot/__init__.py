"""Common Room: a Discord bot that gives students impacted by discrimination a place to belong.

Public contract (other test suites rely on it)::

    from bot import Settings, create_bot
    settings = Settings.load("config.toml")
    bot = create_bot(settings)   # a discord.ext.commands.Bot subclass, not yet logged in
"""

from bot.core import CommonRoomBot, __version__, create_bot
from bot.errors import ConfigError, UserError
from bot.settings import Settings

__all__ = ["CommonRoomBot", "ConfigError", "Settings", "UserError", "__version__", "create_bot"]
