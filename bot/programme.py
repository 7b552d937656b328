"""The course programme: loaded from a TOML file, validated, and turned into sessions.

The file format is documented by the bundled edition ``bot/data/programme-2024-2025.toml``.
Loading never guesses: every problem in a file is collected and reported at once.
"""

from __future__ import annotations

import datetime as dt
import enum
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.programme_file import ExtraSessionEntry, ModuleEntry, ProgrammeFile

BUNDLED_PROGRAMME = "programme-2024-2025.toml"

WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


class SessionKind(enum.StrEnum):
    MODULE = "module"
    WERKSESSIE = "werksessie"
    INTERVISIE = "intervisie"


@dataclass(frozen=True, slots=True)
class Session:
    """One meeting participants are expected at: a module, a werksessie or an intervisie."""

    key: str
    kind: SessionKind
    number: int
    title: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str | None
    description: str | None
    preparation: str | None

    def is_over(self, now: dt.datetime) -> bool:
        return now >= self.ends_at

    def is_running(self, now: dt.datetime) -> bool:
        return self.starts_at <= now < self.ends_at


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a programme file, located by a dotted path."""

    where: str
    code: str
    detail: dict[str, Any]


class ProgrammeError(Exception):
    """A programme file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        super().__init__(f"{source}: {len(problems)} problem(s)")
        self.source = source
        self.problems = list(problems)


class Programme:
    """A validated programme in a timezone, with its sessions in time order."""

    def __init__(
        self,
        data: ProgrammeFile,
        timezone: ZoneInfo,
        source: str,
        sessions: Iterable[Session] | None = None,
        key_prefix: str = "",
    ) -> None:
        self.data = data
        self.timezone = timezone
        self.source = source
        self.key_prefix = key_prefix  # of the edition: session keys never collide
        built = _build_sessions(data, timezone, key_prefix) if sessions is None else sessions
        self.sessions: tuple[Session, ...] = tuple(
            sorted(built, key=lambda s: (s.starts_at, s.key))
        )
        self._by_key = {session.key: session for session in self.sessions}

    def with_sessions(self, sessions: Iterable[Session]) -> Programme:
        """This programme with other sessions: the timetable as the coordinator changed it."""
        return Programme(self.data, self.timezone, self.source, sessions, self.key_prefix)

    @property
    def modules(self) -> list[Session]:
        return [s for s in self.sessions if s.kind is SessionKind.MODULE]

    def module_key(self, number: int) -> str:
        return f"{self.key_prefix}module-{number}"

    def module(self, number: int) -> Session | None:
        return self._by_key.get(self.module_key(number))

    def session(self, key: str) -> Session | None:
        return self._by_key.get(key)

    def next_session(self, now: dt.datetime) -> Session | None:
        """The session running now, or else the first one still to start."""
        for session in self.sessions:
            if now < session.ends_at:
                return session
        return None

    def is_finished(self, now: dt.datetime) -> bool:
        return bool(self.sessions) and now >= self.sessions[-1].ends_at


def _at(day: dt.date, time: dt.time, timezone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone)


def _build_sessions(data: ProgrammeFile, timezone: ZoneInfo, prefix: str) -> list[Session]:
    sessions: list[Session] = []
    for module in data.modules.list:
        start = module.start or data.modules.start
        end = module.end or data.modules.end
        sessions.append(
            Session(
                key=f"{prefix}module-{module.number}",
                kind=SessionKind.MODULE,
                number=module.number,
                title=module.title,
                starts_at=_at(module.date, start, timezone),
                ends_at=_at(module.date, end, timezone),
                location=module.location,
                description=module.description,
                preparation=module.preparation,
            )
        )
    werksessie_length = dt.timedelta(minutes=data.werksessies.duration_minutes)
    for kind, entries in (
        (SessionKind.WERKSESSIE, data.werksessies.sessions),
        (SessionKind.INTERVISIE, data.intervisie.sessions),
    ):
        ordered = sorted(entries, key=lambda e: (e.date, e.start))
        for index, entry in enumerate(ordered, start=1):
            starts_at = _at(entry.date, entry.start, timezone)
            if entry.end is not None:
                ends_at = _at(entry.date, entry.end, timezone)
            else:
                ends_at = starts_at + werksessie_length
            sessions.append(
                Session(
                    key=prefix + extra_session_key(kind, entry),
                    kind=kind,
                    number=index,
                    title=entry.title,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    location=entry.location,
                    description=entry.note,
                    preparation=entry.preparation,
                )
            )
    return sessions


def extra_session_key(kind: SessionKind, entry: ExtraSessionEntry) -> str:
    """The stable key of a werksessie or intervisie from the programme file."""
    return f"{kind.value}-{entry.key or entry.date.isoformat()}"


def read_programme_file(path: Path | None) -> tuple[str, str]:
    """Return (source name, text) of a programme file; ``None`` means the bundled edition."""
    if path is None:
        bundled = resources.files("bot.data").joinpath(BUNDLED_PROGRAMME)
        return BUNDLED_PROGRAMME, bundled.read_text(encoding="utf-8")
    return str(path), path.read_text(encoding="utf-8")


