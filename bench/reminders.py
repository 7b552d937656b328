"""Benchmark: plan and send one reminder round to 2,000 participants against the fake Telegram,
which answers 429 as soon as more than 30 messages go out in any second.

Run from the repository root:  python bench/reminders.py [--participants 2000]

Prints the achieved send rate as a fraction of the limit (target: at least 0.9; the burst
allowed in the very first second is not counted, so the figure errs low), the number
of 429 answers, duplicates and lost messages (targets: 0, 0, 0), and what a second round
of the same reminder (a restart or a second process) sends: nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 30


@dataclass
class ReminderFigures:
    participants: int
    session: str
    kind: str
    plan_ms: float
    sent: int
    seconds: float
    rate: float  # messages per second, the first second's burst not counted
    too_many: int  # 429 answers
    violations: int
    duplicates: int
    lost: int
    second_round: int  # sent by a second round of the same reminder

    @property
    def fraction(self) -> float:
        """The rate as a fraction of Telegram's limit."""
        return self.rate / LIMIT

    @property
    def ok(self) -> bool:
        return (self.fraction >= 0.9 and self.too_many == 0 and self.duplicates == 0
                and self.lost == 0 and self.second_round == 0)


async def measure_async(participants: int) -> ReminderFigures:
    import time_machine

    from bot.app import build_application
    from bot.config import Settings
    from bot.models import Participant, ParticipantStatus
    from bot.services.registry import build_services
    from scheduling.delivery import DELIVERER_KEY
    from scheduling.planner import plan
    from scheduling.reminders import ReminderScheduler
    from tests.faketelegram import FakeTelegram

    fake = FakeTelegram()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            telegram={"token": fake.token, "base_url": fake.base_url},
            database={"url": f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"},
        )
        services = build_services(settings)
        await services.database.upgrade()
        module = services.programme.module(4)
        assert module is not None
        started = time.perf_counter()
        planned = [p for p in plan([module], settings.reminders, settings.tz)
                   if p.kind.value == "day"]
        plan_ms = (time.perf_counter() - started) * 1000
        item = planned[0]
        users = [fake.user(10_000 + n, first_name=f"Deelnemer {n}") for n in range(participants)]
        member_since = item.due_at - dt.timedelta(days=30)
        async with services.database.transaction() as session:
            session.add_all(
                Participant(telegram_id=u.id, chat_id=u.chat_id, status=ParticipantStatus.APPROVED,
                            source="bench", name=u.first_name, created_at=member_since,
                            decided_at=member_since)
                for u in users
            )
        application = build_application(services, request=fake.ptb_request())
        await application.initialize()
        try:
            scheduler = ReminderScheduler(services, application.bot_data[DELIVERER_KEY], None)
            fake.enforce_limits(per_second=LIMIT)
            with time_machine.travel(item.due_at, tick=True):
                started = time.perf_counter()
                result = await scheduler.send_round(item)
                elapsed = time.perf_counter() - started
                again = await scheduler.send_round(item)
        finally:
            await application.shutdown()
            await services.close()

    received = collections.Counter(
        call.params.get("chat_id") for call in fake.calls_to("sendMessage") if call.ok
    )
    # Conservative: the first second's burst (the limit's worth, sent at once) is not counted.
    counted = max(result.sent - LIMIT, 0)
    return ReminderFigures(
        participants=participants,
        session=item.session.key,
        kind=item.kind.value,
        plan_ms=plan_ms,
        sent=result.sent,
        seconds=elapsed,
        rate=counted / elapsed if elapsed else 0.0,
        too_many=sum(1 for call in fake.calls if call.status == 429),
        violations=fake.limit_violations,
        duplicates=sum(count - 1 for count in received.values() if count > 1),
        lost=sum(1 for u in users if received[u.chat_id] == 0),
        second_round=again.sent,
    )


def measure(participants: int = 2000) -> ReminderFigures:
    """One reminder round (and a second one of the same reminder) against the fake."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    return asyncio.run(measure_async(participants))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    result = measure(args.participants)
    print(f"Reminder round: {result.kind} reminder of {result.session}, "
          f"{result.participants} participants (plan: {result.plan_ms:.1f} ms)")
    print(f"sent            {result.sent:>8}   in {result.seconds:.1f} s")
    print(f"send rate       {result.rate:>8.1f}   messages/s = {result.fraction:.3f} of the "
          f"{LIMIT}/s limit (target >= 0.9)")
    print(f"429 answers     {result.too_many:>8}   (target 0; limit violations: "
          f"{result.violations})")
    print(f"duplicates      {result.duplicates:>8}   (target 0)")
    print(f"lost            {result.lost:>8}   (target 0)")
    print(f"second round    {result.second_round:>8}   sent (a restart or second process "
          f"sends nothing)")
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
