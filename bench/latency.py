"""Update handling: our bot against a bare python-telegram-bot echo bot, in the same run.

Run from the repository root:  python -m bench.latency [--samples 200]

Both bots poll their own fake Telegram through the same in-process transport, in the same
process and event loop; the samples alternate between them, so a busy moment of the machine
hits both alike. One sample is the time from the update being available to the bot (the
simulated user sends a message, which wakes the bot's waiting getUpdates) until the reply
has arrived at the fake. Three kinds of update, each from a person who has not written
before: /start, a question the knowledge base answers, and a check-in with the valid code of
the session running now (module 4, Thursday 12 December 2024, shortly before 13:00). The
echo bot gets exactly the same texts and answers each with a copy.

A pause after every sample keeps both bots well under Telegram's 30 messages per second,
so our bot's rate limiter never holds a reply back: what is measured is handling time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import datetime as dt
import itertools
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bench.common import add_participants, observe_calls, percentile, real_bot, use_repository

if TYPE_CHECKING:
    from tests.faketelegram import FakeTelegram, SimulatedUser

SESSION = "module-4"
MOMENT = dt.datetime(2024, 12, 12, 12, 40, tzinfo=ZoneInfo("Europe/Amsterdam"))
QUESTIONS = ("Wanneer is module 4?", "Hoe laat begint de bijeenkomst?", "Waar gaat module 6 over?")
KINDS = ("/start", "question", "check-in")
TARGETS = {"/start": 2.0, "question": 2.0, "check-in": 3.0}
PAUSE = 0.02  # seconds after every sample
WARMUP = 10


@dataclass
class Timings:
    """Milliseconds per sample, ours and the echo bot's, for one kind of update."""

    kind: str
    ours: list[float]  # without the fake's own work
    echo: list[float]
    ours_total: list[float]  # including it
    echo_total: list[float]

    @property
    def ratio(self) -> float:
        return percentile(self.ours, 0.5) / percentile(self.echo, 0.5)

    @property
    def ratio_p99(self) -> float:
        return percentile(self.ours, 0.99) / percentile(self.echo, 0.99)

    @property
    def target(self) -> float:
        return TARGETS[self.kind]


@asynccontextmanager
async def echo_bot(fake: FakeTelegram, base_url: str | None = None) -> AsyncIterator[None]:
    """The baseline: a minimal Application with one MessageHandler echoing the text (in
    process, or over HTTP when ``base_url`` is where the fake is served)."""
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    from bot.lifecycle import running

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text is not None:
            await update.message.reply_text(update.message.text)

    builder = Application.builder().token(fake.token).base_url(base_url or fake.base_url)
    if base_url is None:
        builder = builder.request(fake.ptb_request()).get_updates_request(fake.ptb_request())
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with running(application, poll_timeout=1):
        yield


class ServerClock:
    """Wraps the fake's ASGI app: adds up the time the fake spends serving calls, and notes
    when each chat's first reply reached it.

    The fake stands in for Telegram's servers, which are part of neither bot: its time is
    taken off both bots' figures. Long polls (getUpdates) are not counted: they wait.
    """

    def __init__(self, fake: FakeTelegram) -> None:
        self.app = fake.app
        self.busy = 0.0
        # chat id -> (when the call carrying the reply reached the fake, busy until then)
        self.replied: dict[int, tuple[float, float]] = {}
        self._call: contextvars.ContextVar[tuple[float, float]] = contextvars.ContextVar("call")

        def noting(method: str, params: dict[str, Any]) -> None:
            chat = params.get("chat_id")
            if method.lower().startswith("send") and chat is not None:
                self.replied.setdefault(int(chat), self._call.get((time.perf_counter(), 0.0)))

        observe_calls(fake, before=noting)
        fake.app = self  # type: ignore[assignment]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if str(scope.get("path", "")).lower().endswith("/getupdates"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        token = self._call.set((started, self.busy))
        try:
            await self.app(scope, receive, send)
        finally:
            self._call.reset(token)
            self.busy += time.perf_counter() - started


@dataclass
class Sample:
    net: float  # ms from the update being available until the reply reached the fake,
    # without the fake's own work on other calls in between (the figure)
    total: float  # ms until the simulated user saw the reply, everything included


async def timed(user: SimulatedUser, text: str, clock: ServerClock) -> Sample:
    await user.send(text)  # queues the update; the bot cannot run before the next await
    started, busy = time.perf_counter(), clock.busy
    clock.replied.pop(user.chat_id, None)
    await user.next_message(timeout=30)
    total = time.perf_counter() - started
    arrived, busy_then = clock.replied[user.chat_id]
    return Sample((arrived - started - (busy_then - busy)) * 1000, total * 1000)


