"""Module feedback as Telegram shows it: the question with its 1-5 buttons, the coordinator's
overview per module, and the CSV/XLSX export. Texts come from the catalogue (feedback.toml)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup

from bot.catalogue import Html, plain, t
from bot.config import FeedbackSettings
from bot.formatting import session_name, short_date
from bot.programme import Session
from bot.services.feedback import COMMENT_MAX, SCORES, ModuleSummary
from bot.views.export import xlsx_bytes
from bot.views.keyboards import keyboard

BUTTON_PREFIX = "fb"  # participants: fb:<session>:<score> and fb:<session>:x (no comment)
EXPORT_BUTTON = "fbc:export"  # coordinators
CHART_BUTTON = "fbc:chart"
SKIP = "x"
_BAR_WIDTH = 10


def question(module: Session) -> tuple[Html, InlineKeyboardMarkup]:
    text = t("feedback.question", module=session_name(module))
    buttons = [(str(score), f"{BUTTON_PREFIX}:{module.key}:{score}") for score in SCORES]
    return text, keyboard([buttons])


def thanks(module: Session, score: int) -> Html:
    return t("feedback.thanks", module=session_name(module), score=score)


def ask_comment(module: Session, settings: FeedbackSettings) -> tuple[Html, InlineKeyboardMarkup]:
    who = t("feedback.who_named" if settings.show_names else "feedback.who_anonymous")
    return t("feedback.ask_comment", who=who), keyboard(
        [[(t("feedback.button_skip"), f"{BUTTON_PREFIX}:{module.key}:{SKIP}")]]
    )


def comment_invalid() -> Html:
    return t("feedback.comment_invalid", limit=COMMENT_MAX)


def moment_text(settings: FeedbackSettings) -> Html:
    time = f"{settings.at:%H:%M}"
    if settings.days_after == 0:
        return t("feedback.moment_same_day", time=time)
    if settings.days_after == 1:
        return t("feedback.moment_next_morning", time=time)
    return t("feedback.moment", days=settings.days_after, time=time)


def overview(summaries: list[ModuleSummary], settings: FeedbackSettings) -> Html:
    parts = [t("feedback.overview_header")]
    if not summaries:
        parts.append(t("feedback.overview_none", when=moment_text(settings)))
    for summary in summaries:
        parts.append(_module(summary))
    return Html("\n\n".join(parts))


def overview_markup(summaries: list[ModuleSummary]) -> InlineKeyboardMarkup | None:
    if not any(summary.answers for summary in summaries):
        return None
    return keyboard([[(t("feedback.button_chart"), CHART_BUTTON),
                      (t("feedback.button_export"), EXPORT_BUTTON)]])


def _module(summary: ModuleSummary) -> Html:
    module, date = session_name(summary.session), short_date(summary.session.starts_at.date())
    average = summary.average
    if average is None:
        return t("feedback.overview_no_answers", module=module, date=date, asked=summary.asked)
    most = max(summary.count(score) for score in SCORES)
    distribution = "\n".join(
        t("feedback.distribution_line", score=score, count=summary.count(score),
          bar="█" * round(_BAR_WIDTH * summary.count(score) / most) or "·")
        for score in reversed(SCORES)
    )
    text = t("feedback.overview_module", module=module, date=date, answers=summary.answers,
             asked=summary.asked, average=f"{average:.1f}".replace(".", ","),
             distribution=Html(f"<code>{distribution}</code>"))
    if not summary.comments:
        return text
    lines = [
        t("feedback.comment_line_named", name=given.name, text=given.comment)
        if given.name
        else t("feedback.comment_line", text=given.comment)
        for given in summary.comments
    ]
    return Html("\n".join([text, t("feedback.comments_header"), *lines]))


def export_rows(summaries: list[ModuleSummary], named: bool) -> list[list[str | int]]:
    """One row per answer: module, date, score, comment (and the name when names are shown)."""
    header: list[str | int] = [plain("feedback.column_module"), plain("feedback.column_date"),
                               plain("feedback.column_score"), plain("feedback.column_comment")]
    if named:
        header.append(plain("feedback.column_name"))
    rows = [header]
    for summary in summaries:
        name = html.unescape(session_name(summary.session))
        date = f"{summary.session.starts_at:%d-%m-%Y}"
        for given in summary.given:
            row: list[str | int] = [name, date, given.score, given.comment or ""]
            if named:
                row.append(given.name or plain("feedback.forgotten_name"))
            rows.append(row)
    return rows


def to_xlsx(rows: list[list[str | int]]) -> bytes:
    return xlsx_bytes(rows, plain("feedback.export_sheet"))
