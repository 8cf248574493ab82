"""``python -m bot demo``: the real bot against a simulated Discord, in the browser.

No Discord account, token or server is needed. The bot runs under SimCord (a simulated Discord
in this process); a server, "Demo Medical School", is created and seeded through the bot's own
commands (see :mod:`bot.demo_seed`), and SimCord's preview serves a page on 127.0.0.1 where you
act as a first-year student and can switch to the organiser, the admin or a mentor.

* ``--db PATH`` keeps the database (and its key file, ``PATH`` + ``.key``) after the demo, to
  look inside; it must be a new file, because the simulated Discord starts empty every time.
  Without it everything lives in a temporary directory that is removed on exit.
* ``--check`` seeds, walks the main flows as a student and an organiser, asserts what each
  shows, prints a line per step and exits 0 (1 on a failure), without starting the web page.
* ``--port N`` serves the page on that local port (default: any free port).
* ``--language cy`` runs the demo in Welsh: the admin sets ``/setup language`` to Cymraeg first,
  and the seeded copy is typed in Welsh (from the catalogue), so everyone sees Common Room in
  Welsh. English (``en``) is the default.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
import tempfile
import tomllib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_SETUP = 2
EXIT_INTERRUPTED = 130

PRESENTATION_SIZE = (1280, 860)
#: The languages the demo can run in (``--language``).
LANGUAGES = ("en", "cy")


def say(line: str) -> None:
    print(line, flush=True)


def national_signposts() -> list[dict[str, Any]]:
    """The cited national contacts from ``config.example.toml`` (the same ones a real install
    starts with), when the file is beside the code; an empty list otherwise."""
    example = Path(__file__).resolve().parent.parent / "config.example.toml"
    try:
        data = tomllib.loads(example.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return []
    seeds = data.get("signposts", [])
    return [dict(seed) for seed in seeds if isinstance(seed, dict)]


def demo_settings(directory: Path, db: Path | None) -> Any:
    """Settings built in code: no config file (not even ./config.toml) and a made-up token."""
    from bot import Settings

    database = db if db is not None else directory / "demo.sqlite3"
    key_file = database.with_name(database.name + ".key") if db is not None else directory / "demo.key"
    # An empty config file of our own, so a config.toml in the current directory (maybe with a
    # real token) is never read by the demo.
    config = directory / "demo-config.toml"
    config.write_text("", encoding="utf-8")
    overrides: dict[str, Any] = {
        "discord": {"token": "demo"},
        "database": {"path": str(database)},
        "security": {"key_file": str(key_file)},
    }
    seeds = national_signposts()
    if seeds:
        overrides["signposts"] = seeds
    return Settings.load(config, **overrides)


def run_demo(*, db: Path | None, check: bool, port: int | None, language: str = "en") -> int:
    """Entry point for ``python -m bot demo``; returns the process exit status."""
    try:
        import simcord  # noqa: F401
    except ImportError:
        print(
            'error: the demo needs SimCord. Install it with: pip install -e ".[demo]"',
            file=sys.stderr,
        )
        return EXIT_SETUP
    if port is not None and not 0 <= port <= 65535:
        print(f"error: --port {port} is not a port number (0-65535).", file=sys.stderr)
        return EXIT_SETUP
    if port and not port_is_free(port):
        print(
            f"error: port {port} is in use on this computer. Choose another with --port, or leave "
            "--port out to use any free one.",
            file=sys.stderr,
        )
        return EXIT_SETUP
    if db is not None:
        db = db.expanduser().resolve()
        if not db.parent.is_dir():
            print(f"error: --db {db}: the folder {db.parent} does not exist.", file=sys.stderr)
            return EXIT_SETUP
        if db.exists() and db.stat().st_size > 0:
            print(
                f"error: --db {db} already exists. The simulated Discord starts empty every time, so "
                "the demo always seeds a new database: give a new file name, or delete this one.",
                file=sys.stderr,
            )
            return EXIT_SETUP
    with quiet_logs(), tempfile.TemporaryDirectory(prefix="common-room-demo-") as folder:
        try:
            settings = demo_settings(Path(folder), db)
        except Exception as error:  # ConfigError lists its problems
            print(f"error: {error}", file=sys.stderr)
            return EXIT_SETUP
        try:
            status = asyncio.run(demo_main(settings, check=check, port=port, language=language))
        except KeyboardInterrupt:
            # Ctrl-C before the demo could catch it (while starting): stop now, still removing
            # the temporary folder.
            say("Stopped.")
            status = EXIT_INTERRUPTED if check else EXIT_OK
    if db is not None and db.exists():
        say(f"The demo's database is kept in {db}.")
    return status


def port_is_free(port: int) -> bool:
    """Whether the page could listen on this loopback port now (checked before the slow part)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if sys.platform != "win32":
            # As the page's server does: a port just freed (connections in TIME_WAIT) is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def quiet_logs() -> Iterator[None]:
    """Only errors on the console while the demo runs (the seeding is chatty at INFO); the
    loggers' levels are put back afterwards."""
    names = ("discord", "apscheduler", "aiohttp", "simcord", "bot", "cogs")
    before = {name: logging.getLogger(name).level for name in names}
    root = logging.getLogger()
    handler: logging.Handler | None = None
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    try:
        for name in names:
            logging.getLogger(name).setLevel(logging.ERROR)
        yield
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)
        if handler is not None:
            root.removeHandler(handler)


