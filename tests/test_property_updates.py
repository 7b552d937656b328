"""Hostile and odd input: thousands of random but valid Telegram updates for the real bot.

Every hypothesis example starts the real application against a fresh fake Telegram and a
fresh database, seeds a coordinator, an approved participant and a pending applicant, and
feeds a list of updates: random unicode and HTML-looking text, every command with garbage
arguments, edited messages, group and channel posts, media, real and forged button presses
(random data and real-looking prefixes of the bot's own callback data), by strangers,
participants and the coordinator. Then:

- nothing reaches the error handler and nothing is logged at ERROR;
- every call the bot made to Telegram was valid (HTML, lengths, keyboards): the fake answers
  400 to anything Telegram would refuse, and no such answer may appear;
- every button press got exactly one answer;
- a batch of forged presses by people who are not coordinators leaves every table as it was.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import time_machine
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from telegram.ext import CallbackContext

from bot.catalogue import plain
from bot.database import Database
from bot.services.invites import DEFAULT_DAYS, MAX_DAYS, MAX_USES
from tests.conftest import (
    COORDINATOR_ID,
    PARTICIPANT_ID,
    RunningBot,
    amsterdam,
    make_settings,
    run_bot,
)
from tests.faketelegram import FakeChat, FakeMessage, FakeTelegram, SimulatedUser
from tests.faketelegram.formatting import finalize, parse
from tests.test_attendance_support import approve
from tests.test_property_support import (
    CHANNEL,
    GROUPS,
    PENDING_ID,
    SENTINEL_ID,
    STRANGERS,
    Action,
    actions,
    check_telegram_calls,
    describe,
    describe_error,
    first_names,
    forged_batch,
    settled,
    sweep,
    watching_logs,
)

# A database in memory-backed storage when there is one: commits need no disk flush.
FAST_DISK = "/dev/shm" if Path("/dev/shm").is_dir() else None
EXAMPLES = 8
MIN_ACTIONS, MAX_ACTIONS = 60, 100  # per example, besides the sweep of every handler
MIN_UPDATES = 2000  # over all examples together
# Before module 4 (nothing running), in module 4's check-in window, and after the course.
MOMENTS = (
    amsterdam(2024, 12, 10, 9, 0),
    amsterdam(2024, 12, 12, 12, 45),
    amsterdam(2025, 7, 1, 10, 0),
)


@dataclass
class Scene:
    bot: RunningBot
    sent: dict[int, list[FakeMessage]] = field(default_factory=dict)
    updates: int = 0
    reached: list[str] = field(default_factory=list)  # errors that reached the error handler

    async def count_error(self, update: object, context: CallbackContext[Any, Any, Any, Any]
                          ) -> None:
        """An extra error handler next to the bot's own: every error that gets that far."""
        self.reached.append(describe_error(context.error))

    @property
    def fake(self) -> FakeTelegram:
        return self.bot.fake

    def person(self, user_id: int) -> SimulatedUser:
        return self.fake.user(user_id)

    def chat_of(self, action: Action) -> FakeChat:
        if action.kind == "group":
            chat_id, kind = GROUPS[action.index % len(GROUPS)]
            return self.fake.group(chat_id, title="Leergang", type=kind)
        return self.person(action.sender).chat

    async def play(self, action: Action) -> None:
        self.updates += 1
        user = self.person(action.sender) if action.kind != "channel" else None
        if action.kind in ("text", "group") and user is not None:
            message = await user.send_in(self.chat_of(action), action.text)
            self.sent.setdefault(user.id, []).append(message)
        elif action.kind == "edit" and user is not None:
            mine = self.sent.get(user.id, [])
            if not mine:
                self.updates -= 1
                return
            await user.edit(mine[action.index % len(mine)], action.text)
        elif action.kind == "channel":
            self._channel(action)
        elif action.kind == "media" and user is not None:
            await self._media(user, action)
        elif action.kind == "tap" and user is not None:
            await self._tap(user, action.index)
        elif action.kind == "forge" and user is not None:
            await self._forge(user, action)

    def _channel(self, action: Action) -> None:
        """A post in a channel the bot administers, or an edit of the last one."""
        posts = self.fake.history(CHANNEL)
        if action.index % 2 == 0 or not posts:
            self.fake.channel_post(CHANNEL, action.text)
            return
        edited = posts[-1]
        formatted = finalize(parse(action.text, None, None))
        edited.text, edited.entities = formatted.text, formatted.entities
        edited.edit_date = int(time.time())
        self.fake.updates.push("edited_channel_post", edited.to_api())

    async def _media(self, user: SimulatedUser, action: Action) -> None:
        kind = action.index % 5
        if kind == 0:
            await user.send_sticker(action.extra[:2])
        elif kind == 1:
            await user.send_photo(caption=action.text)
        elif kind == 2:
            name = action.extra.replace("/", "_") + ".pdf"
            await user.send_document(file_name=name, caption=action.text)
        elif kind == 3:
            await user.send_location()
        else:
            await user.send_contact(first_name=action.extra if action.sender % 2 else None)

    async def _tap(self, user: SimulatedUser, index: int) -> None:
        """A real button of any bot message in the person's chat: current or stale."""
        buttons = [
            (message, button["callback_data"])
            for message in user.messages()
            for button in message.inline_buttons()
            if "callback_data" in button
        ]
        if not buttons:
            self.updates -= 1
            return
        message, data = buttons[index % len(buttons)]
        await user.press_data(data, message)

    async def _forge(self, user: SimulatedUser, action: Action) -> None:
        chat = user.chat
        if action.index % 7 == 6:  # now and then on a bot message in a group
            chat = self.fake.group(GROUPS[0][0], title="Leergang", type=GROUPS[0][1])
        mine = self.fake.bot_messages(chat.id)
        if action.extra == "inaccessible" or not mine:
            gone = FakeMessage(message_id=10**6 + action.index, chat=chat, date=0, from_bot=True)
            await user.press_data(action.text, gone)
        elif action.extra == "older":
            await user.press_data(action.text, mine[action.index % len(mine)])
        else:
            await user.press_data(action.text, mine[-1])

    async def drain(self) -> None:
        """Updates are handled one after another: once the sentinel's /help is answered,
        everything sent before it has been handled."""
        await self.fake.user(SENTINEL_ID, first_name="Schildwacht").ask("/help", timeout=60)


