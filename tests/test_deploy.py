"""deploy/: the systemd unit, the env file and the Dockerfile refer to things that exist.

Nothing here is built or installed; the files are read and every command, path and setting
they name is checked against the code, so a renamed command or setting breaks this test
instead of a deployment.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import typer.main
from pydantic import BaseModel
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bot.cli import EXIT_CONFIG, EXIT_TOKEN_REFUSED, app
from bot.config import CONFIG_ENV, Settings, WebhookSettings, load_settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "wijkbot.service"
ENV_EXAMPLE = DEPLOY / "wijkbot.env.example"
DOCKERFILE = DEPLOY / "Dockerfile"
ASSIGNMENT = re.compile(r"^#?\s*(WIJKBOT_[A-Z_]+)=(.*)$")


def check_cli(args: list[str]) -> None:
    """``wijkbot ARGS`` names an existing command with options it has (parsed, not run)."""
    command: Any = typer.main.get_command(app)
    words = list(args)
    while hasattr(command, "commands"):
        assert words, f"`wijkbot {' '.join(args)}` needs a subcommand"
        name = words.pop(0)
        assert name in command.commands, f"no command `{name}` in {sorted(command.commands)}"
        command = command.commands[name]
    # --help is handled after parsing: unknown options or too many arguments still fail.
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, f"`wijkbot {' '.join(args)}`: {result.output}"


def unit_directives(text: str) -> dict[str, list[str]]:
    """Service directives by name; commented-out alternatives ("# Key=value") under "#Key"."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Za-z]+)=(.*)$", line.strip())
        if match:
            key = ("#" if match.group(1) else "") + match.group(2)
            found.setdefault(key, []).append(match.group(3).strip())
    return found


def test_the_unit_runs_existing_commands_as_a_dedicated_hardened_user() -> None:
    unit = unit_directives(UNIT.read_text(encoding="utf-8"))
    starts = unit["ExecStart"] + unit.get("#ExecStart", [])
    assert len(starts) == 2  # polling, and the webhook alternative
    for line in starts:
        program, *args = shlex.split(line)
        assert PurePosixPath(program).name == "wijkbot"
        assert PurePosixPath(program).is_absolute()
        check_cli(args)
    assert any("--webhook" in line for line in starts)
    assert unit["User"] == ["wijkbot"]
    working = PurePosixPath(unit["WorkingDirectory"][0])
    assert working == PurePosixPath("/var/lib") / unit["StateDirectory"][0]
    assert working in {PurePosixPath(p) for p in unit["ReadWritePaths"][0].split()}
    assert unit["EnvironmentFile"] == ["/etc/wijkbot/env"]
    assert unit["Restart"] == ["on-failure"]
    # A wrong configuration or a refused token does not mend itself: no restart loop.
    assert unit["RestartPreventExitStatus"] == [f"{EXIT_CONFIG} {EXIT_TOKEN_REFUSED}"]
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "KillSignal": "SIGTERM",
    }.items():
        assert unit[key] == [value], key


def setting_exists(name: str) -> bool:
    if name == CONFIG_ENV:
        return True
    model: type[BaseModel] = Settings
    parts = name.removeprefix("WIJKBOT_").lower().split("__")
    for position, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        if position < len(parts) - 1:
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return False
            model = annotation
    return True


def env_example() -> dict[str, tuple[str, bool]]:
    """Every WIJKBOT_ variable in the example: its value and whether it is commented out."""
    found: dict[str, tuple[str, bool]] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = ASSIGNMENT.match(line.strip())
        if match:
            found.setdefault(match.group(1), (match.group(2), line.startswith("#")))
    return found


def test_setting_exists_knows_real_settings_from_typos() -> None:
    assert setting_exists("WIJKBOT_TELEGRAM__TOKEN")
    assert setting_exists("WIJKBOT_WEBHOOK__SECRET_TOKEN")
    assert not setting_exists("WIJKBOT_TELEGRAM_TOKEN")
    assert not setting_exists("WIJKBOT_WEBHOOK__SECRET")
    assert not setting_exists("WIJKBOT_LOG_LEVEL__X")


