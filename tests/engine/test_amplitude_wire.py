"""What the client sends and how it reads the answers, proven through the real provider
server against a sandbox strict where `shared/reference/amplitude-taxonomy-api.txt` is:
each test fails on the client as it was before (bodies with `gp:`, `event_type` only in
the query, any 2xx a success, `classifications=` always sent, every 404 "gone", empty
values trusted, deleted objects told by a message)."""

from __future__ import annotations

import httpx
import pytest

from pulumi_taxonomy.amplitude.resources import (
    EventCategoryProvider,
    EventPropertyProvider,
    EventTypeProvider,
    GroupPropertyProvider,
    UserPropertyProvider,
)
from pulumi_taxonomy.testing import Engine, ProviderFailed, SandboxProcess
from tests.conftest import amplitude_project, ingest


def user_properties(amp: httpx.Client) -> set[str]:
    return {p["user_property"] for p in amp.get("/user-property").json()["data"] if not p["deleted"]}


def on(amp: httpx.Client, event: str | None) -> list[str]:
    params = {"event_type": event} if event else None
    return [p["event_property"] for p in amp.get("/event-property", params=params).json()["data"]]


def test_user_property_names_go_into_bodies_without_gp(engine: Engine, amp: httpx.Client) -> None:
    # :1152 `user_property=User Type`, :1371 `new_user_property_value=subscription_type`.
    engine.up("plan", UserPropertyProvider(), {"name": "plan", "type": "string"})
    _, tier = engine.up("tier", UserPropertyProvider(), {"name": "gp:tier"})
    assert {"gp:plan", "gp:tier"} <= user_properties(amp)
    engine.up("tier", UserPropertyProvider(), {"name": "gp:level"})
    custom = {name for name in user_properties(amp) if name.startswith("gp:")}
    assert custom == {"gp:plan", "gp:level"}, "no gp:gp: property anywhere"
    assert engine.resources[tier.urn].outputs["remote_name"] == "gp:level"


def test_group_property_names_follow_their_own_examples(
    engine: Engine, amp: httpx.Client, sandbox: SandboxProcess
) -> None:
    # :1533 creates `group_property=Group Property 1` bare; :1759 renames to `grp:...` whole.
    ingest(sandbox, group_properties={"Company": []})
    engine.up("g", GroupPropertyProvider(), {"name": "seats", "group_type": "Company"})
    engine.up("g", GroupPropertyProvider(), {"name": "grp:licenses", "group_type": "Company"})
    listed = amp.get("/group-property", params={"group_type": "Company"}).json()["data"]
    assert [p["group_property"] for p in listed] == ["grp:licenses"]


def test_a_per_event_delete_never_reaches_the_shared_property(engine: Engine, amp: httpx.Client) -> None:
    # :1059-1065: with an event, a delete takes the property off that event; without one
    # (a parameter the server did not read), it deletes the shared property everywhere.
    for name in ("A", "B"):
        amp.post("/event", data={"event_type": name}).raise_for_status()
    engine.up("shared", EventPropertyProvider(), {"name": "step", "type": "number"})
    _, on_a = engine.up("a", EventPropertyProvider(), {"name": "step", "event_type": "A"})
    engine.up("b", EventPropertyProvider(), {"name": "step", "event_type": "B"})
    engine.destroy(on_a.urn)
    assert (on(amp, "A"), on(amp, "B"), on(amp, None)) == ([], ["step"], ["step"])


def test_a_refusal_in_a_200_is_not_a_success(engine: Engine, amp: httpx.Client) -> None:
    # :1177-1186: user property writes answer true or false; false is a refusal.
    amp.post("/user-property", data={"user_property": "plan", "type": "number"}).raise_for_status()
    with pytest.raises(ProviderFailed) as failure:
        engine.up("p", UserPropertyProvider(), {"name": "plan", "type": "string"})
    assert "already exists" in failure.value.text and "adopt=True" in failure.value.text
    _, tier = engine.up("t", UserPropertyProvider(), {"name": "tier"})
    with pytest.raises(ProviderFailed) as failure:  # a rename onto an existing name
        engine.up("t", UserPropertyProvider(), {"name": "plan"})
    assert '"success": false' in failure.value.text
    assert engine.resources[tier.urn].outputs["remote_name"] == "gp:tier"


