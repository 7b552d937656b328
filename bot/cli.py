"""The ``wijkbot`` command line."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import signal
import tomllib
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from bot.catalogue import plain
from bot.config import ConfigFileMissingError, Settings, WebhookSettings, load_settings
from bot.formatting import short_date
from bot.lifecycle import WebhookListenError
from bot.logs import configure_logging
from bot.problems import describe_problems
from bot.programme import ProgrammeError, SessionKind, load_programme

# Exit codes of `wijkbot run` (README, "Exit codes"); systemd restarts only after 1 and 4.
EXIT_UNAVAILABLE = 1  # the database or the webhook address
EXIT_CONFIG = 2
EXIT_TOKEN_REFUSED = 3
EXIT_TELEGRAM_UNREACHABLE = 4

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Wijkbot, de Telegram-assistent."
)
programme_app = typer.Typer(no_args_is_help=True, help="Programmabestanden.")
db_app = typer.Typer(no_args_is_help=True, help="Database.")
app.add_typer(programme_app, name="programme")
app.add_typer(db_app, name="db")

log = logging.getLogger("wijkbot")


def _fail(message: str, code: int = EXIT_CONFIG) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigFileMissingError as error:
        _fail(plain("cli.config_missing", path=str(error.path)))
    except tomllib.TOMLDecodeError as error:
        _fail(plain("cli.bad_config_file", path="config.toml", error=str(error)))
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "?"
        _fail(plain("cli.bad_config", where=where, error=first["msg"]))


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _safe_base_url(settings: Settings) -> str:
    """The Bot API address without the token PTB appends to it."""
    return settings.telegram.base_url.removesuffix("/bot").removesuffix("/") or "?"


@app.command()
def run(
    webhook: Annotated[
        bool,
        typer.Option(
            "--webhook",
            help="Ontvang updates via een webhook (achter een reverse proxy) in plaats van "
            "long polling; zie de webhook-instellingen in config.example.toml.",
        ),
    ] = False,
) -> None:
    """Start de bot (long polling, of met --webhook via een webhook)."""
    settings = _settings()
    if settings.telegram.token is None or not settings.telegram.token.get_secret_value():
        _fail(plain("cli.no_token"))
    token = settings.telegram.token.get_secret_value()
    hook = _webhook_settings(settings) if webhook else None
    hook_secret = hook.secret_token.get_secret_value() if hook and hook.secret_token else ""
    configure_logging(settings.log_level, secrets=[token, hook_secret], fmt=settings.logging.format)
    from bot.services.registry import build_services

    try:
        services = build_services(settings)
    except ProgrammeError as error:
        for line in describe_problems(error):
            typer.echo(f"- {line}", err=True)
        _fail(plain("cli.programme_failed", source=error.source))
    typer.echo(
        plain("cli.starting", source=services.programme.source,
              url=_safe_url(settings.database.url)),
        err=True,
    )
    if hook is not None:
        typer.echo(plain("cli.starting_webhook", url=hook.url, address=_address(hook)), err=True)
    from telegram.error import InvalidToken, NetworkError

    try:
        asyncio.run(_run(services, hook))
    except _DatabaseUnavailableError as error:
        _fail(plain("cli.database_failed", url=_safe_url(settings.database.url),
                    error=str(error)), code=EXIT_UNAVAILABLE)
    except WebhookListenError as error:
        _fail(plain("cli.webhook_listen_failed", address=_address(hook or settings.webhook),
                    error=str(error)), code=EXIT_UNAVAILABLE)
    except InvalidToken:
        _fail(plain("cli.token_refused"), code=EXIT_TOKEN_REFUSED)
    except NetworkError as error:  # includes TimedOut: getMe, before anything else
        reason = str(error).replace(token, "…")  # never print the token
        _fail(plain("cli.telegram_unreachable", url=_safe_base_url(settings), error=reason),
              code=EXIT_TELEGRAM_UNREACHABLE)
    typer.echo(plain("cli.stopped"), err=True)


def _webhook_settings(settings: Settings) -> WebhookSettings:
    hook = settings.webhook
    if not hook.url:
        _fail(plain("cli.webhook_no_url"))
    if hook.secret_token is None or not hook.secret_token.get_secret_value():
        _fail(plain("cli.webhook_no_secret", suggestion=secrets.token_urlsafe(32)))
    return hook


def _address(hook: WebhookSettings) -> str:
    return f"{hook.listen}:{hook.port}{hook.path}"


class _DatabaseUnavailableError(Exception):
    pass


async def _run(services: object, webhook: WebhookSettings | None) -> None:
    from bot.app import build_application
    from bot.lifecycle import running
    from bot.services.registry import Services

    assert isinstance(services, Services)
    try:
        await services.database.upgrade()
    except Exception as error:  # any driver error means: cannot start
        await services.close()
        raise _DatabaseUnavailableError(str(error)) from error
    application = build_application(services)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with running(
        application, poll_timeout=services.settings.telegram.poll_timeout, webhook=webhook
    ):
        await stop.wait()


@programme_app.command("check")
def programme_check(
    file: Annotated[Path, typer.Argument(help="Het programmabestand (TOML) om te controleren.")],
) -> None:
    """Controleer een programmabestand en noem alle problemen tegelijk."""
    try:
        programme = load_programme(file, Settings.model_construct().tz)
    except ProgrammeError as error:
        typer.echo(plain("cli.programme_bad", count=len(error.problems), source=error.source))
        for line in describe_problems(error):
            typer.echo(f"- {line}")
        raise typer.Exit(1) from None
    kinds = [s.kind for s in programme.sessions]
    typer.echo(
        plain(
            "cli.programme_ok",
            source=programme.source,
            modules=kinds.count(SessionKind.MODULE),
            werksessies=kinds.count(SessionKind.WERKSESSIE),
            intervisie=kinds.count(SessionKind.INTERVISIE),
            start=short_date(programme.data.course.start_date),
            end=short_date(programme.data.course.end_date),
        )
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Werk de database bij naar de nieuwste versie (gebeurt ook bij het starten)."""
    settings = _settings()
    from bot.database import Database

    async def upgrade() -> None:
        database = Database(settings.database.url)
        try:
            await database.upgrade()
        finally:
            await database.close()

    try:
        asyncio.run(upgrade())
    except Exception as error:  # report any driver error in plain words
        _fail(plain("cli.database_failed", url=_safe_url(settings.database.url),
                    error=str(error)), code=1)
    typer.echo(plain("cli.db_upgraded", url=_safe_url(settings.database.url)))


