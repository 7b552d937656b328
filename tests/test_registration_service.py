"""The registration, invite and participant services, used directly (no Telegram)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.database import Database
from bot.models import ParticipantStatus
from bot.programme import load_programme
from bot.programme_file import EligibilitySection
from bot.services.eligibility import EXPERIENCE_MORE, NOT_IN_GRONINGEN, ORGANISATION_OTHER
from bot.services.invites import InviteProblem, InviteService
from bot.services.participants import DecisionKind, ParticipantService
from bot.services.pending import PendingInputs, PendingKind
from bot.services.registration import BeginKind, Outcome, OutcomeKind, RegistrationService
from bot.services.registration_steps import NAME_MAX, TEXT_MAX, Problem, Step
from tests.postgres import dump_rows, stored_bytes

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2024, 12, 10, 9, 0, tzinfo=AMS)
TIMEOUT = dt.timedelta(minutes=60)
USER = 100001


@pytest.fixture
def rules() -> EligibilitySection:
    return load_programme(None, AMS).data.eligibility


@pytest.fixture
def registration(database: Database) -> RegistrationService:
    return RegistrationService(
        database, PendingInputs(database, {PendingKind.REGISTRATION: TIMEOUT})
    )


def org_index(rules: EligibilitySection, name: str) -> str:
    return str([*rules.organisations, "bewoner", "anders"].index(name))


async def fill_in(
    service: RegistrationService,
    rules: EligibilitySection,
    *,
    user: int = USER,
    organisation: str = "gemeente",
    groningen: str = "1",
    years: str = "3",
    email: str = "sanne@example.nl",
) -> Outcome:
    """Answer every question up to the summary; returns the last outcome."""
    await service.begin(user, user, "Sanne de Vries", NOW)
    await service.choose(user, "consent", "yes", NOW, rules)
    await service.choose(user, "name", "suggested", NOW, rules)
    await service.choose(user, "org", org_index(rules, organisation), NOW, rules)
    await service.answer_text(user, "Gemeente Groningen, directie Wonen", NOW, rules)
    await service.choose(user, "gr", groningen, NOW, rules)
    await service.answer_text(user, years, NOW, rules)
    outcome = await service.answer_text(user, email, NOW, rules)
    assert outcome is not None
    return outcome


async def test_a_complete_registration_is_stored_as_a_pending_application(
    registration: RegistrationService, rules: EligibilitySection
) -> None:
    summary = await fill_in(registration, rules)
    assert summary.kind is OutcomeKind.NEXT
    assert summary.draft is not None
    assert summary.draft.step is Step.CONFIRM
    done = await registration.choose(USER, "confirm", "ok", NOW, rules)
    assert done.kind is OutcomeKind.SUBMITTED
    assert done.submission is not None
    person = done.submission.participant
    assert person.status is ParticipantStatus.PENDING
    assert (person.name, person.organisation_type, person.experience_years) == (
        "Sanne de Vries",
        "gemeente",
        3,
    )
    assert person.organisation_name == "Gemeente Groningen, directie Wonen"
    assert person.email == "sanne@example.nl"
    assert person.active_in_groningen is True
    assert person.consent_at == NOW
    assert done.submission.assessment.fits
    assert await registration.current(USER, NOW) is None
    again = await registration.begin(USER, USER, "Sanne", NOW)
    assert again.kind is BeginKind.REGISTERED


async def test_wrong_answers_are_refused_with_the_reason_and_nothing_is_lost(
    registration: RegistrationService, rules: EligibilitySection
) -> None:
    await registration.begin(USER, USER, "🌻🌻", NOW)
    draft = await registration.current(USER, NOW)
    assert draft is not None
    assert draft.suggested_name is None  # an emoji-only Telegram name is not suggested

    async def typed(text: str) -> Outcome:
        outcome = await registration.answer_text(USER, text, NOW, rules)
        assert outcome is not None
        return outcome

    assert (await typed("ja hoor")).problem is Problem.CHOOSE  # consent needs the button
    await registration.choose(USER, "consent", "yes", NOW, rules)
    assert (await typed("x" * 4000)).problem is Problem.TOO_LONG
    assert (await typed("Sanne 🌻")).problem is Problem.NAME_CHARACTERS
    assert (await typed("🌻")).problem is Problem.NO_LETTERS
    assert (await typed("   ")).problem is Problem.EMPTY
    assert (await typed("  Anne-Marie   O’Brien ")).kind is OutcomeKind.NEXT
    assert (await typed("een bakkerij")).problem is Problem.CHOOSE
    assert (await typed("WIJ-team")).kind is OutcomeKind.NEXT  # a button's word is understood
    assert (await typed("🏠🏠")).problem is Problem.NO_LETTERS
    assert (await typed("WIJ Selwerd 🏠")).kind is OutcomeKind.NEXT
    assert (await typed("misschien")).problem is Problem.CHOOSE
    assert (await typed("ja")).kind is OutcomeKind.NEXT
    assert (await typed("-3")).problem is Problem.YEARS_NEGATIVE
    assert (await typed("250")).problem is Problem.YEARS_ABSURD
    assert (await typed("heel veel")).problem is Problem.YEARS_UNREADABLE
    assert (await typed("ruim 6")).kind is OutcomeKind.NEXT
    assert (await typed("sanne@")).problem is Problem.EMAIL_INVALID
    assert (await typed("sanne @example.nl")).problem is Problem.EMAIL_INVALID
    last = await typed("overslaan")
    assert last.draft is not None
    assert last.draft.step is Step.CONFIRM
    assert last.draft.answers["email"] is None
    done = await registration.choose(USER, "confirm", "ok", NOW, rules)
    assert done.submission is not None
    person = done.submission.participant
    assert person.name == "Anne-Marie O’Brien"
    assert (person.organisation_type, person.organisation_name) == ("WIJ-team", "WIJ Selwerd 🏠")
    assert person.experience_years == 6
    assert person.email is None
    assert not done.submission.assessment.fits
    assert done.submission.assessment.reasons == [EXPERIENCE_MORE]


@pytest.mark.parametrize(("answer", "years"), [("0", 0), ("3", 3), ("drie", 3), ("ruim 6", 6)])
async def test_years_are_understood_in_words_and_numbers(
    registration: RegistrationService, rules: EligibilitySection, answer: str, years: int
) -> None:
    summary = await fill_in(registration, rules, years=answer)
    assert summary.draft is not None
    assert summary.draft.answers["experience_years"] == years


async def test_a_double_tap_or_an_old_button_changes_nothing(
    registration: RegistrationService, rules: EligibilitySection
) -> None:
    await registration.begin(USER, USER, "Sanne", NOW)
    first = await registration.choose(USER, "consent", "yes", NOW, rules)
    second = await registration.choose(USER, "consent", "yes", NOW, rules)
    assert first.kind is OutcomeKind.NEXT
    assert second.kind is OutcomeKind.STALE
    assert (await registration.choose(USER, "org", "0", NOW, rules)).kind is OutcomeKind.STALE
    draft = await registration.current(USER, NOW)
    assert draft is not None
    assert draft.step is Step.NAME
    await fill_in(registration, rules)
    await registration.choose(USER, "confirm", "ok", NOW, rules)
    late = await registration.choose(USER, "confirm", "ok", NOW, rules)
    assert late.kind is OutcomeKind.STALE


async def test_changing_one_answer_returns_to_the_summary(
    registration: RegistrationService, rules: EligibilitySection
) -> None:
    await fill_in(registration, rules)
    await registration.choose(USER, "confirm", "edit", NOW, rules)
    chosen = await registration.choose(USER, "edit", "years", NOW, rules)
    assert chosen.draft is not None
    assert chosen.draft.step is Step.YEARS
    back = await registration.answer_text(USER, "4", NOW, rules)
    assert back is not None
    assert back.draft is not None
    assert back.draft.step is Step.CONFIRM
    assert back.draft.answers["experience_years"] == 4
    assert back.draft.answers["name"] == "Sanne de Vries"


async def test_other_organisation_type_and_not_in_groningen_fit_only_possibly(
    registration: RegistrationService, rules: EligibilitySection
) -> None:
    await registration.begin(USER, USER, "Sanne", NOW)
    await registration.choose(USER, "consent", "yes", NOW, rules)
    await registration.choose(USER, "name", "suggested", NOW, rules)
    other = await registration.choose(USER, "org", org_index(rules, "anders"), NOW, rules)
    assert other.draft is not None
    assert other.draft.step is Step.ORG_OTHER
    await registration.answer_text(USER, "architectenbureau", NOW, rules)
    await registration.answer_text(USER, "Bureau Noord", NOW, rules)
    await registration.choose(USER, "gr", "0", NOW, rules)
    await registration.answer_text(USER, "2", NOW, rules)
    await registration.choose(USER, "email", "skip", NOW, rules)
    done = await registration.choose(USER, "confirm", "ok", NOW, rules)
    assert done.submission is not None
    assert done.submission.participant.organisation_type == "architectenbureau"
    assert done.submission.assessment.reasons == [NOT_IN_GRONINGEN, ORGANISATION_OTHER]


async def test_the_longest_answers_allowed_are_stored_whole(
    database: Database, registration: RegistrationService, rules: EligibilitySection
) -> None:
    """What the questions accept fits in the columns (PostgreSQL enforces their lengths)."""
    name = "Sanne " + "a" * (NAME_MAX - 6)
    kind = "b" * TEXT_MAX
    organisation = "c" * TEXT_MAX
    await registration.begin(USER, USER, "Sanne", NOW)
    await registration.choose(USER, "consent", "yes", NOW, rules)
    await registration.answer_text(USER, name, NOW, rules)
    await registration.choose(USER, "org", org_index(rules, "anders"), NOW, rules)
    await registration.answer_text(USER, kind, NOW, rules)
    await registration.answer_text(USER, organisation, NOW, rules)
    await registration.choose(USER, "gr", "1", NOW, rules)
    await registration.answer_text(USER, "2", NOW, rules)
    await registration.answer_text(USER, "s" * 64 + "@" + "d" * 60 + ".nl", NOW, rules)
    done = await registration.choose(USER, "confirm", "ok", NOW, rules)
    assert done.submission is not None
    stored = await ParticipantService(database).get(done.submission.participant.id)
    assert stored is not None
    assert (stored.name, stored.organisation_type, stored.organisation_name) == (
        name, kind, organisation
    )


async def test_declining_consent_keeps_nothing(
    registration: RegistrationService, rules: EligibilitySection
) -> None:
    await registration.begin(USER, USER, "Sanne", NOW)
    outcome = await registration.choose(USER, "consent", "no", NOW, rules)
    assert outcome.kind is OutcomeKind.CANCELLED
    assert not await registration.has_draft(USER)


async def test_an_abandoned_registration_times_out(
    registration: RegistrationService, rules: EligibilitySection
) -> None:
    await registration.begin(USER, USER, "Sanne", NOW)
    await registration.begin(200, 200, "Piet", NOW + dt.timedelta(minutes=30))
    later = NOW + TIMEOUT + dt.timedelta(minutes=1)
    assert await registration.current(USER, later) is None
    assert await registration.has_draft(200)
    await registration.begin(300, 300, "Kees", NOW)
    outcome = await registration.answer_text(300, "Kees", later, rules)
    assert outcome is not None
    assert outcome.kind is OutcomeKind.EXPIRED
    assert await registration.answer_text(300, "Kees", later, rules) is None


async def test_invite_link_approves_on_registration_and_is_single_use(
    database: Database, registration: RegistrationService, rules: EligibilitySection
) -> None:
    invites = InviteService(database)
    invite = await invites.create(NOW)
    check = await invites.check(invite.token, NOW)
    assert check.usable
    await registration.begin(USER, USER, "Sanne", NOW, check)
    await fill_in(registration, rules)
    done = await registration.choose(USER, "confirm", "ok", NOW, rules)
    assert done.submission is not None
    assert done.submission.via_invite
    assert done.submission.participant.status is ParticipantStatus.APPROVED
    assert (await invites.check(invite.token, NOW)).problem is InviteProblem.USED_UP
    assert (await invites.check("made-up-token", NOW)).problem is InviteProblem.UNKNOWN
    week = await invites.create(NOW, max_uses=5, valid_for=dt.timedelta(days=7))
    late = NOW + dt.timedelta(days=8)
    assert (await invites.check(week.token, late)).problem is InviteProblem.EXPIRED


async def test_only_a_hash_of_the_invite_token_is_stored(
    database: Database, database_url: str, request: pytest.FixtureRequest
) -> None:
    invite = await InviteService(database).create(NOW)
    assert len(invite.token) >= 22
    assert invite.payload == f"invite_{invite.token}"
    assert len(invite.payload) <= 64
    raw = stored_bytes(database_url, request)
    dump = await dump_rows(database)
    assert invite.token not in dump
    assert invite.token.encode() not in raw


async def test_a_person_added_by_hand_is_linked_by_their_personal_invite(
    database: Database, registration: RegistrationService, rules: EligibilitySection
) -> None:
    invites = InviteService(database)
    added = await invites.add_by_hand("Piet Jansen", NOW)
    assert not isinstance(added, Problem)
    placeholder, invite = added
    assert placeholder.status is ParticipantStatus.APPROVED
    assert not placeholder.linked
    check = await invites.check(invite.token, NOW)
    assert check.name == "Piet Jansen"
    begin = await registration.begin(USER, USER, "Pietje", NOW, check)
    assert begin.draft is not None
    assert begin.draft.suggested_name == "Piet Jansen"
    await fill_in(registration, rules)
    done = await registration.choose(USER, "confirm", "ok", NOW, rules)
    assert done.submission is not None
    assert done.submission.participant.id == placeholder.id
    assert done.submission.participant.telegram_id == USER
    assert (await invites.check(invite.token, NOW)).problem is InviteProblem.USED_UP
    assert await invites.add_by_hand("🌻", NOW) is Problem.NO_LETTERS


async def test_an_invite_approves_a_pending_application(
    database: Database, registration: RegistrationService, rules: EligibilitySection
) -> None:
    await fill_in(registration, rules)
    await registration.choose(USER, "confirm", "ok", NOW, rules)
    invites = InviteService(database)
    invite = await invites.create(NOW)
    begin = await registration.begin(
        USER, USER, "Sanne", NOW, await invites.check(invite.token, NOW)
    )
    assert begin.kind is BeginKind.APPROVED_BY_INVITE
    assert begin.participant is not None
    assert begin.participant.status is ParticipantStatus.APPROVED


async def test_coordinator_decides_once_and_the_list_is_paged(
    database: Database, registration: RegistrationService, rules: EligibilitySection
) -> None:
    participants = ParticipantService(database)
    ids = []
    for user in range(1, 5):
        await fill_in(registration, rules, user=user)
        done = await registration.choose(user, "confirm", "ok", NOW, rules)
        assert done.submission is not None
        ids.append(done.submission.participant.id)
    approved = await participants.decide(ids[0], True, NOW)
    assert approved.kind is DecisionKind.DECIDED
    assert approved.participant is not None
    assert approved.participant.status is ParticipantStatus.APPROVED
    again = await participants.decide(ids[0], False, NOW)
    assert again.kind is DecisionKind.ALREADY
    rejected = await participants.decide(ids[1], False, NOW)
    assert rejected.participant is not None
    assert rejected.participant.status is ParticipantStatus.REJECTED
    assert (await participants.decide(9999, True, NOW)).kind is DecisionKind.GONE
    first = await participants.page(0, size=3)
    assert (first.pages, first.total) == (2, 4)
    assert [p.status for p in first.items] == [ParticipantStatus.PENDING] * 2 + [
        ParticipantStatus.APPROVED
    ]
    beyond = await participants.page(7, size=3)
    assert beyond.page == 1
    assert [p.status for p in beyond.items] == [ParticipantStatus.REJECTED]
