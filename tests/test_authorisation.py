"""The authorisation matrix: every coordinator command and every coordinator button, sent by a
participant and by a stranger, is refused, changes nothing and leaks nothing.

One bot runs for the whole module, with a coordinator who has used every feature (a sent, a
planned and a half-written announcement, a group, a question in the inbox, the check-in
screen, a pending application) and another participant with a distinctive name, e-mail
address, attendance and absence. The presses use the coordinator's real buttons (their real
ids and one-time tokens) where the coordinator's chat has one. A refusal is the answer the
bot gives everyone for an unknown command or a stale button: the coordinator commands do not
exist for anyone else.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import time_machine
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.catalogue import plain
from bot.services.attendance_rules import Mark
from bot.services.checkin import Method, Outcome
from bot.services.groups import GroupKind
from handlers.routing import COORDINATOR_COMMANDS
from tests.conftest import COORDINATOR_ID, PARTICIPANT_ID, RunningBot, make_settings, run_bot
from tests.faketelegram import ApiCall, FakeTelegram, SimulatedUser
from tests.test_attendance_support import EARLY, code_now, excuse
from tests.test_property_support import settled, snapshot

pytestmark = pytest.mark.asyncio(loop_scope="module")

STRANGER_ID = 700009
OTHER_ID = 100077
PENDING_ID = 100078
SENTINEL_ID = 990009

OTHER_NAME = "Zoë Quetzalcoatl"
OTHER_EMAIL = "zoe.quetzalcoatl@voorbeeld.nl"
PENDING_NAME = "Pelle Pelikaanstra"
ATTENDANCE_REASON = "Xyzzy-tandartsbezoek"
ABSENCE_REASON = "Quokka-verjaardag"
QUESTION = "Geheime vraag over parkeren bij de Wombatstraat"
GROUP_NAME = "Zilverreigers"
DRAFT_TEXT = "Concept over de Fazantenlaan"
PLANNED_TEXT = "Gepland bericht over de Korhoenweg"
# None of this may reach a participant or a stranger (the sent announcement itself may: they
# are its audience).
SECRETS = (
    OTHER_NAME, "Quetzalcoatl", OTHER_EMAIL, PENDING_NAME, "Pelikaanstra", ATTENDANCE_REASON,
    ABSENCE_REASON, QUESTION, "Wombatstraat", GROUP_NAME, DRAFT_TEXT, "Fazantenlaan",
    PLANNED_TEXT, "Korhoenweg",
)

# What the bot answers anyone for whom a command or a button does not exist.
STALE = plain("fallback.stale_button")

# Commands that also exist besides the coordinator's (e.g. /annuleren) are not in the matrix.
KNOWN_COORDINATOR_COMMANDS = {
    "status", "herladen", "vragen", "deelnemers", "uitnodiging", "toevoegen", "sessie",
    "bericht", "berichten", "geplandeberichten", "groepen", "opencheckin", "sluitcheckin",
    "presentie", "export", "feedback", "certificaten", "aanmelding", "editie",
}
COMMAND_ARGUMENTS = {
    "deelnemers": "1",
    "uitnodiging": "5 30",
    "toevoegen": "Nieuwe Naam",
    "opencheckin": "4",
    "sluitcheckin": "4",
    "presentie": "4",
    "bericht": "Hallo allemaal",
}

# Every CallbackQueryHandler pattern of the application, by whose buttons they are.
PARTICIPANT_PATTERNS = {
    r"^reg:", r"^priv:", r"^q:", r"^qf:\d+$", r"^chk:here:", r"^rem:", r"^fb:", r"^goal:",
    r"^bud:", r"^edr:\d+$",
}
COORDINATOR_PATTERNS = {
    r"^app:", r"^ppl:", r"^qa:\d+$", r"^ql:\d+$", r"^chk:(new|close):", r"^att:grid$", r"^att:",
    r"^grp:", r"^ses:", r"^ann:", r"^fbc:export$",
    r"^fbc:chart$", r"^crt:", r"^grp:intro:\d+$", r"^prg:", r"^regw:(open|close)$", r"^edi:",
}
# Every coordinator button: its data with the seeded ids filled in, used when the
# coordinator's chat has no such button (the prefix before the ids finds a real one).
COORDINATOR_BUTTONS = {
    "app:ok": "app:ok:{pending}", "app:no": "app:no:{pending}:0", "ppl": "ppl:1",
    "qa": "qa:{question}", "ql": "ql:{question}", "chk:new": "chk:new:module-4",
    "chk:close": "chk:close:module-4", "att:c": "att:c:module-4:{other}",
    "att:s": "att:s:module-3:{other}:a", "att:x": "att:x", "att:grid": "att:grid",
    "fbc:export": "fbc:export", "fbc:chart": "fbc:chart",
    "crt:list": "crt:list", "crt:p": "crt:p:{other}", "crt:fa": "crt:fa:{other}:1",
    "crt:fg": "crt:fg:{group}:1", "crt:ok": "crt:ok:{other}", "crt:all": "crt:all",
    "crt:ally": "crt:ally", "crt:rv": "crt:rv:{other}", "crt:rvy": "crt:rvy:{other}",
    "prg:ok": "prg:ok:1", "prg:no": "prg:no:1", "regw:close": "regw:close",
    "regw:open": "regw:open", "edi:use": "edi:use:1", "edi:reg": "edi:reg:1:0",
    "edi:arc": "edi:arc:1", "edi:arcy": "edi:arcy:1", "edi:del": "edi:del:1",
    "edi:dely": "edi:dely:1", "edi:new": "edi:new", "edi:mod": "edi:mod:1",
    "edi:make": "edi:make", "edi:stop": "edi:stop", "edi:list": "edi:list",
    "grp:all": "grp:all", "grp:intro": "grp:intro:{group}",
    "grp:new": "grp:new:intervisie", "grp:o": "grp:o:{group}:0",
    "grp:t": "grp:t:{group}:{other}:0", "grp:ren": "grp:ren:{group}", "ses:list": "ses:list",
    "ses:add": "ses:add:werksessie", "ses:show": "ses:show:module-5",
    "ses:move": "ses:move:module-5", "ses:place": "ses:place:module-5",
    "ses:describe": "ses:describe:module-5",
    "ses:cancel": "ses:cancel:module-5",
    "ses:cancelok": "ses:cancelok:module-5", "ses:save": "ses:save", "ses:noloc": "ses:noloc",
    "ses:abort": "ses:abort", "ann:aud": "ann:aud:{draft}:approved",
    "ann:groups": "ann:groups:{draft}", "ann:back": "ann:back:{draft}",
    "ann:go": "ann:go:{draft}:tok", "ann:plan": "ann:plan:{draft}:tok",
    "ann:at": "ann:at:{draft}:tok", "ann:x": "ann:x:{draft}", "ann:rep": "ann:rep:{sent}",
    "ann:edit": "ann:edit:{sent}", "ann:ed": "ann:ed:{sent}:tok", "ann:wd": "ann:wd:{sent}",
    "ann:wdy": "ann:wdy:{sent}:tok", "ann:keep": "ann:keep:{sent}", "ann:edx": "ann:edx:{sent}",
    "ann:view": "ann:view:{planned}", "ann:unplan": "ann:unplan:{planned}",
}
SENDERS = ("participant", "stranger")


@dataclass
class World:
    app: RunningBot
    ids: dict[str, int]

    @property
    def fake(self) -> FakeTelegram:
        return self.app.fake

    def sender(self, who: str) -> SimulatedUser:
        return self.fake.user(PARTICIPANT_ID if who == "participant" else STRANGER_ID)

    def real_button(self, kind: str) -> str | None:
        """The newest button of this kind in the coordinator's chat."""
        for message in reversed(self.app.coordinator.messages()):
            for button in message.inline_buttons():
                data = str(button.get("callback_data", ""))
                if data == kind or data.startswith(kind + ":"):
                    return data
        return None

    def button(self, kind: str) -> str:
        """The coordinator's real button of this kind, else one made with the seeded ids."""
        return self.real_button(kind) or COORDINATOR_BUTTONS[kind].format(**self.ids)


