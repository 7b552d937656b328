"""The /mijngegevens message: the export of :class:`PrivacyService` as readable Dutch text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.catalogue import Html, t
from bot.formatting import clock, session_name, short_date
from bot.models import DeliveryStatus, ParticipantStatus
from bot.programme import Programme
from bot.services.attendance_rules import Mark
from bot.services.reminders import DeliveryStatus as ReminderStatus
from bot.views.attendance import status_label
from bot.views.groups import group_kind_label
from bot.views.participants import organisation_label, yes_no

_STATUS = {
    ParticipantStatus.PENDING: "privacy.status_pending",
    ParticipantStatus.APPROVED: "privacy.status_approved",
    ParticipantStatus.REJECTED: "privacy.status_rejected",
    ParticipantStatus.FORGOTTEN: "privacy.status_forgotten",
}
_DRAFT_LABELS = {
    "suggested_name": "privacy.answer_suggested_name",
    "consent_at": "privacy.answer_consent",
    "name": "registration.edit_name",
    "organisation_type": "registration.edit_org",
    "organisation_name": "privacy.answer_organisation_name",
    "active_in_groningen": "registration.edit_gr",
    "experience_years": "registration.edit_years",
    "email": "registration.edit_email",
}


@dataclass(frozen=True, slots=True)
class Course:
    """What the export is read against: the course's programme and its time zone."""

    programme: Programme
    tz: dt.tzinfo


def _moment(value: object, course: Course) -> str:
    if not isinstance(value, str):
        return t("privacy.unknown_value")
    moment = dt.datetime.fromisoformat(value).astimezone(course.tz)
    return f"{short_date(moment.date())}, {clock(moment)}"


def _session(key: str, course: Course) -> str:
    session = course.programme.session(key)
    return session_name(session) if session else key


def _value(value: Any) -> str:
    if value is None or value == "":
        return t("privacy.unknown_value")
    if isinstance(value, bool):
        return yes_no(value)
    return str(value)


def _lines(lines: list[Html]) -> Html:
    return Html("\n".join(lines))


def _draft_answers(answers: dict[str, Any], course: Course) -> Html:
    lines = []
    for key, label in _DRAFT_LABELS.items():
        if key not in answers:
            continue
        value = answers[key]
        if key == "consent_at":
            shown = _moment(value, course)
        elif key == "organisation_type":
            shown = organisation_label(value if isinstance(value, str) else None)
        else:
            shown = _value(value)
        lines.append(t("privacy.answer_line", label=t(label), value=shown))
    return _lines(lines) if lines else t("privacy.mine_no_answers")


def _registration(data: dict[str, Any], course: Course) -> list[Html]:
    parts: list[Html] = []
    contact = data.get("contact")
    if contact:
        parts.append(
            t(
                "privacy.mine_contact",
                telegram_id=data["telegram_id"],
                first_seen=_moment(contact["first_seen_at"], course),
                last_seen=_moment(contact["last_seen_at"], course),
            )
        )
    person = data.get("participant")
    if person:
        parts.append(
            t(
                "privacy.mine_participant",
                number=person["number"],
                status=t(_STATUS[ParticipantStatus(person["status"])]),
                name=_value(person["name"]),
                organisation_name=_value(person["organisation_name"]),
                organisation_type=organisation_label(person["organisation_type"]),
                municipality=course.programme.data.eligibility.municipality,
                groningen=_value(person["active_in_groningen"]),
                years=_value(person["experience_years"]),
                email=_value(person["email"]),
                consent=_moment(person["consent_at"], course),
                applied=_moment(person["applied_at"], course),
            )
        )
    draft = data.get("registration_in_progress")
    if draft:
        parts.append(
            t(
                "privacy.mine_draft",
                answers=_draft_answers(draft["answers"], course),
                updated=_moment(draft["updated_at"], course),
            )
        )
    return parts


def _questions_and_absences(data: dict[str, Any], course: Course) -> list[Html]:
    parts: list[Html] = []
    if data["questions"]:
        lines = [
            t("privacy.mine_question_line", when=_moment(q["asked_at"], course),
              text=q["question"])
            for q in data["questions"]
        ]
        parts.append(t("privacy.mine_questions", questions=_lines(lines)))
    if data["absences"]:
        lines = [
            t("privacy.mine_absence_line", session=_session(a["session"], course),
              reason=_value(a["reason"]))
            for a in data["absences"]
        ]
        parts.append(t("privacy.mine_absences", absences=_lines(lines)))
    return parts


