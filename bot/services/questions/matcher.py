"""Nearest-example matching over weighted terms.

Every example phrasing of every intent is a set of terms. A question is compared with each
example that shares a term with it; the score combines how much of the example the question
covers (recall) and how much of the question the example explains (precision), with rare
terms weighing more (inverse document frequency over intents). Words the bot has never seen
count against a match, which is what sends chit-chat and unknown topics to the fallback.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Weights:
    recall_share: float = 0.5  # exponent of the example's size; the rest goes to the question's
    unseen_word: float = 3.0  # weight of a word that occurs in no example
    unseen_stem: float = 1.0  # weight of a "#stem" of an example word in a question
    boost: float = 1.06  # learned answers win from a gap or intent with (almost) the same score
    gap_boost: float = 1.05  # a gap wins from an intent with (almost) the same score
    # Question words that another example of the same intent has count this much as matched:
    # "hoe laat begint het en hoe laat zijn we klaar" is all about times.
    profile_share: float = 0.5


# Terms that only refine a match and never make one on their own ("10", "niet").
MODIFIERS = frozenset({"@num", "@not"})


@dataclass(frozen=True)
class Candidate:
    intent: str
    score: float
    example: int
    precision: float = 1.0  # share of the question's weight this intent explains


class Index:
    """The examples of all intents, gaps and learned entries, ready for scoring."""

    def __init__(self, weights: Weights | None = None) -> None:
        self.weights = weights or Weights()
        self._examples: list[tuple[str, frozenset[str]]] = []
        self._boosted: set[str] = set()
        self._gaps: set[str] = set()
        self._postings: dict[str, list[int]] = {}
        self._idf: dict[str, float] = {}
        self._sizes: list[float] = []
        self._profiles: dict[str, set[str]] = {}
        self._dirty = True

    def add(
        self,
        intent: str,
        terms: Iterable[frozenset[str]],
        *,
        boosted: bool = False,
        gap: bool = False,
    ) -> None:
        known = {terms for name, terms in self._examples if name == intent}
        for example in terms:
            if example and example not in known:  # the same meaning twice adds nothing
                self._examples.append((intent, example))
                known.add(example)
        if boosted:
            self._boosted.add(intent)
        if gap:
            self._gaps.add(intent)
        self._dirty = True

    def remove(self, intent: str) -> None:
        self._examples = [item for item in self._examples if item[0] != intent]
        self._boosted.discard(intent)
        self._dirty = True

    def intents(self) -> set[str]:
        return {intent for intent, _ in self._examples}

    def profile(self, intent: str) -> set[str]:
        """Every term any example of the intent has."""
        if self._dirty:
            self._prepare()
        return self._profiles.get(intent, set())

    def example(self, number: int) -> tuple[str, frozenset[str]]:
        return self._examples[number]

    def _prepare(self) -> None:
        holders: dict[str, set[str]] = defaultdict(set)
        postings: dict[str, list[int]] = defaultdict(list)
        for number, (intent, terms) in enumerate(self._examples):
            for term in terms:
                holders[term].add(intent)
                postings[term].append(number)
        total = len({intent for intent, _ in self._examples}) or 1
        self._idf = {
            term: math.log(1.0 + total / len(intents)) for term, intents in holders.items()
        }
        self._postings = dict(postings)
        self._sizes = [sum(self._idf[term] for term in terms) for _, terms in self._examples]
        profiles: dict[str, set[str]] = defaultdict(set)
        for intent, terms in self._examples:
            profiles[intent].update(terms)
        self._profiles = dict(profiles)
        self._dirty = False

    def weight(self, term: str) -> float:
        if self._dirty:
            self._prepare()
        known = self._idf.get(term)
        if known is not None:
            return known
        return self.weights.unseen_stem if term.startswith("#") else self.weights.unseen_word

    def rank(
        self, terms: frozenset[str], limit: int = 3, *, learned: bool = True
    ) -> list[Candidate]:
        """The best example of each intent, best first (``learned=False``: leave out the
        boosted, learned entries)."""
        if self._dirty:
            self._prepare()
        if not terms:
            return []
        overlap: dict[int, float] = defaultdict(float)
        anchored: set[int] = set()
        weights = {term: self.weight(term) for term in terms}
        query_size = sum(weights.values())
        for term, weight in weights.items():
            for number in self._postings.get(term, ()):
                if not learned and self._examples[number][0] in self._boosted:
                    continue
                overlap[number] += weight
                if term not in MODIFIERS:
                    anchored.add(number)
        share = self.weights.recall_share
        known: dict[str, float] = {}  # weight of the question's terms the intent knows
        best: dict[str, Candidate] = {}
        for number, matched in overlap.items():
            if number not in anchored:
                continue
            intent = self._examples[number][0]
            if intent not in known:
                profile = self._profiles[intent]
                known[intent] = sum(w for t, w in weights.items() if t in profile)
            covered = matched + self.weights.profile_share * (known[intent] - matched)
            score = (matched / self._sizes[number]) ** share * (covered / query_size) ** (
                1.0 - share
            )
            if intent in self._boosted:
                score *= self.weights.boost
            elif intent in self._gaps:
                score *= self.weights.gap_boost
            current = best.get(intent)
            if current is None or score > current.score:
                best[intent] = Candidate(intent, score, number, covered / query_size)
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.intent))
        return ranked[:limit]
