"""HTTP face of the emulated Amplitude Taxonomy API (`/api/2/taxonomy/...`).

Parses requests into typed values, calls `AmplitudeTaxonomy`, and renders the
vendor's envelopes. No rules live here.
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
from pulumi_taxonomy.sandbox.forms import FormError, path_name, read_params, split_list
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


def _property_changes(params: dict[str, str]) -> PropertyChanges:
    raw: dict[str, Any] = {}
    for field in ("description", "type", "regex", "is_array_type", "is_required"):
        if field in params:
            raw[field] = params[field]
    if "enum_values" in params:
        raw["enum_values"] = split_list(params["enum_values"])
    if "classifications" in params:
        raw["classifications"] = split_list(params["classifications"])
    return _validated(PropertyChanges, raw)


def _event_changes(params: dict[str, str]) -> EventChanges:
    raw: dict[str, Any] = {k: v for k, v in params.items() if k in EventChanges.model_fields}
    if "tags" in raw:
        raw["tags"] = split_list(raw["tags"])
    return _validated(EventChanges, raw)


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


def routes(taxonomy: AmplitudeTaxonomy) -> list[Route]:
    t = taxonomy

    def endpoint(work: Callable[[Request, dict[str, str]], Any]) -> Handler:
        async def handle(request: Request) -> Response:
            try:
                params = await read_params(request)
                return envelope_ok(work(request, params))
            except FormError as exc:
                return envelope_error(400, str(exc))
            except AmplitudeError as exc:
                return envelope_error(exc.status, exc.message)

        return handle

    def name(prefix: str, suffix: str = "") -> Callable[[Request], str]:
        return lambda request: path_name(request, f"{BASE}/{prefix}/", suffix)

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
        t.update_event(event(r), _optional(p, "new_event_type"), _event_changes(p))

    def create_event_property(r: Request, p: dict[str, str]) -> None:
        t.create_scoped(
            EVENT_SCOPE,
            _required(p, "event_property"),
            _optional(p, "event_type"),
            _property_changes(p),
        )

    def update_event_property(r: Request, p: dict[str, str]) -> None:
        t.update_scoped(
            EVENT_SCOPE,
            prop(r),
            _optional(p, "event_type"),
            _override_scope(p),
            _property_changes(p),
            _optional(p, "new_event_property_value"),
        )

    def create_group_property(r: Request, p: dict[str, str]) -> None:
        t.create_scoped(
            GROUP_SCOPE,
            _required(p, "group_property"),
            _optional(p, "group_type"),
            _property_changes(p),
        )

    def update_group_property(r: Request, p: dict[str, str]) -> None:
        t.update_scoped(
            GROUP_SCOPE,
            group(r),
            _optional(p, "group_type"),
            _override_scope(p),
            _property_changes(p),
            _optional(p, "new_group_property_value"),
        )

    def create_user_property(r: Request, p: dict[str, str]) -> None:
        t.create_user_property(_required(p, "user_property"), _property_changes(p))

    def update_user_property(r: Request, p: dict[str, str]) -> None:
        t.update_user_property(user(r), _property_changes(p), _optional(p, "new_user_property_value"))

    def route(path: str, method: str, work: Callable[[Request, dict[str, str]], Any]) -> Route:
        return Route(BASE + path, endpoint(work), methods=[method])

    collection_and_items = [
        route("/category", "GET", lambda r, p: t.list_categories()),
        route("/category", "POST", lambda r, p: t.create_category(_required(p, "category_name"))),
        route("/category/{category_name:path}", "GET", lambda r, p: t.get_category(category(r))),
        route(
            "/category/{category_id:path}",
            "PUT",
            lambda r, p: t.rename_category(category(r), _required(p, "category_name")),
        ),
        route("/category/{category_id:path}", "DELETE", lambda r, p: t.delete_category(category(r))),
        route("/event", "GET", lambda r, p: t.list_events(show_deleted=_flag(p, "showDeleted"))),
        route("/event", "POST", create_event),
        route(
            "/event/{event_type:path}/restore",
            "POST",
            lambda r, p: t.restore_event(event_restore(r)),
        ),
        route("/event/{event_type:path}", "GET", lambda r, p: t.get_event(event(r))),
        route("/event/{event_type:path}", "PUT", update_event),
        route("/event/{event_type:path}", "DELETE", lambda r, p: t.delete_event(event(r))),
        route(
            "/event-property",
            "GET",
            lambda r, p: (
                t.list_scoped(EVENT_SCOPE, _optional(p, "event_type"))
                if "event_property" not in p
                else t.get_scoped(EVENT_SCOPE, p["event_property"], _optional(p, "event_type"))
            ),
        ),
        route("/event-property", "POST", create_event_property),
        route(
            "/event-property/{event_property:path}/restore",
            "POST",
            lambda r, p: t.restore_event_property(prop_restore(r), _optional(p, "event_type")),
        ),
        route(
            "/event-property/{event_property:path}",
            "GET",
            lambda r, p: t.get_scoped(EVENT_SCOPE, prop(r), _optional(p, "event_type")),
        ),
        route("/event-property/{event_property:path}", "PUT", update_event_property),
        route(
            "/event-property/{event_property:path}",
            "DELETE",
            lambda r, p: t.delete_event_property(prop(r), _optional(p, "event_type")),
        ),
        route("/user-property", "GET", lambda r, p: t.list_user_properties()),
        route("/user-property", "POST", create_user_property),
        route(
            "/user-property/{user_property:path}/restore",
            "POST",
            lambda r, p: t.restore_user_property(user_restore(r)),
        ),
        route("/user-property/{user_property:path}", "GET", lambda r, p: t.get_user_property(user(r))),
        route("/user-property/{user_property:path}", "PUT", update_user_property),
        route(
            "/user-property/{user_property:path}",
            "DELETE",
            lambda r, p: t.delete_user_property(user(r)),
        ),
        route(
            "/group-property",
            "GET",
            lambda r, p: t.list_scoped(GROUP_SCOPE, _optional(p, "group_type")),
        ),
        route("/group-property", "POST", create_group_property),
        route(
            "/group-property/{group_property:path}",
            "GET",
            lambda r, p: t.get_scoped(GROUP_SCOPE, group(r), _optional(p, "group_type")),
        ),
        route("/group-property/{group_property:path}", "PUT", update_group_property),
    ]
    # The docs spell some collection URLs with a trailing slash (`POST .../user-property/`):
    # serve those too, ahead of the item routes that would read it as an empty name.
    slashed = [
        Route(r.path + "/", r.endpoint, methods=r.methods) for r in collection_and_items if "{" not in r.path
    ]
    return slashed + collection_and_items
