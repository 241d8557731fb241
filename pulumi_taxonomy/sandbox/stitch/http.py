"""HTTP face of the emulated Stitch Import API (`/v2/import/...`)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pulumi_taxonomy.sandbox.config import SandboxConfig
from pulumi_taxonomy.sandbox.forms import parse_json
from pulumi_taxonomy.sandbox.gate import VendorPolicy
from pulumi_taxonomy.sandbox.stitch.state import MAX_BODY_BYTES, StitchError, Warehouse, check_records

BASE = "/v2/import"


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"status": "ERROR", "message": message}, status_code=status)


def policies(config: SandboxConfig) -> list[VendorPolicy]:
    expected = f"Bearer {config.stitch_token}".encode()
    label = "stitch:" + hashlib.sha256(config.stitch_token.encode()).hexdigest()[:8]

    def authenticate(headers: Headers) -> str | None:
        return label if hmac.compare_digest(headers.get("authorization", "").encode(), expected) else None

    def never_503_on_validate(path: str, fault: str) -> str | None:
        # "Regardless of whether Stitch is functional, validate never answers 503."
        return None if fault == "503" and path.endswith("/validate") else fault

    return [
        # The status endpoint needs no authentication.
        VendorPolicy(
            name="stitch-status",
            prefixes=(f"{BASE}/status",),
            authenticate=lambda h: "public",
            error_response=error_response,
        ),
        VendorPolicy(
            name="stitch",
            prefixes=(f"{BASE}/validate", f"{BASE}/push", f"{BASE}/batch"),
            authenticate=authenticate,
            error_response=error_response,
            fault_filter=never_503_on_validate,
            max_body_bytes=MAX_BODY_BYTES,
        ),
    ]


def routes(warehouse: Warehouse, config: SandboxConfig) -> list[Route]:
    async def status(request: Request) -> Response:
        return JSONResponse({"name": "pipeline.gate", "status": "OK"})

    def records_endpoint(store: bool) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                return error_response(415, "Content-Type must be application/json")
            raw = await request.body()
            if len(raw) > MAX_BODY_BYTES:
                return error_response(413, f"The request body is larger than {MAX_BODY_BYTES} bytes")
            try:
                body = parse_json(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                return error_response(400, f"The request body is not valid JSON: {exc}")
            try:
                records = check_records(body, config.stitch_client_id, warehouse.refusals)
            except StitchError as exc:
                return error_response(exc.status, exc.message)
            if not store:
                return JSONResponse({"status": "OK", "message": f"{len(records)} record(s) are valid"})
            warehouse.push(records)
            return Response(status_code=201)

        return handle

    return [
        Route(f"{BASE}/status", status, methods=["GET"]),
        Route(f"{BASE}/validate", records_endpoint(store=False), methods=["POST"]),
        Route(f"{BASE}/push", records_endpoint(store=True), methods=["POST"]),
    ]
