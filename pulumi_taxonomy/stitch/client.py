"""A typed client of the Stitch Import API: status, validate, push."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from pulumi_taxonomy.core import credentials
from pulumi_taxonomy.core.errors import (
    AmbiguousWrite,
    ApiError,
    ConfigurationError,
    VendorError,
    common_error,
)
from pulumi_taxonomy.core.http import Registry, VendorHttp, fingerprint, vendor_http
from pulumi_taxonomy.core.limits import CostPolicy
from pulumi_taxonomy.stitch.models import StitchConnection

BASE_URLS = {"us": "https://api.stitchdata.com", "eu": "https://api.eu-central-1.stitchdata.com"}
IMPORT = "/v2/import"


@dataclass(frozen=True)
class StitchSettings:
    access_token: str
    client_id: int
    base_url: str

    def __repr__(self) -> str:
        return f"StitchSettings(client_id={self.client_id}, base_url={self.base_url!r})"


def settings_for(connection: StitchConnection | Mapping[str, Any] | None) -> StitchSettings:
    token = credentials.resolve(connection, "access_token", "stitchAccessToken", "STITCH_ACCESS_TOKEN")
    client_id = credentials.resolve(connection, "client_id", "stitchClientId", "STITCH_CLIENT_ID")
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


def error_for(call: str, response: httpx.Response) -> VendorError:
    try:
        body = response.json()
        message = str(body.get("message") or body) if isinstance(body, dict) else str(body)
    except ValueError:
        message = response.text[:500] or response.reason_phrase
    common = common_error(call, response.status_code, message)
    if common is not None:
        return common
    return ApiError(call, response.status_code, message)


class StitchClient:
    def __init__(self, http: VendorHttp, client_id: int) -> None:
        self.http = http
        self.client_id = client_id

    def status(self) -> bool:
        try:
            body = self.http.request("GET", f"{IMPORT}/status").json()
        except (VendorError, ConnectionError):
            return False
        return isinstance(body, dict) and body.get("status") == "OK"

    def _send(self, path: str, records: list[dict[str, Any]]) -> httpx.Response:
        body = json.dumps(records, separators=(",", ":"), ensure_ascii=False).encode()
        return self.http.request("POST", path, content=body, headers={"content-type": "application/json"})

    def validate(self, records: list[dict[str, Any]]) -> None:
        self._send(f"{IMPORT}/validate", records)

    def push(self, records: list[dict[str, Any]]) -> None:
        try:
            self._send(f"{IMPORT}/push", records)
        except AmbiguousWrite:
            # Sending the same records with the same sequences again cannot regress a
            # row (equal sequences replace with the same data): resend once.
            self._send(f"{IMPORT}/push", records)


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
                headers={"authorization": f"Bearer {settings.access_token}"},
            ),
            settings.client_id,
        ),
    )
