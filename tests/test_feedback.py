"""Module feedback: the question the morning after a module, the 1-5 buttons and a comment,
once per person across restarts; the coordinator's /feedback and its export."""

from __future__ import annotations

import csv
import io

import time_machine

from bot.config import FeedbackSettings, Settings
from bot.programme import SessionKind
from scheduling.feedback_jobs import send_due
from tests.conftest import PARTICIPANT_ID, RunningBot, amsterdam, make_settings, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser
from tests.test_announcements_support import replay
from tests.test_attendance_support import EARLY, MODULE_4, approve, code_now, excuse

MORNING_AFTER = amsterdam(2024, 12, 13, 9, 0)
COMMENT = "Heel leerzaam, wel een lange dag"


async def module_4_attended(bot: RunningBot, frozen_time: time_machine.Coordinates) -> None:
    """Sanne checks in at module 4; Piet stays away; Fatima sent an afmelding."""
    await approve(bot.services, PARTICIPANT_ID, "Sanne de Vries")
    await approve(bot.services, PARTICIPANT_ID + 1, "Piet Jansen")
    fatima = await approve(bot.services, PARTICIPANT_ID + 2, "Fatima Bakker")
    await excuse(bot.services.database, fatima, MODULE_4, "Op vakantie")
    frozen_time.move_to(EARLY)
    await bot.user().ask(f"/checkin {await code_now(bot.services)}")


async def sanne_scores(
    bot: RunningBot, frozen_time: time_machine.Coordinates, score: str
) -> tuple[SimulatedUser, FakeMessage]:
    """Module 4 as above, the question the morning after, and Sanne's score; returns Sanne
    and the bot's request for a comment."""
    await module_4_attended(bot, frozen_time)
    frozen_time.move_to(MORNING_AFTER)
    await send_due(bot.application)
    sanne = bot.user()
    await sanne.tap(await the_question(sanne), score)
    await sanne.next_message()  # thanks
    return sanne, await sanne.next_message()


async def the_question(user: SimulatedUser) -> FakeMessage:
    asked = await user.next_message()
    assert "Hoe was Module 4: Data-gedreven wijkvernieuwing" in asked.content
    return asked


