"""The registration questions as a pure state machine, and the checks of typed answers.

No I/O here: :func:`apply_text` and :func:`apply_choice` take the current step and answers and
return the next ones, or the same step with a :class:`Problem` that the handler turns into a
kind Dutch explanation before asking again.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.numbers import whole_number
from bot.programme_file import EligibilitySection
from bot.services.eligibility import MAX_YEARS, OTHER, fold, organisation_types, parse_years

NAME_MAX = 100
TEXT_MAX = 150
EMAIL_MAX = 254

_NAME_PUNCTUATION = frozenset(" -'’.,")
_SKIP_WORDS = frozenset({"overslaan", "sla over", "skip", "nee", "geen", "-", "nvt", "n.v.t."})
_YES = frozenset({"ja", "j", "jazeker", "yes", "klopt", "zeker"})
_NO = frozenset({"nee", "n", "no", "niet"})
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_NEGATIVE = re.compile(r"^\s*[-−–]\s*\d")
_NUMBER = re.compile(r"\d+")


class Problem(enum.StrEnum):
    CHOOSE = "choose"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_LETTERS = "no_letters"
    NAME_CHARACTERS = "name_characters"
    YEARS_UNREADABLE = "years_unreadable"
    YEARS_NEGATIVE = "years_negative"
    YEARS_ABSURD = "years_absurd"
    EMAIL_INVALID = "email_invalid"


def clean(text: str) -> str:
    """Normalised text: no control or invisible format characters, single spaces, trimmed."""
    normal = unicodedata.normalize("NFC", text)
    kept = "".join(
        " " if char.isspace() else char
        for char in normal
        if char.isspace() or unicodedata.category(char) not in {"Cc", "Cf", "Co", "Cs", "Cn"}
    )
    return " ".join(kept.split())


def check_name(text: str) -> str | Problem:
    """A person's name as it may appear on a certificate: letters, spaces, - ' . and commas."""
    name = clean(text)
    if not name:
        return Problem.EMPTY
    if len(name) > NAME_MAX:
        return Problem.TOO_LONG
    if not any(char.isalpha() for char in name):
        return Problem.NO_LETTERS
    for char in name:
        if char in _NAME_PUNCTUATION:
            continue
        if unicodedata.category(char)[0] not in {"L", "M"}:
            return Problem.NAME_CHARACTERS
    return name


def check_text(text: str, limit: int = TEXT_MAX) -> str | Problem:
    """Free text such as an organisation's name: anything readable, at least one letter or digit."""
    value = clean(text)
    if not value:
        return Problem.EMPTY
    if len(value) > limit:
        return Problem.TOO_LONG
    if not any(char.isalnum() for char in value):
        return Problem.NO_LETTERS
    return value


def check_years(text: str) -> int | Problem:
    """Years of experience: "0", "3", "drie", "ruim 6"; negative or absurd numbers are refused."""
    value = clean(text)
    if not value:
        return Problem.EMPTY
    if _NEGATIVE.match(value):
        return Problem.YEARS_NEGATIVE
    if len(value) > TEXT_MAX:
        return Problem.YEARS_UNREADABLE
    years = parse_years(value)
    if years is not None and 0 <= years <= MAX_YEARS:
        return years
    if any(int(number) > MAX_YEARS for number in _NUMBER.findall(value)):
        return Problem.YEARS_ABSURD
    return Problem.YEARS_UNREADABLE


def is_skip(text: str) -> bool:
    return clean(text).lower().rstrip(".!") in _SKIP_WORDS


def check_email(text: str) -> str | Problem:
    """An e-mail address (the domain in lower case); "overslaan" is handled by the caller."""
    value = clean(text).strip("<>").strip()
    if not value:
        return Problem.EMPTY
    if len(value) > EMAIL_MAX or " " in value or not _EMAIL.match(value):
        return Problem.EMAIL_INVALID
    local, domain = value.rsplit("@", 1)
    if len(local) > 64:
        return Problem.EMAIL_INVALID
    return f"{local}@{domain.lower()}"


def yes_or_no(text: str) -> bool | None:
    word = clean(text).lower().rstrip(".!")
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


class Step(enum.StrEnum):
    CONSENT = "consent"
    NAME = "name"
    ORG_TYPE = "org"
    ORG_OTHER = "orgx"
    ORG_NAME = "orgn"
    GRONINGEN = "gr"
    YEARS = "years"
    EMAIL = "email"
    CONFIRM = "confirm"
    EDIT = "edit"


