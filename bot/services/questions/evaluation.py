"""Scoring the question service against a labelled set of questions (bench and tests).

The set is a TSV file with the columns ``question``, ``expected`` (an intent id, several
joined with ``+`` for a message with more questions, or ``unknown``; for a question that two
answers serve equally well, both joined with ``|``), ``note`` and ``batch``.

Batches record how the set grew: batch 1 was written before any tuning, and one question in
three of it (by a hash of the text) is held out: only its totals were looked at while
tuning. Every later batch was written fresh and first scored as unseen questions before its
mistakes were studied.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.services.questions.service import QuestionService

UNKNOWN = "unknown"
HOLDOUT_SHARE = 3  # one question in three (by a hash of its text) is held out while tuning


@dataclass(frozen=True)
class Case:
    question: str
    expected: str
    note: str = ""
    batch: int = 1

    @property
    def split(self) -> str:
        if self.batch != 1:
            return f"batch{self.batch}"
        digest = hashlib.sha256(self.question.encode("utf-8")).digest()
        return "holdout" if digest[0] % HOLDOUT_SHARE == 0 else "dev"

    @property
    def known(self) -> bool:
        return self.expected != UNKNOWN


@dataclass(frozen=True)
class Outcome:
    case: Case
    predicted: str
    seconds: float  # wall-clock time of the answer
    cpu_seconds: float = 0.0  # processor time: without the waits while other processes run

    @property
    def correct(self) -> bool:
        """Right when the answered intents are one of the accepted alternatives."""
        return any(
            _labels(self.predicted) == _labels(option)
            for option in self.case.expected.split("|")
        )

    @property
    def fallback(self) -> bool:
        return self.predicted == UNKNOWN


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def subset(self, split: str) -> Report:
        return Report([o for o in self.outcomes if split in {"all", o.case.split}])

    def splits(self) -> list[str]:
        found = {o.case.split for o in self.outcomes}
        ordered = sorted(found, key=lambda name: (not name.startswith(("dev", "hold")), name))
        return ["all", *ordered]

    @property
    def known_accuracy(self) -> float:
        known = [o for o in self.outcomes if o.case.known]
        return sum(o.correct for o in known) / len(known) if known else 1.0

    @property
    def unknown_to_fallback(self) -> float:
        unknown = [o for o in self.outcomes if not o.case.known]
        return sum(o.fallback for o in unknown) / len(unknown) if unknown else 1.0

    @property
    def fallback_precision(self) -> float:
        fallbacks = [o for o in self.outcomes if o.fallback]
        return sum(not o.case.known for o in fallbacks) / len(fallbacks) if fallbacks else 1.0

    def percentile_ms(self, share: float, *, cpu: bool = False) -> float:
        times = sorted(o.cpu_seconds if cpu else o.seconds for o in self.outcomes)
        if not times:
            return 0.0
        if len(times) == 1:
            return times[0] * 1000
        cuts = statistics.quantiles(times, n=100, method="inclusive")
        return cuts[min(98, max(0, round(share * 100) - 1))] * 1000

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]


def _labels(label: str) -> frozenset[str]:
    return frozenset(part.strip() for part in label.split("+") if part.strip())


def load_cases(path: Path) -> list[Case]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        Case(
            row["question"],
            row["expected"].strip(),
            (row.get("note") or "").strip(),
            int(row.get("batch") or 1),
        )
        for row in rows
        if row.get("question")
    ]


def predict(
    service: QuestionService, question: str, now: dt.datetime
) -> tuple[str, float, float]:
    """The intents answered ("unknown" for the fallback), wall-clock and processor seconds."""
    started, started_cpu = time.perf_counter(), time.thread_time()
    reply = service.answer(question, now)
    seconds, cpu = time.perf_counter() - started, time.thread_time() - started_cpu
    return ("+".join(reply.intents) if reply.intents else UNKNOWN), seconds, cpu


def evaluate(
    service: QuestionService, cases: list[Case], now: dt.datetime, rounds: int = 1
) -> Report:
    """Answer every case ``rounds`` times (in turn, so caches do not favour a repeat); a
    case's time is the median of its rounds, which keeps other processes' noise out."""
    walls: list[list[float]] = [[] for _ in cases]
    cpus: list[list[float]] = [[] for _ in cases]
    predicted: list[str] = [UNKNOWN] * len(cases)
    for _ in range(max(1, rounds)):
        for index, case in enumerate(cases):
            predicted[index], wall, cpu = predict(service, case.question, now)
            walls[index].append(wall)
            cpus[index].append(cpu)
    return Report(
        [
            Outcome(case, predicted[i], statistics.median(walls[i]), statistics.median(cpus[i]))
            for i, case in enumerate(cases)
        ]
    )