async def test_who_was_there_is_asked_once_and_answers_once(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await module_4_attended(bot, frozen_time)
    sanne, piet = bot.user(), bot.user(PARTICIPANT_ID + 1, "Piet")
    fatima = bot.user(PARTICIPANT_ID + 2, "Fatima")
    frozen_time.move_to(amsterdam(2024, 12, 13, 8, 59))
    assert await send_due(bot.application) == 0  # not before the morning after
    frozen_time.move_to(MORNING_AFTER)
    assert await send_due(bot.application) == 1
    asked = await the_question(sanne)
    assert asked.buttons() == [["1", "2", "3", "4", "5"]]
    await piet.expect_no_message()
    await fatima.expect_no_message()

    await sanne.tap(asked, "4")
    assert "Je gaf Module 4: Data-gedreven wijkvernieuwing: Van Analyse tot Actie een 4" in (
        await sanne.next_message()).content
    prompt = await sanne.next_message()
    assert "zonder je naam" in prompt.content
    assert prompt.buttons() == [["Overslaan"]]
    assert "toelichting" in (await sanne.ask(COMMENT)).content
    # A second score, by a replayed button, changes nothing.
    again = await replay(sanne, asked, f"fb:{MODULE_4}:1")
    assert "al beoordeeld" in again["text"]
    # Text now is a question again, not a second comment.
    assert "toelichting" not in (await sanne.ask("Wanneer is module 5?")).content
    assert await send_due(bot.application) == 0
    await sanne.expect_no_message()

    summaries = await bot.services.feedback.summaries()
    assert [(s.session.key, s.asked, s.answers, s.average) for s in summaries] == [
        (MODULE_4, 1, 1, 4.0)
    ]
    assert [g.comment for g in summaries[0].comments] == [COMMENT]


async def test_a_restart_sends_no_question_twice_and_old_modules_none(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as bot:
        await module_4_attended(bot, frozen_time)
        frozen_time.move_to(MORNING_AFTER)
        assert await send_due(bot.application) == 1
        await the_question(bot.user())
    async with run_bot(fake, settings) as bot:
        assert await send_due(bot.application) == 0
        await bot.user().expect_no_message()
        # Three days later a question that was never sent is not sent any more.
        frozen_time.move_to(amsterdam(2024, 12, 16, 9, 0))
        assert await bot.services.feedback.due(bot.services.now()) == []


async def test_only_someone_who_was_asked_can_answer(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await module_4_attended(bot, frozen_time)
    frozen_time.move_to(MORNING_AFTER)
    await send_due(bot.application)
    asked = await the_question(bot.user())
    piet = bot.user(PARTICIPANT_ID + 1, "Piet")
    forged = await replay(piet, asked, f"fb:{MODULE_4}:5")
    assert "niet (meer) voor jou" in forged["text"]
    nonsense = await replay(bot.user(), asked, f"fb:{MODULE_4}:9")
    assert "niet (meer) voor jou" in nonsense["text"]
    gone = await replay(bot.user(), asked, "fb:module-99:3")
    assert "niet (meer) voor jou" in gone["text"]
    skipped = await replay(piet, asked, f"fb:{MODULE_4}:x")  # no comment was asked of Piet
    assert "geen vraag om een toelichting" in skipped["text"]
    await piet.expect_no_message()
    assert (await bot.services.feedback.summaries())[0].answers == 0


async def test_the_coordinator_sees_scores_and_anonymous_comments_and_exports_them(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    coordinator = bot.coordinator
    empty = await coordinator.ask("/feedback")
    assert "nog geen feedback gevraagd" in empty.content
    assert "de ochtend erna om 09:00" in empty.content
    sanne, _ = await sanne_scores(bot, frozen_time, "5")
    await sanne.ask("=1+1 dit is geen formule")
    overview = await coordinator.ask("/feedback")
    assert "Van Analyse tot Actie (do 12 december 2024)" in overview.content
    assert "1 van 1 beantwoord · gemiddeld 5,0" in overview.content
    assert "• „=1+1 dit is geen formule”" in overview.content
    assert "Sanne" not in overview.content
    await coordinator.tap(overview, "📄 Exporteren (CSV en XLSX)")
    await bot.fake.wait_for_call("sendDocument", 2)
    csv_file, xlsx_file = coordinator.documents()[-2:]
    assert csv_file.file_bytes is not None
    assert xlsx_file.file_bytes is not None
    table = list(csv.reader(io.StringIO(csv_file.file_bytes.decode("utf-8-sig")), delimiter=";"))
    assert table == [
        ["Module", "Datum", "Cijfer", "Toelichting"],
        ["Module 4: Data-gedreven wijkvernieuwing: Van Analyse tot Actie", "12-12-2024", "5",
         "'=1+1 dit is geen formule"],
    ]
    assert xlsx_file.file_bytes.startswith(b"PK")


async def test_names_are_shown_when_the_setting_says_so(
    fake: FakeTelegram, database_url: str, frozen_time: time_machine.Coordinates
) -> None:
    settings = make_settings(fake, database_url, feedback={"show_names": True})
    async with run_bot(fake, settings) as bot:
        sanne, asked = await sanne_scores(bot, frozen_time, "3")
        assert "met je naam erbij" in asked.content
        await sanne.ask(COMMENT)
        overview = await bot.coordinator.ask("/feedback")
        assert f"• Sanne de Vries: „{COMMENT}”" in overview.content


def test_the_question_goes_out_the_morning_after_by_default() -> None:
    from zoneinfo import ZoneInfo

    from bot.programme import load_programme
    from bot.services.feedback import FeedbackService

    module = load_programme(None, ZoneInfo("Europe/Amsterdam")).modules[3]
    assert module.kind is SessionKind.MODULE

    def moment(**values: object) -> object:
        service = FeedbackService(None, None, None, FeedbackSettings(**values))  # type: ignore[arg-type]
        return service.moment(module)

    assert moment() == amsterdam(2024, 12, 13, 9, 0)
    assert moment(days_after=0) == amsterdam(2024, 12, 12, 19, 30)  # not before it ends
    assert moment(days_after=2, at="18:00") == amsterdam(2024, 12, 14, 18, 0)


async def test_my_data_shows_my_feedback_and_forget_me_keeps_only_the_score(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    sanne, _ = await sanne_scores(bot, frozen_time, "4")
    await sanne.ask(COMMENT)
    mine = await sanne.ask("/mijngegevens")
    assert "Feedback op modules" in mine.content
    assert f": 4 („{COMMENT}”)" in mine.content
    question = await sanne.ask("/vergeetmij")
    await sanne.tap(question, "Ja, wis mijn gegevens")
    assert "Je gegevens zijn gewist" in (await sanne.next_message()).content
    [summary] = await bot.services.feedback.summaries()
    assert [(g.score, g.comment) for g in summary.given] == [(4, None)]


def test_the_chart_splits_each_bar_by_score() -> None:
    from zoneinfo import ZoneInfo

    from PIL import Image

    from bot.programme import load_programme
    from bot.services.feedback import Given, ModuleSummary
    from bot.views.feedback_chart import SCORE_COLOURS, bar_point, render_chart

    modules = load_programme(None, ZoneInfo("Europe/Amsterdam")).modules
    summaries = [
        ModuleSummary(modules[0], 5, ()),  # asked, nobody answered: not drawn
        ModuleSummary(modules[1], 4, tuple(Given(s, None, None) for s in (5, 5, 5, 1))),
        ModuleSummary(modules[2], 2, (Given(3, "Goed", None),)),
    ]
    picture = Image.open(io.BytesIO(render_chart(summaries, "Feedback per module")))
    assert picture.width <= 1280
    assert picture.height <= 1280

    def colour(point: tuple[int, int]) -> str:
        red, green, blue = picture.convert("RGB").getpixel(point)  # type: ignore[misc]
        return f"#{red:02X}{green:02X}{blue:02X}"

    # Module 2: three fives, then one one (a quarter of the bar); module 3: all threes.
    assert colour(bar_point(0, 0.10)) == SCORE_COLOURS[1]
    assert colour(bar_point(0, 0.50)) == SCORE_COLOURS[5]
    assert colour(bar_point(0, 0.90)) == SCORE_COLOURS[5]
    assert colour(bar_point(1, 0.50)) == SCORE_COLOURS[3]


async def test_the_coordinator_gets_the_chart_under_feedback(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await sanne_scores(bot, frozen_time, "4")
    overview = await bot.coordinator.ask("/feedback")
    await bot.coordinator.tap(overview, "📊 Als grafiek")
    chart = await bot.coordinator.next_message()
    assert chart.photo is not None
    assert chart.file_bytes is not None
    assert chart.file_bytes.startswith(b"\x89PNG")
    assert "van 1 (rood) tot 5 (groen)" in (chart.caption or "")
