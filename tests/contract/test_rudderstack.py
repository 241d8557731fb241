"""RudderStack Data Catalog: each request the client sends, against
`shared/reference/rudderstack-tracking-plans-api.txt` (REF below, lines named per test).

The reference's "Example request" blocks are empty, so a request is compared with the
parameter lists and the example responses (which the recorder answers with). The base
URL (`https://api.rudderstack.com/v2`, EU `api.eu.rudderstack.com`) comes from
docs/api-notes.md, since the reference's list of base URLs is empty (REF:23-25);
authentication is REF:17-21, `Authorization: Bearer <SERVICE_ACCESS_TOKEN>`.

Where RudderStack's own client (rudderlabs/rudder-iac, api/client/catalog/
trackingplans.go and api/client/event-stream/tracking-plan-connection/) does otherwise,
the test says so. Not used by our client: `PUT .../events` with identifiers (REF:438-511;
rudder-iac sends a batch `{"events": [...]}` with `?rebuildSchemas=` instead of the
reference's single `{id, properties}`).
"""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_taxonomy.core.errors import ApiError, ConfigurationError
from pulumi_taxonomy.rudderstack.client import client_for
from pulumi_taxonomy.rudderstack.models import ConnectionConfig, TrackingPlanEventInputs
from tests.contract.recording import Recorder, Sent

TOKEN = "rs-service-access-token"
CONNECTION = {"access_token": TOKEN}
HOST = "api.rudderstack.com"
PLAN_ID = "tp_5gopz6tfKxAjpS4TjuqVIeTdm7T"  # REF:56
SOURCE_ID = "2nk0qVvmxE79uIwsKebgVH4iNTR"  # REF:729
EVENT_ID = "ev_2gotMKGuOtdDY4XbSdKjkwk4qc2"  # REF:540
PLANS = "/v2/catalog/tracking-plans"

# REF:55-64, the create answer (also the shape of get and update answers).
PLAN = {
    "id": PLAN_ID,
    "name": "Product Ordered Plan",
    "description": "Tracking plan for users placing an order for the product.",
    "version": 1,
    "workspaceId": "1hitizAoFT91DD6rfFhBjiTex3e",
    "creationType": "Data catalog API",
    "createdAt": "2024-05-22T10:34:03.016Z",
    "updatedAt": "2024-05-22T10:34:03.016Z",
}
# REF:539-552, one event as listed (no properties: the example has none).
EVENT = {
    "id": EVENT_ID,
    "name": "Product Viewed",
    "description": "User viewed a product.",
    "eventType": "track",
    "categoryId": None,
    "workspaceId": "1hitizAoFT91DD6rfFhBjiTex3e",
    "createdBy": "2KDKycoVHAOLttVvzBiqw12O3Hr",
    "updatedBy": None,
    "createdAt": "2024-05-22T11:01:24.706Z",
    "updatedAt": "2024-05-22T11:01:24.706Z",
    "identitySection": "properties",
    "additionalProperties": True,
}
# REF:665-700, the sample config object.
CONFIG = {
    "page": {
        "unplannedProperties": "forward",
        "anyOtherViolation": "forward",
        "propagateValidationErrors": "true",
    },
    "track": {
        "allowUnplannedEvents": "true",
        "unplannedProperties": "forward",
        "anyOtherViolation": "forward",
        "propagateValidationErrors": "true",
    },
    "global": {
        "allowUnplannedEvents": "true",
        "unplannedProperties": "forward",
        "anyOtherViolation": "forward",
        "propagateValidationErrors": "true",
    },
}


def client() -> Any:
    return client_for(CONNECTION)


def assert_call(sent: Sent, method: str, path: str, body: bool) -> None:
    """Method, host, path as it went on the wire, bearer token; JSON only with a body."""
    assert (sent.method, sent.host, sent.raw_path) == (method, HOST, path)
    assert sent.url.scheme == "https"
    assert sent.auth_scheme == "Bearer" and sent.headers["authorization"] == f"Bearer {TOKEN}"
    if body:
        assert sent.content_type == "application/json"
    else:
        assert sent.body == b"" and "content-type" not in sent.headers


# -- tracking plans ---------------------------------------------------------------------


def test_create_plan(recorder: Recorder) -> None:
    # REF:31-49: POST /catalog/tracking-plans, name (required), description (optional);
    # REF:55-69: the answer carries the new plan's id. rudder-iac also sends `externalId`
    # (omitted when empty), which the reference does not list.
    recorder.answer(200, PLAN)
    plan = client().create_plan("Product Ordered Plan", PLAN["description"])
    sent = recorder.only()
    assert_call(sent, "POST", PLANS, body=True)
    assert sent.json() == {"name": "Product Ordered Plan", "description": PLAN["description"]}
    assert sent.query == {}
    assert plan.id == PLAN_ID


