"""The bot is killed (SIGKILL) in the middle of its work and started again on the same
database: a registration, a reminder round, a broadcast and a burst of check-ins.

Each test runs ``wijkbot run`` as a child process against the fake Telegram on 127.0.0.1
(tests/crash_support.py), kills it at a Bot API call drawn from a seeded random generator
(``CRASH_TEST_SEED`` picks other kill points; the default keeps CI reproducible), starts it
again and checks the database and every chat: nothing lost, nothing twice, nothing stuck.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
from functools import partial
from pathlib import Path

from sqlalchemy import func, select

from bot.models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementState,
    Attendance,
    DeliveryStatus,
    Participant,
    ParticipantStatus,
    PendingInput,
    ReminderDelivery,
)
from bot.services.announcement_types import INTERRUPTED
from bot.services.registry import Services
from scheduling.outbox import WORKERS
from tests.conftest import COORDINATOR_ID, amsterdam
from tests.crash_support import (
    ApiObject,
    BotProcess,
    CrashFake,
    Tripwire,
    bot_process,
    database_services,
    eventually,
    sends,
)
from tests.faketelegram import FakeMessage, SimulatedUser
from tests.people import add_participants
from tests.test_announcements_support import compose, preview, tap

SEED = int(os.environ.get("CRASH_TEST_SEED", "2024"))
PATIENCE = 3.0  # seconds a person waits for an answer before sending again
GIVE_UP = 45.0  # seconds without any answer: the bot is stuck
OFF = {"WIJKBOT_REMINDERS__ENABLED": "false"}


def chance(scenario: str, backend: str) -> random.Random:
    return random.Random(f"{scenario}:{backend}:{SEED}")


async def answers_start(bot: BotProcess) -> None:
    """After everything: the bot still answers a newcomer (nothing stuck)."""
    reply = await bot.fake.user(4242, first_name="Piet").ask("/start", timeout=15)
    assert reply.content.startswith("Hoi Piet!"), reply.content


async def seed_participants(
    services: Services, first: int, count: int, since: dt.datetime
) -> list[int]:
    """Approved participants straight into the database; returns their Telegram ids."""
    ids = list(range(first, first + count))
    await add_participants(services.database, ids, since=since)
    return ids


def received(user: SimulatedUser, marker: str) -> list[FakeMessage]:
    return [m for m in user.messages() if marker in m.content]


def too_many_requests(fake: CrashFake, to: set[int]) -> list[str]:
    """429 answers to sends to these chats: a reminder round keeps under Telegram's
    limits, also across a restart."""
    return [
        f"{call.method} to {call.params.get('chat_id')}"
        for call in fake.calls
        if call.status == 429 and call.params.get("chat_id") in to
    ]


def lost_or_not(rng: random.Random) -> bool:
    return rng.random() < 0.5


# -- 1. a registration ------------------------------------------------------------------------

CONFIRM = "✅ Klopt, aanmelden"
# What Sanne answers to each question (recognised by its text): a button or typed text.
ANSWERS: list[tuple[str, str, bool]] = [  # (question marker, answer, is a button)
    ("Vind je het goed dat ik je antwoorden", "Ja, dat is goed", True),
    ("Wat is je naam?", "Sanne de Vries", True),
    ("Bij wat voor organisatie werk je?", "woningcorporatie", True),
    ("Hoe heet de organisatie", "Lefier", False),
    ("Ben je actief in de", "Ja", True),
    ("Hoeveel jaar relevante", "drie", False),
    ("Wat is je e-mailadres?", "sanne@example.nl", False),
    ("Klopt dit?", CONFIRM, True),
]
DONE = ("Je aanmelding is binnen", "Je hebt je al aangemeld")
REGISTRATION_CALLS = {"sendmessage", "editmessagereplymarkup", "answercallbackquery"}


def registration_call(method: str, params: ApiObject) -> bool:
    return method.lower() in REGISTRATION_CALLS


def next_step(message: FakeMessage) -> tuple[str, bool] | None:
    return next(((a, b) for marker, a, b in ANSWERS if marker in message.content), None)


def finished(message: FakeMessage) -> bool:
    return any(marker in message.content for marker in DONE)


def answers_after(user: SimulatedUser, before: int) -> list[FakeMessage]:
    """The bot's messages after message ``before`` that ask a question or end it all."""
    return [
        m for m in user.messages()
        if m.message_id > before and (next_step(m) is not None or finished(m))
    ]


