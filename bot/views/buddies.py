"""Buddies as Telegram shows them: the introduction with its consent buttons, /buddies with
the members (linked only with their consent) and shared goals, and a member's message to the
group (texts in goals.toml, section [buddies]).

Buttons (``bud:``, the participant's own): ``share:<group>:<1|0>``, ``msg:<group>``.
The coordinator's ``grp:intro:<group>`` sits on the group's page under /groepen.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.catalogue import Html, plain, t
from bot.formatting import long_date, session_name, shorten
from bot.programme import Session
from bot.services.buddies import BuddyGroup, GroupMessage, Introduction, Person
from bot.services.groups import GroupKind
from bot.views.groups import group_kind_label
from bot.views.keyboards import Button, keyboard

PREFIX = "bud"
INTRODUCE = "grp:intro"
_BUTTON_NAME = 24


def _names(people: tuple[Person, ...] | list[Person]) -> Html:
    return Html(", ".join(t("buddies.member_plain", name=p.name).removeprefix("• ")
                          for p in people))


def introduction(found: Introduction, newcomer: Person,
                 final: Session | None) -> tuple[Html, InlineKeyboardMarkup]:
    others = [p for p in found.members if p != newcomer]
    members = _names(others) if others else t("buddies.only_you")
    if found.kind is GroupKind.INTERVISIE:
        text = t("buddies.intro_intervisie", group=found.name, members=members)
    else:
        presentations = (t("buddies.presentations", module=session_name(final),
                           date=long_date(final.starts_at.date())) if final else "")
        text = t("buddies.intro_eindopdracht", group=found.name, members=members,
                 presentations=presentations)
    return Html(f"{text}\n\n{t('buddies.consent_question')}"), keyboard([[
        (plain("buddies.button_share"), f"{PREFIX}:share:{found.group_id}:1"),
        (plain("buddies.button_no"), f"{PREFIX}:share:{found.group_id}:0"),
    ]])


def newcomer_note(found: Introduction) -> Html:
    return t("buddies.newcomer_note", kind=group_kind_label(found.kind).lower(),
             group=found.name, names=_names(found.newcomers))


def introduced(found: Introduction) -> Html:
    if not found.members:
        return t("buddies.introduced_empty", group=found.name)
    if not found.newcomers:
        return t("buddies.introduced_nobody", group=found.name)
    text = t("buddies.introduced", count=len(found.newcomers), group=found.name)
    if found.others:
        text = Html(text + t("buddies.introduced_others", count=len(found.others)))
    return text


def overview(groups: list[BuddyGroup],
             final: Session | None) -> tuple[Html, InlineKeyboardMarkup | None]:
    if not groups:
        return t("buddies.none"), None
    parts = [t("buddies.header")]
    rows: list[list[Button]] = []
    for group in groups:
        lines = [t("buddies.group_header", kind=group_kind_label(group.kind), group=group.name)]
        for buddy in group.members:
            if buddy.me:
                lines.append(t("buddies.member_me", name=buddy.name))
            elif buddy.telegram_id is not None:
                lines.append(t("buddies.member_contact", name=buddy.name,
                               telegram_id=buddy.telegram_id))
            else:
                lines.append(t("buddies.member_plain", name=buddy.name))
            lines += [t("buddies.member_goal", text=goal) for goal in buddy.goals]
        if group.kind is GroupKind.EINDOPDRACHT and final is not None:
            lines.append(t("buddies.presentations_line", module=session_name(final),
                           date=long_date(final.starts_at.date())))
        lines.append(t("buddies.you_share" if group.i_share else "buddies.you_do_not_share"))
        parts.append(Html("\n".join(lines)))
        name = shorten(group.name, _BUTTON_NAME)
        rows.append([(plain("buddies.button_message", group=name), f"{PREFIX}:msg:{group.id}")])
        rows.append([(plain("buddies.button_unshare_group", group=name),
                      f"{PREFIX}:share:{group.id}:0") if group.i_share
                     else (plain("buddies.button_share_group", group=name),
                           f"{PREFIX}:share:{group.id}:1")])
    return Html("\n\n".join(parts)), keyboard(rows)


def ask_message(found: GroupMessage, limit: int) -> Html:
    account = t("buddies.with_account" if found.sender_telegram_id else "buddies.without_account")
    return t("buddies.ask_message", group=found.group_name, limit=limit,
             count=len(found.recipients), account=account)


def group_message(found: GroupMessage, text: str) -> Html:
    sender = (t("buddies.sender_link", name=found.sender_name,
                telegram_id=found.sender_telegram_id)
              if found.sender_telegram_id is not None else found.sender_name)
    return t("buddies.message", sender=sender, kind=group_kind_label(found.kind).lower(),
             group=found.group_name, text=text)
