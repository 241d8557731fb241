"""A typed client of RudderStack's Data Catalog API for tracking plans.

Bearer auth, JSON bodies. RudderStack documents no rate limits; the client still keeps
at most a few requests in flight per token so an apply never floods the API. Event
lists are read page by page and shared per process: a list read after an upsert has to
have started after it, not after every other write of the apply. Every id
goes into a path percent-encoded, one segment each (the inputs are checked before).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError

from pulumi_taxonomy.core import credentials
from pulumi_taxonomy.core.cache import ReadCache
from pulumi_taxonomy.core.errors import (
    ApiError,
    AuthError,
    ConfigurationError,
    Conflict,
    NotFound,
    TaxonomyError,
    VendorError,
    common_error,
)
from pulumi_taxonomy.core.http import Registry, VendorHttp, fingerprint, vendor_http
from pulumi_taxonomy.core.limits import CostPolicy
from pulumi_taxonomy.core.probe import Probe, Regions, failed, reach_hint, skipped
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
MAX_PAGES = 50  # "The API returns a maximum of 50 pages." (the reference)
PAGE_SIZE = 50  # the reference's example `pageSize`, when a page does not say
TAIL_PAGES = 3  # how far `recent_event` reads on from the list's last known page


ACCESS_TOKEN: credentials.Setting = ("access_token", "rudderstackAccessToken", "RUDDERSTACK_ACCESS_TOKEN")
CREDENTIAL_SETTINGS = (ACCESS_TOKEN,)


@dataclass(frozen=True)
class RudderStackSettings:
    access_token: str
    base_url: str

    def __repr__(self) -> str:  # never show the token
        return f"RudderStackSettings(base_url={self.base_url!r})"


def settings_for(connection: RudderStackConnection | Mapping[str, Any] | None) -> RudderStackSettings:
    token = credentials.secret(connection, *ACCESS_TOKEN)
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


def segment(value: str, what: str) -> str:
    """`value` as one path segment that reaches exactly its object: percent-encoded
    (`/`, `?`, `#`, `%`...), and never a dot segment, which URL libraries remove."""
    if value in ("", ".", ".."):
        raise ConfigurationError(f"RudderStack {what} id {value!r} cannot name an object in a request path.")
    return quote(value, safe="")


def plan_path(plan_id: str, *rest: tuple[str, str] | str) -> str:
    """`/v2/catalog/tracking-plans/{id}` and what follows: fixed words as str, ids as
    (value, what) pairs."""
    parts = [segment(plan_id, "tracking plan")]
    for part in rest:
        parts.append(part if isinstance(part, str) else segment(*part))
    return "/".join([PLANS, *parts])


@dataclass(frozen=True)
class EventListing:
    """A plan's events as its list pages show them (properties may be absent)."""

    events: list[EventInfo]
    complete: bool
    """False when the listing stopped before its end: at the documented 50 pages, or
    because a page repeated one already seen (a vendor that ignores `page`)."""
    stamp: int = 0
    """The client's write stamp when the listing started (ReadCache.writes)."""
    capacity: int = MAX_PAGES * PAGE_SIZE
    """How many events a complete listing can show (50 pages of the vendor's page size)."""

    def by_id(self, event_id: str) -> EventInfo | None:
        return next((e for e in self.events if e.id == event_id), None)

    def by_key(self, event_type: str, name: str) -> EventInfo | None:
        return next((e for e in self.events if (e.eventType, e.name) == (event_type, name)), None)


T = TypeVar("T")
K = TypeVar("K")
_PLAN_LIST = TypeAdapter(list[PlanInfo])
_CONNECTION_LIST = TypeAdapter(list[ConnectionInfo])


def _shaped(read: Callable[[Any], T], answer: Any, call: str) -> T:
    """The answer in the shape the reference shows, or an error that says it is not."""
    try:
        return read(answer)
    except (ValidationError, KeyError, TypeError) as exc:
        detail = str(exc).splitlines()[0][:200]
        raise ApiError(
            f"RudderStack {call}", 200, f"the answer is not in the documented shape ({detail})"
        ) from None


