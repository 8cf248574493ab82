"""A real browser on the demo page: a click there runs the bot's own code (needs Chromium).

Skipped where Chromium is not installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.demo import demo_server, demo_settings
from bot.demo_seed import SOCIAL, TIMEZONE, post_welcome, seed, text_of

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

CLICK_LAST = """
(() => {
  const found = [...document.querySelectorAll('button')].filter(b => b.textContent.trim() === %s);
  if (!found.length) return false;
  found[found.length - 1].click();
  return true;
})()
"""
PAGE_TEXT = "document.body ? document.body.innerText : ''"

Call = Callable[..., Awaitable[dict[str, Any]]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def until(what: str, check: Callable[[], Awaitable[Any]], seconds: float = 30) -> Any:
    """Poll the browser (it works in real time, outside the simulation) until ``check`` holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"the page never showed {what}")


async def test_pressing_going_in_the_browser_runs_the_bot_and_shows_the_private_reply(tmp_path: Path) -> None:
    import aiohttp

    assert CHROMIUM is not None
    async with demo_server(demo_settings(tmp_path, None)) as server:
        await seed(server, lambda line: None, strict=True)
        welcome = await post_welcome(server)
        async with server.env.preview(
            server.common, viewers=server.viewers, layout="channel", timezone=TIMEZONE
        ) as preview:
            await preview.show(welcome)
            port = free_port()
            browser = await asyncio.create_subprocess_exec(
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={tmp_path / 'chromium'}",
                "--window-size=1280,900",
                "about:blank",
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            try:
                async with aiohttp.ClientSession() as http:

                    async def targets() -> Any:
                        try:
                            async with http.get(f"http://127.0.0.1:{port}/json") as response:
                                pages = [t for t in await response.json() if t.get("type") == "page"]
                                return pages[0] if pages else None
                        except aiohttp.ClientError:
                            return None

                    target = await until("a browser tab", targets)
                    async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                        counter = iter(range(1, 10**6))

                        async def call(method: str, **params: Any) -> dict[str, Any]:
                            ident = next(counter)
                            await ws.send_json({"id": ident, "method": method, "params": params})
                            while True:
                                message = await ws.receive_json()
                                if message.get("id") == ident:
                                    return dict(message.get("result", {}))

                        async def evaluate(expression: str) -> Any:
                            result = await call("Runtime.evaluate", expression=expression, returnByValue=True)
                            return result.get("result", {}).get("value")

                        await call("Page.navigate", url=preview.url)

                        async def shows(text: str) -> Callable[[], Awaitable[bool]]:
                            async def check() -> bool:
                                return text in str(await evaluate(PAGE_TEXT))

                            return check

                        await until("the welcome", await shows("Welcome to Demo Medical School"))
                        await until("the social's card", await shows(SOCIAL["title"]))
                        replied = await shows("You're going to")

                        async def press_going() -> bool:
                            # The buttons draw before the page's session is ready; press again
                            # until the bot's reply arrives (Going twice changes nothing).
                            if await replied():
                                return True
                            await evaluate(CLICK_LAST % json.dumps("Going"))
                            await asyncio.sleep(1)
                            return await replied()

                        await until("the private reply", press_going, seconds=40)
            finally:
                browser.terminate()
                await browser.wait()
        # The click went through the bot: the student's RSVP is stored and shown back to them.
        mine = text_of(await server.student.slash(server.common, "event mine"))
        assert SOCIAL["title"] in mine and "Going" in mine
        assert server.env.errors == []
