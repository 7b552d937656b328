"""Configuration: ``config.toml`` (or the file in ``WIJKBOT_CONFIG``) plus ``WIJKBOT_*`` variables.

Environment variables win over the file; nested keys use ``__``, for example
``WIJKBOT_TELEGRAM__TOKEN`` or ``WIJKBOT_DATABASE__URL``. Every key is documented in
``config.example.toml``.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_ENV = "WIJKBOT_CONFIG"
DEFAULT_CONFIG_FILE = "config.toml"
TELEGRAM_API = "https://api.telegram.org/bot"
TELEGRAM_FILES = "https://api.telegram.org/file/bot"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TelegramSettings(_Section):
    token: SecretStr | None = None
    base_url: str = TELEGRAM_API
    base_file_url: str | None = None
    poll_timeout: int = Field(default=30, ge=0, le=50)

    @property
    def file_url(self) -> str:
        if self.base_file_url:
            return self.base_file_url
        if self.base_url.endswith("/bot"):
            return self.base_url.removesuffix("/bot") + "/file/bot"
        return TELEGRAM_FILES


class DatabaseSettings(_Section):
    url: str = "sqlite+aiosqlite:///wijkbot.sqlite3"
    echo: bool = False
    # How long a statement waits for a lock (or a busy SQLite file) before the person is
    # asked to try again.
    lock_timeout_seconds: float = Field(default=8.0, gt=0, le=120)


class ProgrammeSettings(_Section):
    file: Path | None = None


class RegistrationSettings(_Section):
    # Minutes without an answer after which a registration in progress is dropped.
    timeout_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)


class AttendanceSettings(_Section):
    """Check-in and attendance (see the "Attendance" section of the README)."""

    # Secret for the check-in codes; generated once and kept in the database when left out.
    secret: SecretStr | None = Field(default=None, min_length=16)
    # Check-in opens this many minutes before a session starts and closes at its end.
    window_before_minutes: int = Field(default=30, ge=0, le=240)
    # Checking in more than this many minutes after the start is recorded as "te laat".
    late_after_minutes: int = Field(default=15, ge=0, le=240)
    # The code and the QR code change every this many minutes ...
    code_rotation_minutes: int = Field(default=5, ge=1, le=60)
    # ... and the previous one is still accepted for this many seconds after a change.
    code_grace_seconds: int = Field(default=120, ge=0, le=600)
    # Wrong codes per person within the window below before check-in is refused for a while.
    max_wrong_guesses: int = Field(default=5, ge=1, le=100)
    wrong_guess_window_minutes: int = Field(default=10, ge=1, le=24 * 60)
    # Coordinators get who has not checked in this many minutes after the start.
    digest_after_minutes: int = Field(default=30, ge=0, le=24 * 60)
    # Certificate rule: modules to attend; leave out for all modules.
    certificate_modules: int | None = Field(default=None, ge=0)
    # Whether an excused absence (afmelding) counts as attended; by default the coordinator
    # judges excused absences, so they are counted separately.
    excused_counts_as_attended: bool = False
    # Coordinators are warned when a participant has missed this many modules.
    absence_warning: int = Field(default=2, ge=1, le=100)
    # Seconds between runs of the attendance job (prompts, QR refresh, digest).
    job_interval_seconds: int = Field(default=30, ge=5, le=3600)


# What Telegram accepts as a webhook's secret_token, and the ports it calls webhooks on.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_PORTS = (80, 88, 443, 8443)


class WebhookSettings(_Section):
    """``wijkbot run --webhook``: Telegram calls ``url`` (HTTPS, a reverse proxy), which
    passes the request on to the bot's own small HTTP server on ``listen``:``port``."""

    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    # The public HTTPS address Telegram posts updates to, e.g. https://bot.example.org/telegram.
    url: str | None = None
    # The path the bot's server answers on; by default the path of ``url``.
    url_path: str | None = None
    # Telegram sends it in X-Telegram-Bot-Api-Secret-Token; other requests get 403.
    secret_token: SecretStr | None = None

    @field_validator("url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("the webhook url must be an https:// address Telegram can reach")
        try:
            port = parts.port or 443
        except ValueError:
            raise ValueError("the webhook url has an invalid port") from None
        if port not in WEBHOOK_PORTS:
            raise ValueError("Telegram only calls webhooks on port 443, 80, 88 or 8443")
        return value

    @field_validator("secret_token")
    @classmethod
    def _valid_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError("use 1-256 characters: letters, digits, _ and -")
        return value

    @property
    def path(self) -> str:
        """The path the local server listens on, always starting with a slash."""
        path = self.url_path if self.url_path is not None else urlsplit(self.url or "").path
        return "/" + path.lstrip("/")


class LogFormat(enum.StrEnum):
    TEXT = "text"  # key=value pairs (logfmt), one line per event
    JSON = "json"  # one JSON object per line


class LoggingSettings(_Section):
    format: LogFormat = LogFormat.TEXT


class ReminderKind(enum.StrEnum):
    """The reminders before a session: the early one, the day before, and the last one."""

    WEEK = "week"
    DAY = "day"
    HOURS = "hours"


class ReminderTiming(_Section):
    """When one reminder goes out: ``days_before`` at the wall-clock time ``at`` (Europe/
    Amsterdam, so 10:00 stays 10:00 across a clock change), or ``hours_before`` the start."""

    days_before: int | None = Field(default=None, ge=0, le=60)
    at: dt.time | None = None
    hours_before: float | None = Field(default=None, gt=0, le=72)

    @model_validator(mode="after")
    def _one_form(self) -> ReminderTiming:
        wall_clock = self.days_before is not None or self.at is not None
        if self.hours_before is not None and wall_clock:
            raise ValueError("give either days_before with at, or hours_before, not both")
        if self.hours_before is None and (self.days_before is None or self.at is None):
            raise ValueError('give days_before and at (e.g. 1 and "18:00"), or hours_before')
        return self


def _day_and_hours() -> dict[ReminderKind, ReminderTiming]:
    return {
        ReminderKind.DAY: ReminderTiming(days_before=1, at=dt.time(18, 0)),
        ReminderKind.HOURS: ReminderTiming(hours_before=2),
    }


def _module_reminders() -> dict[ReminderKind, ReminderTiming]:
    return {ReminderKind.WEEK: ReminderTiming(days_before=7, at=dt.time(10, 0)), **_day_and_hours()}


class RemindersSettings(_Section):
    # Per kind of session, the reminders that go out. A table replaces the default as a
    # whole: leave a reminder out to switch it off for that kind of session.
    enabled: bool = True
    module: dict[ReminderKind, ReminderTiming] = Field(default_factory=_module_reminders)
    werksessie: dict[ReminderKind, ReminderTiming] = Field(default_factory=_day_and_hours)
    intervisie: dict[ReminderKind, ReminderTiming] = Field(default_factory=_day_and_hours)
    # Minutes the bot waits for a typed reason after "Ik kan niet".
    reason_minutes: int = Field(default=30, ge=1, le=24 * 60)


class FeedbackSettings(_Section):
    """Module feedback: one question to each participant who attended a module."""

    enabled: bool = True
    # Sent this many days after the module, at this time (default: the next morning at 9:00).
    days_after: int = Field(default=1, ge=0, le=7)
    at: dt.time = dt.time(9, 0)
    # A question not sent within this many hours of its moment (the bot was down) is skipped.
    send_within_hours: int = Field(default=48, ge=1, le=24 * 14)
    # /feedback shows comments anonymously unless this is set.
    show_names: bool = False


class GoalSettings(_Section):
    """Learning goals: the question before each intervisie meeting and the look back."""

    enabled: bool = True
    # Before each intervisie meeting: this many days before, at this time (the day before).
    days_before: int = Field(default=1, ge=0, le=14)
    at: dt.time = dt.time(18, 0)
    # After the last module: this many days after, at this time (the next morning at 10:00).
    look_back_days_after: int = Field(default=1, ge=0, le=30)
    look_back_at: dt.time = dt.time(10, 0)
    # A question not sent within this many hours of its moment (the bot was down) is skipped.
    send_within_hours: int = Field(default=24, ge=1, le=24 * 14)


class CertificateSettings(_Section):
    """Certificates: the review list before the final module, and the verification link."""

    # The coordinators get the review list this many days before the last module, at this time.
    review_days_before: int = Field(default=7, ge=0, le=60)
    review_at: dt.time = dt.time(9, 0)


class Settings(BaseSettings):
    """Everything the bot can be told from outside."""

    model_config = SettingsConfigDict(
        env_prefix="WIJKBOT_",
        env_nested_delimiter="__",
        extra="forbid",
        toml_file=None,
    )

    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    programme: ProgrammeSettings = Field(default_factory=ProgrammeSettings)
    registration: RegistrationSettings = Field(default_factory=RegistrationSettings)
    reminders: RemindersSettings = Field(default_factory=RemindersSettings)
    attendance: AttendanceSettings = Field(default_factory=AttendanceSettings)
    feedback: FeedbackSettings = Field(default_factory=FeedbackSettings)
    certificates: CertificateSettings = Field(default_factory=CertificateSettings)
    goals: GoalSettings = Field(default_factory=GoalSettings)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    coordinators: list[int] = Field(default_factory=list)
    timezone: str = "Europe/Amsterdam"
    log_level: str = "INFO"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("log_level must be DEBUG, INFO, WARNING or ERROR")
        return level

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_coordinator(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.coordinators

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = config_file_path()
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


class ConfigFileMissingError(Exception):
    """``WIJKBOT_CONFIG`` names a file that does not exist."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def config_file_path() -> Path | None:
    """The config file in use: ``WIJKBOT_CONFIG``, else ``./config.toml`` when it exists."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named)
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Read settings from file and environment; raises pydantic's ValidationError when invalid."""
    path = config_file_path()
    if path is not None and not path.is_file():
        raise ConfigFileMissingError(path)
    return Settings(**overrides)
