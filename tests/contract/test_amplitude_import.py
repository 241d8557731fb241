"""Amplitude Taxonomy Import: each request the Data client sends, against the example in
`shared/reference/amplitude-taxonomy-import-api.md` that the test names (file:line).

GraphQL documents are compared after normalising what the GraphQL spec calls
insignificant (whitespace, commas): both sides are parsed and printed by graphql-core.
The vendor's schema, which the client reads once by introspection before anything
else, is scripted from an SDL holding exactly the reference's fields.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import build_schema, get_introspection_query, introspection_from_schema, parse, print_ast

from pulumi_taxonomy.amplitude.importer import data_client_for, data_settings
from pulumi_taxonomy.core.errors import AmbiguousWrite
from tests.contract.recording import Recorder, Sent

TOKEN = "personal-access-token"
CONNECTION = {"data_token": TOKEN}
WORKSPACE_ID = "f8373034-0073-44e9-ab15-284627d1d7d8"  # :110
MAIN_ID = "21311db5-6396-4bbd-92c9-01df946d2a11"  # :113
IMPORT_ID = "5a8c4928-f090-4244-a5fc-ee856b33fc0d"  # :156

REFERENCE_SDL = """
type Query { orgs: [Org!]! }
type Org { id: ID! workspaces(name: String): [Workspace!]! }
type Workspace { id: ID! branches(default: Boolean): [Branch!]! %(extra_workspace)s }
type Branch { id: ID! name: String! %(staging)s currentVersionId: ID }
type PullRequest { id: ID! status: String! originBranchId: ID }
type Merged { id: ID! }
input PublishVersionInput { branchId: ID! versionId: ID! description: String }
input CreatePullRequestInput {
  workspaceId: ID! originBranchId: ID! targetBranchId: ID! status: String description: String
}
input MergePullRequestInput { id: ID! originVersionId: ID! targetVersionId: ID! description: String }
type Mutation {
  %(publish)s
  createPullRequest(input: CreatePullRequestInput!): PullRequest!
  mergePullRequest(input: MergePullRequestInput!): Merged!
}
"""


def schema_answer(*, auto_save: bool = False, pull_requests: bool = False) -> dict[str, Any]:
    extra = "pullRequests: [PullRequest!]!" if pull_requests else ""
    return answer_for(sdl(staging=not auto_save, publish=not auto_save, extra_workspace=extra))


def normalised(document: str) -> str:
    return print_ast(parse(document))


def assert_graphql_call(sent: Sent) -> dict[str, Any]:
    # :34-38 and :75-78: POST /graphql on data-api.amplitude.com, JSON, bearer token.
    assert (sent.method, sent.host, sent.raw_path) == ("POST", "data-api.amplitude.com", "/graphql")
    assert sent.content_type == "application/json"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    body: dict[str, Any] = sent.json()
    return body


# amplitude-taxonomy-import-api.md:81-93, the step-1 query (the JSON string, unescaped).
VERSION_QUERY = """query VersionQuery {
    orgs {
      id
      workspaces (name: "Nimbus 2000") {
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
# :103-124, its answer.
VERSION_ANSWER = {
    "data": {
        "orgs": [
            {
                "id": "36958",
                "workspaces": [
                    {
                        "id": WORKSPACE_ID,
                        "branches": [
                            {
                                "id": MAIN_ID,
                                "name": "main",
                                "stagingVersionId": "8358649b-2a1d-48fc-852b-64b404cbdc87",
                                "currentVersionId": "1088e89d-ed9f-46cc-98d3-9896e3bd2151",
                            }
                        ],
                    }
                ],
            }
        ]
    }
}


def test_the_schema_is_read_once_by_the_spec_introspection_query(recorder: Recorder) -> None:
    # Not in the reference: the GraphQL spec's introspection, sent as the endpoint and
    # auth of :34-38 require. graphql-core's standard query, without descriptions.
    recorder.answer(200, schema_answer())
    recorder.answer(200, VERSION_ANSWER)
    recorder.answer(200, VERSION_ANSWER)
    client = data_client_for(CONNECTION)
    client.workspace("Nimbus 2000")
    client.workspace("Nimbus 2000")
    first = assert_graphql_call(recorder.sent[0])
    assert normalised(first["query"]) == normalised(get_introspection_query(descriptions=False))
    assert "variables" not in first
    assert len(recorder.sent) == 3, "one introspection, then only the lookups"


def test_step_one_looks_up_the_workspace_and_main_branch(recorder: Recorder) -> None:
    # :72-95 (the query) and :99-124 (the answer).
    recorder.answer(200, schema_answer())
    recorder.answer(200, VERSION_ANSWER)
    workspace = data_client_for(CONNECTION).workspace("Nimbus 2000")
    body = assert_graphql_call(recorder.sent[1])
    assert normalised(body["query"]) == normalised(VERSION_QUERY)
    assert "variables" not in body, "the reference inlines the name; no `$name` type to guess"
    assert (workspace.id, workspace.main.id, workspace.main.name) == (WORKSPACE_ID, MAIN_ID, "main")
    assert workspace.main.currentVersionId == "1088e89d-ed9f-46cc-98d3-9896e3bd2151"


@pytest.mark.parametrize("name", ['Nimbus "2000"', "back\\slash", "café ☕ 🎵", '") { id } } #'])
def test_a_workspace_name_is_sent_as_an_exact_string_literal(recorder: Recorder, name: str) -> None:
    recorder.answer(200, schema_answer())
    recorder.answer(200, VERSION_ANSWER)
    data_client_for(CONNECTION).workspace(name)
    query = parse(recorder.sent[1].json()["query"])
    argument = query.definitions[0].selection_set.selections[0].selection_set.selections[1].arguments[0]  # type: ignore[attr-defined]
    assert (argument.name.value, argument.value.value) == ("name", name)


def test_auto_save_schema_gets_the_lookup_without_staging_versions(recorder: Recorder) -> None:
    # The vendor's later variant (api-notes): no stagingVersionId, no publishVersion.
    recorder.answer(200, schema_answer(auto_save=True))
    recorder.answer(200, VERSION_ANSWER)
    data_client_for(CONNECTION).workspace("Nimbus 2000")
    expected = VERSION_QUERY.replace("          stagingVersionId\n", "")
    assert normalised(recorder.sent[1].json()["query"]) == normalised(expected)


def test_without_introspection_the_lookup_asks_what_both_variants_have(recorder: Recorder) -> None:
    recorder.answer(400, {"errors": [{"message": "GraphQL introspection is not allowed"}]})
    recorder.answer(200, VERSION_ANSWER)
    data_client_for(CONNECTION).workspace("Nimbus 2000")
    expected = VERSION_QUERY.replace("          stagingVersionId\n", "")
    assert normalised(recorder.sent[1].json()["query"]) == normalised(expected)


CSV = "Action,Property Type,Property Name\r\n,User Property,plan\r\n"


def test_step_two_uploads_one_csv_file_as_multipart_field_csv(recorder: Recorder) -> None:
    # :141-144: curl -H "Authorization: Bearer ..." -F csv=@my-tracking-plan.csv
    #   https://data-api.amplitude.com/import/csv/{workspaceId}/{mainBranchId}
    # :150-160, the answer.
    recorder.answer(
        200,
        {
            "importType": "stargate",
            "eventCount": 14,
            "templateCount": 0,
            "branchId": IMPORT_ID,
            "branchName": "import",
            "stagingVersionId": "6c006657-0ee7-43e6-9c1e-97b3ddaada07",
            "currentVersionId": "f3d6b525-7916-437f-bf5b-1b8e137892ae",
        },
    )
    upload = data_client_for(CONNECTION).upload(WORKSPACE_ID, MAIN_ID, "user_properties", CSV)
    sent = recorder.only()
    assert (sent.method, sent.host) == ("POST", "data-api.amplitude.com")
    assert sent.raw_path == f"/import/csv/{WORKSPACE_ID}/{MAIN_ID}"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.content_type == "multipart/form-data"
    parts = sent.parts()
    assert list(parts) == ["csv"], "exactly one file, in the field curl's -F csv=@... names"
    assert parts["csv"].filename is not None and parts["csv"].filename.endswith(".csv")
    assert parts["csv"].content.decode() == CSV
    assert (upload.branchId, upload.stagingVersionId) == (IMPORT_ID, "6c006657-0ee7-43e6-9c1e-97b3ddaada07")


def test_ids_from_the_lookup_are_escaped_in_the_upload_path(recorder: Recorder) -> None:
    recorder.answer(200, {"branchId": IMPORT_ID})
    data_client_for(CONNECTION).upload("../../graphql?x", "a/b#c", "events", CSV)
    assert recorder.only().raw_path == "/import/csv/..%2F..%2Fgraphql%3Fx/a%2Fb%23c"


# :175-191
PUBLISH = """mutation PublishVersion($input: PublishVersionInput!) {
    publishVersion(input: $input) {
      id
      name
      currentVersionId
      stagingVersionId
    }
  }"""


def test_step_three_publishes_the_import_branch(recorder: Recorder) -> None:
    # :166-192 (the mutation and its variables), :196-209 (the answer).
    recorder.answer(200, schema_answer())
    recorder.answer(
        200,
        {
            "data": {
                "publishVersion": {
                    "id": "574c4710-d85d-4a6f-bc41-8d55ca9445ec",
                    "name": "main",
                    "currentVersionId": "f030d1a5-ca67-4bac-8322-334c0231422a",
                    "stagingVersionId": "f90c0ee9-80a4-443c-b1d5-25f2af9b7a2e",
                }
            }
        },
    )
    branch = data_client_for(CONNECTION).publish(IMPORT_ID, "6c006657-0ee7-43e6-9c1e-97b3ddaada07")
    body = assert_graphql_call(recorder.sent[1])
    assert normalised(body["query"]) == normalised(PUBLISH)
    variables = body["variables"]["input"]
    assert set(variables) == {"branchId", "versionId", "description"}  # :184-188
    assert (variables["branchId"], variables["versionId"]) == (
        IMPORT_ID,
        "6c006657-0ee7-43e6-9c1e-97b3ddaada07",
    )
    assert isinstance(variables["description"], str)
    assert branch.currentVersionId == "f030d1a5-ca67-4bac-8322-334c0231422a"


# :230-235
CREATE_PULL_REQUEST = """mutation CreatePullRequest($input: CreatePullRequestInput!) {
    createPullRequest(input: $input) {
      id
      status
    }
  }"""


def test_step_four_creates_the_pull_request(recorder: Recorder) -> None:
    # :221-245 (the mutation and its variables), :249-259 (the answer).
    recorder.answer(200, schema_answer())
    recorder.answer(
        200,
        {
            "data": {
                "createPullRequest": {"id": "74508151-4177-472a-9831-81e7027cb9f0", "status": "published"}
            }
        },
    )
    pr = data_client_for(CONNECTION).create_pull_request(WORKSPACE_ID, IMPORT_ID, MAIN_ID, "2 rows")
    body = assert_graphql_call(recorder.sent[1])
    assert normalised(body["query"]) == normalised(CREATE_PULL_REQUEST)
    variables = body["variables"]["input"]
    assert {k: v for k, v in variables.items() if k != "description"} == {  # :237-243
        "workspaceId": WORKSPACE_ID,
        "originBranchId": IMPORT_ID,
        "targetBranchId": MAIN_ID,
        "status": "published",
    }
    assert isinstance(variables["description"], str)
    assert (pr.id, pr.status) == ("74508151-4177-472a-9831-81e7027cb9f0", "published")


# :274-278
MERGE_PULL_REQUEST = """mutation MergePullRequest($input: MergePullRequestInput!) {
    mergePullRequest(input: $input) {
      id
    }
  }"""


def test_step_five_merges_the_pull_request(recorder: Recorder) -> None:
    # :265-287 (the mutation and its variables), :291-300 (the answer).
    recorder.answer(200, schema_answer())
    recorder.answer(200, {"data": {"mergePullRequest": {"id": "a4a933be-f27b-499e-b79a-95a134ab9cc9"}}})
    data_client_for(CONNECTION).merge(
        "74508151-4177-472a-9831-81e7027cb9f0",
        "f030d1a5-ca67-4bac-8322-334c0231422a",
        "1088e89d-ed9f-46cc-98d3-9896e3bd2151",
    )
    body = assert_graphql_call(recorder.sent[1])
    assert normalised(body["query"]) == normalised(MERGE_PULL_REQUEST)
    variables = body["variables"]["input"]
    assert {k: v for k, v in variables.items() if k != "description"} == {  # :280-285
        "id": "74508151-4177-472a-9831-81e7027cb9f0",
        "originVersionId": "f030d1a5-ca67-4bac-8322-334c0231422a",
        "targetVersionId": "1088e89d-ed9f-46cc-98d3-9896e3bd2151",
    }


def sdl(*, staging: bool = True, publish: bool = True, extra_workspace: str = "") -> str:
    return REFERENCE_SDL % {
        "staging": "stagingVersionId: ID" if staging else "",
        "publish": "publishVersion(input: PublishVersionInput!): Branch!" if publish else "",
        "extra_workspace": extra_workspace,
    }


def answer_for(schema_sdl: str) -> dict[str, Any]:
    return {"data": introspection_from_schema(build_schema(schema_sdl))}


def test_mutation_variables_are_declared_as_the_schema_types_them(recorder: Recorder) -> None:
    # The reference declares `$input: XInput!`; a schema that types the argument
    # otherwise gets its own type, so the document still validates there.
    nullable = sdl().replace(
        "mergePullRequest(input: MergePullRequestInput!)", "mergePullRequest(input: MergePullRequestInput)"
    )
    recorder.answer(200, answer_for(nullable))
    recorder.answer(200, {"data": {"mergePullRequest": {"id": "m"}}})
    data_client_for(CONNECTION).merge("p", "o", "t")
    assert "($input: MergePullRequestInput)" in recorder.sent[1].json()["query"]


def test_an_open_pull_request_is_looked_for_only_when_the_schema_has_the_field(recorder: Recorder) -> None:
    recorder.answer(200, schema_answer())
    assert data_client_for(CONNECTION).open_pull_request("Nimbus 2000", IMPORT_ID) is None
    assert len(recorder.sent) == 1, "only the introspection: the reference has no pullRequests"


def test_the_optional_pull_requests_field_is_used_when_present(recorder: Recorder) -> None:
    recorder.answer(200, schema_answer(pull_requests=True))
    listed = [
        {"id": "other", "originBranchId": "x"},
        {"id": "pr-1", "status": "published", "originBranchId": IMPORT_ID},
    ]
    recorder.answer(200, {"data": {"orgs": [{"workspaces": [{"id": WORKSPACE_ID, "pullRequests": listed}]}]}})
    assert data_client_for(CONNECTION).open_pull_request("Nimbus 2000", IMPORT_ID) == "pr-1"
    expected = (
        'query PullRequests { orgs { workspaces(name: "Nimbus 2000") { id '
        "pullRequests { id status originBranchId } } } }"
    )
    assert normalised(recorder.sent[1].json()["query"]) == normalised(expected)


def test_check_schema_reports_what_the_client_uses_and_the_schema_lacks(recorder: Recorder) -> None:
    recorder.answer(200, schema_answer())
    assert data_client_for(CONNECTION).check_schema().ok
    broken = sdl(staging=False).replace("workspaces(name: String)", "workspaces")
    broken = broken.replace("status: String description", "title: String! description")
    recorder.answer(200, answer_for(broken))
    check = data_client_for(CONNECTION).check_schema()
    assert not check.ok and check.variant == "reference"
    text = "\n".join(check.missing)
    assert "Unknown argument 'name' on field 'Org.workspaces'" in text
    assert "CreatePullRequestInput.status does not exist" in text
    assert "CreatePullRequestInput.title is required" in text
    recorder.answer(200, {"errors": [{"message": "introspection disabled"}]})
    refused = data_client_for(CONNECTION).check_schema()
    assert (refused.ok, refused.introspection) == (
        False,
        False,
    ) and "introspection disabled" in refused.detail


def lost(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)


def test_a_lost_answer_to_a_query_is_asked_again_never_to_a_mutation(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A query changes nothing (the reference's step 1, :72-95, reads): asking again is
    # safe. A mutation's lost answer (:265-287) goes to the caller, who reads back.
    monkeypatch.setenv("PULUMI_TAXONOMY_RETRY_WAIT", "0")
    recorder.answer_with(lost)
    recorder.answer(200, schema_answer())
    recorder.answer_with(lost)
    recorder.answer(200, VERSION_ANSWER)
    client = data_client_for(CONNECTION)
    assert client.workspace("Nimbus 2000").id == WORKSPACE_ID
    recorder.answer_with(lost)
    with pytest.raises(AmbiguousWrite):
        client.merge("p", "o", "t")
    asked = [parse(sent.json()["query"]).definitions[0].name.value for sent in recorder.sent]  # type: ignore[attr-defined]
    assert asked == ["IntrospectionQuery"] * 2 + ["VersionQuery"] * 2 + ["MergePullRequest"]


def test_the_data_host_never_follows_the_rest_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    # :51-54 and :129-132: the Data API hosts, per region.
    monkeypatch.setenv("AMPLITUDE_BASE_URL", "http://127.0.0.1:8787")
    monkeypatch.delenv("AMPLITUDE_DATA_BASE_URL", raising=False)
    monkeypatch.delenv("AMPLITUDE_REGION", raising=False)
    assert data_settings(CONNECTION).base_url == "https://data-api.amplitude.com"
    assert data_settings({**CONNECTION, "region": "eu"}).base_url == "https://data-api.eu.amplitude.com"
    assert data_settings({**CONNECTION, "base_url": "https://amplitude.com"}).base_url == (
        "https://data-api.amplitude.com"
    )
    monkeypatch.setenv("AMPLITUDE_DATA_BASE_URL", "http://127.0.0.1:9999/graphql")
    assert data_settings(CONNECTION).base_url == "http://127.0.0.1:9999"
