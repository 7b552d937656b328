"""`wijkbot run` as a user starts it: another directory, only WIJKBOT_* variables, real HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.faketelegram import FakeTelegram, serve_on_loopback

START_TIMEOUT = 30.0


async def test_wijkbot_run_answers_start_over_http_and_stops_cleanly(
    tmp_path: Path, database_url: str
) -> None:
    sqlite = database_url.startswith("sqlite")
    fake = FakeTelegram()
    workdir = tmp_path / "elders"
    workdir.mkdir()
    async with serve_on_loopback(fake) as base_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKBOT_")}
        env.update(
            {
                "WIJKBOT_TELEGRAM__TOKEN": fake.token,
                "WIJKBOT_TELEGRAM__BASE_URL": base_url,
                "WIJKBOT_TELEGRAM__POLL_TIMEOUT": "1",
                "WIJKBOT_COORDINATORS": "[900001]",
            }
        )
        if not sqlite:  # on SQLite: the default file in the working directory
            env["WIJKBOT_DATABASE__URL"] = database_url
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run",
            cwd=workdir, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            reply = await fake.user(4242, first_name="Piet").ask("/start", timeout=START_TIMEOUT)
            assert reply.text is not None
            assert reply.text.startswith("Hoi Piet!")
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    output = (stdout + stderr).decode()
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert fake.token not in output
    assert (workdir / "wijkbot.sqlite3").is_file() == sqlite
    assert fake.commands["all_private_chats"][0]["command"] == "start"
