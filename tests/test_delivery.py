"""The sender for messages the bot starts itself: paced, patient with 429, aware of blocks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from scheduling.delivery import Deliverer, Outcome
from tests.faketelegram import FakeTelegram


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    telegram_bot = Bot(fake.token, base_url=fake.base_url, request=fake.ptb_request())
    await telegram_bot.initialize()
    yield telegram_bot
    await telegram_bot.shutdown()


async def test_a_burst_stays_under_telegrams_limit(fake: FakeTelegram, bot: Bot) -> None:
    users = [fake.user(5000 + n) for n in range(40)]
    fake.enforce_limits(per_second=30)
    deliverer = Deliverer(bot)
    for user in users:
        result = await deliverer.send_message(user.chat_id, "<b>Herinnering</b>")
        assert result.outcome is Outcome.DELIVERED
    assert fake.limit_violations == 0
    assert all(len(u.messages()) == 1 for u in users)


async def test_a_429_is_waited_out_and_the_message_sent_once(
    fake: FakeTelegram, bot: Bot
) -> None:
    user = fake.user(5100)
    fake.fail_next("sendMessage", status=429, retry_after=1)
    result = await Deliverer(bot).send_message(user.chat_id, "Hallo")
    assert result.delivered
    assert result.retry_after_waits == 1
    assert [m.text for m in user.messages()] == ["Hallo"]


async def test_a_blocked_user_is_reported_once_and_not_retried(
    fake: FakeTelegram, bot: Bot
) -> None:
    user = fake.user(5200)
    fake.block(user.chat_id, notify=False)
    blocked: list[int] = []

    async def on_blocked(chat_id: int) -> None:
        blocked.append(chat_id)

    result = await Deliverer(bot, on_blocked=on_blocked).send_message(user.chat_id, "Hallo")
    assert result.outcome is Outcome.BLOCKED
    assert blocked == [user.chat_id]
    assert len(fake.calls_to("sendMessage")) == 1


async def test_server_errors_are_retried_a_bounded_number_of_times(
    fake: FakeTelegram, bot: Bot
) -> None:
    user = fake.user(5300)
    fake.fail_next("sendMessage", status=502, times=2)
    deliverer = Deliverer(bot, first_backoff=0.01)
    assert (await deliverer.send_message(user.chat_id, "Eindelijk")).delivered
    fake.fail_next("sendMessage", status=500, times=10)
    failed = await Deliverer(bot, first_backoff=0.01, max_attempts=3).send_message(
        user.chat_id, "Nooit"
    )
    assert failed.outcome is Outcome.FAILED
    assert [m.text for m in user.messages()] == ["Eindelijk"]


async def test_chat_not_found_fails_with_the_reason(fake: FakeTelegram, bot: Bot) -> None:
    result = await Deliverer(bot).send_message(424242, "Hallo")
    assert result.outcome is Outcome.FAILED
    assert result.error is not None
    assert "not found" in result.error.lower()
