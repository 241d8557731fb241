"""The emulated Amplitude Data side: a schema with exactly the reference's fields, CSV
uploads of one documented file each, branches, versions, pull requests, merge, and a
GraphQL endpoint that answers malformed or costly requests with a 4xx, quickly."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import build_client_schema, get_introspection_query, get_named_type

from pulumi_taxonomy.amplitude.importcsv import (
    EVENT_COLUMNS,
    ImportEvent,
    ImportPlan,
    ImportProperty,
    ImportUserProperty,
    write_plan,
)
from pulumi_taxonomy.amplitude.importer import DataClient, data_client_for
from pulumi_taxonomy.testing import SandboxProcess, introspect, running_sandbox
from tests.conftest import amplitude_client

TOKEN = {"authorization": "Bearer sandbox-data-token"}
LOOKUP = """query VersionQuery { orgs { id workspaces(name: "Sandbox Project") { id
  branches(default: true) { id name stagingVersionId currentVersionId } } } }"""
PUBLISH = """mutation PublishVersion($input: PublishVersionInput!) {
  publishVersion(input: $input) { id name currentVersionId stagingVersionId } }"""
CREATE_PR = """mutation CreatePullRequest($input: CreatePullRequestInput!) {
  createPullRequest(input: $input) { id status } }"""
MERGE = "mutation MergePullRequest($input: MergePullRequestInput!) { mergePullRequest(input: $input) { id } }"
PLAN = ImportPlan(
    events=[
        ImportEvent(
            name="Song Played",
            category="Playback",
            description="Started.",
            properties=[ImportProperty(name="position", type="number", is_required=True)],
        )
    ],
    user_properties=[ImportUserProperty(name="plan", type="enum", enum_values=["free", "pro"])],
)
FILES = write_plan(PLAN)


class Data:
    def __init__(self, sandbox: SandboxProcess) -> None:
        self.url = sandbox.url

    def post(self, body: Any, **kwargs: Any) -> httpx.Response:
        return httpx.post(f"{self.url}/graphql", json=body, headers=TOKEN, timeout=10, **kwargs)

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post({"query": query, "variables": variables})
        body: dict[str, Any] = response.json()
        body["status"] = response.status_code
        return body

    def main(self) -> dict[str, Any]:
        workspace = self.gql(LOOKUP)["data"]["orgs"][0]["workspaces"][0]
        return {"workspace": workspace["id"], **workspace["branches"][0]}

    def state(self) -> dict[str, Any]:
        body: dict[str, Any] = introspect(self.url, "GET", "amplitude/data")
        return body

    def upload(self, csv: str) -> httpx.Response:
        main = self.main()
        return httpx.post(
            f"{self.url}/import/csv/{main['workspace']}/{main['id']}",
            files={"csv": ("plan.csv", csv)},
            headers=TOKEN,
            timeout=10,
        )

    def publish(self, branch: str, version: str) -> dict[str, Any]:
        return self.gql(PUBLISH, {"input": {"branchId": branch, "versionId": version, "description": ""}})

    def pull_request(self, origin: str) -> dict[str, Any]:
        main = self.main()
        return self.gql(
            CREATE_PR,
            {
                "input": {
                    "workspaceId": main["workspace"],
                    "originBranchId": origin,
                    "targetBranchId": main["id"],
                    "status": "published",
                    "description": "",
                }
            },
        )

    def merge(self, pr: str, origin_version: str, target_version: str) -> dict[str, Any]:
        return self.gql(
            MERGE,
            {
                "input": {
                    "id": pr,
                    "originVersionId": origin_version,
                    "targetVersionId": target_version,
                    "description": "",
                }
            },
        )

    def import_file(self, csv: str) -> None:
        """The reference's whole flow for one file."""
        before = self.main()
        body = self.upload(csv).json()
        published = self.publish(body["branchId"], body["stagingVersionId"])["data"]["publishVersion"]
        pr = self.pull_request(body["branchId"])["data"]["createPullRequest"]
        assert self.merge(pr["id"], published["currentVersionId"], before["currentVersionId"])["data"]


@pytest.fixture
def data(sandbox: SandboxProcess) -> Data:
    sandbox.reset("empty")
    return Data(sandbox)


