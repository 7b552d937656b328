"""Registering through the fake Telegram: buttons, typed answers, wrong answers, restarts."""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

import pytest
import time_machine
from telegram import Bot

from bot.config import Settings
from bot.models import ParticipantStatus
from bot.services.registry import SERVICES_KEY
from scheduling.delivery import DELIVERER_KEY, Deliverer
from scheduling.pending_sweep import sweep
from tests.conftest import PARTICIPANT_ID, RunningBot, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser

CONSENT = "Ja, dat is goed"
CONFIRM = "✅ Klopt, aanmelden"


async def tap(user: SimulatedUser, message: FakeMessage, button: str) -> FakeMessage:
    """Tap a button, check the tap is answered, and return the bot's next message."""
    callback = await user.tap(message, button)
    await user.callback_answer(callback)
    return await user.next_message()


def flat(message: FakeMessage) -> list[str]:
    return [text for row in message.buttons() for text in row]


async def register_to_summary(user: SimulatedUser, years: str = "3") -> FakeMessage:
    """Answer every question (name from the profile, a gemeente in Groningen)."""
    message = await user.ask("/aanmelden")
    message = await tap(user, message, CONSENT)
    message = await tap(user, message, flat(message)[0])
    message = await tap(user, message, "gemeente")
    assert "Hoe heet de organisatie" in message.content
    message = await user.ask("Gemeente Groningen")
    message = await tap(user, message, "Ja")
    await user.ask(years)
    return await user.ask("sanne@example.nl")


async def test_a_full_registration_with_buttons(bot: RunningBot) -> None:
    coordinator = bot.coordinator
    user = bot.fake.user(PARTICIPANT_ID, first_name="Sanne", last_name="de Vries")
    intro = await user.ask("/aanmelden")
    assert "Aanmelden voor de Leergang Wijkontwikkeling 2024-2025" in intro.content
    assert "/privacy" in intro.content
    assert flat(intro) == [CONSENT, "Nee, liever niet"]
    name = await tap(user, intro, CONSENT)
    assert "Wat is je naam?" in name.content
    assert flat(name) == ["Sanne de Vries"]
    organisation = await tap(user, name, "Sanne de Vries")
    assert flat(organisation) == [
        "woningcorporatie",
        "gemeente",
        "welzijnsorganisatie",
        "WIJ-team",
        "gezondheidscentrum",
        "cultuurcoach",
        "politie",
        "bewoner / wijkinitiatief",
        "anders",
    ]
    assert all(len(data or "") <= 64 for row in organisation.button_data() for data in row)
    organisation_name = await tap(user, organisation, "woningcorporatie")
    assert "Hoe heet de organisatie" in organisation_name.content
    groningen = await user.ask("Lefier")
    assert "Ben je actief in de gemeente Groningen?" in groningen.content
    years = await tap(user, groningen, "Ja")
    assert "Hoeveel jaar relevante (werk)ervaring" in years.content
    email = await user.ask("drie")
    assert flat(email) == ["Overslaan"]
    summary = await tap(user, email, "Overslaan")
    assert "Klopt dit?" in summary.content
    for line in (
        "Naam: Sanne de Vries",
        "Organisatie: Lefier (woningcorporatie)",
        "Actief in de gemeente Groningen: ja",
        "Relevante (werk)ervaring: 3 jaar",
        "E-mail: niet opgegeven",
    ):
        assert line in summary.content
    done = await tap(user, summary, CONFIRM)
    assert "Dank je wel, Sanne de Vries! Je aanmelding is binnen." in done.content
    assert "past de leergang bij je" in done.content
    assert "Je bent actief in de gemeente Groningen." in done.content
    assert "tussen de 1 en 5 jaar" in done.content
    assert "de bot wijst niemand af" in done.content
    stored = await bot.services.participants.by_telegram_id(PARTICIPANT_ID)
    assert stored is not None
    assert stored.status is ParticipantStatus.PENDING
    assert (stored.name, stored.organisation_name, stored.experience_years) == (
        "Sanne de Vries",
        "Lefier",
        3,
    )
    notice = await coordinator.next_message()
    assert f"Nieuwe aanmelding #{stored.id}" in notice.content
    assert "Sanne de Vries" in notice.content
    assert flat(notice) == ["✅ Toelaten", "❌ Afwijzen"]
    # Applying again shows the status instead of a second application.
    again = await user.ask("/aanmelden")
    assert "Je hebt je al aangemeld" in again.content
    assert not again.buttons()


