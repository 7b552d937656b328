"""What the question service hands back: replies, buttons, and how a question was read."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.catalogue import Html
from bot.services.questions.analyse import Analysis


@dataclass(frozen=True)
class Thresholds:
    answer: float = 0.55  # from this score a match is answered
    suggest: float = 0.3  # from this score the best match is offered as "did you mean"


@dataclass(frozen=True)
class Suggestion:
    label: str
    intent_id: str


@dataclass(frozen=True)
class Reply:
    """What the handler shows.

    ``intents`` lists what was answered ([] for the fallback). ``confident`` is False when the
    reply is the fallback or itself advises asking the coordinator: offer to forward then.
    """

    html: Html
    intents: list[str]
    confident: bool
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return bool(self.intents)


@dataclass(frozen=True)
class Match:
    """How one part of a message was understood."""

    text: str
    asked: bool
    analysis: Analysis
    intent: str | None = None
    gap: str | None = None
    score: float = 0.0
    candidate: str | None = None


@dataclass(frozen=True)
class LearnedEntry:
    intent_id: str
    question: str
    answer: str
