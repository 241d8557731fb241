"""TaxonomyImport through the real provider server, against both variants of the vendor.

The sandbox's Data API has exactly the reference's schema, takes one documented CSV
file per upload, ignores `Remove` on property rows (as the docs say), and is reached
only through the Data base URL; each test below fails on a client that relied on
anything else.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_taxonomy.amplitude import TaxonomyImport
from pulumi_taxonomy.amplitude.importcsv import (
    EVENT_COLUMNS,
    ImportEvent,
    ImportPlan,
    ImportProperty,
    ImportUserProperty,
    write_plan,
)
from pulumi_taxonomy.amplitude.taxonomy_import import TaxonomyImportProvider
from pulumi_taxonomy.testing import CheckFailed, Engine, ProviderFailed, SandboxProcess, running_sandbox
from pulumi_taxonomy.testing.program import run_program
from tests.conftest import amplitude_client
from tests.engine.conftest import amplitude_env

PLAN = ImportPlan(
    events=[
        ImportEvent(
            name="Song Played",
            category="Playback",
            description='Started, "really"',
            properties=[
                ImportProperty(name="position", type="number", is_required=True),
                ImportProperty(name="source", type="enum", enum_values=["search", "radio"]),
            ],
        ),
        ImportEvent(
            name="Song Skipped",
            category="Playback",
            properties=[ImportProperty(name="seconds", type="number")],
        ),
    ],
    user_properties=[ImportUserProperty(name="plan", type="enum", enum_values=["free", "pro"])],
)
EVENTS_ONLY = ImportPlan(events=PLAN.events)
# Injected step failures are retried before they fail the apply: keep those waits short.
FAST_RETRIES = {"PULUMI_TAXONOMY_RETRIES": "3", "PULUMI_TAXONOMY_RETRY_WAIT": "0.02"}


def inputs(plan: ImportPlan = PLAN, **extra: object) -> dict[str, object]:
    return {"workspace": "Sandbox Project", "plan": plan.canonical_json(), **extra}


def env(url: str) -> dict[str, str]:
    return {
        **amplitude_env(url),
        "AMPLITUDE_DATA_TOKEN": "sandbox-data-token",
        "AMPLITUDE_DATA_BASE_URL": url,
        **FAST_RETRIES,
    }


@pytest.fixture(scope="module")
def reference() -> Iterator[SandboxProcess]:
    with running_sandbox() as process:
        yield process


@pytest.fixture(scope="module")
def auto_save() -> Iterator[SandboxProcess]:
    with running_sandbox("--data-auto-save") as process:
        yield process


@pytest.fixture
def sandbox(reference: SandboxProcess) -> SandboxProcess:
    reference.reset("empty")
    return reference


@pytest.fixture
def stack(sandbox: SandboxProcess) -> Iterator[Engine]:
    with Engine(env=env(sandbox.url)) as engine:
        yield engine


def main_events(sandbox: SandboxProcess) -> dict[str, list[str]]:
    with amplitude_client(sandbox) as amp:
        return {
            e["event_type"]: [
                p["event_property"]
                for p in amp.get("/event-property", params={"event_type": e["event_type"]}).json()["data"]
            ]
            for e in amp.get("/event").json()["data"]
        }


def user_properties(sandbox: SandboxProcess) -> list[str]:
    with amplitude_client(sandbox) as amp:
        listed = amp.get("/user-property").json()["data"]
    return [
        p["user_property"] for p in listed if p["user_property"].startswith("gp:") and not p.get("deleted")
    ]


def data_state(sandbox: SandboxProcess, **settings: Any) -> dict[str, Any]:
    body: dict[str, Any] = sandbox.introspect(
        "POST" if settings else "GET", "amplitude/data", settings or None
    )
    return body


def requests(sandbox: SandboxProcess, prefix: str = "") -> int:
    by_route: dict[str, int] = sandbox.stats()["by_route"]
    return sum(n for route, n in by_route.items() if prefix in route)


@pytest.mark.parametrize("variant", ["reference", "auto-save"])
def test_lifecycle(variant: str, request: pytest.FixtureRequest) -> None:
    sandbox: SandboxProcess = request.getfixturevalue("reference" if variant == "reference" else "auto_save")
    sandbox.reset("empty")
    with Engine(env=env(sandbox.url)) as stack:
        op, created = stack.up("plan", TaxonomyImportProvider(), inputs())
        assert op == "create"
        # One introspection; per file (events, user properties): lookup, upload, publish
        # (not in auto-save), pull request, merge; then two read-back lists.
        per_file = 5 if variant == "reference" else 4
        assert sandbox.stats()["total_requests"] == 1 + 2 * per_file + 2
        assert requests(sandbox, "/import/csv") == 2, "one upload per documented file"
        assert main_events(sandbox) == {"Song Played": ["position", "source"], "Song Skipped": ["seconds"]}
        assert user_properties(sandbox) == ["gp:plan"]
        assert created.outputs["workspace_id"] == data_state(sandbox)["workspace"]["id"]
        before = sandbox.stats()["total_requests"]

        stack.new_command()
        assert stack.up("plan", TaxonomyImportProvider(), inputs())[0] == "same"
        assert sandbox.stats()["total_requests"] == before, "an unchanged plan sends nothing"

        stack.new_command()
        assert stack.refresh(created.urn) is not None
        assert stack.preview("plan", TaxonomyImportProvider(), inputs()).operation == "same", "no drift"

        edited = PLAN.model_copy(
            update={
                "events": [
                    PLAN.events[0].model_copy(
                        update={"description": "Changed.", "properties": PLAN.events[0].properties[:1]}
                    ),
                    ImportEvent(
                        name="Search Performed", properties=[ImportProperty(name="query", type="string")]
                    ),
                ]
            }
        )
        op, updated = stack.up("plan", TaxonomyImportProvider(), inputs(edited))
        assert (op, updated.id) == ("update", created.id)
        # Song Played whole (its row and its one property), Search Performed whole, and
        # Song Skipped's `Remove`: the events file only.
        assert updated.outputs["rows_uploaded"] == 2 + 2 + 1
        # `source` left Song Played through REST: `Remove` does not touch properties.
        assert main_events(sandbox) == {"Song Played": ["position"], "Search Performed": ["query"]}
        assert user_properties(sandbox) == ["gp:plan"]

        stack.destroy(updated.urn)
        assert main_events(sandbox) == {} and user_properties(sandbox) == []


def test_drift_in_main_shows_on_refresh_and_up_repairs_it(stack: Engine, sandbox: SandboxProcess) -> None:
    _, created = stack.up("plan", TaxonomyImportProvider(), inputs())
    with amplitude_client(sandbox) as amp:
        amp.put("/event/Song Played", data={"description": "edited in Amplitude"}).raise_for_status()
        # From one event: `event_type` in the body, as the current reference sends it.
        amp.request(
            "DELETE", "/event-property/seconds", data={"event_type": "Song Skipped"}
        ).raise_for_status()
    stack.new_command()
    refreshed = stack.refresh(created.urn)
    assert refreshed is not None
    played = next(e for e in json.loads(refreshed.outputs["plan"])["events"] if e["name"] == "Song Played")
    assert played["description"] == "edited in Amplitude"
    assert stack.preview("plan", TaxonomyImportProvider(), inputs()).operation == "update"
    stack.up("plan", TaxonomyImportProvider(), inputs())
    assert main_events(sandbox)["Song Skipped"] == ["seconds"]
    with amplitude_client(sandbox) as amp:
        assert amp.get("/event/Song Played").json()["data"]["description"] == 'Started, "really"'


def test_merge_false_leaves_a_pull_request_open(stack: Engine, sandbox: SandboxProcess) -> None:
    with pytest.raises(CheckFailed) as failed:
        stack.up("plan", TaxonomyImportProvider(), inputs(merge=False))
    assert any(prop == "merge" and "one import open" in reason for prop, reason in failed.value.failures)
    assert sandbox.stats()["total_requests"] == 0

    _, created = stack.up("plan", TaxonomyImportProvider(), inputs(EVENTS_ONLY, merge=False))
    assert created.outputs["pull_request_id"]
    assert main_events(sandbox) == {}, "nothing reaches main without the merge"
    assert [p["id"] for p in data_state(sandbox)["pull_requests"]] == [created.outputs["pull_request_id"]]
    op, merged = stack.up("plan", TaxonomyImportProvider(), inputs(EVENTS_ONLY, merge=True))
    assert op == "update" and merged.outputs.get("pull_request_id") is None  # None leaves state
    assert set(main_events(sandbox)) == {"Song Played", "Song Skipped"}
    assert data_state(sandbox)["pull_requests"] == []


def test_what_an_import_under_review_drops_is_dropped_once_merged(
    stack: Engine, sandbox: SandboxProcess
) -> None:
    stack.up("plan", TaxonomyImportProvider(), inputs(EVENTS_ONLY))
    played = EVENTS_ONLY.events[0]
    dropped = ImportPlan(events=[played.model_copy(update={"properties": played.properties[:1]})])
    _, pending = stack.up("plan", TaxonomyImportProvider(), inputs(dropped, merge=False))
    assert pending.outputs["pending_removals"] == [
        {"event": "Song Played", "property": "source"},
        {"event": "Song Skipped"},
    ]
    assert main_events(sandbox) == {"Song Played": ["position", "source"], "Song Skipped": ["seconds"]}
    # The review is not merged; the next apply replaces it, its removals included.
    _, merged = stack.up("plan", TaxonomyImportProvider(), inputs(dropped, merge=True))
    assert merged.outputs["pending_removals"] == []
    assert main_events(sandbox) == {"Song Played": ["position"]}


@pytest.mark.parametrize("step", ["upload", "publish", "pull_request", "merge"])
def test_a_failed_step_merges_nothing_and_the_next_apply_converges(
    stack: Engine, sandbox: SandboxProcess, step: str
) -> None:
    sandbox.introspect("POST", "amplitude/import/fail", {"step": step, "times": 50})
    with pytest.raises(ProviderFailed) as failure:
        stack.up("plan", TaxonomyImportProvider(), inputs())
    step_words = {
        "upload": "upload the events file",
        "publish": "publish the events file's import branch",
        "pull_request": "open the pull request of the events file",
        "merge": "merge the pull request of the events file",
    }[step]
    assert step_words in failure.value.text and "nothing was merged" in failure.value.text
    assert main_events(sandbox) == {}
    sandbox.introspect("POST", "amplitude/import/fail", {"step": step, "times": 0})
    stack.new_command()
    assert stack.up("plan", TaxonomyImportProvider(), inputs())[0] == "create"
    assert set(main_events(sandbox)) == {"Song Played", "Song Skipped"}


@pytest.mark.parametrize(
    ("step", "extra"),
    [
        ("upload", ["upload"]),  # uploaded again
        ("publish", ["lookup", "upload", "publish"]),  # the file starts over
        ("pull_request", ["lookup", "upload", "publish", "pull_request"]),  # the file starts over
        ("merge", ["lookup"]),  # main's version says the merge happened
    ],
)
def test_a_lost_answer_is_resolved_without_a_blind_resend(
    stack: Engine, sandbox: SandboxProcess, step: str, extra: list[str]
) -> None:
    data_state(sandbox, drop_after={"step": step, "times": 1})
    assert stack.up("plan", TaxonomyImportProvider(), inputs(EVENTS_ONLY))[0] == "create"
    # introspection, lookup, upload, publish, pull request, merge, two read-backs
    assert sandbox.stats()["total_requests"] == 8 + len(extra)
    assert main_events(sandbox) == {"Song Played": ["position", "source"], "Song Skipped": ["seconds"]}
    state = data_state(sandbox)
    assert [b["name"] for b in state["branches"]] == ["main"] and state["pull_requests"] == []


def test_a_failure_after_the_events_file_says_what_was_merged(stack: Engine, sandbox: SandboxProcess) -> None:
    _, created = stack.up("plan", TaxonomyImportProvider(), inputs(EVENTS_ONLY))
    data_state(sandbox, failing_files=["user_properties"])
    edited = PLAN.model_copy(update={"events": [PLAN.events[0].model_copy(update={"description": "New."})]})
    with pytest.raises(ProviderFailed) as failure:
        stack.up("plan", TaxonomyImportProvider(), inputs(edited))
    text = failure.value.text
    assert "upload the user-property file" in text and "the events file was merged, the rest was not" in text
    assert set(main_events(sandbox)) == {"Song Played"}, "the events file is in main"
    data_state(sandbox, failing_files=[])
    op, converged = stack.up("plan", TaxonomyImportProvider(), inputs(edited))
    assert (op, converged.id) == ("update", created.id)
    assert set(main_events(sandbox)) == {"Song Played"} and user_properties(sandbox) == ["gp:plan"]


def test_bad_plans_fail_at_check_with_no_request(stack: Engine, sandbox: SandboxProcess) -> None:
    bad = {"workspace": "Sandbox Project", "plan": json.dumps({"events": [{"name": "A"}, {"name": "A"}]})}
    with pytest.raises(CheckFailed) as failed:
        stack.up("plan", TaxonomyImportProvider(), bad)
    assert any(prop == "plan" and "unique" in reason for prop, reason in failed.value.failures)
    enum = {
        "workspace": "Sandbox Project",
        "plan": {"events": [{"name": "A", "properties": [{"name": "p", "type": "enum"}]}]},
    }
    with pytest.raises(CheckFailed) as failed:
        stack.up("plan", TaxonomyImportProvider(), enum)
    assert any("enum_values" in reason for _, reason in failed.value.failures)
    not_json = {"workspace": "Sandbox Project", "plan": "{not json"}
    with pytest.raises(CheckFailed) as failed:
        stack.up("plan", TaxonomyImportProvider(), not_json)
    assert any(prop == "plan" and "not JSON" in reason for prop, reason in failed.value.failures)
    assert sandbox.stats()["total_requests"] == 0


def test_csv_files_as_the_plan_the_two_documented_ones_or_the_old_combined_one(
    stack: Engine, sandbox: SandboxProcess, tmp_path: Path
) -> None:
    files = write_plan(PLAN)
    (tmp_path / "events.csv").write_text(files["events"], encoding="utf-8")
    (tmp_path / "users.csv").write_text(files["user_properties"], encoding="utf-8")
    # The single file earlier versions wrote: events columns plus `Property Name`.
    header = [*EVENT_COLUMNS, "Property Name"]
    rows = [",".join(header)]
    for line in files["events"].splitlines()[1:]:
        rows.append(line + ",")
    cells = {"Property Type": "User Property", "Property Value Type": "enum", "Enum Values": '"free,pro"'}
    rows.append(",".join(cells.get(c, "") for c in EVENT_COLUMNS) + ",plan")
    (tmp_path / "combined.csv").write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")

    def program(csv_path: str | list[str]) -> Any:
        return lambda: TaxonomyImport("from-csv", workspace="Sandbox Project", csv_path=csv_path)

    two_files = [str(tmp_path / "events.csv"), str(tmp_path / "users.csv")]
    assert run_program(program(two_files), stack).operations == {"from-csv": "create"}
    assert set(main_events(sandbox)) == {"Song Played", "Song Skipped"}
    assert user_properties(sandbox) == ["gp:plan"]
    stack.new_command()
    assert run_program(program(str(tmp_path / "combined.csv")), stack, preview=True).changes == {}


def test_the_data_host_never_falls_back_to_the_rest_base_url(sandbox: SandboxProcess) -> None:
    # Only the REST base URL points at the sandbox; a closed local proxy makes the way to
    # the real Data host fail at once instead of leaving the machine.
    only_rest = {k: v for k, v in env(sandbox.url).items() if k != "AMPLITUDE_DATA_BASE_URL"}
    closed = {"HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": ""}
    with (
        Engine(env={**only_rest, **closed, "PULUMI_TAXONOMY_RETRIES": "1"}) as stack,
        pytest.raises(ProviderFailed) as failure,
    ):
        stack.up("plan", TaxonomyImportProvider(), inputs())
    assert "data-api.amplitude.com" in failure.value.text
    assert "AMPLITUDE_DATA_BASE_URL" in failure.value.text
    assert requests(sandbox, "/graphql") == 0 and requests(sandbox, "/import/csv") == 0, (
        "the personal access token never reached the REST host"
    )


def test_without_introspection_the_documented_flow_still_works(
    stack: Engine, sandbox: SandboxProcess
) -> None:
    data_state(sandbox, introspection=False)
    assert stack.up("plan", TaxonomyImportProvider(), inputs(EVENTS_ONLY))[0] == "create"
    assert set(main_events(sandbox)) == {"Song Played", "Song Skipped"}
    assert sandbox.stats()["by_status"].get("400", 0) == 1, "only the refused introspection"


def test_a_workspace_renamed_in_amplitude_keeps_its_plan(stack: Engine, sandbox: SandboxProcess) -> None:
    _, created = stack.up("plan", TaxonomyImportProvider(), inputs())
    hostile = 'Music "App" \\ ../#?%/ café 🎵'  # goes into GraphQL as an exact string literal
    data_state(sandbox, workspace_name=hostile)
    stack.new_command()
    renamed = {**inputs(), "workspace": hostile}
    assert stack.preview("plan", TaxonomyImportProvider(), renamed).operation == "update", "not a replace"
    op, updated = stack.up("plan", TaxonomyImportProvider(), renamed)
    assert (op, updated.id, updated.outputs["rows_uploaded"]) == ("update", created.id, 0)
    assert set(main_events(sandbox)) == {"Song Played", "Song Skipped"}, "nothing was removed"
    assert user_properties(sandbox) == ["gp:plan"]


def test_destroy_after_the_workspace_left_warns_and_removes_nothing_elsewhere(
    stack: Engine, sandbox: SandboxProcess
) -> None:
    _, created = stack.up("plan", TaxonomyImportProvider(), inputs(EVENTS_ONLY))
    data_state(sandbox, workspace_name="Someone Else's")
    stack.new_command()
    stack.destroy(created.urn)
    # The server's stderr is read by a thread: wait for the warning, within a bound.
    deadline = time.monotonic() + 30
    while "left there as it is" not in stack.server.output and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "left there as it is" in stack.server.output
    assert set(main_events(sandbox)) == {"Song Played", "Song Skipped"}
