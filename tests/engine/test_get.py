"""`Resource.get` of every resource class: whole programs under mocks (`run_program`),
whose reads go to the real provider server as the engine's read step sends them, against
the sandbox's demo state.

An object that exists reads in as the vendor has it; one that does not fails the program
with a sentence; an id that cannot name one is refused before any request; nothing is
ever written. Everything here only reads, so one sandbox state and one provider server
serve the module (the last test, which edits the sandbox, runs on its own state).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pulumi
import pytest

from pulumi_taxonomy.amplitude import (
    EventCategory,
    EventProperty,
    EventType,
    GroupProperty,
    TaxonomyImport,
    UserProperty,
)
from pulumi_taxonomy.rudderstack import SourceConnection, TrackingPlan, TrackingPlanEvent
from pulumi_taxonomy.sandbox.rudderstack.state import DOCUMENTED_SOURCES
from pulumi_taxonomy.stitch import WarehouseTable
from pulumi_taxonomy.testing import Engine, ProviderFailed, SandboxProcess
from pulumi_taxonomy.testing.program import run_program
from tests.conftest import amplitude_client, rudderstack_client
from tests.engine.conftest import amplitude_env, rudderstack_env, writes

Program = Callable[[], object]
ABSENT_PLAN = "tp_" + "0" * 27
ABSENT_EVENT = "ev_" + "0" * 27


def env(url: str) -> dict[str, str]:
    """Every vendor of the sandbox, as a CI job's environment would reach them."""
    return {
        **amplitude_env(url),
        **rudderstack_env(url),
        "AMPLITUDE_DATA_TOKEN": "sandbox-data-token",
        "AMPLITUDE_DATA_BASE_URL": url,
        "STITCH_ACCESS_TOKEN": "sandbox-stitch-token",
        "STITCH_CLIENT_ID": "4231",
        "STITCH_BASE_URL": url,
    }


@pytest.fixture(scope="module")
def stack(sandbox: SandboxProcess) -> Iterator[Engine]:
    sandbox.reset("demo")
    with Engine(env=env(sandbox.url)) as engine:
        yield engine


@pytest.fixture(scope="module")
def amp(sandbox: SandboxProcess, stack: Engine) -> Iterator[httpx.Client]:
    with amplitude_client(sandbox) as client:
        yield client


@pytest.fixture(scope="module")
def rs(sandbox: SandboxProcess, stack: Engine) -> Iterator[httpx.Client]:
    with rudderstack_client(sandbox) as client:
        yield client


@pytest.fixture(scope="module")
def plan_id(rs: httpx.Client) -> str:
    plans = rs.get("/tracking-plans").json()["trackingPlans"]
    return str(next(p["id"] for p in plans if p["name"] == "Product Ordered Plan"))


def read(stack: Engine, program: Program) -> dict[str, dict[str, Any]]:
    """Run `program` (`get`s only); each resource's outputs in the stack, by name."""
    run = run_program(program, stack)
    # What earlier tests read is discarded from the stack: dropped, with no Delete.
    assert set(run.operations.values()) <= {"read", "discard"}, run.operations
    names = [name for name, op in run.operations.items() if op == "read"]
    found = {urn.rsplit("::", 1)[-1]: r for urn, r in stack.resources.items()}
    assert set(found) == set(names) and all(found[name].external for name in names)
    return {name: found[name].outputs for name in names}


def refused(stack: Engine, program: Program) -> str:
    with pytest.raises(ProviderFailed) as failed:
        run_program(program, stack)
    return failed.value.text


