"""Helpers for tests/test_property_updates.py (this module holds no tests): the random
updates (hypothesis strategies), who sends them, and the checks on what the bot did."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from hypothesis import strategies as st
from sqlalchemy import select

from bot.database import Database
from bot.models import Base
from handlers.routing import COORDINATOR_COMMANDS, PARTICIPANT_COMMANDS
from tests.conftest import COORDINATOR_ID, PARTICIPANT_ID
from tests.faketelegram import FakeTelegram
from tests.faketelegram.errors import NOT_MODIFIED
from tests.faketelegram.formatting import finalize, is_blank, parse

PENDING_ID = 100002
STRANGERS = (700001, 700002)
SENTINEL_ID = 990001
SENDERS = (COORDINATOR_ID, PARTICIPANT_ID, PENDING_ID, *STRANGERS)
NOT_COORDINATORS = (PARTICIPANT_ID, PENDING_ID, *STRANGERS)
GROUPS = ((-1001, "group"), (-1002001, "supergroup"))
CHANNEL = -1003001

COMMAND_NAMES = sorted(
    {*PARTICIPANT_COMMANDS, *COORDINATOR_COMMANDS} | {"bestaatniet", "START"}
)
TRICKY = (
    "<b>", "</i>", "<a href='x'>", "<script>alert(1)</script>", "&", "&amp;", "&#0;", "<", ">",
    "<<>>", "a<b>c", "\u200b", "\u200f", "\u202e", "\ufeff", "\u2800", "🙂", "👨‍👩‍👧",
    "🇳🇱", "שלום", "مرحبا", "²", "١٢", "𝟘", "½", "Ⅻ", "99999999999999999999", "2147483648",
    "-1", "0", "00", "\n", "\t", "  ", "@wijkbot_test_bot", "#tag", "https://example.org",
    "{name}", "{0}", "%s", "\\", "'", '"', "`", "*", "_", "~", "||", "module", "4", "vier",
    "wanneer", "ABCDEF", "checkin_AAAA", "invite_abc", "module-4", "werksessie-1", "ja", "nee",
)
ODD_NUMBERS = (
    "²", "١", "٣", "𝟘", "½", "99999999999999999999", "2147483648", "9223372036854775808",
    "-1", "0", "00", "+3", "1e3", "9" * 40,
)
SESSION_KEYS = ("module-4", "module-1", "module-99", "werksessie-1", "intervisie-2", "x")
# Real-looking prefixes of every kind of callback data the bot makes (grep callback_data=).
CALLBACK_PREFIXES = (
    "reg:consent:", "reg:name:", "reg:org:", "reg:gr:", "reg:email:", "reg:confirm:",
    "reg:edit:", "app:ok:", "app:no:", "ppl:", "priv:", "q:", "q:module_about/", "qf:", "qa:",
    "ql:", "rem:yes:", "rem:no:", "rem:skip:", "rem:pick:", "rem:pref:", "chk:here:",
    "chk:new:", "chk:close:", "att:c:", "att:s:", "att:x", "att:grid", "fb:", "fbc:export",
    "fbc:chart", "crt:list", "crt:p:", "crt:fa:", "crt:fg:", "crt:ok:", "crt:all", "crt:ally",
    "crt:rv:", "crt:rvy:", "goal:add", "goal:edit:", "goal:note:", "goal:del:", "goal:delok:",
    "goal:share:", "goal:say:", "goal:list", "bud:share:", "bud:msg:", "grp:intro:", "grp:all",
    "grp:new:", "grp:o:", "prg:ok:", "prg:no:", "regw:open", "edr:", "edi:use:", "edi:reg:",
    "edi:arc:", "edi:arcy:", "edi:del:", "edi:dely:", "edi:new", "edi:mod:", "edi:make", "edi:stop",
    "regw:close", "grp:t:", "grp:ren:", "ses:list", "ses:add:", "ses:show:", "ses:move:",
    "ses:place:", "ses:describe:",
    "ses:cancel:", "ses:cancelok:", "ses:save", "ses:noloc", "ses:abort", "ann:aud:", "ann:groups:",
    "ann:back:", "ann:go:", "ann:plan:", "ann:at:", "ann:x:", "ann:rep:", "ann:edit:",
    "ann:ed:", "ann:wd:", "ann:wdy:", "ann:keep:", "ann:edx:", "ann:view:", "ann:unplan:",
)
# A forged press by someone who is not a coordinator must change nothing. Left out: the
# participant's own buttons whose data carries no authority (registration answers, their
# own afmeldingen and reminder choices, "Ik ben er", forgetting themselves), which do what
# the person may do anyway; with garbage after the prefix they are in the batch too.
OWN_PREFIXES = ("reg:", "rem:", "priv:", "chk:here:")
OWN_ACTIONS = frozenset(
    {"consent", "name", "org", "gr", "email", "confirm", "edit", "yes", "no", "skip", "pick",
     "pref", "forget"}
)

# Telegram's 400 answers the bot may get without doing anything wrong.
# (A button under a deleted message comes with an InaccessibleMessage; editing that fails.)
ALLOWED_REFUSALS = frozenset(
    {
        f"Bad Request: {NOT_MODIFIED}",
        "Bad Request: message to edit not found",
        "Bad Request: message to delete not found",
    }
)
SENDING = ("send", "edit", "answercallbackquery", "copy", "forward", "delete", "setmy")


def telegram_text(raw: str) -> str:
    """What a Telegram app can send: never blank after Telegram trims it."""
    return raw if not is_blank(finalize(parse(raw, None, None)).text) else "?"


def fits_callback(data: str) -> str:
    """Callback data is 1-64 bytes."""
    cut = data.encode("utf-8")[:64].decode("utf-8", errors="ignore")
    return cut or "x"


# -- strategies -------------------------------------------------------------------------------

words = st.one_of(
    st.text(max_size=12),
    st.sampled_from(TRICKY),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
short_text = st.lists(words, min_size=1, max_size=10).map(" ".join)
huge_text = st.tuples(st.sampled_from(TRICKY[:30]), st.integers(1, 4096)).map(
    lambda pair: (pair[0] * 4096)[: pair[1]]
)
any_text = st.one_of(short_text, short_text, short_text, huge_text).map(
    lambda text: telegram_text(text[:4096])
)
argument = st.one_of(
    st.integers(min_value=-5, max_value=30).map(str),
    st.integers(min_value=2**31 - 2, max_value=2**70).map(str),
    st.sampled_from(ODD_NUMBERS),
    st.sampled_from(ODD_NUMBERS),
    st.sampled_from(SESSION_KEYS),
    st.sampled_from(TRICKY),
    st.text(max_size=8),
)
arguments = st.one_of(
    st.just(""),
    st.lists(argument, min_size=1, max_size=3).map(" ".join),
    st.lists(argument, min_size=1, max_size=3).map(" ".join),
    short_text,
    huge_text.map(lambda text: text[:4000]),
)


few_arguments = st.lists(argument, max_size=2).map(" ".join)


def command_of(name: str, args: st.SearchStrategy[str] = arguments) -> st.SearchStrategy[str]:
    return st.builds(
        lambda mention, given: telegram_text(f"/{name}{mention} {given}".strip()),
        st.sampled_from(("", "", "@wijkbot_test_bot", "@een_andere_bot")),
        args,
    )


def data_of(prefix: str) -> st.SearchStrategy[str]:
    return st.lists(argument, min_size=1, max_size=3).map(
        lambda parts: fits_callback(prefix + ":".join(parts))
    )


command = st.sampled_from(COMMAND_NAMES).flatmap(command_of)
message_text = st.one_of(any_text, command, command)
callback_data = st.one_of(
    st.sampled_from(CALLBACK_PREFIXES).flatmap(data_of),
    st.text(min_size=1, max_size=64).map(fits_callback),
)
sender = st.sampled_from(SENDERS)
not_coordinator = st.sampled_from(NOT_COORDINATORS)
target = st.sampled_from(("last", "last", "older", "inaccessible"))


@dataclass(frozen=True)
class Action:
    kind: str
    sender: int = PARTICIPANT_ID
    text: str = ""
    index: int = 0
    extra: str = ""


actions = st.one_of(
    st.builds(Action, st.just("text"), sender, message_text),
    st.builds(Action, st.just("text"), sender, message_text),
    st.builds(Action, st.just("edit"), sender, message_text, st.integers(0, 50)),
    st.builds(Action, st.just("group"), sender, message_text, st.integers(0, 1)),
    st.builds(Action, st.just("channel"), st.just(0), any_text, st.integers(0, 1)),
    st.builds(
        Action,
        st.just("media"),
        sender,
        any_text.map(lambda text: text[:1024]),
        st.integers(0, 4),
        st.text(min_size=1, max_size=40),
    ),
    st.builds(Action, st.just("tap"), sender, st.just(""), st.integers(0, 10**6)),
    st.builds(Action, st.just("tap"), st.just(COORDINATOR_ID), st.just(""), st.integers(0, 10**6)),
    st.builds(Action, st.just("forge"), sender, callback_data, st.integers(0, 50), target),
    st.builds(Action, st.just("forge"), sender, callback_data, st.integers(0, 50), target),
)



def sweep() -> st.SearchStrategy[list[Action]]:
    """Every command and every kind of button once from the coordinator and once from
    someone else, with random arguments: each example reaches every handler."""
    pairs = [
        st.tuples(
            command_of(name, few_arguments), command_of(name, few_arguments), not_coordinator
        ).map(
            lambda t: [Action("text", COORDINATOR_ID, t[0]), Action("text", t[2], t[1])]
        )
        for name in COMMAND_NAMES
    ] + [
        st.tuples(data_of(prefix), data_of(prefix), not_coordinator, target).map(
            lambda t: [
                Action("forge", COORDINATOR_ID, t[0], extra=t[3]),
                Action("forge", t[2], t[1], extra=t[3]),
            ]
        )
        for prefix in CALLBACK_PREFIXES
    ]
    return st.tuples(*pairs).map(lambda found: [action for pair in found for action in pair])


def forgeable(data: str) -> bool:
    """Not a well-formed press of the person's own buttons (see OWN_PREFIXES)."""
    if data.startswith("chk:here:"):
        return False
    parts = data.split(":")
    return not data.startswith(OWN_PREFIXES) or len(parts) < 2 or parts[1] not in OWN_ACTIONS


