"""`wijkbot run --webhook`: Telegram posts updates to the bot's server with the secret token.

The fake Telegram does not call webhooks itself: the tests take the update it queued for a
user's message and post it to the bot's server on 127.0.0.1 the way Telegram (through a
reverse proxy) does, with the X-Telegram-Bot-Api-Secret-Token header.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine
from typer.testing import CliRunner

from bot.app import build_application
from bot.cli import app
from bot.config import Settings
from bot.lifecycle import WebhookListenError, running
from bot.services.registry import build_services
from tests.conftest import make_settings, run_bot
from tests.faketelegram import FakeTelegram, serve_on_loopback

PUBLIC_URL = "https://wijkbot.example.org/telegram"
SECRET = "Zr4-kq_9XyLm2vPn7TcWb0sHd3JfA6eG"
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_settings(fake: FakeTelegram, tmp_path: Path, port: int, **extra: Any) -> Settings:
    hook = {"url": PUBLIC_URL, "secret_token": SECRET, "listen": "127.0.0.1", "port": port}
    hook.update(extra)
    return make_settings(fake, tmp_path / "wijkbot.sqlite3", webhook=hook)


@asynccontextmanager
async def run_webhook_bot(fake: FakeTelegram, settings: Settings) -> AsyncIterator[str]:
    """The real application in webhook mode; yields the local address it serves."""
    services = build_services(settings)
    await services.database.upgrade()
    application = build_application(services, request=fake.ptb_request())
    hook = settings.webhook
    with fake.watch(application):
        async with running(application, webhook=hook):
            yield f"http://{hook.listen}:{hook.port}{hook.path}"


def take_updates(fake: FakeTelegram) -> list[dict[str, Any]]:
    """What Telegram would now deliver to the webhook (and no longer to getUpdates)."""
    return fake.updates.take_all()


async def post(
    address: str, update: dict[str, Any], secret: str | None = SECRET
) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(address, content=json.dumps(update), headers=headers)


async def test_an_update_posted_with_the_secret_is_answered(
    fake: FakeTelegram, tmp_path: Path, frozen_time: time_machine.Coordinates
) -> None:
    settings = webhook_settings(fake, tmp_path, free_port())
    async with run_webhook_bot(fake, settings) as address:
        [call] = fake.calls_to("setWebhook")
        assert call.params["url"] == PUBLIC_URL
        assert call.params["secret_token"] == SECRET
        assert not fake.calls_to("getUpdates")
        info = await fake.handle("getWebhookInfo", fake.token, {})
        assert info[1]["result"]["url"] == PUBLIC_URL

        user = fake.user(4242, first_name="Sanne")
        await user.send("/start")
        [update] = take_updates(fake)
        response = await post(address, update)
        assert response.status_code == 200
        reply = await user.next_message()
        assert reply.text is not None
        assert reply.text.startswith("Hoi Sanne!")
    assert not fake.unknown_calls
    # Stopping keeps the webhook: Telegram holds the updates until the bot is back.
    assert not fake.calls_to("deleteWebhook")


async def test_without_the_right_secret_nothing_is_handled(
    fake: FakeTelegram, tmp_path: Path, frozen_time: time_machine.Coordinates
) -> None:
    settings = webhook_settings(fake, tmp_path, free_port())
    async with run_webhook_bot(fake, settings) as address:
        user = fake.user(4242, first_name="Sanne")
        await user.send("/start")
        [update] = take_updates(fake)
        for secret in (None, "", "wrong-secret", SECRET + "x", SECRET[:-1], SECRET.lower()):
            response = await post(address, update, secret=secret)
            assert response.status_code == 403, secret
        await user.expect_no_message()
        assert not fake.calls_to("sendMessage")
        # The same update with the secret is handled: the refusal was about the secret only.
        assert (await post(address, update)).status_code == 200
        assert (await user.next_message()).text is not None


async def test_only_the_webhook_path_is_served(
    fake: FakeTelegram, tmp_path: Path, frozen_time: time_machine.Coordinates
) -> None:
    settings = webhook_settings(fake, tmp_path, free_port(), url_path="/hook/abc")
    async with run_webhook_bot(fake, settings) as address:
        assert address.endswith(f":{settings.webhook.port}/hook/abc")
        user = fake.user(4242, first_name="Sanne")
        await user.send("/start")
        [update] = take_updates(fake)
        elsewhere = address.replace("/hook/abc", "/telegram")
        assert (await post(elsewhere, update)).status_code == 404
        await user.expect_no_message()
        assert (await post(address, update)).status_code == 200
        assert (await user.next_message()).text is not None


async def test_polling_again_after_webhook_mode_deletes_the_webhook(
    fake: FakeTelegram, tmp_path: Path, frozen_time: time_machine.Coordinates
) -> None:
    settings = webhook_settings(fake, tmp_path, free_port())
    async with run_webhook_bot(fake, settings):
        pass
    user = fake.user(4242, first_name="Sanne")
    await user.send("/start")  # arrives while the bot is down: Telegram keeps it
    async with run_bot(fake, settings):
        reply = await user.next_message()
        assert reply.text is not None
        assert reply.text.startswith("Hoi Sanne!")
        assert fake.calls_to("deleteWebhook")
        assert not fake.calls_to("deleteWebhook")[0].params.get("drop_pending_updates")


async def test_a_taken_port_is_reported_and_the_bot_shuts_down_cleanly(
    fake: FakeTelegram, tmp_path: Path, frozen_time: time_machine.Coordinates
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = webhook_settings(fake, tmp_path, taken.getsockname()[1])
        with pytest.raises(WebhookListenError):
            async with run_webhook_bot(fake, settings):
                pytest.fail("the bot must not run without its server")
    # Telegram was told about the webhook, so its updates wait for the bot to be back.
    assert fake.calls_to("setWebhook")


def run_cli(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str) -> Any:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return CliRunner().invoke(app, list(args))


def test_webhook_mode_without_a_secret_stops_with_a_usable_suggestion(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {"WIJKBOT_TELEGRAM__TOKEN": "123:abc", "WIJKBOT_WEBHOOK__URL": PUBLIC_URL}
    result = run_cli(monkeypatch, env, "run", "--webhook")
    assert result.exit_code == 2
    assert "WIJKBOT_WEBHOOK__SECRET_TOKEN" in result.output
    suggestion = result.output.split("waarde: ")[1].split()[0]
    assert len(suggestion) >= 32
    checked = Settings(webhook={"url": PUBLIC_URL, "secret_token": suggestion})
    assert checked.webhook.secret_token is not None


def test_webhook_mode_without_a_public_url_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"WIJKBOT_TELEGRAM__TOKEN": "123:abc", "WIJKBOT_WEBHOOK__SECRET_TOKEN": SECRET}
    result = run_cli(monkeypatch, env, "run", "--webhook")
    assert result.exit_code == 2
    assert "WIJKBOT_WEBHOOK__URL" in result.output


@pytest.mark.parametrize(
    ("key", "value", "where"),
    [
        ("WIJKBOT_WEBHOOK__URL", "http://bot.example.org/telegram", "webhook.url"),
        ("WIJKBOT_WEBHOOK__URL", "https://bot.example.org:8080/telegram", "webhook.url"),
        ("WIJKBOT_WEBHOOK__SECRET_TOKEN", "geheim met spaties!", "webhook.secret_token"),
        ("WIJKBOT_WEBHOOK__PORT", "0", "webhook.port"),
    ],
)
def test_an_unusable_webhook_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str, where: str
) -> None:
    env = {"WIJKBOT_TELEGRAM__TOKEN": "123:abc", key: value}
    result = run_cli(monkeypatch, env, "run", "--webhook")
    assert result.exit_code == 2
    assert where in result.output
    assert "geheim met spaties" not in result.output


def test_webhook_settings_come_from_the_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.toml").write_text(
        f'[webhook]\nurl = "{PUBLIC_URL}"\nport = 9000\nsecret_token = "{SECRET}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("WIJKBOT_WEBHOOK__LISTEN", "127.0.0.2")
    from bot.config import load_settings

    hook = load_settings().webhook
    assert (hook.listen, hook.port, hook.path) == ("127.0.0.2", 9000, "/telegram")
    assert hook.secret_token is not None
    assert hook.secret_token.get_secret_value() == SECRET
    assert SECRET not in repr(hook)


async def test_wijkbot_run_webhook_answers_over_http_and_never_logs_the_secret(
    tmp_path: Path,
) -> None:
    fake = FakeTelegram()
    port = free_port()
    async with serve_on_loopback(fake) as base_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKBOT_")}
        env.update(
            {
                "WIJKBOT_TELEGRAM__TOKEN": fake.token,
                "WIJKBOT_TELEGRAM__BASE_URL": base_url,
                "WIJKBOT_WEBHOOK__URL": PUBLIC_URL,
                "WIJKBOT_WEBHOOK__PORT": str(port),
                "WIJKBOT_WEBHOOK__SECRET_TOKEN": SECRET,
                "WIJKBOT_LOG_LEVEL": "DEBUG",
            }
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", "--webhook",
            cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            await fake.wait_for_call("setWebhook", timeout=START_TIMEOUT)
            user = fake.user(4242, first_name="Piet")
            await user.send("/start")
            [update] = take_updates(fake)
            address = f"http://127.0.0.1:{port}/telegram"
            assert (await _post_when_listening(address, update)).status_code == 200
            reply = await user.next_message(timeout=START_TIMEOUT)
            assert reply.text is not None
            assert reply.text.startswith("Hoi Piet!")
            assert (await post(address, update, secret="wrong")).status_code == 403
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    output = (stdout + stderr).decode()
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert SECRET not in output
    assert fake.token not in output
    assert "webhook set" in output


async def _post_when_listening(address: str, update: dict[str, Any]) -> httpx.Response:
    """setWebhook comes just before the server listens: retry a refused connection briefly."""
    for _ in range(100):
        try:
            return await post(address, update)
        except httpx.ConnectError:
            await asyncio.sleep(0.05)
    return await post(address, update)