def amplitude_data(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_amplitude_objects_read_as_amplitude_has_them(
    stack: Engine, sandbox: SandboxProcess, amp: httpx.Client
) -> None:
    before = writes(sandbox)
    seen: dict[str, Any] = {}

    def program() -> object:
        event = EventType.get("sign-up", "Sign Up")
        by_id = EventCategory.get("conversion", 412941)
        by_name = EventCategory.get("onboarding", "Onboarding")
        on_event = EventProperty.get("method", "method", event_type="Sign Up")
        EventProperty.get("platform", "platform")
        user = UserProperty.get("user-type", "user_type")
        GroupProperty.get("industry", "grp:industry", group_type="Company")
        # What the program itself sees: the attributes the read resolved.
        return pulumi.Output.all(
            event.id, event.category, by_id.name, by_name.category_id, on_event.enum_values, user.remote_name
        ).apply(lambda values: seen.setdefault("program", values))

    outs = read(stack, program)
    enum = ["email", "google", "apple"]
    category = outs["onboarding"]["category_id"]
    assert seen["program"] == ["Sign Up", "Onboarding", "Conversion", category, enum, "gp:user_type"]

    sign_up = amplitude_data(amp.get("/event/Sign Up"))
    assert {k: outs["sign-up"].get(k) for k in ("name", "category", "description")} == {
        "name": sign_up["event_type"],
        "category": sign_up["category"]["name"],
        "description": sign_up["description"],
    }
    categories = {c["name"]: c["id"] for c in amplitude_data(amp.get("/category"))}
    assert (outs["conversion"]["name"], outs["conversion"]["category_id"]) == ("Conversion", 412941)
    assert outs["onboarding"]["category_id"] == categories["Onboarding"]
    method = next(
        p
        for p in amplitude_data(amp.get("/event-property", params={"event_type": "Sign Up"}))
        if p["event_property"] == "method"
    )
    assert (outs["method"]["event_type"], outs["method"]["type"], outs["method"]["is_required"]) == (
        "Sign Up",
        method["type"],
        method["is_required"],
    )
    assert outs["method"]["description"] == method["description"]
    assert (outs["platform"].get("event_type"), outs["platform"]["enum_values"]) == (
        None,
        ["ios", "android", "web"],
    )
    user_type = amplitude_data(amp.get("/user-property/gp:user_type"))
    assert (outs["user-type"]["remote_name"], outs["user-type"]["description"]) == (
        "gp:user_type",
        user_type["description"],
    )
    assert (outs["industry"]["remote_name"], outs["industry"]["group_type"]) == ("grp:industry", "Company")
    assert outs["industry"]["description"] == "Industry."
    assert writes(sandbox) == before


def test_rudderstack_objects_read_with_their_ids_and_timestamps(
    stack: Engine, sandbox: SandboxProcess, rs: httpx.Client, plan_id: str
) -> None:
    before = writes(sandbox)
    events = rs.get(f"/tracking-plans/{plan_id}/events").json()["data"]
    viewed = next(e for e in events if e["name"] == "Product Viewed")
    source = DOCUMENTED_SOURCES[0]

    outs = read(
        stack,
        lambda: (
            TrackingPlan.get("plan", plan_id),
            TrackingPlanEvent.get("viewed", f"{plan_id}/{viewed['id']}"),
            SourceConnection.get("web", f"{plan_id}/{source}"),
        ),
    )
    plan = rs.get(f"/tracking-plans/{plan_id}").json()
    assert {k: outs["plan"].get(k) for k in ("name", "description", "version")} == {
        k: plan[k] for k in ("name", "description", "version")
    }
    assert (outs["plan"]["workspace_id"], outs["plan"]["created_at"], outs["plan"]["updated_at"]) == (
        plan["workspaceId"],
        plan["createdAt"],
        plan["updatedAt"],
    )
    event = outs["viewed"]
    assert (event["tracking_plan_id"], event["event_id"], event["name"], event["event_type"]) == (
        plan_id,
        viewed["id"],
        "Product Viewed",
        "track",
    )
    assert [p["name"] for p in event["properties"]] == ["product_id", "price"]
    assert (event["workspace_id"], event["created_at"], event["updated_at"]) == (
        viewed["workspaceId"],
        viewed["createdAt"],
        viewed["updatedAt"],
    )
    connection = outs["web"]
    assert (connection["tracking_plan_id"], connection["source_id"]) == (plan_id, source)
    assert connection["config"]["track"]["allow_unplanned_events"] is True
    assert connection["config"]["global_"]["allow_unplanned_events"] is False  # as check writes it
    assert writes(sandbox) == before


def test_taxonomy_import_reads_what_main_holds(
    stack: Engine, sandbox: SandboxProcess, amp: httpx.Client
) -> None:
    data_before = sandbox.introspect("GET", "amplitude/data")
    before, graphql_before = writes(sandbox), graphql(sandbox)
    outs = read(stack, lambda: TaxonomyImport.get("main", "Sandbox Project"))["main"]
    assert (outs["workspace"], outs["workspace_id"]) == ("Sandbox Project", data_before["workspace"]["id"])
    assert outs["main_branch_id"] == data_before["branches"][0]["id"]
    plan = json.loads(outs["plan"])
    listed = sorted(e["event_type"] for e in amplitude_data(amp.get("/event")))
    assert [e["name"] for e in plan["events"]] == listed
    sign_up = next(e for e in plan["events"] if e["name"] == "Sign Up")
    on_sign_up = amplitude_data(amp.get("/event-property", params={"event_type": "Sign Up"}))
    assert sorted(p["name"] for p in sign_up["properties"]) == sorted(p["event_property"] for p in on_sign_up)
    method = next(p for p in sign_up["properties"] if p["name"] == "method")
    assert (method["type"], method["enum_values"], method["is_required"]) == (
        "enum",
        ["email", "google", "apple"],
        True,
    )
    assert "Legacy Checkout" not in listed  # deleted: not in main
    users = sorted(p["name"] for p in plan["user_properties"])
    custom = [p for p in amplitude_data(amp.get("/user-property")) if p["user_property"].startswith("gp:")]
    # Custom ones only (not Amplitude's own, such as device_id), without gp: as a plan writes them.
    assert users == sorted(p["user_property"].removeprefix("gp:") for p in custom if not p.get("deleted"))
    assert {"interests", "plan", "user_type"} <= set(users)
    # Only reads: GETs, and GraphQL queries that changed nothing (no upload, branch, PR or merge).
    assert writes(sandbox) - before == graphql(sandbox) - graphql_before
    assert sandbox.introspect("GET", "amplitude/data") == data_before


def graphql(sandbox: SandboxProcess) -> int:
    return int(sandbox.stats()["by_route"].get("POST /graphql", 0))


def test_warehouse_table_gives_its_name_and_the_api_status(stack: Engine, sandbox: SandboxProcess) -> None:
    before = writes(sandbox)
    outs = read(stack, lambda: WarehouseTable.get("events", "tracking_plan_events"))["events"]
    assert {k: v for k, v in outs.items() if k not in ("__provider", "adopt")} == {
        "table_name": "tracking_plan_events",
        "import_api_ok": True,
    }
    assert writes(sandbox) == before  # neither validate nor push


def changes(sandbox: SandboxProcess) -> int:
    """Requests that could write: not GETs, and not GraphQL (whose queries read)."""
    return writes(sandbox) - graphql(sandbox)


MISSING: dict[str, Callable[[str], Program]] = {
    "event type": lambda tp: lambda: EventType.get("x", "No Such Event"),
    "category by name": lambda tp: lambda: EventCategory.get("x", "No Such Category"),
    "category by id": lambda tp: lambda: EventCategory.get("x", 999999),
    "event property": lambda tp: lambda: EventProperty.get("x", "no_such", event_type="Sign Up"),
    "property of no event": lambda tp: lambda: EventProperty.get("x", "method", event_type="No Such Event"),
    "user property": lambda tp: lambda: UserProperty.get("x", "no_such"),
    "group property": lambda tp: lambda: GroupProperty.get("x", "no_such", group_type="Company"),
    "group property of no group": lambda tp: lambda: GroupProperty.get("x", "industry", group_type="Nope"),
    "tracking plan": lambda tp: lambda: TrackingPlan.get("x", ABSENT_PLAN),
    "plan event": lambda tp: lambda: TrackingPlanEvent.get("x", f"{tp}/{ABSENT_EVENT}"),
    "event of no plan": lambda tp: lambda: TrackingPlanEvent.get("x", f"{ABSENT_PLAN}/{ABSENT_EVENT}"),
    "source connection": lambda tp: lambda: SourceConnection.get("x", f"{tp}/{DOCUMENTED_SOURCES[1]}"),
    "taxonomy import": lambda tp: lambda: TaxonomyImport.get("x", "No Such Workspace"),
}


@pytest.mark.parametrize("case", MISSING)
def test_a_get_of_nothing_fails_the_program_with_a_sentence(
    stack: Engine, sandbox: SandboxProcess, plan_id: str, case: str
) -> None:
    before = changes(sandbox)
    text = refused(stack, MISSING[case](plan_id))
    first = text.splitlines()[0]
    assert first.startswith("pulumi-taxonomy: ") and "get failed: no such object under the id" in first, text
    assert "What to do: `get` takes" in first, text
    assert changes(sandbox) == before


BAD_IDS: dict[str, Program] = {
    "event name with a slash": lambda: EventType.get("x", "Song/Played"),
    "empty event name": lambda: EventType.get("x", ""),
    "category as a bool": lambda: EventCategory.get("x", True),
    "empty property name": lambda: EventProperty.get("x", " ", event_type="Sign Up"),
    "user property dot segment": lambda: UserProperty.get("x", ".."),
    "group property prefix only": lambda: GroupProperty.get("x", "grp:"),
    "plan id of another shape": lambda: TrackingPlan.get("x", "tp_short"),
    "plan id smuggling a path": lambda: TrackingPlan.get("x", f"{ABSENT_PLAN}/events"),
    "event id without its plan": lambda: TrackingPlanEvent.get("x", ABSENT_EVENT),
    "event id with a query": lambda: TrackingPlanEvent.get(
        "x", f"{ABSENT_PLAN}/{ABSENT_EVENT}?format=schema"
    ),
    "connection to a dot segment": lambda: SourceConnection.get("x", f"{ABSENT_PLAN}/.."),
    "empty workspace": lambda: TaxonomyImport.get("x", ""),
    "reserved table name": lambda: WarehouseTable.get("x", "_sdc_table"),
}


@pytest.mark.parametrize("case", BAD_IDS)
def test_an_id_that_cannot_name_an_object_is_refused_before_any_request(
    stack: Engine, sandbox: SandboxProcess, case: str
) -> None:
    before = sandbox.stats()["total_requests"]
    with pytest.raises(ValueError, match=r"\.get\(.*It takes ") as refusal:
        run_program(BAD_IDS[case], stack)
    assert "\n" not in str(refusal.value)
    assert sandbox.stats()["total_requests"] == before  # (the sandbox does not count its stats calls)


def test_an_id_known_only_when_the_program_runs_is_refused_by_the_provider(
    stack: Engine, sandbox: SandboxProcess
) -> None:
    before = sandbox.stats()["total_requests"]
    text = refused(stack, lambda: EventType.get("x", pulumi.Output.from_input("Song/Played")))
    assert "get failed" in text.splitlines()[0] and "nothing was requested" in text.splitlines()[0], text
    assert sandbox.stats()["total_requests"] == before


def test_credentials_given_to_get_are_a_secret(stack: Engine, sandbox: SandboxProcess) -> None:
    connection = {"api_key": "sandbox-api-key", "secret_key": "sandbox-secret-key", "base_url": sandbox.url}
    run = run_program(lambda: UserProperty.get("plan", "gp:plan", connection=connection), stack)
    assert run.operations["plan"] == "read"
    assert run.secret_inputs["plan"] == ["connection"]
    assert "sandbox-secret-key" not in stack.server.output


def test_a_get_reads_in_previews_refreshes_as_managed_ones_do_and_is_discarded_without_delete(
    stack: Engine, sandbox: SandboxProcess, amp: httpx.Client
) -> None:
    def program() -> None:
        EventType.get("event-2", "Event 2")

    run_program(lambda: None, stack)  # what earlier tests read, discarded
    stack.new_command()
    before = sandbox.stats()["by_route"].get("GET /api/2/taxonomy/event", 0)
    assert run_program(program, stack, preview=True).operations == {"event-2": "read"}
    assert sandbox.stats()["by_route"]["GET /api/2/taxonomy/event"] > before, "a preview reads it"
    assert not stack.resources, "and keeps nothing"
    assert run_program(program, stack).operations == {"event-2": "read"}
    got = next(r for r in stack.resources.values() if r.urn.endswith("::event-2"))
    assert (got.id, got.outputs.get("description")) == ("Event 2", None)
    assert amp.put("/event/Event 2", data={"description": "edited in Amplitude"}).json()["success"] is True
    stack.new_command()
    refreshed = stack.refresh(got.urn)  # state with no marker: the refresh path
    assert refreshed is not None and refreshed.outputs["description"] == "edited in Amplitude"
    before = changes(sandbox)
    stack.new_command()
    assert run_program(lambda: None, stack).operations == {"event-2": "discard"}
    assert changes(sandbox) == before and not stack.resources
    assert amplitude_data(amp.get("/event/Event 2"))["description"] == "edited in Amplitude"


def test_a_preview_reads_nothing_for_an_id_not_known_yet(stack: Engine, sandbox: SandboxProcess) -> None:
    before = sandbox.stats()["total_requests"]

    def program() -> None:
        plan = TrackingPlan("new-plan", name="Checkout Plan")
        SourceConnection.get(
            "its-source", plan.id.apply(lambda plan_id: f"{plan_id}/{DOCUMENTED_SOURCES[1]}")
        )

    run = run_program(program, stack, preview=True)
    assert (run.operations["new-plan"], run.operations["its-source"]) == ("create", "read")
    assert sandbox.stats()["total_requests"] == before


def test_names_that_need_escaping_reach_exactly_their_object(
    stack: Engine, sandbox: SandboxProcess, amp: httpx.Client
) -> None:
    name = "Paid 100% #1? ✓ ünïcode"
    assert amp.post("/event", data={"event_type": name, "description": "odd"}).json()["success"] is True
    stack.new_command()  # made outside: the next `pulumi up` (a new provider process) reads it
    before = changes(sandbox)
    outs = read(stack, lambda: EventType.get("odd", name))["odd"]
    assert (outs["name"], outs["description"]) == (name, "odd")
    # The same name with its escapes spelt out is another name, and Amplitude has none such.
    text = refused(stack, lambda: EventType.get("spelt", "Paid 100%25 %231%3F ✓ ünïcode"))
    assert "no such object" in text.splitlines()[0]
    assert changes(sandbox) == before
