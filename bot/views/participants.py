"""Participants in texts and buttons: the application card, labels, answers and the list.

Callback data: ``app:ok:<id>[:<page>]`` / ``app:no:<id>[:<page>]`` (approve or reject, from a
notification or from the list's page), ``ppl:<page>`` (a page of /deelnemers, 0-based).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.catalogue import Html, t
from bot.formatting import shorten
from bot.models import ParticipantStatus
from bot.programme_file import EligibilitySection
from bot.services import eligibility
from bot.services.participants import ParticipantPage, ParticipantView
from bot.services.registration_steps import Problem
from bot.views.keyboards import Button, keyboard_or_none
from bot.views.paging import page_line, page_rows

_LIST_FIELD_MAX = 40

_REASONS = {
    eligibility.NOT_IN_GRONINGEN: "participants.reason_not_in_groningen",
    eligibility.EXPERIENCE_LESS: "participants.reason_experience_less",
    eligibility.EXPERIENCE_MORE: "participants.reason_experience_more",
    eligibility.ORGANISATION_OTHER: "participants.reason_organisation_other",
}
_LIST_STATUS = {
    ParticipantStatus.APPROVED: "participants.status_approved",
    ParticipantStatus.REJECTED: "participants.status_rejected",
    ParticipantStatus.FORGOTTEN: "participants.status_forgotten",
}
_PROBLEMS = {
    Problem.CHOOSE: "registration.problem_choose",
    Problem.EMPTY: "registration.problem_empty",
    Problem.TOO_LONG: "registration.problem_too_long",
    Problem.NO_LETTERS: "registration.problem_no_letters",
    Problem.NAME_CHARACTERS: "registration.problem_name_characters",
    Problem.YEARS_UNREADABLE: "registration.problem_years_unreadable",
    Problem.YEARS_NEGATIVE: "registration.problem_years_negative",
    Problem.YEARS_ABSURD: "registration.problem_years_absurd",
    Problem.EMAIL_INVALID: "registration.problem_email_invalid",
}


def organisation_label(value: str | None) -> str:
    if value == eligibility.RESIDENT:
        return t("registration.org_resident")
    if value == eligibility.OTHER:
        return t("registration.org_other")
    return value or ""


def yes_no(value: bool | None) -> Html:
    return t("registration.answer_yes") if value else t("registration.answer_no")


def problem_text(problem: Problem, limit: int) -> Html:
    return t(_PROBLEMS[problem], limit=limit)


def status_label(person: ParticipantView) -> Html:
    if person.status is ParticipantStatus.PENDING:
        if person.fits is None:
            return t("participants.status_pending")
        key = (
            "participants.status_pending_fits"
            if person.fits
            else "participants.status_pending_maybe"
        )
        return t(key)
    if person.status is ParticipantStatus.APPROVED and not person.linked:
        return t("participants.status_approved_unlinked")
    return t(_LIST_STATUS[person.status])


def reason_list(reasons: list[str], rules: EligibilitySection) -> Html:
    parts = [
        t(
            _REASONS.get(code, "participants.reason_unknown"),
            municipality=rules.municipality,
            min=rules.experience_years_min,
            max=rules.experience_years_max,
        )
        for code in reasons
    ]
    return Html(", ".join(parts))


def application_card(
    person: ParticipantView, reasons: list[str], rules: EligibilitySection
) -> Html:
    indication = (
        t("participants.indication_fits")
        if not reasons
        else t("participants.indication_maybe", reasons=reason_list(reasons, rules))
    )
    return t(
        "participants.card",
        name=person.name or "",
        organisation_name=person.organisation_name or "",
        organisation_type=organisation_label(person.organisation_type),
        municipality=rules.municipality,
        groningen=yes_no(person.active_in_groningen),
        years=person.experience_years if person.experience_years is not None else "?",
        email=person.email or t("registration.email_none"),
        indication=indication,
    )


def decision_data(number: int, page: int | None = None) -> tuple[str, str]:
    """The callback data of approving and of rejecting application ``number``."""
    suffix = "" if page is None else f":{page}"
    return f"app:ok:{number}{suffix}", f"app:no:{number}{suffix}"


def decision_buttons(number: int) -> list[Button]:
    approve, reject = decision_data(number)
    return [(t("participants.approve"), approve), (t("participants.reject"), reject)]


def _short(text: str | None) -> str:
    return shorten(text or "", _LIST_FIELD_MAX)


def page_text(page: ParticipantPage) -> Html:
    """One page of /deelnemers: a line per person, then ``Pagina x van y``."""
    if not page.items:
        return t("participants.list_empty")
    lines = [t("participants.list_header", total=page.total)]
    for person in page.items:
        organisation = _short(person.organisation_name) or _short(
            organisation_label(person.organisation_type)
        )
        key = "participants.line" if organisation else "participants.line_no_organisation"
        lines.append(
            t(
                key,
                number=person.id,
                name=person.name or "?",
                organisation=organisation,
                status=status_label(person),
            )
        )
    footer = page_line(page.page, page.pages, "participants.list_page")
    if footer is not None:
        lines.append(footer)
    return Html("\n".join(lines))


def _decision_row(person: ParticipantView, page: int) -> list[Button]:
    approve, reject = decision_data(person.id, page)
    return [
        (t("participants.button_approve", number=person.id, name=_short(person.name)), approve),
        (t("participants.button_reject", number=person.id), reject),
    ]


def page_markup(page: ParticipantPage) -> InlineKeyboardMarkup | None:
    """The two decision buttons for each pending person on the page, then ◀️/▶️."""
    pending = [
        _decision_row(person, page.page)
        for person in page.items
        if person.status is ParticipantStatus.PENDING
    ]
    rows = page_rows(
        pending, page=page.page, pages=page.pages, data=lambda n: f"ppl:{n}", texts="participants"
    )
    return keyboard_or_none(rows)
