"""The configuration contract: file, environment, precedence, and clear failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import TELEGRAM_API, load_settings

CONFIG = """
coordinators = [11, 22]
timezone = "Europe/Amsterdam"

[telegram]
token = "111:file-token"
base_url = "http://127.0.0.1:8081/bot"

[database]
url = "sqlite+aiosqlite:///from-file.sqlite3"
"""


def test_defaults_need_nothing_but_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIJKBOT_TELEGRAM__TOKEN", "123:abc")
    settings = load_settings()
    assert settings.telegram.base_url == TELEGRAM_API
    assert settings.database.url == "sqlite+aiosqlite:///wijkbot.sqlite3"
    assert settings.programme.file is None
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.coordinators == []


def test_config_toml_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    settings = load_settings()
    assert settings.coordinators == [11, 22]
    assert settings.telegram.base_url == "http://127.0.0.1:8081/bot"
    assert settings.telegram.token is not None
    assert settings.telegram.token.get_secret_value() == "111:file-token"


def test_environment_wins_over_the_file_key_by_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elders.toml"
    other.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("WIJKBOT_CONFIG", str(other))
    monkeypatch.setenv("WIJKBOT_TELEGRAM__TOKEN", "222:env-token")
    monkeypatch.setenv("WIJKBOT_COORDINATORS", "[123, 456]")
    settings = load_settings()
    assert settings.telegram.token is not None
    assert settings.telegram.token.get_secret_value() == "222:env-token"
    assert settings.telegram.base_url == "http://127.0.0.1:8081/bot"  # still from the file
    assert settings.coordinators == [123, 456]
    assert "222:env-token" not in repr(settings)


def test_run_without_token_explains_both_ways_and_exits_2() -> None:
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert "WIJKBOT_TELEGRAM__TOKEN" in result.output
    assert "telegram.token" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_an_invalid_value_is_reported_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIJKBOT_TELEGRAM__TOKEN", "123:abc")
    monkeypatch.setenv("WIJKBOT_TIMEZONE", "Europe/Groningen")
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert "Ongeldige instelling timezone" in result.output
    assert "Traceback" not in result.output


def test_a_missing_config_file_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIJKBOT_CONFIG", "/nonexistent/wijkbot.toml")
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert "/nonexistent/wijkbot.toml" in result.output


def test_an_unknown_key_in_the_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG + "\n[telegram2]\nx = 1\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert "telegram2" in result.output


def test_config_example_documents_a_valid_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    example = Path(__file__).resolve().parents[1] / "config.example.toml"
    monkeypatch.setenv("WIJKBOT_CONFIG", str(example))
    settings = load_settings()
    assert settings.telegram.token is not None
    assert settings.timezone == "Europe/Amsterdam"
