"""A typed client of the Amplitude Taxonomy REST API: one method per documented endpoint.

Every request is written as `shared/reference/amplitude-taxonomy-api.txt` shows it
(tests/contract/ compares each with the page's example):
- parameters go form-encoded in the body, on every method; on GET and DELETE,
  `event_type` and `group_type` also go in the query string, where the legacy page
  puts them, so that a server reading either place reads them;
- names go in paths percent-encoded (`Play%20Song`), the `:` of `gp:`/`grp:` kept as
  the examples write it. A name that is not exactly one path segment (`/`, `\\`, `.`,
  `..`) is refused before anything is sent: front ends decode and normalise those,
  and the request could reach another object;
- user property names go into bodies without `gp:` (`user_property=User Type`), and
  into paths with it (`/user-property/gp:user_type`).

Answers are trusted only as documented: a 2xx counts when its body is the success
envelope (`{"success": true}`); `{"success": false}` is `Refused`. A 404 means "not
found" only when the project still answers the category list: otherwise the project
has no Taxonomy API (`TaxonomyUnavailable`), and nothing may be read as gone. A list
asked for one event's (or group type's) properties must say so in every item: if it
does not, the parameter was not read (`ParameterIgnored`).

Reads of whole lists go through a per-process cache that every write invalidates.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from pulumi_taxonomy.amplitude.models import (
    USER_PREFIX,
    AmplitudeConnection,
    Category,
    EventPropertyInfo,
    EventTypeInfo,
    GroupPropertyInfo,
    UserPropertyInfo,
    path_name_problem,
)
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

BASE_URLS = {"us": "https://amplitude.com", "eu": "https://analytics.eu.amplitude.com"}
TAXONOMY = "/api/2/taxonomy"
CONCURRENT_COST = 4
HOURLY_COST = 7200
PATH_SAFE = ":"
"""Kept literally in paths, as the examples write `gp:user_type`; all else is encoded."""

T = TypeVar("T", bound=BaseModel)


class Refused(ApiError):
    """A 2xx whose body says `"success": false`: the vendor did not do it."""


class TaxonomyUnavailable(ApiError):
    """Every Taxonomy request answers 404: the project has no Taxonomy API (it needs an
    Enterprise plan or the Taxonomy add-on), or the base URL is not Amplitude's."""


class ParameterIgnored(ApiError):
    """The answer shows that a parameter we sent was not read."""


class UnaddressableName(TaxonomyError):
    """A name that cannot go into a path without possibly reaching another object."""


API_KEY: credentials.Setting = ("api_key", "amplitudeApiKey", "AMPLITUDE_API_KEY")
SECRET_KEY: credentials.Setting = ("secret_key", "amplitudeSecretKey", "AMPLITUDE_SECRET_KEY")
CREDENTIAL_SETTINGS = (API_KEY, SECRET_KEY)


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
    api_key = credentials.secret(connection, *API_KEY)
    secret_key = credentials.secret(connection, *SECRET_KEY)
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
    """Amplitude's error statuses, as documented: a missing object is 400 "Not found"
    (404 for user properties); 409 with "does not exist" or "not in schema" names a
    missing object too; any other 409 is a conflict."""
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


@contextmanager
def _documented_shape(model: type[Any]) -> Iterator[None]:
    """A success envelope whose `data` is not what the reference shows is the answer of
    something other than Amplitude's API (or of a changed one): an ApiError, not a bug."""
    try:
        yield
    except ValidationError as exc:
        detail = str(exc).splitlines()[0][:200]
        raise ApiError(
            f"Amplitude ({model.__name__})", 200, f"the answer is not in the documented shape ({detail})"
        ) from None


