"""The certificate service and PDF without Telegram: codes as people type them, one
certificate per person even when confirmed twice at once, and a PDF whose text reads back."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.config import Settings
from bot.programme import load_programme
from bot.services.certificates import (
    CODE_LENGTH,
    CertificateDocument,
    Outcome,
    new_code,
    normalise,
    shown_code,
)
from bot.services.registry import Services, build_services
from bot.views.certificate_pdf import name_lines, render_certificate
from tests.conftest import amsterdam
from tests.people import add_participants

LONG_NAME = (
    "Maria-Anne-Geertruida ’t Hooft-Çelik van der Brüggen-d'Ancona de la Fuënte y Ñúñez "
    "Wijkmaker-Ösküdar"
)


def document(name: str, code: str = "WM-7K3Q-9XPM-2DFA") -> CertificateDocument:
    programme = load_programme(None, ZoneInfo("Europe/Amsterdam"))
    modules = programme.modules
    return CertificateDocument(
        name, programme.data.course.name, programme.data.course.organisation,
        modules[0].starts_at.date(), modules[-1].starts_at.date(),
        tuple(m.title or "" for m in modules), dt.date(2025, 6, 19), code,
    )


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(
    "typed",
    ["WM-7K3Q-9XPM-2DFA", "wm-7k3q-9xpm-2dfa", " 7K3Q 9XPM 2DFA ", "WM7K3Q9XPM2DFA",
     "WM-7K3Q-9XPM-2DFA.", "wm 7k3q-9xpm 2dfa"],
)
def test_a_code_is_recognised_however_it_is_typed(typed: str) -> None:
    assert normalise(typed) == "7K3Q9XPM2DFA"


def test_look_alike_letters_are_read_as_digits_and_nonsense_is_no_code() -> None:
    assert normalise("WM-7K3Q-9XPM-2DF0") == normalise("WM-7K3Q-9XPM-2DFO")
    assert normalise("1111-1111-1111") == normalise("IIII-LLLL-iiii")
    for nonsense in ("", "WM", "7K3Q9XPM2DF", "7K3Q9XPM2DFAB", "7K3Q9XPM2DFU", "🎓" * 12):
        assert normalise(nonsense) is None


def test_new_codes_differ_and_read_back() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == CODE_LENGTH
        assert normalise(shown_code(code)) == code


def test_a_long_name_with_diacritics_fits_the_page_and_reads_back() -> None:
    assert len(LONG_NAME) == 100
    lines, size = name_lines(LONG_NAME)
    assert 1 < len(lines) <= 3
    assert size >= 16
    assert " ".join(lines) == LONG_NAME
    pdf = render_certificate(document(LONG_NAME), "https://t.me/wijkbot?start=verify-X")
    text = text_of(pdf)
    for word in LONG_NAME.split():
        assert word in text
    assert "WM-7K3Q-9XPM-2DFA" in text
    assert "Uitgereikt op 19 juni 2025" in text
    assert b"/FontFile2" in pdf  # the TrueType font is embedded, not referred to


def test_a_short_name_stays_on_one_large_line() -> None:
    lines, size = name_lines("Jo Ek")
    assert lines == ["Jo Ek"]
    assert size == 32
    assert name_lines("W" * 400)[1] <= 10  # no spaces at all: set small, never off the page
    assert all(line for line in name_lines("W" * 400)[0])


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    built = build_services(Settings(database={"url": database_url}, coordinators=[1]))
    await built.database.upgrade()
    yield built
    await built.close()


async def test_two_confirmations_at_once_issue_one_certificate(services: Services) -> None:
    moment = amsterdam(2025, 6, 12, 9, 0)
    (anna,) = await add_participants(services.database, [100001], names=["Anna de Vries"],
                                     since=moment)
    certificates = services.certificates
    refused = await certificates.confirm(anna, 1, moment)
    assert refused.outcome is Outcome.NOT_MET  # no module attended: the rule is out of reach
    early = amsterdam(2024, 9, 1, 9, 0)  # before module 1 nothing is missed yet
    assert (await certificates.confirm(anna, 1, early)).outcome is Outcome.NO_ASSIGNMENT
    await certificates.set_assignment([anna], True, 1, early)
    first, second = await asyncio.gather(
        certificates.confirm(anna, 1, early), certificates.confirm(anna, 1, early)
    )
    assert sorted([first.outcome, second.outcome]) == [Outcome.ALREADY, Outcome.ISSUED]
    issued = first.certificate or second.certificate
    assert issued is not None
    assert (await certificates.verify(issued.code)) == issued
    assert (await certificates.revoke(anna, early)) is not None
    assert await certificates.verify(issued.code) is None
    assert await certificates.revoke(anna, early) is None  # revoked once


async def test_the_review_is_due_once_from_its_moment_until_the_module_ends(
    services: Services,
) -> None:
    certificates, nine = services.certificates, dt.time(9, 0)
    assert await certificates.review_due(amsterdam(2025, 6, 12, 8, 59), 7, nine) is None
    # Never sent, but the module is over: too late for a review.
    assert await certificates.review_due(amsterdam(2025, 6, 19, 20, 0), 0, nine) is None
    due = await certificates.review_due(amsterdam(2025, 6, 12, 9, 0), 7, nine)
    assert due is not None
    assert due.key == "module-10"
    assert await certificates.claim_review(due.key, amsterdam(2025, 6, 12, 9, 0))
    assert not await certificates.claim_review(due.key, amsterdam(2025, 6, 12, 9, 5))
    assert await certificates.review_due(amsterdam(2025, 6, 13, 9, 0), 7, nine) is None