def test_create_plan_without_description_sends_no_description(recorder: Recorder) -> None:
    # REF:46-49: description is optional; rudder-iac omits it when empty too.
    recorder.answer(200, {**PLAN, "description": None})
    client().create_plan("Product Ordered Plan", None)
    assert recorder.only().json() == {"name": "Product Ordered Plan"}


def test_list_plans(recorder: Recorder) -> None:
    # REF:72-103: GET /catalog/tracking-plans -> {"trackingPlans": [...]} (not paginated).
    recorder.answer(200, {"trackingPlans": [PLAN, {**PLAN, "id": "tp_2rKxjFu6R1qot19aWhTW7W7Ojew"}]})
    plans = client().list_plans()
    assert_call(recorder.only(), "GET", PLANS, body=False)
    assert recorder.only().query == {}
    assert [p.id for p in plans] == [PLAN_ID, "tp_2rKxjFu6R1qot19aWhTW7W7Ojew"]


def test_get_plan(recorder: Recorder) -> None:
    # REF:110-139: GET /catalog/tracking-plans/{trackingPlanId}; `version` (optional) is not
    # sent. rudder-iac adds `?rebuildSchemas=false`, which the reference does not list.
    recorder.answer(200, PLAN)
    assert client().get_plan(PLAN_ID).version == 1
    assert_call(recorder.only(), "GET", f"{PLANS}/{PLAN_ID}", body=False)
    assert recorder.only().query == {}


def test_update_plan(recorder: Recorder) -> None:
    # REF:147-172: PUT /catalog/tracking-plans/{trackingPlanId} with name and/or description.
    # Both are sent, an empty description clearing it (as rudder-iac's UpdateTrackingPlan).
    renamed = {**PLAN, "name": "New Product Ordered Plan", "version": 2}
    recorder.answer(200, renamed)  # REF:178-187
    plan = client().update_plan(PLAN_ID, "New Product Ordered Plan", None)
    sent = recorder.only()
    assert_call(sent, "PUT", f"{PLANS}/{PLAN_ID}", body=True)
    assert sent.json() == {"name": "New Product Ordered Plan", "description": ""}
    assert plan.version == 2


def test_delete_plan(recorder: Recorder) -> None:
    # REF:195-224: DELETE /catalog/tracking-plans/{trackingPlanId}; the answer (no id) is
    # not relied on.
    recorder.answer(200, {k: v for k, v in PLAN.items() if k != "id"} | {"events": []})
    client().delete_plan(PLAN_ID)
    assert_call(recorder.only(), "DELETE", f"{PLANS}/{PLAN_ID}", body=False)


# -- events -------------------------------------------------------------------------------


def test_upsert_event_with_properties(recorder: Recorder) -> None:
    # REF:322-372 (POST /catalog/tracking-plans/{id}/events: name, description, eventType,
    # categoryId, properties, identitySection) and REF:374-415 (each property: name,
    # description, type, propConfig, required, additionalProperties, metadata, properties).
    # Types: several joined by commas, sorted (rudder-iac, cli/internal/providers/datacatalog/
    # state/property.go); none (any type) is "" (REF:393-395: unset allows every type).
    # rudder-iac upserts with the PATCH rules variant instead (UpsertTrackingPlan).
    inputs = TrackingPlanEventInputs.model_validate(
        {
            "tracking_plan_id": PLAN_ID,
            "name": "Product Viewed",
            "description": "User viewed a product.",
            "category_id": "cat_2gotMKGuOtdDY4XbSdKjkwk4qc2",
            "properties": [
                {"name": "product_id", "type": "string", "required": True, "rules": {"min_length": 1}},
                {"name": "coupon", "types": ["string", "null"], "description": "Code used"},
                {"name": "anything"},
                {
                    "name": "products",
                    "type": "array",
                    "additional_properties": False,
                    "metadata": {"owner": "growth"},
                    "properties": [{"name": "sku", "type": "string", "required": True}],
                },
            ],
        }
    )
    recorder.answer(200, {**PLAN, "version": 3})  # REF:421-430: the plan comes back
    client().upsert_event(PLAN_ID, inputs.wire())
    sent = recorder.only()
    assert_call(sent, "POST", f"{PLANS}/{PLAN_ID}/events", body=True)
    assert sent.json() == {
        "name": "Product Viewed",
        "description": "User viewed a product.",
        "eventType": "track",
        "categoryId": "cat_2gotMKGuOtdDY4XbSdKjkwk4qc2",
        "identitySection": "properties",
        "properties": [
            {"name": "product_id", "type": "string", "propConfig": {"minLength": 1}, "required": True},
            {
                "name": "coupon",
                "type": "null,string",
                "propConfig": {},
                "required": False,
                "description": "Code used",
            },
            {"name": "anything", "type": "", "propConfig": {}, "required": False},
            {
                "name": "products",
                "type": "array",
                "propConfig": {},
                "required": False,
                "additionalProperties": False,
                "metadata": {"owner": "growth"},
                "properties": [{"name": "sku", "type": "string", "propConfig": {}, "required": True}],
            },
        ],
    }


