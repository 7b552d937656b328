"""Attendance statuses and the certificate rule: pure functions, no database, no Telegram.

A stored :class:`Mark` is what a check-in or a coordinator recorded. What a person or a
coordinator sees is the :class:`Shown` status, which also knows about excused absences
(afmeldingen), sessions still to come and sessions running now.

The certificate rule (``attendance.certificate_modules``, default: every module) counts
modules only; werksessies and intervisie meetings are recorded and shown but do not count.
Excused absences count as attended only when ``attendance.excused_counts_as_attended`` is
set; otherwise they are counted separately and the coordinator judges them.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.config import AttendanceSettings
from bot.programme import Session, SessionKind


class Mark(enum.StrEnum):
    """A stored attendance status."""

    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"


class Shown(enum.StrEnum):
    """The status as shown: a mark, or what follows from the time and the afmeldingen."""

    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"
    WAITING = "waiting"  # check-in is open (or the session runs) and there is no check-in yet
    UPCOMING = "upcoming"

    @property
    def attended(self) -> bool:
        return self in (Shown.PRESENT, Shown.LATE)


class CertificateStatus(enum.StrEnum):
    MET = "met"  # the attendance requirement is met
    ON_TRACK = "on_track"  # still reachable with the modules to come
    JUDGE = "judge"  # reachable only if the coordinator accepts excused absences
    NOT_MET = "not_met"  # cannot be met any more


def window_opens(session: Session, settings: AttendanceSettings) -> dt.datetime:
    return session.starts_at - dt.timedelta(minutes=settings.window_before_minutes)


def in_window(session: Session, now: dt.datetime, settings: AttendanceSettings) -> bool:
    return window_opens(session, settings) <= now < session.ends_at


def mark_for(session: Session, now: dt.datetime, settings: AttendanceSettings) -> Mark:
    """Present, or late when more than ``late_after_minutes`` after the start."""
    late_from = session.starts_at + dt.timedelta(minutes=settings.late_after_minutes)
    return Mark.LATE if now > late_from else Mark.PRESENT


def shown_status(
    mark: str | None,
    excused: bool,
    session: Session,
    now: dt.datetime,
    settings: AttendanceSettings,
) -> Shown:
    if mark is not None:
        return Shown(mark)
    if excused:
        return Shown.EXCUSED
    if session.is_over(now):
        return Shown.ABSENT
    if now >= window_opens(session, settings):
        return Shown.WAITING
    return Shown.UPCOMING


@dataclass(frozen=True, slots=True)
class Progress:
    """Certificate progress over the modules."""

    total: int
    required: int
    attended: int  # present or late
    late: int
    excused: int
    absent: int
    remaining: int  # modules still to come, or running without a check-in yet
    excused_counts: bool

    @property
    def counted(self) -> int:
        return self.attended + (self.excused if self.excused_counts else 0)

    @property
    def missed(self) -> int:
        return self.excused + self.absent

    @property
    def spare(self) -> int:
        """How many of the remaining modules may still be missed (0 when none, or too late)."""
        return max(0, self.counted + self.remaining - self.required)

    @property
    def status(self) -> CertificateStatus:
        if self.counted >= self.required:
            return CertificateStatus.MET
        if self.counted + self.remaining >= self.required:
            return CertificateStatus.ON_TRACK
        if not self.excused_counts and self.counted + self.remaining + self.excused >= (
            self.required
        ):
            return CertificateStatus.JUDGE
        return CertificateStatus.NOT_MET


def counted_sessions(sessions: Iterable[Session]) -> list[Session]:
    """The sessions the certificate rule counts: the modules."""
    return [s for s in sessions if s.kind is SessionKind.MODULE]


def progress(
    statuses: Mapping[str, Shown], sessions: Iterable[Session], settings: AttendanceSettings
) -> Progress:
    """Progress from the shown status per session key (missing keys count as to come)."""
    modules = counted_sessions(sessions)
    total = len(modules)
    required = total if settings.certificate_modules is None else settings.certificate_modules
    counts = dict.fromkeys(Shown, 0)
    for module in modules:
        counts[statuses.get(module.key, Shown.UPCOMING)] += 1
    return Progress(
        total=total,
        required=min(required, total),
        attended=counts[Shown.PRESENT] + counts[Shown.LATE],
        late=counts[Shown.LATE],
        excused=counts[Shown.EXCUSED],
        absent=counts[Shown.ABSENT],
        remaining=counts[Shown.WAITING] + counts[Shown.UPCOMING],
        excused_counts=settings.excused_counts_as_attended,
    )


def missed_modules(
    statuses: Mapping[str, Shown], sessions: Iterable[Session], now: dt.datetime
) -> int:
    """Modules missed so far (started ones only); one running without a check-in counts."""
    missed = 0
    for module in counted_sessions(sessions):
        shown = statuses.get(module.key, Shown.UPCOMING)
        if module.starts_at <= now and shown in (Shown.EXCUSED, Shown.ABSENT, Shown.WAITING):
            missed += 1
    return missed
