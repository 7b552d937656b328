"""The check-in service used directly: bursts, double taps, guessing, codes and the secret."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.models import Attendance, CheckinSecret
from bot.services.checkin import Method, Outcome
from bot.services.checkin_codes import (
    ALPHABET,
    CODE_LENGTH,
    TOKEN_LENGTH,
    CheckinCodes,
    GuessLimiter,
    Verdict,
    load_secret,
    looks_like_code,
    normalise_code,
)
from bot.services.registry import Services, build_services
from tests.conftest import amsterdam
from tests.test_attendance_support import EARLY, MODULE_4, bulk_participants

FIRST_USER = 500000


def service_settings(database_url: str, **overrides: object) -> Settings:
    return Settings(database={"url": database_url}, **overrides)  # type: ignore[arg-type]


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    built = build_services(service_settings(database_url))
    await built.database.upgrade()
    yield built
    await built.close()


async def rows(services: Services) -> list[tuple[int, str]]:
    async with services.database.transaction() as session:
        found = await session.execute(select(Attendance.participant_id, Attendance.session_key))
        return [(pid, key) for pid, key in found]


async def right_code(services: Services, now: dt.datetime) -> str:
    codes = await services.attendance.codes(now)
    return codes.code(MODULE_4, codes.slot(now))


async def test_a_burst_of_100_simultaneous_checkins_with_double_taps(services: Services) -> None:
    ids = await bulk_participants(services.database, FIRST_USER, 100, EARLY)
    code = await right_code(services, EARLY)
    attempts = [
        services.attendance.check_in(FIRST_USER + i, code, Method.CODE, EARLY)
        for i in range(100)
        for _ in range(2)  # everyone taps twice
    ]
    results = await asyncio.gather(*attempts)
    outcomes = Counter(r.outcome for r in results)
    assert outcomes == {Outcome.CHECKED_IN: 100, Outcome.ALREADY: 100}
    stored = await rows(services)
    assert len(stored) == len(set(stored)) == 100
    assert {pid for pid, _ in stored} == set(ids)
    assert await services.attendance.checked_in_participant_ids(MODULE_4) == set(ids)
    # Every reply about the earlier check-in names its time.
    assert all(r.at == EARLY for r in results)


async def test_retries_of_one_person_leave_one_row(services: Services) -> None:
    await bulk_participants(services.database, FIRST_USER, 1, EARLY)
    code = await right_code(services, EARLY)
    results = await asyncio.gather(
        *(services.attendance.check_in(FIRST_USER, code, Method.CODE, EARLY) for _ in range(10))
    )
    assert Counter(r.outcome for r in results) == {Outcome.CHECKED_IN: 1, Outcome.ALREADY: 9}
    assert len(await rows(services)) == 1
    later = EARLY + dt.timedelta(minutes=20)
    retry = await services.attendance.check_in(FIRST_USER, code, Method.CODE, later)
    assert retry.outcome is Outcome.ALREADY
    assert retry.at == EARLY


async def test_a_1000_try_guessing_attack_is_throttled_and_never_succeeds(
    services: Services,
) -> None:
    await bulk_participants(services.database, FIRST_USER, 3, EARLY)
    chance = random.Random(20241212)
    outcomes: Counter[Outcome] = Counter()
    now = amsterdam(2024, 12, 12, 12, 30)
    for attempt in range(1000):
        guesser = FIRST_USER + attempt % 3  # three accounts working together
        guess = "".join(chance.choice(ALPHABET) for _ in range(CODE_LENGTH))
        result = await services.attendance.check_in(guesser, guess, Method.CODE, now)
        outcomes[result.outcome] += 1
        now += dt.timedelta(seconds=9)  # 1000 tries spread over 2.5 hours
    assert outcomes[Outcome.CHECKED_IN] == outcomes[Outcome.LATE] == 0
    # 5 wrong codes per person per 10 minutes: 3 people x 5 x 15 windows at most.
    assert outcomes[Outcome.WRONG_CODE] <= 3 * 5 * 16
    assert outcomes[Outcome.THROTTLED] >= 1000 - 3 * 5 * 16
    assert await rows(services) == []


async def test_a_simultaneous_burst_of_guesses_gets_only_five_looked_at(
    services: Services,
) -> None:
    await bulk_participants(services.database, FIRST_USER, 1, EARLY)
    right = await right_code(services, EARLY)
    guesses = [f"{i:06d}".translate(str.maketrans("01", "AB")) for i in range(200)]
    results = await asyncio.gather(
        *(services.attendance.check_in(FIRST_USER, g, Method.CODE, EARLY) for g in guesses
          if g != right)
    )
    outcomes = Counter(r.outcome for r in results)
    assert outcomes[Outcome.WRONG_CODE] == 5
    assert outcomes[Outcome.THROTTLED] == len(results) - 5
    blocked = await services.attendance.check_in(FIRST_USER, right, Method.CODE, EARLY)
    assert blocked.outcome is Outcome.THROTTLED


def test_codes_are_short_unambiguous_tied_to_the_session_and_rotate() -> None:
    codes = CheckinCodes(b"s" * 32, dt.timedelta(minutes=5), dt.timedelta(seconds=120))
    now = amsterdam(2024, 12, 12, 13, 2)
    slot = codes.slot(now)
    code = codes.code(MODULE_4, slot)
    assert len(code) == CODE_LENGTH
    assert set(code) <= set(ALPHABET)
    assert not set(code) & set("01OI")
    assert codes.code("module-5", slot) != code
    assert codes.code(MODULE_4, slot + 1) != code
    assert CheckinCodes(b"t" * 32, dt.timedelta(minutes=5), dt.timedelta(0)).code(
        MODULE_4, slot
    ) != code
    token = codes.token(MODULE_4, slot)
    assert len(token) == TOKEN_LENGTH
    assert len(f"checkin_{token}") <= 64
    opened = amsterdam(2024, 12, 12, 12, 30)
    assert codes.check_code(code.lower(), MODULE_4, opened, now) is Verdict.VALID
    assert codes.check_code(f"{code[:3]}-{code[3:]}", MODULE_4, opened, now) is Verdict.VALID
    assert codes.check_code(code, "module-5", opened, now) is Verdict.WRONG
    assert codes.check_token(token, MODULE_4, opened, now) is Verdict.VALID
    assert codes.check_token(code, MODULE_4, opened, now) is Verdict.WRONG
    # The previous code is accepted for two minutes after the change, then expired.
    changed = codes.slot_start(slot + 1)
    assert codes.check_code(code, MODULE_4, opened, changed + dt.timedelta(seconds=119)) is (
        Verdict.VALID
    )
    assert codes.check_code(code, MODULE_4, opened, changed + dt.timedelta(seconds=120)) is (
        Verdict.EXPIRED
    )
    assert normalise_code(" k7m 4qp ") == "K7M4QP"
    assert looks_like_code("k7m-4qp")
    assert not looks_like_code("Waar is de zaal vandaag?")


def test_the_guess_limiter_forgets_after_its_window() -> None:
    limiter = GuessLimiter(2, dt.timedelta(minutes=10))
    now = amsterdam(2024, 12, 12, 13, 0)
    limiter.record_wrong(1, now)
    assert limiter.blocked_until(1, now) is None
    limiter.record_wrong(1, now + dt.timedelta(minutes=3))
    assert limiter.blocked_until(1, now + dt.timedelta(minutes=4)) == now + dt.timedelta(
        minutes=10
    )
    assert limiter.tries_left(2, now) == 2
    assert limiter.blocked_until(1, now + dt.timedelta(minutes=10)) is None


async def test_the_secret_is_generated_once_and_kept(
    services: Services, database_url: str
) -> None:
    now = amsterdam(2024, 12, 10, 9, 0)
    secrets = await asyncio.gather(*(load_secret(services.database, None, now) for _ in range(5)))
    assert len(set(secrets)) == 1
    assert len(secrets[0]) == 32
    async with services.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(CheckinSecret)) == 1
    again = build_services(service_settings(database_url))
    try:
        code = (await again.attendance.codes(now)).code(MODULE_4, 1)
        assert code == (await services.attendance.codes(now)).code(MODULE_4, 1)
    finally:
        await again.close()


async def test_a_configured_secret_is_used_instead(database_url: str) -> None:
    now = amsterdam(2024, 12, 10, 9, 0)
    configured = build_services(
        service_settings(database_url, attendance={"secret": "een-geheim-van-de-coordinator"})
    )
    await configured.database.upgrade()
    try:
        codes = await configured.attendance.codes(now)
        expected = CheckinCodes(b"een-geheim-van-de-coordinator", dt.timedelta(minutes=5),
                                dt.timedelta(seconds=120))
        assert codes.code(MODULE_4, 7) == expected.code(MODULE_4, 7)
        async with configured.database.transaction() as session:
            assert await session.scalar(select(func.count()).select_from(CheckinSecret)) == 0
    finally:
        await configured.close()


def test_a_short_configured_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="secret"):
        Settings(attendance={"secret": "kort"})  # type: ignore[arg-type]
