"""``wijkbot schedule``: the upcoming reminders as a table, counted the way they will go out."""

from __future__ import annotations

import asyncio

import pytest
import time_machine
from typer.testing import CliRunner

from bot.cli import app
from bot.config import ReminderKind, Settings
from bot.models import ParticipantStatus
from bot.services.registry import build_services
from tests.conftest import amsterdam
from tests.faketelegram import FakeTelegram
from tests.test_reminders_helpers import add_participant


async def _participants(settings: Settings) -> None:
    services = build_services(settings)
    await services.database.upgrade()
    fake = FakeTelegram()
    sanne = await add_participant(services, fake.user(601), name="Sanne")
    await add_participant(services, fake.user(602), name="Joost")
    await add_participant(services, fake.user(603), status=ParticipantStatus.PENDING)
    await services.reminders.set_preference(sanne, ReminderKind.DAY, False, services.now())
    await services.close()


def test_schedule_lists_when_how_many_and_which_session(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = database_url
    monkeypatch.setenv("WIJKBOT_DATABASE__URL", url)
    with time_machine.travel(amsterdam(2024, 11, 20, 9, 0), tick=False):
        asyncio.run(_participants(Settings(database={"url": url})))
        result = CliRunner().invoke(app, ["schedule"])
        everything = CliRunner().invoke(app, ["schedule", "--all"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Komende herinneringen"
    assert lines[1].split() == ["wanneer", "mensen", "soort", "bijeenkomst"]
    week, day, hours = lines[2], lines[3], lines[4]
    assert week.startswith("do 5 december 2024 10:00")
    assert week.split()[5:7] == ["2", "vooraf"]  # approved only: the applicant is not counted
    assert day.startswith("wo 11 december 2024 18:00")
    assert day.split()[5:8] == ["1", "dag", "Module"]  # Sanne switched the day one off
    assert hours.startswith("do 12 december 2024 11:00")
    assert hours.split()[5:7] == ["2", "kort"]
    assert "Module 4: Data-gedreven wijkvernieuwing" in hours
    assert len(lines) == 2 + 20 + 1
    assert lines[-1] == "… en nog 1 herinnering. Alles tonen: wijkbot schedule --all"
    assert len(everything.output.splitlines()) == 2 + 21
