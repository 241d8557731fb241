"""`pulumi-taxonomy doctor`, run as a user runs it (a subprocess) against real sandboxes:
everything passes on a good setup, and each failure mode is reported clearly, with
exit 1 (a check failed) or 2 (doctor could not run). Every run is read-only: the
sandbox sees only GETs, GraphQL reads and Stitch's `/validate`, and holds what it held.

Two sandboxes stand in for the two regions of every vendor (the "US" one is the
module's shared sandbox, the "EU" one accepts other credentials); the wrong-region
test points the clients' region host maps at them from a small wrapper, since real
vendor hosts cannot be reached.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_taxonomy.testing import SandboxProcess, running_sandbox
from tests.conftest import amplitude_project, rudderstack_client
from tests.engine.test_tracking_plan import env as sandbox_env
from tests.servers import QuietHandler, closed_port_url, interrupted_while_waiting, serving

VENDOR_SETTINGS = ("AMPLITUDE_", "RUDDERSTACK_", "STITCH_", "PULUMI_TAXONOMY_")
EU = {
    "AMPLITUDE_API_KEY": "eu-api-key",
    "AMPLITUDE_SECRET_KEY": "eu-secret-key",
    "AMPLITUDE_DATA_TOKEN": "eu-data-token",
    "RUDDERSTACK_ACCESS_TOKEN": "eu-rudderstack-token",
    "STITCH_ACCESS_TOKEN": "eu-stitch-token",
    "STITCH_CLIENT_ID": "4231",
}
PLAN = """\
version: 1
name: Music app
events:
  - name: Song Played
targets:
  amplitude: {mode: import, workspace: Sandbox Project}
  rudderstack: {plan_name: Music Plan}
  stitch: {}
"""
READS = ("POST /graphql", "POST /v2/import/validate")
"""The only non-GET routes a probe may use: GraphQL reads, and a validate that stores nothing."""


def without_vendor_settings() -> dict[str, str]:
    """The test runner's environment without any vendor or pulumi-taxonomy setting."""
    return {k: v for k, v in os.environ.items() if not k.startswith(VENDOR_SETTINGS)}