# -- the world --------------------------------------------------------------------------------


async def register(
    app: RunningBot, telegram_id: int, name: str, email: str, *, decide: bool
) -> int:
    """A participant registered through the services, as /aanmelden does."""
    svc = app.services
    now, rules = svc.now(), svc.programme.data.eligibility
    await svc.contacts.seen(telegram_id, telegram_id, now)
    await svc.registration.begin(telegram_id, telegram_id, name, now)
    for step, choice in (("consent", "yes"), ("name", "suggested"), ("org", "0")):
        await svc.registration.choose(telegram_id, step, choice, now, rules)
    await svc.registration.answer_text(telegram_id, "Lefier", now, rules)
    await svc.registration.choose(telegram_id, "gr", "1", now, rules)
    await svc.registration.answer_text(telegram_id, "2", now, rules)
    await svc.registration.answer_text(telegram_id, email, now, rules)
    done = await svc.registration.choose(telegram_id, "confirm", "ok", now, rules)
    assert done.submission is not None
    number = done.submission.participant.id
    if decide:
        await svc.participants.decide(number, True, now)
    return number


async def press(user: SimulatedUser, prefix: str) -> dict[str, Any]:
    """Tap the newest button in the user's chat whose data starts with ``prefix``."""
    for message in reversed(user.messages()):
        for button in message.inline_buttons():
            if str(button.get("callback_data", "")).startswith(prefix):
                query = await user.tap(message, button["callback_data"])
                answer = await user.callback_answer(query)
                await drain(user.fake)  # and whatever the press makes the bot send
                return answer
    raise AssertionError(f"no button {prefix!r} in the chat of {user}")