async def migrated_template(folder: Path) -> Path:
    """A database with the schema, copied for every example (migrating takes a second)."""
    template = folder / "template.sqlite3"
    database = Database(f"sqlite+aiosqlite:///{template}")
    await database.upgrade()
    await database.close()
    return template


@asynccontextmanager
async def scene(template: Path, moment: dt.datetime, names: list[str]) -> AsyncIterator[Scene]:
    with (
        tempfile.TemporaryDirectory(prefix="wijkbot-property-", dir=FAST_DISK) as folder,
        time_machine.travel(moment, tick=False),
    ):
        fake = FakeTelegram()
        fake.user(COORDINATOR_ID, first_name="Coby")  # the coordinator menu can be set
        for user_id, name in zip((PARTICIPANT_ID, PENDING_ID, *STRANGERS), names, strict=False):
            fake.user(user_id, first_name=name, language_code="nl" if user_id % 2 else "ar")
        database = Path(folder) / "wijkbot.sqlite3"
        shutil.copyfile(template, database)
        settings_ = make_settings(fake, database)
        async with run_bot(fake, settings_) as app:
            current = Scene(app)
            # First in line: the bot's own handler stops the others (ApplicationHandlerStop).
            application = app.application
            theirs = list(application.error_handlers.items())
            for callback, _ in theirs:
                application.remove_error_handler(callback)
            application.add_error_handler(current.count_error)
            for callback, block in theirs:
                application.add_error_handler(callback, block=block)
            await approve(app.services, PARTICIPANT_ID, "Sanne de Vries")
            await approve(app.services, PENDING_ID, "Piet Wachter", decide=False)
            yield current


