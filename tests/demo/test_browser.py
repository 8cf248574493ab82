"""A real browser on the demo page: a click there runs the bot's own code (needs Chromium).

Skipped where Chromium is not installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
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
# Resolves when the page's text contains TEXT, or after MS milliseconds (the browser waits, not us).
WAIT_FOR_TEXT = """
new Promise((resolve) => {
  const text = %s;
  const has = () => !!document.body && document.body.innerText.includes(text);
  if (has()) return resolve(true);
  const observer = new MutationObserver(() => { if (has()) { observer.disconnect(); resolve(true); } });
  observer.observe(document.documentElement, {subtree: true, childList: true, characterData: true});
  setTimeout(() => { observer.disconnect(); resolve(has()); }, %d);
})
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
                stderr=asyncio.subprocess.PIPE,
            )
            drain: asyncio.Task[bytes] | None = None
            try:
                assert browser.stderr is not None
                # Chromium says when its DevTools endpoint is up: wait for that line, no polling.
                while b"DevTools listening" not in await asyncio.wait_for(browser.stderr.readline(), 30):
                    pass
                drain = asyncio.ensure_future(browser.stderr.read())  # keep the pipe from filling
                async with aiohttp.ClientSession() as http:
                    async with http.get(f"http://127.0.0.1:{port}/json") as response:
                        target = next(t for t in await response.json() if t.get("type") == "page")
                    async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                        counter = iter(range(1, 10**6))
                        events: list[str] = []

                        async def call(method: str, **params: Any) -> dict[str, Any]:
                            ident = next(counter)
                            await ws.send_json({"id": ident, "method": method, "params": params})
                            while True:
                                message = await asyncio.wait_for(ws.receive_json(), 60)
                                if "method" in message:
                                    events.append(message["method"])
                                elif message.get("id") == ident:
                                    return dict(message.get("result", {}))

                        async def event(name: str) -> None:
                            while name not in events:
                                message = await asyncio.wait_for(ws.receive_json(), 60)
                                if "method" in message:
                                    events.append(message["method"])

                        async def shows(text: str, within_ms: int = 20_000) -> bool:
                            result = await call(
                                "Runtime.evaluate",
                                expression=WAIT_FOR_TEXT % (json.dumps(text), within_ms),
                                awaitPromise=True,
                                returnByValue=True,
                            )
                            return bool(result.get("result", {}).get("value"))

                        await call("Page.enable")
                        await call("Page.navigate", url=preview.url)
                        await event("Page.loadEventFired")
                        assert await shows("Welcome to Demo Medical School"), (
                            "the page never showed the welcome"
                        )
                        assert await shows(SOCIAL["title"]), "the page never showed the social's card"
                        # The buttons draw before the page's session is ready: press again until the
                        # bot's private reply arrives (Going twice changes nothing).
                        for _ in range(20):
                            await call("Runtime.evaluate", expression=CLICK_LAST % json.dumps("Going"))
                            if await shows("You're going to", within_ms=2_000):
                                break
                        else:
                            raise AssertionError("the bot's private reply never appeared on the page")
            finally:
                browser.terminate()
                await browser.wait()
                if drain is not None:
                    await drain
        # The click went through the bot: the student's RSVP is stored and shown back to them.
        mine = text_of(await server.student.slash(server.common, "event mine"))
        assert SOCIAL["title"] in mine and "Going" in mine
        assert server.env.errors == []
