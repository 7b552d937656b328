"""Check-in codes and QR tokens that cannot be guessed or reused elsewhere.

A code is derived, never stored: ``HMAC-SHA256(secret, kind | session key | time slot)``.
The time slot is the number of whole rotation periods since the Unix epoch, so every session
gets a new code every ``code_rotation_minutes``; the previous one stays valid for
``code_grace_seconds`` after the change (someone who read it just before still gets in).

- The short code shown in the room is 6 characters from a 32-letter alphabet without 0/O/1/I
  (30 bits); typed with or without spaces or dashes, in any case.
- The QR token (``?start=checkin_<token>``) is 128 bits of the HMAC, base64url.

Both are tied to one session by the key in the HMAC. Wrong guesses are limited per person
(:class:`GuessLimiter`), so trying codes is hopeless: 5 guesses per 10 minutes against
2^30 possibilities.

The secret comes from ``attendance.secret`` in the configuration, or is generated once with
``secrets`` and kept in the ``checkin_secrets`` table.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import enum
import hashlib
import hmac
import io
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.database import Database
from bot.models import CheckinSecret

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 6
TOKEN_BYTES = 16
TOKEN_LENGTH = 22  # base64url of 16 bytes, without padding
_SECRET_ROW = 1
_MAX_PERIODS = 24 * 60  # expired codes are recognised this many periods back at most
_TOKEN_CHARACTERS = re.compile(r"^[A-Za-z0-9_-]+$")
_SEPARATORS = re.compile(r"[\s\-_.]+")


class Verdict(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"  # a code of this session from an earlier period
    WRONG = "wrong"


@dataclass(frozen=True, slots=True)
class CurrentCode:
    code: str  # as shown: "K7M 4QP"
    token: str
    slot: int
    changes_at: dt.datetime  # when the next code takes over


def normalise_code(text: str) -> str:
    """What someone typed, as the bare code: upper case, no spaces or dashes."""
    return _SEPARATORS.sub("", text.strip()).upper()


def looks_like_code(text: str) -> bool:
    """Short enough to be a mistyped code (not a question typed by mistake)."""
    bare = normalise_code(text)
    return 0 < len(bare) <= 2 * CODE_LENGTH and bare.isalnum()


def looks_like_token(text: str) -> bool:
    return 0 < len(text) <= 64 and bool(_TOKEN_CHARACTERS.match(text))


def qr_png(link: str) -> bytes:
    """The link as a QR code PNG, large enough to scan from the back of a room."""
    import segno  # imported here: not needed at start-up

    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=12, border=4)
    return buffer.getvalue()


def display_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]} {code[half:]}"


class CheckinCodes:
    """Derives and checks codes and tokens; knows nothing of participants or the database."""

    def __init__(self, secret: bytes, rotation: dt.timedelta, grace: dt.timedelta) -> None:
        if len(secret) < 16:
            raise ValueError("the check-in secret is too short")
        self._secret = secret
        self._period = int(rotation.total_seconds())
        self._grace = grace

    def slot(self, moment: dt.datetime) -> int:
        return int(moment.timestamp()) // self._period

    def slot_start(self, slot: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(slot * self._period, dt.UTC)

    def _mac(self, kind: str, session_key: str, slot: int) -> bytes:
        message = f"{kind}|{session_key}|{slot}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    def code(self, session_key: str, slot: int) -> str:
        number = int.from_bytes(self._mac("code", session_key, slot)[:8], "big")
        letters = []
        for _ in range(CODE_LENGTH):
            number, index = divmod(number, len(ALPHABET))
            letters.append(ALPHABET[index])
        return "".join(letters)

    def token(self, session_key: str, slot: int) -> str:
        digest = self._mac("token", session_key, slot)[:TOKEN_BYTES]
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def current(self, session_key: str, now: dt.datetime) -> CurrentCode:
        slot = self.slot(now)
        return CurrentCode(
            code=display_code(self.code(session_key, slot)),
            token=self.token(session_key, slot),
            slot=slot,
            changes_at=self.slot_start(slot + 1),
        )

    def check_code(
        self, typed: str, session_key: str, opened: dt.datetime, now: dt.datetime
    ) -> Verdict:
        bare = normalise_code(typed)
        if len(bare) != CODE_LENGTH:
            return Verdict.WRONG
        return self._check(bare, session_key, opened, now, self.code)

    def check_token(
        self, token: str, session_key: str, opened: dt.datetime, now: dt.datetime
    ) -> Verdict:
        if len(token) != TOKEN_LENGTH or not looks_like_token(token):
            return Verdict.WRONG
        return self._check(token, session_key, opened, now, self.token)

    def _check(
        self,
        given: str,
        session_key: str,
        opened: dt.datetime,
        now: dt.datetime,
        derive: Callable[[str, int], str],
    ) -> Verdict:
        """Valid for the current period and, briefly, the previous one; earlier ones of the
        same check-in window are expired; anything else is wrong. Compared in constant time."""
        current = self.slot(now)
        valid = [current]
        if now - self.slot_start(current) < self._grace:
            valid.append(current - 1)
        verdict = Verdict.WRONG
        for slot in valid:
            if hmac.compare_digest(given, derive(session_key, slot)):
                verdict = Verdict.VALID
        if verdict is Verdict.VALID:
            return verdict
        first = max(min(self.slot(opened), current), current - _MAX_PERIODS)
        for slot in range(first, current + 1):
            if slot not in valid and hmac.compare_digest(given, derive(session_key, slot)):
                verdict = Verdict.EXPIRED
        return verdict


class GuessLimiter:
    """At most ``limit`` wrong codes per person in any ``window``; then a pause.

    Kept in memory: a restart forgets the count, which only gives a guesser a few more tries
    out of 2^30. The check and the record happen without an ``await`` in between, so a burst
    of simultaneous guesses cannot slip past the limit.
    """

    def __init__(self, limit: int, window: dt.timedelta) -> None:
        self._limit = limit
        self._window = window
        self._wrong: dict[int, collections.deque[dt.datetime]] = {}

    def _recent(self, person: int, now: dt.datetime) -> collections.deque[dt.datetime]:
        times = self._wrong.get(person)
        if times is None:
            return collections.deque()
        while times and now - times[0] >= self._window:
            times.popleft()
        if not times:
            del self._wrong[person]
        return times

    def blocked_until(self, person: int, now: dt.datetime) -> dt.datetime | None:
        times = self._recent(person, now)
        if len(times) < self._limit:
            return None
        return times[len(times) - self._limit] + self._window

    def tries_left(self, person: int, now: dt.datetime) -> int:
        return max(0, self._limit - len(self._recent(person, now)))

    def record_wrong(self, person: int, now: dt.datetime) -> None:
        self._recent(person, now)
        self._wrong.setdefault(person, collections.deque()).append(now)

    def forget(self, person: int) -> None:
        self._wrong.pop(person, None)


async def load_secret(database: Database, configured: str | None, now: dt.datetime) -> bytes:
    """The configured secret, else the one in the database (made on first use)."""
    if configured:
        return configured.encode("utf-8")
    async with database.transaction() as session:
        row = await session.get(CheckinSecret, _SECRET_ROW)
        if row is not None:
            return bytes.fromhex(row.secret)
    try:
        async with database.transaction() as session:
            session.add(CheckinSecret(id=_SECRET_ROW, secret=secrets.token_hex(32), created_at=now))
    except IntegrityError:
        pass  # made at the same moment by another task: use that one
    async with database.transaction() as session:
        stored = await session.scalar(
            select(CheckinSecret.secret).where(CheckinSecret.id == _SECRET_ROW)
        )
    assert stored is not None
    return bytes.fromhex(stored)
