"""A typed client of the Amplitude Taxonomy REST API: one method per endpoint.

Names go in paths URL-encoded; parameters go form-encoded in the body (in the query
for GET and DELETE). Vendor errors become `NotFound`, `Conflict`, `RateLimited`,
`AuthError` or `ApiError` carrying Amplitude's message. Reads of whole lists go
through a per-process cache that every write invalidates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter

from pulumi_taxonomy.amplitude.models import (
    AmplitudeConnection,
    Category,
    EventPropertyInfo,
    EventTypeInfo,
    GroupPropertyInfo,
    UserPropertyInfo,
)
from pulumi_taxonomy.core import credentials
from pulumi_taxonomy.core.cache import ReadCache
from pulumi_taxonomy.core.errors import (
    ApiError,
    ConfigurationError,
    Conflict,
    NotFound,
    VendorError,
    common_error,
)
from pulumi_taxonomy.core.http import Registry, VendorHttp, fingerprint, vendor_http
from pulumi_taxonomy.core.limits import CostPolicy

BASE_URLS = {"us": "https://amplitude.com", "eu": "https://analytics.eu.amplitude.com"}
TAXONOMY = "/api/2/taxonomy"
CONCURRENT_COST = 4
HOURLY_COST = 7200

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class AmplitudeSettings:
    api_key: str
    secret_key: str
    base_url: str
    hour_seconds: float

    def __repr__(self) -> str:  # never show the keys
        return f"AmplitudeSettings(base_url={self.base_url!r})"


def settings_for(connection: AmplitudeConnection | Mapping[str, Any] | None) -> AmplitudeSettings:
    """`connection` input > stack config > environment, per setting."""
    api_key = credentials.resolve(connection, "api_key", "amplitudeApiKey", "AMPLITUDE_API_KEY")
    secret_key = credentials.resolve(connection, "secret_key", "amplitudeSecretKey", "AMPLITUDE_SECRET_KEY")
    if not api_key or not secret_key:
        raise ConfigurationError(
            "Amplitude credentials are missing: give the resource a `connection` with api_key and "
            "secret_key, or set the stack config amplitudeApiKey/amplitudeSecretKey (--secret), or the "
            "environment variables AMPLITUDE_API_KEY/AMPLITUDE_SECRET_KEY."
        )
    region_host = credentials.region_url(
        connection, "Amplitude", "amplitudeRegion", "AMPLITUDE_REGION", BASE_URLS
    )
    base_url = (
        credentials.resolve(connection, "base_url", "amplitudeBaseUrl", "AMPLITUDE_BASE_URL") or region_host
    )
    hour = credentials.resolve(connection, "hour_seconds", "amplitudeHourSeconds", "AMPLITUDE_HOUR_SECONDS")
    try:
        hour_seconds = float(hour or 3600)
        if not 0 < hour_seconds < math.inf:
            raise ValueError(hour)
    except ValueError:
        raise ConfigurationError(
            f"Amplitude hour_seconds must be a positive number of seconds, not {hour!r}"
        ) from None
    return AmplitudeSettings(api_key, secret_key, normalize_base_url(base_url), hour_seconds)


def normalize_base_url(url: str) -> str:
    """Accept the documented `https://amplitude.com/api/2/` as well as the bare host."""
    url = url.rstrip("/")
    for suffix in ("/api/2/taxonomy", "/api/2"):
        url = url.removesuffix(suffix)
    return url


def request_cost(method: str) -> int:
    return 1 if method.upper() == "GET" else 2


def error_for(call: str, response: httpx.Response) -> VendorError:
    message = _vendor_message(response)
    status = response.status_code
    lowered = message.lower()
    common = common_error(call, status, message)
    if common is not None:
        return common
    if status == 404 or (status == 400 and lowered.strip(". ") == "not found"):
        return NotFound(call, status, message)
    if status == 409 and ("does not exist" in lowered or "not in schema" in lowered):
        return NotFound(call, status, message)
    if status == 409:
        return Conflict(call, status, message)
    return ApiError(call, status, message)


def _vendor_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500] or response.reason_phrase
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message", errors[0]))
        if "error" in body:
            return str(body["error"])
    return str(body)[:500]


def is_deleted_conflict(error: VendorError) -> bool:
    return isinstance(error, Conflict) and "deleted" in error.vendor_message.lower()


def is_exists_conflict(error: VendorError) -> bool:
    return isinstance(error, Conflict) and "already exists" in error.vendor_message.lower()


def _path(kind: str, name: str, suffix: str = "") -> str:
    return f"{TAXONOMY}/{kind}/{quote(name, safe='')}{suffix}"


def _form(**fields: Any) -> dict[str, str]:
    """Form fields, leaving out None; booleans and lists as Amplitude spells them."""
    form: dict[str, str] = {}
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, bool):
            form[key] = "true" if value else "false"
        elif isinstance(value, list | tuple):
            form[key] = ",".join(str(v) for v in value)
        else:
            form[key] = str(value)
    return form


class AmplitudeClient:
    def __init__(self, http: VendorHttp) -> None:
        self.http = http
        self.cache = ReadCache()

    # -- plumbing -------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self.http.request("GET", path, params=params).json().get("data")

    def _write(
        self, method: str, path: str, form: Mapping[str, str] | None = None, query: bool = False
    ) -> None:
        try:
            if query:
                self.http.request(method, path, params=form)
            else:
                self.http.request(method, path, data=form)
        finally:
            # Even a failed or lost write may have changed something.
            self.cache.invalidate()

    @staticmethod
    def _parse(model: type[T], data: Any) -> T:
        return model.model_validate(data)

    @staticmethod
    def _parse_list(model: type[T], data: Any) -> list[T]:
        return TypeAdapter(list[model]).validate_python(data or [])  # type: ignore[valid-type]

    # -- categories -----------------------------------------------------------------

    def list_categories(self) -> list[Category]:
        return self.cache.get(
            ("categories",), lambda: self._parse_list(Category, self._get(f"{TAXONOMY}/category"))
        )

    def get_category(self, name: str) -> Category:
        return self._parse(Category, self._get(_path("category", name)))

    def create_category(self, name: str) -> None:
        self._write("POST", f"{TAXONOMY}/category", _form(category_name=name))

    def rename_category(self, category_id: int, name: str) -> None:
        self._write("PUT", f"{TAXONOMY}/category/{category_id}", _form(category_name=name))

    def delete_category(self, category_id: int) -> None:
        self._write("DELETE", f"{TAXONOMY}/category/{category_id}")

    # -- event types ----------------------------------------------------------------

    def list_events(self, show_deleted: bool = False) -> list[EventTypeInfo]:
        params = {"showDeleted": "true"} if show_deleted else None
        return self.cache.get(
            ("events", show_deleted),
            lambda: self._parse_list(EventTypeInfo, self._get(f"{TAXONOMY}/event", params)),
        )

    def get_event(self, name: str) -> EventTypeInfo:
        return self._parse(EventTypeInfo, self._get(_path("event", name)))

    def create_event(self, name: str, category: str | None, description: str | None) -> None:
        self._write(
            "POST", f"{TAXONOMY}/event", _form(event_type=name, category=category, description=description)
        )

    def update_event(
        self,
        name: str,
        *,
        new_name: str | None = None,
        category: str | None = None,
        description: str | None = None,
        display_name: str | None = None,
    ) -> None:
        form = _form(
            new_event_type=new_name, category=category, description=description, display_name=display_name
        )
        self._write("PUT", _path("event", name), form)

    def delete_event(self, name: str) -> None:
        self._write("DELETE", _path("event", name))

    def restore_event(self, name: str) -> None:
        self._write("POST", _path("event", name, "/restore"))

    # -- event properties -----------------------------------------------------------

    def list_event_properties(self, event_type: str | None = None) -> list[EventPropertyInfo]:
        params = _form(event_type=event_type)
        return self.cache.get(
            ("event-properties", event_type),
            lambda: self._parse_list(EventPropertyInfo, self._get(f"{TAXONOMY}/event-property", params)),
        )

    def get_event_property(self, name: str, event_type: str | None = None) -> EventPropertyInfo:
        return self._parse(
            EventPropertyInfo, self._get(_path("event-property", name), _form(event_type=event_type))
        )

    def create_event_property(self, name: str, event_type: str | None, **fields: Any) -> None:
        self._write(
            "POST", f"{TAXONOMY}/event-property", _form(event_property=name, event_type=event_type, **fields)
        )

    def update_event_property(
        self,
        name: str,
        event_type: str | None,
        *,
        override_scope: str | None = None,
        new_name: str | None = None,
        **fields: Any,
    ) -> None:
        form = _form(
            event_type=event_type, overrideScope=override_scope, new_event_property_value=new_name, **fields
        )
        self._write("PUT", _path("event-property", name), form)

    def delete_event_property(self, name: str, event_type: str | None = None) -> None:
        self._write("DELETE", _path("event-property", name), _form(event_type=event_type), query=True)

    def restore_event_property(self, name: str, event_type: str | None = None) -> None:
        self._write("POST", _path("event-property", name, "/restore"), _form(event_type=event_type))

    # -- user properties ------------------------------------------------------------

    def list_user_properties(self) -> list[UserPropertyInfo]:
        return self.cache.get(
            ("user-properties",),
            lambda: self._parse_list(UserPropertyInfo, self._get(f"{TAXONOMY}/user-property")),
        )

    def get_user_property(self, name: str) -> UserPropertyInfo:
        return self._parse(UserPropertyInfo, self._get(_path("user-property", name)))

    def create_user_property(self, name: str, **fields: Any) -> None:
        self._write("POST", f"{TAXONOMY}/user-property", _form(user_property=name, **fields))

    def update_user_property(self, name: str, *, new_name: str | None = None, **fields: Any) -> None:
        self._write("PUT", _path("user-property", name), _form(new_user_property_value=new_name, **fields))

    def delete_user_property(self, name: str) -> None:
        self._write("DELETE", _path("user-property", name))

    def restore_user_property(self, name: str) -> None:
        self._write("POST", _path("user-property", name, "/restore"))

    # -- group properties (Amplitude has no delete and no restore for them) -----------

    def list_group_properties(self, group_type: str | None = None) -> list[GroupPropertyInfo]:
        params = _form(group_type=group_type)
        return self.cache.get(
            ("group-properties", group_type),
            lambda: self._parse_list(GroupPropertyInfo, self._get(f"{TAXONOMY}/group-property", params)),
        )

    def get_group_property(self, name: str, group_type: str | None = None) -> GroupPropertyInfo:
        return self._parse(
            GroupPropertyInfo, self._get(_path("group-property", name), _form(group_type=group_type))
        )

    def create_group_property(self, name: str, group_type: str | None, **fields: Any) -> None:
        self._write(
            "POST", f"{TAXONOMY}/group-property", _form(group_property=name, group_type=group_type, **fields)
        )

    def update_group_property(
        self,
        name: str,
        group_type: str | None,
        *,
        override_scope: str | None = None,
        new_name: str | None = None,
        **fields: Any,
    ) -> None:
        form = _form(
            group_type=group_type, overrideScope=override_scope, new_group_property_value=new_name, **fields
        )
        self._write("PUT", _path("group-property", name), form)


_clients: Registry[AmplitudeClient] = Registry()


def client_for(connection: AmplitudeConnection | Mapping[str, Any] | None) -> AmplitudeClient:
    """The process's client for these settings: one pool, one limiter, one cache per key."""
    settings = settings_for(connection)
    credential_id = fingerprint(settings.api_key, settings.secret_key)
    return _clients.get(
        (settings.base_url, credential_id),
        lambda: AmplitudeClient(
            vendor_http(
                vendor="Amplitude",
                base_url=settings.base_url,
                credential_id=credential_id,
                policy=CostPolicy(CONCURRENT_COST, HOURLY_COST, settings.hour_seconds),
                error_for=error_for,
                cost=request_cost,
                auth=httpx.BasicAuth(settings.api_key, settings.secret_key),
            )
        ),
    )