def _envelope(call: str, response: httpx.Response) -> Any:
    """The `data` of a success envelope; anything else is an error (never a silent success)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("success") is True:
        return body.get("data")
    status = response.status_code
    if isinstance(body, dict) and body.get("success") is False:
        reason = _vendor_message(response) if body.get("errors") else "no reason given"
        raise Refused(call, status, f'"success": false ({reason})')
    snippet = response.text[:200] or "an empty body"
    raise ApiError(call, status, f"not Amplitude's answer (no success envelope): {snippet!r}")


def _path(kind: str, name: str, suffix: str = "") -> str:
    problem = path_name_problem(name)
    if problem:
        raise UnaddressableName(f"Amplitude {kind} {name!r} cannot be addressed by the API: {problem}")
    return f"{TAXONOMY}/{kind}/{quote(name, safe=PATH_SAFE)}{suffix}"


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


def own_user_property_name(remote_name: str) -> str:
    """What bodies carry for a custom user property: its name without `gp:`."""
    return remote_name.removeprefix(USER_PREFIX)


class AmplitudeClient:
    def __init__(self, http: VendorHttp) -> None:
        self.http = http
        self.cache = ReadCache()

    # -- plumbing -------------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        call = f"{self.http.vendor} {method} {path}"
        try:
            response = self.http.request(method, path, **kwargs)
        except NotFound as exc:
            if exc.status == 404 and not self._taxonomy_answers():
                raise TaxonomyUnavailable(
                    exc.call,
                    exc.status,
                    f"{exc.vendor_message}; and so does the category list, which every project with "
                    "the Taxonomy API answers. The project has no Taxonomy API (it needs an Enterprise "
                    "plan or the Taxonomy add-on), or the base URL is not Amplitude's",
                ) from exc
            raise
        return _envelope(call, response)

    def _taxonomy_answers(self) -> bool:
        """Whether the project answers the Taxonomy API at all (one cheap GET)."""
        try:
            self.http.request("GET", f"{TAXONOMY}/category")
        except NotFound as exc:
            return exc.status != 404
        return True

    def _get(self, path: str, scope: Mapping[str, str] | None = None) -> Any:
        # A GET's parameters go in the query and in a form body: the pages show both.
        scope = dict(scope or {})
        return self._send("GET", path, params=scope or None, data=scope or None)

    def _write(self, method: str, path: str, form: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        try:
            self._send(method, path, data=dict(form) if form else None, **kwargs)
        finally:
            # Even a failed or lost write may have changed something.
            self.cache.invalidate()

    @staticmethod
    def _parse(model: type[T], data: Any) -> T:
        with _documented_shape(model):
            return model.model_validate(data)

    @staticmethod
    def _parse_list(model: type[T], data: Any) -> list[T]:
        with _documented_shape(model):
            return TypeAdapter(list[model]).validate_python(data or [])  # type: ignore[valid-type]

    def _scoped_list(self, model: type[T], kind: str, field: str, scope: str | None) -> list[T]:
        path = f"{TAXONOMY}/{kind}"
        items = self._parse_list(model, self._get(path, _form(**{field: scope})))
        if scope is not None:
            strays = [getattr(item, field) for item in items if getattr(item, field) != scope]
            if strays:
                raise ParameterIgnored(
                    f"Amplitude GET {path}",
                    200,
                    f"asked for the properties of {field} {scope!r}, the answer lists some of "
                    f"{strays[0]!r}: the {field} parameter was not read. Nothing was changed; check for "
                    "a proxy that drops request bodies or query strings",
                )
        return items

    # -- categories -----------------------------------------------------------------

    def list_categories(self) -> list[Category]:
        return self.cache.get(
            ("categories",), lambda: self._parse_list(Category, self._get(f"{TAXONOMY}/category"))
        )

    def get_category(self, name: str) -> Category:
        return self._parse(Category, self._get(_path("category", name)))

    def find_category(self, name: str) -> Category | None:
        """A category by name from the list: any name works, none goes into a path."""
        return next((c for c in self.list_categories() if c.name == name), None)

    def category_by_id(self, category_id: int) -> Category | None:
        """A category by id from the list (the single GET takes a name, not an id)."""
        return next((c for c in self.list_categories() if c.id == category_id), None)

    def create_category(self, name: str) -> None:
        self._write("POST", f"{TAXONOMY}/category", _form(category_name=name))

    def rename_category(self, category_id: int, name: str) -> None:
        self._write("PUT", f"{TAXONOMY}/category/{int(category_id)}", _form(category_name=name))

    def delete_category(self, category_id: int) -> None:
        self._write("DELETE", f"{TAXONOMY}/category/{int(category_id)}")

    # -- event types ----------------------------------------------------------------

    def list_events(self, show_deleted: bool = False) -> list[EventTypeInfo]:
        """Planned and live events; with `show_deleted`, the deleted ones too. Hidden
        events are in neither list (documented)."""
        params = {"showDeleted": "true"} if show_deleted else None
        return self.cache.get(
            ("events", show_deleted),
            lambda: self._parse_list(EventTypeInfo, self._send("GET", f"{TAXONOMY}/event", params=params)),
        )

    def get_event(self, name: str) -> EventTypeInfo:
        """One event, hidden ones included. Whether a deleted one is answered is not
        documented: callers decide deletion from the lists."""
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
        """None leaves a field out; "" asks Amplitude to clear it (undocumented: read back)."""
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
        """One event's properties, or with no event the shared ones."""
        return self.cache.get(
            ("event-properties", event_type),
            lambda: self._scoped_list(EventPropertyInfo, "event-property", "event_type", event_type),
        )

    def get_event_property(self, name: str, event_type: str | None = None) -> EventPropertyInfo:
        """One property, read from the list. The page spells the single GET two ways
        (`?event_property=NAME` and `/event-property/NAME`); the list is documented
        plainly by both versions, so its reading is not in doubt."""
        found = next((p for p in self.list_event_properties(event_type) if p.event_property == name), None)
        if found is None:
            where = f'on event "{event_type}"' if event_type is not None else "(shared)"
            raise NotFound(f"Amplitude GET {TAXONOMY}/event-property", 400, f'no property "{name}" {where}')
        return found

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
        """With an event: remove the property from that event only.

        Amplitude applies a delete without an event to the shared property, on every
        event. So a per-event delete is sent only after the event's own list (which
        must echo the event) shows the property there, and it carries `event_type` in
        the body (current page) and in the query (legacy page)."""
        if event_type is None:
            self._write("DELETE", _path("event-property", name))
            return
        self.get_event_property(name, event_type)  # NotFound when not on the event
        scope = _form(event_type=event_type)
        self._write("DELETE", _path("event-property", name), scope, params=scope)

    def restore_event_property(self, name: str) -> None:
        self._write("POST", _path("event-property", name, "/restore"))

    # -- user properties (names: `gp:` in paths and answers, bare in bodies) ----------

    def list_user_properties(self) -> list[UserPropertyInfo]:
        return self.cache.get(
            ("user-properties",),
            lambda: self._parse_list(UserPropertyInfo, self._get(f"{TAXONOMY}/user-property")),
        )

    def get_user_property(self, remote_name: str) -> UserPropertyInfo:
        return self._parse(UserPropertyInfo, self._get(_path("user-property", remote_name)))

    def create_user_property(self, own_name: str, **fields: Any) -> None:
        """`own_name` is the property's name without `gp:` (`User Type`)."""
        self._write("POST", f"{TAXONOMY}/user-property", _form(user_property=own_name, **fields))

    def update_user_property(self, remote_name: str, *, new_name: str | None = None, **fields: Any) -> None:
        """`remote_name` as paths carry it (`gp:user_type`); `new_name` without `gp:`."""
        self._write(
            "PUT", _path("user-property", remote_name), _form(new_user_property_value=new_name, **fields)
        )

    def delete_user_property(self, remote_name: str) -> None:
        self._write("DELETE", _path("user-property", remote_name))

    def restore_user_property(self, remote_name: str) -> None:
        self._write("POST", _path("user-property", remote_name, "/restore"))

    # -- group properties (Amplitude has no delete and no restore for them) -----------

    def list_group_properties(self, group_type: str | None = None) -> list[GroupPropertyInfo]:
        return self.cache.get(
            ("group-properties", group_type),
            lambda: self._scoped_list(GroupPropertyInfo, "group-property", "group_type", group_type),
        )

    def get_group_property(self, remote_name: str, group_type: str | None = None) -> GroupPropertyInfo:
        return self._parse(
            GroupPropertyInfo,
            self._get(_path("group-property", remote_name), _form(group_type=group_type)),
        )

    def create_group_property(self, name: str, group_type: str | None, **fields: Any) -> None:
        """`name` as the create example sends it: `Group Property 1`, without `grp:`."""
        self._write(
            "POST", f"{TAXONOMY}/group-property", _form(group_property=name, group_type=group_type, **fields)
        )

    def update_group_property(
        self,
        remote_name: str,
        group_type: str | None,
        *,
        override_scope: str | None = None,
        new_name: str | None = None,
        **fields: Any,
    ) -> None:
        """`new_name` whole, as the example sends it: `grp:Group Property 1 Renamed`."""
        form = _form(
            group_type=group_type, overrideScope=override_scope, new_group_property_value=new_name, **fields
        )
        self._write("PUT", _path("group-property", remote_name), form)

    # -- read-only probes (`pulumi-taxonomy doctor`) ----------------------------------------

    def probe(self) -> list[Probe]:
        """Read-only checks, one GET per list: the keys are accepted on this host, and the
        project answers the Taxonomy API (a 404 on every list: it has none)."""
        host = self.http.client.base_url.host
        try:
            categories = self._list_size("category")
        except AuthError as exc:
            credentials = Probe(
                VENDOR_ID,
                CREDENTIALS_CHECK,
                "fail",
                f"{host} refused the API key and secret key ({exc.status}: {exc.vendor_message})",
                "check AMPLITUDE_API_KEY and AMPLITUDE_SECRET_KEY (the project's API key and secret key, "
                "in the project's settings in Amplitude) and the region (EU projects: region eu). Amplitude "
                "also answers 403 to the keys of a project's other environments: use the first "
                "environment's keys.",
                refused=True,
            )
            return [credentials, skipped(VENDOR_ID, TAXONOMY_CHECK, "needs accepted keys")]
        except (TaxonomyError, ConnectionError) as exc:
            return [
                failed(
                    VENDOR_ID, CREDENTIALS_CHECK, exc, reach_hint("AMPLITUDE_BASE_URL", "AMPLITUDE_REGION")
                ),
                skipped(VENDOR_ID, TAXONOMY_CHECK, "see above"),
            ]
        if categories is None:
            credentials = skipped(
                VENDOR_ID,
                CREDENTIALS_CHECK,
                f"cannot be told: {host} answers 404 to the category list (below)",
            )
        else:
            credentials = Probe(
                VENDOR_ID, CREDENTIALS_CHECK, "pass", f"{host} accepts the API key and secret key"
            )
        return [credentials, self._probe_lists({"category": categories})]

    def _list_size(self, kind: str) -> int | None:
        """How many items one Taxonomy list holds; None when it answers 404."""
        path = f"{TAXONOMY}/{kind}"
        call = f"{self.http.vendor} GET {path}"
        try:
            data = _envelope(call, self.http.request("GET", path))
        except NotFound as exc:
            if exc.status == 404:
                return None
            raise
        if data is not None and not isinstance(data, list):  # what the commands would refuse
            raise ApiError(
                call, 200, f"the answer is not in the documented shape (data is not a list: {data!r:.80})"
            )
        return len(data or [])

    def _probe_lists(self, sizes: dict[str, int | None]) -> Probe:
        for kind in PROBED_LISTS:
            if kind not in sizes:
                try:
                    sizes[kind] = self._list_size(kind)
                except (TaxonomyError, ConnectionError) as exc:
                    return failed(VENDOR_ID, TAXONOMY_CHECK, exc)
        missing = [PROBED_LISTS[kind] for kind, size in sizes.items() if size is None]
        if len(missing) == len(sizes):
            return Probe(
                VENDOR_ID,
                TAXONOMY_CHECK,
                "fail",
                f"every Taxonomy list answers 404 ({', '.join(missing)})",
                "the project has no Taxonomy API: it needs an Enterprise plan or the Taxonomy add-on (ask "
                "Amplitude, or your Amplitude admin, to enable it); or the base URL is not Amplitude's "
                "(check AMPLITUDE_BASE_URL and the region). Until then no resource can be applied.",
            )
        if missing:
            return Probe(
                VENDOR_ID,
                TAXONOMY_CHECK,
                "fail",
                f"these lists answer 404: {', '.join(missing)}; the others answer",
                "something between this machine and Amplitude (a proxy, the base URL) serves only part "
                "of the Taxonomy API: check AMPLITUDE_BASE_URL and any HTTP(S)_PROXY.",
            )
        listed = ", ".join(f"{PROBED_LISTS[kind]}: {size}" for kind, size in sizes.items())
        return Probe(VENDOR_ID, TAXONOMY_CHECK, "pass", f"every Taxonomy list answers: {listed}")