# What "wijzigen" offers, and the step each choice goes back to.
EDITABLE: dict[str, Step] = {
    "name": Step.NAME,
    "org": Step.ORG_TYPE,
    "gr": Step.GRONINGEN,
    "years": Step.YEARS,
    "email": Step.EMAIL,
}


@dataclass(frozen=True, slots=True)
class Transition:
    """Where an answer leads: a new step, or the same step with a problem, or (stale) nowhere."""

    step: Step
    answers: dict[str, Any] = field(default_factory=dict)
    problem: Problem | None = None
    stale: bool = False


def _next_step(step: Step, answers: Mapping[str, Any]) -> Step:
    if step is Step.CONSENT:
        return Step.NAME
    if step is Step.ORG_TYPE:
        return Step.ORG_OTHER if answers.get("organisation_type") == OTHER else Step.ORG_NAME
    if step is Step.ORG_OTHER:
        return Step.ORG_NAME
    if answers.get("editing") or step is Step.EMAIL:
        return Step.CONFIRM
    following = {
        Step.NAME: Step.ORG_TYPE,
        Step.ORG_NAME: Step.GRONINGEN,
        Step.GRONINGEN: Step.YEARS,
        Step.YEARS: Step.EMAIL,
    }
    return following.get(step, Step.CONFIRM)


def advance(step: Step, answers: Mapping[str, Any], **values: Any) -> Transition:
    """Take an answer and move on (back to the summary when changing one answer)."""
    updated = {**answers, **values}
    following = _next_step(step, updated)
    if following is Step.CONFIRM:
        updated.pop("editing", None)
    return Transition(following, updated)


def _retry(step: Step, answers: Mapping[str, Any], problem: Problem) -> Transition:
    return Transition(step, dict(answers), problem)


def apply_choice(
    step: Step, answers: Mapping[str, Any], choice: str, rules: EligibilitySection
) -> Transition:
    """A button of the current step (consent and the final "klopt" are the service's)."""
    if step is Step.NAME and choice == "suggested":
        suggestion = answers.get("suggested_name")
        if isinstance(suggestion, str):
            return advance(step, answers, name=suggestion)
    elif step is Step.ORG_TYPE and (index := whole_number(choice)) is not None:
        options = organisation_types(rules)
        if index < len(options):
            return advance(step, answers, organisation_type=options[index])
    elif step is Step.GRONINGEN and choice in {"1", "0"}:
        return advance(step, answers, active_in_groningen=choice == "1")
    elif step is Step.EMAIL and choice == "skip":
        return advance(step, answers, email=None)
    elif step is Step.CONFIRM and choice == "edit":
        return Transition(Step.EDIT, dict(answers))
    elif step is Step.EDIT:
        target = EDITABLE.get(choice)
        if target is None:
            return Transition(Step.CONFIRM, dict(answers))
        return Transition(target, {**answers, "editing": True})
    return Transition(step, dict(answers), stale=True)


def apply_text(
    step: Step, answers: Mapping[str, Any], text: str, rules: EligibilitySection
) -> Transition:
    """A typed answer; where buttons are expected only their words are understood."""
    if step is Step.NAME:
        name = check_name(text)
        if isinstance(name, Problem):
            return _retry(step, answers, name)
        return advance(step, answers, name=name)
    if step is Step.ORG_TYPE:
        wanted = fold(clean(text))
        for option in organisation_types(rules):
            if fold(option) == wanted:
                return advance(step, answers, organisation_type=option)
        return _retry(step, answers, Problem.CHOOSE)
    if step in {Step.ORG_OTHER, Step.ORG_NAME}:
        value = check_text(text)
        if isinstance(value, Problem):
            return _retry(step, answers, value)
        key = "organisation_type" if step is Step.ORG_OTHER else "organisation_name"
        return advance(step, answers, **{key: value})
    if step is Step.GRONINGEN:
        answer = yes_or_no(text)
        if answer is None:
            return _retry(step, answers, Problem.CHOOSE)
        return advance(step, answers, active_in_groningen=answer)
    if step is Step.YEARS:
        years = check_years(text)
        if isinstance(years, Problem):
            return _retry(step, answers, years)
        return advance(step, answers, experience_years=years)
    if step is Step.EMAIL:
        if is_skip(text):
            return advance(step, answers, email=None)
        email = check_email(text)
        if isinstance(email, Problem):
            return _retry(step, answers, email)
        return advance(step, answers, email=email)
    return _retry(step, answers, Problem.CHOOSE)