async def drain(fake: FakeTelegram) -> None:
    """Updates are handled in order: after the sentinel's answer, all before it are done."""
    await fake.user(SENTINEL_ID, first_name="Schildwacht").ask("/help", timeout=10)


async def coordinator_uses_everything(app: RunningBot) -> dict[str, int]:
    svc, coordinator = app.services, app.coordinator
    now = svc.now()
    other = await register(app, OTHER_ID, OTHER_NAME, OTHER_EMAIL, decide=True)
    await register(app, PARTICIPANT_ID, "Sanne de Vries", "sanne@example.nl", decide=True)
    pending = await register(app, PENDING_ID, PENDING_NAME, "pelle@example.nl", decide=False)
    app.fake.user(OTHER_ID, first_name="Zoë")
    checked = await svc.attendance.check_in(OTHER_ID, await code_now(svc), Method.CODE, now)
    assert checked.outcome is Outcome.CHECKED_IN
    await svc.attendance.correct(
        other, "module-3", Mark.EXCUSED, ATTENDANCE_REASON, by=COORDINATOR_ID, now=now
    )
    await excuse(svc.database, other, "module-5", ABSENCE_REASON)
    question = await svc.inbox.draft(OTHER_ID, OTHER_ID, QUESTION, now)
    assert await svc.inbox.submit(question, OTHER_ID) is not None
    group = await svc.groups.create(GroupKind.INTERVISIE, GROUP_NAME, now)
    await svc.groups.toggle(group.id, other, now)

    # A sent announcement (#1), a planned one (#2) and one waiting at its preview (#3).
    for text in ("Mededeling voor iedereen", PLANNED_TEXT, DRAFT_TEXT):
        await coordinator.ask("/bericht")
        await coordinator.ask(text)
        await press(coordinator, "ann:aud:")
        if text == PLANNED_TEXT:
            await press(coordinator, "ann:plan:")
            await coordinator.ask("morgen 9:00")
            await press(coordinator, "ann:at:")
        elif text != DRAFT_TEXT:
            await press(coordinator, "ann:go:")
    await app.fake.wait_until(
        lambda: any("is verstuurd" in m.content for m in coordinator.messages()), what="report"
    )
    await coordinator.ask("/berichten")
    await press(coordinator, "ann:rep:")
    await press(coordinator, "ann:wd:")  # a live withdrawal proposal with its token
    for command in ("/geplandeberichten", "/groepen", "/deelnemers", "/presentie 4", "/vragen",
                    "/sessie", "/opencheckin"):
        await coordinator.ask(command)
    await press(coordinator, "grp:o:")
    await press(coordinator, "att:c:")
    await press(coordinator, "ses:show:")
    await drain(app.fake)
    return {"other": other, "pending": pending, "question": question, "group": group.id,
            "sent": 1, "planned": 2, "draft": 3}


