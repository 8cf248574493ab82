"""Command line: ``python -m bot run|check-config|migrate|backup|demo|i18n``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bot.errors import ConfigError, MigrationError

EXIT_CONFIG = 2
# Everything the bot writes (database, -wal/-shm, backups, key file, logs it may write) holds
# personal data or secrets: readable by the bot's user only, whatever the shell's umask.
PRIVATE_UMASK = 0o077


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Common Room, a Discord bot.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="connect to Discord and serve")
    run.add_argument("--config", type=Path, help="TOML file (default: $COMMONROOM_CONFIG or ./config.toml)")
    run.add_argument("--sync", action="store_true", help="sync slash commands now, even if unchanged")

    check = sub.add_parser("check-config", help="validate settings and print them, secrets masked")
    check.add_argument("--config", type=Path)

    migrate = sub.add_parser("migrate", help="apply database migrations and exit")
    migrate.add_argument("--config", type=Path)

    backup = sub.add_parser("backup", help="make an online backup of the database and verify it")
    backup.add_argument("dest", type=Path, help="where to write the backup (must not exist)")
    backup.add_argument("--config", type=Path)
    demo = sub.add_parser("demo", help="try Common Room in the browser, no Discord needed (extra: demo)")
    demo.add_argument("--db", type=Path, help="keep the demo's database in this file (default: temporary)")
    demo.add_argument("--check", action="store_true", help="seed, walk the main flows, assert, exit")
    demo.add_argument("--port", type=int, help="local port for the page (default: any free port)")
    demo.add_argument(
        "--language", choices=("en", "cy"), default="en", help="the demo's language (default: en)"
    )
    i18n = sub.add_parser("i18n", help="keep the translation catalogues (docs/translating.md)")
    i18n.add_argument(
        "steps", nargs="*", metavar="STEP", help="extract, update or compile (default: all three)"
    )
    return parser


def fail(problems: Sequence[str]) -> int:
    for problem in problems:
        line = " ".join(problem.splitlines())  # one line each, whatever the problem's text holds
        print(f"error: {line}", file=sys.stderr)
    return EXIT_CONFIG


def main(argv: Sequence[str] | None = None) -> int:
    previous = os.umask(PRIVATE_UMASK)
    try:
        return _main(argv)
    finally:
        os.umask(previous)  # for callers in the same process (tests); the bot's own run has ended


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    from bot.logs import configure_logging
    from bot.settings import Settings

    if args.command == "i18n":
        return catalogues(args.steps or ["extract", "update", "compile"])
    if args.command == "demo":
        # The demo needs no token or config file: it runs against a simulated Discord.
        from bot.demo import run_demo

        return run_demo(db=args.db, check=args.check, port=args.port, language=args.language)

    try:
        settings = Settings.load(args.config)
    except ConfigError as error:
        return fail(error.problems)
    configure_logging(settings.logging.level)
    try:
        if args.command == "check-config":
            return check_config(settings)
        if args.command == "migrate":
            return asyncio.run(migrate(settings))
        if args.command == "backup":
            return backup(settings, args.dest)
        if args.command == "run":
            return run(settings, sync=args.sync)
    except ConfigError as error:
        return fail(error.problems)
    except MigrationError as error:
        return fail([str(error)])
    return EXIT_CONFIG


def catalogues(steps: Sequence[str]) -> int:
    """Run ``pybabel`` (extract, update, compile) with the project's options, from the repository."""
    from babel.messages.frontend import CommandLineInterface

    from bot.core import __version__
    from bot.i18n import LOCALES_DIR, PYBABEL_STEPS

    unknown = [step for step in steps if step not in PYBABEL_STEPS]
    if unknown:
        return fail([f"unknown step {', '.join(unknown)}: choose from {', '.join(PYBABEL_STEPS)}"])

    root = LOCALES_DIR.parents[1]
    if not (root / "pyproject.toml").exists():
        return fail([f"{root} is not a source checkout: keep catalogues in the repository."])
    # The catalogues are source files that ship in the wheel: readable by everyone, unlike the
    # bot's data files (main() sets a private umask for those).
    private = os.umask(0o022)
    try:
        with contextlib.chdir(root):
            for step in steps:
                argv = [*PYBABEL_STEPS[step], *(["--version", __version__] if step == "extract" else [])]
                print("pybabel " + " ".join(argv))
                CommandLineInterface().run(["pybabel", *argv])  # type: ignore[no-untyped-call]
    finally:
        os.umask(private)
    return 0


def check_config(settings: Any) -> int:
    import json

    problems: list[str] = []
    try:
        settings.require_token()
    except ConfigError as error:
        problems += error.problems
    source = settings.source or "(no file; defaults and environment only)"
    print(f"# Effective settings, read from {source} and the environment")
    print(json.dumps(settings.masked(), indent=2, default=str))
    if problems:
        return fail(problems)
    print("Settings are valid.")
    return 0


