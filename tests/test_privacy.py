"""/privacy, /mijngegevens and /vergeetmij through the fake Telegram."""

from __future__ import annotations

import datetime as dt
import json

import time_machine

from bot.models import ParticipantStatus
from bot.services.attendance_rules import Mark
from bot.services.groups import GroupKind
from tests.conftest import COORDINATOR_ID, PARTICIPANT_ID, RunningBot
from tests.test_announcements_support import compose, preview
from tests.test_attendance_support import START, approve, code_now
from tests.test_registration import CONFIRM, CONSENT, register_to_summary, tap


async def test_privacy_explains_what_why_how_long_who_and_how(bot: RunningBot) -> None:
    text = (await bot.user().ask("/privacy")).content
    for part in (
        "Wat",
        "je naam",
        "je e-mailadres als je dat opgeeft",
        "Waarom",
        "Om je aanmelding te beoordelen",
        "Hoe lang",
        "na 60 minuten zonder antwoord",
        "tot en met do 19 juni 2025",
        "Wie het ziet",
        "Alleen de coördinatoren van de Wijkmakers Academie Groningen",
        "/mijngegevens",
        "/vergeetmij",
        "alleen anoniem bewaard",
    ):
        assert part in text, part
    what = text.split("Waarom")[0]
    for part in (
        "Je aanwezigheid bij bijeenkomsten: wanneer en hoe je incheckte",
        "aanpassingen door de coördinator",
        "Welke herinneringen je aan- of uitzette, en welke herinneringen ik je stuurde.",
        "In welke groepen je zit",
        "Welke berichten van de coördinator voor je waren",
        "Je cijfers en toelichtingen bij de feedback op modules.",
        "Of je eindopdracht is afgerond, en je certificaat",
        "Je leerdoelen, je voortgang",
        "of je je Telegram-account met hen deelt",
    ):
        assert part in what, part
    assert ("/vergeetmij wist je persoonsgegevens, je herinneringen, je groepen, je "
            "leerdoelen met je notities, je toelichtingen bij de feedback en je certificaat "
            "(de code is daarna niet meer te verifiëren).") in text


async def test_my_data_shows_everything_and_sends_a_json_file(bot: RunningBot) -> None:
    user = bot.fake.user(PARTICIPANT_ID, first_name="Sanne", last_name="de Vries")
    nothing = await user.ask("/mijngegevens")
    assert nothing.content == "Ik heb niets over je opgeslagen."
    await user.ask("/start")
    await tap(user, await register_to_summary(user), CONFIRM)
    shown = await user.ask("/mijngegevens")
    for part in (
        f"Telegram-id: {PARTICIPANT_ID}",
        "Status: wacht op beoordeling door de coördinator",
        "Naam: Sanne de Vries",
        "Organisatie: Gemeente Groningen (gemeente)",
        "Relevante (werk)ervaring: 3 jaar",
        "E-mail: sanne@example.nl",
        "Toestemming gegeven: di 10 december 2024, 09:00",
    ):
        assert part in shown.content, part
    document = await user.next_message()
    assert document.document is not None
    assert document.document["file_name"] == "wijkbot-mijn-gegevens.json"
    assert document.file_bytes is not None
    data = json.loads(document.file_bytes)
    assert data["telegram_id"] == PARTICIPANT_ID
    assert data["participant"]["name"] == "Sanne de Vries"
    assert data["participant"]["email"] == "sanne@example.nl"
    assert data["contact"]["chat_id"] == PARTICIPANT_ID


async def test_my_data_during_registration_shows_the_answers_so_far(bot: RunningBot) -> None:
    user = bot.user()
    intro = await user.ask("/aanmelden")
    name = await tap(user, intro, CONSENT)
    await user.ask("Sanne Bakker")
    shown = await user.ask("/mijngegevens")
    assert "Aanmelding in uitvoering" in shown.content
    assert "Naam: Sanne Bakker" in shown.content
    assert name.content


