"""Certificates through the fake Telegram: the review list before module 10, marking the
eindopdracht, confirming one person or everyone, the PDF in the participant's chat,
/certificaat, /verifieer (and the QR code's link), revoking, and one-time buttons."""

from __future__ import annotations

import io
import re

import time_machine
from pypdf import PdfReader

from bot.config import Settings
from bot.database import Database
from bot.models import Attendance
from bot.services.groups import GroupKind
from scheduling.certificate_jobs import send_review
from tests.conftest import PARTICIPANT_ID, RunningBot, amsterdam, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser
from tests.test_announcements_support import replay, tap, tap_and_wait
from tests.test_attendance_support import approve, excuse

REVIEW_MOMENT = amsterdam(2025, 6, 12, 9, 0)  # a week before module 10 (19 June 2025)
ANNA, BRAM, CARLA, DIRK = (PARTICIPANT_ID + n for n in range(4))
STRANGER = 700123
CODE = re.compile(r"WM-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


async def attended(database: Database, participant_id: int, modules: range) -> None:
    """Present at these modules, as a check-in records it."""
    async with database.transaction() as session:
        session.add_all(
            Attendance(participant_id=participant_id, session_key=f"module-{n}",
                       status="present", method="code", checked_in_at=REVIEW_MOMENT,
                       updated_at=REVIEW_MOMENT)
            for n in modules
        )


async def course(bot: RunningBot, frozen_time: time_machine.Coordinates) -> dict[str, int]:
    """Anna and Dirk came to modules 1-9; Bram missed module 9 with an afmelding; Carla
    missed modules 8 and 9 without one. The clock stands a week before module 10."""
    svc = bot.services
    for person in (ANNA, BRAM, CARLA, DIRK):  # each has a private chat with the bot
        await bot.user(person).ask("/start")
    ids = {
        "anna": await approve(svc, ANNA, "Anna de Vries"),
        "bram": await approve(svc, BRAM, "Bram Bakker"),
        "carla": await approve(svc, CARLA, "Carla Çelik"),
        "dirk": await approve(svc, DIRK, "Dirk ’t Hart"),
    }
    await attended(svc.database, ids["anna"], range(1, 10))
    await attended(svc.database, ids["dirk"], range(1, 10))
    await attended(svc.database, ids["bram"], range(1, 9))
    await excuse(svc.database, ids["bram"], "module-9", "Ziek")
    await attended(svc.database, ids["carla"], range(1, 8))
    frozen_time.move_to(REVIEW_MOMENT)
    return ids


def pdf_text(message: FakeMessage) -> str:
    assert message.file_bytes is not None
    assert message.file_bytes.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(message.file_bytes)).pages
    return "\n".join(page.extract_text() for page in pages)


async def person_page(coordinator: SimulatedUser, name: str) -> FakeMessage:
    listing = await coordinator.ask("/certificaten")
    button = next(text for row in listing.buttons() for text in row if name in text)
    await tap_and_wait(coordinator, listing, button)
    return listing


async def issue_to_anna(bot: RunningBot) -> tuple[FakeMessage, str]:
    """The coordinator ticks Anna's eindopdracht and confirms; returns Anna's PDF and code."""
    page = await person_page(bot.coordinator, "Anna de Vries")
    await tap_and_wait(bot.coordinator, page, "📝 Eindopdracht af")
    await tap_and_wait(bot.coordinator, page, "🎓 Certificaat toekennen")
    document = await bot.user(ANNA).next_message()
    found = CODE.search(document.caption or "")
    assert found is not None
    return document, found.group()