def test_upsert_non_track_event_sends_an_empty_name(recorder: Recorder) -> None:
    # REF:346 "For non-track events, the name should be an empty string"; REF:355-358 types.
    inputs = TrackingPlanEventInputs.model_validate(
        {
            "tracking_plan_id": PLAN_ID,
            "event_type": "identify",
            "properties": [{"name": "email", "type": "string"}],
        }
    )
    recorder.answer(200, PLAN)
    client().upsert_event(PLAN_ID, inputs.wire())
    body = recorder.only().json()
    assert (body["name"], body["eventType"], body["identitySection"]) == ("", "identify", "traits")


def test_upsert_event_with_rules(recorder: Recorder) -> None:
    # REF:249-314: PATCH /catalog/tracking-plans/{id}/events with rules (a JSON schema)
    # instead of properties; REF:252 "This endpoint will be deprecated soon." rudder-iac
    # still upserts this way (UpsertTrackingPlan, TrackingPlanUpsertEvent).
    rules = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"properties": {"type": "object", "properties": {"product_id": {"type": ["string"]}}}},
    }
    body = {"name": "Product Viewed", "eventType": "track", "identitySection": "properties", "rules": rules}
    recorder.answer(200, PLAN)  # REF:305-314
    client().upsert_event_rules(PLAN_ID, body)
    sent = recorder.only()
    assert_call(sent, "PATCH", f"{PLANS}/{PLAN_ID}/events", body=True)
    assert sent.json() == body


def test_list_events_reads_pages_until_a_short_one(recorder: Recorder) -> None:
    # REF:513-532: GET .../events?page=N (a positive integer, default 1, at most 50 pages);
    # REF:566-570: `total` is "the total number of entries in the response", so it is not
    # used to count pages: a full page asks for the next. (rudder-iac reads total as the
    # plan's count: catalog.go getAllResourcesPaginated.)
    full = [{**EVENT, "id": f"ev_{i:027d}", "name": f"Event {i}"} for i in range(50)]
    recorder.answer(200, {"data": full, "total": 50, "currentPage": 1, "pageSize": 50})
    recorder.answer(200, {"data": [EVENT], "total": 1, "currentPage": 2, "pageSize": 50})  # REF:538-556
    listing = client().event_listing(PLAN_ID)
    assert [(s.method, s.raw_path, s.query) for s in recorder.sent] == [
        ("GET", f"{PLANS}/{PLAN_ID}/events", {"page": "1"}),
        ("GET", f"{PLANS}/{PLAN_ID}/events", {"page": "2"}),
    ]
    for sent in recorder.sent:
        assert_call(sent, "GET", f"{PLANS}/{PLAN_ID}/events", body=False)
    assert len(listing.events) == 51 and listing.complete


def test_list_events_stops_at_the_documented_fifty_pages(recorder: Recorder) -> None:
    # REF:532 "The API returns a maximum of 50 pages": page 51 is never asked for.
    for page in range(1, 51):
        data = [{**EVENT, "id": f"ev_{page:03d}{i:024d}", "name": f"E {page} {i}"} for i in range(50)]
        recorder.answer(200, {"data": data, "total": 2500, "currentPage": page, "pageSize": 50})
    listing = client().event_listing(PLAN_ID)
    assert [s.query["page"] for s in recorder.sent] == [str(n) for n in range(1, 51)]
    assert len(listing.events) == 2500 and not listing.complete


def test_get_event(recorder: Recorder) -> None:
    # REF:572-606: GET .../events/{eventId}?format=properties|schema (schema is the default).
    # The example response is empty; rudder-iac asks format=properties (with
    # rebuildSchemas, which the reference does not list) and reads a property's id, name,
    # required, additionalProperties and nested properties only.
    recorder.answer(200, {**EVENT, "properties": [{"id": "prop_1", "name": "product_id", "required": True}]})
    event = client().get_event(PLAN_ID, EVENT_ID)
    sent = recorder.only()
    assert_call(sent, "GET", f"{PLANS}/{PLAN_ID}/events/{EVENT_ID}", body=False)
    assert sent.query == {"format": "properties"}
    assert event.properties == [{"id": "prop_1", "name": "product_id", "required": True}]


def test_get_event_rules(recorder: Recorder) -> None:
    # REF:590-595: format=schema answers with the rules object.
    recorder.answer(200, {**EVENT, "rules": {"type": "object"}})
    assert client().get_event_rules(PLAN_ID, EVENT_ID) == {"type": "object"}
    assert recorder.only().query == {"format": "schema"}


