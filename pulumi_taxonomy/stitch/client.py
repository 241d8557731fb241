"""A typed client of the Stitch Import API: status, validate, push, and a read-only probe.

Requests follow `shared/reference/stitch-import-api.md` (whose endpoint URLs and answer
table come from the vendor's data files `_data/taps/import-api/endpoints.yml` and
`return-codes.yml`): bearer auth, a JSON array of records, `201` from push, `200` from
validate, `{"status": "OK"}` from status. Every answer outside the 2xx range, a
redirect included, is an error that says what Stitch meant and what to do.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from pulumi_taxonomy.core import credentials
from pulumi_taxonomy.core.errors import (
    AmbiguousWrite,
    ApiError,
    AuthError,
    ConfigurationError,
    TaxonomyError,
    VendorError,
    common_error,
)
from pulumi_taxonomy.core.http import Registry, VendorHttp, fingerprint, vendor_http
from pulumi_taxonomy.core.limits import CostPolicy
from pulumi_taxonomy.core.probe import Probe, Regions, failed, reach_hint
from pulumi_taxonomy.stitch.models import StitchConnection, upsert_record

BASE_URLS = {"us": "https://api.stitchdata.com", "eu": "https://api.eu-central-1.stitchdata.com"}
STATUS = "/v2/import/status"
VALIDATE = "/v2/import/validate"
PUSH = "/v2/import/push"

MEANINGS = {
    400: "Stitch could not read the request (malformed JSON, not an array of records, or too many records)",
    401: "Stitch refused the access token",
    403: "the access token may not write for this client id",
    404: "Stitch does not serve this endpoint at this address",
    405: "the endpoint does not accept this HTTP method",
    410: "Stitch no longer serves this endpoint",
    413: "the request body is larger than Stitch accepts",
    415: "Stitch refused the request's content type",
    422: "a record lacks a required field or carries a value Stitch refuses",
    503: "the Import API is experiencing problems",
    504: "the Import API could not process the request in time",
}
"""What each answer means, after the vendor's return-code table."""


def advice(status: int, client_id: int | None = None) -> str:
    """What a person does about an answer with this status."""
    if status in (401, 403):
        which = f"client id {client_id}" if client_id is not None else "the client id"
        return (
            "check the access token and the client id (connection input, stack config "
            "stitchAccessToken / stitchClientId, or STITCH_ACCESS_TOKEN / STITCH_CLIENT_ID): "
            f"{which} must be the account the token belongs to, and a token works only on its "
            "region's host (region us: api.stitchdata.com, eu: api.eu-central-1.stitchdata.com)."
        )
    if status in (404, 405, 410):
        return (
            "check the base URL (stitchBaseUrl / STITCH_BASE_URL); if it is right, Stitch has "
            "retired the /v2/import/push endpoint this version uses: upgrade pulumi-taxonomy."
        )
    if status == 413:
        return "lower batch_max_bytes (the reference allows 4 MB per request)."
    if status in (503, 504) or status >= 500:
        return (
            "Stitch is having trouble (see http://status.stitchdata.com/); the request was "
            "retried; apply again later."
        )
    return "read Stitch's message above: the rows passed check, so this is a rule Stitch applies."


def error_for(call: str, response: httpx.Response) -> VendorError:
    try:
        body = response.json()
        message = str(body.get("message") or body) if isinstance(body, dict) else str(body)
    except ValueError:
        message = response.text[:500] or response.reason_phrase
    meaning = MEANINGS.get(response.status_code)
    if meaning:
        message = f"{message} ({meaning})"
    common = common_error(call, response.status_code, message)
    if common is not None:
        return common
    return ApiError(call, response.status_code, message)


ACCESS_TOKEN: credentials.Setting = ("access_token", "stitchAccessToken", "STITCH_ACCESS_TOKEN")
CLIENT_ID: credentials.Setting = ("client_id", "stitchClientId", "STITCH_CLIENT_ID")
CREDENTIAL_SETTINGS = (ACCESS_TOKEN, CLIENT_ID)


@dataclass(frozen=True)
class StitchSettings:
    access_token: str
    client_id: int
    base_url: str

    def __repr__(self) -> str:
        return f"StitchSettings(client_id={self.client_id}, base_url={self.base_url!r})"


def settings_for(connection: StitchConnection | Mapping[str, Any] | None) -> StitchSettings:
    token = credentials.secret(connection, *ACCESS_TOKEN)
    client_id = credentials.resolve(connection, *CLIENT_ID)
    if not token or not client_id:
        raise ConfigurationError(
            "Stitch credentials are missing: give the resource a `connection` with access_token and "
            "client_id, "
            "or set the stack config stitchAccessToken (--secret) and stitchClientId, or the environment "
            "variables STITCH_ACCESS_TOKEN and STITCH_CLIENT_ID."
        )
    try:
        client = int(float(client_id))
    except ValueError:
        raise ConfigurationError(f"Stitch client id must be a number, not {client_id!r}.") from None
    region_host = credentials.region_url(connection, "Stitch", "stitchRegion", "STITCH_REGION", BASE_URLS)
    base_url = credentials.resolve(connection, "base_url", "stitchBaseUrl", "STITCH_BASE_URL") or region_host
    return StitchSettings(token, client, base_url.rstrip("/"))


VENDOR_ID = "stitch"
"""How `doctor` names this vendor (its `--vendor` choice)."""
STATUS_CHECK = "status endpoint"
CREDENTIALS_CHECK = "token, client id and region"
REACH = reach_hint("STITCH_BASE_URL", "STITCH_REGION")
PROBE_TABLE = "pulumi_taxonomy_probe"
"""The table named by the probe's record; `/validate` stores nothing, so it is never made."""


