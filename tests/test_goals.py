"""/leerdoelen through the fake Telegram: writing, editing, progress and deleting goals; the
question before an intervisie meeting (once, also across restarts) and the look back after
the last module; sharing only with one's own intervisiegroep; privacy."""

from __future__ import annotations

import time_machine

from bot.config import Settings
from bot.programme import SessionKind
from scheduling.goal_jobs import send_due
from tests.conftest import COORDINATOR_ID, PARTICIPANT_ID, RunningBot, amsterdam, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser
from tests.test_announcements_support import replay, tap, tap_and_wait
from tests.test_attendance_support import approve

GOAL_1 = "Beter luisteren naar bewoners die het niet met me eens zijn"
GOAL_2 = "Een netwerk opbouwen in Selwerd"
INTERVISIE_START = amsterdam(2024, 12, 17, 15, 0)
DAY_BEFORE = amsterdam(2024, 12, 16, 18, 0)


async def with_goals(bot: RunningBot, user: SimulatedUser, *goals: str) -> FakeMessage:
    """The user writes these goals through /leerdoelen; returns the last overview."""
    overview = await user.ask("/leerdoelen")
    for goal in goals:
        await tap(user, overview, "➕ Leerdoel toevoegen")
        assert "Typ je leerdoel" in (await user.next_message()).content
        assert "staat erin" in (await user.ask(goal)).content
        overview = await user.next_message()
    return overview


async def intervisie(bot: RunningBot) -> str:
    added = await bot.services.sessions.add(
        SessionKind.INTERVISIE, INTERVISIE_START, INTERVISIE_START.replace(hour=17),
        location=None, title=None, by=COORDINATOR_ID, now=bot.services.now(),
    )
    return added.key


async def test_a_participant_writes_edits_notes_and_deletes_goals(bot: RunningBot) -> None:
    await approve(bot.services, PARTICIPANT_ID)
    sanne = bot.user()
    first = await sanne.ask("/leerdoelen")
    assert "nog geen leerdoelen" in first.content
    assert "Alleen jij ziet je leerdoelen" in first.content
    overview = await with_goals(bot, sanne, GOAL_1, GOAL_2, "Derde doel")
    assert f"1. {GOAL_1}" in overview.content
    assert "➕ Leerdoel toevoegen" not in str(overview.buttons())  # three is the most
    assert overview.buttons()[0] == ["✏️ 1 wijzigen", "📝 Voortgang 1", "🗑 1"]

    await tap(sanne, overview, "✏️ 2 wijzigen")
    assert GOAL_2 in (await sanne.next_message()).content
    assert "te lang" in (await sanne.ask("x" * 501)).content  # the step stays open
    assert "bijgewerkt" in (await sanne.ask("Een netwerk in Paddepoel")).content
    overview = await sanne.next_message()
    assert "2. Een netwerk in Paddepoel" in overview.content
    await tap(sanne, overview, "📝 Voortgang 1")
    await sanne.next_message()
    assert "Genoteerd" in (await sanne.ask("Twee gesprekken gevoerd zonder te onderbreken")).content
    await tap(sanne, overview, "🗑 1")
    assert "verwijderen?" in overview.content
    await tap_and_wait(sanne, overview, "🗑 Ja, verwijderen")
    shown = (await sanne.ask("/leerdoelen")).content
    assert GOAL_1 not in shown
    assert "Twee gesprekken" not in shown  # its progress went with it
    assert "1. Een netwerk in Paddepoel" in shown
    # Text after a finished step is a question again, not a goal.
    assert "staat erin" not in (await sanne.ask("Wanneer is module 5?")).content


async def test_someone_elses_goal_cannot_be_touched_and_strangers_have_none(
    bot: RunningBot,
) -> None:
    await approve(bot.services, PARTICIPANT_ID)
    await approve(bot.services, PARTICIPANT_ID + 1, "Piet Jansen")
    sanne, piet = bot.user(), bot.user(PARTICIPANT_ID + 1, "Piet")
    overview = await with_goals(bot, sanne, GOAL_1)
    goal_id = (await bot.services.goals.mine(PARTICIPANT_ID)).goals[0].id
    for data in (f"goal:edit:{goal_id}", f"goal:delok:{goal_id}", f"goal:note:{goal_id}"):
        answer = await replay(piet, overview, data)
        assert "bestaat niet meer" in answer["text"]
    await piet.expect_no_message()
    assert (await bot.services.goals.mine(PARTICIPANT_ID)).goals[0].text == GOAL_1
    stranger = await bot.user(700111, "Ina").ask("/leerdoelen")
    assert "voor toegelaten deelnemers" in stranger.content