def events(sandbox: SandboxProcess) -> list[str]:
    with amplitude_client(sandbox) as amp:
        return [e["event_type"] for e in amp.get("/event").json()["data"]]


def test_the_reference_flow_lands_each_file_in_main_and_cleans_up(
    data: Data, sandbox: SandboxProcess
) -> None:
    main_before = data.main()
    upload = data.upload(FILES["events"])
    assert upload.status_code == 200, upload.text
    body = upload.json()
    assert (body["importType"], body["eventCount"], body["branchName"]) == ("stargate", 1, "import")
    assert events(sandbox) == [], "nothing reaches main before the merge"
    published = data.publish(body["branchId"], body["stagingVersionId"])["data"]["publishVersion"]
    assert published["currentVersionId"] == body["stagingVersionId"]
    assert published["stagingVersionId"] not in (None, body["stagingVersionId"])
    pr = data.pull_request(body["branchId"])["data"]["createPullRequest"]
    assert pr["status"] == "published"
    assert data.merge(pr["id"], published["currentVersionId"], main_before["currentVersionId"])["data"]
    assert events(sandbox) == ["Song Played"]
    data.import_file(FILES["user_properties"])
    with amplitude_client(sandbox) as amp:
        props = amp.get("/event-property", params={"event_type": "Song Played"}).json()["data"]
        assert [(p["event_property"], p["type"], p["is_required"]) for p in props] == [
            ("position", "number", True)
        ]
        assert amp.get("/event/Song Played").json()["data"]["category"] == {"name": "Playback"}
        assert amp.get("/user-property/gp:plan").json()["data"]["enum_values"] == "free,pro"
    state = data.state()
    assert [b["name"] for b in state["branches"]] == ["main"] and state["pull_requests"] == []
    assert data.main()["currentVersionId"] != main_before["currentVersionId"]


REFERENCE_STEP_ONE = """query VersionQuery {
    orgs {
      id
      workspaces (name: "Sandbox Project") {
        id
        branches (default: true) {
          id
          name
          stagingVersionId
          currentVersionId
        }
      }
    }
  }"""
"""amplitude-taxonomy-import-api.md:81-93, verbatim but for the workspace's name."""


def test_the_reference_own_step_one_query_is_answered(data: Data) -> None:
    answer = data.gql(REFERENCE_STEP_ONE)
    assert answer["status"] == 200, answer
    branch = answer["data"]["orgs"][0]["workspaces"][0]["branches"][0]
    assert set(branch) == {"id", "name", "stagingVersionId", "currentVersionId"} and branch["name"] == "main"


def schema_fields(data: Data) -> dict[str, set[str]]:
    answer = data.gql(get_introspection_query(descriptions=False))
    schema = build_client_schema(answer["data"])
    found: dict[str, set[str]] = {}
    for name, kind in schema.type_map.items():
        if name.startswith("__") or not hasattr(kind, "fields"):
            continue
        found[name] = set()
        for field_name, spec in kind.fields.items():
            args = getattr(spec, "args", {})
            found[name].add(field_name + (f"({','.join(args)})" if args else ""))
            assert get_named_type(spec.type) is not None
    return found


def test_the_schema_has_exactly_the_fields_and_arguments_the_reference_shows(data: Data) -> None:
    assert schema_fields(data) == {
        "Query": {"orgs"},
        "Org": {"id", "workspaces(name)"},
        "Workspace": {"id", "branches(default)"},
        "Branch": {"id", "name", "stagingVersionId", "currentVersionId"},
        "PullRequest": {"id", "status"},
        "MergedPullRequest": {"id"},
        "Mutation": {"publishVersion(input)", "createPullRequest(input)", "mergePullRequest(input)"},
        "PublishVersionInput": {"branchId", "versionId", "description"},
        "CreatePullRequestInput": {
            "workspaceId",
            "originBranchId",
            "targetBranchId",
            "status",
            "description",
        },
        "MergePullRequestInput": {"id", "originVersionId", "targetVersionId", "description"},
    }
    # What the client asked before: an undocumented field, and a nullable `$name`.
    old = "query W($name: String) { orgs { workspaces(name: $name) { id pullRequests { id } } } }"
    refused = data.gql(old, {"name": "Sandbox Project"})
    assert refused["status"] == 400
    messages = " ".join(e["message"] for e in refused["errors"])
    assert "Cannot query field 'pullRequests'" in messages and "String!" in messages


