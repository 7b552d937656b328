"""Certificates: the coordinator's /certificaten review with its buttons, the participant's
/certificaat, and /verifieer (and the QR code's /start link) for anyone."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.catalogue import Html, plain, t
from bot.formatting import long_date
from bot.numbers import whole_number
from bot.services.certificates import Issued, Outcome, shown_code
from bot.services.registry import Services
from bot.views import certificates as views
from bot.views.certificate_pdf import render_certificate
from handlers.context import Context, deliverer, replace_message, reply, services, user_id

log = logging.getLogger(__name__)


async def certificates_command(update: Update, context: Context) -> None:
    """/certificaten (coordinators): who qualifies, with buttons to mark and confirm."""
    svc = services(context)
    text, markup = views.review(await svc.certificates.review(svc.now()), edition=svc.edition.name)
    await reply(update, context, text, reply_markup=markup)


async def button(update: Update, context: Context) -> None:
    """Every ``crt:`` button (coordinators only; see handlers/routing.py)."""
    query, coordinator = update.callback_query, user_id(update)
    if query is None or coordinator is None:
        return
    svc = services(context)
    parts = (query.data or "").split(":")
    action = parts[1] if len(parts) > 1 else ""
    number = whole_number(parts[2]) if len(parts) > 2 else None
    flag = parts[3] == "1" if len(parts) > 3 else False
    if action == "list":
        await query.answer()
        await _show_list(update, context, svc)
    elif action == "all":
        await _ask_all(update, context, svc)
    elif action == "ally":
        await _confirm_all(update, context, svc, coordinator)
    elif action == "fg" and number is not None:
        await _mark_group(update, context, svc, number, flag, coordinator)
    elif number is None:
        await query.answer(plain("fallback.stale_button"))
    elif action == "p":
        await query.answer()
        await _show_person(update, context, svc, number)
    elif action == "fa":
        await query.answer()
        await svc.certificates.set_assignment([number], flag, coordinator, svc.now())
        await _show_person(update, context, svc, number)
    elif action == "ok":
        await _confirm(update, context, svc, number, coordinator)
    elif action == "rv":
        await _ask_revoke(update, context, svc, number)
    elif action == "rvy":
        await _revoke(update, context, svc, number)
    else:
        await query.answer(plain("fallback.stale_button"))


async def _show_list(update: Update, context: Context, svc: Services) -> None:
    text, markup = views.review(await svc.certificates.review(svc.now()), edition=svc.edition.name)
    await replace_message(update, context, text, markup)


async def _show_person(
    update: Update, context: Context, svc: Services, participant_id: int
) -> None:
    candidate = (await svc.certificates.review(svc.now())).get(participant_id)
    if candidate is None:
        await _show_list(update, context, svc)
        return
    await replace_message(update, context, *views.person(candidate))


async def _mark_group(
    update: Update, context: Context, svc: Services, group_id: int, done: bool, coordinator: int
) -> None:
    query = update.callback_query
    assert query is not None
    found = next((g for g in (await svc.certificates.review(svc.now())).groups
                  if g.id == group_id), None)
    if found is None:
        await query.answer(plain("certificates.unknown_person"), show_alert=True)
        return
    await query.answer()
    await svc.certificates.set_assignment(found.member_ids, done, coordinator, svc.now())
    await _show_list(update, context, svc)


async def _ask_all(update: Update, context: Context, svc: Services) -> None:
    query = update.callback_query
    assert query is not None
    found = await svc.certificates.review(svc.now())
    if not found.ready:
        await query.answer(plain("certificates.nobody_ready"), show_alert=True)
        await _show_list(update, context, svc)
        return
    await query.answer()
    await replace_message(update, context, *views.confirm_all(found))


async def _confirm_all(
    update: Update, context: Context, svc: Services, coordinator: int
) -> None:
    """Everyone ready at this moment; a second tap finds nobody left and sends nothing."""
    query = update.callback_query
    assert query is not None
    ready = (await svc.certificates.review(svc.now())).ready
    issued, missed = 0, []
    await query.answer()
    for candidate in ready:
        confirmed = await svc.certificates.confirm(candidate.participant_id, coordinator,
                                                   svc.now())
        if confirmed.outcome is not Outcome.ISSUED or confirmed.certificate is None:
            continue
        issued += 1
        if not await _deliver(context, svc, confirmed.certificate, confirmed.chat_id):
            missed.append(confirmed.certificate.name)
    if not issued:
        await reply(update, context, t("certificates.nobody_ready"))
    else:
        text = t("certificates.issued_all", count=issued)
        if missed:
            undelivered = t("certificates.issued_all_undelivered", names=", ".join(missed))
            text = Html(f"{text}\n{undelivered}")
        await reply(update, context, text)
    log.info("certificates confirmed for everyone ready: %d issued", issued)
    await _show_list(update, context, svc)


async def _confirm(
    update: Update, context: Context, svc: Services, participant_id: int, coordinator: int
) -> None:
    query = update.callback_query
    assert query is not None
    confirmed = await svc.certificates.confirm(participant_id, coordinator, svc.now())
    certificate = confirmed.certificate
    if confirmed.outcome is not Outcome.ISSUED or certificate is None:
        candidate = (await svc.certificates.review(svc.now())).get(participant_id)
        name = candidate.name if candidate else ""
        key = {Outcome.ALREADY: "already", Outcome.NOT_MET: "not_met",
               Outcome.NO_ASSIGNMENT: "no_assignment"}.get(confirmed.outcome, "unknown_person")
        await query.answer(plain(f"certificates.{key}", name=name), show_alert=True)
        await _show_person(update, context, svc, participant_id)
        return
    await query.answer()
    delivered = await _deliver(context, svc, certificate, confirmed.chat_id)
    code = shown_code(certificate.code)
    key = "certificates.issued" if delivered else "certificates.issued_undelivered"
    await reply(update, context, t(key, name=certificate.name, code=code))
    log.info("certificate issued to participant #%d", participant_id)
    await _show_person(update, context, svc, participant_id)


async def _deliver(
    context: Context, svc: Services, certificate: Issued, chat_id: int | None
) -> bool:
    """Send the PDF to its holder; False when it could not be delivered."""
    if chat_id is None:
        return False
    content = await _pdf(context, svc, certificate)
    result = await deliverer(context).send_document(
        chat_id, content, views.file_name(certificate), views.delivered_caption(certificate)
    )
    if result.delivered:
        await svc.certificates.delivered(certificate.participant_id, svc.now())
    return result.delivered


async def _pdf(context: Context, svc: Services, certificate: Issued) -> bytes:
    document = await svc.certificates.document(certificate)
    link = views.verify_link(context.bot.username, certificate)
    return await asyncio.to_thread(render_certificate, document, link)


async def _ask_revoke(
    update: Update, context: Context, svc: Services, participant_id: int
) -> None:
    query = update.callback_query
    assert query is not None
    certificate = await svc.certificates.of_participant(participant_id)
    if certificate is None or not certificate.valid:
        await query.answer(plain("certificates.revoke_nothing"), show_alert=True)
        await _show_person(update, context, svc, participant_id)
        return
    await query.answer()
    await replace_message(update, context, *views.revoke_ask(certificate))


async def _revoke(update: Update, context: Context, svc: Services, participant_id: int) -> None:
    query = update.callback_query
    assert query is not None
    revoked = await svc.certificates.revoke(participant_id, svc.now())
    if revoked is None:
        await query.answer(plain("certificates.revoke_nothing"), show_alert=True)
        await _show_person(update, context, svc, participant_id)
        return
    await query.answer()
    certificate, chat_id = revoked
    code = shown_code(certificate.code)
    told = chat_id is not None and (await deliverer(context).send_message(
        chat_id, t("certificates.revoked_notice", course=certificate.course, code=code)
    )).delivered
    outcome = t("certificates.revoked_told" if told else "certificates.revoked_not_told",
                name=certificate.name)
    await reply(update, context, Html(
        f"{t('certificates.revoked', name=certificate.name, code=code)} {outcome}"))
    log.info("certificate of participant #%d revoked", participant_id)
    await _show_person(update, context, svc, participant_id)


async def certificate_command(update: Update, context: Context) -> None:
    """/certificaat: the participant's own certificate again, or where they stand."""
    telegram_id, chat = user_id(update), update.effective_chat
    if telegram_id is None or chat is None:
        return
    svc = services(context)
    participant_id, certificate = await svc.certificates.mine(telegram_id)
    if certificate is None or not certificate.valid:  # an alumnus: an earlier edition's
        for earlier in await svc.editions.participations(telegram_id):
            _, found = await earlier.certificates.mine(telegram_id)
            if earlier is not svc and found is not None and found.valid:
                svc, participant_id, certificate = earlier, found.participant_id, found
                break
    if participant_id is None:
        await reply(update, context, t("certificates.mine_not_participant"))
        return
    if certificate is None:
        final = await svc.certificates.final_module()
        when = (t("certificates.mine_when", date=long_date(final.starts_at.date()))
                if final is not None and svc.now() < final.ends_at else "")
        await reply(update, context, t("certificates.mine_none", when=when))
        return
    if not certificate.valid:
        await reply(update, context, t("certificates.mine_revoked"))
        return
    content = await _pdf(context, svc, certificate)
    await context.bot.send_document(chat.id, document=content,
                                    filename=views.file_name(certificate),
                                    caption=views.resend_caption(certificate), parse_mode="HTML")


async def verify_command(update: Update, context: Context) -> None:
    """/verifieer CODE, for anyone: the name, course and date of a valid certificate."""
    given = " ".join(context.args or [])
    if not given.strip():
        await reply(update, context, t("certificates.verify_usage"))
        return
    await verify(update, context, given)


async def verify(update: Update, context: Context, given: str) -> None:
    """Also the QR code's deep link (/start verify-CODE). A wrong code shows nothing else."""
    found = await services(context).certificates.verify(given[:100])
    await reply(update, context,
                views.verified(found) if found else t("certificates.verify_invalid"))