async def test_the_question_before_intervisie_comes_once_and_the_answer_is_kept(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as bot:
        await approve(bot.services, PARTICIPANT_ID)
        await approve(bot.services, PARTICIPANT_ID + 1, "Piet Jansen")
        sanne, piet = bot.user(), bot.user(PARTICIPANT_ID + 1, "Piet")
        await piet.ask("/start")
        await with_goals(bot, sanne, GOAL_1)
        key = await intervisie(bot)
        frozen_time.move_to(DAY_BEFORE.replace(minute=0, hour=17))
        assert await send_due(bot.application) == 0
        frozen_time.move_to(DAY_BEFORE)
        assert await send_due(bot.application) == 2
        asked = await sanne.next_message()
        assert "Intervisiebijeenkomst 1 is op di 17 december 2024 om 15:00" in asked.content
        assert f"1. {GOAL_1}" in asked.content
        assert "nog geen leerdoelen" in (await piet.next_message()).content
    async with run_bot(fake, settings) as bot:  # a restart sends nothing again
        assert await send_due(bot.application) == 0
        sanne = bot.user()
        await fake.settle()  # (the reminders of the new meeting may come; the question not)
        assert not [m for m in sanne.unread() if "Wat wil je bespreken" in m.content]
        for _ in sanne.unread():
            await sanne.next_message()
        await tap(sanne, asked, "✍️ Antwoord typen")
        assert "Wat wil je bespreken bij Intervisiebijeenkomst 1" in (
            await sanne.next_message()).content
        assert "Genoteerd" in (await sanne.ask("Hoe ik omga met boze bewoners")).content
        shown = (await sanne.ask("/leerdoelen")).content
        assert "Intervisiebijeenkomst 1 (ma 16 december 2024): Hoe ik omga met boze bewoners" in (
            shown)
        forged = await replay(sanne, asked, "goal:say:module-4")  # never asked about it
        assert "niet (meer) open" in forged["text"]
        stranger = await replay(bot.user(PARTICIPANT_ID + 2, "Ina"), asked, f"goal:say:{key}")
        assert "voor toegelaten deelnemers" in stranger["text"]


async def test_after_the_last_module_a_look_back(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await approve(bot.services, PARTICIPANT_ID)
    sanne = bot.user()
    await with_goals(bot, sanne, GOAL_1)
    frozen_time.move_to(amsterdam(2025, 6, 20, 9, 59))
    assert await send_due(bot.application) == 0
    frozen_time.move_to(amsterdam(2025, 6, 20, 10, 0))
    assert await send_due(bot.application) == 1
    look = await sanne.next_message()
    assert "De leergang zit erop" in look.content
    assert GOAL_1 in look.content
    await tap(sanne, look, "✍️ Antwoord typen")
    await sanne.next_message()
    await sanne.ask("Ik luister nu echt beter")
    assert "Terugblik" in (await sanne.ask("/leerdoelen")).content


async def test_goals_are_shared_only_with_the_own_intervisiegroep_and_forgotten(
    bot: RunningBot,
) -> None:
    from bot.services.groups import GroupKind

    sanne_id = await approve(bot.services, PARTICIPANT_ID)
    piet_id = await approve(bot.services, PARTICIPANT_ID + 1, "Piet Jansen")
    ina_id = await approve(bot.services, PARTICIPANT_ID + 2, "Ina Smit")
    groups, now = bot.services.groups, bot.services.now()
    ours = await groups.create(GroupKind.INTERVISIE, "Zilverreigers", now)
    theirs = await groups.create(GroupKind.INTERVISIE, "Kieviten", now)
    await groups.toggle(ours.id, sanne_id, now)
    await groups.toggle(ours.id, piet_id, now)
    await groups.toggle(theirs.id, ina_id, now)
    sanne = bot.user()
    overview = await with_goals(bot, sanne, GOAL_1)
    piet = bot.user(PARTICIPANT_ID + 1, "Piet")
    assert GOAL_1 not in (await piet.ask("/buddies")).content  # private by default
    await tap_and_wait(sanne, overview, "👥 Delen met mijn intervisiegroep")
    assert "Je intervisiegroep ziet je leerdoelen" in overview.content
    assert GOAL_1 in (await piet.ask("/buddies")).content
    assert GOAL_1 not in (await bot.user(PARTICIPANT_ID + 2, "Ina").ask("/buddies")).content
    assert GOAL_1 not in (await bot.coordinator.ask("/groepen")).content
    mine = await sanne.ask("/mijngegevens")
    assert GOAL_1 in mine.content
    assert "Gedeeld met je intervisiegroep" in mine.content
    confirm = await sanne.ask("/vergeetmij")
    await tap(sanne, confirm, "Ja, wis mijn gegevens")
    await sanne.next_message()
    assert GOAL_1 not in (await piet.ask("/buddies")).content


def test_a_long_history_shows_the_newest_notes_and_counts_the_rest() -> None:
    import datetime as dt

    from bot.services.goals import Goal, MyGoals, Note, NoteKind
    from bot.views.goals import overview

    moment = amsterdam(2025, 1, 6, 0, 30)  # just after midnight: still 6 January here
    notes = tuple(Note(NoteKind.PROGRESS, f"Stap {n}", moment + dt.timedelta(days=n), None)
                  for n in range(5))
    text, _ = overview(MyGoals(1, (Goal(1, 1, GOAL_1, notes),), False, ()), {})
    assert "… 2 eerdere notities" in text
    assert "Stap 0" not in text
    assert "📝 wo 8 januari 2025: Stap 2" in text
    assert "Stap 4" in text