async def test_every_kind_of_wrong_input_ends_in_a_correct_application(
    bot: RunningBot,
) -> None:
    user = bot.fake.user(PARTICIPANT_ID, first_name="🌻")
    intro = await user.ask("/aanmelden")
    repeat = await user.ask("ja hoor")
    assert "Kies een van de knoppen" in repeat.content
    assert CONSENT in flat(repeat)
    # A double tap: both taps arrive before the bot has handled the first one.
    first = await user.tap(intro, CONSENT)
    second = await user.tap(intro, CONSENT)
    await user.callback_answer(first)
    late = await user.callback_answer(second)
    assert late.get("text") == "Die vraag is al beantwoord."
    name = await user.next_message()
    assert "Typ je voor- en achternaam" in name.content  # an emoji name is not suggested
    assert not name.buttons()
    await user.expect_no_message()
    too_long = await user.ask("Sanne" * 800)
    assert "hoogstens 100 tekens" in too_long.content
    assert "Wat is je naam?" in too_long.content
    emoji = await user.ask("Sanne 🌻")
    assert "alleen letters" in emoji.content
    organisation = await user.ask("Sanne <b>de</b> Vries")
    assert "alleen letters" in organisation.content
    organisation = await user.ask("Sanne de Vries")
    chosen = await user.ask("een bakkerij")
    assert "Kies een van de knoppen" in chosen.content
    assert "gemeente" in flat(chosen)
    other = await tap(user, chosen, "anders")
    assert "Wat voor organisatie is het?" in other.content
    name_of_organisation = await user.ask("🎨🎨🎨")
    assert "geen letters" in name_of_organisation.content
    name_of_organisation = await user.ask("kunstenaarscollectief")
    await user.ask("Atelier <Noord> & Co")
    repeat = await user.ask("soms")
    assert "Kies een van de knoppen" in repeat.content
    await user.ask("ja")
    for wrong, hint in (
        ("-3", "Minder dan nul jaar kan niet"),
        ("250", "Dat lijkt me wat veel"),
        ("heel lang", "Dat begreep ik niet helemaal"),
        ("🌻", "Dat begreep ik niet helemaal"),
    ):
        answer = await user.ask(wrong)
        assert hint in answer.content, wrong
        assert "Hoeveel jaar" in answer.content
    await user.ask("ruim 6")
    invalid = await user.ask("sanne@gemeente")
    assert "geen geldig e-mailadres" in invalid.content
    assert flat(invalid) == ["Overslaan"]
    summary = await user.ask("Sanne@Voorbeeld.NL")
    assert "E-mail: Sanne@voorbeeld.nl" in summary.content
    assert "Organisatie: Atelier <Noord> & Co (kunstenaarscollectief)" in summary.content
    assert "&lt;" in (summary.html or "")
    done = await tap(user, summary, CONFIRM)
    assert "past mogelijk" in done.content
    assert "6 jaar relevante (werk)ervaring" in done.content
    assert "zeker ook ruimte voor deelnemers met enige ervaring" in done.content
    assert "staat niet in het rijtje" in done.content
    stored = await bot.services.participants.by_telegram_id(PARTICIPANT_ID)
    assert stored is not None
    assert stored.name == "Sanne de Vries"
    assert stored.organisation_type == "kunstenaarscollectief"
    assert stored.organisation_name == "Atelier <Noord> & Co"
    assert stored.experience_years == 6
    assert stored.email == "Sanne@voorbeeld.nl"
    assert stored.fits is False


async def test_changing_an_answer_from_the_summary(bot: RunningBot) -> None:
    user = bot.user()
    summary = await register_to_summary(user, years="3")
    change = await tap(user, summary, "✏️ Wijzigen")
    assert "Wat wil je wijzigen?" in change.content
    years = await tap(user, change, "Ervaring")
    assert "Hoeveel jaar" in years.content
    summary = await user.ask("7")
    assert "Relevante (werk)ervaring: 7 jaar" in summary.content
    assert "Organisatie: Gemeente Groningen (gemeente)" in summary.content
    done = await tap(user, summary, CONFIRM)
    assert "past mogelijk" in done.content


async def test_not_in_groningen_is_a_possible_fit_with_the_reason(bot: RunningBot) -> None:
    user = bot.user()
    intro = await user.ask("/aanmelden")
    name = await tap(user, intro, CONSENT)
    organisation = await tap(user, name, "Sanne")
    initiative = await tap(user, organisation, "bewoner / wijkinitiatief")
    assert "wijkinitiatief" in initiative.content
    groningen = await user.ask("Buurtkracht Assen")
    await tap(user, groningen, "Nee")
    email = await user.ask("2")
    summary = await tap(user, email, "Overslaan")
    done = await tap(user, summary, CONFIRM)
    assert "De leergang past mogelijk bij je" in done.content
    assert "Je bent niet actief in de gemeente Groningen" in done.content
    assert "als bewoner betrokken bij wijkinitiatieven" in done.content
    assert "wijst niemand af" in done.content