def _json(call: str, response: httpx.Response) -> Any:
    """The answer's JSON; a body that is not JSON (a proxy's or a login page's HTML) is
    not RudderStack's answer, which the error says instead of failing as a bug."""
    try:
        return response.json()
    except ValueError:
        snippet = response.text[:200] or "an empty body"
        raise ApiError(
            f"RudderStack {call}",
            response.status_code,
            f"not RudderStack's answer (not JSON): {snippet!r}",
            "check the base URL (RUDDERSTACK_BASE_URL): it must be RudderStack's API host.",
        ) from None


EventKey = tuple[str, str]
"""An event's type and name: what the upsert endpoints know an event by."""


def _key(body: Mapping[str, Any]) -> EventKey:
    return str(body.get("eventType", "")), str(body.get("name", ""))


def _latest(stamps: dict[K, int], key: K, stamp: int) -> None:
    stamps[key] = max(stamps.get(key, 0), stamp)  # writes may finish out of order


class RudderStackClient:
    def __init__(self, http: VendorHttp) -> None:
        self.http = http
        self.cache = ReadCache()
        # The stamps (ReadCache.written) of this client's last writes to events: to one
        # event, by its key, in any plan (an event's description and category belong to
        # the workspace's catalog, shared by its plans); in each plan, to one whose key
        # the write does not name (a delete names an id); to any event at all. A list read
        # that decides about an event has to have started after the writes that could
        # have changed it, and no others.
        self._lock = threading.Lock()
        self._event_writes: dict[EventKey, int] = {}
        self._unkeyed_writes: dict[str, int] = {}
        self._any_event_write = 0
        self._last_page: dict[str, int] = {}  # of each plan's list, as last seen

    def _get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return _json(f"GET {path}", self.http.request("GET", path, params=params))

    def _write(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        plan_id: str | None = None,
        event: EventKey | None = None,
    ) -> Any:
        """A write; `plan_id` when it may change that plan's events (`event`: the one it
        changes, when known)."""
        try:
            response = self.http.request(method, path, json=body)
        finally:
            stamp = self.cache.written()  # even a failed or lost write may have changed something
            if plan_id is not None:
                with self._lock:
                    self._any_event_write = max(self._any_event_write, stamp)
                    if event is None:
                        _latest(self._unkeyed_writes, plan_id, stamp)
                    else:
                        _latest(self._event_writes, event, stamp)
        return _json(f"{method} {path}", response) if response.content else None

    def _listing_since(self, plan_id: str, event: EventKey | None) -> int:
        with self._lock:
            if event is None:
                return self._any_event_write
            return max(self._event_writes.get(event, 0), self._unkeyed_writes.get(plan_id, 0))

    # -- tracking plans -------------------------------------------------------------

    def list_plans(self, fresh: bool = False) -> list[PlanInfo]:
        """The workspace's plans (not paginated, per the reference); cached until the next
        write unless `fresh`."""

        def fetch() -> list[PlanInfo]:
            answer = self._get(PLANS)
            return _shaped(lambda a: _PLAN_LIST.validate_python(a["trackingPlans"]), answer, f"GET {PLANS}")

        return fetch() if fresh else self.cache.get(("plans",), fetch)

    def plans_named(self, name: str, fresh: bool = False) -> list[PlanInfo]:
        """Every plan of this name: RudderStack does not promise that names are unique."""
        return [p for p in self.list_plans(fresh) if p.name == name]

    def plan_named(self, name: str) -> PlanInfo | None:
        """The one plan of this name, None if none; two or more is `PlanNameTaken`, never the
        first of them taken in silence."""
        found = self.plans_named(name)
        if len(found) > 1:
            raise PlanNameTaken(name, found)
        return found[0] if found else None

    def get_plan(self, plan_id: str) -> PlanInfo:
        path = plan_path(plan_id)
        return _shaped(PlanInfo.model_validate, self._get(path), f"GET {path}")

    def create_plan(self, name: str, description: str | None) -> PlanInfo:
        """The new plan as the create answer gives it, its `id` included (the reference:
        "RudderStack also returns an ID for the newly created tracking plan")."""
        body = {"name": name} | ({"description": description} if description is not None else {})
        return _shaped(PlanInfo.model_validate, self._write("POST", PLANS, body), f"POST {PLANS}")

    def update_plan(self, plan_id: str, name: str, description: str | None) -> PlanInfo:
        # Both fields, always: an empty description clears it (rudder-iac's
        # UpdateTrackingPlan sends both the same way, api/client/catalog/trackingplans.go).
        path = plan_path(plan_id)
        answer = self._write("PUT", path, {"name": name, "description": description or ""})
        return _shaped(PlanInfo.model_validate, answer, f"PUT {path}")

    def delete_plan(self, plan_id: str) -> None:
        self._write("DELETE", plan_path(plan_id), plan_id=plan_id)

    # -- events -----------------------------------------------------------------------

    def upsert_event(self, plan_id: str, body: dict[str, Any]) -> None:
        self._write("POST", plan_path(plan_id, "events"), body, plan_id=plan_id, event=_key(body))

    def events_page(self, plan_id: str, page: int) -> EventPage:
        path = plan_path(plan_id, "events")
        answer = self._get(path, {"page": str(page)})
        return _shaped(EventPage.model_validate, answer, f"GET {path}?page={page}")

    def event_listing(self, plan_id: str, event: EventKey | None = None) -> EventListing:
        """The plan's events, page by page until a page comes back short or empty. Shared:
        to decide about `event` (type and name), any read that started after this
        client's last write to it (and last delete in the plan) will do; without
        `event`, one that started after its last write to any event."""
        since = self._listing_since(plan_id, event)
        return self.cache.get_since(("events", plan_id), lambda: self._list(plan_id), since)

    def _list(self, plan_id: str) -> EventListing:
        # `total` is not trusted: the reference calls it the "total number of entries in
        # the response" (rudder-iac reads it as the plan's count, catalog.go
        # getAllResourcesPaginated; either way a short page ends the list).
        stamp = self.cache.writes
        seen: dict[str, EventInfo] = {}
        size = PAGE_SIZE
        complete = False
        for number in range(1, MAX_PAGES + 1):
            page = self.events_page(plan_id, number)
            size = page.pageSize or PAGE_SIZE
            fresh = [e for e in page.data if e.id not in seen]
            if page.data and not fresh:
                break  # it repeats pages seen (a vendor that ignores `page`): not complete
            seen.update((e.id, e) for e in fresh)
            complete = self._short(plan_id, number, page)
            if complete:
                break
        return EventListing(list(seen.values()), complete, stamp, MAX_PAGES * size)

    def has_room(self, plan_id: str, event: EventKey) -> bool:
        """Whether the plan's list shows all its events with room for one more, so that a
        new event's id can be learnt after its upsert. A list read for `event` is recent
        enough unless the writes since could have filled it (each counted as one event
        more); then it takes one read after every write."""
        listing = self.event_listing(plan_id, event)
        if listing.complete and len(listing.events) + (self.cache.writes - listing.stamp) < listing.capacity:
            return True
        listing = self.event_listing(plan_id)
        return listing.complete and len(listing.events) < listing.capacity

    def _short(self, plan_id: str, number: int, page: EventPage) -> bool:
        """Whether this page ends the list (then it is the list's last known page)."""
        if len(page.data) >= (page.pageSize or PAGE_SIZE):
            return False
        with self._lock:
            self._last_page[plan_id] = number
        return True

    def recent_event(self, plan_id: str, event: EventKey) -> EventInfo | None:
        """The event of this type and name if the end of the plan's list shows it: the
        pages from the last known one on, up to a short page (at most TAIL_PAGES).

        After an upsert this usually costs one request instead of the whole list, if the
        vendor lists events in the order they were added (the reference does not say).
        A find here is as good as one in the whole list (type and name are unique within
        a plan); None proves nothing: then look in the whole list."""
        with self._lock:
            start = self._last_page.get(plan_id)
        if start is None:
            return None
        for number in range(start, min(start + TAIL_PAGES, MAX_PAGES + 1)):
            page = self.events_page(plan_id, number)
            found = EventListing(page.data, complete=False).by_key(*event)
            if self._short(plan_id, number, page) or found is not None:
                return found
        return None

    def list_events(self, plan_id: str) -> list[EventInfo]:
        """Every listed event of a plan, each with its properties."""
        return [self.with_properties(plan_id, e) for e in self.event_listing(plan_id).events]

    def with_properties(self, plan_id: str, event: EventInfo) -> EventInfo:
        """`event` with its properties: as listed when the list carries them (the
        reference's list example does not), else read on its own."""
        return event if event.properties is not None else self.get_event(plan_id, event.id)

    def find_event(self, plan_id: str, event_id: str) -> EventInfo | None:
        """The plan's event with this id, with its properties; None when it is not in the
        plan. A listing that misses it is confirmed by a GET of its own: lists stop at 50
        pages, and a vendor may ignore `page`."""
        listed = self.event_listing(plan_id).by_id(event_id)
        if listed is not None:
            return self.with_properties(plan_id, listed)
        try:
            return self.get_event(plan_id, event_id)
        except NotFound:
            return None

    def get_event(self, plan_id: str, event_id: str) -> EventInfo:
        """One event with its properties (`format=properties`)."""
        path = plan_path(plan_id, "events", (event_id, "event"))
        return self.cache.get(
            ("event", plan_id, event_id),
            lambda: _shaped(
                EventInfo.model_validate, self._get(path, {"format": "properties"}), f"GET {path}"
            ),
        )

    def get_event_rules(self, plan_id: str, event_id: str) -> dict[str, Any]:
        """One event as a JSON schema (`format=schema`, the vendor's default)."""
        answer = self._get(plan_path(plan_id, "events", (event_id, "event")), {"format": "schema"})
        rules: dict[str, Any] = answer["rules"]
        return rules

    def upsert_event_rules(self, plan_id: str, body: dict[str, Any]) -> None:
        """The older upsert that takes `rules` (a JSON schema) instead of `properties`;
        RudderStack is deprecating it."""
        self._write("PATCH", plan_path(plan_id, "events"), body, plan_id=plan_id, event=_key(body))

    def delete_event(self, plan_id: str, event_id: str) -> None:
        self._write("DELETE", plan_path(plan_id, "events", (event_id, "event")), plan_id=plan_id)

    # -- source connections -------------------------------------------------------------

    def list_connections(self, plan_id: str) -> list[ConnectionInfo]:
        path = plan_path(plan_id, "sources")
        return self.cache.get(
            ("connections", plan_id),
            lambda: _shaped(
                lambda a: _CONNECTION_LIST.validate_python(a["connections"]), self._get(path), f"GET {path}"
            ),
        )

    def connect(self, plan_id: str, source_id: str, config: dict[str, Any]) -> None:
        self._write("POST", plan_path(plan_id, "sources", (source_id, "source")), {"config": config})

    def update_connection(self, plan_id: str, source_id: str, config: dict[str, Any]) -> None:
        self._write("PUT", plan_path(plan_id, "sources", (source_id, "source")), {"config": config})

    def disconnect(self, plan_id: str, source_id: str) -> None:
        self._write("DELETE", plan_path(plan_id, "sources", (source_id, "source")))

    # -- read-only probes (`pulumi-taxonomy doctor`) ----------------------------------------

    def probe_token(self) -> Probe:
        """Can this token list the workspace's tracking plans on this host?"""
        check = TOKEN_CHECK
        host = self.http.client.base_url.host
        try:
            answer = self.http.request("GET", PLANS).json()
            plans = _PLAN_LIST.validate_python(answer["trackingPlans"])
        except AuthError as exc:
            return Probe(
                VENDOR_ID,
                check,
                "fail",
                f"{host} refused the token ({exc.status}): {exc.vendor_message}",
                "check the service access token (RUDDERSTACK_ACCESS_TOKEN, or the stack config "
                "rudderstackAccessToken), and the region: EU workspaces answer on api.eu.rudderstack.com "
                "(region: eu).",
                refused=True,
            )
        except (TaxonomyError, ConnectionError) as exc:
            return failed(VENDOR_ID, check, exc, reach_hint("RUDDERSTACK_BASE_URL", "RUDDERSTACK_REGION"))
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            return Probe(
                VENDOR_ID,
                check,
                "fail",
                f"{host} answered, but not with a list of tracking plans ({exc!r})",
                "check the base URL (RUDDERSTACK_BASE_URL): it must be RudderStack's API host.",
            )
        return Probe(VENDOR_ID, check, "pass", f"{host} lists {len(plans)} tracking plan(s)")

    def probe_event_list(self, plan_id: str) -> Probe:
        """Does a plan's event list answer in the documented shape (`data`, pages)?"""
        check = f"the events of plan {plan_id} can be listed"
        try:
            page = self.events_page(plan_id, 1)
        except (TaxonomyError, ConnectionError) as exc:
            return failed(VENDOR_ID, check, exc)
        except (ValueError, ValidationError) as exc:
            return Probe(VENDOR_ID, check, "fail", f"the answer is not an event page ({exc!r})")
        return Probe(VENDOR_ID, check, "pass", f"page 1 lists {len(page.data)} event(s)")

    def probe_plan(self, name: str) -> Probe:
        """The tracking plan a plan file names: there already (its events listed), or to
        be created by the first apply."""
        check = f'tracking plan "{name}"'
        try:
            found = self.plans_named(name, fresh=True)
        except (TaxonomyError, ConnectionError) as exc:
            return failed(VENDOR_ID, check, exc)
        if not found:
            return Probe(VENDOR_ID, check, "pass", "not in the workspace yet: the first apply creates it")
        if len(found) > 1:
            taken = PlanNameTaken(name, found)
            return Probe(VENDOR_ID, check, "fail", taken.detail, f"{taken.fix} to adopt it.")
        listed = self.probe_event_list(found[0].id)
        detail = f"exists ({found[0].id}); {listed.detail}"
        return Probe(VENDOR_ID, check, listed.outcome, detail, listed.hint)