def test_published_versions_are_immutable_and_order_is_enforced(data: Data) -> None:
    body = data.upload(FILES["events"]).json()
    early_pr = data.pull_request(body["branchId"])
    assert "publish its staging version first" in early_pr["errors"][0]["message"]
    published = data.publish(body["branchId"], body["stagingVersionId"])["data"]["publishVersion"]
    again = data.publish(body["branchId"], body["stagingVersionId"])
    assert "immutable" in again["errors"][0]["message"]
    pr = data.pull_request(body["branchId"])["data"]["createPullRequest"]
    assert "already open" in data.pull_request(body["branchId"])["errors"][0]["message"]
    main = data.main()
    stale = data.merge(pr["id"], published["currentVersionId"], "not-the-current-version")
    assert "stale" in stale["errors"][0]["message"]
    wrong_origin = data.merge(pr["id"], body["stagingVersionId"] + "x", main["currentVersionId"])
    assert "originVersionId" in wrong_origin["errors"][0]["message"]
    no_description = data.gql(
        MERGE, {"input": {"id": pr["id"], "originVersionId": "a", "targetVersionId": "b"}}
    )
    assert no_description["status"] == 400 and "description" in no_description["errors"][0]["message"]


def test_an_upload_replaces_the_import_branch_and_its_pull_request(data: Data) -> None:
    first = data.upload(FILES["events"]).json()
    data.publish(first["branchId"], first["stagingVersionId"])
    data.pull_request(first["branchId"])
    second = data.upload(FILES["events"]).json()
    state = data.state()
    assert [b["id"] for b in state["branches"] if b["name"] == "import"] == [second["branchId"]]
    assert second["branchId"] != first["branchId"] and state["pull_requests"] == []


@pytest.mark.parametrize(
    ("mutate", "contains"),
    [
        (lambda csv: csv.replace("Enum Values,", ""), "missing columns of the events file: Enum Values"),
        (lambda csv: csv.replace(",number,", ",date,"), "column 'Property Value Type'"),
        (lambda csv: csv.replace(",True,", ",yes,", 1), "not a boolean"),
        (lambda csv: csv.replace(",True,", ",TRUE,", 1), "not a boolean"),
    ],
)
def test_malformed_csv_is_refused_naming_row_and_column(data: Data, mutate: Any, contains: str) -> None:
    before = data.state()
    response = data.upload(mutate(FILES["events"]))
    assert response.status_code == 400
    assert contains in response.json()["error"] and "row " in response.json()["error"]
    assert data.state()["branches"] == before["branches"]


def test_a_file_mixing_events_and_user_properties_is_refused_naming_the_column(data: Data) -> None:
    # What the client sent before: the events file plus a `Property Name` column and
    # user-property rows.
    header = ",".join([*EVENT_COLUMNS, "Property Name"])
    row = ",".join("User Property" if c == "Property Type" else "" for c in EVENT_COLUMNS) + ",plan"
    response = data.upload(f"{header}\r\n{row}\r\n")
    assert response.status_code == 400
    assert "column 'Property Name'" in response.json()["error"] and "mixes" in response.json()["error"]
    lines = FILES["events"].splitlines()
    user_row_in_events = lines[0] + "\r\n" + lines[2].replace("Event Property", "User Property") + "\r\n"
    response = data.upload(user_row_in_events)
    assert response.status_code == 400 and "user-property file" in response.json()["error"]
    assert [b["name"] for b in data.state()["branches"]] == ["main"]