class StitchClient:
    def __init__(self, http: VendorHttp, client_id: int) -> None:
        self.http = http
        self.client_id = client_id

    def record(
        self, table_name: str, key_names: list[str], sequence: int, data: dict[str, Any]
    ) -> dict[str, Any]:
        """One record of this client id (`upsert_record`)."""
        return upsert_record(self.client_id, table_name, key_names, sequence, data)

    def status(self) -> bool:
        """True when the status endpoint says the Import API is operating correctly."""
        try:
            body = self._get_status().json()
        except (TaxonomyError, ConnectionError, ValueError):
            return False
        return isinstance(body, dict) and body.get("status") == "OK"

    def validate(self, records: list[dict[str, Any]]) -> None:
        """Stitch checks the records and stores nothing (reference line 191): when the
        answer is lost, sending them again is safe, so it is retried."""
        try:
            self._send(VALIDATE, records, resend_safe=True)
        except AmbiguousWrite as lost:
            raise ConnectionError(
                f"{lost.call}: the answer was lost {lost.attempts} times in a row; nothing was pushed"
            ) from lost

    def push(self, records: list[dict[str, Any]]) -> None:
        """Push one batch. When the answer is lost, the same records go once more: whatever
        Stitch does with two identical records of one sequence (keep either; the reference
        warns that same-key records of one sequence may "fail"), both copies hold the same
        data, and a copy that arrives late cannot undo a newer write, whose sequence is
        higher. A second lost answer raises `AmbiguousWrite`: the batch may have landed."""
        try:
            self._send(PUSH, records)
        except AmbiguousWrite:
            self._send(PUSH, records)

    def probe(self) -> list[Probe]:
        """Read-only checks: the status endpoint answers, and the token and client id are
        accepted (a `/validate` of one harmless record, which stores nothing)."""
        results: list[Probe] = []
        try:
            body = self._get_status().json()
            ok = isinstance(body, dict) and body.get("status") == "OK"
            detail = "the Import API is operating correctly" if ok else f"unexpected answer: {body!r}"
            results.append(Probe(VENDOR_ID, STATUS_CHECK, "pass" if ok else "fail", detail))
        except VendorError as exc:
            trouble = "Stitch reports trouble (see http://status.stitchdata.com/). Do not push data now."
            results.append(failed(VENDOR_ID, STATUS_CHECK, exc, trouble))
        except (TaxonomyError, ConnectionError, ValueError) as exc:
            results.append(failed(VENDOR_ID, STATUS_CHECK, exc, REACH))
        host = self.http.client.base_url.host
        try:
            self.validate_probe_record()
            accepted = f"{host} accepts the token for client id {self.client_id}"
            results.append(Probe(VENDOR_ID, CREDENTIALS_CHECK, "pass", accepted))
        except VendorError as exc:
            hint = advice(exc.status, self.client_id)
            refused = isinstance(exc, AuthError)
            results.append(Probe(VENDOR_ID, CREDENTIALS_CHECK, "fail", str(exc), hint, refused=refused))
        except (TaxonomyError, ConnectionError) as exc:
            results.append(failed(VENDOR_ID, CREDENTIALS_CHECK, exc, REACH))
        return results

    def validate_probe_record(self) -> None:
        """`/validate` one harmless record: raises unless the token and client id are accepted."""
        self.validate([self.record(PROBE_TABLE, ["id"], 1, {"id": 1})])

    def _get_status(self) -> httpx.Response:
        # The status endpoint needs no authentication (reference line 190): the token stays home.
        return self.http.request("GET", STATUS, auth=None)

    def _send(self, path: str, records: list[dict[str, Any]], resend_safe: bool = False) -> httpx.Response:
        # Strict JSON: NaN and infinities are refused here too (check refuses them first).
        body = json.dumps(records, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
        # Only a 2xx comes back (reference line 165): VendorHttp raises for the rest, a
        # redirect included (never followed nor taken for a success).
        return self.http.request(
            "POST", path, content=body, headers={"content-type": "application/json"}, resend_safe=resend_safe
        )


class BearerToken(httpx.Auth):
    """`Authorization: Bearer <token>` (reference lines 132-136), dropped where a request
    asks for no auth."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["authorization"] = self._header
        yield request


_clients: Registry[StitchClient] = Registry()


def client_for(connection: StitchConnection | Mapping[str, Any] | None) -> StitchClient:
    settings = settings_for(connection)
    credential_id = fingerprint(settings.access_token, str(settings.client_id))
    return _clients.get(
        (settings.base_url, credential_id),
        lambda: StitchClient(
            vendor_http(
                vendor="Stitch",
                base_url=settings.base_url,
                credential_id=credential_id,
                policy=CostPolicy(2, 10**9, 3600),
                error_for=error_for,
                auth=BearerToken(settings.access_token),
            ),
            settings.client_id,
        ),
    )


def probe(connection: StitchConnection | Mapping[str, Any] | None = None) -> list[Probe]:
    """Read-only checks of a Stitch setup (`StitchClient.probe`); credentials refused on
    one region's host and accepted by the other's say which region to set. Missing or
    contradictory settings raise `ConfigurationError`."""
    settings = settings_for(connection)
    status, credentials = client_for(connection).probe()
    regions = Regions(BASE_URLS, "STITCH_REGION", "stitchRegion", "an account")

    def accepts(host: str) -> bool:
        other = {"access_token": settings.access_token, "client_id": settings.client_id, "base_url": host}
        client_for(other).validate_probe_record()
        return True

    return [status, regions.explain_refusal(credentials, settings.base_url, "this token", accepts)]
