"""Helpers for the crash tests: the real bot in a child process (``wijkbot run``), killed with
SIGKILL at a chosen Bot API call and started again on the same database.

The child runs in real time, but at a moment of the 2024-2025 programme: a tiny wrapper
starts ``time_machine.travel(moment, tick=True)`` (the moment comes in ``CRASH_TEST_NOW``)
and then calls the CLI's ``main``, so the child's clock runs on from that moment.

The kill point is a *tripwire* in the fake Telegram: the ``at``-th call that matches is the
last thing the child does. With ``lost=True`` the child dies while the call is on its way
and Telegram never handles it (a reply that never arrives); otherwise Telegram handles it
and the child dies before it hears the answer (a message that arrived, but the bot cannot
know). Everything else the child had in flight goes the way it goes, as in a real crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.services.registry import Services, build_services
from tests.conftest import COORDINATOR_ID
from tests.faketelegram import FakeTelegram, serve_on_loopback
from tests.faketelegram.params import decode

NOW_VARIABLE = "CRASH_TEST_NOW"
START_TIMEOUT = 40.0  # seconds for a child to start polling (slow CI machines included)

# The wrapper: travel first (imports are done by then), then the real CLI.
CHILD = f"""
import datetime, os, sys
import time_machine
from bot.cli import main
moment = datetime.datetime.fromisoformat(os.environ["{NOW_VARIABLE}"])
sys.argv = ["wijkbot", "run"]
with time_machine.travel(moment, tick=True):
    main()
"""

ApiObject = dict[str, Any]
CallFilter = Callable[[str, ApiObject], bool]


def text_of(params: ApiObject) -> str:
    """What a sending call shows: text or caption, plus its buttons' data."""
    return " ".join(str(params.get(name) or "") for name in ("text", "caption", "reply_markup"))


def sends(marker: str) -> CallFilter:
    """sendMessage calls whose text (or buttons) contain ``marker``."""

    def matches(method: str, params: ApiObject) -> bool:
        return method.lower() == "sendmessage" and marker in text_of(params)

    return matches


@dataclass
class Tripwire:
    """Kill the child at the ``at``-th call that ``matches``."""

    matches: CallFilter
    at: int
    lost: bool
    seen: int = 0
    fired: asyncio.Event = field(default_factory=asyncio.Event)
    kill: Callable[[], None] = lambda: None

    def describe(self) -> str:
        way = "before Telegram handled it" if self.lost else "after Telegram handled it"
        return f"killed at matching call {self.at}, {way}"


class CrashFake(FakeTelegram):
    """The fake Telegram with a tripwire: arm() it, and the child dies at that call."""

    def __init__(self) -> None:
        super().__init__()
        self.tripwire: Tripwire | None = None

    def arm(self, wire: Tripwire) -> Tripwire:
        self.tripwire = wire
        return wire

    async def handle(self, method_name: str, token: str, raw: ApiObject) -> tuple[int, ApiObject]:
        wire = self.tripwire
        if wire is None or not wire.matches(method_name, decode(dict(raw))):
            return await super().handle(method_name, token, raw)
        wire.seen += 1
        if wire.seen < wire.at:
            return await super().handle(method_name, token, raw)
        self.tripwire = None
        if wire.lost:
            wire.kill()
            wire.fired.set()
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        answer = await super().handle(method_name, token, raw)
        wire.kill()
        wire.fired.set()
        return answer