def parse_programme(
    text: str, source: str, timezone: ZoneInfo, key_prefix: str = ""
) -> Programme:
    """Validate programme TOML text; raise :class:`ProgrammeError` with every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProgrammeError(source, [Problem("", "toml_syntax", {"error": str(error)})]) from None
    try:
        data = ProgrammeFile.model_validate(raw)
    except ValidationError as error:
        raise ProgrammeError(source, _pydantic_problems(error)) from None
    problems = check_consistency(data)
    if problems:
        raise ProgrammeError(source, problems)
    return Programme(data, timezone, source, key_prefix=key_prefix)


def load_programme(path: Path | None, timezone: ZoneInfo, key_prefix: str = "") -> Programme:
    try:
        source, text = read_programme_file(path)
    except OSError as error:
        name = str(path) if path else BUNDLED_PROGRAMME
        raise ProgrammeError(name, [Problem("", "unreadable", {"error": str(error)})]) from None
    return parse_programme(text, source, timezone, key_prefix)


def _pydantic_problems(error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"])
        problems.append(Problem(where, _problem_code(item["type"]), {
            "value": _shown_value(item.get("input")),
            "error": item["msg"],
        }))
    return problems


_PYDANTIC_CODES = (
    ("missing", "missing"),
    ("extra_forbidden", "unknown_key"),
    ("date", "invalid_date"),
    ("time", "invalid_time"),
    ("int", "invalid_number"),
    ("greater_than", "number_too_small"),
    ("less_than", "number_too_large"),
    ("string_pattern", "invalid_key"),
    ("string", "invalid_text"),
    ("bool", "invalid_bool"),
    ("list", "invalid_list"),
    ("model", "invalid_table"),
    ("dict", "invalid_table"),
)


def _problem_code(pydantic_type: str) -> str:
    for prefix, code in _PYDANTIC_CODES:
        if pydantic_type.startswith(prefix):
            return code
    return "invalid_value"


def _shown_value(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def check_consistency(data: ProgrammeFile) -> list[Problem]:
    """Rules that span fields: weekday, order, times, duplicates, course dates."""
    problems: list[Problem] = []
    course = data.course
    if course.end_date < course.start_date:
        problems.append(Problem("course.end_date", "course_ends_before_start", {}))
    weekday = data.modules.weekday.strip().lower()
    if weekday not in WEEKDAYS_NL:
        problems.append(Problem("modules.weekday", "unknown_weekday", {"value": weekday}))
    if data.modules.end <= data.modules.start:
        problems.append(Problem("modules.end", "end_before_start", {}))
    if data.workload.own_time_hours_max < data.workload.own_time_hours_min:
        problems.append(Problem("workload", "range_reversed", {}))
    if data.eligibility.experience_years_max < data.eligibility.experience_years_min:
        problems.append(Problem("eligibility", "range_reversed", {}))
    if data.final_assignment.group_size_max < data.final_assignment.group_size_min:
        problems.append(Problem("final_assignment", "range_reversed", {}))

    seen: set[int] = set()
    previous: ModuleEntry | None = None
    for index, module in enumerate(data.modules.list):
        where = f"modules.list.{index}"
        if module.number in seen:
            problems.append(Problem(where, "duplicate_number", {"number": module.number}))
        seen.add(module.number)
        if weekday in WEEKDAYS_NL and WEEKDAYS_NL[module.date.weekday()] != weekday:
            problems.append(
                Problem(
                    where,
                    "wrong_weekday",
                    {
                        "number": module.number,
                        "date": module.date.isoformat(),
                        "actual": WEEKDAYS_NL[module.date.weekday()],
                        "expected": weekday,
                    },
                )
            )
        start = module.start or data.modules.start
        end = module.end or data.modules.end
        if end <= start:
            problems.append(Problem(where, "end_before_start", {"number": module.number}))
        if not course.start_date <= module.date <= course.end_date:
            problems.append(
                Problem(where, "outside_course", {"number": module.number,
                                                  "date": module.date.isoformat()})
            )
        if previous is not None and (
            module.number < previous.number or module.date <= previous.date
        ):
            problems.append(
                Problem(where, "out_of_order", {"number": module.number,
                                                "previous": previous.number})
            )
        previous = module
    expected = set(range(1, len(data.modules.list) + 1))
    if seen != expected and not problems:
        problems.append(Problem("modules.list", "numbers_not_consecutive", {}))

    for section, entries, needs_end in (
        ("werksessies", data.werksessies.sessions, False),
        ("intervisie", data.intervisie.sessions, True),
    ):
        keys: set[str] = set()
        for index, entry in enumerate(entries):
            where = f"{section}.sessions.{index}"
            key = entry.key or entry.date.isoformat()
            if key in keys:
                problems.append(Problem(where, "duplicate_key", {"key": key}))
            keys.add(key)
            if entry.end is None and needs_end:
                problems.append(Problem(f"{where}.end", "missing", {}))
            elif entry.end is not None and entry.end <= entry.start:
                problems.append(Problem(where, "end_before_start", {}))
            if not course.start_date <= entry.date <= course.end_date:
                problems.append(Problem(where, "outside_course_extra",
                                        {"date": entry.date.isoformat()}))
    if len(data.intervisie.sessions) > data.intervisie.meetings:
        problems.append(Problem("intervisie.sessions", "too_many_meetings",
                                {"count": len(data.intervisie.sessions),
                                 "meetings": data.intervisie.meetings}))
    return problems
