"""Fault injection (fail_next) and Telegram's flood limits (enforce_limits)."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from .errors import ApiError, error_for_status

NETWORK_ERRORS = ("connect", "timeout", "reset")


@dataclass
class Fault:
    method: str  # lower-case method name
    error: ApiError
    remaining: int
    chat_id: int | None = None
    network: str | None = None  # "connect", "timeout" or "reset": fails in transport
    after_processing: bool = False  # a timeout after Telegram did the work


class FaultInjector:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(
        self,
        method: str,
        *,
        status: int,
        retry_after: int | None,
        description: str | None,
        times: int,
        chat_id: int | None,
        network: str | None = None,
        after_processing: bool = False,
    ) -> None:
        if network is not None and network not in NETWORK_ERRORS:
            raise ValueError(f"network must be one of {NETWORK_ERRORS}, not {network!r}")
        error = error_for_status(status, description, retry_after)
        self.faults.append(Fault(method.lower(), error, times, chat_id, network, after_processing))

    def take(self, method: str, chat_id: object) -> Fault | None:
        """The fault for this call, if one is armed (using up one of its `times`)."""
        for fault in self.faults:
            if fault.method != method.lower():
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self.faults.remove(fault)
            return fault
        return None


LIMITED_PREFIXES = ("send", "edit", "copy", "forward")
UNLIMITED = frozenset({"sendchataction"})


class RateLimiter:
    """Sliding windows over time.monotonic(): overall per second, per chat, per group minute."""

    def __init__(
        self,
        per_second: int,
        per_chat_per_second: float,
        per_chat_burst: int,
        per_group_per_minute: int,
    ) -> None:
        self.per_second = per_second
        self.per_chat_burst = per_chat_burst
        self.chat_window = per_chat_burst / per_chat_per_second
        self.per_group_per_minute = per_group_per_minute
        self._all: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}
        self._groups: dict[int, deque[float]] = {}

    @staticmethod
    def applies(method: str) -> bool:
        lowered = method.lower()
        return lowered.startswith(LIMITED_PREFIXES) and lowered not in UNLIMITED

    @staticmethod
    def _over(times: deque[float], window: float, limit: int, now: float) -> int | None:
        while times and times[0] <= now - window:
            times.popleft()
        if len(times) < limit:
            return None
        return max(1, math.ceil(times[0] + window - now))

    def check(self, chat_id: int | None, now: float) -> int | None:
        """Seconds to wait (Telegram's retry_after) if this call is over a limit, else None."""
        waits = [self._over(self._all, 1.0, self.per_second, now)]
        if chat_id is not None:
            chat_times = self._chats.setdefault(chat_id, deque())
            waits.append(self._over(chat_times, self.chat_window, self.per_chat_burst, now))
            if chat_id < 0:
                group_times = self._groups.setdefault(chat_id, deque())
                waits.append(self._over(group_times, 60.0, self.per_group_per_minute, now))
        found = [wait for wait in waits if wait is not None]
        return max(found) if found else None

    def record(self, chat_id: int | None, now: float) -> None:
        self._all.append(now)
        if chat_id is not None:
            self._chats.setdefault(chat_id, deque()).append(now)
            if chat_id < 0:
                self._groups.setdefault(chat_id, deque()).append(now)
