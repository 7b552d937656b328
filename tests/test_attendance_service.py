"""Attendance rules, corrections and privacy, used directly (no Telegram)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.config import AttendanceSettings, Settings
from bot.models import Attendance, AttendanceAudit
from bot.programme import load_programme
from bot.services.attendance import CorrectionError
from bot.services.attendance_rules import (
    CertificateStatus,
    Mark,
    Shown,
    missed_modules,
    progress,
    shown_status,
)
from bot.services.checkin import Method, Outcome
from bot.services.pending import PendingKind
from bot.services.registry import Services, build_services
from tests.conftest import AMSTERDAM, amsterdam
from tests.test_attendance_support import EARLY, MODULE_4, approve

MODULES = load_programme(None, AMSTERDAM).modules


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    settings = Settings(database={"url": database_url})
    built = build_services(settings)
    await built.database.upgrade()
    yield built
    await built.close()


def statuses(*shown: Shown) -> dict[str, Shown]:
    return {f"module-{i}": s for i, s in enumerate(shown, start=1)}


def test_the_shown_status_follows_marks_afmeldingen_and_the_clock() -> None:
    settings = AttendanceSettings()
    module = MODULES[3]
    assert shown_status("late", True, module, EARLY, settings) is Shown.LATE
    assert shown_status(None, True, module, EARLY, settings) is Shown.EXCUSED
    assert shown_status(None, False, module, amsterdam(2024, 12, 12, 12, 29), settings) is (
        Shown.UPCOMING
    )
    assert shown_status(None, False, module, amsterdam(2024, 12, 12, 12, 30), settings) is (
        Shown.WAITING
    )
    assert shown_status(None, False, module, amsterdam(2024, 12, 12, 19, 30), settings) is (
        Shown.ABSENT
    )


def test_progress_with_the_default_rule_all_modules() -> None:
    settings = AttendanceSettings()
    p = progress(statuses(Shown.PRESENT, Shown.LATE, Shown.PRESENT), MODULES, settings)
    assert (p.attended, p.late, p.remaining, p.required) == (3, 1, 7, 10)
    assert p.status is CertificateStatus.ON_TRACK
    assert p.spare == 0
    excused = progress(statuses(Shown.PRESENT, Shown.EXCUSED), MODULES, settings)
    assert excused.status is CertificateStatus.JUDGE
    absent = progress(statuses(Shown.PRESENT, Shown.ABSENT), MODULES, settings)
    assert absent.status is CertificateStatus.NOT_MET
    everything = progress(statuses(*[Shown.PRESENT] * 10), MODULES, settings)
    assert everything.status is CertificateStatus.MET


def test_progress_with_a_configured_number_of_modules() -> None:
    settings = AttendanceSettings(certificate_modules=8)
    p = progress(statuses(Shown.PRESENT, Shown.ABSENT, Shown.PRESENT), MODULES, settings)
    assert p.status is CertificateStatus.ON_TRACK
    assert p.spare == 1  # 2 attended + 7 to come - 8 required
    met = progress(statuses(*[Shown.PRESENT] * 8), MODULES, settings)
    assert met.status is CertificateStatus.MET
    counted = AttendanceSettings(certificate_modules=8, excused_counts_as_attended=True)
    p = progress(statuses(*[Shown.EXCUSED] * 3, Shown.ABSENT), MODULES, counted)
    assert (p.counted, p.status) == (3, CertificateStatus.ON_TRACK)


def test_missed_modules_count_only_started_ones() -> None:
    now = amsterdam(2024, 12, 12, 13, 30)
    marks = statuses(Shown.ABSENT, Shown.EXCUSED, Shown.PRESENT, Shown.WAITING, Shown.EXCUSED)
    assert missed_modules(marks, MODULES, now) == 3


async def test_corrections_need_a_reason_and_keep_an_audit_trail(services: Services) -> None:
    number = await approve(services, 100001)
    now = services.now()
    with pytest.raises(CorrectionError, match="no_reason"):
        await services.attendance.correct(number, MODULE_4, Mark.ABSENT, "  ", by=9, now=now)
    with pytest.raises(CorrectionError, match="reason_too_long"):
        await services.attendance.correct(number, MODULE_4, Mark.ABSENT, "x" * 501, by=9, now=now)
    with pytest.raises(CorrectionError, match="unknown_session"):
        await services.attendance.correct(number, "module-99", Mark.ABSENT, "?", by=9, now=now)
    with pytest.raises(CorrectionError, match="unknown_participant"):
        await services.attendance.correct(999, MODULE_4, Mark.ABSENT, "?", by=9, now=now)
    first = await services.attendance.correct(number, MODULE_4, Mark.EXCUSED, "Belde af",
                                              by=9, now=now)
    assert (first.old, first.new) == (None, Mark.EXCUSED)
    second = await services.attendance.correct(number, MODULE_4, Mark.ABSENT, "Toch niet",
                                               by=8, now=now)
    assert (second.old, second.new) == (Mark.EXCUSED, Mark.ABSENT)
    trail = await services.attendance.audit_trail(MODULE_4)
    assert [(a.changed_by, a.reason) for a in trail] == [(9, "Belde af"), (8, "Toch niet")]
    # A corrected status is not overwritten by a late check-in.
    codes = await services.attendance.codes(EARLY)
    result = await services.attendance.check_in(
        100001, codes.code(MODULE_4, codes.slot(EARLY)), Method.CODE, EARLY
    )
    assert result.outcome is Outcome.ALREADY
    assert result.mark is Mark.ABSENT


async def test_mijngegevens_includes_attendance_and_vergeetmij_keeps_it_anonymous(
    services: Services,
) -> None:
    number = await approve(services, 100001)
    codes = await services.attendance.codes(EARLY)
    await services.attendance.check_in(
        100001, codes.code(MODULE_4, codes.slot(EARLY)), Method.CODE, EARLY
    )
    await services.attendance.correct(number, "module-3", Mark.EXCUSED, "Had griep, zei ze",
                                      by=9, now=EARLY)
    await services.pending.start(
        100001, PendingKind.CHECKIN_CODE, {"session_key": MODULE_4}, EARLY
    )
    data = await services.privacy.export(100001)
    by_session = {a["session"]: a for a in data["attendance"]}
    assert by_session[MODULE_4]["status"] == "present"
    assert by_session[MODULE_4]["how"] == "code"
    assert by_session[MODULE_4]["checked_in_at"] == EARLY.astimezone(dt.UTC).isoformat()
    assert by_session["module-3"]["corrections"][0]["reason"] == "Had griep, zei ze"
    assert set(by_session["module-3"]["corrections"][0]) == {"from", "to", "reason", "at"}

    forgotten = await services.privacy.forget(100001, EARLY)
    assert forgotten.participant_id == number
    async with services.database.transaction() as session:
        rows = list(await session.scalars(select(Attendance).order_by(Attendance.session_key)))
        audit = list(await session.scalars(select(AttendanceAudit)))
    assert [(r.participant_id, r.session_key, r.status) for r in rows] == [
        (number, "module-3", "excused"),
        (number, MODULE_4, "present"),
    ]
    assert all(r.note is None for r in rows)
    assert [(a.new_status, a.reason, a.changed_by) for a in audit] == [("excused", None, 9)]
    assert await services.pending.current(100001, EARLY) is None
    assert await services.attendance.checked_in_participant_ids(MODULE_4) == {number}


async def test_a_typed_answer_is_awaited_only_for_a_while(services: Services) -> None:
    payload = {"session_key": MODULE_4, "participant_id": 1, "status": Mark.LATE.value}
    await services.pending.start(900001, PendingKind.PRESENCE_REASON, payload, EARLY)
    waiting = await services.pending.current(900001, EARLY + dt.timedelta(minutes=14))
    assert waiting is not None
    assert (waiting.kind, dict(waiting.payload)) == (PendingKind.PRESENCE_REASON, payload)
    expired = await services.pending.take(900001, EARLY + dt.timedelta(minutes=15))
    assert expired is not None
    assert expired.expired
    assert await services.pending.current(900001, EARLY) is None  # dropped for good
