"""From a typed question to matchable terms: spelling fixed, synonyms merged, modules found.

A term is ``@concept`` for a synonym group of the knowledge base, ``#stem`` for another word
that occurs in the examples, and ``?word`` for a word the bot has never seen. Module
references become ``@modref`` (a number, ordinal, topic or "the last one") or ``@month``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.programme import Programme
from bot.services.eligibility import years_in_text
from bot.services.questions.knowledge import KnowledgeBase
from bot.services.questions.modules import ModuleRefs, ModuleResolver
from bot.services.questions.normalise import fold, stem, tokens

MODREF = "@modref"
MONTH = "@month"
NUMBER = "@num"  # a number that is not a module, date or clock time: "zijn het 10 modules"
MIN_FUZZY_LENGTH = 5  # shorter words are never corrected, nor corrected into
SHORT_WORD = 6  # below this length a correction must keep the first letter
LONG_WORD = 9  # from this length two typing errors are forgiven, below one
OTHER_ORGANISATION = "anders"  # the organisation type of everything the brochure does not name
IGNORE = "ignore"  # the concept of filler phrases: "ik vroeg me af", "beste wijkbot"
MIN_FUZZY_PREFIX = 6
CORRECTIONS_KEPT = 2048  # corrections remembered, oldest dropped first


@dataclass(frozen=True)
class Analysis:
    text: str
    words: tuple[str, ...]
    terms: frozenset[str]
    refs: ModuleRefs
    years: int | None
    organisation: str | None

    @property
    def module_only(self) -> bool:
        """A fragment that names modules and nothing else: "en module 5?"."""
        return bool(self.terms) and self.terms <= {MODREF, MONTH, "@module"}


class Analyser:
    """Turns text into an :class:`Analysis`; holds the spelling vocabulary."""

    def __init__(self, knowledge: KnowledgeBase, resolver: ModuleResolver) -> None:
        self.knowledge = knowledge
        self.resolver = resolver
        self._base_vocabulary = (
            _language_vocabulary(knowledge)
            | set(resolver.topic_words)
            | _programme_words(resolver.programme)
        )
        self._example_words: set[str] = set()
        self._example_stems: set[str] = set()
        self._fixed: dict[str, str] = {}
        self._vocabulary: list[str] = []
        self._targets: list[str] = []
        self._stale = True
        self._known: set[str] = set()
        settings = knowledge.data.modules
        generic = {stem(fold(word)) for word in settings.generic_words} | set(knowledge.stopwords)
        self._themes = {
            stem(word)
            for theme in resolver.programme.data.course.themes
            for word in tokens(fold(theme))
            if len(word) >= MIN_FUZZY_PREFIX and stem(word) not in generic
        }
        self._theme_term = "@" + settings.theme_concept
        # "de Leergang Wijkontwikkeling 2024-2025" is just "de leergang".
        name = [w for w in tokens(fold(resolver.programme.data.course.name)) if not w.isdigit()]
        self._course_word = name[0] if name else ""
        self._course_name = (
            re.compile(r"\b" + r"\W+".join(map(re.escape, name)) + r"(?:\W+\d{2,4}){0,2}\b")
            if len(name) > 1
            else None
        )
        self._prefixes: dict[str, list[str]] = {}  # by first letter: typos rarely hit it
        for prefix, _ in knowledge.lexicon.prefixes:
            if len(prefix) >= MIN_FUZZY_PREFIX:
                self._prefixes.setdefault(prefix[0], []).append(prefix)
        self._refresh()

    def _is_theme(self, key: str) -> bool:
        """A word of one of the programme's themes: "conflicten" for "conflicthantering"."""
        if len(key) < MIN_FUZZY_PREFIX:
            return False
        return any(word == key or word.startswith(key) for word in self._themes)

    def learn_words(self, texts: Iterable[str]) -> None:
        """Make the words of examples known, so they are matched and not "corrected"."""
        for text in texts:
            for word in tokens(self._rewrite(fold(text))):
                self._example_words.add(word)
                self._example_stems.add(stem(word))
                self._known.add(word)
        self._stale = True  # the spelling candidates are rebuilt when next needed

    def _refresh(self) -> None:
        self._known = self._base_vocabulary | self._example_words
        # Synonym words first: on equal distance the first candidate wins.
        self._vocabulary = sorted(self._base_vocabulary) + sorted(
            self._example_words - self._base_vocabulary
        )
        # Only longer words are corrected into: "peter" must not become "peer".
        self._targets = [word for word in self._vocabulary if len(word) >= MIN_FUZZY_LENGTH]
        self._fixed.clear()
        self._stale = False

    def _rewrite(self, folded: str) -> str:
        if self._course_name is not None:
            folded = self._course_name.sub(self._course_word, folded)
        for pattern, replacement in self.knowledge.rewrites:
            folded = pattern.sub(replacement, folded)
        return folded

    def correct(self, word: str) -> str:
        """The word itself if known, else the nearest known word within one or two typos."""
        if (
            word in self._known
            or len(word) < MIN_FUZZY_LENGTH
            or not word.isalpha()
            or self.knowledge.lexicon.lookup(word) is not None
        ):
            return word
        if self._stale:
            self._refresh()
        cached = self._fixed.get(word)
        if cached is not None:
            return cached
        limit = 2 if len(word) >= LONG_WORD else 1
        found = process.extractOne(
            word, self._targets, scorer=OSA.distance, score_cutoff=limit
        )
        fixed = word
        # Short words with another first letter are other words ("kind" is not "eind").
        if found is not None and (len(word) >= SHORT_WORD or found[0][0] == word[0]):
            fixed = found[0]
        else:
            fixed = self._fix_prefix(word)
        if len(self._fixed) >= CORRECTIONS_KEPT:  # every new typo would stay forever
            del self._fixed[next(iter(self._fixed))]
        self._fixed[word] = fixed
        return fixed

    def _fix_prefix(self, word: str) -> str:
        """A compound with a typo in its known first part: "intervsiegroep"."""
        for prefix in self._prefixes.get(word[0], ()):
            for length in (len(prefix) - 1, len(prefix) + 1, len(prefix)):
                if length < len(word) and OSA.distance(word[:length], prefix) <= 1:
                    return prefix + word[length:]
        return word

    def words(self, text: str) -> list[str]:
        return [self.correct(word) for word in tokens(self._rewrite(fold(text)))]

    def analyse(self, text: str, now: dt.datetime) -> Analysis:
        words = self.words(text)
        names = _names(text)
        refs = self.resolver.resolve(words, now)
        lexicon = self.knowledge.lexicon
        terms: set[str] = set()
        taken = set(refs.used)
        for length in range(lexicon.longest_phrase, 1, -1):
            for start in range(len(words) - length + 1):
                span = range(start, start + length)
                if taken.intersection(span):
                    continue
                concept = lexicon.phrases.get(tuple(words[start : start + length]))
                if concept is not None:
                    terms.update("@" + part for part in concept.split("|"))
                    taken.update(span)
        for index, word in enumerate(words):
            if index in taken:
                continue
            concept = lexicon.lookup(word)
            if concept is not None:
                terms.update("@" + part for part in concept.split("|"))
            elif word.isdigit():
                terms.add(NUMBER)
            elif word in self.knowledge.stopwords:
                continue
            else:
                key = stem(word)
                if self._is_theme(key):
                    terms.add(self._theme_term)
                elif key in self._example_stems:
                    terms.add("#" + key)
                elif word not in names:
                    terms.add("?" + word)
        terms.discard("@" + IGNORE)
        if refs.numbers and refs.strong and not refs.months:
            terms.add(MODREF)
        if refs.months:
            terms.add(MONTH)
        return Analysis(
            text=text,
            words=tuple(words),
            terms=frozenset(terms),
            refs=refs,
            years=years_in_text(text),
            organisation=self._organisation(words),
        )

    def _organisation(self, words: list[str]) -> str | None:
        """The organisation type named, preferring a specific one over "works at ..."."""
        organisations = self.knowledge.organisations
        found: list[str] = []
        for length in range(organisations.longest_phrase, 1, -1):
            for start in range(len(words) - length + 1):
                phrase = organisations.phrases.get(tuple(words[start : start + length]))
                if phrase is not None:
                    found.append(phrase)
        found.extend(f for f in (organisations.lookup(word) for word in words) if f is not None)
        specific = [name for name in found if name != OTHER_ORGANISATION]
        chosen = specific or found
        return chosen[0] if chosen else None


