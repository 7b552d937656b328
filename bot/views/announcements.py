"""Dutch renderings shared by the announcement handlers and the outbox: audiences, counts,
reports. Names and labels are escaped by the catalogue; the coordinator's own HTML is
never passed through here.
"""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardMarkup

from bot.catalogue import Html, plain, t
from bot.formatting import clock, long_date, session_name, short_date
from bot.models import DeliveryStatus
from bot.services.announcement_types import (
    BLOCKED_BEFORE,
    FORGOTTEN,
    INTERRUPTED,
    NOT_LINKED,
    WITHDRAWN,
    Counts,
    RecipientIssue,
)
from bot.services.audiences import AudienceKind, Resolved
from bot.views.groups import group_kind_label
from bot.views.keyboards import keyboard

_KIND_LABELS = {
    AudienceKind.APPROVED: "announce.audience_approved",
    AudienceKind.APPLICANTS: "announce.audience_applicants",
    AudienceKind.ABSENT_LAST: "announce.audience_absent",
    AudienceKind.NOT_CHECKED_IN: "announce.audience_not_in",
}
_REASONS = {
    NOT_LINKED: "announce.reason_not_linked",
    BLOCKED_BEFORE: "announce.reason_blocked_before",
    INTERRUPTED: "announce.reason_interrupted",
    WITHDRAWN: "announce.reason_withdrawn",
    FORGOTTEN: "announce.reason_forgotten",
}


def kind_label(kind: AudienceKind) -> str:
    """A kind of audience other than a group, e.g. "Alle toegelaten deelnemers"."""
    return plain(_KIND_LABELS[kind])


def group_audience_label(group_kind: str, name: str) -> str:
    return plain("announce.audience_group", kind=group_kind_label(group_kind), name=name)


def audience_label(resolved: Resolved) -> str:
    """Plain text, e.g. "Intervisiegroep Noord" or "Afwezig bij Module 3: …"."""
    kind = resolved.audience.kind
    if kind is AudienceKind.GROUP:
        return group_audience_label(resolved.group_kind or "", resolved.group_name or "")
    if resolved.session is not None:
        return plain(
            "announce.audience_session",
            audience=kind_label(kind),
            session=plain_html(session_name(resolved.session)),
        )
    return kind_label(kind)


def plain_html(html: Html) -> str:
    return plain("announce.raw", text=html)


def moment(value: dt.datetime, tz: dt.tzinfo) -> str:
    local = value.astimezone(tz)
    return plain("announce.moment", date=long_date(local.date()), time=clock(local))


def short_moment(value: dt.datetime, tz: dt.tzinfo) -> str:
    local = value.astimezone(tz)
    return plain("announce.moment", date=short_date(local.date()), time=clock(local))


def counts_line(counts: Counts) -> Html:
    """ "23 afgeleverd, 1 heeft de bot geblokkeerd, 0 mislukt" (plus what is still open)."""
    parts = [
        t("outbox.delivered", count=counts.delivered),
        t("outbox.blocked", count=counts.blocked),
        t("outbox.failed", count=counts.failed),
    ]
    if counts.skipped:
        parts.append(t("outbox.skipped", count=counts.skipped))
    if counts.pending:
        parts.append(t("outbox.pending", count=counts.pending))
    return Html(", ".join(parts))


def reason_text(reason: str | None) -> Html:
    if reason is None:
        return t("announce.reason_unknown")
    key = _REASONS.get(reason)
    return t(key) if key else t("announce.reason_telegram", reason=reason)


def issue_line(issue: RecipientIssue) -> Html:
    blocked = issue.status is DeliveryStatus.BLOCKED
    key = "announce.issue_blocked" if blocked else "announce.issue_failed"
    return t(
        key,
        number=issue.participant_id,
        name=issue.name or plain("announce.no_name"),
        reason=reason_text(issue.reason),
    )


def progress_text(announcement_id: int, label: str | None, counts: Counts, finished: bool) -> Html:
    if finished:
        return t(
            "outbox.done",
            number=announcement_id,
            audience=label or "",
            counts=counts_line(counts),
        )
    return t(
        "outbox.progress",
        number=announcement_id,
        audience=label or "",
        done=counts.total - counts.pending,
        total=counts.total,
        counts=counts_line(counts),
    )


def report_data(announcement_id: int) -> str:
    """The callback data of the button that shows an announcement's report."""
    return f"ann:rep:{announcement_id}"


def details_markup(announcement_id: int) -> InlineKeyboardMarkup:
    """Under the finished progress message: the button to the report."""
    return keyboard([[(t("announce.details"), report_data(announcement_id))]])