def test_every_variable_in_the_env_example_is_a_real_setting_with_a_valid_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    variables = env_example()
    assert "WIJKBOT_TELEGRAM__TOKEN" in variables
    assert "WIJKBOT_WEBHOOK__SECRET_TOKEN" in variables
    unknown = [name for name in variables if not setting_exists(name)]
    assert not unknown, f"not settings: {unknown}"
    for name, (value, _commented) in variables.items():
        assert value == value.strip(), name
        assert not value.startswith(('"', "'")), name  # docker --env-file keeps quotes
        if name != CONFIG_ENV:  # that one names a file that exists on the server only
            monkeypatch.setenv(name, value)
    settings = load_settings()  # the example values, commented ones too, are all valid
    assert settings.webhook.url is not None
    unit = unit_directives(UNIT.read_text(encoding="utf-8"))
    writable = [PurePosixPath(p) for p in unit["ReadWritePaths"][0].split()]
    for name, (value, _commented) in variables.items():
        if name == "WIJKBOT_DATABASE__URL" and value.startswith("sqlite"):
            path = PurePosixPath(make_url(value).database or "")
            assert any(folder in path.parents for folder in writable), value


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    found: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_the_dockerfile_copies_what_exists_and_runs_an_existing_command_as_non_root() -> None:
    instructions = dockerfile_instructions()
    stages = [rest for keyword, rest in instructions if keyword == "FROM"]
    assert all(stage.startswith("python:3.11-slim") for stage in stages)
    final = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    final_stage = instructions[final:]
    ignore = (DOCKERFILE.parent / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    included = {line[1:].strip("/") for line in ignore.splitlines() if line.startswith("!")}
    copied = []
    for keyword, rest in instructions:
        if keyword == "COPY" and not rest.startswith("--from"):
            *sources, _target = rest.split()
            copied += sources
    assert copied
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert source.strip("/") in included, f"COPY {source}: excluded by the .dockerignore"
    users = [rest for keyword, rest in final_stage if keyword == "USER"]
    assert users
    assert users[-1] not in ("root", "0")
    [cmd] = [json.loads(rest) for keyword, rest in final_stage if keyword == "CMD"]
    assert cmd[0] == "wijkbot"
    check_cli(cmd[1:])
    [workdir] = [rest for keyword, rest in final_stage if keyword == "WORKDIR"]
    [volume] = [json.loads(rest) for keyword, rest in final_stage if keyword == "VOLUME"]
    assert volume == [workdir]
    env = " ".join(rest for keyword, rest in final_stage if keyword == "ENV")
    database = re.search(r"WIJKBOT_DATABASE__URL=(\S+)", env)
    assert database is not None
    database_file = PurePosixPath(make_url(database.group(1)).database or "")
    assert PurePosixPath(workdir) in database_file.parents
    for name in re.findall(r"(WIJKBOT_[A-Z_]+)=", env):
        assert setting_exists(name), name
    exposed = [rest for keyword, rest in final_stage if keyword == "EXPOSE"]
    assert exposed == [str(WebhookSettings().port)]


def test_the_readme_documents_commands_and_files_that_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Deployment", 1)[1].split("\n## ", 1)[0]
    for path in ("deploy/wijkbot.service", "deploy/wijkbot.env.example", "deploy/Dockerfile"):
        assert path in section
    for mentioned in set(re.findall(r"deploy/[\w.-]+", readme)):
        assert (ROOT / mentioned).exists(), mentioned
    commands = re.findall(r"`wijkbot ([^`]+)`", readme)
    assert {"backup [DEST]", "db upgrade", "run --webhook"} <= set(commands)
    for command in commands:
        words = [w for w in command.split() if not re.fullmatch(r"\[.*\]|[A-Z]+|…", w)]
        check_cli(words)
    # The nginx example passes the webhook's path to the bot's default address.
    nginx = re.search(r"location = (\S+) \{\s*proxy_pass http://([\d.]+):(\d+);", section)
    assert nginx is not None
    url = re.search(r"`webhook\.url\s*=\s*\"(https://[^\"]+)\"`", section)
    assert url is not None
    hook = WebhookSettings(url=url.group(1))
    assert (nginx.group(1), nginx.group(2), int(nginx.group(3))) == (
        hook.path, hook.listen, hook.port
    )
