"""Answer texts: knowledge-base templates filled with facts from the programme file.

Static facts (times, dates, numbers) are computed once per programme; answers that depend
on today (the next module, what is already over) are computed from ``now``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.catalogue import Html, format_html, t
from bot.formatting import clock, duration_until, long_date, session_name, short_date, time_range
from bot.programme import Programme, Session, SessionKind
from bot.services import eligibility
from bot.services.questions.analyse import Analysis
from bot.services.questions.knowledge import IntentEntry, KnowledgeBase

MAX_DESCRIBED = 2  # "waar gaan module 3 en 4 over" describes both; more become a list


@dataclass(frozen=True)
class Rendered:
    html: Html
    confident: bool


def join_and(items: list[str]) -> Html:
    """``a, b en c`` (escaped)."""
    if not items:
        return Html("")
    if len(items) == 1:
        return format_html("{item}", item=items[0])
    return t("questions.list_and", rest=", ".join(items[:-1]), last=items[-1])


def hours_text(minutes: int) -> str:
    hours = minutes / 60
    shown = f"{hours:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return shown


def programme_facts(programme: Programme) -> dict[str, Any]:
    """Every placeholder an answer template may use, from the programme file."""
    data = programme.data
    modules = programme.modules
    first, last = (modules[0], modules[-1]) if modules else (None, None)
    return {
        "course": data.course.name,
        "organisation": data.course.organisation,
        "summary": data.course.summary.strip(),
        "focus": data.course.focus.strip(),
        "start_date": long_date(data.course.start_date),
        "end_date": long_date(data.course.end_date),
        "module_count": len(modules),
        "weekday": data.modules.weekday,
        "start_time": clock(data.modules.start),
        "end_time": clock(data.modules.end),
        "module_format": data.modules.format.strip(),
        "attendance_rule": data.attendance.rule.strip(),
        "own_time_min": data.workload.own_time_hours_min,
        "own_time_max": data.workload.own_time_hours_max,
        "werksessie_hours": hours_text(data.werksessies.duration_minutes),
        "intervisie_meetings": data.intervisie.meetings,
        "group_min": data.final_assignment.group_size_min,
        "group_max": data.final_assignment.group_size_max,
        "certificate": data.certificate.description.strip(),
        "outcome": data.outcome.description.strip(),
        "field_visits": join_and(list(data.course.field_visits)),
        "themes": join_and(list(data.course.themes)),
        "organisations": join_and(list(data.eligibility.organisations)),
        "organisations_list": ", ".join(data.eligibility.organisations),
        "municipality": data.eligibility.municipality,
        "experience_min": data.eligibility.experience_years_min,
        "experience_max": data.eligibility.experience_years_max,
        "criteria": Html("\n".join(t("questions.bullet", text=line)
                                   for line in data.eligibility.criteria)),
        "first_module_date": long_date(first.starts_at.date()) if first else "",
        "last_module_number": last.number if last else "",
        "last_module_title": (last.title or "") if last else "",
        "last_module_date": long_date(last.starts_at.date()) if last else "",
    }


class Answerer:
    """Renders the answer of one intent for one analysed question."""

    def __init__(self, programme: Programme, knowledge: KnowledgeBase) -> None:
        self.programme = programme
        self.knowledge = knowledge
        # After the last module: where the next edition is (set per question; None: none).
        self.following: Html | None = None
        self.facts = programme_facts(programme)
        self._params: dict[str, dict[str, Any]] = {}
        for session in programme.sessions:
            self._session_params(session)

    def fill(self, template: str, /, **extra: Any) -> Html:
        return format_html(template.strip(), **{**self.facts, **extra})

    def render(self, intent: IntentEntry, analysis: Analysis | None, now: dt.datetime) -> Rendered:
        now = now.astimezone(self.programme.timezone)
        kind = intent.kind
        if kind == "next_module":
            return Rendered(self._next_module(intent, now), True)
        if kind in {"module_date", "module_about"}:
            return Rendered(self._modules(intent, analysis, now), True)
        if kind == "schedule":
            return Rendered(self._schedule(intent, now), True)
        if kind == "times":
            return Rendered(self._times(intent, analysis), True)
        if kind == "experience":
            return self._experience(intent, analysis)
        if kind == "organisation":
            return self._organisation(intent, analysis)
        if kind in {"werksessies", "intervisie"}:
            return Rendered(self._extra_sessions(intent, now), True)
        if kind == "location":
            return Rendered(self._location(intent, analysis, now), True)
        if kind == "preparation":
            return Rendered(self._preparation(intent, analysis, now), True)
        return Rendered(self.fill(intent.answer), not intent.forward)

    def _asked_modules(self, analysis: Analysis | None, now: dt.datetime) -> list[Session]:
        numbers = analysis.refs.numbers if analysis else ()
        modules = [m for m in (self.programme.module(n) for n in numbers) if m is not None]
        if modules:
            return modules
        upcoming = [m for m in self.programme.modules if now < m.ends_at]
        return upcoming[:1]

    def _preparation(self, intent: IntentEntry, analysis: Analysis | None, now: dt.datetime
                     ) -> Html:
        """What to prepare for the module asked about (or the next one), from the programme."""
        lines = []
        for module in self._asked_modules(analysis, now):
            params = self._session_params(module)
            if module.preparation:
                lines.append(self._variant(intent, "module", preparation=module.preparation,
                                           **params))
            else:
                lines.append(self._variant(intent, "none", **params))
        lines.append(self.fill(intent.answer))
        return Html("\n".join(lines))

    def location_known(self, analysis: Analysis | None, now: dt.datetime) -> bool:
        """Whether the programme gives a location for the module(s) asked about."""
        now = now.astimezone(self.programme.timezone)
        return any(m.location for m in self._asked_modules(analysis, now))

    def _location(self, intent: IntentEntry, analysis: Analysis | None, now: dt.datetime
                  ) -> Html:
        lines = [
            self._variant(intent, "module", location=m.location, **self._session_params(m))
            for m in self._asked_modules(analysis, now)
            if m.location
        ]
        return Html("\n".join(lines))

    def _variant(self, intent: IntentEntry, variant: str, /, **params: Any) -> Html:
        return self.fill(intent.variants[variant], **params)

    def _session_params(self, session: Session) -> dict[str, Any]:
        """Names, dates and times of a session; computed once per programme (Babel is slow)."""
        cached = self._params.get(session.key)
        if cached is None:
            cached = self._params[session.key] = self._compute_params(session)
        return cached

    def _compute_params(self, session: Session) -> dict[str, Any]:
        return {
            "name": session_name(session),
            "number": session.number,
            "title": session.title or "",
            "date": long_date(session.starts_at.date()),
            "short_date": short_date(session.starts_at.date()),
            "time": time_range(session),
            "end": clock(session.ends_at),
            "description": (session.description or "").strip(),
        }

    def _next_module(self, intent: IntentEntry, now: dt.datetime) -> Html:
        upcoming = [s for s in self.programme.modules if now < s.ends_at]
        if not upcoming:
            finished = self._variant(intent, "finished")
            return Html(f"{finished}\n{self.following}") if self.following else finished
        module = upcoming[0]
        params = self._session_params(module)
        if module.is_running(now):
            return self._variant(intent, "running", **params)
        text = self._variant(intent, "upcoming", countdown=duration_until(now, module.starts_at),
                             **params)
        earlier = self.programme.next_session(now)
        if earlier is not None and earlier.kind is not SessionKind.MODULE and (
            earlier.starts_at < module.starts_at
        ):
            before = self._variant(intent, "before", **self._session_params(earlier))
            text = Html(f"{text}\n{before}")
        return text

    def _modules(self, intent: IntentEntry, analysis: Analysis | None, now: dt.datetime) -> Html:
        refs = analysis.refs if analysis else None
        if refs is None or refs.empty:
            return self._schedule(intent, now)
        lines: list[str] = []
        for month in refs.months:
            if not self.programme_months(month):
                lines.append(self._variant(intent, "no_month", month=_month_name(month)))
        numbers = list(refs.numbers)
        describe = intent.kind == "module_about" and len(numbers) <= MAX_DESCRIBED
        for number in numbers:
            module = self.programme.module(number)
            if module is None:
                lines.append(self._variant(intent, "no_such", number=number,
                                           count=len(self.programme.modules)))
                continue
            params = self._session_params(module)
            if describe:
                lines.append(self._variant(intent, "about", **params))
            elif module.is_over(now):
                lines.append(self._variant(intent, "past", **params))
            else:
                countdown = duration_until(now, module.starts_at)
                lines.append(self._variant(intent, "one", countdown=countdown, **params))
        if not lines:
            return self._schedule(intent, now)
        return Html(("\n\n" if describe else "\n").join(lines))

    def programme_months(self, month: int) -> list[Session]:
        return [s for s in self.programme.modules if s.starts_at.month == month]

    def _schedule(self, intent: IntentEntry, now: dt.datetime) -> Html:
        lines = []
        for module in self.programme.modules:
            key = "questions.schedule_done" if module.is_over(now) else "questions.schedule_line"
            lines.append(t(key, **self._session_params(module)))
        header = t("questions.schedule_header", count=len(self.programme.modules),
                   weekday=self.facts["weekday"], start=self.facts["start_time"],
                   end=self.facts["end_time"])
        return Html("\n".join([header, *lines, t("questions.schedule_footer")]))

    def _times(self, intent: IntentEntry, analysis: Analysis | None) -> Html:
        text = self.fill(intent.answer)
        numbers = analysis.refs.numbers if analysis else ()
        default = (self.programme.data.modules.start, self.programme.data.modules.end)
        for number in numbers:
            module = self.programme.module(number)
            if module is not None and (module.starts_at.time(), module.ends_at.time()) != default:
                extra = self._variant(intent, "module", **self._session_params(module))
                text = Html(f"{text}\n{extra}")
        return text

    def _experience(self, intent: IntentEntry, analysis: Analysis | None) -> Rendered:
        years = analysis.years if analysis else None
        if years is None:
            return Rendered(self.fill(intent.answer), True)
        rules = self.programme.data.eligibility
        reasons = eligibility.assess(True, years, "", rules).reasons
        if eligibility.EXPERIENCE_LESS in reasons:
            return Rendered(self._variant(intent, "less", years=years), False)
        if eligibility.EXPERIENCE_MORE in reasons:
            return Rendered(self._variant(intent, "more", years=years), True)
        return Rendered(self._variant(intent, "fits", years=years), True)

    def _organisation(self, intent: IntentEntry, analysis: Analysis | None) -> Rendered:
        found = analysis.organisation if analysis else None
        if found is None:
            return Rendered(self.fill(intent.answer), True)
        if found == eligibility.RESIDENT:
            return Rendered(self._variant(intent, "resident"), True)
        listed = {name.casefold(): name for name in self.programme.data.eligibility.organisations}
        if found.casefold() in listed:
            return Rendered(self._variant(intent, "listed", kind=listed[found.casefold()]), True)
        return Rendered(self._variant(intent, "other"), False)

    def _extra_sessions(self, intent: IntentEntry, now: dt.datetime) -> Html:
        kind = SessionKind.WERKSESSIE if intent.kind == "werksessies" else SessionKind.INTERVISIE
        sessions = [s for s in self.programme.sessions if s.kind is kind]
        text = self.fill(intent.answer)
        if not sessions:
            return Html(f"{text}\n{self._variant(intent, 'none')}")
        lines = [
            t("questions.session_done" if s.is_over(now) else "questions.session_line",
              **self._session_params(s))
            for s in sessions
        ]
        return Html("\n".join([text, self._variant(intent, "planned"), *lines]))


def _month_name(month: int) -> str:
    from babel.dates import get_month_names

    return str(get_month_names("wide", locale="nl_NL")[month])
