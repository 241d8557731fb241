"""The emulated Amplitude Data side: GraphQL, CSV upload, branches, versions, PRs, merge."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pulumi_taxonomy.amplitude.importcsv import ImportEvent, ImportPlan, ImportProperty, write_plan
from pulumi_taxonomy.testing import SandboxProcess, running_sandbox
from tests.conftest import amplitude_client

TOKEN = {"authorization": "Bearer sandbox-data-token"}
BRANCHES = """query { orgs { id workspaces(name: "Sandbox Project") { id
  branches { id name currentVersionId stagingVersionId } pullRequests { id status } } } }"""
PUBLISH = """mutation P($input: PublishVersionInput!) {
  publishVersion(input: $input) { id name currentVersionId stagingVersionId } }"""
CREATE_PR = "mutation C($input: CreatePullRequestInput!) { createPullRequest(input: $input) { id status } }"
MERGE = "mutation M($input: MergePullRequestInput!) { mergePullRequest(input: $input) { id } }"
PLAN = ImportPlan(
    events=[
        ImportEvent(
            name="Song Played",
            category="Playback",
            description="Started.",
            properties=[ImportProperty(name="position", type="number", is_required=True)],
        )
    ]
)


class Data:
    def __init__(self, sandbox: SandboxProcess) -> None:
        self.url = sandbox.url

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, headers=TOKEN
        )
        body: dict[str, Any] = response.json()
        body["status"] = response.status_code
        return body

    def workspace(self) -> dict[str, Any]:
        ws: dict[str, Any] = self.gql(BRANCHES)["data"]["orgs"][0]["workspaces"][0]
        ws["by_name"] = {b["name"]: b for b in ws["branches"]}
        return ws

    def upload(self, csv: str) -> httpx.Response:
        ws = self.workspace()
        return httpx.post(
            f"{self.url}/import/csv/{ws['id']}/{ws['by_name']['main']['id']}",
            files={"csv": ("plan.csv", csv)},
            headers=TOKEN,
        )

    def publish(self, branch: str, version: str) -> dict[str, Any]:
        return self.gql(PUBLISH, {"input": {"branchId": branch, "versionId": version, "description": ""}})

    def pull_request(self, origin: str) -> dict[str, Any]:
        ws = self.workspace()
        return self.gql(
            CREATE_PR,
            {
                "input": {
                    "workspaceId": ws["id"],
                    "originBranchId": origin,
                    "targetBranchId": ws["by_name"]["main"]["id"],
                    "status": "published",
                }
            },
        )

    def merge(self, pr: str, origin_version: str, target_version: str) -> dict[str, Any]:
        return self.gql(
            MERGE, {"input": {"id": pr, "originVersionId": origin_version, "targetVersionId": target_version}}
        )


@pytest.fixture
def data(sandbox: SandboxProcess) -> Data:
    sandbox.reset("empty")
    return Data(sandbox)


def events(sandbox: SandboxProcess) -> list[str]:
    with amplitude_client(sandbox) as amp:
        return [e["event_type"] for e in amp.get("/event").json()["data"]]


def test_reference_flow_lands_in_main_and_cleans_up(data: Data, sandbox: SandboxProcess) -> None:
    main_before = data.workspace()["by_name"]["main"]
    upload = data.upload(write_plan(PLAN))
    assert upload.status_code == 200
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
    with amplitude_client(sandbox) as amp:
        props = amp.get("/event-property", params={"event_type": "Song Played"}).json()["data"]
        assert [(p["event_property"], p["type"], p["is_required"]) for p in props] == [
            ("position", "number", True)
        ]
        assert amp.get("/event/Song Played").json()["data"]["category"] == {"name": "Playback"}
    ws = data.workspace()
    assert list(ws["by_name"]) == ["main"] and ws["pullRequests"] == []
    assert ws["by_name"]["main"]["currentVersionId"] != main_before["currentVersionId"]


def test_published_versions_are_immutable_and_order_is_enforced(data: Data) -> None:
    body = data.upload(write_plan(PLAN)).json()
    early_pr = data.pull_request(body["branchId"])
    assert "publish its staging version first" in early_pr["errors"][0]["message"]
    published = data.publish(body["branchId"], body["stagingVersionId"])["data"]["publishVersion"]
    again = data.publish(body["branchId"], body["stagingVersionId"])
    assert "immutable" in again["errors"][0]["message"]
    pr = data.pull_request(body["branchId"])["data"]["createPullRequest"]
    assert "already open" in data.pull_request(body["branchId"])["errors"][0]["message"]
    main = data.workspace()["by_name"]["main"]
    stale = data.merge(pr["id"], published["currentVersionId"], "not-the-current-version")
    assert "stale" in stale["errors"][0]["message"]
    wrong_origin = data.merge(pr["id"], body["stagingVersionId"] + "x", main["currentVersionId"])
    assert "originVersionId" in wrong_origin["errors"][0]["message"]


def test_an_upload_replaces_the_import_branch_and_its_pull_request(data: Data) -> None:
    first = data.upload(write_plan(PLAN)).json()
    data.publish(first["branchId"], first["stagingVersionId"])
    data.pull_request(first["branchId"])
    second = data.upload(write_plan(PLAN)).json()
    ws = data.workspace()
    assert ws["by_name"]["import"]["id"] == second["branchId"] != first["branchId"]
    assert ws["pullRequests"] == []


@pytest.mark.parametrize(
    ("mutate", "contains"),
    [
        (lambda csv: csv.replace("Enum Values,", ""), "missing columns: Enum Values"),
        (lambda csv: csv.replace(",number,", ",date,"), "column 'Property Value Type'"),
        (lambda csv: csv.replace(",TRUE,", ",yes,", 1), "not a boolean"),
    ],
)
def test_malformed_csv_is_refused_naming_row_and_column(data: Data, mutate: Any, contains: str) -> None:
    before = data.workspace()
    response = data.upload(mutate(write_plan(PLAN)))
    assert response.status_code == 400
    assert contains in response.json()["error"] and "row " in response.json()["error"]
    after = data.workspace()
    assert after["branches"] == before["branches"] and after["pullRequests"] == []


@pytest.mark.parametrize("step", ["upload", "publish", "pull_request", "merge"])
def test_a_failed_step_leaves_main_untouched(data: Data, sandbox: SandboxProcess, step: str) -> None:
    sandbox.introspect("POST", "amplitude/import/fail", {"step": step, "times": 1})
    main = data.workspace()["by_name"]["main"]
    upload = data.upload(write_plan(PLAN))
    if step == "upload":
        assert upload.status_code == 500
        assert list(data.workspace()["by_name"]) == ["main"]
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
    assert data.workspace()["by_name"]["main"] == main


def test_queries_are_validated_by_the_schema_and_authenticated(data: Data, sandbox: SandboxProcess) -> None:
    assert "Cannot query field" in data.gql("query { orgs { nope } }")["errors"][0]["message"]
    other = data.gql('query { orgs { workspaces(name: "Other") { id } } }')
    assert other["data"]["orgs"][0]["workspaces"] == []
    assert httpx.post(f"{sandbox.url}/graphql", json={"query": "{ orgs { id } }"}).status_code == 401
    assert httpx.post(f"{sandbox.url}/graphql", content=b"nope", headers=TOKEN).status_code == 400


@pytest.fixture(scope="module")
def auto_save() -> Iterator[SandboxProcess]:
    with running_sandbox("--data-auto-save") as process:
        yield process


def test_auto_save_variant_has_no_staging_and_no_publish(auto_save: SandboxProcess) -> None:
    data = Data(auto_save)
    assert "stagingVersionId" in data.gql(BRANCHES)["errors"][0]["message"]
    query = (
        'query { orgs { workspaces(name: "Sandbox Project") { id branches { id name currentVersionId } } } }'
    )
    ws = data.gql(query)["data"]["orgs"][0]["workspaces"][0]
    main = next(b for b in ws["branches"] if b["name"] == "main")
    upload = httpx.post(
        f"{auto_save.url}/import/csv/{ws['id']}/{main['id']}",
        files={"csv": ("p.csv", write_plan(PLAN))},
        headers=TOKEN,
    ).json()
    assert "stagingVersionId" not in upload
    refused = data.gql(PUBLISH, {"input": {"branchId": "x", "versionId": "y"}})["errors"]
    assert any("PublishVersion" in e["message"] or "publishVersion" in e["message"] for e in refused)
    pr = data.gql(
        CREATE_PR,
        {
            "input": {
                "workspaceId": ws["id"],
                "originBranchId": upload["branchId"],
                "targetBranchId": main["id"],
            }
        },
    )["data"]["createPullRequest"]
    assert data.merge(pr["id"], upload["currentVersionId"], main["currentVersionId"])["data"]
    assert events(auto_save) == ["Song Played"]
