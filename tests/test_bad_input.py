"""Odd input gets a short Dutch answer or is ignored, never an error."""

from __future__ import annotations

from tests.conftest import PARTICIPANT_ID, RunningBot


async def test_unknown_command_points_to_help(bot: RunningBot) -> None:
    reply = await bot.user().ask("/bestaatniet")
    assert reply.text == "Het commando /bestaatniet ken ik niet. Met /help zie je wat ik wel kan."


async def test_coordinator_commands_do_not_exist_for_participants(bot: RunningBot) -> None:
    user = bot.user()
    for command in ("status", "herladen"):
        reply = await user.ask(f"/{command}")
        assert reply.text == (
            f"Het commando /{command} ken ik niet. Met /help zie je wat ik wel kan."
        )


async def test_stickers_and_photos_get_a_kind_pointer(bot: RunningBot) -> None:
    user = bot.user()
    await user.send_sticker()
    sticker_reply = await user.next_message()
    assert sticker_reply.text is not None
    assert "alleen tekstberichten" in sticker_reply.text
    await user.send_photo(caption="kijk")
    photo_reply = await user.next_message()
    assert photo_reply.text is not None
    assert "alleen tekstberichten" in photo_reply.text


async def test_a_very_long_message_is_answered_normally(bot: RunningBot) -> None:
    reply = await bot.user().ask("lang " * 800)
    assert reply.text is not None
    assert len(reply.text) < 4096


async def test_edited_messages_are_ignored_quietly(bot: RunningBot) -> None:
    user = bot.user()
    sent = await user.send("/programma")
    await user.next_message()
    await user.edit(sent, "/volgende")
    await user.expect_no_message()


async def test_commands_in_a_group_point_to_a_private_chat(bot: RunningBot) -> None:
    group = bot.fake.group(-1001, title="Leergang groep")
    user = bot.user()
    await user.send_in(group, "/programma@wijkbot_test_bot")
    history = await _next_in(bot, -1001)
    assert "privégesprek" in history
    await user.send_in(group, "hallo allemaal")
    await user.expect_no_message()


async def _next_in(bot: RunningBot, chat_id: int) -> str:
    await bot.fake.wait_for_call("sendMessage")
    texts = [m.text or "" for m in bot.fake.bot_messages(chat_id)]
    assert texts, "no message in the group"
    return texts[-1]


async def test_a_stale_button_is_answered(bot: RunningBot) -> None:
    user = bot.user()
    reply = await user.ask("/start")
    assert reply.text is not None
    # Forge a button the bot never sent on its own message.
    reply.reply_markup = {"inline_keyboard": [[{"text": "Oud", "callback_data": "oud:1"}]]}
    callback = await user.tap(reply, "Oud")
    answer = await user.callback_answer(callback)
    assert "werkt niet meer" in answer["text"]


async def test_a_failed_send_to_a_blocked_user_marks_them_unreachable(bot: RunningBot) -> None:
    user = bot.user()
    await user.ask("/start")
    bot.fake.block(PARTICIPANT_ID, notify=False)
    await user.send("/programma")
    await bot.fake.wait_for_call("sendMessage", count=2)
    bot.fake.unblock(PARTICIPANT_ID, notify=False)
    # Updates are handled one after another: once /help is answered, the failed
    # /programma (and its error handling) is finished.
    await user.ask("/help")
    contact = await bot.services.contacts.get(PARTICIPANT_ID)
    assert contact is not None
    assert contact.blocked_at is not None
    reply = await user.ask("/start")
    assert reply.text is not None
    await user.ask("/help")  # handled once /start (which records the contact) has finished
    refreshed = await bot.services.contacts.get(PARTICIPANT_ID)
    assert refreshed is not None
    assert refreshed.blocked_at is None


async def test_block_and_unblock_notices_keep_the_contact_right(bot: RunningBot) -> None:
    user = bot.user()
    await user.ask("/start")
    bot.fake.block(PARTICIPANT_ID)  # Telegram sends a "kicked" my_chat_member update
    bot.fake.unblock(PARTICIPANT_ID, notify=False)
    await user.ask("/help")  # handled after the block notice: nothing failed to send
    blocked = await bot.services.contacts.get(PARTICIPANT_ID)
    assert blocked is not None
    assert blocked.blocked_at is not None
    bot.fake.block(PARTICIPANT_ID, notify=False)
    bot.fake.unblock(PARTICIPANT_ID)  # a "member" my_chat_member update
    await user.ask("/help")
    reachable = await bot.services.contacts.get(PARTICIPANT_ID)
    assert reachable is not None
    assert reachable.blocked_at is None