_CAPITALISED = re.compile(r"(?<=[\w,] )[A-Z][a-z]+")


def _names(text: str) -> set[str]:
    """Capitalised words inside a sentence are names ("ik ben Marieke"): an unknown name
    is no reason to doubt the question."""
    return {fold(word) for word in _CAPITALISED.findall(text)}


def _programme_words(programme: Programme) -> set[str]:
    """Every word of the programme file's texts: real words, never to be "corrected"."""
    data = programme.data
    texts = [data.course.name, data.course.summary, data.course.focus, data.outcome.description,
             data.certificate.description, data.workload.description,
             data.final_assignment.description, data.intervisie.description, data.modules.format,
             *data.course.themes, *data.course.field_visits, *data.eligibility.criteria]
    for entry in data.modules.list:
        texts.extend([entry.title, entry.description, *entry.topics])
    return {word for text in texts for word in tokens(fold(text)) if word.isalpha()}


def _language_vocabulary(knowledge: KnowledgeBase) -> set[str]:
    data = knowledge.data
    words: set[str] = set(knowledge.stopwords)
    for group in (data.language.number_words, data.language.ordinals, data.language.months):
        words.update(fold(word) for word in group)
    words.update(fold(word) for word in data.language.last_words + data.language.previous_words)
    for entries in list(data.concepts.values()) + list(data.organisations.values()):
        for entry in entries:
            words.update(tokens(fold(entry.rstrip("*"))))
    words.update(fold(word) for word in data.modules.topic_synonyms)
    words.update(fold(word) for word in data.language.known_words)
    return {word for word in words if word.isalpha()}
