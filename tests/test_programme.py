"""The bundled programme matches the brochure; broken programme files are explained in full."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.programme import (
    ProgrammeError,
    SessionKind,
    load_programme,
    parse_programme,
    read_programme_file,
)

AMS = ZoneInfo("Europe/Amsterdam")
BROCHURE_DATES = [
    dt.date(2024, 9, 19),
    dt.date(2024, 10, 17),
    dt.date(2024, 11, 14),
    dt.date(2024, 12, 12),
    dt.date(2025, 1, 23),
    dt.date(2025, 2, 27),
    dt.date(2025, 3, 20),
    dt.date(2025, 4, 17),
    dt.date(2025, 5, 22),
    dt.date(2025, 6, 19),
]


def bundled_text() -> str:
    return read_programme_file(None)[1]


def test_bundled_programme_has_the_brochures_ten_thursday_modules() -> None:
    programme = load_programme(None, AMS)
    modules = programme.modules
    assert [m.number for m in modules] == list(range(1, 11))
    assert [m.starts_at.date() for m in modules] == BROCHURE_DATES
    assert all(m.starts_at.weekday() == 3 for m in modules)
    assert all((m.starts_at.hour, m.starts_at.minute) == (13, 0) for m in modules)
    assert all((m.ends_at.hour, m.ends_at.minute) == (19, 30) for m in modules)
    assert modules[3].title == "Data-gedreven wijkvernieuwing: Van Analyse tot Actie"
    assert modules[9].title == "Eindpresentaties"


def test_bundled_programme_states_the_course_facts_and_invents_none() -> None:
    data = load_programme(None, AMS).data
    assert (data.course.start_date, data.course.end_date) == (
        dt.date(2024, 9, 19),
        dt.date(2025, 6, 19),
    )
    assert data.attendance.mandatory
    assert (data.workload.own_time_hours_min, data.workload.own_time_hours_max) == (10, 15)
    assert data.werksessies.duration_minutes == 150
    assert data.intervisie.meetings == 4
    assert (data.final_assignment.group_size_min, data.final_assignment.group_size_max) == (3, 4)
    assert data.werksessies.sessions == []
    assert data.intervisie.sessions == []
    assert all(m.location is None for m in data.modules.list)
    assert "prijs" not in bundled_text().lower()
    assert "€" not in bundled_text()


def test_module_times_are_amsterdam_wall_clock_on_both_sides_of_the_clock_change() -> None:
    programme = load_programme(None, AMS)
    october, november = programme.module(2), programme.module(3)
    assert october is not None
    assert november is not None
    assert october.starts_at.utcoffset() == dt.timedelta(hours=2)
    assert november.starts_at.utcoffset() == dt.timedelta(hours=1)
    assert november.starts_at.astimezone(dt.UTC).hour == 12


def test_next_session_is_the_running_or_upcoming_one() -> None:
    programme = load_programme(None, AMS)
    during = dt.datetime(2024, 12, 12, 15, 0, tzinfo=AMS)
    after = dt.datetime(2024, 12, 12, 19, 30, tzinfo=AMS)
    assert programme.next_session(during) == programme.module(4)
    assert programme.next_session(after) == programme.module(5)
    assert programme.next_session(dt.datetime(2025, 6, 20, tzinfo=AMS)) is None
    assert programme.is_finished(dt.datetime(2025, 6, 20, tzinfo=AMS))


def test_werksessies_take_the_brochures_two_and_a_half_hours() -> None:
    text = bundled_text().replace(
        "duration_minutes = 150\nsessions = []",
        "duration_minutes = 150\nsessions = [{ date = 2024-10-03, start = 15:00:00 }]",
    )
    programme = parse_programme(text, "test", AMS)
    werksessie = programme.session("werksessie-2024-10-03")
    assert werksessie is not None
    assert werksessie.kind is SessionKind.WERKSESSIE
    assert werksessie.ends_at - werksessie.starts_at == dt.timedelta(hours=2, minutes=30)


def _with_werksessies(*entries: str) -> str:
    return bundled_text().replace(
        "duration_minutes = 150\nsessions = []",
        "duration_minutes = 150\nsessions = [" + ", ".join(entries) + "]",
    )


def test_an_earlier_werksessie_added_to_the_file_leaves_the_others_keys_alone() -> None:
    # Afmeldingen, reminders and attendance point to the key: it must not move to another
    # meeting when the coordinator adds one before it.
    october = "{ date = 2024-10-03, start = 15:00:00 }"
    fixed = '{ key = "kick-off", date = 2024-11-07, start = 15:00:00 }'
    before = parse_programme(_with_werksessies(october, fixed), "test", AMS)
    after = parse_programme(
        _with_werksessies("{ date = 2024-09-26, start = 15:00:00 }", october, fixed), "test", AMS
    )
    assert [s.key for s in before.sessions if s.kind is SessionKind.WERKSESSIE] == [
        "werksessie-2024-10-03", "werksessie-kick-off"
    ]
    old = {s.key: s.starts_at for s in before.sessions}
    new = {s.key: s.starts_at for s in after.sessions}
    assert all(new[key] == starts for key, starts in old.items())
    assert new["werksessie-2024-09-26"] == dt.datetime(2024, 9, 26, 15, tzinfo=AMS)


def test_two_werksessies_on_one_day_need_their_own_keys() -> None:
    afternoon = "{ date = 2024-10-03, start = 13:00:00 }"
    evening = "{ date = 2024-10-03, start = 16:00:00 }"
    with pytest.raises(ProgrammeError) as raised:
        parse_programme(_with_werksessies(afternoon, evening), "test", AMS)
    assert [p.code for p in raised.value.problems] == ["duplicate_key"]
    keyed = '{ key = "avond", date = 2024-10-03, start = 16:00:00 }'
    programme = parse_programme(_with_werksessies(afternoon, keyed), "test", AMS)
    assert programme.session("werksessie-avond") is not None


def test_a_key_with_spaces_or_capitals_is_refused_with_an_example() -> None:
    with pytest.raises(ProgrammeError) as raised:
        parse_programme(
            _with_werksessies('{ key = "Week 1", date = 2024-10-03, start = 13:00:00 }'),
            "test", AMS,
        )
    assert [p.code for p in raised.value.problems] == ["invalid_key"]


BROKEN_PROGRAMME_EDITS = [
    ("date = 2024-12-12", "date = 2024-12-13"),  # module 4 on a Friday
    ("number = 6\n", "number = 5\n"),  # duplicate number
    ("end = 19:30:00", "end = 12:00:00"),  # end before start
    ("title = \"Ga er maar staan!\"", "title = \"Ga er maar staan!\"\nroom = \"zaal 1\""),
    ("date = 2025-01-23", "date = 2024-12-01"),  # module 5 before module 4
]


def broken_programme() -> str:
    text = bundled_text()
    for old, new in BROKEN_PROGRAMME_EDITS:
        assert old in text
        text = text.replace(old, new, 1)
    return text


def test_every_problem_in_a_broken_file_is_reported_at_once() -> None:
    with pytest.raises(ProgrammeError) as caught:
        parse_programme(broken_programme(), "kapot.toml", AMS)
    codes = {p.code for p in caught.value.problems}
    # An unknown key stops the cross-checks (the file did not parse into a programme),
    # so check that one separately.
    assert codes == {"unknown_key"}
    text = broken_programme().replace('\nroom = "zaal 1"', "")
    with pytest.raises(ProgrammeError) as caught:
        parse_programme(text, "kapot.toml", AMS)
    codes = {p.code for p in caught.value.problems}
    assert {"wrong_weekday", "duplicate_number", "end_before_start", "out_of_order"} <= codes


def test_programme_check_command_prints_plain_dutch_problems_and_fails(tmp_path: Path) -> None:
    broken = tmp_path / "volgend-jaar.toml"
    broken.write_text(broken_programme().replace('\nroom = "zaal 1"', ""), encoding="utf-8")
    result = CliRunner().invoke(app, ["programme", "check", str(broken)])
    assert result.exit_code == 1
    assert "problemen gevonden" in result.output
    assert "een vrijdag, maar modules zijn op donderdag" in result.output
    assert "modulenummer 5 komt vaker voor" in result.output
    assert "de eindtijd ligt niet na de begintijd" in result.output
    assert "staat niet in volgorde" in result.output


def test_programme_check_reports_unknown_keys_and_bad_values(tmp_path: Path) -> None:
    broken = tmp_path / "tikfout.toml"
    text = bundled_text().replace('title = "Ga er maar staan!"',
                                  'title = "Ga er maar staan!"\nroom = "zaal 1"')
    text = text.replace("date = 2024-11-14", 'date = "14 november"')
    broken.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["programme", "check", str(broken)])
    assert result.exit_code == 1
    assert "modules.list.8.room: onbekende sleutel" in result.output
    assert "modules.list.2.date: '14 november' is geen geldige datum" in result.output


def test_programme_check_accepts_the_bundled_edition(tmp_path: Path) -> None:
    good = tmp_path / "goed.toml"
    good.write_text(bundled_text(), encoding="utf-8")
    result = CliRunner().invoke(app, ["programme", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert "in orde. 10 modules" in result.output


def test_programme_check_of_a_missing_file_fails_in_plain_words(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["programme", "check", str(tmp_path / "nergens.toml")])
    assert result.exit_code == 1
    assert "kan niet gelezen worden" in result.output