VENDOR_ID = "amplitude"
"""How `doctor` names this vendor (its `--vendor` choice)."""
CREDENTIALS_CHECK = "keys and region"
TAXONOMY_CHECK = "Taxonomy API available"
PROBED_LISTS = {
    "category": "categories",
    "event": "events",
    "event-property": "event properties",
    "user-property": "user properties",
    "group-property": "group properties",
}
"""The lists the probe reads (path -> what it lists): a project without the Taxonomy API
answers 404 to every one."""


def probe(connection: AmplitudeConnection | Mapping[str, Any] | None = None) -> list[Probe]:
    """Read-only checks of an Amplitude REST setup (`AmplitudeClient.probe`); keys refused
    on one region's host and accepted by the other's say which region to set. Missing
    or contradictory settings raise `ConfigurationError`."""
    settings = settings_for(connection)
    credentials, taxonomy = client_for(connection).probe()
    regions = Regions(BASE_URLS, "AMPLITUDE_REGION", "amplitudeRegion", "a project")

    def accepts(host: str) -> bool:
        keys = {"api_key": settings.api_key, "secret_key": settings.secret_key}
        client_for({**keys, "base_url": host, "hour_seconds": settings.hour_seconds}).list_categories()
        return True

    return [regions.explain_refusal(credentials, settings.base_url, "this API key", accepts), taxonomy]


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