async def register_like_a_person(user: SimulatedUser) -> None:
    """Answer whatever the bot asks last; without an answer within PATIENCE, send the last
    answer again (tap the same button again; if that button is gone, /aanmelden)."""
    fake = user.fake
    text, tapped = "/aanmelden", None
    silent_since = asyncio.get_running_loop().time()
    while True:
        before = max((m.message_id for m in fake.history(user.chat_id)), default=0)
        if tapped is None:
            await user.send(text)
        elif any(b["text"] == text for b in tapped.inline_buttons()):
            await user.tap(tapped, text)
        else:  # the buttons are gone, and no question came: start again where I was
            await user.send("/aanmelden")
        if not await fake.signal.wait_until(partial(answers_after, user, before), PATIENCE):
            now = asyncio.get_running_loop().time()
            assert now - silent_since < GIVE_UP, (
                f"stuck: no answer to {text!r} for {GIVE_UP}s:\n"
                + fake.format_history(user.chat_id)
            )
            continue  # the same answer again
        silent_since = asyncio.get_running_loop().time()
        latest = answers_after(user, before)[-1]
        step = next_step(latest)
        if finished(latest) or step is None:
            return
        text, is_button = step
        tapped = latest if is_button else None


async def test_a_registration_killed_at_a_random_step_finishes_once(
    tmp_path: Path, database_url: str, database_backend: str
) -> None:
    rng = chance("registration", database_backend)
    fake = CrashFake()
    user = fake.user(100001, first_name="Sanne", last_name="de Vries")
    coordinator = fake.user(COORDINATOR_ID, first_name="Coby")
    async with database_services(fake, database_url):
        pass  # the schema, on a new SQLite file
    wire = Tripwire(registration_call, at=rng.randint(1, 19), lost=lost_or_not(rng))
    async with bot_process(fake, database_url, tmp_path / "bot", **OFF) as bot:
        await bot.start(amsterdam(2024, 12, 10, 9, 0))
        bot.trip(wire)
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(bot.restart_after(wire, amsterdam(2024, 12, 10, 9, 2), 60))
                group.create_task(register_like_a_person(user))
        except* AssertionError as failed:
            raise AssertionError(f"{wire.describe()}\n{bot.output()}") from failed
        again = await user.ask("/aanmelden", timeout=10)
        assert "Je hebt je al aangemeld" in again.content, wire.describe()
        await answers_start(bot)
        # The coordinator finds the application in the list, with the decision buttons.
        listed = await coordinator.ask("/deelnemers", timeout=10)
        assert "Sanne de Vries" in listed.content, wire.describe()
        assert any(str(data).startswith("app:ok:") for row in listed.button_data() for data in row)
    async with (
        database_services(fake, database_url) as services,
        services.database.transaction() as session,
    ):
        rows = list(await session.scalars(select(Participant)))
        drafts = await session.scalar(select(func.count()).select_from(PendingInput))
    assert len(rows) == 1, wire.describe()
    person = rows[0]
    assert (person.telegram_id, person.status) == (user.id, ParticipantStatus.PENDING)
    assert (person.name, person.organisation_type, person.organisation_name) == (
        "Sanne de Vries", "woningcorporatie", "Lefier"
    )
    assert (person.active_in_groningen, person.experience_years, person.email) == (
        True, 3, "sanne@example.nl"
    )
    assert drafts == 0
    # Known gap: a kill between storing the application and telling the coordinators loses
    # that notice (nothing records whether it went out); the list above still shows it.
    notices = received(coordinator, "Nieuwe aanmelding")
    assert len(notices) <= 1, f"{wire.describe()}: {len(notices)} notices to the coordinator"
    assert len(received(user, "Je aanmelding is binnen")) <= 1


# -- 2. a reminder round ----------------------------------------------------------------------

REMINDER = "Morgen: Module 4"  # the "day" reminder for module 4, on 11 December at 18:00
ONLY_THE_DAY_REMINDER = {
    "WIJKBOT_REMINDERS__MODULE": '{"day": {"days_before": 1, "at": "18:00"}}',
    "WIJKBOT_REMINDERS__WERKSESSIE": "{}",
    "WIJKBOT_REMINDERS__INTERVISIE": "{}",
}
# At most this many reminders are left "interrupted" by a kill: the one on its way
# (scheduling/reminders.py claims each row just before its message goes out). Everyone whose
# row was not claimed yet gets the reminder after the restart.
INTERRUPTED_REMINDERS_MAX = 1