@asynccontextmanager
async def served(fake: FakeTelegram, loopback: bool) -> AsyncIterator[str | None]:
    """The fake's address on 127.0.0.1 (or None: in process)."""
    if not loopback:
        yield None
        return
    from tests.faketelegram import serve_on_loopback

    async with serve_on_loopback(fake) as base_url:
        yield base_url


async def measure_async(samples: int, folder: Path, loopback: bool) -> list[Timings]:
    from tests.faketelegram import FakeTelegram

    ours_fake, echo_fake = FakeTelegram(), FakeTelegram()
    ours_clock, echo_clock = ServerClock(ours_fake), ServerClock(echo_fake)
    ours_fake.user(900001, first_name="Coby")  # the coordinator, for the command menu
    count = samples + WARMUP
    participants = list(range(5_000_000, 5_000_000 + count))
    async with (
        served(ours_fake, loopback) as ours_url,
        served(echo_fake, loopback) as echo_url,
        real_bot(ours_fake, folder, ours_url) as services,
        echo_bot(echo_fake, echo_url),
    ):
        # Approved now: the reminders they would have had before today are not theirs.
        await add_participants(services, participants, services.now())
        codes = await services.attendance.codes(services.now())
        ids = itertools.count(2_000_000)
        questions = itertools.cycle(QUESTIONS)
        checkins = iter(participants)

        def text_for(kind: str) -> tuple[int, str]:
            if kind == "/start":
                return next(ids), "/start"
            if kind == "question":
                return next(ids), next(questions)
            code = codes.code(SESSION, codes.slot(services.now()))
            return next(checkins), f"/checkin {code}"

        results = {kind: Timings(kind, [], [], [], []) for kind in KINDS}
        for round_number in range(count):
            for kind in KINDS:
                user_id, text = text_for(kind)
                ours = await timed(ours_fake.user(user_id, first_name="Sanne"), text, ours_clock)
                await asyncio.sleep(PAUSE)
                echo = await timed(echo_fake.user(user_id, first_name="Sanne"), text, echo_clock)
                await asyncio.sleep(PAUSE)
                if round_number >= WARMUP:
                    timings = results[kind]
                    timings.ours.append(ours.net)
                    timings.echo.append(echo.net)
                    timings.ours_total.append(ours.total)
                    timings.echo_total.append(echo.total)
        check_replies(ours_fake, participants[-1])
    return list(results.values())


def check_replies(fake: FakeTelegram, participant: int) -> None:
    """The last check-in was accepted: the bot did the real work, not an error reply."""
    reply = fake.bot_messages(participant)[-1].text or ""
    if not reply.startswith("✅ Je bent ingecheckt"):
        raise RuntimeError(f"the check-in was not accepted: {reply!r}")


def measure(samples: int = 200, loopback: bool = False) -> list[Timings]:
    """Run the comparison at module 4's check-in time; timings per kind of update."""
    use_repository()
    import time_machine

    with (
        tempfile.TemporaryDirectory(prefix="wijkbot-bench-") as folder,
        time_machine.travel(MOMENT, tick=True),
    ):
        return asyncio.run(measure_async(samples, Path(folder), loopback))


def describe(timings: Timings) -> list[str]:
    def summary(values: list[float]) -> str:
        return f"p50 {percentile(values, 0.5):6.2f} ms, p99 {percentile(values, 0.99):6.2f} ms"

    total = percentile(timings.ours_total, 0.5) / percentile(timings.echo_total, 0.5)
    return [
        f"{timings.kind:<9} ours {summary(timings.ours)} | echo {summary(timings.echo)} | "
        f"ratio {timings.ratio:.2f} (p99 {timings.ratio_p99:.2f}), target <= {timings.target}",
        f"{'':<9} until seen by the user: ours {summary(timings.ours_total)} | "
        f"echo {summary(timings.echo_total)} | ratio {total:.2f}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--loopback", action="store_true", help="HTTP over 127.0.0.1")
    args = parser.parse_args(argv)
    results = measure(args.samples, args.loopback)
    print(f"Update handling, {args.samples} samples per kind (after {WARMUP} warm-up rounds)")
    for timings in results:
        print("\n".join(describe(timings)))
    return 0 if all(t.ratio <= t.target for t in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