async def test_the_review_comes_once_a_week_before_module_10_with_everyone_in_place(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as bot:
        await bot.coordinator.ask("/start")
        await course(bot, frozen_time)
        frozen_time.move_to(amsterdam(2025, 6, 12, 8, 59))
        assert await send_review(bot.application) == 0
        frozen_time.move_to(REVIEW_MOMENT)
        assert await send_review(bot.application) == 1
        review = await bot.coordinator.next_message()
        text = review.content
        assert "De afsluitende module komt eraan" in text
        assert "Module 10: Eindpresentaties, donderdag 19 juni 2025" in text
        meets, judge, not_met = (text.index(h) for h in (
            "Voldoen aan de aanwezigheidseis (2)", "afmeldingen accepteert (1)",
            "Voldoen niet (1)"))
        assert meets < text.index("Anna de Vries: 9 van 10, nog 1 te gaan") < judge
        assert judge < text.index("Bram Bakker: 8 van 10, 1 afgemeld, nog 1 te gaan") < not_met
        assert not_met < text.index("Carla Çelik: 7 van 10")
        assert "eindopdracht nog niet af" in text
        assert ["📝 Anna de Vries", "⚖️ Bram Bakker"] in review.buttons()
        assert await send_review(bot.application) == 0
    async with run_bot(fake, settings) as bot:  # a restart: the list does not come again
        assert await send_review(bot.application) == 0
        await bot.coordinator.expect_no_message()


async def test_one_confirmation_sends_one_pdf_that_says_who_and_verifies(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await course(bot, frozen_time)
    page = await person_page(bot.coordinator, "Anna de Vries")
    assert "Voldoet, mits aanwezig bij de laatste module" in page.content
    assert "🎓 Certificaat toekennen" not in str(page.buttons())  # eindopdracht first
    await tap_and_wait(bot.coordinator, page, "📝 Eindopdracht af")
    confirm = page.button_data()[1][0]
    await tap_and_wait(bot.coordinator, page, "🎓 Certificaat toekennen")
    anna = bot.user(ANNA)
    document = await anna.next_message()
    assert "Gefeliciteerd, Anna de Vries!" in (document.caption or "")
    code = CODE.search(document.caption or "")
    assert code is not None
    text = pdf_text(document)
    assert "Anna de Vries" in text
    assert code.group() in text
    assert "Leergang Wijkontwikkeling 2024-2025" in text
    assert "19 september 2024 – 19 juni 2025" in text
    assert "Uitgereikt op 12 juni 2025" in text
    assert f"toegekend en verstuurd (code {code.group()})" in (
        await bot.coordinator.next_message()).content
    # The same button again (a double tap, or an old message): nothing is sent twice.
    assert confirm is not None
    again = await replay(bot.coordinator, page, confirm)
    assert "al een geldig certificaat" in again["text"]
    await anna.expect_no_message()
    assert len(anna.documents()) == 1

    stranger = bot.user(STRANGER, "Ina")
    valid = await stranger.ask(f"/verifieer {code.group()}")
    assert "Dit certificaat is echt" in valid.content
    assert "Naam: Anna de Vries" in valid.content
    assert "Uitgereikt op: donderdag 12 juni 2025" in valid.content
    sloppy = code.group().lower().replace("-", " ").replace("wm ", "")
    assert "Dit certificaat is echt" in (await stranger.ask(f"/verifieer {sloppy}")).content
    link = await stranger.ask(f"/start verify-{code.group().replace('-', '')[2:]}")
    assert "Naam: Anna de Vries" in link.content


async def test_a_wrong_code_shows_nothing_and_no_code_explains_itself(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await course(bot, frozen_time)
    await issue_to_anna(bot)
    stranger = bot.user(STRANGER, "Ina")
    for wrong in ("WM-0000-0000-0000", "hallo", "WM-7K3Q", "<b>x</b>" * 30):
        answer = await stranger.ask(f"/verifieer {wrong}")
        assert "hoort niet bij een geldig certificaat" in answer.content
        assert "Anna" not in answer.content
    usage = await stranger.ask("/verifieer")
    assert "/verifieer WM-7K3Q-9XPM-2DFA" in usage.content


async def test_afmeldingen_are_the_coordinators_call_and_the_rule_is_kept(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    ids = await course(bot, frozen_time)
    coordinator = bot.coordinator
    page = await person_page(coordinator, "Bram Bakker")
    assert "dat beslis jij" in page.content
    await tap_and_wait(coordinator, page, "📝 Eindopdracht af")
    await tap_and_wait(coordinator, page, "🎓 Certificaat toekennen")
    assert "Gefeliciteerd, Bram Bakker" in ((await bot.user(BRAM).next_message()).caption or "")

    carla = await person_page(coordinator, "Carla Çelik")
    assert "Voldoet niet aan de aanwezigheidseis" in carla.content
    assert not any("toekennen" in text for row in carla.buttons() for text in row)
    forged = await replay(coordinator, carla, f"crt:ok:{ids['carla']}")
    assert "voldoet niet aan de aanwezigheidseis" in forged["text"]
    no_assignment = await replay(coordinator, carla, f"crt:ok:{ids['dirk']}")
    assert "Vink eerst de eindopdracht van Dirk ’t Hart af" in no_assignment["text"]
    await bot.user(CARLA).expect_no_message()
    await bot.user(DIRK).expect_no_message()


async def test_a_groepje_is_ticked_at_once_and_everyone_ready_confirmed_once(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    ids = await course(bot, frozen_time)
    groups = bot.services.groups
    group = await groups.create(GroupKind.EINDOPDRACHT, "De Wijkwerkers", bot.services.now())
    for name in ("anna", "dirk"):
        await groups.toggle(group.id, ids[name], bot.services.now())
    coordinator = bot.coordinator
    listing = await coordinator.ask("/certificaten")
    await tap_and_wait(coordinator, listing, "📝 De Wijkwerkers: eindopdracht af")
    assert listing.buttons()[0] == ["🎓 Alle 2 bevestigen"]
    await tap_and_wait(coordinator, listing, "🎓 Alle 2 bevestigen")
    assert "• Anna de Vries\n• Dirk ’t Hart" in listing.content
    yes = listing.button_data()[0][0]
    await tap(coordinator, listing, "✅ Ja, verstuur ze")
    assert "2 certificaten toegekend en verstuurd" in (await coordinator.next_message()).content
    for person in (ANNA, DIRK):
        assert (await bot.user(person).next_message()).document is not None
    assert yes is not None
    await replay(coordinator, listing, yes)
    assert "niemand meer te bevestigen" in (await coordinator.next_message()).content
    for person in (ANNA, DIRK, BRAM, CARLA):
        await bot.user(person).expect_no_message()


async def test_revoking_tells_the_holder_and_the_old_code_stops_verifying(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await course(bot, frozen_time)
    _, code = await issue_to_anna(bot)
    coordinator = bot.coordinator
    await coordinator.next_message()  # "toegekend en verstuurd"
    page = await person_page(coordinator, "Anna de Vries")
    await tap_and_wait(coordinator, page, "🚫 Intrekken")
    assert f"De code {code} is daarna niet meer geldig" in page.content
    await tap(coordinator, page, "🚫 Ja, intrekken")
    assert "heeft daar bericht van gekregen" in (await coordinator.next_message()).content
    anna = bot.user(ANNA)
    assert "is ingetrokken" in (await anna.next_message()).content
    assert "ingetrokken door de coördinator" in (await anna.ask("/certificaat")).content
    stranger = bot.user(STRANGER, "Ina")
    assert "niet bij een geldig" in (await stranger.ask(f"/verifieer {code}")).content
    # Issued again: a new code, which verifies; the old one still does not.
    page = await person_page(coordinator, "Anna de Vries")
    await tap_and_wait(coordinator, page, "🎓 Opnieuw toekennen (nieuwe code)")
    renewed = CODE.search((await anna.next_message()).caption or "")
    assert renewed is not None
    assert renewed.group() != code
    assert "echt" in (await stranger.ask(f"/verifieer {renewed.group()}")).content
    assert "niet bij een geldig" in (await stranger.ask(f"/verifieer {code}")).content


async def test_certificaat_sends_it_again_or_says_where_you_stand(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await course(bot, frozen_time)
    anna = bot.user(ANNA)
    before = await anna.ask("/certificaat")
    assert "nog geen certificaat" in before.content
    assert "op donderdag 19 juni 2025" in before.content
    stranger = await bot.user(STRANGER, "Ina").ask("/certificaat")
    assert "geen toegelaten deelnemer" in stranger.content
    _, code = await issue_to_anna(bot)
    again = await anna.ask("/certificaat")
    assert again.document is not None
    assert code in pdf_text(again)
    assert f"/verifieer {code}" in (again.caption or "")


async def test_a_blocked_participant_gets_it_later_with_certificaat(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await course(bot, frozen_time)
    anna = bot.user(ANNA)
    anna.block_bot()
    page = await person_page(bot.coordinator, "Anna de Vries")
    await tap_and_wait(bot.coordinator, page, "📝 Eindopdracht af")
    await tap_and_wait(bot.coordinator, page, "🎓 Certificaat toekennen")
    assert "kon het niet bezorgen" in (await bot.coordinator.next_message()).content
    assert "Nog niet bezorgd" in page.content
    anna.unblock_bot()
    assert (await anna.ask("/certificaat")).document is not None


async def test_forgetting_removes_the_certificate_and_its_code(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await course(bot, frozen_time)
    _, code = await issue_to_anna(bot)
    anna = bot.user(ANNA)
    mine = await anna.ask("/mijngegevens")
    assert f"code {code}" in mine.content
    confirm = await anna.ask("/vergeetmij")
    await tap(anna, confirm, "Ja, wis mijn gegevens")
    await anna.next_message()
    assert "niet bij een geldig" in (
        await bot.user(STRANGER, "Ina").ask(f"/verifieer {code}")).content
    listing = await bot.coordinator.ask("/certificaten")
    assert "Anna" not in listing.content
    assert "Dirk ’t Hart" in listing.content


async def test_stale_or_forged_buttons_change_nothing(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await course(bot, frozen_time)
    listing = await bot.coordinator.ask("/certificaten")
    for data in ("crt:fa:999999:1", "crt:fa:99999999999999999999:1", "crt:ok:999999",
                 "crt:rv:999999", "crt:rvy:999999", "crt:fg:999999:1", "crt:zz:1", "crt:p"):
        await replay(bot.coordinator, listing, data)
    review = await bot.services.certificates.review(bot.services.now())
    assert not any(c.assignment_done or c.certificate for c in review.candidates)
    for person in (ANNA, BRAM, CARLA, DIRK):
        await bot.user(person).expect_no_message()