def test_classifications_are_sent_only_when_set(
    engine: Engine, amp: httpx.Client, sandbox: SandboxProcess
) -> None:
    # :987, :1175: classifications need Data Access Controls; a program without them works
    # in an account without the feature.
    amplitude_project(sandbox, data_access_controls=False)
    engine.up("e", EventPropertyProvider(), {"name": "platform", "type": "string"})
    engine.up("e", EventPropertyProvider(), {"name": "platform", "type": "string", "description": "OS"})
    engine.up("u", UserPropertyProvider(), {"name": "plan"})
    engine.up("u", UserPropertyProvider(), {"name": "plan", "description": "Tier"})
    with pytest.raises(ProviderFailed) as failure:
        engine.up("x", EventPropertyProvider(), {"name": "email", "classifications": ["PII"]})
    assert "Data Access Controls" in failure.value.text


def test_a_project_without_the_taxonomy_api_loses_nothing(
    engine: Engine, amp: httpx.Client, sandbox: SandboxProcess
) -> None:
    # :1343: without the plan, every call answers 404. Nothing may be read as gone.
    amp.post("/event", data={"event_type": "A"}).raise_for_status()
    resources = [
        engine.up("c", EventCategoryProvider(), {"name": "Growth"})[1],
        engine.up("e", EventTypeProvider(), {"name": "Signed Up"})[1],
        engine.up("s", EventPropertyProvider(), {"name": "platform"})[1],
        engine.up("p", EventPropertyProvider(), {"name": "step", "event_type": "A"})[1],
        engine.up("u", UserPropertyProvider(), {"name": "plan"})[1],
    ]
    amplitude_project(sandbox, taxonomy=False)
    engine.new_command()
    for resource in resources:
        with pytest.raises(ProviderFailed) as failure:
            engine.refresh(resource.urn)
        assert "Taxonomy API" in failure.value.text, failure.value.text
        with pytest.raises(ProviderFailed) as failure:
            engine.destroy(resource.urn)
        assert "Taxonomy API" in failure.value.text, failure.value.text
    assert set(engine.resources) == {r.urn for r in resources}
    amplitude_project(sandbox, taxonomy=True)
    assert on(amp, "A") == ["step"] and "Signed Up" in [
        e["event_type"] for e in amp.get("/event").json()["data"]
    ]


def test_a_field_cleared_by_an_empty_value_is_read_back(
    engine: Engine, amp: httpx.Client, sandbox: SandboxProcess
) -> None:
    inputs = {"name": "E", "description": "set"}
    engine.up("e", EventTypeProvider(), inputs)
    engine.up("p", EventPropertyProvider(), {"name": "zip", "type": "string", "regex": "^[0-9]{5}$"})
    amplitude_project(sandbox, empty_values="ignore")  # a vendor that drops empty values
    with pytest.raises(ProviderFailed) as failure:
        engine.up("e", EventTypeProvider(), {"name": "E"})
    assert "kept description='set'" in failure.value.text
    with pytest.raises(ProviderFailed) as failure:
        engine.up("p", EventPropertyProvider(), {"name": "zip", "type": "string"})
    assert "kept regex='^[0-9]{5}$'" in failure.value.text
    amplitude_project(sandbox, empty_values="clear")
    engine.up("e", EventTypeProvider(), {"name": "E"})
    assert not amp.get("/event/E").json()["data"]["description"]


def test_an_event_deleted_outside_pulumi_is_gone_on_refresh(
    engine: Engine, amp: httpx.Client, sandbox: SandboxProcess
) -> None:
    # The lists tell a deleted event (:410-414); a single GET may still answer it.
    _, event = engine.up("e", EventTypeProvider(), {"name": "Live"})
    ingest(sandbox, event_type="Live")
    amp.delete("/event/Live").raise_for_status()  # live: soft-deleted
    engine.new_command()
    assert engine.refresh(event.urn) is None
    with pytest.raises(ProviderFailed) as failure:  # and creating it again asks to restore it
        engine.up("e", EventTypeProvider(), {"name": "Live"})
    assert "deleted" in failure.value.text and "adopt=True" in failure.value.text
    engine.up("e", EventTypeProvider(), {"name": "Live", "adopt": True})
    assert "Live" in [e["event_type"] for e in amp.get("/event").json()["data"]]
