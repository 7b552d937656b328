"""The question-answering service: a message in, a short Dutch answer (or an honest "I don't
know") out. No Telegram here; the handler shows :attr:`Reply.html` and the buttons."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from bot.catalogue import Html, t
from bot.numbers import whole_number
from bot.programme import Programme, Session
from bot.services.questions.analyse import NUMBER, Analyser, Analysis
from bot.services.questions.answers import Answerer
from bot.services.questions.knowledge import KnowledgeBase
from bot.services.questions.matcher import Candidate, Index, Weights
from bot.services.questions.modules import ModuleRefs, ModuleResolver
from bot.services.questions.normalise import fold, message_parts, tokens
from bot.services.questions.results import LearnedEntry, Match, Reply, Suggestion, Thresholds

LEARNED_PREFIX = "l_"
_LEARNED_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
_AND = re.compile(r"\s+(?:en|and|plus)\s+|\s*&\s*")
MODULE_KINDS = frozenset({"module_date", "module_about", "times"})
MODULE_SUGGESTIONS = frozenset({"module_date", "module_about", "preparation", "location"})


class QuestionService:
    def __init__(
        self,
        programme: Programme,
        knowledge: KnowledgeBase,
        *,
        weights: Weights | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.weights = weights or Weights()
        self.thresholds = thresholds or Thresholds()
        self._starters = frozenset(knowledge.data.language.question_starters)
        self._aspects = frozenset(
            {"@" + name for name in knowledge.data.language.aspects} | {NUMBER}
        )
        self._learned: dict[str, LearnedEntry] = {}
        self._covers: dict[str, str] = {}  # gap id -> learned intent id that answers it
        self._pending: list[LearnedEntry] = []
        self.set_programme(programme)

    @classmethod
    def from_package(cls, programme: Programme) -> QuestionService:
        return cls(programme, KnowledgeBase.from_package())

    def set_programme(self, programme: Programme) -> None:
        """Rebuild everything that depends on the programme (module topics, facts, dates).
        Built aside and swapped in at the end: a failure leaves the old programme working."""
        knowledge = self.knowledge
        resolver = ModuleResolver(programme, knowledge)
        analyser = Analyser(knowledge, resolver)
        examples = {entry.id: entry.examples for entry in knowledge.data.intents}
        examples.update({gap.id: gap.examples for gap in knowledge.data.gaps})
        analyser.learn_words(text for texts in examples.values() for text in texts)
        analyser.learn_words(entry.question for entry in self._learned.values())
        reference = programme.modules[0].starts_at if programme.modules else dt.datetime.now(
            programme.timezone)
        index = Index(self.weights)
        for intent_id, texts in examples.items():
            index.add(intent_id, (analyser.analyse(text, reference).terms for text in texts),
                      gap=intent_id in knowledge.gaps)
        answerer = Answerer(programme, knowledge)
        self._file_programme = programme
        self.programme, self.resolver, self.analyser = programme, resolver, analyser
        self.index, self.answerer, self._reference = index, answerer, reference
        self._covers, self._pending = {}, []
        for learned in self._learned.values():
            self._index_learned(learned)
        for intent in knowledge.data.intents:  # warm the caches: the first answer is fast too
            self.answer(intent.examples[0], reference)

    def use_sessions(self, sessions: tuple[Session, ...]) -> None:
        """Answer with the sessions as they are now (werksessies added or moved with /sessie),
        not as the programme file has them. Cheap when nothing changed."""
        self.use_programme(self._file_programme.with_sessions(sessions))

    def use_programme(self, programme: Programme, following: Html | None = None) -> None:
        """Answer for this programme (an edition's, with its sessions as they are now): the
        facts, dates and places; the matching stays. ``following``: what to say of the next
        edition once this one has ended. Cheap when nothing changed."""
        if (programme.data is not self.programme.data
                or programme.sessions != self.programme.sessions):
            self.answerer = Answerer(programme, self.knowledge)
            self.resolver.programme = programme
            self.programme = programme
        self.answerer.following = following

    # -- learned answers ------------------------------------------------------------------

    def add_learned(self, entry_id: str, question: str, answer_text: str) -> None:
        """A coordinator's answer, matched like any intent from now on (replaces same id)."""
        if not _LEARNED_ID.match(entry_id):
            raise ValueError(f"learned entry id must be 1-36 of [A-Za-z0-9_-]: {entry_id!r}")
        intent_id = LEARNED_PREFIX + entry_id
        self.remove_learned(entry_id)
        entry = LearnedEntry(intent_id, question, answer_text)
        self._learned[intent_id] = entry
        self.analyser.learn_words([question])
        self._index_learned(entry)

    def remove_learned(self, entry_id: str) -> None:
        intent_id = LEARNED_PREFIX + entry_id
        if self._learned.pop(intent_id, None) is not None:
            self.index.remove(intent_id)
            self._covers = {gap: by for gap, by in self._covers.items() if by != intent_id}

    def _index_learned(self, entry: LearnedEntry) -> None:
        terms = self.analyser.analyse(entry.question, self._reference).terms
        self.index.add(entry.intent_id, [terms], boosted=True)
        self._pending.append(entry)

    def _settle_learned(self) -> None:
        """For each newly learned answer: if the brochure did not answer its question (a gap
        such as the price), it answers every question about that gap from now on. Done in
        one go before the next answer, so loading many at start-up stays fast."""
        pending, self._pending = self._pending, []
        for entry in pending:
            if entry.intent_id not in self._learned:
                continue
            analysis = self.analyser.analyse(entry.question, self._reference)
            ranked = self.index.rank(analysis.terms, limit=1, learned=False)
            if not ranked or ranked[0].score < self.thresholds.answer:
                continue
            before = ranked[0]
            match = self._unknowable(
                Match(entry.question, False, analysis, intent=before.intent), self._reference
            )
            gap = before.intent if before.intent in self.knowledge.gaps else match.gap
            if gap is not None:
                self._covers[gap] = entry.intent_id

    # -- understanding ----------------------------------------------------------------------

    def classify(self, text: str, now: dt.datetime) -> Match:
        if self._pending:
            self._settle_learned()
        analysis = self.analyser.analyse(text, now)
        return self._decide(text, text.rstrip().endswith("?"), analysis)

    def _decide(self, text: str, asked: bool, analysis: Analysis) -> Match:
        ranked = self.index.rank(analysis.terms)
        if not ranked:
            return Match(text, asked, analysis)
        best: Candidate = ranked[0]
        if best.score >= self.thresholds.answer:
            if best.intent in self._covers:
                return Match(text, asked, analysis, intent=self._covers[best.intent],
                             score=best.score)
            if best.intent in self.knowledge.gaps:
                return Match(text, asked, analysis, gap=best.intent, score=best.score)
            return Match(text, asked, analysis, intent=best.intent, score=best.score)
        if best.score >= self.thresholds.suggest and best.intent not in self.knowledge.gaps:
            return Match(text, asked, analysis, score=best.score, candidate=best.intent)
        return Match(text, asked, analysis, score=best.score)

    def understand(self, text: str, now: dt.datetime) -> list[Match]:
        """Each question in a message, with what it asks (several for "X? En Y?")."""
        matches: list[Match] = []
        for part, asked in message_parts(text):
            whole = self.classify(part, now)
            whole = dataclasses.replace(whole, asked=asked)
            pieces = self._clauses(part)
            chosen = [whole]
            if len(pieces) > 1:
                split = [dataclasses.replace(self.classify(p, now), asked=asked) for p in pieces]
                split = self._carry(matches, split)
                labels = [m.intent or m.gap for m in split]
                if all(labels) and len(set(labels)) > 1 and not self._same_family(labels):
                    chosen = split
            matches.extend(self._carry(matches, chosen))
        return self._carry([], matches)

    def _clauses(self, part: str) -> list[str]:
        """Parts joined by "en"/"and" that each start like a question of their own ("en hoe
        laat ...", "en is er eten") or name another module ("module 3 en 4")."""
        starters = self._starters
        clauses: list[str] = []
        for piece in _AND.split(part):
            if not piece.strip():
                continue
            words = tokens(fold(piece))
            first = words[0] if words else ""
            if clauses and not (
                first in starters or first.isdigit() or self.resolver.is_module_word(first)
            ):
                clauses[-1] = f"{clauses[-1]} en {piece}"
            else:
                clauses.append(piece)
        return clauses

    def _same_family(self, labels: list[str | None]) -> bool:
        families = {
            self.knowledge.intents[label].family if label in self.knowledge.intents else label
            for label in labels
        }
        return len(families) == 1 and "" not in families

    def _carry(self, before: list[Match], matches: list[Match]) -> list[Match]:
        """Fragments ("en module 5?") take the question of the part before them, and module
        questions without a module take the module named before."""
        result: list[Match] = []
        previous = before[-1] if before else None
        for match in matches:
            if previous is not None and previous.intent is not None:
                kind = self._kind(previous.intent)
                terms = match.analysis.terms
                follow_up = bool(terms) and terms <= self._aspects and terms <= (
                    self.index.profile(previous.intent)
                )  # "Wat is intervisie? En hoe vaak is het?"
                if follow_up or (match.analysis.module_only and kind in MODULE_KINDS):
                    match = dataclasses.replace(match, intent=previous.intent, gap=None,
                                                candidate=None)
                elif (
                    match.intent is not None
                    and (self._kind(match.intent) in MODULE_KINDS or self._module_variant(match))
                    and match.analysis.refs.empty
                    and not previous.analysis.refs.empty
                ):
                    analysis = dataclasses.replace(match.analysis, refs=previous.analysis.refs)
                    match = dataclasses.replace(match, analysis=analysis)
            result.append(self._specialise(match))
            previous = match
        return result

    def _specialise(self, match: Match) -> Match:
        """A general question with a specific detail gets the specific answer: "voor wie is
        het" naming an organisation, or "wat is de leergang" naming a module."""
        entry = self.knowledge.intents.get(match.intent or "")
        if entry is None:
            return match
        analysis = match.analysis
        for target, present in (
            (entry.with_module, analysis.refs.strong),
            (entry.with_years, analysis.years is not None),
            (entry.with_organisation, analysis.organisation is not None),
        ):
            if target and present:
                return dataclasses.replace(match, intent=target)
        return match

    def _module_variant(self, match: Match) -> str:
        """The intent to use instead when the question is about one module: "waar gaat
        die over" right after "wanneer is module 2" is about module 2, not the course."""
        entry = self.knowledge.intents.get(match.intent or "")
        return entry.with_module if entry else ""

    def _kind(self, intent_id: str) -> str:
        entry = self.knowledge.intents.get(intent_id)
        return entry.kind if entry else "learned"

    # -- answering --------------------------------------------------------------------------

    def _local(self, now: dt.datetime) -> dt.datetime:
        """``now`` in the course's timezone; a naive time is taken to be local already."""
        if now.tzinfo is None:
            return now.replace(tzinfo=self.programme.timezone)
        return now.astimezone(self.programme.timezone)

    def answer(self, text: str, now: dt.datetime) -> Reply:
        now = self._local(now)
        matches = [self._unknowable(m, now) for m in self.understand(text, now)]
        answered = [m for m in matches if m.intent is not None]
        real = [m for m in answered if not self._social(m.intent)]
        answered = self._specific(real) or answered[:1]
        gaps = [m for m in matches if m.gap is not None]
        if answered:  # beside an answer, only a gap that was asked: not "Ik las de brochure."
            gaps = [m for m in gaps if m.asked or len(matches) == 1]
        if not answered:
            return self._fallback(matches, gaps)
        parts: list[str] = []
        intents: list[str] = []
        confident = True
        seen: set[tuple[str, tuple[int, ...]]] = set()
        for match in answered:
            assert match.intent is not None
            key = (match.intent, match.analysis.refs.numbers)
            if key in seen:
                continue
            seen.add(key)
            html, sure = self._render(match.intent, match.analysis, now)
            parts.append(html)
            confident = confident and sure
            if match.intent not in intents:
                intents.append(match.intent)
        if gaps:
            parts.append(t("questions.gap", says=self._gap_says(gaps[0].gap)))
            confident = False
        elif any(m.asked and m.intent is None and not self._silent(m) for m in matches):
            parts.append(t("questions.partly_unknown"))
            confident = False
        numbers = {n for m in answered for n in m.analysis.refs.numbers}
        module = next(iter(numbers)) if len(numbers) == 1 else None
        return Reply(Html("\n\n".join(parts)), intents, confident,
                     self._suggestions(intents, module))

    def answer_intent(self, intent_id: str, now: dt.datetime) -> Reply:
        """The answer behind a tapped suggestion button: an intent id, for a question about
        one module followed by the module number ("module_about/4")."""
        now = self._local(now)
        intent_id, _, number = intent_id.partition("/")
        if intent_id not in self.knowledge.intents and intent_id not in self._learned:
            return Reply(t("questions.stale_suggestion"), [], False)
        analysis = self.analyser.analyse("", now)
        module = whole_number(number)
        if module is not None:
            analysis = dataclasses.replace(analysis, refs=ModuleRefs((module,), strong=True))
        match = self._unknowable(Match("", False, analysis, intent=intent_id), now)
        if match.intent is None:
            return Reply(t("questions.gap", says=self._gap_says(match.gap)), [], False)
        html, confident = self._render(match.intent, analysis, now)
        return Reply(html, [match.intent], confident, self._suggestions([match.intent], module))

    def _render(self, intent_id: str, analysis: Analysis | None, now: dt.datetime
                ) -> tuple[Html, bool]:
        learned = self._learned.get(intent_id)
        if learned is not None:
            return t("questions.learned", answer=learned.answer), True
        rendered = self.answerer.render(self.knowledge.intents[intent_id], analysis, now)
        return rendered.html, rendered.confident

    def _unknowable(self, match: Match, now: dt.datetime) -> Match:
        """A question the knowledge base covers but this programme file cannot answer
        (no locations filled in) is treated like a gap."""
        entry = self.knowledge.intents.get(match.intent or "")
        if entry is not None and entry.kind == "location" and not self.answerer.location_known(
            match.analysis, now
        ):
            if entry.id in self._covers:
                return dataclasses.replace(match, intent=self._covers[entry.id])
            return dataclasses.replace(match, intent=None, gap=entry.id)
        return match

    def _specific(self, matches: list[Match]) -> list[Match]:
        """Leave out a family's general answer when a specific one is given: "Ik heb 5 jaar
        ervaring. Is de leergang iets voor mij?" gets the answer about experience only."""
        entries = [self.knowledge.intents.get(m.intent or "") for m in matches]
        families = {e.family for e in entries if e is not None and e.family and not e.general}
        return [
            m for m, e in zip(matches, entries, strict=True)
            if e is None or not (e.general and e.family in families)
        ]

    def _social(self, intent_id: str | None) -> bool:
        entry = self.knowledge.intents.get(intent_id or "")
        return entry is not None and entry.social

    def _silent(self, match: Match) -> bool:
        """A part without anything the bot could look up: "Ik ben Sanne." or an emoji."""
        return match.gap is None and match.candidate is None and match.score == 0.0

    def _gap_says(self, gap_id: str | None) -> Html:
        if gap_id in self.knowledge.gaps:
            return self.answerer.fill(self.knowledge.gaps[gap_id].says)
        entry = self.knowledge.intents.get(gap_id or "")
        return self.answerer.fill(entry.variants.get("unknown", "") if entry else "")

    def _fallback(self, matches: list[Match], gaps: list[Match]) -> Reply:
        if gaps:
            return Reply(t("questions.gap", says=self._gap_says(gaps[0].gap)), [], False)
        candidates = [m.candidate for m in matches if m.candidate is not None]
        if candidates:
            entry = self.knowledge.intents.get(candidates[0])
            if entry is not None:
                html = t("questions.did_you_mean", fallback=t("questions.fallback"),
                         label=entry.label)
                return Reply(html, [], False, [Suggestion(entry.label, entry.id)])
        return Reply(t("questions.fallback"), [], False)

    def _suggestions(self, intents: list[str], module: int | None = None) -> list[Suggestion]:
        """Up to two related questions; about the same module when one module was asked."""
        result: list[Suggestion] = []
        for intent_id in intents:
            entry = self.knowledge.intents.get(intent_id)
            for target in entry.suggest if entry else []:
                if target in intents or any(s.intent_id.split("/")[0] == target for s in result):
                    continue
                button = target
                if module is not None and self._kind(target) in MODULE_SUGGESTIONS:
                    button = f"{target}/{module}"
                result.append(Suggestion(self.knowledge.intents[target].label, button))
        return result[:2]