forged_data = st.one_of(
    st.sampled_from([p for p in CALLBACK_PREFIXES if not p.startswith(OWN_PREFIXES)]).flatmap(
        data_of
    ),
    st.tuples(st.sampled_from(("reg:", "rem:", "priv:")), st.lists(argument, max_size=3)).map(
        lambda pair: fits_callback(pair[0] + ":".join(pair[1]))
    ),
    st.text(min_size=1, max_size=64).map(fits_callback),
).filter(forgeable)
forged_batch = st.lists(
    st.builds(Action, st.just("forge"), not_coordinator, forged_data, st.integers(0, 50), target),
    min_size=10,
    max_size=30,
)
first_names = st.text(min_size=1, max_size=64).map(telegram_text)


class _Collector(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level=level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def watching_logs() -> Iterator[_Collector]:
    """Every ERROR record, from anywhere."""
    errors = _Collector(logging.ERROR)
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        yield errors
    finally:
        root.removeHandler(errors)




async def snapshot(database: Database) -> dict[str, list[str]]:
    """Every row of every table, comparable."""
    tables: dict[str, list[str]] = {}
    async with database.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = (await conn.execute(select(table))).all()
            tables[table.name] = sorted(repr(tuple(row)) for row in rows)
    return tables


async def settled(database: Database) -> dict[str, list[str]]:
    """A snapshot once background work (the outbox, for instance) has stopped writing."""
    previous = await snapshot(database)
    for _ in range(250):
        await asyncio.sleep(0.02)
        current = await snapshot(database)
        if current == previous:
            return current
        previous = current
    raise AssertionError("the database kept changing without any update")


def describe_error(error: BaseException | None) -> str:
    """The exception and where it was raised, for a failure message."""
    if error is None:
        return ""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def describe(record: logging.LogRecord) -> str:
    error = record.exc_info[1] if record.exc_info else None
    return f"{record.name}: {record.getMessage()} ({describe_error(error)})"


def check_telegram_calls(fake: FakeTelegram) -> None:
    assert not fake.internal_errors, f"the fake Telegram failed: {fake.internal_errors!r}"
    assert not fake.unknown_calls, f"unknown Bot API methods: {fake.unknown_calls}"
    assert fake.limit_violations == 0
    refused = [
        f"{call.method} {call.status} {call.description}: {call.params!r}"[:600]
        for call in fake.calls
        if call.method.lower().startswith(SENDING)
        and not call.ok
        and call.description not in ALLOWED_REFUSALS
    ]
    assert not refused, "Telegram refused calls of the bot:\n" + "\n".join(refused)
    unanswered = [r for r in fake.callback_queries.values() if not r.answered]
    assert not unanswered, f"button presses without an answer: {unanswered}"
