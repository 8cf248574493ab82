"""``python -m bot demo``: the check walks every landed feature, and the page is served locally."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO

import pytest

from bot.__main__ import main
from bot.demo_seed import CHECK_STEPS, SEED_STEPS
from tests import contract

REPO = Path(__file__).resolve().parents[2]


def checked(capsys: pytest.CaptureFixture[str], status: int) -> str:
    """What a whole demo check printed, once it passed every step: exit 0, and, since every
    feature is in the bot, nothing skipped, one ``ok`` line per seeding and check step."""
    out, err = capsys.readouterr()
    assert status == 0, out + err
    assert "Demo check passed." in out
    assert "skip" not in out and "note" not in out, out
    for step in (*SEED_STEPS, *CHECK_STEPS):
        assert re.search(rf"^  ok    {re.escape(step.name)}: ", out, re.M), f"{step.name} missing:\n{out}"
    assert "Traceback" not in err
    return out


def test_check_seeds_walks_every_flow_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "kept.sqlite3"
    out = checked(capsys, main(["demo", "--check", "--db", str(db)]))
    assert "matched with Maya" in out and "12 answers" in out
    # --db keeps the database (and its key) where asked; seeding went through the bot into it.
    assert db.exists() and db.with_name(db.name + ".key").exists()

    # The simulated Discord starts empty each time, so an existing database is not reused.
    again = main(["demo", "--check", "--db", str(db)])
    out, err = capsys.readouterr()
    assert again == 2
    assert "already exists" in err and "new file name" in err


def test_check_in_welsh_sets_the_server_to_cymraeg_and_walks_every_flow(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = checked(capsys, main(["demo", "--check", "--language", "cy"]))
    # The seeded copy was typed in Welsh, from the catalogue.
    assert "Y Cyntaf yn y Teulu" in out and "Clwb Rhedeg" in out


def test_the_welcome_note_is_translated_line_by_line() -> None:
    from bot.demo_seed import WELCOME, WELCOME_LINES, welcome_text
    from bot.i18n import Catalogues

    assert welcome_text() == WELCOME
    welsh = welcome_text(Catalogues().translator("cy"))
    assert welsh.count("\n") == len(WELCOME_LINES) - 1
    assert "Croeso i Demo Medical School" in welsh and "`/mentor request`" in welsh


def test_check_fails_with_a_clear_message_when_a_flow_shows_the_wrong_thing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.demo_seed as seed

    # Only five demo students answer the first pulse run: below the server's minimum, so the
    # bot withholds its results and the walk must say so.
    monkeypatch.setattr(seed, "CROWD", seed.CROWD[:5])
    monkeypatch.setattr(seed, "CROWD_ANSWERS", seed.CROWD_ANSWERS[:5])
    status = main(["demo", "--check"])
    out, err = capsys.readouterr()
    assert status == 1
    assert "Demo check FAILED: answer the pulse" in err
    assert "withheld" in err
    assert "Demo check passed." not in out


async def test_the_page_shows_the_seeded_server_and_discord_would_accept_every_request(
    tmp_path: Path,
) -> None:
    from bot.demo import demo_server, demo_settings
    from bot.demo_seed import WELCOME, post_welcome, seed

    lines: list[str] = []
    async with demo_server(demo_settings(tmp_path, None)) as server:
        await seed(server, lines.append, strict=True)
        welcome = await post_welcome(server)
        async with server.env.preview(server.common, viewers=server.viewers, layout="channel") as preview:
            await preview.show(welcome)
            page = await preview.snapshot()
        requests = list(server.env.http_requests)
        assert server.env.errors == []

    # The person at the browser starts as the student and can switch to the others.
    names = [viewer["name"] for viewer in page["viewers"]]
    assert names == [
        "Sam (first-year student)",
        "Olu (welfare organiser)",
        "Ada (server admin)",
        "Maya (fourth-year mentor)",
    ]
    assert page["viewerId"] == str(server.student.id)
    # It opens on the welcome, with the seeded cards above it in #common-room.
    assert page["targetId"] == str(welcome.id)
    shown = "\n".join(
        str(m.get("content", "")) + " ".join(str(e.get("title", "")) for e in m.get("embeds", []))
        for m in page["messages"].values()
    )
    assert WELCOME.splitlines()[0][:40] in shown
    # The welcome reads true whoever is viewed: it names each person, and claims to be none of them.
    assert "You are" not in WELCOME and len(WELCOME) <= 2000
    for name in names:
        assert f"**{name}**" in WELCOME
    assert "Board games and mocktails" in shown
    assert all(line.startswith("  ok") for line in lines), lines

    assert len(requests) > 50  # the seeding went through Discord's API, request by request
    spec = contract.spec_path()
    if spec is not None and spec.exists():
        problems = contract.violations(requests, spec)
        assert not problems, "Requests Discord would reject:\n" + "\n".join(problems)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Output:
    """The demo's stdout, read line by line in a thread so a slow start cannot hang the test."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        stream = proc.stdout
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        self.text = ""
        self.thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self.thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in iter(stream.readline, ""):
            self.lines.put(line)

    def wait_for(self, pattern: str, seconds: float) -> re.Match[str] | None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.text += self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    return None
                continue
            found = re.search(pattern, self.text)
            if found:
                return found
        return None

    def rest(self) -> str:
        self.thread.join(timeout=10)
        while not self.lines.empty():
            self.text += self.lines.get()
        return self.text


@pytest.mark.skipif(sys.platform == "win32", reason="Ctrl-C is simulated with SIGINT")
def test_cli_prints_a_local_url_serves_the_page_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    temp = tmp_path / "tmp"
    temp.mkdir()
    errors = tmp_path / "stderr.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMONROOM_")}
    env.update(TMPDIR=str(temp), PYTHONUNBUFFERED="1")
    with errors.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "demo", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        output = Output(proc)
        try:
            found = output.wait_for(rf"(http://127\.0\.0\.1:{port}/#\S+)", 120)
            assert found, f"no URL printed:\n{output.text}\n{errors.read_text()}"
            assert list(temp.iterdir()), "the demo should work in a temporary folder"
            page = found.group(1).split("#", 1)[0]
            with urllib.request.urlopen(page, timeout=10) as response:  # loopback only
                assert response.status == 200
                assert "<html" in response.read().decode("utf-8").lower()
            proc.send_signal(signal.SIGINT)  # what Ctrl-C does
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    out, err = output.rest(), errors.read_text()
    assert proc.returncode == 0, out + err
    assert "Stopped." in out
    assert "Traceback" not in err and "Error" not in err, err
    assert list(temp.iterdir()) == [], "the temporary folder should be removed"


def test_a_port_in_use_is_refused_at_once_with_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = main(["demo", "--port", str(port)])
    out, err = capsys.readouterr()
    assert status == 2
    assert f"port {port} is in use" in err and "--port" in err
    assert "Traceback" not in err and out == ""