def doctor(
    *args: str, env: dict[str, str] | None = None, wrapper: str = ""
) -> subprocess.CompletedProcess[str]:
    """`pulumi-taxonomy doctor ARGS` with only `env`'s vendor settings (none of the test
    runner's), one attempt per request; `wrapper` runs instead of `-m pulumi_taxonomy`."""
    command = ["-c", wrapper] if wrapper else ["-m", "pulumi_taxonomy"]
    return subprocess.run(
        [sys.executable, *command, "doctor", *args],
        env={**without_vendor_settings(), "COLUMNS": "250", "PULUMI_TAXONOMY_RETRIES": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def checks(result: subprocess.CompletedProcess[str]) -> dict[tuple[str, str], dict[str, str]]:
    """The `--json` report's checks by (vendor, check)."""
    report = json.loads(result.stdout)
    return {(c["vendor"], c["check"]): c for c in report["checks"]}


def outcomes(result: subprocess.CompletedProcess[str]) -> dict[tuple[str, str], str]:
    return {key: c["result"] for key, c in checks(result).items()}


def state(sandbox: SandboxProcess) -> dict[str, Any]:
    """What a write would change: the Data project, the warehouse, the catalog, the taxonomy."""
    with rudderstack_client(sandbox) as rs:
        catalog = rs.get("/tracking-plans").json()
    return {
        "data": sandbox.introspect("GET", "amplitude/data"),
        "tables": sandbox.introspect("GET", "stitch/tables"),
        "project": sandbox.introspect("GET", "amplitude/project"),
        "catalog": catalog,
    }


def assert_read_only(sandbox: SandboxProcess, before: dict[str, Any]) -> None:
    routes = sandbox.stats()["by_route"]
    writes = [route for route in routes if not route.startswith("GET ") and route not in READS]
    assert writes == [], f"doctor wrote: {writes}"
    assert "POST /v2/import/push" not in routes
    assert state(sandbox) == before


@pytest.fixture
def us(sandbox: SandboxProcess) -> Iterator[SandboxProcess]:
    sandbox.reset("empty")
    yield sandbox
    sandbox.reset("empty")  # settings (a hidden field, the Taxonomy API off) go with it


@pytest.fixture(scope="module")
def eu_sandbox() -> Iterator[SandboxProcess]:
    credentials = {
        "--amplitude-api-key": EU["AMPLITUDE_API_KEY"],
        "--amplitude-secret-key": EU["AMPLITUDE_SECRET_KEY"],
        "--data-token": EU["AMPLITUDE_DATA_TOKEN"],
        "--rudderstack-token": EU["RUDDERSTACK_ACCESS_TOKEN"],
        "--stitch-token": EU["STITCH_ACCESS_TOKEN"],
    }
    args = [part for option in credentials.items() for part in option]
    with running_sandbox(*args) as process:
        yield process


@pytest.fixture
def eu(eu_sandbox: SandboxProcess) -> SandboxProcess:
    eu_sandbox.reset("empty")
    return eu_sandbox


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


# -- a good setup ---------------------------------------------------------------------


def test_every_check_passes_against_the_sandbox(us: SandboxProcess, plan: Path) -> None:
    before = state(us)
    result = doctor(str(plan), "--json", env=sandbox_env(us.url))
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert json.loads(result.stdout)["result"] == "pass"
    assert outcomes(result) == {
        ("amplitude", "keys and region"): "pass",
        ("amplitude", "Taxonomy API available"): "pass",
        ("amplitude-data", "token and region"): "pass",
        ("amplitude-data", "GraphQL schema"): "pass",
        ("amplitude-data", 'workspace "Sandbox Project"'): "pass",
        ("rudderstack", "token and region"): "pass",
        ("rudderstack", 'tracking plan "Music Plan"'): "pass",
        ("stitch", "status endpoint"): "pass",
        ("stitch", "token, client id and region"): "pass",
    }
    found = checks(result)
    assert "not in the workspace yet" in found[("rudderstack", 'tracking plan "Music Plan"')]["detail"]
    assert "reference variant" in found[("amplitude-data", "GraphQL schema")]["detail"]
    assert us.stats()["by_route"]["POST /graphql"] == 3, "the token's OrgQuery, one introspection, the lookup"
    assert_read_only(us, before)


def test_the_table_names_each_vendor_check_and_result(us: SandboxProcess) -> None:
    result = doctor(env=sandbox_env(us.url))
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert len(rows) == 7, result.stdout  # no plan: no workspace, no tracking plan
    for vendor in ("amplitude ", "amplitude-data", "rudderstack", "stitch"):
        assert any(vendor in row and " pass " in row for row in rows), (vendor, result.stdout)
    assert result.stdout.strip().endswith("every check passed.")


def test_a_vendor_without_credentials_is_skipped_not_failed(us: SandboxProcess) -> None:
    rudderstack_only = {k: v for k, v in sandbox_env(us.url).items() if k.startswith("RUDDERSTACK_")}
    result = doctor("--json", env=rudderstack_only)
    assert result.returncode == 0, result.stdout
    found = checks(result)
    assert found[("rudderstack", "token and region")]["result"] == "pass"
    skipped = found[("amplitude", "settings")]
    assert skipped["result"] == "skip"
    assert skipped["detail"] == "not configured (set AMPLITUDE_API_KEY and AMPLITUDE_SECRET_KEY)"
    assert found[("stitch", "settings")]["result"] == "skip"


# -- it could not run: exit 2 -----------------------------------------------------------


def test_nothing_configured_is_exit_2_in_one_line() -> None:
    result = doctor()
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "nothing to check" in line and "AMPLITUDE_API_KEY" in line and "--vendor" in line


def test_bad_arguments_and_unreadable_plans_are_exit_2(tmp_path: Path) -> None:
    wrong = doctor("--vendor", "segment")
    assert wrong.returncode == 2 and "unknown vendor 'segment'" in wrong.stderr
    missing = doctor(str(tmp_path / "missing.yaml"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("version: 1\nname: x\nevents: [{}]\n", encoding="utf-8")
    result = doctor(str(invalid))
    assert result.returncode == 2 and "events" in result.stdout


def test_running_out_of_time_is_exit_2() -> None:
    with socket.socket() as hung:  # takes connections (the backlog), never answers
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)
        url = f"http://127.0.0.1:{hung.getsockname()[1]}"
        env = {"RUDDERSTACK_ACCESS_TOKEN": "t", "RUDDERSTACK_BASE_URL": url}
        result = doctor("--timeout", "1", env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "ran out of time (--timeout 1s)" in result.stdout
    assert "FAIL" in result.stdout


def test_interrupting_a_hung_doctor_exits_130_at_once() -> None:
    def env(url: str) -> dict[str, str]:
        return {**without_vendor_settings(), "RUDDERSTACK_ACCESS_TOKEN": "t", "RUDDERSTACK_BASE_URL": url}

    code, stderr, took = interrupted_while_waiting(["doctor", "--vendor", "rudderstack"], env)
    assert code == 130, stderr
    assert "Traceback" not in stderr
    assert took < 20, f"took {took:.1f}s: waited for the vendor's thread (the deadline is 60s)"


# -- each failure mode: exit 1, and what to do ------------------------------------------


def test_a_vendor_asked_for_without_credentials_fails(us: SandboxProcess) -> None:
    result = doctor(
        "--vendor",
        "stitch",
        "--vendor",
        "amplitude-data",
        "--json",
        env=sandbox_env(us.url) | {"STITCH_ACCESS_TOKEN": ""},
    )
    assert result.returncode == 1
    found = checks(result)
    assert {v for v, _ in found} == {"stitch", "amplitude-data"}, "only the vendors asked for"
    assert found[("stitch", "settings")]["result"] == "fail"
    assert "Stitch credentials are missing" in found[("stitch", "settings")]["detail"]
    assert found[("amplitude-data", "token and region")]["result"] == "pass"


def test_wrong_keys_are_reported_per_vendor(us: SandboxProcess) -> None:
    before = state(us)
    wrong = {
        "AMPLITUDE_SECRET_KEY": "not-the-secret",
        "AMPLITUDE_DATA_TOKEN": "not-the-data-token",
        "RUDDERSTACK_ACCESS_TOKEN": "not-the-rudderstack-token",
        "STITCH_ACCESS_TOKEN": "not-the-stitch-token",
    }
    result = doctor("--json", env=sandbox_env(us.url) | wrong)
    assert result.returncode == 1, result.stderr
    found = checks(result)
    refused = {
        ("amplitude", "keys and region"): "refused the API key and secret key (401",
        ("amplitude-data", "token and region"): "refused the personal access token (401",
        ("rudderstack", "token and region"): "refused the token (401)",
        ("stitch", "token, client id and region"): "answered 401",
    }
    for key, says in refused.items():
        assert found[key]["result"] == "fail" and says in found[key]["detail"], found[key]
        assert found[key]["hint"].startswith("check"), found[key]
    assert found[("amplitude", "Taxonomy API available")]["result"] == "skip"
    assert found[("amplitude-data", "GraphQL schema")]["result"] == "skip"
    assert found[("stitch", "status endpoint")]["result"] == "pass", "it needs no token"
    assert not any(secret in result.stdout for secret in wrong.values())
    assert_read_only(us, before)


REGIONS = """
import sys
from pulumi_taxonomy.amplitude import client, importer
from pulumi_taxonomy.rudderstack import client as rudderstack
from pulumi_taxonomy.stitch import client as stitch
us, eu = {us!r}, {eu!r}
for hosts in (client.BASE_URLS, importer.DATA_URLS, rudderstack.BASE_URLS, stitch.BASE_URLS):
    hosts.update(us=us, eu=eu)  # the region host maps, pointed at two sandboxes
sys.argv = ["pulumi-taxonomy", *sys.argv[1:]]
from pulumi_taxonomy.cli import main
main()
"""


def test_credentials_of_the_other_region_say_which_region_to_set(
    us: SandboxProcess, eu: SandboxProcess
) -> None:
    before = state(us), state(eu)
    script = REGIONS.format(us=us.url, eu=eu.url)
    result = doctor("--json", env=EU, wrapper=script)  # no region: "us", and no base URL
    assert result.returncode == 1, (result.stdout, result.stderr)
    found = checks(result)
    for key, owner in [
        (("amplitude", "keys and region"), "a project"),
        (("amplitude-data", "token and region"), "a project"),
        (("rudderstack", "token and region"), "a workspace"),
        (("stitch", "token, client id and region"), "an account"),
    ]:
        row = found[key]
        assert row["result"] == "fail", row
        assert f"belongs to {owner} in the EU region: set region eu" in row["hint"], row
        assert "(eu) accepts it" in row["detail"], row
    assert "AMPLITUDE_REGION=eu" in found[("amplitude", "keys and region")]["hint"]
    assert "STITCH_REGION=eu" in found[("stitch", "token, client id and region")]["hint"]

    # What the hint says works.
    regions = {"AMPLITUDE_REGION": "eu", "RUDDERSTACK_REGION": "eu", "STITCH_REGION": "eu"}
    fixed = doctor("--json", env=EU | regions, wrapper=script)
    assert fixed.returncode == 0, fixed.stdout
    assert set(outcomes(fixed).values()) == {"pass"}
    assert_read_only(us, before[0])
    assert_read_only(eu, before[1])


def test_a_schema_missing_a_field_or_argument_names_it(us: SandboxProcess, plan: Path) -> None:
    us.introspect("POST", "amplitude/data", {"hide": ["Branch.currentVersionId", "Org.workspaces(name)"]})
    before = state(us)
    result = doctor(str(plan), "--json", "--vendor", "amplitude-data", env=sandbox_env(us.url))
    assert result.returncode == 1, result.stdout
    found = checks(result)
    schema = found[("amplitude-data", "GraphQL schema")]
    assert schema["result"] == "fail"
    assert "Cannot query field 'currentVersionId' on type 'Branch'" in schema["detail"]
    assert "Unknown argument 'name' on field 'Org.workspaces'" in schema["detail"]
    assert "Upgrade pulumi-taxonomy" in schema["hint"] and "mode: objects" in schema["hint"]
    assert found[("amplitude-data", "token and region")]["result"] == "pass"
    assert_read_only(us, before)


def test_a_refused_introspection_is_a_warning_not_a_failure(us: SandboxProcess) -> None:
    us.introspect("POST", "amplitude/data", {"introspection": False})
    result = doctor("--json", "--vendor", "amplitude-data", env=sandbox_env(us.url))
    assert result.returncode == 0, result.stdout
    schema = checks(result)[("amplitude-data", "GraphQL schema")]
    assert schema["result"] == "warn" and "introspection has been disabled" in schema["detail"]


def test_a_project_without_the_taxonomy_api(us: SandboxProcess) -> None:
    amplitude_project(us, taxonomy=False)
    result = doctor("--json", "--vendor", "amplitude", env=sandbox_env(us.url))
    assert result.returncode == 1
    found = checks(result)
    taxonomy = found[("amplitude", "Taxonomy API available")]
    assert taxonomy["result"] == "fail" and "every Taxonomy list answers 404" in taxonomy["detail"]
    assert "Enterprise plan or the Taxonomy add-on" in taxonomy["hint"]
    assert found[("amplitude", "keys and region")]["result"] == "skip"
    assert us.stats()["by_route"] == {
        "GET /api/2/taxonomy/category": 1,
        "GET /api/2/taxonomy/event": 1,
        "GET /api/2/taxonomy/event-property": 1,
        "GET /api/2/taxonomy/user-property": 1,
        "GET /api/2/taxonomy/group-property": 1,
    }


def test_a_workspace_the_token_cannot_reach(us: SandboxProcess, plan: Path) -> None:
    plan.write_text(PLAN.replace("Sandbox Project", "sandbox project"), encoding="utf-8")
    result = doctor(str(plan), "--json", "--vendor", "amplitude-data", env=sandbox_env(us.url))
    assert result.returncode == 1
    row = checks(result)[("amplitude-data", 'workspace "sandbox project"')]
    assert row["result"] == "fail" and 'no workspace named "sandbox project"' in row["detail"]
    assert "exactly as Amplitude spells it" in row["hint"]


FIRST_CHECKS = [
    ("amplitude", "keys and region"),
    ("amplitude-data", "token and region"),
    ("rudderstack", "token and region"),
    ("stitch", "status endpoint"),
    ("stitch", "token, client id and region"),
]


def test_an_unreachable_host_is_named_per_vendor() -> None:
    result = doctor("--json", env=sandbox_env(closed_port_url()))
    assert result.returncode == 1, result.stderr
    found = checks(result)
    for key in FIRST_CHECKS:
        assert found[key]["result"] == "fail" and "could not reach the vendor" in found[key]["detail"], key
        assert "check the base URL" in found[key]["hint"], found[key]


class _Redirects(QuietHandler):
    """A proxy or a moved API: 301 to another host, to any request."""

    def _moved(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(301)
        self.send_header("location", "https://login.example.com/")
        self.send_header("content-length", "0")
        self.end_headers()

    do_GET = do_POST = _moved


@pytest.fixture(scope="module")
def redirecting() -> Iterator[str]:
    with serving(_Redirects) as url:
        yield url


def test_a_redirect_is_a_failure_that_says_where_it_points(redirecting: str) -> None:
    result = doctor("--json", env=sandbox_env(redirecting))
    assert result.returncode == 1, result.stderr
    found = checks(result)
    for key in FIRST_CHECKS:
        row = found[key]
        assert row["result"] == "fail", row
        assert "answered 301: a redirect to https://login.example.com/" in row["detail"], row
        assert "login.example.com" in row["detail"] and "not followed" in row["detail"], row


# -- the sandbox setting behind the schema test -----------------------------------------


def test_the_sandbox_hides_only_what_its_schema_has(us: SandboxProcess) -> None:
    response = httpx.post(f"{us.url}/_sandbox/amplitude/data", json={"hide": ["Branch.nope"]}, timeout=10)
    assert response.status_code == 400 and "no Branch.nope to hide" in response.text
    shown = us.introspect("POST", "amplitude/data", {"hide": ["CreatePullRequestInput.status"]})
    assert shown["hidden"] == ["CreatePullRequestInput.status"]
    us.reset("empty")
    assert us.introspect("GET", "amplitude/data")["hidden"] == []
