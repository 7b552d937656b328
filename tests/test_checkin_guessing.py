"""Guessing check-in codes: 1,000 tries through the chat are throttled and never succeed, and
the right code still works afterwards (tests/test_checkin_service.py does the same against
the service with typed codes; here the chat, all three ways in, and QR tokens)."""

from __future__ import annotations

import base64
import datetime as dt
import random
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from bot.catalogue import plain
from bot.config import Settings
from bot.models import Attendance
from bot.services.checkin import Method, Outcome
from bot.services.checkin_codes import ALPHABET, CODE_LENGTH
from bot.services.registry import Services, build_services
from tests.conftest import PARTICIPANT_ID, RunningBot, amsterdam, make_settings, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser
from tests.test_attendance_support import MODULE_4, approve, bulk_participants, code_now

BYSTANDER_ID = 100003
SENTINEL_ID = 990002
TRIES = 1000
ROUNDS = 10
ROUND_GAP = dt.timedelta(minutes=7)  # rounds overlap the 10-minute guessing window
MAX_WRONG = 5  # attendance.max_wrong_guesses
WINDOW = dt.timedelta(minutes=10)  # attendance.wrong_guess_window_minutes
# Module 4 (13:00-19:30) takes check-ins from 12:30; the attack runs 12:31-13:34.
ATTACK_STARTS = amsterdam(2024, 12, 12, 12, 31)

WRONG = "Die code klopt niet"
WRONG_LINK = plain("checkin.wrong_link")
THROTTLED = "te vaak een verkeerde code"
CHECKED_IN = "Je bent ingecheckt"


