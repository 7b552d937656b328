"""Questions in people's own words: short, correct Dutch answers, or an honest "I don't know"."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.catalogue import Html
from bot.programme import Programme, load_programme, parse_programme, read_programme_file
from bot.services.questions import KnowledgeBase, QuestionService, Reply
from bot.services.questions.analyse import CORRECTIONS_KEPT
from bot.services.questions.evaluation import evaluate, load_cases

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ROOT = Path(__file__).resolve().parents[1]
EVAL_SET = ROOT / "bench" / "data" / "questions_eval.tsv"
TAG = re.compile(r"</?([a-z-]+)[^>]*>")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


DECEMBER_10 = at(2024, 12, 10)  # between module 3 and module 4


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_programme(None, AMSTERDAM)


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return KnowledgeBase.from_package()


@pytest.fixture(scope="module")
def service(programme: Programme, knowledge: KnowledgeBase) -> QuestionService:
    """Shared by the tests that only ask questions."""
    return QuestionService(programme, knowledge)


@pytest.fixture
def fresh_service(programme: Programme, knowledge: KnowledgeBase) -> QuestionService:
    """For tests that teach the service something or change its programme."""
    return QuestionService(programme, knowledge)


def ask(service: QuestionService, text: str, now: dt.datetime = DECEMBER_10) -> Reply:
    return service.answer(text, now)


def edited_programme(*replacements: tuple[str, str]) -> Programme:
    source, text = read_programme_file(None)
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    return parse_programme(text, source, AMSTERDAM)


# -- modules and dates ----------------------------------------------------------------------


def test_a_module_is_found_by_its_topic(service: QuestionService) -> None:
    reply = ask(service, "wanneer is de module over gezondheid?")
    assert reply.intents == ["module_date"]
    assert "27 februari 2025" in reply.html
    assert "Positieve gezondheid" in reply.html
    assert reply.confident


@pytest.mark.parametrize(
    ("question", "date"),
    [
        ("wanneer is module 4", "12 december 2024"),
        ("wanneer is de vierde module?", "12 december 2024"),
        ("datum 3e module", "14 november 2024"),
        ("module 2 datum", "17 oktober 2024"),
        ("wanneer is modlue 7", "20 maart 2025"),
        ("welke module is er in januari", "23 januari 2025"),
        ("wanneer gaat het over energietransitie", "17 april 2025"),
        ("wanneer zijn de eindpresentaties?", "19 juni 2025"),
        ("wanneer is de laatste module", "19 juni 2025"),
        ("wanneer is de module over data", "12 december 2024"),
        ("WANNEER IS DE MODULE OVER STORYTELLING", "22 mei 2025"),
    ],
)
def test_module_dates_by_number_ordinal_month_and_topic(
    service: QuestionService, question: str, date: str
) -> None:
    reply = ask(service, question)
    assert reply.intents == ["module_date"], reply
    assert date in reply.html


def test_a_module_that_is_over_is_said_to_be_over(service: QuestionService) -> None:
    reply = ask(service, "wanneer was module 1")
    assert "19 september 2024" in reply.html
    assert "geweest" in reply.html


def test_a_module_that_does_not_exist_is_not_invented(service: QuestionService) -> None:
    reply = ask(service, "wanneer is module 12?")
    assert "bestaat niet" in reply.html
    assert "10 modules" in reply.html


def test_a_month_without_module_says_so(service: QuestionService) -> None:
    reply = ask(service, "is er een module in augustus")
    assert "In augustus is er geen module" in reply.html


def test_what_a_module_is_about_comes_from_the_programme(service: QuestionService) -> None:
    reply = ask(service, "waar gaat module 3 over?")
    assert reply.intents == ["module_about"]
    assert "Gemeenschap: De kracht van wat er is" in reply.html
    assert "sterk sociaal netwerk" in reply.html


def test_the_next_module_depends_on_today(service: QuestionService) -> None:
    reply = ask(service, "wanneer is de volgende module?", DECEMBER_10)
    assert reply.intents == ["next_module"]
    assert "Module 4" in reply.html
    assert "12 december 2024" in reply.html
    assert "over 2 dagen" in reply.html
    later = ask(service, "volgende module", at(2025, 3, 1))
    assert "Module 7" in later.html
    assert "20 maart 2025" in later.html


def test_the_next_module_while_it_is_running(service: QuestionService) -> None:
    reply = ask(service, "volgende module", at(2024, 12, 12, 15, 0))
    assert "Module 4" in reply.html
    assert "nu bezig" in reply.html


def test_after_the_last_module_the_course_is_over(service: QuestionService) -> None:
    reply = ask(service, "wanneer is de volgende bijeenkomst?", at(2025, 6, 19, 20, 0))
    assert reply.intents == ["next_module"]
    assert "afgelopen" in reply.html
    assert "Module" not in reply.html


def test_times_and_the_end_of_the_day(service: QuestionService) -> None:
    for question in ("hoe laat zijn we klaar?", "hoe laat begint het", "tot hoelaat duurt het"):
        reply = ask(service, question)
        assert reply.intents == ["times"], question
        assert "13:00" in reply.html
        assert "19:30" in reply.html


# -- course facts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "intent", "facts"),
    [
        ("is er eten?", "dinner", ["samen eten"]),
        ("hoeveel modules zijn er", "module_count", ["10 modules"]),
        ("wanneer begint de leergang", "course_dates", ["19 september 2024", "19 juni 2025"]),
        ("op welke dag zijn de modules", "weekday", ["donderdag", "maandelijks"]),
        ("moet ik er elke keer bij zijn?", "attendance", ["verplicht", "/afmelden"]),
        ("ik ben ziek en kan donderdag niet", "attendance", ["/afmelden", "coördinator"]),
        ("hoeveel tijd kost het naast de modules", "workload", ["10-15 uur"]),
        ("hoe lang duurt een werksessie", "werksessies", ["2,5 uur"]),
        ("hoe vaak is er intervisie", "intervisie", ["4 keer", "buddy"]),
        ("hoe werkt de eindopdracht", "final_assignment", ["3 of 4", "praktijkcase"]),
        ("krijg ik een certificaat", "certificate", ["certificaat van Wijkmakers"]),
        ("wat levert het op", "outcome", ["breed inzetbaar"]),
        ("voor wie is de leergang", "audience", ["gemeente Groningen", "1 en 5 jaar"]),
        ("gaan we op excursie", "field_visits", ["Selwerd", "Korrewegwijk", "Paddepoel"]),
        ("hoe meld ik me aan", "register", ["/aanmelden"]),
        ("wat doen jullie met mijn gegevens", "privacy", ["/privacy"]),
        ("kan ik de data in mijn agenda zetten", "calendar", ["/agenda"]),
        ("ik wil een carrièreswitch maken", "career_switch", ["van expertise te veranderen"]),
    ],
)
def test_course_facts(
    service: QuestionService, question: str, intent: str, facts: list[str]
) -> None:
    reply = ask(service, question)
    assert reply.intents == [intent], reply
    for fact in facts:
        assert fact in reply.html


def test_greetings_and_thanks_get_a_short_friendly_reply(service: QuestionService) -> None:
    assert ask(service, "hoi").intents == ["greeting"]
    assert ask(service, "dankjewel!").intents == ["thanks"]
    reply = ask(service, "Hoi! Wanneer is de volgende module?")
    assert reply.intents == ["next_module"]


# -- eligibility ----------------------------------------------------------------------------


def test_experienced_people_get_the_nuance_not_a_rejection(service: QuestionService) -> None:
    reply = ask(service, "ik heb 8 jaar ervaring, mag ik meedoen?")
    assert reply.intents == ["eligibility_experience"]
    assert "8 jaar" in reply.html
    assert "ruimte voor deelnemers met ervaring" in reply.html
    assert "/aanmelden" in reply.html


def test_starters_without_experience_are_sent_to_the_coordinator(
    service: QuestionService,
) -> None:
    reply = ask(service, "ik heb nog geen ervaring, kan ik meedoen?")
    assert reply.intents == ["eligibility_experience"]
    assert "1 en 5 jaar" in reply.html
    assert "coördinator" in reply.html
    assert not reply.confident  # the handler offers to forward the question


def test_experience_within_the_focus(service: QuestionService) -> None:
    reply = ask(service, "ik heb 3 jaar werkervaring")
    assert "precies in de focus" in reply.html
    assert reply.confident


@pytest.mark.parametrize(
    ("question", "fragment", "confident"),
    [
        ("ik werk bij de politie, kan ik meedoen?", "politie", True),
        ("ik ben bewoner, mag ik meedoen?", "bewoners", True),
        ("ik werk bij een bank, kan ik ook meedoen?", "niet compleet", False),
    ],
)
def test_organisations(
    service: QuestionService, question: str, fragment: str, confident: bool
) -> None:
    reply = ask(service, question)
    assert reply.intents == ["eligibility_organisation"]
    assert fragment in reply.html
    assert reply.confident is confident


def test_not_active_in_groningen_is_never_refused_by_the_bot(service: QuestionService) -> None:
    reply = ask(service, "ik woon in assen, kan ik toch meedoen?")
    assert reply.intents == ["eligibility_location"]
    assert "gemeente Groningen" in reply.html
    assert "coördinator" in reply.html
    assert not reply.confident


# -- honesty --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "wat kost de leergang?",
        "hoeveel moet ik betalen",
        "waar is de leergang?",
        "wat is het adres",
        "kan ik daar parkeren?",
        "wie is de coach",
        "kan ik online meedoen",
        "tot wanneer kan ik me aanmelden",
        "hoeveel plekken zijn er",
        "is er vegetarisch eten",
        "is het certificaat erkend",
        "wat is het weer morgen",
        "asdfghjkl",
        "👍",
        "",
    ],
)
def test_what_the_brochure_does_not_say_goes_to_the_honest_fallback(
    service: QuestionService, question: str
) -> None:
    reply = ask(service, question)
    assert reply.intents == []
    assert not reply.confident
    assert "coördinator" in reply.html
    assert "€" not in reply.html
    assert not re.search(r"\d", reply.html), "no guessed numbers, dates or prices"


def test_a_half_understood_question_offers_a_guess_as_a_button(
    service: QuestionService,
) -> None:
    reply = ask(service, "eindopdracht sjabloon downloaden")
    assert reply.intents == []
    assert not reply.confident
    assert "Of bedoelde je" in reply.html
    assert [s.intent_id for s in reply.suggestions] == ["final_assignment"]


# -- several questions, suggestions, learned answers ----------------------------------------


def test_several_questions_in_one_message_get_every_answer(service: QuestionService) -> None:
    reply = ask(service, "wanneer is module 3? en hoe laat begint het?")
    assert reply.intents == ["module_date", "times"]
    assert "14 november 2024" in reply.html
    assert "13:00" in reply.html
    both = ask(service, "wanneer is module 2 en waar gaat die over")
    assert "17 oktober 2024" in both.html
    assert "Wat speelt er in onze wijken?" in both.html


def test_a_known_and_an_unknown_question_together(service: QuestionService) -> None:
    reply = ask(service, "Hoe laat begint het? En wat kost het?")
    assert reply.intents == ["times"]
    assert "13:00" in reply.html
    assert "kost" in reply.html
    assert "brochure" in reply.html
    assert not reply.confident


def test_suggestions_are_at_most_two_short_buttons_that_work(service: QuestionService) -> None:
    reply = ask(service, "wanneer is module 4")
    assert 1 <= len(reply.suggestions) <= 2
    for suggestion in reply.suggestions:
        assert len(suggestion.intent_id) <= 40
        assert suggestion.intent_id.isascii()
        tapped = service.answer_intent(suggestion.intent_id, DECEMBER_10)
        assert tapped.intents
    about = service.answer_intent("module_about/4", DECEMBER_10)
    assert "Data-gedreven" in about.html
    assert "12 december 2024" in about.html
    stale = service.answer_intent("no_such_intent", DECEMBER_10)
    assert stale.intents == []


def test_a_coordinator_answer_is_learned_and_escaped(fresh_service: QuestionService) -> None:
    service = fresh_service
    assert ask(service, "wat kost het?").intents == []
    service.add_learned("7", "Wat kost de leergang?", "€ 950 <excl. btw> & lunch")
    reply = ask(service, "hoeveel kost het")
    assert reply.intents == ["l_7"]
    assert "€ 950 &lt;excl. btw&gt; &amp; lunch" in reply.html
    assert reply.confident
    assert "17 oktober 2024" in ask(service, "wanneer is module 2").html  # nothing else changes
    service.remove_learned("7")
    assert ask(service, "hoeveel kost het").intents == []
    with pytest.raises(ValueError, match="learned entry id"):
        service.add_learned("no spaces", "vraag", "antwoord")


# -- the programme file drives the answers --------------------------------------------------


def test_a_new_programme_changes_the_answers(fresh_service: QuestionService) -> None:
    service = fresh_service
    service.set_programme(
        edited_programme(
            ("start = 13:00:00", "start = 14:00:00"),
            ("date = 2024-12-12", "date = 2024-12-19"),
        )
    )
    assert "14:00" in ask(service, "hoe laat begint het").html
    reply = ask(service, "wanneer is de volgende module")
    assert "19 december 2024" in reply.html


def test_werksessies_and_locations_are_listed_once_the_programme_has_them(
    fresh_service: QuestionService,
) -> None:
    service = fresh_service
    before = ask(service, "wanneer zijn de werksessies")
    assert "maakt de coördinator nog bekend" in before.html
    assert ask(service, "waar is module 4").intents == []
    service.set_programme(
        edited_programme(
            ("sessions = []", 'sessions = [{ date = 2024-10-03, start = 15:00:00 }]'),
            ('date = 2024-12-12\n', 'date = 2024-12-12\nlocation = "Het Forum"\n'),
        )
    )
    after = ask(service, "wanneer zijn de werksessies")
    assert "3 oktober 2024" in after.html
    located = ask(service, "waar is module 4")
    assert located.intents == ["location"]
    assert "Het Forum" in located.html


# -- the knowledge base itself --------------------------------------------------------------


def test_every_answer_renders_as_valid_telegram_html(
    service: QuestionService, knowledge: KnowledgeBase
) -> None:
    for intent_id in knowledge.intents:
        for now in (DECEMBER_10, at(2025, 7, 1)):
            reply = service.answer_intent(intent_id, now)
            assert isinstance(reply.html, Html)
            assert reply.html.strip(), intent_id
            assert "{" not in reply.html, intent_id
            for line in reply.html.splitlines():
                assert set(TAG.findall(line)) <= {"b", "i"}, (intent_id, line)
                assert line.count("<b>") == line.count("</b>"), (intent_id, line)
                assert line.count("<i>") == line.count("</i>"), (intent_id, line)


def test_every_gap_says_so_and_offers_the_coordinator(
    service: QuestionService, knowledge: KnowledgeBase
) -> None:
    for gap in knowledge.gaps.values():
        reply = ask(service, gap.examples[0])
        assert reply.intents == [], gap.id
        assert "{" not in reply.html
        assert "coördinator" in reply.html


def test_intent_ids_fit_in_a_button(knowledge: KnowledgeBase) -> None:
    for intent_id in [*knowledge.intents, *knowledge.gaps]:
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,39}", intent_id)


def test_no_example_phrasing_points_at_two_intents(service: QuestionService) -> None:
    """Two intents with an example that means the same (after synonyms) is a contradiction."""
    owners: dict[frozenset[str], set[str]] = defaultdict(set)
    entries = [(e.id, e.examples) for e in service.knowledge.data.intents]
    entries += [(g.id, g.examples) for g in service.knowledge.data.gaps]
    for intent_id, examples in entries:
        for example in examples:
            terms = service.analyser.analyse(example, DECEMBER_10).terms
            assert terms, (intent_id, example)
            owners[terms].add(intent_id)
    clashes = {tuple(sorted(t)): ids for t, ids in owners.items() if len(ids) > 1}
    assert not clashes


# -- quality on the labelled evaluation set -------------------------------------------------


def test_the_evaluation_set_is_big_and_varied_enough() -> None:
    cases = load_cases(EVAL_SET)
    assert len(cases) >= 220
    assert sum(not case.known for case in cases) >= 50
    assert len({case.expected for case in cases if case.known}) >= 25


def test_accuracy_on_the_evaluation_set(service: QuestionService) -> None:
    report = evaluate(service, load_cases(EVAL_SET), DECEMBER_10)
    assert report.known_accuracy >= 0.95, [o.case.question for o in report.errors]
    assert report.unknown_to_fallback >= 0.95
    assert report.fallback_precision >= 0.95
    holdout = report.subset("holdout")
    assert holdout.known_accuracy >= 0.9
    assert holdout.unknown_to_fallback >= 0.9
    assert report.percentile_ms(0.5) < 5.0


def test_memory_for_typos_stays_bounded_and_known_typos_are_still_fixed(
    fresh_service: QuestionService,
) -> None:
    # Thousands of people typing words nobody typed before must not grow the bot forever.
    chance = random.Random(3)
    for _ in range(3 * CORRECTIONS_KEPT):
        word = "".join(chance.choices("bdfgklmnprstvz", k=7))
        fresh_service.answer(f"wat is {word}?", DECEMBER_10)
    assert len(fresh_service.analyser._fixed) <= CORRECTIONS_KEPT
    reply = ask(fresh_service, "wanneer is de eindpresentatei")
    assert "19 juni 2025" in reply.html
