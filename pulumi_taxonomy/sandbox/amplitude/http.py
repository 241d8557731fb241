"""HTTP face of the emulated Amplitude Taxonomy API (`/api/2/taxonomy/...`).

Parses requests into typed values, calls `AmplitudeTaxonomy`, and renders the
vendor's envelopes. No rules live here, only how the wire is read:

- each endpoint reads the parameters the reference defines for it, and refuses others;
- GETs read them from the query string or a form body (the two versions of the page
  show one each); every other method reads the form body only, as the current page
  shows it: a per-event `DELETE /event-property/X?event_type=E` is a delete of the
  shared property, as it would be at a vendor that follows that page [I];
- a name in a path must be one path segment naming one object: `/`, `\\`, `.` and `..`
  are refused, encoded or not, as front ends decode or normalise them [I].
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pulumi_taxonomy.sandbox.amplitude.models import EventChanges, PropertyChanges
from pulumi_taxonomy.sandbox.amplitude.state import (
    EVENT_SCOPE,
    GROUP_SCOPE,
    AmplitudeError,
    AmplitudeTaxonomy,
    OverrideScope,
)
from pulumi_taxonomy.sandbox.config import SandboxConfig
from pulumi_taxonomy.sandbox.forms import FormError, path_name, read_form, read_params, split_list
from pulumi_taxonomy.sandbox.gate import VendorPolicy
from pulumi_taxonomy.sandbox.limits import CostLimiter

BASE = "/api/2/taxonomy"
CONCURRENT_COST_LIMIT = 4
HOURLY_COST_LIMIT = 7200

ChangesT = TypeVar("ChangesT", EventChanges, PropertyChanges)
Handler = Callable[[Request], Awaitable[Response]]


def envelope_ok(data: Any = None) -> JSONResponse:
    return JSONResponse({"success": True} if data is None else {"success": True, "data": data})


def envelope_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"success": False, "errors": [{"message": message}]}, status_code=status)


def request_cost(method: str) -> int:
    return 1 if method.upper() in ("GET", "HEAD") else 2


def policy(config: SandboxConfig) -> VendorPolicy:
    expected = f"{config.amplitude_api_key}:{config.amplitude_secret_key}".encode()

    def authenticate(headers: Headers) -> str | None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            given = base64.b64decode(token.strip(), validate=True)
        except (binascii.Error, ValueError):
            return None
        return config.amplitude_api_key if hmac.compare_digest(given, expected) else None

    limiter = CostLimiter(CONCURRENT_COST_LIMIT, HOURLY_COST_LIMIT, config.hour_seconds)
    return VendorPolicy(
        name="amplitude",
        prefixes=(BASE,),
        authenticate=authenticate,
        error_response=envelope_error,
        cost=request_cost,
        limiter=limiter,
    )


PROPERTY_FIELDS = ("description", "type", "regex", "enum_values", "is_array_type", "classifications")
EVENT_FIELDS = tuple(EventChanges.model_fields)
"""The fields the reference lists for event updates, and those the notes list for event types."""

# The parameters each endpoint reads: the reference's, no more [D]; others are refused [I].
CATEGORY_PARAMS = ("category_name",)
EVENT_CREATE_PARAMS = ("event_type", "category", "description")
EVENT_UPDATE_PARAMS = ("new_event_type", *EVENT_FIELDS)
EVENT_PROPERTY_CREATE_PARAMS = ("event_property", "event_type", *PROPERTY_FIELDS, "is_required")
EVENT_PROPERTY_UPDATE_PARAMS = (
    "event_type",
    "overrideScope",
    "new_event_property_value",
    *PROPERTY_FIELDS,
    "is_required",
)
USER_PROPERTY_CREATE_PARAMS = ("user_property", *PROPERTY_FIELDS)
USER_PROPERTY_UPDATE_PARAMS = ("new_user_property_value", *PROPERTY_FIELDS)
GROUP_PROPERTY_CREATE_PARAMS = ("group_property", "group_type", *PROPERTY_FIELDS)
GROUP_PROPERTY_UPDATE_PARAMS = ("group_type", "overrideScope", "new_group_property_value", *PROPERTY_FIELDS)


def _property_changes(t: AmplitudeTaxonomy, params: dict[str, str], *, updating: bool) -> PropertyChanges:
    params = _effective(t, params, updating)
    raw: dict[str, Any] = {}
    for field in ("description", "type", "regex", "is_array_type", "is_required"):
        if field in params:
            raw[field] = params[field]
    if "enum_values" in params:
        raw["enum_values"] = split_list(params["enum_values"])
    if "classifications" in params:
        t.require_data_access_controls()
        raw["classifications"] = split_list(params["classifications"])
    return _validated(PropertyChanges, raw)


def _event_changes(t: AmplitudeTaxonomy, params: dict[str, str]) -> EventChanges:
    params = _effective(t, params, updating=True)
    raw: dict[str, Any] = {k: v for k, v in params.items() if k in EventChanges.model_fields}
    if "tags" in raw:
        raw["tags"] = split_list(raw["tags"])
    return _validated(EventChanges, raw)


def _effective(t: AmplitudeTaxonomy, params: dict[str, str], updating: bool) -> dict[str, str]:
    """An update's parameters as the project reads them: with `empty_values=ignore`, an
    empty value changes nothing (a vendor that drops empty fields)."""
    if updating and t.settings().empty_values == "ignore":
        return {k: v for k, v in params.items() if v != ""}
    return params


def _validated(model: type[ChangesT], raw: dict[str, Any]) -> ChangesT:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        raise AmplitudeError(400, f"Invalid value for {field}: {error['msg']}") from None


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if value is None or not value.strip():
        raise AmplitudeError(400, f"Missing required parameter: {name}")
    return value


def _optional(params: dict[str, str], name: str) -> str | None:
    value = params.get(name)
    return value if value else None


def _override_scope(params: dict[str, str]) -> OverrideScope | None:
    value = params.get("overrideScope")
    if value in (None, ""):
        return None
    if value not in ("override", "shared"):
        raise AmplitudeError(400, f'Invalid value for overrideScope: "{value}" (use override or shared)')
    return "override" if value == "override" else "shared"


def _flag(params: dict[str, str], name: str) -> bool:
    return params.get(name, "").strip().lower() == "true"


def _one_segment(name: str) -> str:
    """A name from a path, refused unless it is exactly one ordinary segment."""
    if name in (".", "..") or "/" in name or "\\" in name:
        raise AmplitudeError(
            400, f"Invalid name in path: {name!r} (slashes and dot segments do not name one object)"
        )
    return name


def routes(taxonomy: AmplitudeTaxonomy) -> list[Route]:
    t = taxonomy

    def endpoint(
        work: Callable[[Request, dict[str, str]], Any], allowed: tuple[str, ...], refusal_as_false: bool
    ) -> Handler:
        async def handle(request: Request) -> Response:
            try:
                if not t.settings().taxonomy:
                    # A project without the Taxonomy API answers 404 to everything [D].
                    return envelope_error(404, "Not found")
                params = await (read_params(request) if request.method == "GET" else read_form(request))
                unknown = sorted(set(params) - set(allowed))
                if unknown:
                    raise AmplitudeError(400, f"Unknown parameter: {unknown[0]}")
                return envelope_ok(work(request, params))
            except FormError as exc:
                return envelope_error(400, str(exc))
            except AmplitudeError as exc:
                if refusal_as_false and exc.status == 409:
                    # The user-property page documents these answers as `true` or `false`
                    # only: a refusal is 200 `{"success": false}`, with no reason [D].
                    return JSONResponse({"success": False})
                return envelope_error(exc.status, exc.message)

        return handle

    def name(prefix: str, suffix: str = "") -> Callable[[Request], str]:
        return lambda request: _one_segment(path_name(request, f"{BASE}/{prefix}/", suffix))

    category = name("category")
    event = name("event")
    event_restore = name("event", "/restore")
    prop = name("event-property")
    prop_restore = name("event-property", "/restore")
    user = name("user-property")
    user_restore = name("user-property", "/restore")
    group = name("group-property")

    def create_event(r: Request, p: dict[str, str]) -> None:
        t.create_event(_required(p, "event_type"), _optional(p, "category"), p.get("description"))

    def update_event(r: Request, p: dict[str, str]) -> None:
        t.update_event(event(r), _optional(p, "new_event_type"), _event_changes(t, p))

    def list_or_get_event_properties(r: Request, p: dict[str, str]) -> Any:
        # `GET /event-property?event_property=X` is one of the page's two spellings of
        # "get a single event property" (the other puts the name in the path).
        if "event_property" in p:
            return t.get_scoped(EVENT_SCOPE, p["event_property"], _optional(p, "event_type"))
        return t.list_scoped(EVENT_SCOPE, _optional(p, "event_type"))

    def create_event_property(r: Request, p: dict[str, str]) -> None:
        t.create_scoped(
            EVENT_SCOPE,
            _required(p, "event_property"),
            _optional(p, "event_type"),
            _property_changes(t, p, updating=False),
        )

    def update_event_property(r: Request, p: dict[str, str]) -> None:
        t.update_scoped(
            EVENT_SCOPE,
            prop(r),
            _optional(p, "event_type"),
            _override_scope(p),
            _property_changes(t, p, updating=True),
            _optional(p, "new_event_property_value"),
        )

    def create_group_property(r: Request, p: dict[str, str]) -> None:
        t.create_scoped(
            GROUP_SCOPE,
            _required(p, "group_property"),
            _optional(p, "group_type"),
            _property_changes(t, p, updating=False),
        )

    def update_group_property(r: Request, p: dict[str, str]) -> None:
        t.update_scoped(
            GROUP_SCOPE,
            group(r),
            _optional(p, "group_type"),
            _override_scope(p),
            _property_changes(t, p, updating=True),
            _optional(p, "new_group_property_value"),
        )

    def create_user_property(r: Request, p: dict[str, str]) -> None:
        own_name = _required(p, "user_property")
        t.create_user_property(t.custom_user_property(own_name), _property_changes(t, p, updating=False))

    def update_user_property(r: Request, p: dict[str, str]) -> None:
        new_name = _optional(p, "new_user_property_value")
        t.update_user_property(
            user(r),
            _property_changes(t, p, updating=True),
            t.custom_user_property(new_name) if new_name is not None else None,
        )

    def route(
        path: str,
        method: str,
        work: Callable[[Request, dict[str, str]], Any],
        allowed: tuple[str, ...] = (),
        refusal_as_false: bool = False,
    ) -> Route:
        return Route(BASE + path, endpoint(work, allowed, refusal_as_false), methods=[method])

    collection_and_items = [
        route("/category", "GET", lambda r, p: t.list_categories()),
        route(
            "/category",
            "POST",
            lambda r, p: t.create_category(_required(p, "category_name")),
            CATEGORY_PARAMS,
        ),
        route("/category/{category_name:path}", "GET", lambda r, p: t.get_category(category(r))),
        route(
            "/category/{category_id:path}",
            "PUT",
            lambda r, p: t.rename_category(category(r), _required(p, "category_name")),
            CATEGORY_PARAMS,
        ),
        route("/category/{category_id:path}", "DELETE", lambda r, p: t.delete_category(category(r))),
        route(
            "/event",
            "GET",
            lambda r, p: t.list_events(show_deleted=_flag(p, "showDeleted")),
            ("showDeleted",),
        ),
        route("/event", "POST", create_event, EVENT_CREATE_PARAMS),
        route(
            "/event/{event_type:path}/restore",
            "POST",
            lambda r, p: t.restore_event(event_restore(r)),
        ),
        route("/event/{event_type:path}", "GET", lambda r, p: t.get_event(event(r))),
        route("/event/{event_type:path}", "PUT", update_event, EVENT_UPDATE_PARAMS),
        route("/event/{event_type:path}", "DELETE", lambda r, p: t.delete_event(event(r))),
        route("/event-property", "GET", list_or_get_event_properties, ("event_type", "event_property")),
        route("/event-property", "POST", create_event_property, EVENT_PROPERTY_CREATE_PARAMS),
        route(
            "/event-property/{event_property:path}/restore",
            "POST",
            lambda r, p: t.restore_event_property(prop_restore(r)),
        ),
        route(
            "/event-property/{event_property:path}",
            "GET",
            lambda r, p: t.get_scoped(EVENT_SCOPE, prop(r), _optional(p, "event_type")),
            ("event_type",),
        ),
        route(
            "/event-property/{event_property:path}",
            "PUT",
            update_event_property,
            EVENT_PROPERTY_UPDATE_PARAMS,
        ),
        route(
            "/event-property/{event_property:path}",
            "DELETE",
            lambda r, p: t.delete_event_property(prop(r), _optional(p, "event_type")),
            ("event_type",),
        ),
        route("/user-property", "GET", lambda r, p: t.list_user_properties()),
        route(
            "/user-property",
            "POST",
            create_user_property,
            USER_PROPERTY_CREATE_PARAMS,
            refusal_as_false=True,
        ),
        route(
            "/user-property/{user_property:path}/restore",
            "POST",
            lambda r, p: t.restore_user_property(user_restore(r)),
        ),
        route("/user-property/{user_property:path}", "GET", lambda r, p: t.get_user_property(user(r))),
        route(
            "/user-property/{user_property:path}",
            "PUT",
            update_user_property,
            USER_PROPERTY_UPDATE_PARAMS,
            refusal_as_false=True,
        ),
        route(
            "/user-property/{user_property:path}",
            "DELETE",
            lambda r, p: t.delete_user_property(user(r)),
        ),
        route(
            "/group-property",
            "GET",
            lambda r, p: t.list_scoped(GROUP_SCOPE, _optional(p, "group_type")),
            ("group_type",),
        ),
        route("/group-property", "POST", create_group_property, GROUP_PROPERTY_CREATE_PARAMS),
        route(
            "/group-property/{group_property:path}",
            "GET",
            lambda r, p: t.get_scoped(GROUP_SCOPE, group(r), _optional(p, "group_type")),
            ("group_type",),
        ),
        route(
            "/group-property/{group_property:path}",
            "PUT",
            update_group_property,
            GROUP_PROPERTY_UPDATE_PARAMS,
        ),
    ]
    # The docs spell some collection URLs with a trailing slash (`POST .../user-property/`):
    # serve those too, ahead of the item routes that would read it as an empty name.
    slashed = [
        Route(r.path + "/", r.endpoint, methods=r.methods) for r in collection_and_items if "{" not in r.path
    ]
    return slashed + collection_and_items