@pytest.mark.parametrize("step", ["upload", "publish", "pull_request", "merge"])
def test_a_failed_step_leaves_main_untouched(data: Data, sandbox: SandboxProcess, step: str) -> None:
    sandbox.introspect("POST", "amplitude/import/fail", {"step": step, "times": 1})
    main = data.main()
    upload = data.upload(FILES["events"])
    if step == "upload":
        assert upload.status_code == 500
        assert [b["name"] for b in data.state()["branches"]] == ["main"]
        return
    body = upload.json()
    published = data.publish(body["branchId"], body["stagingVersionId"])
    if step == "publish":
        assert published["status"] == 500 and "injected" in published["errors"][0]["message"]
    else:
        pr = data.pull_request(body["branchId"])
        if step == "pull_request":
            assert pr["status"] == 500
        else:
            version = published["data"]["publishVersion"]["currentVersionId"]
            merged = data.merge(pr["data"]["createPullRequest"]["id"], version, main["currentVersionId"])
            assert merged["status"] == 500
    assert events(sandbox) == []
    assert data.main() == main


def test_queries_are_validated_by_the_schema_and_authenticated(data: Data, sandbox: SandboxProcess) -> None:
    assert "Cannot query field" in data.gql("query { orgs { nope } }")["errors"][0]["message"]
    other = data.gql('query { orgs { workspaces(name: "Other") { id } } }')
    assert other["data"]["orgs"][0]["workspaces"] == []
    assert httpx.post(f"{sandbox.url}/graphql", json={"query": "{ orgs { id } }"}).status_code == 401


FRAGMENT_BOMB = "query { ...F3 } fragment F0 on Query { orgs { id id id id id id id id id id } } " + " ".join(
    f"fragment F{i} on Query {{ {' '.join([f'...F{i - 1}'] * 10)} }}" for i in (1, 2, 3)
)
"""10,000 fields once expanded, in 300 characters."""