@pytest.fixture(scope="module")
def isolated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """As the autouse fixture does per test: no config.toml or WIJKBOT_* from outside."""
    folder = tmp_path_factory.mktemp("authorisation")
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("WIJKBOT_"):
                patch.delenv(name)
        patch.chdir(folder)
        yield folder


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(isolated: Path) -> AsyncIterator[World]:
    with time_machine.travel(EARLY, tick=False):
        fake = FakeTelegram()
        fake.user(COORDINATOR_ID, first_name="Coby")
        settings = make_settings(fake, isolated / "wijkbot.sqlite3")
        async with run_bot(fake, settings) as app:
            ids = await coordinator_uses_everything(app)
            # The participant and the stranger have talked to the bot before.
            for user_id, name in ((PARTICIPANT_ID, "Sanne"), (STRANGER_ID, "Onbekend")):
                await fake.user(user_id, first_name=name).ask("/start")
            await settled(app.services.database)
            yield World(app, ids)


# -- checks -----------------------------------------------------------------------------------


def said_to(fake: FakeTelegram, calls: list[ApiCall], chat_id: int) -> list[str]:
    """Everything the bot tried to show in a chat: texts, captions, files, button pop-ups."""
    shown: list[str] = []
    mine = {q.id for q in fake.callback_queries.values() if q.chat_id == chat_id}
    for call in calls:
        params = call.params
        if params.get("chat_id") != chat_id and params.get("callback_query_id") not in mine:
            continue
        for value in params.values():
            if isinstance(value, str):
                shown.append(value)
            elif isinstance(value, bytes):
                shown.append(value.decode("utf-8", errors="replace"))
            else:
                shown.append(repr(value))
    return shown


def assert_nothing_leaked(shown: list[str]) -> None:
    text = "\n".join(shown).casefold()
    leaked = [secret for secret in SECRETS if secret.casefold() in text]
    assert not leaked, f"leaked {leaked} in:\n" + "\n".join(shown)


@dataclass
class Watch:
    world: World
    calls: int
    before: dict[str, list[str]]
    others: dict[int, int]

    @classmethod
    async def start(cls, world: World) -> Watch:
        fake = world.fake
        watched = (COORDINATOR_ID, OTHER_ID, PENDING_ID)
        others = {chat: len(fake.bot_messages(chat)) for chat in watched}
        before = await snapshot(world.app.services.database)
        return cls(world, len(fake.calls), before, others)

    async def finish(self, sender: SimulatedUser) -> list[str]:
        """Nothing changed, nobody else heard of it; what the sender was shown."""
        fake = self.world.fake
        await drain(fake)
        after = await snapshot(self.world.app.services.database)
        if after != self.before:  # background work may still be writing: let it finish
            after = await settled(self.world.app.services.database)
        changed = sorted(name for name in after if after[name] != self.before[name])
        assert not changed, f"tables changed: {changed}"
        for chat, count in self.others.items():
            assert len(fake.bot_messages(chat)) == count, f"chat {chat} was told something"
        calls = fake.calls[self.calls :]
        assert all(call.ok for call in calls), [c for c in calls if not c.ok]
        shown = said_to(fake, calls, sender.chat_id)
        assert_nothing_leaked(shown)
        return shown