async def test_cancel_at_any_step_and_decline_consent(bot: RunningBot) -> None:
    user = bot.user()
    intro = await user.ask("/aanmelden")
    declined = await tap(user, intro, "Nee, liever niet")
    assert "ik heb niets bewaard" in declined.content
    await user.ask("/aanmelden")
    name = await tap(user, user.messages()[-1], CONSENT)
    await tap(user, name, "Sanne")
    stopped = await user.ask("/annuleren")
    assert "Je aanmelding is gestopt" in stopped.content
    assert not await bot.services.registration.has_draft(PARTICIPANT_ID)
    nothing = await user.ask("/annuleren")
    assert "niet bezig met aanmelden" in nothing.content
    # Text after cancelling goes to the normal handlers again, not to the questions.
    free = await user.ask("Lefier")
    assert "Kies een van de knoppen" not in free.content


async def test_other_commands_during_registration_keep_the_answers(bot: RunningBot) -> None:
    user = bot.user()
    intro = await user.ask("/aanmelden")
    name = await tap(user, intro, CONSENT)
    await tap(user, name, "Sanne")
    programme = await user.ask("/programma")
    assert "Module 4" in programme.content
    resumed = await user.ask("/aanmelden")
    assert "We gaan verder waar je was" in resumed.content
    question = await user.next_message()
    assert "Bij wat voor organisatie werk je?" in question.content


async def test_an_abandoned_registration_times_out_politely(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    typing = bot.user()
    tapping = bot.user(PARTICIPANT_ID + 1, first_name="Piet")
    await tap(typing, await typing.ask("/aanmelden"), CONSENT)
    name = await tap(tapping, await tapping.ask("/aanmelden"), CONSENT)
    frozen_time.shift(dt.timedelta(minutes=61))
    reply = await typing.ask("Sanne de Vries")
    assert "omdat ik een tijdje niets van je hoorde" in reply.content
    assert "Stuur dan /aanmelden" in reply.content
    late = await tap(tapping, name, "Piet")
    assert "omdat ik een tijdje niets van je hoorde" in late.content
    assert not await bot.services.registration.has_draft(PARTICIPANT_ID)
    assert not await bot.services.registration.has_draft(PARTICIPANT_ID + 1)
    # From now on their text goes to the normal handlers again.
    free = await typing.ask("Lefier")
    assert "Bij wat voor organisatie" not in free.content
    assert "omdat ik een tijdje" not in free.content


async def test_the_timeout_job_tells_people_without_waiting_for_their_next_message(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    user = bot.user()
    await tap(user, await user.ask("/aanmelden"), CONSENT)
    frozen_time.shift(dt.timedelta(minutes=30))
    async with Bot(
        bot.fake.token, base_url=bot.fake.base_url, request=bot.fake.ptb_request()
    ) as tg:
        application = SimpleNamespace(
            bot=tg, bot_data={SERVICES_KEY: bot.services, DELIVERER_KEY: Deliverer(tg)}
        )
        assert await sweep(application) == 0  # type: ignore[arg-type]
        frozen_time.shift(dt.timedelta(minutes=31))
        assert await sweep(application) == 1  # type: ignore[arg-type]
    told = await user.next_message()
    assert "omdat ik een tijdje niets van je hoorde" in told.content
    assert not await bot.services.registration.has_draft(PARTICIPANT_ID)


async def test_a_restart_in_the_middle_loses_no_answers(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    user = fake.user(PARTICIPANT_ID, first_name="Sanne")
    async with run_bot(fake, settings):
        intro = await user.ask("/aanmelden")
        name = await tap(user, intro, CONSENT)
        organisation = await tap(user, name, "Sanne")
        organisation_name = await tap(user, organisation, "politie")
        groningen = await user.ask("Politie Noord-Nederland")
    async with run_bot(fake, settings) as restarted:
        years = await tap(user, groningen, "Ja")
        assert "Hoeveel jaar" in years.content
        await user.ask("1")
        summary = await user.ask("overslaan")
        assert "Organisatie: Politie Noord-Nederland (politie)" in summary.content
        done = await tap(user, summary, CONFIRM)
        assert "Je aanmelding is binnen" in done.content
        stored = await restarted.services.participants.by_telegram_id(PARTICIPANT_ID)
        assert stored is not None
        assert stored.organisation_name == "Politie Noord-Nederland"
    assert organisation_name.content


async def test_personal_data_does_not_reach_the_logs_above_debug(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    user = bot.fake.user(PARTICIPANT_ID, first_name="Geheimnaam", last_name="Privé")
    summary = await register_to_summary(user)
    await tap(user, summary, CONFIRM)
    invite = await bot.coordinator.ask("/uitnodiging")
    token = invite.content.split("start=invite_")[1].split()[0]
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG)
    for secret in ("Geheimnaam", "Privé", "sanne@example.nl", token):
        assert secret not in logged
