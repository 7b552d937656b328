"""The "Voor wie?" criteria of the brochure: reading years of experience and checking the fit.

Shared by the question answering and the registration. Nothing here rejects anyone: an
assessment only lists which criteria are not (or not known to be) met, so the reply can
point people to the coordinator.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

from bot.programme_file import EligibilitySection

RESIDENT = "bewoner"
OTHER = "anders"
MAX_YEARS = 60

# Reason codes of an assessment.
NOT_IN_GRONINGEN = "not_in_groningen"
GRONINGEN_UNKNOWN = "groningen_unknown"
EXPERIENCE_LESS = "experience_less"
EXPERIENCE_MORE = "experience_more"
EXPERIENCE_UNKNOWN = "experience_unknown"
ORGANISATION_OTHER = "organisation_other"
ORGANISATION_UNKNOWN = "organisation_unknown"

_NUMBER_WORDS = {
    "nul": 0, "geen": 0, "een": 1, "eentje": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5,
    "zes": 6, "zeven": 7, "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
    "dertien": 13, "veertien": 14, "vijftien": 15, "zestien": 16, "zeventien": 17,
    "achttien": 18, "negentien": 19, "twintig": 20, "dertig": 30, "veertig": 40,
    "vijftig": 50, "zestig": 60, "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
_FRACTIONS = {"half": 0.5, "halfjaar": 0.5, "anderhalf": 1.5, "anderhalve": 1.5}
_ALMOST = frozenset({"bijna", "nauwelijks", "almost", "minder", "less", "onder"})
_YEAR_UNITS = frozenset({"jaar", "jaren", "jr", "jaartje", "jaartjes", "year", "years", "yrs"})
_MONTH_UNITS = frozenset({"maand", "maanden", "mnd", "month", "months"})
_SHORT_UNITS = frozenset({"week", "weken", "weekjes", "dag", "dagen", "weeks", "days"})
_AGE_BEFORE = frozenset({"ben", "bent", "am", "age", "leeftijd"})
_NONE_AFTER = ("ervaring", "werkervaring", "jaar", "relevante", "experience")
_NO_EXPERIENCE = re.compile(
    r"\b(geen|zonder|no)\s+(relevante\s+|echte\s+|werk\s*)?(werk)?(ervaring|experience)\b"
)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[a-z]+|[+\-]")


@dataclass(frozen=True)
class EligibilityAssessment:
    """``fits`` is True when every criterion is known to be met; ``reasons`` says what not."""

    fits: bool
    reasons: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    """Lower case without accents, so "één" and "een" are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def organisation_types(rules: EligibilitySection) -> list[str]:
    """The organisation types people choose from: the programme's list, residents, other."""
    return [*rules.organisations, RESIDENT, OTHER]


def _quantity(words: list[str], index: int) -> float | None:
    word = words[index]
    following = words[index + 1] if index + 1 < len(words) else ""
    if word[0].isdigit():
        return float(word.replace(",", "."))
    if word in _FRACTIONS:
        return _FRACTIONS[word]
    if word == "een" and following in _FRACTIONS:
        return None  # "een half jaar": the next word carries the value
    if word == "een" and following in {"paar", "aantal", "stuk", "heleboel"}:
        unit = words[index + 2] if index + 2 < len(words) else ""
        if unit in _SHORT_UNITS or unit in _MONTH_UNITS:
            return 0.0
        raise _Vague
    if word == "geen":
        if following and not following.startswith(_NONE_AFTER) and not following[0].isdigit():
            return None
        return None if following[:1].isdigit() else 0.0
    value = _NUMBER_WORDS.get(word)
    return None if value is None else float(value)


class _Vague(Exception):
    pass


def _years_from(words: list[str]) -> int | None:
    """Years in a short answer such as "ruim 6", "bijna 2 jaar" or "18 maanden"."""
    try:
        for index, word in enumerate(words):
            value = _quantity(words, index)
            if value is None:
                continue
            before = words[max(0, index - 2) : index]
            if (index and words[index - 1] == "-") and (index < 2 or not words[index - 2][0]
                                                        .isdigit()):
                return None
            unit_window = words[index + 1 : index + 4]
            if any(unit in _MONTH_UNITS for unit in unit_window):
                value /= 12
            elif any(unit in _SHORT_UNITS for unit in unit_window) and not any(
                unit in _YEAR_UNITS for unit in unit_window
            ):
                value = 0.0
            if any(word in _ALMOST for word in before) or words[index - 1 : index] == ["geen"]:
                years = max(0, math.ceil(value) - 1)
            else:
                years = math.floor(value)
            return years if 0 <= years <= MAX_YEARS else None
    except _Vague:
        return None
    return None


def parse_years(text: str) -> int | None:
    """Whole years of experience in an answer: "3", "drie", "ruim 6", "6+", "een half jaar".

    "bijna 2 jaar" counts the completed years (1); a range counts its lower end; months are
    converted. Nonsense, negative numbers and more than 60 years give ``None``.
    """
    return _years_from(_TOKEN.findall(fold(text)))


def years_in_text(text: str) -> int | None:
    """Years of experience mentioned in a longer sentence ("ik heb 8 jaar ervaring")."""
    folded = fold(text)
    if _NO_EXPERIENCE.search(folded):
        return 0
    words = _TOKEN.findall(folded)
    for index, word in enumerate(words):
        if word not in _YEAR_UNITS and word not in _MONTH_UNITS:
            continue
        if index + 1 < len(words) and words[index + 1] == "oud":
            continue  # an age: "25 jaar oud"
        for start in range(index - 1, max(-1, index - 4), -1):
            candidate = words[start]
            if not (candidate[0].isdigit() or candidate in _NUMBER_WORDS
                    or candidate in _FRACTIONS):
                continue
            if start and words[start - 1] in _AGE_BEFORE:
                break
            head = max(0, start - 2)
            if head < start and words[start - 1] == "een" and candidate in _FRACTIONS:
                head = max(0, start - 3)
            return _years_from(words[head : index + 1])
    return None


def assess(
    active_in_groningen: bool | None,
    years: int | None,
    organisation_type: str | None,
    rules: EligibilitySection,
) -> EligibilityAssessment:
    """Compare answers with the criteria; ``None`` means "not known" and is listed as such."""
    reasons: list[str] = []
    if active_in_groningen is None:
        reasons.append(GRONINGEN_UNKNOWN)
    elif not active_in_groningen:
        reasons.append(NOT_IN_GRONINGEN)
    if years is None:
        reasons.append(EXPERIENCE_UNKNOWN)
    elif years < rules.experience_years_min:
        reasons.append(EXPERIENCE_LESS)
    elif years > rules.experience_years_max:
        reasons.append(EXPERIENCE_MORE)
    if organisation_type is None or not organisation_type.strip():
        reasons.append(ORGANISATION_UNKNOWN)
    else:
        known = {fold(name) for name in rules.organisations} | {RESIDENT}
        if fold(organisation_type.strip()) not in known:
            reasons.append(ORGANISATION_OTHER)
    return EligibilityAssessment(fits=not reasons, reasons=reasons)
