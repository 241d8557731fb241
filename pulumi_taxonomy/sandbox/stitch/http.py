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
from pulumi_taxonomy.sandbox.forms import FormError, parse_json
from pulumi_taxonomy.sandbox.gate import DroppedAnswer, VendorPolicy
from pulumi_taxonomy.sandbox.stitch.state import (
    MAX_BODY_BYTES,
    Endpoint,
    StitchError,
    Warehouse,
    check_records,
)

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
            # The reference: "less than 4MB" (:105), read as 4,000,000 bytes; the gate
            # refuses a larger body (413) before reading it.
            max_body_bytes=MAX_BODY_BYTES - 1,
        ),
    ]


def routes(warehouse: Warehouse, config: SandboxConfig) -> list[Route]:
    async def status(request: Request) -> Response:
        return JSONResponse({"name": "pipeline.gate", "status": "OK"})

    def records_endpoint(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                return error_response(415, "Content-Type must be application/json")
            try:
                records = check_records(parse_json(await request.body()), config.stitch_client_id)
            except FormError as exc:  # says what is wrong with the JSON
                return error_response(400, str(exc))
            except StitchError as exc:
                return error_response(exc.status, exc.message)
            answer = warehouse.refusal(endpoint, records)
            if isinstance(answer, int):
                return error_response(answer, "A record is refused (sandbox test hook)")
            if endpoint == "push":
                warehouse.push(records)
            if answer == "drop":
                return DroppedAnswer()
            if endpoint == "validate":
                return JSONResponse({"status": "OK", "message": f"{len(records)} record(s) are valid"})
            return Response(status_code=201)

        return handle

    return [
        Route(f"{BASE}/status", status, methods=["GET"]),
        Route(f"{BASE}/validate", records_endpoint("validate"), methods=["POST"]),
        Route(f"{BASE}/push", records_endpoint("push"), methods=["POST"]),
    ]