def _attendance(data: dict[str, Any], course: Course) -> list[Html]:
    if not data["attendance"]:
        return []
    lines = [
        t(
            "privacy.mine_attendance_corrected" if row["corrections"]
            else "privacy.mine_attendance_line",
            session=_session(row["session"], course),
            status=status_label(Mark(row["status"])),
        )
        for row in data["attendance"]
    ]
    return [t("privacy.mine_attendance", sessions=_lines(lines))]


def _reminders(data: dict[str, Any]) -> list[Html]:
    """Shown to approved participants (who can choose them) and whoever got or chose any."""
    chosen: dict[str, bool] = data.get("reminder_preferences") or {}  # empty: no participant
    person = data.get("participant") or {}
    approved = person.get("status") == ParticipantStatus.APPROVED
    switched_off = not all(chosen.values())
    if not chosen or not (approved or data["reminders"] or switched_off):
        return []
    lines = [
        t(
            "privacy.mine_reminder_on" if on else "privacy.mine_reminder_off",
            label=t(f"reminders.label_{kind}"),
        )
        for kind, on in chosen.items()
    ]
    sent = sum(r["status"] == ReminderStatus.SENT for r in data["reminders"])
    lines.append(t("privacy.mine_reminders_sent", count=sent))
    return [t("privacy.mine_reminders", settings=_lines(lines))]


def _groups(data: dict[str, Any]) -> list[Html]:
    if not data["groups"]:
        return []
    lines = [
        t("privacy.mine_group_line", kind=group_kind_label(g["kind"]), name=g["name"])
        for g in data["groups"]
    ]
    return [t("privacy.mine_groups", groups=_lines(lines))]


def _announcements(data: dict[str, Any], course: Course) -> list[Html]:
    received = data["announcements"]
    if not received:
        return []
    delivered = sum(a["status"] == DeliveryStatus.DELIVERED for a in received)
    moments = [dt.datetime.fromisoformat(a["sent_at"]) for a in received if a["sent_at"]]
    last = max(moments).isoformat() if moments else None
    return [
        t(
            "privacy.mine_announcements",
            count=len(received),
            delivered=delivered,
            last=_moment(last, course),
        )
    ]


def mine_text(data: dict[str, Any], course: Course) -> Html:
    """Everything in the export that a person would want to read, section by section."""
    parts = [
        t("privacy.mine_header"),
        *_registration(data, course),
        *_questions_and_absences(data, course),
        *_attendance(data, course),
        *_reminders(data),
        *_groups(data),
        *_announcements(data, course),
        *_feedback(data, course),
        *_certificate(data, course),
        *_goals(data),
        t("privacy.mine_footer"),
    ]
    return Html("\n\n".join(parts))


def _goals(data: dict[str, Any]) -> list[Html]:
    parts = []
    lines = []
    for goal in data["learning_goals"]:
        if goal["goal"] is not None:
            lines.append(t("privacy.mine_goal_line", text=goal["goal"]))
            lines += [t("privacy.mine_goal_note", text=n["text"]) for n in goal["notes"]]
        else:
            lines += [t("privacy.mine_note_line", text=n["text"]) for n in goal["notes"]]
    if lines:
        shared = t("privacy.mine_goals_shared" if data["learning_goals_shared"]
                   else "privacy.mine_goals_private")
        parts.append(t("privacy.mine_goals", lines=_lines(lines), shared=shared))
    buddies = [t("privacy.mine_buddy_line", group=b["group"], shared=t(
        "privacy.mine_buddy_shared" if b["contact_shared"] else "privacy.mine_buddy_private"))
        for b in data["buddy_introductions"]]
    if buddies:
        parts.append(t("privacy.mine_buddies", lines=_lines(buddies)))
    return parts


def _certificate(data: dict[str, Any], course: Course) -> list[Html]:
    lines = []
    if data["final_assignment_done_at"]:
        lines.append(t("privacy.mine_assignment_done",
                       date=_moment(data["final_assignment_done_at"], course)))
    found = data["certificate"]
    if found:
        key = "privacy.mine_certificate_revoked" if found["revoked_at"] else (
            "privacy.mine_certificate")
        lines.append(t(key, code=found["code"], name=found["name"],
                       date=_moment(found["issued_at"], course)))
    return [t("privacy.mine_certificates", lines=_lines(lines))] if lines else []


def _feedback(data: dict[str, Any], course: Course) -> list[Html]:
    answered = [f for f in data["module_feedback"] if f["score"] is not None]
    if not answered:
        return []
    lines = [
        t("privacy.mine_feedback_line", session=_session(f["session"], course),
          score=f["score"], comment=t("privacy.mine_feedback_comment", comment=f["comment"])
          if f["comment"] else "")
        for f in answered
    ]
    return [t("privacy.mine_feedback", lines=_lines(lines))]