async def test_a_reminder_round_killed_halfway_reaches_everyone_once(
    tmp_path: Path, database_url: str, database_backend: str
) -> None:
    rng = chance("reminders", database_backend)
    fake = CrashFake()
    fake.enforce_limits()
    async with database_services(fake, database_url) as services:
        ids = await seed_participants(services, 200001, 60, amsterdam(2024, 12, 1, 9, 0))
    users = [fake.user(telegram_id, first_name=f"D{telegram_id}") for telegram_id in ids]
    wire = Tripwire(sends("rem:yes:module-4"), at=rng.randint(1, 59), lost=lost_or_not(rng))
    async with bot_process(fake, database_url, tmp_path / "bot", **ONLY_THE_DAY_REMINDER) as bot:
        bot.trip(wire)
        # The reminder falls due a moment after the start (or at once on a slow machine).
        await bot.start(dt.datetime(2024, 12, 11, 17, 59, 57, tzinfo=amsterdam(2024, 1, 1).tzinfo))
        # Back a quarter of an hour later: the rest of the round is overdue and goes out now.
        await bot.restart_after(wire, amsterdam(2024, 12, 11, 18, 15), 30)
        async with database_services(fake, database_url) as services:

            async def settled() -> bool:
                async with services.database.transaction() as session:
                    rows = list(await session.scalars(select(ReminderDelivery)))
                return len(rows) == len(ids) and all(r.status != "claimed" for r in rows)

            await eventually(settled, "every reminder settled")
            async with services.database.transaction() as session:
                rows = list(await session.scalars(select(ReminderDelivery)))
                owners = dict(
                    (await session.execute(select(Participant.id, Participant.telegram_id))).all()
                )
        await answers_start(bot)
    status = {owners[r.participant_id]: r.status for r in rows}
    assert {(r.session_key, r.kind) for r in rows} == {("module-4", "day")}
    interrupted = [telegram_id for telegram_id, s in status.items() if s == "interrupted"]
    report = f"{wire.describe()}; interrupted: {len(interrupted)}"
    assert set(status.values()) <= {"sent", "interrupted"}, report
    for user in users:
        got = len(received(user, REMINDER))
        if status[user.id] == "sent":
            assert got == 1, f"{user}: {got} reminders; {report}"
        else:
            assert got <= 1, f"{user}: {got} reminders; {report}"
    assert len(interrupted) <= INTERRUPTED_REMINDERS_MAX, report
    assert not too_many_requests(fake, to=set(ids))


# -- 3. a broadcast ---------------------------------------------------------------------------

ANNOUNCEMENT = "Crashtest: de bijeenkomst van donderdag is in de Oosterpoort."
EVERYONE = "Alle deelnemers (toegelaten)"


def announcement_to_a_participant(method: str, params: ApiObject) -> bool:
    return sends("Crashtest")(method, params) and params.get("chat_id") != COORDINATOR_ID


