"""Where credentials come from, and that they never leak."""

from __future__ import annotations

import httpx
import pytest

from pulumi_taxonomy.amplitude.resources import EventTypeProvider
from pulumi_taxonomy.testing import Engine, ProviderFailed, SandboxProcess
from tests.conftest import AMPLITUDE_AUTH
from tests.engine.conftest import amplitude_env

KEY, SECRET = AMPLITUDE_AUTH


def names(amp: httpx.Client) -> list[str]:
    return [e["event_type"] for e in amp.get("/event").json()["data"]]


def test_connection_input_beats_stack_config_beats_environment(
    sandbox: SandboxProcess, amp: httpx.Client
) -> None:
    sandbox.reset("empty")
    wrong = {
        "AMPLITUDE_API_KEY": "env-key",
        "AMPLITUDE_SECRET_KEY": "env-secret",
        "AMPLITUDE_BASE_URL": sandbox.url,
    }
    config = {"amplitudeApiKey": KEY, "amplitudeSecretKey": SECRET}
    with Engine(env=wrong, config=config) as engine:
        engine.up("config", EventTypeProvider(), {"name": "Via Config"})
    with Engine(env=wrong, config={"amplitudeApiKey": "bad", "amplitudeSecretKey": "bad"}) as engine:
        connection = {"api_key": KEY, "secret_key": SECRET, "base_url": sandbox.url}
        engine.up("input", EventTypeProvider(), {"name": "Via Input", "connection": connection})
        with pytest.raises(ProviderFailed) as failure:
            engine.up("env", EventTypeProvider(), {"name": "Via Bad Config"})
    assert "401" in failure.value.text and "credentials" in failure.value.text
    with Engine(env=amplitude_env(sandbox.url)) as engine:
        engine.up("env", EventTypeProvider(), {"name": "Via Environment"})
    assert names(amp) == ["Via Config", "Via Input", "Via Environment"]


def test_missing_credentials_say_how_to_provide_them(sandbox: SandboxProcess) -> None:
    env = {"AMPLITUDE_BASE_URL": sandbox.url, "AMPLITUDE_API_KEY": ""}
    with Engine(env=env) as engine, pytest.raises(ProviderFailed) as failure:
        engine.up("e", EventTypeProvider(), {"name": "E"})
    assert "AMPLITUDE_API_KEY" in failure.value.text and "amplitudeApiKey" in failure.value.text


def test_secrets_never_appear_in_provider_state_output_or_errors(sandbox: SandboxProcess) -> None:
    sandbox.reset("empty")
    secret = "s3cr3t-value-that-must-not-leak"
    with (
        running_secret_sandbox(secret) as other,
        Engine(
            env=amplitude_env(other.url)
            | {"AMPLITUDE_API_KEY": "leaky-api-key", "AMPLITUDE_SECRET_KEY": secret}
        ) as engine,
    ):
        _, event = engine.up("e", EventTypeProvider(), {"name": "E"})
        with pytest.raises(ProviderFailed) as failure:
            engine.up("dup", EventTypeProvider(), {"name": "E", "description": "someone else's"})
        texts = [str(event.inputs), str(event.outputs), failure.value.text, engine.server.output]
    assert all(secret not in text for text in texts)
    assert "already exists" in failure.value.text


def running_secret_sandbox(secret: str):  # type: ignore[no-untyped-def]
    from pulumi_taxonomy.testing import running_sandbox

    return running_sandbox("--amplitude-api-key", "leaky-api-key", "--amplitude-secret-key", secret)


def test_eu_region_switches_host() -> None:
    from pulumi_taxonomy.amplitude.client import settings_for

    settings = settings_for({"api_key": "KEY-123", "secret_key": "SECRET-456", "region": "eu"})
    assert settings.base_url == "https://analytics.eu.amplitude.com"
    assert settings_for({"api_key": "k", "secret_key": "s"}).base_url == "https://amplitude.com"
    documented = settings_for({"api_key": "k", "secret_key": "s", "base_url": "https://amplitude.com/api/2/"})
    assert documented.base_url == "https://amplitude.com"
    assert "KEY-123" not in repr(settings) and "SECRET-456" not in repr(settings)
