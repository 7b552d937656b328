"""Each audience of /bericht reaches exactly its people (attendance through a stub)."""

from __future__ import annotations

import pytest
import time_machine

from bot.models import ParticipantStatus
from tests.conftest import RunningBot, amsterdam
from tests.test_announcements_support import (
    add_people,
    announcement_messages,
    compose,
    participant_id,
    preview,
    tap,
    tap_and_wait,
)

SEND = "📨 Nu versturen"


async def send_to(bot: RunningBot, text: str, *buttons: str) -> str:
    """Write ``text``, tap the audience buttons, send; returns the preview's count line."""
    coordinator = bot.coordinator
    question = await compose(coordinator, text)
    for button in buttons[:-1]:
        await tap_and_wait(coordinator, question, button)
    _, control = await preview(coordinator, question, buttons[-1])
    count_line = control.content
    await tap(coordinator, control, SEND)
    await bot.fake.wait_until(lambda: "is verstuurd" in control.content, what="the report")
    return count_line


def got(bot: RunningBot, ids: list[int], marker: str) -> list[int]:
    return [i for i in ids if announcement_messages(bot.fake.user(i), marker)]


async def stub_check_ins(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, present: dict[str, set[int]]
) -> list[str]:
    asked: list[str] = []

    async def checked_in(session_key: str) -> set[int]:
        asked.append(session_key)
        return present.get(session_key, set())

    monkeypatch.setattr(bot.services.attendance, "checked_in_participant_ids", checked_in)
    return asked


async def test_everyone_and_applicants(bot: RunningBot) -> None:
    approved = await add_people(bot, 2)
    pending = await add_people(bot, 2, status=ParticipantStatus.PENDING, first=300001)
    rejected = await add_people(bot, 1, status=ParticipantStatus.REJECTED, first=400001)
    line = await send_to(bot, "Voor iedereen", "Alle deelnemers (toegelaten)")
    assert "2 ontvangers" in line
    assert got(bot, approved + pending + rejected, "Voor iedereen") == approved
    line = await send_to(bot, "Voor aanmelders", "Aanmelders (nog niet beoordeeld)")
    assert "2 ontvangers: Aanmelders (nog niet beoordeeld)" in line
    assert got(bot, approved + pending + rejected, "Voor aanmelders") == pending


async def test_one_group(bot: RunningBot) -> None:
    ids = await add_people(bot, 3, names=["Anna", "Bram", "Cor"])
    people = [await participant_id(bot, i) for i in ids]
    now = bot.services.now()
    from bot.services.groups import GroupKind

    noord = await bot.services.groups.create(GroupKind.INTERVISIE, "Noord", now)
    await bot.services.groups.create(GroupKind.EINDOPDRACHT, "Case Selwerd", now)
    await bot.services.groups.toggle(noord.id, people[0], now)
    await bot.services.groups.toggle(noord.id, people[2], now)
    line = await send_to(bot, "Voor Noord", "Een groep…", "Intervisiegroep Noord (2)")
    assert "2 ontvangers: Intervisiegroep Noord" in line
    assert got(bot, ids, "Voor Noord") == [ids[0], ids[2]]


async def test_absent_at_the_last_session(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = await add_people(bot, 3)
    people = [await participant_id(bot, i) for i in ids]
    asked = await stub_check_ins(bot, monkeypatch, {"module-3": {people[1]}})
    line = await send_to(bot, "Gemist?", "Afwezig bij de vorige bijeenkomst")
    # Tuesday 10 December: the last session that ended is module 3 (14 November).
    assert asked[-1] == "module-3"
    assert "2 ontvangers: Afwezig bij de vorige bijeenkomst (Module 3: Gemeenschap" in line
    assert got(bot, ids, "Gemist?") == [ids[0], ids[2]]


async def test_not_yet_checked_in_today(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, frozen_time: time_machine.Coordinates
) -> None:
    ids = await add_people(bot, 3)
    people = [await participant_id(bot, i) for i in ids]
    await stub_check_ins(bot, monkeypatch, {"module-4": {people[0], people[2]}})
    coordinator = bot.coordinator
    question = await compose(coordinator, "Waar blijf je?")
    answer = await tap(coordinator, question, "Vandaag nog niet ingecheckt")
    assert "geen bijeenkomst begonnen" in answer["text"]
    assert answer["show_alert"] is True
    await tap(coordinator, question, "❌ Annuleren")
    frozen_time.move_to(amsterdam(2024, 12, 12, 13, 20))  # module 4 started at 13:00
    line = await send_to(bot, "Waar blijf je?", "Vandaag nog niet ingecheckt")
    assert "1 ontvanger: Vandaag nog niet ingecheckt (Module 4" in line
    assert got(bot, ids, "Waar blijf je?") == [ids[1]]


async def test_nobody_in_the_audience_offers_no_send_button(bot: RunningBot) -> None:
    await add_people(bot, 1)
    coordinator = bot.coordinator
    question = await compose(coordinator, "Voor aanmelders")
    _, control = await preview(coordinator, question, "Aanmelders (nog niet beoordeeld)")
    assert "niemand in deze doelgroep" in control.content
    assert [row[0] for row in control.buttons()] == ["👥 Andere doelgroep", "❌ Annuleren"]
    await tap(coordinator, control, "👥 Andere doelgroep")
    await bot.fake.wait_until(lambda: "Wie krijgt dit bericht?" in control.content)
    _, control = await preview(coordinator, control, "Alle deelnemers (toegelaten)")
    assert "1 ontvanger:" in control.content


async def test_no_groups_yet_points_to_groepen(bot: RunningBot) -> None:
    coordinator = bot.coordinator
    question = await compose(coordinator, "Voor een groep")
    answer = await tap(coordinator, question, "Een groep…")
    assert "/groepen" in answer["text"]