def random_code(chance: random.Random, avoid: set[str]) -> str:
    while True:
        guess = "".join(chance.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if guess not in avoid:
            return guess


def random_token(chance: random.Random) -> str:
    return base64.urlsafe_b64encode(chance.randbytes(16)).decode().rstrip("=")


def is_prompt(message: FakeMessage) -> bool:
    """A message the bot sends on its own: the "Ik ben er" prompt when check-in opens, or a
    reminder of module 4 that falls due while the attack goes on."""
    return any(data and data.startswith(("chk:here:", "rem:")) for row in message.button_data()
               for data in row)


async def attendance_rows(services: Services) -> list[tuple[int, str]]:
    async with services.database.transaction() as session:
        found = await session.execute(select(Attendance.participant_id, Attendance.session_key))
        return [(pid, key) for pid, key in found]


async def guess_round(
    bot: RunningBot, guesser: SimulatedUser, chance: random.Random, count: int, first: int
) -> Counter[str]:
    """``count`` guesses in three ways: ``/checkin CODE``, the QR link with a made-up token,
    and (every fifth) a code typed after ``/checkin`` asked for it. Sent at once, answered in
    order."""
    avoid = {await code_now(bot.services)}
    sent: list[tuple[str, FakeMessage]] = []
    for number in range(first, first + count):
        way = ("command", "link", "command", "link", "typed")[number % 5]
        if way == "command":
            sent.append((way, await guesser.send(f"/checkin {random_code(chance, avoid)}")))
        elif way == "link":
            sent.append((way, await guesser.send(f"/start checkin_{random_token(chance)}")))
        else:
            sent.append(("ask", await guesser.send("/checkin")))
            sent.append((way, await guesser.send(random_code(chance, avoid).lower())))
    await bot.fake.user(SENTINEL_ID, first_name="Schildwacht").ask("/help", timeout=60)
    replies = [
        m
        for m in guesser.messages()
        if m.message_id > sent[0][1].message_id and not is_prompt(m)
    ]
    # Updates are handled one after another, each with one answer: they pair up in order.
    assert len(replies) == len(sent), [m.content[:60] for m in replies]
    outcomes: Counter[str] = Counter()
    for (way, _), reply in zip(sent, replies, strict=True):
        text = reply.content
        if way == "ask":
            continue
        if CHECKED_IN in text:
            outcomes["checked in"] += 1
        elif WRONG in text or text == WRONG_LINK:
            outcomes["wrong"] += 1
        elif THROTTLED in text:
            outcomes["throttled"] += 1
        else:  # a typed code while paused is not read as a code at all
            assert way == "typed", text
            outcomes["not read"] += 1
    return outcomes


@pytest.fixture
async def sqlite_bot(
    fake: FakeTelegram, tmp_path: Path, frozen_time: time_machine.Coordinates
) -> AsyncIterator[RunningBot]:
    """The bot on SQLite only: 1,000 tries through the chat take a while, and the throttle
    lives in memory (the service test below runs on every database)."""
    async with run_bot(fake, make_settings(fake, tmp_path / "wijkbot.sqlite3")) as running:
        yield running


async def test_a_1000_try_guessing_attack_through_the_chat_is_throttled(
    sqlite_bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    bot = sqlite_bot
    guesser_number = await approve(bot.services, PARTICIPANT_ID)
    await approve(bot.services, BYSTANDER_ID, "Bas Bijstaander")
    guesser = bot.user()
    chance = random.Random(20241212)
    frozen_time.move_to(ATTACK_STARTS)
    total: Counter[str] = Counter()
    for round_number in range(ROUNDS):
        found = await guess_round(
            bot, guesser, chance, TRIES // ROUNDS, round_number * TRIES // ROUNDS
        )
        # Never more than five wrong codes looked at in any ten minutes.
        assert found["wrong"] <= MAX_WRONG
        assert found["throttled"] >= 1
        total += found
        if round_number + 1 < ROUNDS:
            frozen_time.shift(ROUND_GAP)
    assert sum(total.values()) == TRIES
    assert total["checked in"] == 0
    assert total["wrong"] <= MAX_WRONG * ROUNDS
    assert total["throttled"] + total["not read"] >= TRIES - MAX_WRONG * ROUNDS
    assert await attendance_rows(bot.services) == []

    # Someone else is not held up by the guesser: the right code works for them at once.
    bystander = bot.user(BYSTANDER_ID, first_name="Bas")
    done = await bystander.ask(f"/checkin {await code_now(bot.services)}")
    assert CHECKED_IN in done.content
    # The guesser is still paused, even with the right code ...
    paused = await guesser.ask(f"/checkin {await code_now(bot.services)}")
    assert THROTTLED in paused.content
    # ... until the guessing window has passed; then the right code checks them in.
    frozen_time.shift(WINDOW)
    welcome = await guesser.ask(f"/checkin {await code_now(bot.services)}")
    assert CHECKED_IN in welcome.content
    rows = await attendance_rows(bot.services)
    assert (guesser_number, MODULE_4) in rows
    assert len(rows) == 2


def service_settings(database_url: str) -> Settings:
    return Settings(database={"url": database_url})


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    built = build_services(service_settings(database_url))
    await built.database.upgrade()
    yield built
    await built.close()


async def test_1000_guessed_qr_tokens_from_many_accounts_never_check_in(
    services: Services,
) -> None:
    first = 600000
    await bulk_participants(services.database, first, 20, ATTACK_STARTS)
    chance = random.Random(1212)
    now = ATTACK_STARTS
    outcomes: Counter[Outcome] = Counter()
    for attempt in range(TRIES):
        token = random_token(chance)
        result = await services.attendance.check_in(first + attempt % 20, token, Method.LINK, now)
        outcomes[result.outcome] += 1
        now += dt.timedelta(seconds=3)  # 1,000 tries in 50 minutes by 20 accounts
    assert outcomes[Outcome.CHECKED_IN] == outcomes[Outcome.LATE] == 0
    # Five wrong tries per account per ten minutes: 20 accounts x 5 x 5 windows (+ overlap).
    assert outcomes[Outcome.WRONG_CODE] <= 20 * MAX_WRONG * 6
    assert outcomes[Outcome.THROTTLED] >= TRIES - 20 * MAX_WRONG * 6
    assert await attendance_rows(services) == []
    # The right token still works for a participant afterwards, once their pause is over.
    later = now + WINDOW
    codes = await services.attendance.codes(later)
    right = codes.current(MODULE_4, later).token
    result = await services.attendance.check_in(first, right, Method.LINK, later)
    assert result.outcome is Outcome.LATE
