"""Years of experience and the "Voor wie?" criteria, shared by questions and registration."""

from __future__ import annotations

import pytest

from bot.programme import load_programme
from bot.programme_file import EligibilitySection
from bot.services.eligibility import (
    EXPERIENCE_LESS,
    EXPERIENCE_MORE,
    EXPERIENCE_UNKNOWN,
    GRONINGEN_UNKNOWN,
    NOT_IN_GRONINGEN,
    ORGANISATION_OTHER,
    ORGANISATION_UNKNOWN,
    assess,
    organisation_types,
    parse_years,
    years_in_text,
)


@pytest.fixture(scope="module")
def rules() -> EligibilitySection:
    from zoneinfo import ZoneInfo

    return load_programme(None, ZoneInfo("Europe/Amsterdam")).data.eligibility


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("0", 0),
        ("3", 3),
        ("drie", 3),
        ("Drie jaar", 3),
        ("ruim 6", 6),
        ("bijna 2 jaar", 1),
        ("6+", 6),
        ("een half jaar", 0),
        ("anderhalf jaar", 1),
        ("tien", 10),
        ("15 jaar", 15),
        ("3,5 jaar", 3),
        ("2-3 jaar", 2),
        ("18 maanden", 1),
        ("een paar maanden", 0),
        ("minder dan een jaar", 0),
        ("meer dan 10", 10),
        ("geen", 0),
        ("één", 1),
        ("  4  ", 4),
    ],
)
def test_parse_years(text: str, years: int) -> None:
    assert parse_years(text) == years


@pytest.mark.parametrize(
    "text", ["", "ja", "weet ik niet", "geen idee", "-3", "100", "sinds 2019", "een paar jaar"]
)
def test_parse_years_refuses_nonsense(text: str) -> None:
    assert parse_years(text) is None


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("ik heb 8 jaar ervaring, mag ik meedoen?", 8),
        ("Ik werk al ruim 6 jaar in de wijk", 6),
        ("ik heb geen ervaring", 0),
        ("module 4 en ik heb 3 jaar werkervaring", 3),
        ("I have 10 years of experience", 10),
        ("ik ben 25 jaar", None),
        ("ik ben 60 jaar oud", None),
        ("wanneer is module 4", None),
    ],
)
def test_years_in_a_sentence(text: str, years: int | None) -> None:
    assert years_in_text(text) == years


def test_everything_met_fits(rules: EligibilitySection) -> None:
    assessment = assess(True, 3, "politie", rules)
    assert assessment.fits
    assert assessment.reasons == []
    assert assess(True, 1, "WIJ-team", rules).fits
    assert assess(True, 5, "bewoner", rules).fits


def test_reasons_name_every_criterion_not_met(rules: EligibilitySection) -> None:
    assessment = assess(False, 8, "anders", rules)
    assert not assessment.fits
    assert assessment.reasons == [NOT_IN_GRONINGEN, EXPERIENCE_MORE, ORGANISATION_OTHER]
    assert assess(True, 0, "gemeente", rules).reasons == [EXPERIENCE_LESS]


def test_unknown_answers_are_not_assumed_to_fit(rules: EligibilitySection) -> None:
    assessment = assess(None, None, None, rules)
    assert not assessment.fits
    assert assessment.reasons == [GRONINGEN_UNKNOWN, EXPERIENCE_UNKNOWN, ORGANISATION_UNKNOWN]


def test_organisation_types_are_the_programme_list_plus_residents_and_other(
    rules: EligibilitySection,
) -> None:
    types = organisation_types(rules)
    assert types[: len(rules.organisations)] == rules.organisations
    assert types[-2:] == ["bewoner", "anders"]