async def test_a_broadcast_killed_halfway_is_finished_by_the_outbox_once(
    tmp_path: Path, database_url: str, database_backend: str
) -> None:
    rng = chance("broadcast", database_backend)
    fake = CrashFake()
    fake.enforce_limits()
    async with database_services(fake, database_url) as services:
        ids = await seed_participants(services, 300001, 80, amsterdam(2024, 12, 1, 9, 0))
    users = [fake.user(telegram_id, first_name=f"D{telegram_id}") for telegram_id in ids]
    coordinator = fake.user(COORDINATOR_ID, first_name="Coby")
    wire = Tripwire(announcement_to_a_participant, at=rng.randint(1, 79), lost=lost_or_not(rng))
    async with bot_process(fake, database_url, tmp_path / "bot", **OFF) as bot:
        await bot.start(amsterdam(2024, 12, 10, 9, 0))
        question = await compose(coordinator, ANNOUNCEMENT)
        _, control = await preview(coordinator, question, EVERYONE)
        assert "Het gaat naar 80 ontvangers" in control.content
        bot.trip(wire)
        await tap(coordinator, control, "📨 Nu versturen")
        await bot.restart_after(wire, amsterdam(2024, 12, 10, 9, 5), 30)
        # The outbox resumes at start-up; the report turns final when everyone is served.
        await fake.wait_until(
            lambda: bool(received(coordinator, "is verstuurd")), 30, "the final report"
        )
        async with (
            database_services(fake, database_url) as services,
            services.database.transaction() as session,
        ):
            state = await session.scalar(select(Announcement.state))
            rows = list(await session.scalars(select(AnnouncementDelivery)))
        report = received(coordinator, "is verstuurd")[-1]
        await tap(coordinator, report, "📊 Details")
        details = await coordinator.next_message(timeout=10)
        await answers_start(bot)
    assert state == AnnouncementState.SENT
    status = {row.chat_id: (row.status, row.reason) for row in rows}
    interrupted = [c for c, s in status.items() if s == (DeliveryStatus.FAILED, INTERRUPTED)]
    explained = f"{wire.describe()}; interrupted: {len(interrupted)}"
    assert len(rows) == len(ids)
    for user in users:
        got = len(received(user, "Crashtest"))
        if status[user.id][0] == DeliveryStatus.DELIVERED:
            assert got == 1, f"{user}: {got} copies; {explained}"
        else:
            assert status[user.id] == (DeliveryStatus.FAILED, INTERRUPTED), explained
            assert got <= 1, f"{user}: {got} copies; {explained}"
    # Only the messages on their way at the kill (one per sending worker) can be unknown.
    assert len(interrupted) <= WORKERS, explained
    delivered = len(ids) - len(interrupted)
    assert f"{delivered} afgeleverd" in report.content, report.content
    assert f"{len(interrupted)} mislukt" in report.content, report.content
    if interrupted:
        assert "verzending onderbroken door een herstart" in details.content, details.content


# -- 4. a burst of check-ins ------------------------------------------------------------------

CHECKED_IN = "ingecheckt voor"  # "Je bent ingecheckt voor …" and "Je bent al ingecheckt voor …"
CHECKIN_OPEN = amsterdam(2024, 12, 12, 12, 45)  # module 4 starts at 13:00; check-in is open


async def check_in_like_a_person(user: SimulatedUser, code: str) -> None:
    """Send the code; without a confirmation within PATIENCE, send it again."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not received(user, CHECKED_IN):
        await user.send(f"/checkin {code}")
        if await user.fake.signal.wait_until(lambda: bool(received(user, CHECKED_IN)), PATIENCE):
            return
        assert loop.time() - started < GIVE_UP, (
            f"{user} got no confirmation:\n{user.fake.format_history(user.chat_id)}"
        )


async def test_a_burst_of_checkins_killed_halfway_records_each_person_once(
    tmp_path: Path, database_url: str, database_backend: str
) -> None:
    rng = chance("checkin", database_backend)
    fake = CrashFake()
    async with database_services(fake, database_url) as services:
        ids = await seed_participants(services, 400001, 30, amsterdam(2024, 12, 1, 9, 0))
        codes = await services.attendance.codes(CHECKIN_OPEN)  # the secret, made once
        code = codes.code("module-4", codes.slot(CHECKIN_OPEN))
    users = [fake.user(telegram_id, first_name=f"D{telegram_id}") for telegram_id in ids]
    wire = Tripwire(sends(CHECKED_IN), at=rng.randint(1, 29), lost=lost_or_not(rng))
    async with bot_process(fake, database_url, tmp_path / "bot", **OFF) as bot:
        await bot.start(CHECKIN_OPEN)
        bot.trip(wire)
        try:
            async with asyncio.TaskGroup() as group:
                later = CHECKIN_OPEN + dt.timedelta(minutes=1)
                group.create_task(bot.restart_after(wire, later, 60))
                for user in users:
                    group.create_task(check_in_like_a_person(user, code))
        except* AssertionError as failed:
            raise AssertionError(f"{wire.describe()}\n{bot.output()}") from failed
        await answers_start(bot)
    async with (
        database_services(fake, database_url) as services,
        services.database.transaction() as session,
    ):
        query = select(Participant.telegram_id, Attendance.session_key).join(
            Attendance, Attendance.participant_id == Participant.id
        )
        rows = [(telegram_id, key) for telegram_id, key in (await session.execute(query)).all()]
    assert sorted(rows) == [(telegram_id, "module-4") for telegram_id in ids], wire.describe()
    for user in users:
        assert len(received(user, "Je bent ingecheckt voor")) <= 1, wire.describe()
