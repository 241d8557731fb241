"""The read-only probes of `pulumi-taxonomy doctor`: each request a vendor's probe sends,
against the reference example it follows (file:line per test), and the wrong-region
rule (a credential refused by one region's host is tried, read-only, on the other's).

Only reads go out, and the endpoints the references document as storing nothing:
Amplitude's list GETs, the Data API's `OrgQuery` and introspection, RudderStack's plan
list, Stitch's status and `/validate`.
"""

from __future__ import annotations

import pytest
from graphql import OperationDefinitionNode, OperationType, build_schema, parse, validate

from pulumi_taxonomy.amplitude import client as amplitude
from pulumi_taxonomy.amplitude import importer
from pulumi_taxonomy.rudderstack import client as rudderstack
from pulumi_taxonomy.stitch import client as stitch
from tests.contract.amplitude_examples import BASIC, CONNECTION, assert_example
from tests.contract.recording import Recorder
from tests.contract.test_amplitude_import import REFERENCE_SDL, normalised, schema_answer

SETTINGS = (
    "AMPLITUDE_BASE_URL",
    "AMPLITUDE_REGION",
    "AMPLITUDE_DATA_BASE_URL",
    "RUDDERSTACK_BASE_URL",
    "RUDDERSTACK_REGION",
    "STITCH_BASE_URL",
    "STITCH_REGION",
)
UNAUTHORIZED = {"success": False, "errors": [{"message": "Invalid API key"}]}
NOT_FOUND = {"success": False, "errors": [{"message": "Not found"}]}
EMPTY = {"success": True, "data": []}


@pytest.fixture(autouse=True)
def defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hosts of each vendor's default region, one attempt per request, no backoff."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PULUMI_TAXONOMY_RETRIES", "1")
    monkeypatch.setenv("PULUMI_TAXONOMY_RETRY_WAIT", "0")


# -- Amplitude REST ---------------------------------------------------------------------