@pytest.mark.parametrize(
    ("body", "contains"),
    [
        (b"nope", "must be JSON"),
        (b"[1, 2]", "JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "must be JSON"),
        (json.dumps({"query": 42}).encode(), "`query` is a string"),
        (json.dumps({"query": "{ orgs { id } }", "variables": [1]}).encode(), "`variables` must be"),
        (json.dumps({"query": "{ orgs { id } }", "variables": "x"}).encode(), "`variables` must be"),
        (json.dumps({"query": "{ orgs { id } }", "operationName": 3}).encode(), "`operationName`"),
        (json.dumps({"query": "{ orgs { "}).encode(), "Syntax Error"),
        (json.dumps({"query": "{ " + "orgs { id } " * 5000 + "}"}).encode(), "longer than"),
        (
            json.dumps({"query": "{" + " ".join(f"a{i}: orgs {{ id }}" for i in range(40)) + "}"}).encode(),
            "alias",
        ),
        (json.dumps({"query": "{" + "orgs {" * 30 + "id" + "}" * 31}).encode(), "levels deep"),
        (json.dumps({"query": FRAGMENT_BOMB}).encode(), "more than"),
        (json.dumps({"query": MERGE, "variables": {"input": {"id": 1}}}).encode(), "invalid value"),
    ],
)
def test_malformed_or_costly_requests_get_a_4xx(data: Data, body: bytes, contains: str) -> None:
    response = httpx.post(
        f"{data.url}/graphql",
        content=body,
        headers={**TOKEN, "content-type": "application/json"},
        timeout=10,
    )
    assert 400 <= response.status_code < 500, response.text[:300]
    assert contains in response.json()["errors"][0]["message"]


def test_twenty_thousand_aliases_are_refused_without_stalling_the_server(data: Data) -> None:
    query = "{" + " ".join(f"a{i}: orgs {{ id }}" for i in range(20_000)) + "}"
    started = time.monotonic()
    response = data.post({"query": query})
    assert response.status_code in (400, 413)
    assert time.monotonic() - started < 5.0  # refused by size, not after parsing 20,000 aliases
    assert data.main()["name"] == "main", "the server still answers"


def test_a_body_over_the_limit_is_refused(data: Data) -> None:
    response = data.post({"query": "{ orgs { id } }", "padding": "x" * 2_000_000})
    assert response.status_code == 413


def test_introspection_can_be_turned_off_and_the_workspace_renamed(data: Data) -> None:
    settings = httpx.post(
        f"{data.url}/_sandbox/amplitude/data", json={"introspection": False, "workspace_name": "Renamed"}
    ).json()
    assert settings["introspection"] is False and settings["workspace"]["name"] == "Renamed"
    refused = data.gql(get_introspection_query(descriptions=False))
    assert refused["status"] == 400 and "introspection" in refused["errors"][0]["message"]
    assert data.gql(LOOKUP)["data"]["orgs"][0]["workspaces"] == [], "the old name finds nothing"
    renamed = data.gql(LOOKUP.replace("Sandbox Project", "Renamed"))["data"]["orgs"][0]["workspaces"]
    assert renamed[0]["id"] == settings["workspace"]["id"], "a rename keeps the id"


@pytest.fixture(scope="module")
def auto_save() -> Iterator[SandboxProcess]:
    with running_sandbox("--data-auto-save") as process:
        yield process


def test_auto_save_variant_has_no_staging_and_no_publish(auto_save: SandboxProcess) -> None:
    data = Data(auto_save)
    assert "stagingVersionId" in data.gql(LOOKUP)["errors"][0]["message"]
    query = (
        'query { orgs { workspaces(name: "Sandbox Project") { id '
        "branches(default: true) { id name currentVersionId } } } }"
    )
    ws = data.gql(query)["data"]["orgs"][0]["workspaces"][0]
    main = ws["branches"][0]
    upload = httpx.post(
        f"{auto_save.url}/import/csv/{ws['id']}/{main['id']}",
        files={"csv": ("p.csv", FILES["events"])},
        headers=TOKEN,
    ).json()
    assert "stagingVersionId" not in upload
    refused = data.gql(PUBLISH, {"input": {"branchId": "x", "versionId": "y", "description": ""}})["errors"]
    assert any("PublishVersion" in e["message"] or "publishVersion" in e["message"] for e in refused)
    pr = data.gql(
        CREATE_PR,
        {
            "input": {
                "workspaceId": ws["id"],
                "originBranchId": upload["branchId"],
                "targetBranchId": main["id"],
                "status": "published",
                "description": "",
            }
        },
    )["data"]["createPullRequest"]
    assert data.merge(pr["id"], upload["currentVersionId"], main["currentVersionId"])["data"]
    assert events(auto_save) == ["Song Played"]


def data_client(sandbox: SandboxProcess) -> DataClient:
    return data_client_for({"data_token": "sandbox-data-token", "data_base_url": sandbox.url})


def test_the_client_finds_every_field_it_uses_in_both_variants(
    data: Data, sandbox: SandboxProcess, auto_save: SandboxProcess
) -> None:
    # What `pulumi-taxonomy doctor` will show: read-only, one introspection each.
    before = sandbox.stats()["by_route"].get("POST /graphql", 0)
    reference = data_client(sandbox).check_schema()
    assert (reference.ok, reference.variant, reference.missing) == (True, "reference", [])
    assert reference.optional == {"Workspace.pullRequests": False}
    assert sandbox.stats()["by_route"]["POST /graphql"] == before + 1
    later = data_client(auto_save).check_schema()
    assert (later.ok, later.variant) == (True, "auto-save")
    httpx.post(f"{data.url}/_sandbox/amplitude/data", json={"introspection": False}).raise_for_status()
    refused = data_client(sandbox).check_schema()
    assert (refused.ok, refused.introspection) == (False, False) and "introspection" in refused.detail


@pytest.mark.parametrize(
    ("files", "content"),
    [
        ([("csv", ("plan.csv", "Action,Event\n")), ("csv", ("more.csv", "Action,Event\n"))], None),
        ([(f"f{i}", (None, "x")) for i in range(12)], None),  # more fields than a CSV upload has
        (None, b"--nope\r\nContent-Disposition: form-data\r\n\r\nx"),  # a part without a name, cut short
    ],
    ids=["two-files", "twelve-fields", "broken-body"],
)
def test_a_malformed_upload_is_a_json_400_not_a_crash(
    data: Data, files: list[Any] | None, content: bytes | None
) -> None:
    main = data.main()
    headers = {**TOKEN} if files else {**TOKEN, "content-type": "multipart/form-data; boundary=nope"}
    response = httpx.post(
        f"{data.url}/import/csv/{main['workspace']}/{main['id']}",
        files=files,
        content=content,
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 400, response.text
    assert "multipart/form-data" in response.json().get("error", ""), response.text