class Interrupted(Exception):
    """Ctrl-C (or SIGTERM) arrived before the demo was ready; stop between two steps."""


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM set ``stop`` instead of cancelling whatever the bot is doing, so the
    demo always stops between two steps and closes the bot and its database properly."""
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
            installed.append(signum)
    try:
        yield
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


@contextlib.asynccontextmanager
async def demo_server(settings: Any, language: str = "en") -> AsyncIterator[Any]:
    """The real bot under SimCord with "Demo Medical School" built (not yet seeded) in
    ``language``; yields the :class:`bot.demo_seed.DemoServer`. The bot and its database are
    closed on the way out."""
    import simcord

    from bot import create_bot
    from bot.demo_seed import build_server

    bots = [create_bot(settings, sync=True)]
    try:
        async with simcord.run(bots[0], check_errors=False) as env:
            name_the_bot(env)
            server = build_server(env, bots[0].i18n.translator(language))
            await env.settle()
            # Reconnect, as a bot does after a restart, so it sees the server with everyone in it
            # (it asks for no member events, so counts such as a pulse's audience come from here).
            bots.append(create_bot(settings, sync=True))
            await env.restart_bot(bots[-1])
            yield server
    finally:
        for bot in bots:
            await bot.release()


async def demo_main(settings: Any, *, check: bool, port: int | None, language: str = "en") -> int:
    """Build the bot, the simulated server and its seed; then check, or serve the page."""
    import simcord

    from bot.demo_seed import DemoError, post_welcome, seed, walk

    stop = asyncio.Event()

    def checkpoint() -> None:
        if stop.is_set():
            raise Interrupted

    status = EXIT_OK
    with stop_on_signals(stop):
        say("Common Room demo: building “Demo Medical School” through the bot's own commands…")
        async with demo_server(settings, language) as server:
            try:
                seeded = await seed(server, say, strict=check, checkpoint=checkpoint)
                if check:
                    say("Walking the main flows as the student and the organiser…")
                    await walk(server, seeded, say, checkpoint=checkpoint)
                    problems = [f"{type(e).__name__}: {e}" for e in server.env.errors]
                    if problems:
                        raise DemoError("the bot raised errors:\n" + "\n".join(problems))
                    say("Demo check passed.")
                else:
                    welcome = await post_welcome(server)
                    checkpoint()
                    try:
                        await serve(server, port, welcome, stop)
                    except simcord.SetupError as error:  # e.g. the port was taken meanwhile
                        print(f"error: the page could not start: {error}", file=sys.stderr, flush=True)
                        status = EXIT_SETUP
                    say("Stopped.")
            except DemoError as error:
                print(f"Demo check FAILED: {error}", file=sys.stderr, flush=True)
                status = EXIT_FAILED
            except Interrupted:
                say("Stopped before the demo was ready.")
                status = EXIT_INTERRUPTED if check else EXIT_OK
    return status


def name_the_bot(env: Any) -> None:
    """Show the bot as "Common Room" on the page (SimCord calls its bot user TestBot)."""
    user = getattr(getattr(env, "backend", None), "bot_user", None)
    if user is not None and hasattr(user, "global_name"):
        user.global_name = "Common Room"


async def serve(server: Any, port: int | None, welcome: Any, stop: asyncio.Event) -> None:
    """Serve the preview page until ``stop`` (Ctrl-C, SIGTERM) or "End preview session"."""
    from bot.demo_seed import TIMEZONE

    width, height = PRESENTATION_SIZE
    async with server.env.preview(
        server.common,
        viewers=server.viewers,
        layout="channel",
        width=width,
        height=height,
        locale="en-GB",
        timezone=TIMEZONE,
        port=port,
    ) as preview:
        if welcome is not None:
            await preview.show(welcome)  # the page opens on the welcome and what to try
        say("")
        say("Open this address in your browser (it only works on this computer):")
        say(f"  {preview.url}")
        say("")
        say("The page starts as Sam, a first-year student. Use “Viewing as” at the top of the page")
        say("to switch to Olu (organiser), Ada (server admin) or Maya (mentor); the welcome note")
        say("says what each can try. Type / in the message box for the commands. Ctrl-C here stops.")
        closed = asyncio.ensure_future(preview.wait_closed())
        stopped = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({closed, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (closed, stopped):
                task.cancel()
            await asyncio.gather(closed, stopped, return_exceptions=True)
        say("Stopping the demo…")
