"""Benchmark of checking in: 1,000 participants check in within one simulated minute.

Run from the repository root:  python bench/checkin.py [--participants N] [--speed X]

The minute is the start of module 4 (Thursday 12 December 2024, 12:59:30-13:00:30), so the
code changes in the middle of it and the previous code's grace period is used. Arrivals are
spread at random over the minute and replayed at their moments (``--speed 2`` plays the
minute in 30 seconds), each one a check-in on the service with a real SQLite database in a
temporary directory; the clock the service sees is the simulated one. Some people tap twice
at once and some retry a little later, as phones do. Afterwards a burst of 100 check-ins at
the very same moment (asyncio.gather) shows the worst case.

Prints p50/p99/max handling time of one check-in (waiting for the database included) and
the rows written; fails (exit code 1) when a row is lost or doubled or a reply is wrong.
Target: p99 under 50 ms for the minute.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
TIMEZONE = ZoneInfo("Europe/Amsterdam")
MINUTE_START = dt.datetime(2024, 12, 12, 12, 59, 30, tzinfo=TIMEZONE)
SESSION = "module-4"
FIRST_TELEGRAM_ID = 7_000_000
TARGET_P99_MS = 50.0
BURST = 100


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


async def run(participants: int, seed: int, speed: float, folder: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from bot.config import Settings
    from bot.models import Attendance, Participant, ParticipantStatus
    from bot.services.checkin import Method, Outcome
    from bot.services.registry import build_services

    settings = Settings(database={"url": f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}"})
    services = build_services(settings)
    await services.database.upgrade()
    try:
        async with services.database.transaction() as session:
            session.add_all(
                Participant(
                    telegram_id=FIRST_TELEGRAM_ID + i,
                    chat_id=FIRST_TELEGRAM_ID + i,
                    status=ParticipantStatus.APPROVED,
                    source="bench",
                    name=f"Deelnemer {i:04d}",
                    created_at=MINUTE_START,
                )
                for i in range(participants)
            )
        attendance = services.attendance
        codes = await attendance.codes(MINUTE_START)  # the secret is made once, before timing
        chance = random.Random(seed)

        # (simulated moment, telegram id); the code is the one read a few seconds earlier.
        attempts: list[tuple[dt.datetime, int, str]] = []
        for i in range(participants):
            arrival = MINUTE_START + dt.timedelta(seconds=chance.uniform(0, 60))
            read_at = arrival - dt.timedelta(seconds=chance.uniform(0, 20))
            code = codes.code(SESSION, codes.slot(read_at))
            attempts.append((arrival, FIRST_TELEGRAM_ID + i, code))
            if chance.random() < 0.05:  # a double tap: the same message twice at once
                attempts.append((arrival, FIRST_TELEGRAM_ID + i, code))
            if chance.random() < 0.02:  # a retry a few seconds later
                later = arrival + dt.timedelta(seconds=chance.uniform(1, 5))
                attempts.append((min(later, MINUTE_START + dt.timedelta(seconds=59)),
                                 FIRST_TELEGRAM_ID + i, code))

        timings: list[float] = []
        outcomes: Counter[str] = Counter()
        recorded: Counter[int] = Counter()

        async def one(now: dt.datetime, telegram_id: int, code: str) -> None:
            started = time.perf_counter()
            result = await attendance.check_in(telegram_id, code, Method.CODE, now)
            timings.append((time.perf_counter() - started) * 1000)
            outcomes[result.outcome.value] += 1
            if result.recorded:
                recorded[telegram_id] += 1

        wall = time.perf_counter()

        async def at_its_moment(now: dt.datetime, telegram_id: int, code: str) -> None:
            offset = (now - MINUTE_START).total_seconds() / speed
            await asyncio.sleep(max(0.0, wall + offset - time.perf_counter()))
            await one(now, telegram_id, code)

        await asyncio.gather(*(at_its_moment(*attempt) for attempt in attempts))
        wall_ms = (time.perf_counter() - wall) * 1000
        minute = list(timings)

        # The worst case: 100 more people at the very same moment.
        timings.clear()
        async with services.database.transaction() as session:
            session.add_all(
                Participant(
                    telegram_id=FIRST_TELEGRAM_ID + participants + i,
                    chat_id=FIRST_TELEGRAM_ID + participants + i,
                    status=ParticipantStatus.APPROVED,
                    source="bench",
                    name=f"Laatkomer {i:03d}",
                    created_at=MINUTE_START,
                )
                for i in range(BURST)
            )
        burst_at = MINUTE_START + dt.timedelta(seconds=61)
        burst_code = codes.code(SESSION, codes.slot(burst_at))
        await asyncio.gather(
            *(one(burst_at, FIRST_TELEGRAM_ID + participants + i, burst_code)
              for i in range(BURST))
        )
        burst = list(timings)
        participants += BURST

        async with services.database.transaction() as session:
            rows = await session.scalar(select(func.count()).select_from(Attendance))
            distinct = await session.scalar(
                select(func.count()).select_from(
                    select(Attendance.participant_id, Attendance.session_key).distinct().subquery()
                )
            )
    finally:
        await services.close()

    p50, p99 = percentile(minute, 0.50), percentile(minute, 0.99)
    print(f"Check-ins: {participants - BURST} participants, {len(attempts)} attempts "
          f"(double taps and retries included) in one simulated minute "
          f"(played in {wall_ms / 1000:.0f} s)")
    print(f"Handling time: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(minute):.1f} ms, "
          f"mean {statistics.fmean(minute):.1f} ms")
    print(f"Burst of {BURST} at the same moment: p50 {percentile(burst, 0.5):.1f} ms, "
          f"p99 {percentile(burst, 0.99):.1f} ms, max {max(burst):.1f} ms")
    print(f"Rows written: {rows} (distinct participant/session pairs: {distinct})")
    print("Replies: " + ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items())))
    problems = []
    if rows != participants or distinct != participants:
        problems.append(f"expected {participants} rows, one per participant")
    if len(recorded) != participants or any(n != 1 for n in recorded.values()):
        problems.append("not everyone got exactly one 'checked in' reply")
    wrong = set(outcomes) - {Outcome.CHECKED_IN.value, Outcome.LATE.value, Outcome.ALREADY.value}
    if wrong:
        problems.append(f"unexpected replies: {sorted(wrong)}")
    verdict = "met" if p99 < TARGET_P99_MS else "MISSED"
    print(f"Target p99 < {TARGET_P99_MS:.0f} ms: {verdict}")
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20241212)
    parser.add_argument("--speed", type=float, default=1.0, help="play the minute X times faster")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wijkbot-bench-") as folder:
        return asyncio.run(run(args.participants, args.seed, args.speed, Path(folder)))


if __name__ == "__main__":
    raise SystemExit(main())
