"""Start-up time of `wijkbot run`, until the bot polls for updates for the first time.

Run from the repository root:  python -m bench.startup [--runs 5]

The real command line is started as a new process, as a user starts it: from an empty
temporary directory, with only WIJKBOT_* variables for the settings (the token, the fake's
address on 127.0.0.1, and the coordinator). The clock runs from starting the process until
its first getUpdates call arrives at the fake Telegram served on 127.0.0.1.

One start before the measured ones creates the database and compiles the bot's Python
files to bytecode (in a temporary cache: PYTHONPYCACHEPREFIX), as installing the package
does; the measured starts are restarts, as after a reboot or an upgrade of the settings.
Without a bytecode cache (PYTHONDONTWRITEBYTECODE=1 on a source checkout) every start
compiles about a hundred modules again, some 0.3 s more. Reported: the median of the runs
(target under 1.5 s), and the processor time the bot used until then.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import cpu_seconds, observe_calls, use_repository

if TYPE_CHECKING:
    from tests.faketelegram import FakeTelegram

TARGET_SECONDS = 1.5
COORDINATOR = 900001
STOP_TIMEOUT = 30.0


def wijkbot_command() -> list[str]:
    """The installed `wijkbot` script next to this Python, else `python -m bot.cli`."""
    script = Path(sys.executable).parent / "wijkbot"
    if script.is_file():
        return [str(script)]
    found = shutil.which("wijkbot")
    return [found] if found else [sys.executable, "-m", "bot.cli"]


def bot_environment(
    fake: FakeTelegram, base_url: str, bytecode: Path | None = None, **extra: str
) -> dict[str, str]:
    """The caller's environment without WIJKBOT_* variables, plus the fake's settings and
    a bytecode cache in ``bytecode`` (when given)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKBOT_")}
    if bytecode is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    env.update(
        {
            "WIJKBOT_TELEGRAM__TOKEN": fake.token,
            "WIJKBOT_TELEGRAM__BASE_URL": base_url,
            "WIJKBOT_TELEGRAM__POLL_TIMEOUT": "1",
            "WIJKBOT_COORDINATORS": f"[{COORDINATOR}]",
            **extra,
        }
    )
    return env


def first_poll(fake: FakeTelegram) -> asyncio.Event:
    """An event set when the fake receives its first getUpdates call."""
    polled = asyncio.Event()

    def noting(method: str, params: dict[str, Any]) -> None:
        if method.lower() == "getupdates":
            polled.set()

    observe_calls(fake, before=noting)
    return polled


async def stop(process: asyncio.subprocess.Process) -> str:
    """SIGTERM, as systemd does; the output, for when something went wrong."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), STOP_TIMEOUT)
    return output.decode(errors="replace") if output else ""


@dataclass
class Start:
    seconds: float  # until the first getUpdates
    cpu: float  # processor seconds the bot used until then


async def one_start(workdir: Path, bytecode: Path) -> Start:
    from tests.faketelegram import FakeTelegram, serve_on_loopback

    fake = FakeTelegram()
    fake.user(COORDINATOR, first_name="Coby")
    polled = first_poll(fake)
    async with serve_on_loopback(fake) as base_url:
        env = bot_environment(fake, base_url, bytecode)
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            *wijkbot_command(), "run", cwd=workdir, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        try:
            waiting = asyncio.ensure_future(polled.wait())
            exited = asyncio.ensure_future(process.wait())
            await asyncio.wait({waiting, exited}, timeout=STOP_TIMEOUT,
                               return_when=asyncio.FIRST_COMPLETED)
            elapsed = time.perf_counter() - started
            cpu = cpu_seconds(process.pid) if process.returncode is None else float("nan")
            waiting.cancel()
            exited.cancel()
        finally:
            output = await stop(process)
    if not polled.is_set():
        raise RuntimeError(f"wijkbot run did not start polling:\n{output}")
    return Start(elapsed, cpu)


async def measure_async(runs: int) -> list[Start]:
    with tempfile.TemporaryDirectory(prefix="wijkbot-bench-") as folder:
        workdir, bytecode = Path(folder) / "bot", Path(folder) / "bytecode"
        workdir.mkdir()
        await one_start(workdir, bytecode)  # creates the database, fills the bytecode cache
        return [await one_start(workdir, bytecode) for _ in range(runs)]


def measure(runs: int = 5) -> list[Start]:
    """Per restart: seconds until the first getUpdates, and the processor time used."""
    use_repository()
    return asyncio.run(measure_async(runs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    starts = measure(args.runs)
    median = statistics.median(s.seconds for s in starts)
    print("Start-up of `wijkbot run` until the first getUpdates: "
          + ", ".join(f"{s.seconds:.2f} s (processor {s.cpu:.2f} s)" for s in starts)
          + f"; median {median:.2f} s, target < {TARGET_SECONDS} s")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
