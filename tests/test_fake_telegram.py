"""The fake Telegram behaves like Telegram, driven by PTB's real Bot and Application."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
import telegram
import time_machine
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, Update
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.faketelegram import FakeTelegram, UploadedFile, sample_png, serve_on_loopback

USER = 4242


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def ptb(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    bot = telegram.Bot(
        fake.token,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        request=fake.ptb_request(),
        get_updates_request=fake.ptb_request(),
    )
    await bot.initialize()
    yield bot
    await bot.shutdown()


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(buttons)])


async def test_get_me_and_html_becomes_plain_text_with_utf16_entities(
    fake: FakeTelegram, ptb: telegram.Bot
) -> None:
    assert ptb.username == "wijkbot_test_bot"
    fake.user(USER)
    html = '👋 <b>Hallo</b> &amp; <a href="example.com">site</a>, zie /help'
    sent = await ptb.send_message(USER, html, parse_mode="HTML")
    assert sent.text == "👋 Hallo & site, zie /help"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 3, 5),
        ("text_link", 11, 4),
        ("bot_command", 21, 5),
    ]
    assert sent.entities[1].url == "http://example.com/"
    stored = fake.bot_messages(USER)[0]
    assert (stored.text, stored.html, stored.parse_mode) == (sent.text, html, "HTML")
    call = fake.calls_to("sendMessage")[0]
    assert call.params["chat_id"] == USER
    assert call.status == 200


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<x>hoi</x>", 'Unsupported start tag "x" at byte offset 0'),
        ("3 < 4", 'Unsupported start tag "" at byte offset 2'),
        ("<b>hoi", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>a</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("é</b>", "Unexpected end tag at byte offset 2"),
        ('<a href="x>y', "Unclosed start tag at byte offset 0"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_bad_html_is_rejected_like_telegram(
    fake: FakeTelegram, ptb: telegram.Bot, text: str, reason: str
) -> None:
    fake.user(USER)
    with pytest.raises(BadRequest):
        await ptb.send_message(USER, text, parse_mode="HTML")
    assert fake.calls[-1].description == f"Bad Request: can't parse entities: {reason}"
    assert fake.history(USER) == []


async def test_html_details_match_the_bot_api(fake: FakeTelegram, ptb: telegram.Bot) -> None:
    fake.user(USER)
    text = (
        '<pre><code class="language-py">x = 1</code></pre> &lt;&#128512;&gt; &nbsp;'
        "<blockquote expandable>q</blockquote><tg-spoiler>s</tg-spoiler>"
    )
    sent = await ptb.send_message(USER, text, parse_mode="HTML")
    assert sent.text == "x = 1 <😀> &nbsp;qs"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("pre", 0, 5),
        ("expandable_blockquote", 17, 1),
        ("spoiler", 18, 1),
    ]
    assert sent.entities[0].language == "py"


async def test_markdown_v2_reserved_characters(fake: FakeTelegram, ptb: telegram.Bot) -> None:
    fake.user(USER)
    with pytest.raises(BadRequest, match="reserved and must be escaped"):
        await ptb.send_message(USER, "Klaar.", parse_mode="MarkdownV2")
    sent = await ptb.send_message(USER, r"*Klaar*\. [zie](https://x.nl/a)", parse_mode="MarkdownV2")
    assert sent.text == "Klaar. zie"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 5),
        ("text_link", 7, 3),
    ]


async def test_length_and_emptiness_are_checked_after_parsing(
    fake: FakeTelegram, ptb: telegram.Bot
) -> None:
    fake.user(USER)
    await ptb.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await ptb.send_message(USER, "x" * 4095 + "😀")  # 4097 UTF-16 code units
    with pytest.raises(BadRequest, match="Message text is empty"):
        await ptb.send_message(USER, "")
    with pytest.raises(BadRequest, match="Text must be non-empty"):
        await ptb.send_message(USER, "<b> </b>\n", parse_mode="HTML")
    trimmed = await ptb.send_message(USER, "\n  hoi  \n")
    assert trimmed.text == "hoi"


async def test_chat_checks_unknown_blocked_and_not_started(
    fake: FakeTelegram, ptb: telegram.Bot
) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await ptb.send_message(777, "hoi")
    user = fake.user(USER)
    fake.block(USER)
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        await ptb.send_message(USER, "hoi")
    with pytest.raises(Forbidden):
        await ptb.send_chat_action(USER, "typing")
    user.unblock_bot()  # "Restart bot" in the app
    await user.send("/start")
    await ptb.send_message(USER, "welkom terug")
    blocked, unblocked, start = await ptb.get_updates()
    assert blocked.my_chat_member is not None
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
    assert unblocked.my_chat_member is not None
    assert unblocked.my_chat_member.new_chat_member.status == "member"
    assert start.message is not None
    stranger = fake.user(5151, started=False)
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await ptb.send_message(stranger.id, "hoi")


async def test_fail_next_injects_telegram_errors(
    fake: FakeTelegram, ptb: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.user(USER)
    fake.fail_next("sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await ptb.send_message(USER, "hoi")
    assert caught.value.retry_after == dt.timedelta(seconds=7)
    assert fake.calls[-1].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    fake.fail_next("sendMessage", status=400, chat_id=999, times=2)
    await ptb.send_message(USER, "andere chat: geen fout")
    fake.fail_next("sendMessage", network="timeout", after_processing=True)
    with pytest.raises(TimedOut):
        await ptb.send_message(USER, "verloren antwoord")
    assert fake.bot_messages(USER)[-1].text == "verloren antwoord"


async def test_get_updates_long_poll_wakes_when_a_user_sends(
    fake: FakeTelegram, ptb: telegram.Bot
) -> None:
    user = fake.user(USER, first_name="Sanne")
    poll = asyncio.create_task(ptb.get_updates(timeout=30))
    await fake.wait_until(lambda: fake.waiting_polls == 1, what="a waiting poll")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await user.send("/start@wijkbot_test_bot hoi")
    updates = await asyncio.wait_for(poll, 5)
    assert loop.time() - started < 1
    message = updates[0].message
    assert message is not None
    assert message.text == "/start@wijkbot_test_bot hoi"
    assert message.entities == (MessageEntity("bot_command", 0, 23),)
    assert message.from_user is not None
    assert message.from_user.first_name == "Sanne"


async def test_offsets_confirm_updates(fake: FakeTelegram, ptb: telegram.Bot) -> None:
    user = fake.user(USER)
    for text in ("een", "twee", "drie"):
        await user.send(text)
    first = await ptb.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["een", "twee"]
    rest = await ptb.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["drie"]
    assert await ptb.get_updates(offset=rest[-1].update_id + 1) == ()


async def test_second_poller_ends_the_first_with_conflict(
    fake: FakeTelegram, ptb: telegram.Bot
) -> None:
    first = asyncio.create_task(ptb.get_updates(timeout=30))
    await fake.wait_until(lambda: fake.waiting_polls == 1)
    second = asyncio.create_task(ptb.get_updates(timeout=30))
    with pytest.raises(telegram.error.Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)
    await fake.user(USER).send("hoi")
    assert len(await asyncio.wait_for(second, 5)) == 1


async def test_callback_query_tap_and_single_answer(fake: FakeTelegram, ptb: telegram.Bot) -> None:
    user = fake.user(USER)
    markup = keyboard(
        InlineKeyboardButton("Ja", callback_data="answer:yes"),
        InlineKeyboardButton("Site", url="https://example.com"),
    )
    await ptb.send_message(USER, "Doe je mee?", reply_markup=markup)
    question = await user.next_message()
    assert question.buttons() == [["Ja", "Site"]]
    assert question.button_data() == [["answer:yes", None]]
    with pytest.raises(AssertionError, match="it can't be tapped"):
        await user.tap(question, "Site")
    with pytest.raises(AssertionError, match=r"buttons: \[\['Ja', 'Site'\]\]"):
        await user.tap(question, "Nee")
    query_id = await user.tap(question, "answer:yes")
    (update,) = await ptb.get_updates()
    query = update.callback_query
    assert query is not None
    assert query.id == query_id
    assert query.data == "answer:yes"
    assert query.message is not None
    assert query.message.message_id == question.message_id
    assert await ptb.answer_callback_query(query_id, text="Genoteerd")
    assert (await user.callback_answer(query_id))["text"] == "Genoteerd"
    with pytest.raises(BadRequest, match="Query is too old"):
        await ptb.answer_callback_query(query_id)


async def test_edits_and_deletes_change_the_history(fake: FakeTelegram, ptb: telegram.Bot) -> None:
    fake.user(USER)
    markup = keyboard(InlineKeyboardButton("Ok", callback_data="ok"))
    sent = await ptb.send_message(USER, "Versie 1", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await ptb.edit_message_text("Versie 1", USER, sent.message_id, reply_markup=markup)
    await ptb.edit_message_text("<i>Versie 2</i>", USER, sent.message_id, parse_mode="HTML")
    (stored,) = fake.history(USER)
    assert (stored.text, stored.edits, stored.buttons()) == ("Versie 2", 1, [])
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await ptb.edit_message_text("x", USER, 999)
    assert await ptb.delete_message(USER, sent.message_id)
    assert fake.history(USER) == []


async def test_document_upload_keeps_bytes_and_can_be_downloaded(
    fake: FakeTelegram, ptb: telegram.Bot
) -> None:
    user = fake.user(USER)
    data = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    sent = await ptb.send_document(
        USER, data, filename="rooster.ics", caption="<b>Rooster</b>", parse_mode="HTML"
    )
    upload = fake.calls_to("sendDocument")[0].params["document"]
    assert isinstance(upload, UploadedFile)
    assert upload.content == data
    assert sent.document is not None
    assert sent.document.file_name == "rooster.ics"
    assert sent.document.file_size == len(data)
    assert sent.caption == "Rooster"
    (stored,) = user.documents()
    assert stored.file_bytes == data
    downloaded = await (await ptb.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == data
    again = await ptb.send_document(USER, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id
    photo = await ptb.send_photo(USER, sample_png(1600, 900))
    assert [(p.width, p.height) for p in photo.photo][-1] == (1600, 900)
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await ptb.send_photo(USER, b"not an image")


async def test_set_my_commands_per_scope_and_language(
    fake: FakeTelegram, ptb: telegram.Bot
) -> None:
    fake.user(USER)
    await ptb.set_my_commands([("start", "Begin"), ("/help", " Hulp ")])
    await ptb.set_my_commands([("start", "Start")], language_code="en")
    await ptb.set_my_commands([("beheer", "Beheer")], scope=telegram.BotCommandScopeChat(USER))
    assert fake.commands["default"] == [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "Hulp"},
    ]
    assert set(fake.commands) == {"default", "default:en", f"chat:{USER}"}
    assert [c.command for c in await ptb.get_my_commands(language_code="en")] == ["start"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await ptb.set_my_commands([("Start", "Hoofdletters mogen niet")])
    with pytest.raises(BadRequest, match="Command description must be non-empty"):
        await ptb.set_my_commands([("start", " ")])
    assert await ptb.delete_my_commands(language_code="en")
    assert "default:en" not in fake.commands


async def test_unknown_method_and_wrong_token(fake: FakeTelegram, ptb: telegram.Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await ptb.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    assert [c.method for c in fake.unknown_calls] == ["sendTelepathy"]
    other = telegram.Bot("999:WRONG", base_url=fake.base_url, request=fake.ptb_request())
    with pytest.raises(InvalidToken):
        await other.initialize()
    assert fake.calls[-1].status == 401


async def test_enforce_limits_gives_429_like_telegram(
    fake: FakeTelegram, ptb: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.enforce_limits()
    for user_id in range(1, 32):
        fake.user(user_id)
    for user_id in range(1, 31):
        await ptb.send_message(user_id, "nieuws")
    with pytest.raises(RetryAfter):
        await ptb.send_message(31, "een te veel deze seconde")
    assert fake.limit_violations == 1
    fresh = FakeTelegram()
    fresh.enforce_limits()
    fresh.user(USER)
    async with telegram.Bot(
        fresh.token, base_url=fresh.base_url, request=fresh.ptb_request()
    ) as bot:
        for _ in range(3):
            await bot.send_message(USER, "snel")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(USER, "te snel voor één chat")
    assert caught.value.retry_after == dt.timedelta(seconds=3)


async def test_dates_follow_the_frozen_clock(fake: FakeTelegram, ptb: telegram.Bot) -> None:
    user = fake.user(USER)
    moment = dt.datetime(2024, 12, 10, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        sent = await ptb.send_message(USER, "hoi")
        mine = await user.send("hallo")
    assert sent.date == moment
    assert mine.date == int(moment.timestamp())


Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


@asynccontextmanager
async def polling_application(fake: FakeTelegram, handler: Handler) -> AsyncIterator[None]:
    """A bare PTB application with one text handler, polling the fake and watched by it."""
    application = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .request(fake.ptb_request())
        .get_updates_request(fake.ptb_request())
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, handler))
    with fake.watch(application):
        await application.initialize()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0)
        await application.start()
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()


async def test_application_polling_echoes_to_a_simulated_user(fake: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        assert update.effective_message.text
        await update.effective_message.reply_text(update.effective_message.text, do_quote=True)

    user = fake.user(USER)
    async with polling_application(fake, echo):
        reply = await user.ask("Hallo Wijkbot")
        assert reply.text == "Hallo Wijkbot"
        assert reply.reply_to is not None
        assert reply.reply_to.text == "Hallo Wijkbot"
        await user.expect_no_message()


async def test_no_message_is_only_concluded_once_the_update_is_processed(
    fake: FakeTelegram,
) -> None:
    """A slow handler's late reply is caught: the check waits for the update, not a clock."""
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        started.set()
        await release.wait()
        await update.effective_message.reply_text("te laat")

    user = fake.user(USER)
    async with polling_application(fake, slow):
        await user.send("hallo")
        check = asyncio.create_task(user.expect_no_message())
        await started.wait()
        for _ in range(100):  # let the check run as far as it can, without a clock
            await asyncio.sleep(0)
        assert not fake.settled()
        assert not check.done()
        release.set()
        with pytest.raises(AssertionError, match="expected no bot message"):
            await check
        await fake.settle()
        assert fake.settled()


async def test_no_message_check_needs_a_watched_bot(fake: FakeTelegram) -> None:
    with pytest.raises(AssertionError, match="no running bot is watched"):
        await fake.user(USER).expect_no_message()


async def test_real_loopback_port(fake: FakeTelegram) -> None:
    user = fake.user(USER)
    async with serve_on_loopback(fake) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/bot")
        async with telegram.Bot(fake.token, base_url=base_url) as bot:
            assert (await bot.get_me()).username == fake.bot_username
            await bot.send_message(USER, "via een echte poort")
            poll = asyncio.create_task(bot.get_updates(timeout=20))
            await fake.wait_until(lambda: fake.waiting_polls == 1)
            await user.send("hoi")
            (update,) = await asyncio.wait_for(poll, 5)
            assert update.message is not None
            assert update.message.text == "hoi"
    assert (await user.next_message()).text == "via een echte poort"