async def test_forget_me_after_confirmation_and_register_again_as_new(bot: RunningBot) -> None:
    coordinator = bot.coordinator
    user = bot.user()
    nothing = await user.ask("/vergeetmij")
    assert "niets te wissen" in nothing.content
    await tap(user, await register_to_summary(user), CONFIRM)
    await tap(coordinator, await coordinator.next_message(), "✅ Toelaten")
    await user.next_message()
    before = await bot.services.participants.by_telegram_id(PARTICIPANT_ID)
    assert before is not None
    question = await user.ask("/vergeetmij")
    assert "Weet je het zeker?" in question.content
    kept = await tap(user, question, "Nee, toch niet")
    assert "niets gewist" in kept.content
    assert await bot.services.participants.by_telegram_id(PARTICIPANT_ID) is not None
    question = await user.ask("/vergeetmij")
    done = await tap(user, question, "Ja, wis mijn gegevens")
    assert "Je gegevens zijn gewist" in done.content
    notice = await coordinator.next_message()
    assert f"Deelnemer #{before.id} (✅ toegelaten)" in notice.content
    assert "anoniem" in notice.content
    row = await bot.services.participants.get(before.id)
    assert row is not None
    assert row.status is ParticipantStatus.FORGOTTEN
    assert (row.name, row.email, row.telegram_id, row.organisation_name) == (None,) * 4
    assert (await user.ask("/mijngegevens")).content == "Ik heb niets over je opgeslagen."
    listing = await coordinator.ask("/deelnemers")
    assert "Sanne" not in listing.content
    # Registering again works as for a new person.
    intro = await user.ask("/aanmelden")
    assert CONSENT in [text for row in intro.buttons() for text in row]
    await user.ask("/annuleren")
    await tap(user, await register_to_summary(user), CONFIRM)
    again = await bot.services.participants.by_telegram_id(PARTICIPANT_ID)
    assert again is not None
    assert again.id != before.id
    assert again.status is ParticipantStatus.PENDING


async def test_my_data_shows_attendance_reminders_groups_and_announcements(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    svc = bot.services
    user = bot.user()
    number = await approve(svc, PARTICIPANT_ID)
    before = (await user.ask("/mijngegevens")).content
    assert "Aanwezigheid" not in before
    assert "Groepen" not in before
    assert "• Vooraf, met onderwerp en voorbereiding: aan" in before  # approved: all on
    # The coordinator puts them in a group (a name that needs escaping) and sends a message.
    group = await svc.groups.create(GroupKind.INTERVISIE, "Noord <Oost> & Co", svc.now())
    await svc.groups.toggle(group.id, number, svc.now())
    coordinator = bot.coordinator
    question = await compose(coordinator, "Welkom bij de leergang!")
    _, control = await preview(coordinator, question, "Alle deelnemers (toegelaten)")
    callback = await coordinator.tap(control, "📨 Nu versturen")
    await coordinator.callback_answer(callback)
    await bot.fake.wait_until(
        lambda: any("Welkom bij de leergang" in m.content for m in user.messages()),
        what="the announcement",
    )
    # The participant switches one reminder off.
    menu = await user.ask("/herinneringen")
    callback = await user.tap(menu, "🔕 De dag ervoor: uitzetten")
    assert (await user.callback_answer(callback))["text"] == "Uitgezet."
    # Module 1 was set by hand; module 4 is a late check-in.
    await svc.attendance.correct(
        number, "module-1", Mark.PRESENT, "papieren lijst", by=COORDINATOR_ID, now=svc.now()
    )
    frozen_time.move_to(START + dt.timedelta(minutes=20))
    checked = await user.ask(f"/checkin {await code_now(svc)}")
    assert "Je bent ingecheckt" in checked.content

    text = (await user.ask("/mijngegevens")).content
    attendance = text.split("Aanwezigheid")[1]
    assert "• Module 1: Kennismaking" in attendance
    assert ": aanwezig (aangepast door de coördinator)" in attendance
    assert "• Module 4: Data-gedreven wijkvernieuwing: Van Analyse tot Actie: te laat" in attendance
    assert "papieren lijst" not in text  # the reason of a correction is only in the file
    for part in (
        "Herinneringen",
        "• Vooraf, met onderwerp en voorbereiding: aan",
        "• De dag ervoor: uit",
        "• Vlak voor de bijeenkomst: aan",
        "Groepen",
        "• Intervisiegroep Noord <Oost> & Co",
        "Berichten van de coördinator",
        "Voor je bestemd: 1, waarvan 1 aangekomen. Het laatste: di 10 december 2024, 09:00.",
    ):
        assert part in text, part
    assert text.index("Aanwezigheid") < text.index("Herinneringen") < text.index("Groepen")
    document = await user.next_message()
    assert document.document is not None
