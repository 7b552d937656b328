"""Configuration: ``config.toml`` (or the file in ``WIJKBOT_CONFIG``) plus ``WIJKBOT_*`` variables.

Environment variables win over the file; nested keys use ``__``, for example
``WIJKBOT_TELEGRAM__TOKEN`` or ``WIJKBOT_DATABASE__URL``. Every key is documented in
``config.example.toml``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
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


class ProgrammeSettings(_Section):
    file: Path | None = None


class RegistrationSettings(_Section):
    # Minutes without an answer after which a registration in progress is dropped.
    timeout_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)


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