def test_amplitude_probe_reads_every_list_once(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:122-127 (categories), :416-419 (events), :782-788 (event
    # properties), :1194-1197 (user properties), :1587 (group properties): GETs, Basic auth.
    recorder.answer(200, {"success": True, "data": [{"id": 412931, "name": "Attribution"}]})
    for _ in range(len(amplitude.PROBED_LISTS) - 1):
        recorder.answer(200, EMPTY)
    credentials, taxonomy = amplitude.probe(CONNECTION)
    assert (credentials.outcome, taxonomy.outcome) == ("pass", "pass"), (credentials, taxonomy)
    assert "categories: 1, events: 0, event properties: 0" in taxonomy.detail
    paths = [f"/api/2/taxonomy/{kind}" for kind in amplitude.PROBED_LISTS]
    assert len(recorder.sent) == len(paths)
    for sent, path in zip(recorder.sent, paths, strict=True):
        assert_example(sent, "GET", path)
        assert sent.body == b""


def test_amplitude_keys_of_the_other_region_say_so(recorder: Recorder) -> None:
    # :19-21: the standard and the EU residency hosts. Keys refused by one are tried, with
    # the same Basic auth and a GET, on the other.
    recorder.answer(401, UNAUTHORIZED)
    recorder.answer(200, {"success": True, "data": []})
    credentials, taxonomy = amplitude.probe(CONNECTION)
    assert credentials.outcome == "fail" and credentials.refused
    assert "belongs to a project in the EU region: set region eu" in credentials.hint
    assert "AMPLITUDE_REGION=eu" in credentials.hint
    assert taxonomy.outcome == "skip"
    here, there = recorder.sent
    assert (here.host, there.host) == ("amplitude.com", "analytics.eu.amplitude.com")
    assert (there.method, there.raw_path) == ("GET", "/api/2/taxonomy/category")
    assert there.headers["authorization"] == BASIC


def test_amplitude_keys_refused_everywhere_get_the_general_advice(recorder: Recorder) -> None:
    recorder.answer(403, UNAUTHORIZED)
    recorder.answer(401, UNAUTHORIZED)
    credentials, _ = amplitude.probe(CONNECTION)
    assert credentials.outcome == "fail" and "refused the API key and secret key (403" in credentials.detail
    assert "other environments" in credentials.hint and "belongs to" not in credentials.hint
    assert CONNECTION["secret_key"] not in credentials.detail + credentials.hint


def test_an_explicit_base_url_is_never_swapped_for_a_region(recorder: Recorder) -> None:
    recorder.answer(401, UNAUTHORIZED)
    credentials, _ = amplitude.probe({**CONNECTION, "base_url": "https://amplitude.example.com"})
    assert credentials.refused and "belongs to" not in credentials.hint
    assert recorder.only().host == "amplitude.example.com"


def test_a_project_without_the_taxonomy_api(recorder: Recorder) -> None:
    # :1343: "If your subscription doesn't qualify, the call results in a 404".
    for _ in amplitude.PROBED_LISTS:
        recorder.answer(404, NOT_FOUND)
    credentials, taxonomy = amplitude.probe(CONNECTION)
    assert credentials.outcome == "skip" and "cannot be told" in credentials.detail
    assert taxonomy.outcome == "fail" and "every Taxonomy list answers 404" in taxonomy.detail
    assert "Enterprise plan" in taxonomy.hint
    assert all(sent.method == "GET" for sent in recorder.sent)


# -- Amplitude Data ---------------------------------------------------------------------


def org_answer() -> dict[str, object]:
    return {"data": {"orgs": [{"id": "36958"}]}}


def test_data_probe_sends_the_reference_token_example_then_introspects(recorder: Recorder) -> None:
    # amplitude-taxonomy-import-api.md:34-44: POST /graphql on data-api.amplitude.com,
    # JSON, `Authorization: Bearer {personal-access-token}`, `query OrgQuery { orgs { id } }`.
    recorder.answer(200, org_answer())
    recorder.answer(200, schema_answer())
    token, schema = importer.probe({"data_token": "pat"})
    assert (token.outcome, schema.outcome) == ("pass", "pass"), (token, schema)
    first, second = recorder.sent
    assert (first.method, first.host, first.raw_path) == ("POST", "data-api.amplitude.com", "/graphql")
    assert first.content_type == "application/json" and first.headers["authorization"] == "Bearer pat"
    expected = "query OrgQuery {\n  orgs {\n    id\n  }\n}"
    assert normalised(first.json()["query"]) == normalised(expected)
    reference = build_schema(REFERENCE_SDL % {"extra_workspace": "", "staging": "", "publish": ""})
    assert validate(reference, parse(first.json()["query"])) == []
    assert "__schema" in second.json()["query"], "then one introspection"
    for sent in recorder.sent:  # reads only: no GraphQL mutation
        definitions = parse(sent.json()["query"]).definitions
        operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
        assert [o.operation for o in operations] == [OperationType.QUERY]


def test_data_token_of_the_other_region_says_so(recorder: Recorder) -> None:
    # :51-54: the two GraphQL hosts.
    recorder.answer(401, {"errors": [{"message": "Unauthorized"}]})
    recorder.answer(200, org_answer())
    token, schema, workspace = importer.probe({"data_token": "pat"}, workspace="Nimbus 2000")
    assert token.refused and "belongs to a project in the EU region" in token.hint
    assert (schema.outcome, workspace.outcome) == ("skip", "skip")
    assert [sent.host for sent in recorder.sent] == ["data-api.amplitude.com", "data-api.eu.amplitude.com"]
    assert recorder.sent[1].headers["authorization"] == "Bearer pat"


def test_data_schema_lacking_a_field_names_it(recorder: Recorder) -> None:
    recorder.answer(200, org_answer())
    broken = schema_answer()
    types = broken["data"]["__schema"]["types"]  # type: ignore[index]
    branch = next(t for t in types if t["name"] == "Branch")
    branch["fields"] = [f for f in branch["fields"] if f["name"] != "currentVersionId"]
    recorder.answer(200, broken)
    _, schema = importer.probe({"data_token": "pat"})
    assert schema.outcome == "fail"
    assert "Cannot query field 'currentVersionId' on type 'Branch'" in schema.detail
    assert "Upgrade pulumi-taxonomy" in schema.hint


def test_data_schema_without_introspection_is_a_warning(recorder: Recorder) -> None:
    recorder.answer(200, org_answer())
    recorder.answer(400, {"errors": [{"message": "GraphQL introspection is not allowed"}]})
    _, schema = importer.probe({"data_token": "pat"})
    assert schema.outcome == "warn" and schema.ok and "introspection is not allowed" in schema.detail


# -- RudderStack --------------------------------------------------------------------------


def test_rudderstack_token_of_the_other_region_says_so(recorder: Recorder) -> None:
    # rudderstack-tracking-plans-api.txt:17-21 (bearer), :72-74 (GET /catalog/tracking-plans);
    # hosts from docs/api-notes.md:84 (the reference's list is empty).
    recorder.answer(401, {"error": "Invalid credentials"})
    recorder.answer(200, {"trackingPlans": []})
    [token] = rudderstack.probe({"access_token": "rs-token"})
    assert token.refused and "belongs to a workspace in the EU region" in token.hint
    assert "RUDDERSTACK_REGION=eu" in token.hint
    here, there = recorder.sent
    assert (here.host, there.host) == ("api.rudderstack.com", "api.eu.rudderstack.com")
    for sent in (here, there):
        assert (sent.method, sent.raw_path) == ("GET", "/v2/catalog/tracking-plans")
        assert sent.headers["authorization"] == "Bearer rs-token"


# -- Stitch -------------------------------------------------------------------------------


def test_stitch_token_of_the_other_region_says_so(recorder: Recorder) -> None:
    # stitch-import-api.md:224: validate "will validate your credentials" and stores
    # nothing (:191); hosts from docs/api-notes.md:107.
    recorder.answer(200, {"name": "pipeline.gate", "status": "OK"})
    recorder.answer(401, {"status": "ERROR", "message": "Not Authenticated"})
    recorder.answer(200, {"status": "OK"})
    status, credentials = stitch.probe({"access_token": "st-token", "client_id": 4231})
    assert status.outcome == "pass" and credentials.refused
    assert "belongs to an account in the EU region: set region eu" in credentials.hint
    hosts = [(sent.method, sent.host, sent.raw_path) for sent in recorder.sent]
    assert hosts == [
        ("GET", "api.stitchdata.com", "/v2/import/status"),
        ("POST", "api.stitchdata.com", "/v2/import/validate"),
        ("POST", "api.eu-central-1.stitchdata.com", "/v2/import/validate"),
    ]
    assert recorder.sent[2].json()[0]["table_name"] == stitch.PROBE_TABLE


def test_ok_answers_are_unchanged_by_the_region_rule(recorder: Recorder) -> None:
    recorder.answer(200, {"trackingPlans": []})
    [token] = rudderstack.probe({"access_token": "rs-token"})
    assert token.outcome == "pass" and token.hint == "" and len(recorder.sent) == 1
