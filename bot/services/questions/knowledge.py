"""The knowledge base: intents with example phrasings, synonyms and answer templates.

Loaded from ``bot/data/knowledge.toml`` (see the comments there for the format). Nothing in
here knows what the course is about; all of that is data.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.services.questions.normalise import fold, tokens

KNOWLEDGE_FILE = "knowledge.toml"
INTENT_ID = r"^[a-z][a-z0-9_]{0,39}$"
MAX_CACHED = 50_000  # words remembered by a lexicon (people type an unbounded vocabulary)

AnswerKind = Literal[
    "text",
    "next_module",
    "module_date",
    "module_about",
    "schedule",
    "times",
    "experience",
    "organisation",
    "werksessies",
    "intervisie",
    "location",
    "preparation",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rewrite(_Strict):
    """A regular expression on folded text, replaced before the words are looked at."""

    pattern: str
    replace: str


class LanguageSection(_Strict):
    stopwords: list[str]
    number_words: dict[str, int]
    ordinals: dict[str, int]
    last_words: list[str]
    previous_words: list[str]
    next_words: list[str]
    # Words after an ordinal that make it a module: "de eerste keer".
    ordinal_nouns: list[str]
    # First words of a question: "en" before one of these starts a new question.
    question_starters: list[str]
    months: dict[str, int]
    aspects: list[str] = Field(default_factory=list)
    known_words: list[str] = Field(default_factory=list)
    rewrites: list[Rewrite] = Field(default_factory=list)


class ModulesSection(_Strict):
    # Concept whose words introduce a module number: "module 4", "bijeenkomst 4".
    module_concept: str
    # Concept given to words of the programme's themes ("conflicten" -> conflicthantering).
    theme_concept: str = "theme"
    # Words between two module numbers: "module 3 en 4", "module 2 of 3".
    connectors: list[str]
    # Topic words that only count as a topic after one of these ("de module over data").
    topic_markers: list[str]
    topic_needs_marker: list[str]
    # Words in module titles that never identify one module (besides stop words).
    generic_words: list[str]
    # Extra ways to name a topic: synonym -> a word from the programme's titles or topics.
    topic_synonyms: dict[str, str] = Field(default_factory=dict)


class IntentEntry(_Strict):
    id: str = Field(pattern=INTENT_ID)
    label: str = Field(min_length=1, max_length=40)
    kind: AnswerKind = "text"
    family: str = ""
    # The family's general answer ("Voor wie?"): left out when a specific one is given too.
    general: bool = False
    social: bool = False
    examples: list[str] = Field(min_length=1)
    answer: str = ""
    variants: dict[str, str] = Field(default_factory=dict)
    suggest: list[str] = Field(default_factory=list, max_length=2)
    # True when the answer itself sends people to the coordinator (offer to forward).
    forward: bool = False
    # The intent to answer instead when the question names one module, says how many years
    # of experience the asker has, or names an organisation type.
    with_module: str = ""
    with_years: str = ""
    with_organisation: str = ""


class GapEntry(_Strict):
    """Something people ask that the brochure does not say: always the honest fallback."""

    id: str = Field(pattern=INTENT_ID)
    says: str
    examples: list[str] = Field(min_length=1)


class KnowledgeFile(_Strict):
    version: int
    language: LanguageSection
    concepts: dict[str, list[str]]
    modules: ModulesSection
    organisations: dict[str, list[str]]
    intents: list[IntentEntry]
    gaps: list[GapEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> KnowledgeFile:
        ids = [entry.id for entry in self.intents] + [gap.id for gap in self.gaps]
        duplicates = {name for name in ids if ids.count(name) > 1}
        if duplicates:
            raise ValueError(f"intent ids defined twice: {sorted(duplicates)}")
        intent_ids = {entry.id for entry in self.intents}
        for entry in self.intents:
            unknown = [name for name in entry.suggest if name not in intent_ids]
            if unknown or entry.id in entry.suggest:
                raise ValueError(f"intent {entry.id}: bad suggestions {entry.suggest}")
            for other in (entry.with_module, entry.with_years, entry.with_organisation):
                if other and other not in intent_ids:
                    raise ValueError(f"intent {entry.id}: unknown intent {other}")
        if self.modules.module_concept not in self.concepts:
            raise ValueError(f"unknown module concept {self.modules.module_concept!r}")
        return self


def _join(existing: str | None, concept: str) -> str:
    """A word in two synonym lists means both: ``"who|speaker"``."""
    if existing is None or existing == concept:
        return concept
    return f"{existing}|{concept}"


@dataclass
class Lexicon:
    """Synonym lists compiled for lookup: phrases, whole words and word beginnings.

    A phrase or word listed under two concepts maps to ``"a|b"`` (both meanings)."""

    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)
    prefixes: list[tuple[str, str]] = field(default_factory=list)
    longest_phrase: int = 1
    _by_prefix: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def build(cls, concepts: dict[str, list[str]]) -> Lexicon:
        lexicon = cls()
        for concept, entries in concepts.items():
            for entry in entries:
                lexicon.add(entry, concept)
        lexicon.prefixes.sort(key=lambda item: -len(item[0]))
        return lexicon

    def add(self, entry: str, concept: str) -> None:
        words = tokens(fold(entry.rstrip("*")))
        if not words:
            raise ValueError(f"empty synonym for {concept!r}")
        if len(words) > 1:
            key = tuple(words)
            self.phrases[key] = _join(self.phrases.get(key), concept)
            self.longest_phrase = max(self.longest_phrase, len(words))
        elif entry.endswith("*"):
            self.prefixes.append((words[0], concept))
            self._by_prefix.clear()
        else:
            self.words[words[0]] = _join(self.words.get(words[0]), concept)

    def lookup(self, word: str) -> str | None:
        """The concept of one word: exact, else the longest matching word beginning."""
        found = self.words.get(word)
        if found is not None:
            return found
        if word in self._by_prefix:
            return self._by_prefix[word]
        for prefix, concept in self.prefixes:
            if word.startswith(prefix):
                found = concept
                break
        if len(self._by_prefix) < MAX_CACHED:
            self._by_prefix[word] = found
        return found


class KnowledgeBase:
    """The parsed knowledge file plus compiled lookup tables."""

    def __init__(self, data: KnowledgeFile) -> None:
        self.data = data
        self.intents = {entry.id: entry for entry in data.intents}
        self.gaps = {gap.id: gap for gap in data.gaps}
        self.lexicon = Lexicon.build(data.concepts)
        self.stopwords = frozenset(fold(word) for word in data.language.stopwords)
        self.rewrites = [
            (re.compile(rule.pattern), rule.replace) for rule in data.language.rewrites
        ]
        self.organisations = Lexicon.build(data.organisations)

    @classmethod
    def from_text(cls, text: str) -> KnowledgeBase:
        return cls(KnowledgeFile.model_validate(tomllib.loads(text)))

    @classmethod
    def from_package(cls) -> KnowledgeBase:
        text = resources.files("bot.data").joinpath(KNOWLEDGE_FILE).read_text(encoding="utf-8")
        return cls.from_text(text)