async def run_example(
    template: Path,
    moment: dt.datetime,
    names: list[str],
    mixed: list[Action],
    forged: list[Action],
) -> int:
    with watching_logs() as errors:
        async with scene(template, moment, names) as current:
            for action in mixed:
                await current.play(action)
            await current.drain()
            before = await settled(current.bot.services.database)
            for action in forged:
                await current.play(action)
            await current.drain()
            after = await settled(current.bot.services.database)
            changed = {name for name in before if before[name] != after[name]}
            assert not changed, f"forged button presses changed {sorted(changed)}: " + repr(
                {name: (before[name], after[name]) for name in changed}
            )[:3000]
            check_telegram_calls(current.fake)
    assert not current.reached, "the error handler was reached:\n" + "\n".join(current.reached)
    assert not errors.records, "ERROR logged:\n" + "\n".join(map(describe, errors.records))
    return current.updates


def test_random_updates_never_break_the_bot(tmp_path: Path) -> None:
    fed: list[int] = []
    template = asyncio.run(migrated_template(tmp_path))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        # Shrinking a list of hundreds of updates, a bot start per try, takes many minutes;
        # the failure message names the exception and the chat instead.
        phases=(Phase.explicit, Phase.generate),
    )
    @given(
        moment=st.sampled_from(MOMENTS),
        names=st.lists(first_names, min_size=4, max_size=4),
        swept=sweep(),
        mixed=st.lists(actions, min_size=MIN_ACTIONS, max_size=MAX_ACTIONS),
        order=st.randoms(use_true_random=False),
        forged=forged_batch,
    )
    def example(
        moment: dt.datetime,
        names: list[str],
        swept: list[Action],
        mixed: list[Action],
        order: random.Random,
        forged: list[Action],
    ) -> None:
        played = swept + mixed
        order.shuffle(played)
        fed.append(asyncio.run(run_example(template, moment, names, played, forged)))

    example()
    assert sum(fed) >= MIN_UPDATES, f"only {sum(fed)} updates were fed"


# -- what the random updates found ------------------------------------------------------------

ODD = ("²", "99999999999999999999", "2147483648")


async def test_odd_numbers_in_commands_get_an_answer(bot: RunningBot) -> None:
    """str.isdigit() says yes to "²", which int() refuses; ids past the database's integers
    made the query fail. Both came back as "something went wrong"."""
    await approve(bot.services, PARTICIPANT_ID)
    user, coordinator = bot.user(), bot.coordinator
    for odd in ODD:
        answer = await user.ask(f"/module {odd}")
        assert answer.text == plain("module.unknown", given=odd, last=10)
        listing = await coordinator.ask(f"/deelnemers {odd}")
        assert "Sanne de Vries" in listing.content
        usage = await coordinator.ask(f"/uitnodiging {odd}")
        assert usage.content == plain(
            "invites.usage", days=DEFAULT_DAYS, max_uses=MAX_USES, max_days=MAX_DAYS
        ).strip()


async def test_odd_numbers_in_buttons_are_stale_buttons(bot: RunningBot) -> None:
    await approve(bot.services, PARTICIPANT_ID)
    user, coordinator = bot.user(), bot.coordinator
    await user.ask("/start")
    await coordinator.ask("/start")
    stale = plain("fallback.stale_button")
    for odd in ODD:
        await user.callback_answer(await user.press_data(f"q:module_about/{odd}"))
        about = await user.next_message()
        assert about.content != plain("errors.unexpected")
        assert "module" in about.content.lower()
        for data in (f"app:ok:{odd}", f"qa:{odd}", f"ann:rep:{odd}", f"grp:ren:{odd}"):
            answer = await coordinator.callback_answer(await coordinator.press_data(data))
            assert answer["text"] in (stale, plain("groups.problem_gone")), data
        gone = await coordinator.callback_answer(
            await coordinator.press_data(f"grp:o:{odd}:0")
        )
        assert gone["text"] == plain("groups.problem_gone")
