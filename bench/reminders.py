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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 30


async def bench(participants: int) -> int:
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
    duplicates = sum(count - 1 for count in received.values() if count > 1)
    lost = sum(1 for u in users if received[u.chat_id] == 0)
    too_many = sum(1 for call in fake.calls if call.status == 429)
    # Conservative: the first second's burst (the limit's worth, sent at once) is not counted.
    counted = max(result.sent - LIMIT, 0)
    rate = counted / elapsed if elapsed else 0.0
    fraction = rate / LIMIT
    print(f"Reminder round: {item.kind.value} reminder of {item.session.key}, "
          f"{participants} participants (plan: {plan_ms:.1f} ms)")
    print(f"sent            {result.sent:>8}   in {elapsed:.1f} s")
    print(f"send rate       {rate:>8.1f}   messages/s = {fraction:.3f} of the {LIMIT}/s limit "
          f"(target >= 0.9)")
    print(f"429 answers     {too_many:>8}   (target 0; limit violations: {fake.limit_violations})")
    print(f"duplicates      {duplicates:>8}   (target 0)")
    print(f"lost            {lost:>8}   (target 0)")
    print(f"second round    {again.sent:>8}   sent (a restart or second process sends nothing)")
    ok = fraction >= 0.9 and too_many == 0 and duplicates == 0 and lost == 0 and again.sent == 0
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(bench(args.participants))


if __name__ == "__main__":
    raise SystemExit(main())
