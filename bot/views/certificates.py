"""Certificates as Telegram shows them: the coordinator's review list and one person's page
with their buttons, and the texts a participant or a verifier reads (certificates.toml).

Coordinator buttons (``crt:``): ``list``, ``p:<id>`` a person, ``fa:<id>:<1|0>`` their
eindopdracht, ``fg:<group>:<1|0>`` a groepje's, ``ok:<id>`` confirm, ``all`` / ``ally``
confirm everyone ready, ``rv:<id>`` / ``rvy:<id>`` revoke.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.catalogue import Html, plain, t
from bot.formatting import long_date, session_name, shorten
from bot.services.attendance_rules import CertificateStatus, Progress
from bot.services.certificates import (
    Candidate,
    Issued,
    Review,
    Standing,
    shown_code,
)
from bot.views.keyboards import Button, keyboard

PREFIX = "crt"
LIST = f"{PREFIX}:list"
ALL, ALL_YES = f"{PREFIX}:all", f"{PREFIX}:ally"
VERIFY_PAYLOAD = "verify-"  # /start verify-<code>: the QR code's deep link
MAX_TEXT = 4000
_BUTTON_NAME = 28
_SECTIONS = (
    (Standing.MEETS, "certificates.section_meets"),
    (Standing.JUDGE, "certificates.section_judge"),
    (Standing.NOT_MET, "certificates.section_not_met"),
)


def review(
    found: Review, *, due: bool = False, edition: str = ""
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """The list by standing, with a button per person and per eindopdracht-groepje."""
    module = found.final_module
    if module is None:
        return t("certificates.review_no_modules"), None
    head = [t("certificates.review_due")] if due else []
    progress = found.candidates[0].progress if found.candidates else None
    head.append(t(
        "certificates.review_header", edition=edition, module=session_name(module),
        date=long_date(module.starts_at.date()),
        required=progress.required if progress else len(found.candidates),
        total=progress.total if progress else 0,
        excused=t("certificates.excused_count" if progress and progress.excused_counts
                  else "certificates.excused_judged"),
    ))
    if not found.candidates:
        return Html("\n\n".join([*head, t("certificates.review_nobody")])), None
    full = _review_text(head, found, detailed=True)
    text = full if len(full) <= MAX_TEXT else _review_text(head, found, detailed=False)
    return text, keyboard(_review_rows(found))


def _review_text(head: list[Html], found: Review, *, detailed: bool) -> Html:
    parts = list(head)
    for standing, key in _SECTIONS:
        people = found.with_standing(standing)
        if not people:
            continue
        lines = [t(key, count=len(people))]
        if detailed:
            lines += [_line(c) for c in people]
        else:
            lines.append(Html(", ".join(t("certificates.line_name", name=c.name)
                                        for c in people)))
        parts.append(Html("\n".join(lines)))
    ready = len(found.ready)
    if ready:
        parts.append(t("certificates.review_ready", count=ready))
    parts.append(t("certificates.review_hint"))
    return Html("\n\n".join(parts))


def _line(candidate: Candidate) -> Html:
    certificate = candidate.certificate
    mark = "" if certificate is None else (
        "certificates.line_issued" if certificate.valid else "certificates.line_revoked")
    return t("certificates.line", name=candidate.name, attendance=_attendance(candidate.progress),
             assignment=t("certificates.assignment_done" if candidate.assignment_done
                          else "certificates.assignment_open"),
             certificate=t(mark) if mark else "")


def _attendance(progress: Progress) -> Html:
    key = "certificates.attendance"
    if progress.excused:
        key += "_excused"
    if progress.remaining:
        key += "_to_come"
    return t(key, attended=progress.attended, total=progress.total, excused=progress.excused,
             remaining=progress.remaining)


def _review_rows(found: Review) -> list[list[Button]]:
    rows: list[list[Button]] = []
    if found.ready:
        rows.append([(plain("certificates.button_confirm_all", count=len(found.ready)), ALL)])
    for group in found.groups:
        if not group.member_ids:
            continue
        key, value = ("button_group_undo", 0) if group.done else ("button_group_done", 1)
        name = shorten(group.name, _BUTTON_NAME)
        rows.append([(plain(f"certificates.{key}", name=name), f"{PREFIX}:fg:{group.id}:{value}")])
    people = [(_person_button(c), f"{PREFIX}:p:{c.participant_id}") for c in found.candidates]
    rows += [people[i : i + 2] for i in range(0, len(people), 2)]
    return rows


def _person_button(candidate: Candidate) -> str:
    if candidate.has_valid:
        key = "issued"
    elif candidate.standing is Standing.NOT_MET:
        key = "not_met"
    elif candidate.standing is Standing.JUDGE:
        key = "judge"
    else:
        key = "ready" if candidate.assignment_done else "open"
    return plain(f"certificates.button_person_{key}", name=shorten(candidate.name, _BUTTON_NAME))


def person(candidate: Candidate) -> tuple[Html, InlineKeyboardMarkup]:
    """One person's page: attendance, standing, eindopdracht, certificate, and what to do."""
    p = candidate.progress
    lines = [
        t("certificates.person_header", name=candidate.name),
        t("certificates.person_attendance", attended=p.attended, total=p.total, late=p.late,
          excused=p.excused, absent=p.absent, remaining=p.remaining),
        _standing(p),
        t("certificates.person_assignment_done" if candidate.assignment_done
          else "certificates.person_assignment_open"),
        _certificate(candidate),
    ]
    number = candidate.participant_id
    rows: list[list[Button]] = [[
        (plain("certificates.button_assignment_undo"), f"{PREFIX}:fa:{number}:0")
        if candidate.assignment_done
        else (plain("certificates.button_assignment_done"), f"{PREFIX}:fa:{number}:1")
    ]]
    if candidate.has_valid:
        rows.append([(plain("certificates.button_revoke"), f"{PREFIX}:rv:{number}")])
    elif candidate.standing is not Standing.NOT_MET and candidate.assignment_done:
        again = candidate.certificate is not None
        rows.append([(plain("certificates.button_confirm_again" if again
                            else "certificates.button_confirm"), f"{PREFIX}:ok:{number}")])
    rows.append([(plain("certificates.button_back"), LIST)])
    return Html("\n".join(lines)), keyboard(rows)


