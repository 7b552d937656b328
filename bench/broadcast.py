"""Benchmark: one announcement to 5,000 recipients against the fake Telegram at 30 per second.

Run from the repository root:  python bench/broadcast.py [--recipients 5000]

The real bot (application, handlers, outbox, a SQLite database in a temporary directory)
polls the fake Telegram, which answers 429 to every call over 30 messages per second
(``enforce_limits(per_second=30)``). A coordinator writes the announcement with /bericht,
chooses "everyone" and confirms, exactly as in Telegram. Printed: the achieved rate as a
fraction of the limit (target at least 0.95), the 429 answers received (target 0), and the
recipients who got the announcement twice (duplicates) or not at all (lost), both 0.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 30
MARKER = "Benchmarkbericht"
FIRST_ID = 1_000_001
COORDINATOR = 900001
# After the course: no reminders or check-in prompts compete with the broadcast.
START = dt.datetime(2025, 7, 1, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


async def tap(user: Any, message: Any, button: str) -> None:
    await user.callback_answer(await user.tap(message, button))


async def run(recipients: int) -> dict[str, Any]:
    from sqlalchemy import insert

    from bench.common import observe_calls
    from bot.app import build_application
    from bot.config import Settings
    from bot.lifecycle import running
    from bot.models import Participant
    from bot.services.registry import build_services
    from tests.faketelegram import FakeTelegram

    fake = FakeTelegram()
    sends: list[float] = []
    too_many = 0

    def timed(method: str, params: dict[str, Any], status: int) -> None:
        nonlocal too_many
        if status == 429:
            too_many += 1
        elif status == 200 and method.lower() == "sendmessage":
            chat = params.get("chat_id")
            if chat is not None and int(chat) >= FIRST_ID:
                sends.append(time.monotonic())

    observe_calls(fake, after=timed)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            telegram={"token": fake.token, "base_url": fake.base_url, "poll_timeout": 1},
            database={"url": f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"},
            coordinators=[COORDINATOR],
            log_level="WARNING",
        )
        services = build_services(settings)
        await services.database.upgrade()
        now = dt.datetime.now(dt.UTC)
        ids = list(range(FIRST_ID, FIRST_ID + recipients))
        async with services.database.transaction() as session:
            await session.execute(
                insert(Participant),
                [
                    {
                        "telegram_id": i, "chat_id": i, "status": "approved", "source": "bench",
                        "name": f"Deelnemer {i}", "created_at": now,
                    }
                    for i in ids
                ],
            )
        for i in ids:
            fake.user(i, first_name="D")
        coordinator = fake.user(COORDINATOR, first_name="Coby")
        # Everything so far (5,000 fake users and chats, the loaded programme, ...) lives
        # until the end: keep the garbage collector from walking it again and again, which
        # pauses the one event loop the bot and the fake share.
        gc.collect()
        gc.freeze()
        application = build_application(
            services, request=fake.ptb_request(), get_updates_request=fake.ptb_request()
        )
        async with running(application, poll_timeout=1):
            await coordinator.ask("/bericht")
            question = await coordinator.ask(f"{MARKER}: de leergang gaat door!")
            await tap(coordinator, question, "Alle deelnemers (toegelaten)")
            await coordinator.next_message()  # the preview
            control = await coordinator.next_message()
            confirmed = time.monotonic()
            await tap(coordinator, control, "📨 Nu versturen")
            fake.enforce_limits(per_second=LIMIT)
            await fake.wait_until(
                lambda: "is verstuurd" in control.content, recipients / 20 + 60, "the report"
            )
            finished = time.monotonic()
            report = control.content
    gc.unfreeze()
    counts = [len([m for m in fake.bot_messages(i) if MARKER in (m.content or "")]) for i in ids]
    elapsed = sends[-1] - sends[0] if len(sends) > 1 else float("nan")
    return {
        "recipients": recipients,
        "rate": (len(sends) - 1) / elapsed / LIMIT if len(sends) > 1 else 0.0,
        "too_many": too_many,
        "violations": fake.limit_violations,
        "duplicates": sum(max(0, c - 1) for c in counts),
        "lost": sum(1 for c in counts if c == 0),
        "first_after": sends[0] - confirmed if sends else float("nan"),
        "elapsed": elapsed,
        "total": finished - confirmed,
        "report": report,
    }


def measure(recipients: int = 5000) -> dict[str, Any]:
    """One announcement to ``recipients`` participants through the real bot; the figures."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    import time_machine

    with time_machine.travel(START, tick=True):
        return asyncio.run(run(recipients))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--recipients", type=int, default=5000)
    args = parser.parse_args(argv)
    result = measure(args.recipients)
    print(f"Broadcast to {result['recipients']} recipients, limit {LIMIT} messages/second")
    print(f"  first message {result['first_after']:.2f} s after the confirm button")
    print(
        f"  sending took {result['elapsed']:.1f} s"
        f" ({result['total']:.1f} s until the final report)"
    )
    print(f"  achieved rate: {result['rate']:.3f} of the limit (target >= 0.95)")
    print(f"  429 answers received: {result['too_many']} (target 0)")
    print(f"  duplicates: {result['duplicates']} (target 0)")
    print(f"  lost: {result['lost']} (target 0)")
    print("  coordinator's report: " + result["report"].replace("\n", " | "))
    ok = (
        result["rate"] >= 0.95
        and result["too_many"] == 0
        and result["duplicates"] == 0
        and result["lost"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