# -- the matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", SENDERS)
@pytest.mark.parametrize("command", sorted(COORDINATOR_COMMANDS))
async def test_coordinator_command_is_refused(world: World, command: str, who: str) -> None:
    sender = world.sender(who)
    for text in (f"/{command}", f"/{command} {COMMAND_ARGUMENTS.get(command, 'x')}"):
        watch = await Watch.start(world)
        answer = await sender.ask(text)
        assert answer.text == plain("fallback.unknown_command", command=command)
        assert not answer.buttons()
        shown = await watch.finish(sender)
        assert [m.text for m in sender.unread()] == []
        assert len([s for s in shown if "ken ik niet" in s]) == 1, shown


@pytest.mark.parametrize("who", SENDERS)
@pytest.mark.parametrize("kind", sorted(COORDINATOR_BUTTONS))
async def test_coordinator_button_is_refused(world: World, kind: str, who: str) -> None:
    sender = world.sender(who)
    data = world.button(kind)
    watch = await Watch.start(world)
    own = sender.messages()[-1]
    before = (len(sender.messages()), own.text, own.reply_markup, own.edits)
    query = await sender.press_data(data, own)
    answer = await sender.callback_answer(query)
    assert answer["text"] == STALE
    await watch.finish(sender)
    assert (len(sender.messages()), own.text, own.reply_markup, own.edits) == before


# -- the matrix is complete -------------------------------------------------------------------


def _restricted(found: filters.BaseFilter | None, coordinators: set[int]) -> bool:
    """Does this filter (tree) require one of the coordinators?"""
    if found is None:
        return False
    if isinstance(found, filters.User):
        return set(found.user_ids) == coordinators
    parts = ("base_filter", "and_filter", "inv_filter", "xor_filter")
    if getattr(found, "or_filter", None) is not None:
        return False
    return any(_restricted(getattr(found, part, None), coordinators) for part in parts)


def _handlers(world: World) -> list[BaseHandler[Any, Any, Any]]:
    return [h for group in world.app.application.handlers.values() for h in group]


async def test_the_matrix_covers_every_coordinator_command(world: World) -> None:
    coordinators = set(world.app.services.settings.coordinators)
    restricted: set[str] = set()
    open_to_all: set[str] = set()
    for handler in _handlers(world):
        if isinstance(handler, CommandHandler):
            found = restricted if _restricted(handler.filters, coordinators) else open_to_all
            found.update(handler.commands)
    derived = restricted - open_to_all
    assert derived == set(COORDINATOR_COMMANDS)
    assert derived >= KNOWN_COORDINATOR_COMMANDS


async def test_the_matrix_covers_every_coordinator_button(world: World) -> None:
    patterns = {
        handler.pattern.pattern
        for handler in _handlers(world)
        if isinstance(handler, CallbackQueryHandler) and isinstance(handler.pattern, re.Pattern)
    }
    assert patterns == PARTICIPANT_PATTERNS | COORDINATOR_PATTERNS, "classify the new buttons"
    covered = {
        pattern
        for pattern in COORDINATOR_PATTERNS
        for kind in COORDINATOR_BUTTONS
        if re.match(pattern, world.button(kind))
    }
    assert covered == COORDINATOR_PATTERNS
    for kind in COORDINATOR_BUTTONS:
        data = world.button(kind)
        assert any(re.match(p, data) for p in COORDINATOR_PATTERNS), data
        assert not any(re.match(p, data) for p in PARTICIPANT_PATTERNS), data
    # Most presses use the coordinator's real buttons, ids and tokens.
    real = [kind for kind in COORDINATOR_BUTTONS if world.real_button(kind)]
    assert len(real) >= 25, real
