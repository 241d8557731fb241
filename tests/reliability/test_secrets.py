"""Secrets audit: credentials given as an input, as stack config or in the environment
never appear in what is persisted or printed; inputs given as secrets stay secret."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_taxonomy.amplitude import EventType
from pulumi_taxonomy.amplitude.resources import EventTypeProvider
from pulumi_taxonomy.rudderstack.resources import TrackingPlanProvider
from pulumi_taxonomy.stitch.resources import WarehouseTableProvider
from pulumi_taxonomy.testing import Engine, ProviderFailed, running_sandbox
from pulumi_taxonomy.testing.program import run_program

AMP_KEY, AMP_SECRET, RS_TOKEN, ST_TOKEN = (
    "audit-api-key-7f3a",
    "audit-secret-9c41d",
    "audit-rs-token-55e2",
    "audit-st-0b8d",
)
SECRETS = (AMP_SECRET, RS_TOKEN, ST_TOKEN)
SANDBOX_ARGS = (
    "--amplitude-api-key",
    AMP_KEY,
    "--amplitude-secret-key",
    AMP_SECRET,
    "--rudderstack-token",
    RS_TOKEN,
    "--stitch-token",
    ST_TOKEN,
)


def credentials(url: str) -> dict[str, dict[str, Any]]:
    return {
        "amplitude": {"api_key": AMP_KEY, "secret_key": AMP_SECRET, "base_url": url},
        "rudderstack": {"access_token": RS_TOKEN, "base_url": url},
        "stitch": {"access_token": ST_TOKEN, "client_id": 4231, "base_url": url},
    }


def as_env(url: str) -> dict[str, str]:
    return {
        "AMPLITUDE_API_KEY": AMP_KEY,
        "AMPLITUDE_SECRET_KEY": AMP_SECRET,
        "AMPLITUDE_BASE_URL": url,
        "RUDDERSTACK_ACCESS_TOKEN": RS_TOKEN,
        "RUDDERSTACK_BASE_URL": url,
        "STITCH_ACCESS_TOKEN": ST_TOKEN,
        "STITCH_CLIENT_ID": "4231",
        "STITCH_BASE_URL": url,
    }


def as_config(url: str) -> dict[str, str]:
    return {
        "amplitudeApiKey": AMP_KEY,
        "amplitudeSecretKey": AMP_SECRET,
        "amplitudeBaseUrl": url,
        "rudderstackAccessToken": RS_TOKEN,
        "rudderstackBaseUrl": url,
        "stitchAccessToken": ST_TOKEN,
        "stitchClientId": "4231",
        "stitchBaseUrl": url,
    }


CASES = [
    ("amplitude", EventTypeProvider(), {"name": "Audited Event", "description": "d"}, {"description": "d2"}),
    ("rudderstack", TrackingPlanProvider(), {"name": "Audited Plan"}, {"description": "d2"}),
    (
        "stitch",
        WarehouseTableProvider(),
        {"table_name": "audit", "key_names": ["id"], "rows": [{"id": 1}]},
        {"rows": [{"id": 2}]},
    ),
]


@pytest.mark.parametrize("how", ["input", "config", "environment"])
def test_no_secret_in_anything_persisted_or_printed(how: str) -> None:
    texts: list[str] = []
    with running_sandbox(*SANDBOX_ARGS) as sandbox:
        url = sandbox.url
        env = as_env(url) if how == "environment" else {"AMPLITUDE_BASE_URL": url}
        config = as_config(url) if how == "config" else {}
        with Engine(env=env, config=config) as engine:
            for vendor, provider, base, change in CASES:
                inputs = {**base, "connection": credentials(url)[vendor]} if how == "input" else base
                texts.append(serialize_provider(provider))
                _, created = engine.up(vendor, provider, inputs)
                _, updated = engine.up(vendor, provider, {**inputs, **change})
                engine.new_command()
                refreshed = engine.refresh(updated.urn)
                # The connection output, when credentials came as an input, is the input itself:
                # the engine keeps it encrypted like the secret input of the same name.
                for record in (created, updated, refreshed):
                    assert record is not None
                    texts.append(repr({k: v for k, v in record.outputs.items() if k != "connection"}))
                    texts.append(repr({k: v for k, v in record.inputs.items() if k != "connection"}))
                try:  # an error message, on purpose
                    engine.up(
                        f"{vendor}-dup",
                        provider,
                        {**inputs, "adopt": False, **change, "name": "x"}
                        if vendor == "amplitude"
                        else {**inputs, "table_name": ""},
                    )
                except Exception as exc:
                    texts.append(str(exc))
                engine.destroy(updated.urn)
            texts.append(engine.server.output)
        # The command line, with credentials in the environment.
        for command in (
            ["drift", "examples/tracking-plan/plan.yaml", "--format", "json"],
            ["export", "--from", "amplitude", "--output", os.devnull],
        ):
            result = subprocess.run(
                [sys.executable, "-m", "pulumi_taxonomy", *command],
                capture_output=True,
                text=True,
                env={**os.environ, **as_env(url)},
                timeout=120,
                check=False,
            )
            texts += [result.stdout, result.stderr]
    hits = [(secret, text[:200]) for text in texts for secret in SECRETS if secret in text]
    print(f"secrets audit ({how}): {len(texts)} texts scanned, {len(hits)} hits")
    assert hits == []


def test_wrong_credentials_are_not_echoed() -> None:
    with running_sandbox(*SANDBOX_ARGS) as sandbox:
        wrong = {
            "AMPLITUDE_API_KEY": AMP_KEY,
            "AMPLITUDE_SECRET_KEY": "audit-wrong-secret-31f",
            "AMPLITUDE_BASE_URL": sandbox.url,
        }
        with Engine(env=wrong) as engine, pytest.raises(ProviderFailed) as failure:
            engine.up("e", EventTypeProvider(), {"name": "E"})
    assert (
        "401" in failure.value.text
        and "audit-wrong-secret-31f" not in failure.value.text + engine.server.output
    )


def test_credentials_given_in_a_program_are_marked_secret() -> None:
    with running_sandbox(*SANDBOX_ARGS) as sandbox, Engine() as engine:
        run = run_program(
            lambda: EventType("e", name="E", connection=credentials(sandbox.url)["amplitude"]), engine
        )
    assert run.operations == {"e": "create"}
    assert run.secret_inputs["e"] == ["connection"]