async def migrate(settings: Any) -> int:
    from bot.db import Database

    prepare_files(settings)  # the data folder, file modes and the key file, as `run` would
    db = Database(settings.database.path)
    await db.open()
    try:
        applied = await db.migrate()
        version = await db.schema_version()
    finally:
        await db.close()
    if applied:
        print(f"Applied {len(applied)} migration(s): " + ", ".join(m.label for m in applied))
    print(f"Database {settings.database.path} is at schema version {version}.")
    return 0


def backup(settings: Any, dest: Path) -> int:
    """Back up the database to ``dest`` and the key file to ``dest.key`` (both 0600)."""
    from bot.secrets import copy_key, key_backup_path, read_key

    source = Path(settings.database.path)
    key_file = Path(settings.security.key_file)
    key_dest = key_backup_path(dest)
    if not source.exists():
        return fail([f"database.path: {source} does not exist, so there is nothing to back up."])
    if dest.exists():
        return fail([f"{dest} already exists. Choose a new file name so no backup is overwritten."])
    if key_dest.exists():
        return fail([f"{key_dest} already exists. Choose a new backup name so no key file is overwritten."])
    if not key_file.exists():
        return fail(
            [
                f"security.key_file: {key_file} does not exist, and without it a restored backup's report "
                "codes would not work. If the bot has never run, run `python -m bot migrate` (it creates the "
                "key), then back up again; if the key was lost, restore it from an earlier backup first."
            ]
        )
    try:
        read_key(key_file)
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        return fail([f"security.key_file: {key_file} cannot be copied into the backup ({reason})."])
    status = asyncio.run(_backup(source, dest))
    if status != 0:
        return status
    try:
        copy_key(key_file, key_dest)
    except (OSError, ValueError) as error:
        dest.unlink(missing_ok=True)
        reason = error.strerror if isinstance(error, OSError) else str(error)
        return fail(
            [
                f"Could not write the key file beside the backup at {key_dest} ({reason}), so the "
                f"backup was removed. Free some space or choose another folder, then try again."
            ]
        )
    print(f"Backup written to {dest} and verified (integrity_check: ok).")
    print(f"Key file copied to {key_dest}. Keep the two together: restoring needs both (docs/backup.md).")
    return 0


async def _backup(source: Path, dest: Path) -> int:
    from bot.db import Database

    db = Database(source)
    await db.open()
    try:
        verdict = await db.backup(dest)
    except FileExistsError:
        return fail([f"{dest} already exists. Choose a new file name so no backup is overwritten."])
    except OSError as error:
        return fail(
            [
                f"Cannot write the backup at {dest} ({error.strerror or error}). "
                "Choose a folder the bot's user may write to."
            ]
        )
    finally:
        await db.close()
    if verdict != "ok":
        return fail([f"The backup at {dest} failed its integrity check: {verdict}"])
    print(f"Backup written to {dest} and verified (integrity_check: ok).")
    return 0


def run(settings: Any, *, sync: bool) -> int:
    import aiohttp
    import discord

    from bot.core import create_bot

    token = settings.require_token()
    prepare_files(settings)
    bot = create_bot(settings, sync=sync)
    try:
        bot.run(token, log_handler=None)
    except discord.LoginFailure:
        return fail(
            [
                "discord.token: Discord rejected this token. Reset it in the Developer Portal "
                "(Bot > Reset Token) and update config.toml or COMMONROOM_DISCORD__TOKEN."
            ]
        )
    except discord.PrivilegedIntentsRequired:
        return fail(["Discord refused the connection's intents. Common Room needs no privileged intents."])
    except (OSError, aiohttp.ClientError) as error:
        print(f"error: could not reach Discord ({error}). Check the network and try again.", file=sys.stderr)
        return 1
    return 0


def prepare_files(settings: Any) -> None:
    """Before connecting: the data directory, the database's file modes and the key file.

    Raises ConfigError (one line each) for what the admin must fix, rather than a traceback later.
    """
    from bot.db import prepare_database_path
    from bot.secrets import load_or_create_key

    database = Path(settings.database.path)
    with _usable("database.path", database, "write there"):
        prepare_database_path(database)
    key_file = Path(settings.security.key_file)
    with _usable("security.key_file", key_file, "read and write there"):
        try:
            load_or_create_key(key_file)
        except ValueError as error:
            raise ConfigError([f"security.key_file: {error}."]) from None


@contextlib.contextmanager
def _usable(key: str, path: Path, access: str) -> Iterator[None]:
    """An OSError on ``path`` becomes one line naming the setting and what to check."""
    try:
        yield
    except OSError as error:
        raise ConfigError(
            [
                f"{key}: cannot use {path} ({error.strerror or error}). Check that its folder exists "
                f"or can be created, and that the bot's user may {access}."
            ]
        ) from None


if __name__ == "__main__":
    logging.captureWarnings(True)
    sys.exit(main())
