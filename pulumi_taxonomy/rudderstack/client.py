"""A typed client of RudderStack's Data Catalog API for tracking plans.

Bearer auth, JSON bodies. RudderStack documents no rate limits; the client still keeps
at most a few requests in flight per token so an apply never floods the API. Event
lists are read page by page (50 a page) and cached per process until the next write.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import TypeAdapter

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
from pulumi_taxonomy.rudderstack.models import (
    ConnectionInfo,
    EventInfo,
    EventPage,
    PlanInfo,
    RudderStackConnection,
)

BASE_URLS = {"us": "https://api.rudderstack.com", "eu": "https://api.eu.rudderstack.com"}
PLANS = "/v2/catalog/tracking-plans"
MAX_IN_FLIGHT = 8
MAX_PAGES = 50


@dataclass(frozen=True)
class RudderStackSettings:
    access_token: str
    base_url: str

    def __repr__(self) -> str:  # never show the token
        return f"RudderStackSettings(base_url={self.base_url!r})"


def settings_for(connection: RudderStackConnection | Mapping[str, Any] | None) -> RudderStackSettings:
    token = credentials.resolve(
        connection, "access_token", "rudderstackAccessToken", "RUDDERSTACK_ACCESS_TOKEN"
    )
    if not token:
        raise ConfigurationError(
            "RudderStack credentials are missing: give the resource a `connection` with access_token, or set "
            "the stack config rudderstackAccessToken (--secret), or the environment variable "
            "RUDDERSTACK_ACCESS_TOKEN (a workspace service access token)."
        )
    region_host = credentials.region_url(
        connection, "RudderStack", "rudderstackRegion", "RUDDERSTACK_REGION", BASE_URLS
    )
    base_url = (
        credentials.resolve(connection, "base_url", "rudderstackBaseUrl", "RUDDERSTACK_BASE_URL")
        or region_host
    )
    return RudderStackSettings(token, base_url.rstrip("/").removesuffix("/v2"))


def error_for(call: str, response: httpx.Response) -> VendorError:
    try:
        body = response.json()
        message = (
            str(body.get("error") or body.get("message") or body) if isinstance(body, dict) else str(body)
        )
    except ValueError:
        message = response.text[:500] or response.reason_phrase
    status, lowered = response.status_code, message.lower()
    common = common_error(call, status, message)
    if common is not None:
        return common
    if (
        status == 404
        or "not found" in lowered
        or "already disconnected" in lowered
        or "not connected" in lowered
    ):
        return NotFound(call, status, message)
    if "different advanced keywords" in lowered:
        return ApiError(call, status, message)  # a clash of catalog rules, not a duplicate
    if "already exists" in lowered or "already connected" in lowered:
        return Conflict(call, status, message)
    return ApiError(call, status, message)


class RudderStackClient:
    def __init__(self, http: VendorHttp) -> None:
        self.http = http
        self.cache = ReadCache()

    def _get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self.http.request("GET", path, params=params).json()

    def _write(self, method: str, path: str, body: Any = None) -> Any:
        try:
            response = self.http.request(method, path, json=body)
        finally:
            self.cache.invalidate()  # even a failed or lost write may have changed something
        return response.json() if response.content else None

    # -- tracking plans -------------------------------------------------------------

    def list_plans(self) -> list[PlanInfo]:
        return self.cache.get(
            ("plans",), lambda: TypeAdapter(list[PlanInfo]).validate_python(self._get(PLANS)["trackingPlans"])
        )

    def get_plan(self, plan_id: str) -> PlanInfo:
        return PlanInfo.model_validate(self._get(f"{PLANS}/{plan_id}"))

    def create_plan(self, name: str, description: str | None) -> PlanInfo:
        body = {"name": name} | ({"description": description} if description is not None else {})
        return PlanInfo.model_validate(self._write("POST", PLANS, body))

    def update_plan(self, plan_id: str, name: str, description: str | None) -> PlanInfo:
        return PlanInfo.model_validate(
            self._write("PUT", f"{PLANS}/{plan_id}", {"name": name, "description": description or ""})
        )

    def delete_plan(self, plan_id: str) -> None:
        self._write("DELETE", f"{PLANS}/{plan_id}")

    # -- events -----------------------------------------------------------------------

    def upsert_event(self, plan_id: str, body: dict[str, Any]) -> None:
        self._write("POST", f"{PLANS}/{plan_id}/events", body)

    def events_page(self, plan_id: str, page: int) -> EventPage:
        return EventPage.model_validate(self._get(f"{PLANS}/{plan_id}/events", {"page": str(page)}))

    def list_events(self, plan_id: str) -> list[EventInfo]:
        """Every event of a plan, page by page (cached until the next write)."""
        return self.cache.get(("events", plan_id), lambda: self._all_events(plan_id))

    def _all_events(self, plan_id: str) -> list[EventInfo]:
        first = self.events_page(plan_id, 1)
        pages = min(MAX_PAGES, math.ceil(first.total / max(first.pageSize, 1)))
        events = list(first.data)
        for page in range(2, pages + 1):
            events.extend(self.events_page(plan_id, page).data)
        # Lists may leave properties out; then each event is read in full.
        return [e if e.properties is not None else self.get_event(plan_id, e.id) for e in events]

    def get_event(self, plan_id: str, event_id: str) -> EventInfo:
        """One event with its properties (`format=properties`)."""
        return EventInfo.model_validate(
            self._get(f"{PLANS}/{plan_id}/events/{event_id}", {"format": "properties"})
        )

    def get_event_rules(self, plan_id: str, event_id: str) -> dict[str, Any]:
        """One event as a JSON schema (`format=schema`, the vendor's default)."""
        rules: dict[str, Any] = self._get(f"{PLANS}/{plan_id}/events/{event_id}", {"format": "schema"})[
            "rules"
        ]
        return rules

    def upsert_event_rules(self, plan_id: str, body: dict[str, Any]) -> None:
        """The older upsert that takes `rules` (a JSON schema) instead of `properties`;
        RudderStack is deprecating it."""
        self._write("PATCH", f"{PLANS}/{plan_id}/events", body)

    def delete_event(self, plan_id: str, event_id: str) -> None:
        self._write("DELETE", f"{PLANS}/{plan_id}/events/{event_id}")

    # -- source connections -------------------------------------------------------------

    def list_connections(self, plan_id: str) -> list[ConnectionInfo]:
        return self.cache.get(
            ("connections", plan_id),
            lambda: TypeAdapter(list[ConnectionInfo]).validate_python(
                self._get(f"{PLANS}/{plan_id}/sources")["connections"]
            ),
        )

    def connect(self, plan_id: str, source_id: str, config: dict[str, Any]) -> None:
        self._write("POST", f"{PLANS}/{plan_id}/sources/{source_id}", {"config": config})

    def update_connection(self, plan_id: str, source_id: str, config: dict[str, Any]) -> None:
        self._write("PUT", f"{PLANS}/{plan_id}/sources/{source_id}", {"config": config})

    def disconnect(self, plan_id: str, source_id: str) -> None:
        self._write("DELETE", f"{PLANS}/{plan_id}/sources/{source_id}")


_clients: Registry[RudderStackClient] = Registry()


def client_for(connection: RudderStackConnection | Mapping[str, Any] | None) -> RudderStackClient:
    settings = settings_for(connection)
    credential_id = fingerprint(settings.access_token)
    # No documented limits: only a cap on requests in flight.
    return _clients.get(
        (settings.base_url, credential_id),
        lambda: RudderStackClient(
            vendor_http(
                vendor="RudderStack",
                base_url=settings.base_url,
                credential_id=credential_id,
                policy=CostPolicy(MAX_IN_FLIGHT, 10**9, 3600),
                error_for=error_for,
                headers={"authorization": f"Bearer {settings.access_token}"},
            )
        ),
    )
