"""Attendance texts from the catalogue: /presentie, the digest, /aanwezigheid; status labels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.catalogue import Html, t
from bot.config import AttendanceSettings
from bot.formatting import clock, session_name, short_date, time_range
from bot.programme import Programme
from bot.services.attendance_rules import CertificateStatus, Mark, Shown
from bot.services.attendance_views import Digest, PersonalRecord, PersonLine, SessionOverview


def status_label(shown: Shown | Mark) -> Html:
    return t(f"attendance.status_{shown.value}")


def icon(shown: Shown) -> Html:
    return t(f"attendance.icon_{shown.value}")


def person_name(line: PersonLine) -> Html:
    if line.name is None:
        return t("presence.forgotten_name", number=line.participant_id)
    return t("presence.name", name=line.name, number=line.participant_id)


def _person(line: PersonLine, tz: dt.tzinfo) -> Html:
    name = person_name(line)
    if line.corrected and line.note:
        return t("presence.person_corrected", name=name, note=line.note)
    if line.shown is Shown.EXCUSED and line.note:
        return t("presence.person_note", name=name, note=line.note)
    if line.at is not None:
        return t("presence.person_time", name=name, time=clock(line.at.astimezone(tz)))
    return t("presence.person", name=name)


def _section(label: Html, lines: list[PersonLine], tz: dt.tzinfo) -> Html:
    people = Html("\n".join(_person(line, tz) for line in lines))
    return t("presence.section", label=label, count=len(lines), people=people)


def overview_text(overview: SessionOverview) -> Html:
    found = overview.session
    tz = found.starts_at.tzinfo or dt.UTC
    parts = [
        t(
            "presence.header",
            session=session_name(found),
            date=short_date(found.starts_at.date()),
            time=time_range(found),
        )
    ]
    if not overview.people:
        parts.append(t("presence.empty"))
        return Html("\n\n".join(parts))
    parts.append(
        t(
            "presence.summary",
            checked=overview.checked_in,
            total=overview.expected,
            excused=overview.excused,
        )
    )
    for shown in (Shown.PRESENT, Shown.LATE, Shown.EXCUSED, Shown.WAITING, Shown.ABSENT):
        lines = overview.with_status(shown)
        if lines:
            parts.append(_section(t(f"presence.label_{shown.value}"), lines, tz))
    parts.append(t("presence.correct_hint"))
    return Html("\n\n".join(parts))


def digest_text(digest: Digest, settings: AttendanceSettings) -> Html:
    overview = digest.overview
    found = overview.session
    parts = [
        t(
            "checkin.digest",
            session=session_name(found),
            minutes=settings.digest_after_minutes,
            checked=overview.checked_in,
            total=overview.expected,
        )
    ]
    missing = overview.with_status(Shown.WAITING)
    if missing:
        people = Html("\n".join(t("presence.person", name=person_name(p)) for p in missing))
        parts.append(t("checkin.digest_missing", count=len(missing), people=people))
    else:
        parts.append(t("checkin.digest_all_in"))
    excused = overview.with_status(Shown.EXCUSED)
    if excused:
        tz = found.starts_at.tzinfo or dt.UTC
        people = Html("\n".join(_person(p, tz) for p in excused))
        parts.append(t("checkin.digest_excused", count=len(excused), people=people))
    if digest.warnings:
        lines = [
            t(
                "checkin.digest_warning_line",
                count=w.missed,
                name=t("presence.name", name=w.name or "?", number=w.participant_id),
            )
            for w in digest.warnings
        ]
        parts.append(t("checkin.digest_warnings", people=Html("\n".join(lines))))
    parts.append(t("checkin.digest_footer"))
    return Html("\n\n".join(parts))


_STATUS_TEXT = {
    CertificateStatus.MET: "attendance.status_met",
    CertificateStatus.JUDGE: "attendance.status_judge",
    CertificateStatus.NOT_MET: "attendance.status_not_met",
}


def record_text(
    record: PersonalRecord, programme: Programme, settings: AttendanceSettings
) -> Html:
    """/aanwezigheid: the person's own record per session, then certificate progress."""
    parts = [t("attendance.header", course=programme.data.course.name)]
    lines = []
    for line in record.lines:
        if line.shown is Shown.UPCOMING:
            continue
        values: dict[str, Any] = {
            "icon": icon(line.shown),
            "session": session_name(line.session),
            "date": short_date(line.session.starts_at.date()),
            "status": status_label(line.shown),
        }
        if line.at is not None:
            tz = line.session.starts_at.tzinfo or dt.UTC
            lines.append(t("attendance.line_time", time=clock(line.at.astimezone(tz)), **values))
        elif line.note and line.shown is Shown.EXCUSED:
            lines.append(t("attendance.line_reason", reason=line.note, **values))
        else:
            lines.append(t("attendance.line", **values))
    parts.append(Html("\n".join(lines)) if lines else t("attendance.nothing_yet"))
    upcoming = sum(1 for line in record.lines if line.shown is Shown.UPCOMING)
    if upcoming:
        parts.append(t("attendance.still_to_come", count=upcoming))
    parts.append(progress_text(record, settings))
    parts.append(t("attendance.rule", rule=programme.data.attendance.rule))
    return Html("\n\n".join(parts))


def progress_text(record: PersonalRecord, settings: AttendanceSettings) -> Html:
    progress = record.progress
    first = t("attendance.progress", attended=progress.attended, total=progress.total)
    if progress.late:
        first = Html(f"{first} {t('attendance.progress_late', count=progress.late)}")
    lines = [first]
    if progress.excused:
        key = (
            "attendance.excused_counted"
            if progress.excused_counts
            else "attendance.excused_note"
        )
        lines.append(t(key, count=progress.excused))
    status = progress.status
    if status is CertificateStatus.ON_TRACK:
        if progress.spare:
            lines.append(t("attendance.on_track_spare", count=progress.spare))
        else:
            lines.append(t("attendance.on_track_none_spare", count=progress.remaining))
    else:
        lines.append(t(_STATUS_TEXT[status]))
    if settings.certificate_modules is None or progress.required >= progress.total:
        lines.append(t("attendance.requirement_all", total=progress.total))
    else:
        lines.append(
            t("attendance.requirement_some", required=progress.required, total=progress.total)
        )
    return Html("\n".join(lines))