@app.command("backup")
def backup_command(
    dest: Annotated[
        Path | None,
        typer.Argument(
            help="Bestand of map voor de back-up; standaard "
            "wijkbot-backup-JJJJMMDD-UUMMSS.sqlite3 in de huidige map.",
        ),
    ] = None,
) -> None:
    """Schrijf een consistente kopie van de database (kan terwijl de bot draait)."""
    settings = _settings()
    from bot.backup import BackupError, backup, destination

    url = settings.database.url
    try:
        target = destination(url, dest, dt.datetime.now(settings.tz))
        backup(url, target)
    except BackupError as error:
        reason = plain(f"backup.{error.key}", **error.params)
        _fail(plain("backup.failed", reason=reason), code=1)
    typer.echo(plain("backup.done", url=_safe_url(url), path=str(target),
                     size=target.stat().st_size))


@app.command()
def schedule(
    show_all: Annotated[
        bool, typer.Option("--all", help="Alle komende herinneringen, niet alleen de eerste 20.")
    ] = False,
) -> None:
    """Toon de komende herinneringen: wanneer, aan hoeveel mensen, welke bijeenkomst."""
    settings = _settings()
    from bot.services.registry import build_services
    from scheduling.overview import DEFAULT_ROWS, table, upcoming

    if not settings.reminders.enabled:
        typer.echo(plain("reminders.cli_disabled"))
        return
    try:
        services = build_services(settings)
    except ProgrammeError as error:
        for line in describe_problems(error):
            typer.echo(f"- {line}", err=True)
        _fail(plain("cli.programme_failed", source=error.source))

    async def rows() -> list[str]:
        try:
            await services.database.upgrade()
            found = await upcoming(services, services.now())
        finally:
            await services.close()
        return table(found, None if show_all else DEFAULT_ROWS)

    try:
        lines = asyncio.run(rows())
    except Exception as error:  # report any driver error in plain words
        _fail(plain("cli.database_failed", url=_safe_url(settings.database.url),
                    error=str(error)), code=1)
    for line in lines:
        typer.echo(line)


def main() -> None:
    # PTB 22 reports durations (RetryAfter.retry_after) as timedelta from now on.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    app()


if __name__ == "__main__":
    main()
