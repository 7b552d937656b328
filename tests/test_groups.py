"""/groepen: create, rename and fill intervisiegroepen and eindopdracht-groepjes."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.database import Database
from bot.models import ParticipantStatus
from bot.services.groups import GroupError, GroupKind, GroupProblem, GroupService
from tests.conftest import RunningBot
from tests.people import add_participants
from tests.test_announcements_support import add_people, replay, tap, tap_and_wait

NOW = dt.datetime(2024, 12, 10, 9, 0, tzinfo=dt.UTC)


async def test_make_fill_rename_and_move_people_between_groups(bot: RunningBot) -> None:
    await add_people(bot, 3, names=["Anna", "Bram & Co", "Cor"])
    await add_people(bot, 1, status=ParticipantStatus.PENDING, first=300001, names=["Dirk"])
    coordinator = bot.coordinator
    overview = await coordinator.ask("/groepen")
    assert "Intervisiegroepen\nnog geen" in overview.content
    assert overview.buttons() == [["➕ Nieuwe intervisiegroep"], ["➕ Nieuw eindopdracht-groepje"]]
    await tap(coordinator, overview, "➕ Nieuwe intervisiegroep")
    asked = await coordinator.next_message()
    assert "Hoe heet de nieuwe Intervisiegroep?" in asked.content
    page = await coordinator.ask("Noord")
    assert "Intervisiegroep Noord (0)" in page.content
    # Approved participants only; names in buttons are plain text.
    assert [row[0] for row in page.buttons()[:3]] == ["▫️ Anna", "▫️ Bram & Co", "▫️ Cor"]
    await tap_and_wait(coordinator, page, "▫️ Anna")
    await tap_and_wait(coordinator, page, "▫️ Bram & Co")
    assert "Leden: Anna, Bram & Co" in page.content
    assert [row[0] for row in page.buttons()[:3]] == ["✅ Anna", "✅ Bram & Co", "▫️ Cor"]
    # A second intervisiegroep: Bram moves there.
    await tap_and_wait(coordinator, page, "⬅️ Alle groepen")
    await tap(coordinator, page, "➕ Nieuwe intervisiegroep")
    await coordinator.next_message()
    duplicate = await coordinator.ask("noord")
    assert "Er is al een groep van deze soort met die naam." in duplicate.content
    zuid = await coordinator.ask("Zuid")
    assert "▫️ Bram & Co (nu in Noord)" in [row[0] for row in zuid.buttons()]
    await tap_and_wait(coordinator, zuid, "▫️ Bram & Co (nu in Noord)")
    assert "Intervisiegroep Zuid (1)" in zuid.content
    # An eindopdracht-groepje is another kind: Anna can be in one of each.
    await tap_and_wait(coordinator, zuid, "⬅️ Alle groepen")
    await tap(coordinator, zuid, "➕ Nieuw eindopdracht-groepje")
    await coordinator.next_message()
    case = await coordinator.ask("Case Selwerd")
    await tap_and_wait(coordinator, case, "▫️ Anna")
    assert "Eindopdracht-groepje Case Selwerd (1)" in case.content
    await tap(coordinator, case, "✏️ Naam wijzigen")
    await coordinator.next_message()
    renamed = await coordinator.ask("Case Paddepoel")
    assert "Eindopdracht-groepje Case Paddepoel (1)" in renamed.content
    overview = await coordinator.ask("/groepen")
    assert "Noord</b> (1): Anna" in (overview.html or "")
    assert "Zuid</b> (1): Bram &amp; Co" in (overview.html or "")
    assert "Case Paddepoel</b> (1): Anna" in (overview.html or "")


async def test_groups_are_for_coordinators_only(bot: RunningBot) -> None:
    ids = await add_people(bot, 1)
    participant = bot.fake.user(ids[0])
    refused = await participant.ask("/groepen")
    assert "ken ik niet" in refused.content
    answer = await replay(participant, refused, "grp:new:intervisie")
    assert answer["text"] == "Deze knop werkt niet meer. Stuur het commando opnieuw."
    assert await bot.services.groups.all() == []


async def test_a_bad_name_is_explained_and_asked_again(bot: RunningBot) -> None:
    coordinator = bot.coordinator
    overview = await coordinator.ask("/groepen")
    await tap(coordinator, overview, "➕ Nieuw eindopdracht-groepje")
    await coordinator.next_message()
    too_long = await coordinator.ask("x" * 41)
    assert "te lang: hoogstens 40 tekens" in too_long.content
    symbols = await coordinator.ask("🎨🎨")
    assert "Gebruik letters of cijfers" in symbols.content
    stopped = await coordinator.ask("/annuleren")
    assert "Gestopt" in stopped.content
    assert await bot.services.groups.all() == []


# -- the service on its own -------------------------------------------------------------------


async def person(database: Database, name: str, status: str = "approved") -> int:
    [number] = await add_participants(
        database, [None], names=[name], status=ParticipantStatus(status), since=NOW
    )
    return number


async def test_one_group_of_each_kind_per_participant(database: Database) -> None:
    service = GroupService(database)
    anna = await person(database, "Anna")
    noord = await service.create(GroupKind.INTERVISIE, "  Noord   Oost ", NOW)
    assert noord.name == "Noord Oost"
    zuid = await service.create(GroupKind.INTERVISIE, "Zuid", NOW)
    case = await service.create(GroupKind.EINDOPDRACHT, "Noord Oost", NOW)  # other kind: fine
    assert await service.toggle(noord.id, anna, NOW) is True
    assert await service.toggle(zuid.id, anna, NOW) is True
    assert await service.toggle(case.id, anna, NOW) is True
    assert await service.member_ids(noord.id) == set()
    assert await service.member_ids(zuid.id) == {anna}
    assert await service.member_ids(case.id) == {anna}
    assert await service.toggle(zuid.id, anna, NOW) is False
    assert await service.member_ids(zuid.id) == set()


async def test_names_and_people_that_cannot_be_used(database: Database) -> None:
    service = GroupService(database)
    pending = await person(database, "Piet", status="pending")
    group = await service.create(GroupKind.INTERVISIE, "Noord", NOW)
    for name, problem in (
        ("", GroupProblem.EMPTY),
        ("a" * 41, GroupProblem.TOO_LONG),
        ("!!!", GroupProblem.CHARACTERS),
        ("NOORD", GroupProblem.DUPLICATE),
    ):
        with pytest.raises(GroupError) as caught:
            await service.create(GroupKind.INTERVISIE, name, NOW)
        assert caught.value.problem is problem
    with pytest.raises(GroupError):
        await service.toggle(group.id, pending, NOW)
    with pytest.raises(GroupError):
        await service.rename(group.id + 10, "Elders", NOW)
    assert (await service.rename(group.id, "Noord", NOW)).name == "Noord"  # its own name


async def test_names_differing_only_in_case_are_the_same_group_also_beyond_ascii(
    database: Database,
) -> None:
    service = GroupService(database)
    await service.create(GroupKind.EINDOPDRACHT, "Één Wijk", NOW)
    with pytest.raises(GroupError) as caught:
        await service.create(GroupKind.EINDOPDRACHT, "één wijk", NOW)
    assert caught.value.problem is GroupProblem.DUPLICATE
    other = await service.create(GroupKind.EINDOPDRACHT, "Twee Wijk", NOW)
    with pytest.raises(GroupError):
        await service.rename(other.id, "ÉÉN WIJK", NOW)
