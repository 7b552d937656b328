"""`wijkbot run` as a user starts it: another directory, only WIJKBOT_* variables, real HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
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


async def run_once(workdir: Path, **variables: str) -> tuple[int, list[str]]:
    """`wijkbot run` until it exits by itself; its exit code and the lines it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKBOT_")}
    env.update(variables)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run",
        cwd=workdir, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    assert process.returncode is not None
    return process.returncode, output.decode().splitlines()


def closed_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the probe is closed


async def test_a_refused_token_is_one_clear_line_and_exit_code_3(tmp_path: Path) -> None:
    fake = FakeTelegram()
    async with serve_on_loopback(fake) as base_url:
        code, lines = await run_once(
            tmp_path,
            WIJKBOT_TELEGRAM__TOKEN="123456:your-token",
            WIJKBOT_TELEGRAM__BASE_URL=base_url,
        )
    assert code == 3, lines
    assert lines[-1].startswith("Telegram weigert het token"), lines
    assert " / Telegram refused the token" in lines[-1]
    assert len(lines) == 2, lines  # "Wijkbot start …" and the reason it stopped
    assert "your-token" not in "\n".join(lines)


async def test_no_network_is_one_clear_line_and_exit_code_4(tmp_path: Path) -> None:
    address = f"http://127.0.0.1:{closed_loopback_port()}"
    code, lines = await run_once(
        tmp_path,
        WIJKBOT_TELEGRAM__TOKEN="123456:your-token",
        WIJKBOT_TELEGRAM__BASE_URL=f"{address}/bot",
    )
    assert code == 4, lines
    assert lines[-1].startswith(f"Telegram is niet bereikbaar via {address}"), lines
    assert " / Telegram cannot be reached" in lines[-1]
    assert len(lines) == 2, lines
    assert "Traceback" not in "\n".join(lines)