class PlanNameTaken(TaxonomyError):
    """More than one tracking plan has the name a plan file (or --plan-name) gives."""

    def __init__(self, name: str, plans: list[PlanInfo]) -> None:
        self.detail = f"{len(plans)} tracking plans have this name: {', '.join(p.id for p in plans)}"
        self.fix = "rename or delete all but one in RudderStack: the plan is found by its name"
        super().__init__(f'RudderStack tracking plan "{name}": {self.detail}; {self.fix}')


VENDOR_ID = "rudderstack"
"""How `doctor` names this vendor (its `--vendor` choice)."""
TOKEN_CHECK = "token and region"


def probe(
    connection: RudderStackConnection | Mapping[str, Any] | None = None, plan_name: str | None = None
) -> list[Probe]:
    """Read-only checks of a RudderStack setup: the token lists tracking plans on this
    host (refused there, and accepted by the other region's host: say so), and the plan
    a plan file names. Missing or contradictory settings raise `ConfigurationError`."""
    settings = settings_for(connection)
    token = client_for(connection).probe_token()
    regions = Regions(BASE_URLS, "RUDDERSTACK_REGION", "rudderstackRegion", "a workspace")

    def accepts(host: str) -> bool:
        return (
            client_for({"access_token": settings.access_token, "base_url": host}).probe_token().outcome
            == "pass"
        )

    results = [regions.explain_refusal(token, settings.base_url, "this token", accepts)]
    if plan_name is not None:
        if token.outcome == "pass":
            results.append(client_for(connection).probe_plan(plan_name))
        else:
            results.append(
                skipped(VENDOR_ID, f'tracking plan "{plan_name}"', "needs a token that lists plans")
            )
    return results


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