def _standing(progress: Progress) -> Html:
    status = progress.status
    if status is CertificateStatus.ON_TRACK:
        return t("certificates.standing_on_track", count=progress.remaining)
    return t(f"certificates.standing_{status.value}")


def _certificate(candidate: Candidate) -> Html:
    found = candidate.certificate
    if found is None:
        return t("certificates.person_certificate_none")
    code = shown_code(found.code)
    if found.revoked_at is not None:
        return t("certificates.person_certificate_revoked",
                 date=long_date(found.revoked_at.date()), code=code)
    text = t("certificates.person_certificate_valid", date=long_date(found.issued_at.date()),
             code=code)
    if found.delivered_at is None:
        text = Html(f"{text} {t('certificates.person_certificate_undelivered', name=found.name)}")
    return text


def confirm_all(found: Review) -> tuple[Html, InlineKeyboardMarkup]:
    names = "\n".join(t("certificates.confirm_all_name", name=c.name) for c in found.ready)
    text = t("certificates.confirm_all_ask", count=len(found.ready), names=Html(names))
    return text, keyboard([[(plain("certificates.button_confirm_all_yes"), ALL_YES),
                            (plain("certificates.button_cancel"), LIST)]])


def revoke_ask(certificate: Issued) -> tuple[Html, InlineKeyboardMarkup]:
    number = certificate.participant_id
    text = t("certificates.revoke_ask", name=certificate.name, code=shown_code(certificate.code))
    return text, keyboard([[(plain("certificates.button_revoke_yes"), f"{PREFIX}:rvy:{number}"),
                            (plain("certificates.button_cancel"), f"{PREFIX}:p:{number}")]])


def delivered_caption(certificate: Issued) -> Html:
    return t("certificates.delivered_caption", name=certificate.name, course=certificate.course,
             code=shown_code(certificate.code))


def resend_caption(certificate: Issued) -> Html:
    return t("certificates.resend_caption", course=certificate.course,
             date=long_date(certificate.issued_at.date()), code=shown_code(certificate.code))


def file_name(certificate: Issued) -> str:
    return plain("certificates.file_name", code=shown_code(certificate.code))


def verified(certificate: Issued) -> Html:
    return t("certificates.verify_valid", name=certificate.name, course=certificate.course,
             date=long_date(certificate.issued_at.date()))


def verify_link(bot_username: str | None, certificate: Issued) -> str:
    """What the QR code holds: the bot's deep link that verifies this code at once."""
    if not bot_username:
        return f"/verifieer {shown_code(certificate.code)}"
    return f"https://t.me/{bot_username}?start={VERIFY_PAYLOAD}{certificate.code}"
