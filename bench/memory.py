"""Resident memory of `wijkbot run` after 5,000 and 10,000 handled updates.

Run from the repository root:  python -m bench.memory [--updates 10000] [--users 2000]

The real command line runs as its own process (as in bench.startup), polling the fake
Telegram over 127.0.0.1, so the figure is the bot's memory alone: the fake keeps every
message in the parent process. The updates come from many different people, in batches
sent at once, and are a mix of /start, questions from the labelled evaluation set
(bench/data/questions_eval.tsv, answered or honestly not) and made-up text that no one has
written before (random words: every one new to the spelling corrector). The resident set
size (VmRSS in /proc/<pid>/status) is read once every reply of a batch has arrived.
The bot's own pacing of 30 messages a second is lifted for this run (it would stretch
10,000 replies over six minutes and has no bearing on memory); nothing else is changed.
The database is made first with `wijkbot db upgrade`, so the measured start is a restart, as
in bench.startup and in any deployment after its first day: only the very first start of a
new database runs the migrations, which loads Alembic (about 10 MB more, kept until the
process ends).
Targets: under 120 MB after 10,000 updates, and no growth between 5,000 and 10,000 (less
than 5 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import ROOT, cpu_seconds, observe_calls, use_repository
from bench.startup import COORDINATOR, STOP_TIMEOUT, bot_environment, stop

if TYPE_CHECKING:
    from tests.faketelegram import FakeTelegram

TARGET_MB = 120.0
TARGET_GROWTH_MB = 5.0
BATCH = 50
FIRST_USER = 3_000_000
EVAL_SET = ROOT / "bench" / "data" / "questions_eval.tsv"
LETTERS = "abcdefghijklmnoprstuvwz"
# `wijkbot run`, with the rate limiter's 30 messages a second raised out of the way.
UNPACED_RUN = (
    "import sys\n"
    "from bot import telegram_calls\n"
    "telegram_calls.ResilientRateLimiter.__init__.__kwdefaults__['per_second'] = 100_000\n"
    "from bot.cli import main\n"
    "sys.argv[0] = 'wijkbot'\n"
    "main()\n"
)


@dataclass
class MemoryFigures:
    updates: int
    users: int
    start_mb: float  # once polling has started, before any update
    half_mb: float  # after half of the updates
    end_mb: float  # after all of them
    seconds: float  # how long handling the updates took
    cpu: float  # processor seconds the bot used for them

    @property
    def growth_mb(self) -> float:
        return self.end_mb - self.half_mb


def resident_mb(pid: int) -> float:
    """VmRSS of a process, in MB (2^20 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def questions() -> list[str]:
    with EVAL_SET.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row["question"] for row in rows if row.get("question")]


def texts(count: int, seed: int = 8) -> list[str]:
    """The updates' texts: /start, known questions and new nonsense, in turn."""
    chance = random.Random(seed)
    asked = questions()
    chance.shuffle(asked)

    def nonsense() -> str:
        words = ("".join(chance.choices(LETTERS, k=chance.randint(4, 9))) for _ in range(4))
        return "wat is " + " ".join(words) + "?"

    kinds = ("/start", "question", "nonsense")
    return [
        "/start" if kinds[i % 3] == "/start"
        else asked[i // 3 % len(asked)] if kinds[i % 3] == "question"
        else nonsense()
        for i in range(count)
    ]


def counting_replies(fake: FakeTelegram) -> list[int]:
    """A one-element list holding the number of messages the bot has sent so far."""
    sent = [0]

    def counting(method: str, params: dict[str, Any], status: int) -> None:
        if status == 200 and method.lower() == "sendmessage":
            sent[0] += 1

    observe_calls(fake, after=counting)
    return sent


async def measure_async(updates: int, users: int, folder: Path) -> MemoryFigures:
    import time

    from tests.faketelegram import FakeTelegram, serve_on_loopback

    fake = FakeTelegram()
    fake.user(COORDINATOR, first_name="Coby")
    sent = counting_replies(fake)
    people = [fake.user(FIRST_USER + n, first_name=f"Deelnemer {n}") for n in range(users)]
    plan = texts(updates)
    log = folder / "bot.log"
    async with serve_on_loopback(fake) as base_url:
        env = bot_environment(fake, base_url, WIJKBOT_LOG_LEVEL="WARNING")
        with log.open("wb") as output:
            # The database exists, as after any earlier start (see the module doc).
            upgrade = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "db", "upgrade",
                cwd=folder, env=env, stdout=output, stderr=output,
            )
            if await upgrade.wait() != 0:
                raise RuntimeError(f"wijkbot db upgrade failed:\n{log.read_text()}")
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-c", UNPACED_RUN, "run",
                cwd=folder, env=env, stdout=output, stderr=output,
            )
        try:
            await fake.wait_until(lambda: fake.waiting_polls > 0, STOP_TIMEOUT, "polling")
            await asyncio.sleep(1.0)  # the question service is built in the background
            start = resident_mb(process.pid)
            half = 0.0
            began, cpu = time.perf_counter(), cpu_seconds(process.pid)
            for first in range(0, updates, BATCH):
                batch = plan[first:first + BATCH]
                expected = sent[0] + len(batch)
                for offset, text in enumerate(batch):
                    await people[(first + offset) % users].send(text)
                await fake.wait_until(lambda e=expected: sent[0] >= e, 120, "the replies")  # type: ignore[misc]
                if first + BATCH == updates // 2:
                    half = resident_mb(process.pid)
            seconds = time.perf_counter() - began
            cpu = cpu_seconds(process.pid) - cpu
            end = resident_mb(process.pid)
        finally:
            if process.returncode is None:
                await stop(process)
    if process.returncode not in (0, None):
        raise RuntimeError(f"wijkbot run failed:\n{log.read_text(errors='replace')}")
    return MemoryFigures(updates, users, start, half, end, seconds, cpu)


def measure(updates: int = 10_000, users: int = 2_000) -> MemoryFigures:
    use_repository()
    if updates % (2 * BATCH):
        raise ValueError(f"updates must be a multiple of {2 * BATCH}")
    with tempfile.TemporaryDirectory(prefix="wijkbot-bench-") as folder:
        return asyncio.run(measure_async(updates, users, Path(folder)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=2_000)
    args = parser.parse_args(argv)
    result = measure(args.updates, args.users)
    print(f"{result.updates} updates from {result.users} people in {result.seconds:.0f} s "
          f"({result.updates / result.seconds:.0f} per second; the bot used "
          f"{result.cpu / result.updates * 1000:.1f} ms of processor time per update)")
    print(f"resident memory: {result.start_mb:.1f} MB at start, {result.half_mb:.1f} MB after "
          f"{result.updates // 2}, {result.end_mb:.1f} MB after {result.updates} "
          f"(target < {TARGET_MB:.0f} MB); growth {result.growth_mb:+.1f} MB "
          f"(target < {TARGET_GROWTH_MB:.0f} MB)")
    ok = result.end_mb < TARGET_MB and result.growth_mb < TARGET_GROWTH_MB
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
