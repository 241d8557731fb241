"""RudderStack credentials: connection input > stack config > environment; never leaked."""

from __future__ import annotations

import httpx
import pytest

from pulumi_taxonomy.rudderstack.client import client_for, settings_for
from pulumi_taxonomy.rudderstack.resources import TrackingPlanProvider
from pulumi_taxonomy.testing import Engine, ProviderFailed, SandboxProcess

TOKEN = "sandbox-rudderstack-token"


def test_precedence_and_errors(sandbox: SandboxProcess, rs: httpx.Client) -> None:
    wrong_env = {"RUDDERSTACK_ACCESS_TOKEN": "wrong-token", "RUDDERSTACK_BASE_URL": sandbox.url}
    with Engine(env=wrong_env, config={"rudderstackAccessToken": TOKEN}) as engine:
        engine.up("a", TrackingPlanProvider(), {"name": "Via Config"})
    with Engine(env=wrong_env) as engine:
        engine.up(
            "b",
            TrackingPlanProvider(),
            {"name": "Via Input", "connection": {"access_token": TOKEN, "base_url": sandbox.url}},
        )
        with pytest.raises(ProviderFailed) as failure:
            engine.up("c", TrackingPlanProvider(), {"name": "Via Env"})
    assert "401" in failure.value.text and "wrong-token" not in failure.value.text
    no_token = {"RUDDERSTACK_BASE_URL": sandbox.url, "RUDDERSTACK_ACCESS_TOKEN": ""}
    with Engine(env=no_token) as engine, pytest.raises(ProviderFailed) as missing:
        engine.up("d", TrackingPlanProvider(), {"name": "No Token"})
    assert "RUDDERSTACK_ACCESS_TOKEN" in missing.value.text and "rudderstackAccessToken" in missing.value.text
    names = [p["name"] for p in rs.get("/tracking-plans").json()["trackingPlans"]]
    assert names == ["Via Config", "Via Input"]


def test_eu_host_and_no_token_in_repr() -> None:
    settings = settings_for({"access_token": "SECRET-TOKEN-1", "region": "eu"})
    assert settings.base_url == "https://api.eu.rudderstack.com"
    assert "SECRET-TOKEN-1" not in repr(settings)
    assert settings_for({"access_token": "t", "base_url": "https://api.rudderstack.com/v2/"}).base_url == (
        "https://api.rudderstack.com"
    )


def test_rules_variant_and_schema_reads(sandbox: SandboxProcess, rs: httpx.Client) -> None:
    client = client_for({"access_token": TOKEN, "base_url": sandbox.url})
    plan = client.create_plan("Rules Plan", None)
    client.upsert_event(
        plan.id,
        {
            "name": "Viewed",
            "eventType": "track",
            "properties": [
                {"name": "id", "type": "string", "required": True, "propConfig": {"minLength": 2}}
            ],
        },
    )
    [event] = client.list_events(plan.id)
    rules = client.get_event_rules(plan.id, event.id)
    client.upsert_event_rules(plan.id, {"name": "Viewed", "eventType": "track", "rules": rules})
    assert client.get_event(plan.id, event.id).properties == event.properties


def test_read_only_probes_for_doctor(
    sandbox: SandboxProcess, rs: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULUMI_TAXONOMY_RETRIES", "1")
    plan = rs.post("/tracking-plans", json={"name": "Probe Plan"}).json()
    before = sandbox.stats()["by_route"]
    good = client_for({"access_token": TOKEN, "base_url": sandbox.url})
    assert good.probe_token().ok and "lists 1 tracking plan" in good.probe_token().detail
    assert good.probe_event_list(plan["id"]).ok
    missing = good.probe_event_list("tp_" + "0" * 27)
    assert not missing.ok and "not found" in missing.detail

    wrong = client_for({"access_token": "not-the-token", "base_url": sandbox.url}).probe_token()
    assert not wrong.ok and "refused the token (401)" in wrong.detail and "region" in wrong.hint
    assert wrong.refused and "not-the-token" not in wrong.detail + wrong.hint

    nowhere = client_for({"access_token": TOKEN, "base_url": "http://127.0.0.1:9"}).probe_token()
    assert not nowhere.ok and "could not reach" in nowhere.detail
    off_path = client_for({"access_token": TOKEN, "base_url": sandbox.url + "/elsewhere"}).probe_token()
    assert not off_path.ok and "404" in off_path.detail

    after = sandbox.stats()["by_route"]
    assert all(route.startswith("GET ") for route in after if after[route] != before.get(route, 0)), (
        "probes only read"
    )
