"""Which module a question is about: by number, ordinal, topic, month or "the last one".

The topic index is built from the programme file (titles and topics), so a new edition with
other modules is understood without changing any code.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from bot.programme import Programme
from bot.services.questions.knowledge import KnowledgeBase
from bot.services.questions.normalise import fold, stem, tokens

TITLE_WEIGHT = 2.0
TOPIC_WEIGHT = 1.0
MIN_TOPIC_LENGTH = 4
MAX_SHARED_BY = 2  # a word found in more modules than this names none of them
MAX_CACHED_HITS = 20_000
MIN_TITLE_WORDS = 2


@dataclass(frozen=True)
class ModuleRefs:
    """The modules a question names, in the order they were named."""

    numbers: tuple[int, ...] = ()
    months: tuple[int, ...] = ()
    by_topic: bool = False
    strong: bool = False  # named outright (number, month, topic word), not only via a synonym
    used: frozenset[int] = field(default_factory=frozenset)  # word positions consumed

    @property
    def empty(self) -> bool:
        return not self.numbers and not self.months


class ModuleResolver:
    """Finds module references in a list of folded, spell-corrected words."""

    def __init__(self, programme: Programme, knowledge: KnowledgeBase) -> None:
        self.programme = programme
        language = knowledge.data.language
        settings = knowledge.data.modules
        self._numbers = {fold(word): value for word, value in language.number_words.items()}
        self._ordinals = {fold(word): value for word, value in language.ordinals.items()}
        self._last = frozenset(fold(word) for word in language.last_words)
        self._previous = frozenset(fold(word) for word in language.previous_words)
        self._next = frozenset(fold(word) for word in language.next_words)
        self._ordinal_nouns = frozenset(fold(word) for word in language.ordinal_nouns)
        self._months = {fold(word): value for word, value in language.months.items()}
        self._module_concept = settings.module_concept
        self._connectors = frozenset(fold(word) for word in settings.connectors)
        self._lexicon = knowledge.lexicon
        self._markers = frozenset(fold(word) for word in settings.topic_markers)
        self._needs_marker = frozenset(stem(fold(word)) for word in settings.topic_needs_marker)
        self._synonyms = {
            fold(word): stem(fold(target)) for word, target in settings.topic_synonyms.items()
        }
        generic = {stem(fold(word)) for word in settings.generic_words}
        generic |= {stem(word) for word in knowledge.stopwords}
        self._topics = _topic_index(programme, generic)
        self._titles = _title_phrases(programme)
        self._hits: dict[tuple[str, bool], dict[int, float]] = {}
        self.topic_words = frozenset(self._topics)

    def is_module_word(self, word: str) -> bool:
        return self._is_module_word(word)

    def _is_module_word(self, word: str) -> bool:
        found = self._lexicon.lookup(word)
        return found is not None and self._module_concept in found.split("|")

    def _near_module_word(self, words: list[str], index: int) -> bool:
        window = words[max(0, index - 2) : index + 3]
        following = words[index + 1] if index + 1 < len(words) else ""
        return following in self._ordinal_nouns or any(
            self._is_module_word(word) for word in window
        )

    def _module_word_follows(self, words: list[str], index: int) -> bool:
        """"de vorige module", not "hoe laat is de module afgelopen"."""
        following = words[index + 1 : index + 3]
        return any(self._is_module_word(w) or w in self._ordinal_nouns for w in following)

    def _number(self, word: str) -> int | None:
        if word.isdigit() and len(word) <= 2:
            return int(word)
        return self._numbers.get(word)

    def _ordinal(self, word: str) -> int | None:
        if word in self._ordinals:
            return self._ordinals[word]
        digits = word.rstrip("abcdefghijklmnopqrstuvwxyz")
        suffix = word[len(digits) :]
        if digits.isdigit() and len(digits) <= 2 and suffix in {"e", "de", "ste", "st", "nd",
                                                                "rd", "th"}:
            return int(digits)
        for prefix in ("module", "mod", "m"):
            rest = word.removeprefix(prefix)
            if rest != word and rest.isdigit() and len(rest) <= 2:
                return int(rest)
        return None

    def resolve(self, words: list[str], now: dt.datetime) -> ModuleRefs:
        numbers: list[int] = []
        months: list[int] = []
        used: set[int] = set()
        chained: set[int] = set()  # positions of numbers that named a module
        for index, word in enumerate(words):
            previous = words[index - 1] if index else ""
            following = words[index + 1] if index + 1 < len(words) else ""
            ordinal = self._ordinal(word)
            number = self._number(word)
            if following in self._months and number is not None:
                used.add(index)  # the day of a date: "12 december"
                continue
            if ordinal is not None and (
                ordinal != 1 or self._near_module_word(words, index) or index == len(words) - 1
            ):
                numbers.append(ordinal)
                used.add(index)
                chained.add(index)
            elif number is not None and (
                index - 1 in chained
                or (index - 2 in chained and previous in self._connectors)
                or self._is_module_word(previous)
                or (previous in {"nummer", "nr", "no"} and index >= 2)
                or (self._is_module_word(following) and not following.endswith(("s", "en")))
            ):
                numbers.append(number)
                used.add(index)
                chained.add(index)
            elif word in self._months:
                months.append(self._months[word])
                used.add(index)
            elif word in self._last and (
                self._module_word_follows(words, index) or index == len(words) - 1
            ):
                numbers.append(self._last_number())
                used.add(index)
            elif word in self._previous and self._module_word_follows(words, index):
                before = self._previous_number(now)
                if before is not None:
                    numbers.append(before)
                    used.add(index)
        by_topic = False
        strong = bool(numbers) or bool(months)
        if not numbers and not months:
            numbers, title_used = self._by_title(words)
            used |= title_used
            strong = bool(numbers)
        if not numbers and not months:
            numbers, topic_used, strong = self._by_topic(words)
            used |= topic_used
            by_topic = bool(numbers)
        for month in months:
            numbers.extend(self.in_month(month))
        if not numbers and any(word in self._next for word in words):
            upcoming = [s.number for s in self.programme.modules if now < s.ends_at]
            numbers = upcoming[:1]  # "the next module": found, but stays a word of its own
        unique = tuple(dict.fromkeys(numbers))
        return ModuleRefs(unique, tuple(dict.fromkeys(months)), by_topic, strong,
                          frozenset(used))

    def in_month(self, month: int) -> list[int]:
        return [s.number for s in self.programme.modules if s.starts_at.month == month]

    def _last_number(self) -> int:
        modules = self.programme.modules
        return modules[-1].number if modules else 0

    def _previous_number(self, now: dt.datetime) -> int | None:
        done = [s.number for s in self.programme.modules if s.starts_at <= now]
        return done[-1] if done else None

    def _by_title(self, words: list[str]) -> tuple[list[int], set[int]]:
        """A module named by (a part of) its title: "de module ga er maar staan"."""
        for number, title in self._titles:
            size = len(title)
            for start in range(len(words) - size + 1):
                if tuple(words[start : start + size]) == title:
                    return [number], set(range(start, start + size))
        return [], set()

    def _by_topic(self, words: list[str]) -> tuple[list[int], set[int], bool]:
        """Modules whose title or topics the words name. A word that is also a synonym of
        the knowledge base ("eindpresentaties") helps find the module but stays a synonym
        (not used); "strong" is True when some other word named the topic."""
        scores: dict[int, float] = defaultdict(float)
        used: set[int] = set()
        strong = False
        for index, word in enumerate(words):
            if len(word) < MIN_TOPIC_LENGTH or word.isdigit():
                continue
            key = self._synonyms.get(word, stem(word))
            marked = self._marked(words, index)
            if key in self._needs_marker and not marked:
                continue
            synonym = self._lexicon.lookup(word) is not None
            hits = self._topic_hits(key, marked)
            if not hits:
                continue
            if marked or not synonym:
                used.add(index)
                strong = True
            for number, weight in hits.items():
                scores[number] += weight
        if not scores:
            return [], set(), False
        best = max(scores.values())
        winners = sorted(number for number, score in scores.items() if score == best)
        return winners, used, strong

    def _marked(self, words: list[str], index: int) -> bool:
        """A topic marker shortly before: "over data", "over de kwaliteit van de omgeving"."""
        return any(word in self._markers for word in words[max(0, index - 5) : index])

    def _topic_hits(self, key: str, marked: bool) -> dict[int, float]:
        cached = self._hits.get((key, marked))
        if cached is None:
            cached = self._find_hits(key, marked)
            if len(self._hits) < MAX_CACHED_HITS:
                self._hits[(key, marked)] = cached
        return cached

    def _find_hits(self, key: str, marked: bool) -> dict[int, float]:
        exact = self._topics.get(key)
        if exact:
            return exact
        if len(key) < 5:
            return {}
        hits: dict[int, float] = {}
        for word, modules in self._topics.items():
            if word in self._needs_marker and not marked:
                continue
            if len(word) >= 5 and (word.startswith(key) or key.startswith(word)):
                for number, weight in modules.items():
                    hits[number] = max(hits.get(number, 0.0), weight)
        return hits


def _title_phrases(programme: Programme) -> list[tuple[int, tuple[str, ...]]]:
    """Each title and each part of a title around a colon, longest first."""
    phrases: list[tuple[int, tuple[str, ...]]] = []
    for entry in programme.data.modules.list:
        parts = [entry.title, *entry.title.split(":")]
        for part in parts:
            words = tuple(tokens(fold(part)))
            if len(words) >= MIN_TITLE_WORDS:
                phrases.append((entry.number, words))
    return sorted(set(phrases), key=lambda item: -len(item[1]))


def _topic_index(programme: Programme, generic: set[str]) -> dict[str, dict[int, float]]:
    """stem -> {module number: weight}; words shared by many modules are left out."""
    index: dict[str, dict[int, float]] = defaultdict(dict)
    for entry in programme.data.modules.list:
        weighted = [(entry.title, TITLE_WEIGHT)] + [(topic, TOPIC_WEIGHT) for topic in
                                                    entry.topics]
        for text, weight in weighted:
            for word in tokens(fold(text)):
                key = stem(word)
                if len(word) < MIN_TOPIC_LENGTH or key in generic or word.isdigit():
                    continue
                index[key][entry.number] = index[key].get(entry.number, 0.0) + weight
    return {key: modules for key, modules in index.items() if len(modules) <= MAX_SHARED_BY}