@dataclass
class BotProcess:
    """``wijkbot run`` in a child process against the fake on a 127.0.0.1 port."""

    fake: CrashFake
    base_url: str
    database_url: str
    workdir: Path
    settings: dict[str, str] = field(default_factory=dict)  # more WIJKBOT_* variables
    process: asyncio.subprocess.Process | None = None
    logs: list[Path] = field(default_factory=list)

    def _environment(self, moment: dt.datetime) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKBOT_")}
        env.update(
            {
                "WIJKBOT_TELEGRAM__TOKEN": self.fake.token,
                "WIJKBOT_TELEGRAM__BASE_URL": self.base_url,
                "WIJKBOT_TELEGRAM__POLL_TIMEOUT": "1",
                "WIJKBOT_COORDINATORS": f"[{COORDINATOR_ID}]",
                "WIJKBOT_DATABASE__URL": self.database_url,
                NOW_VARIABLE: moment.isoformat(),
                **self.settings,
            }
        )
        return env

    async def start(self, moment: dt.datetime) -> None:
        """Start the child with its clock at ``moment``; returns once it polls for updates."""
        assert self.process is None or self.process.returncode is not None
        ready = len(self.fake.calls_to("deleteWebhook"))
        log = self.workdir / f"run-{len(self.logs) + 1}.log"
        self.logs.append(log)
        with log.open("wb") as output:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-c", CHILD,
                cwd=self.workdir, env=self._environment(moment),
                stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=output,
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        while len(self.fake.calls_to("deleteWebhook")) <= ready:  # start_polling's first call
            if self.process.returncode is not None or loop.time() > deadline:
                raise AssertionError(f"the bot did not start:\n{self.output()}")
            await self.fake.signal.wait_until(
                lambda: len(self.fake.calls_to("deleteWebhook")) > ready, 0.5
            )

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the power goes."""
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    async def killed(self) -> None:
        assert self.process is not None
        code = await asyncio.wait_for(self.process.wait(), 10)
        assert code == -signal.SIGKILL, f"the bot ended with {code}, not by SIGKILL"

    async def stop(self) -> None:
        """SIGTERM, as systemd stops the bot; it must end cleanly."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 20)
        assert code == 0, f"the bot ended with {code}:\n{self.output()}"

    def output(self) -> str:
        return "\n".join(log.read_text(errors="replace") for log in self.logs if log.exists())

    def trip(self, wire: Tripwire) -> Tripwire:
        """Arm the fake with ``wire``, which kills this child."""
        wire.kill = self.kill
        return self.fake.arm(wire)

    async def restart_after(self, wire: Tripwire, moment: dt.datetime, within: float) -> None:
        """Wait for the tripwire's kill, then start again (clock at ``moment``)."""
        try:
            await asyncio.wait_for(wire.fired.wait(), within)
        except TimeoutError:
            raise AssertionError(
                f"not {wire.describe()}: only {wire.seen} matching calls in {within}s"
            ) from None
        await self.killed()
        await self.start(moment)


@asynccontextmanager
async def bot_process(
    fake: CrashFake, database_url: str, workdir: Path, **settings: str
) -> AsyncIterator[BotProcess]:
    """Serve the fake on loopback and give a BotProcess for it; the child is stopped (or
    killed, if stopping fails) afterwards, and its output must hold no traceback."""
    await asyncio.to_thread(workdir.mkdir, exist_ok=True)
    async with serve_on_loopback(fake) as base_url:
        bot = BotProcess(fake, base_url, database_url, workdir, dict(settings))
        try:
            yield bot
            await bot.stop()
        finally:
            bot.kill()
            if bot.process is not None:
                await bot.process.wait()
    output = bot.output()
    assert "Traceback" not in output, output
    assert fake.token not in output
    assert not fake.internal_errors, fake.internal_errors
    assert not fake.unknown_calls, f"unknown Bot API calls: {fake.unknown_calls}"


@asynccontextmanager
async def database_services(fake: FakeTelegram, database_url: str) -> AsyncIterator[Services]:
    """The services on the test's database, opened from the test (seeding, inspection)."""
    settings = Settings(
        telegram={"token": fake.token, "base_url": "http://127.0.0.1:9/bot"},
        database={"url": database_url},
        coordinators=[COORDINATOR_ID],
    )
    services = build_services(settings)
    await services.database.upgrade()
    try:
        yield services
    finally:
        await services.close()


async def eventually(
    check: Callable[[], Awaitable[bool]], what: str, within: float = 20.0, every: float = 0.25
) -> None:
    """Poll an async ``check`` (for the database, which sends no signal) until it is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(every)