def test_delete_event(recorder: Recorder) -> None:
    # REF:608-630: DELETE .../events/{eventId} -> 204.
    recorder.answer(204)
    client().delete_event(PLAN_ID, EVENT_ID)
    assert_call(recorder.only(), "DELETE", f"{PLANS}/{PLAN_ID}/events/{EVENT_ID}", body=False)


def test_ids_go_into_the_path_as_one_encoded_segment(recorder: Recorder) -> None:
    # Defence in depth (ids are checked at `check`): an id from state that holds path
    # characters reaches only its own segment, and a dot segment is never sent.
    recorder.answer(204)
    client().delete_event(PLAN_ID, "ev_a/b?c#d%e")
    assert recorder.only().raw_path == f"{PLANS}/{PLAN_ID}/events/ev_a%2Fb%3Fc%23d%25e"
    for dots in (".", "..", ""):
        with pytest.raises(ConfigurationError, match="cannot name an object"):
            client().delete_event(PLAN_ID, dots)
    assert len(recorder.sent) == 1


# -- source connections ------------------------------------------------------------------


def test_connect_source(recorder: Recorder) -> None:
    # REF:636-660 (POST .../sources/{sourceId} with a non-empty body {"config": {...}}) and
    # REF:661-722 (values are strings: "forward"/"drop", "true"/"false"; only the event
    # types given). rudder-iac sends the same strings but has no `global` key (types.go).
    config = ConnectionConfig.model_validate(
        {
            "page": {
                "unplanned_properties": "forward",
                "any_other_violation": "forward",
                "propagate_validation_errors": True,
            },
            "track": {
                "allow_unplanned_events": True,
                "unplanned_properties": "forward",
                "any_other_violation": "forward",
                "propagate_validation_errors": True,
            },
            "global": {
                "allow_unplanned_events": True,
                "unplanned_properties": "forward",
                "any_other_violation": "forward",
                "propagate_validation_errors": True,
            },
        }
    )
    recorder.answer(200, {"sourceId": SOURCE_ID, "trackingPlanId": PLAN_ID, "config": CONFIG})  # REF:728-765
    client().connect(PLAN_ID, SOURCE_ID, config.wire())
    sent = recorder.only()
    assert_call(sent, "POST", f"{PLANS}/{PLAN_ID}/sources/{SOURCE_ID}", body=True)
    assert sent.json() == {"config": CONFIG}


def test_update_connection(recorder: Recorder) -> None:
    # REF:777-800: PUT .../sources/{sourceId} with {"config": {...}}; answer REF:869-904.
    config = {"track": {"anyOtherViolation": "drop"}}
    recorder.answer(200, {"config": config})
    client().update_connection(PLAN_ID, SOURCE_ID, config)
    sent = recorder.only()
    assert_call(sent, "PUT", f"{PLANS}/{PLAN_ID}/sources/{SOURCE_ID}", body=True)
    assert sent.json() == {"config": config}


def test_list_connections(recorder: Recorder) -> None:
    # REF:916-981: GET .../sources -> {"connections": [...]} (rudder-iac has no list call).
    recorder.answer(
        200,
        {
            "connections": [
                {"sourceId": SOURCE_ID, "trackingPlanId": PLAN_ID, "config": {"track": CONFIG["track"]}}
            ]
        },
    )
    [connection] = client().list_connections(PLAN_ID)
    assert_call(recorder.only(), "GET", f"{PLANS}/{PLAN_ID}/sources", body=False)
    assert ConnectionConfig.from_wire(connection.config).track is not None


def test_disconnect_source(recorder: Recorder) -> None:
    # REF:983-1004: DELETE .../sources/{sourceId} -> 204.
    recorder.answer(204)
    client().disconnect(PLAN_ID, SOURCE_ID)
    assert_call(recorder.only(), "DELETE", f"{PLANS}/{PLAN_ID}/sources/{SOURCE_ID}", body=False)


def test_eu_region_host(recorder: Recorder) -> None:
    # docs/api-notes.md: EU workspaces answer on api.eu.rudderstack.com (same paths).
    recorder.answer(200, {"trackingPlans": []})
    client_for({"access_token": TOKEN, "region": "eu"}).list_plans()
    assert (recorder.only().host, recorder.only().raw_path) == ("api.eu.rudderstack.com", PLANS)


def test_an_answer_without_the_documented_fields_is_an_error_for_people(recorder: Recorder) -> None:
    # REF:55-69: the create answer carries the new plan's id; without it nothing is assumed.
    recorder.answer(200, {"name": "Product Ordered Plan"})
    with pytest.raises(
        ApiError, match="RudderStack POST /v2/catalog/tracking-plans answered 200: the answer is"
    ):
        client().create_plan("Product Ordered Plan", None)
