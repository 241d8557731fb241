"""HTTP face of the emulated Stitch Import API (`/v2/import/...`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from pulumi_taxonomy.sandbox.config import SandboxConfig
from pulumi_taxonomy.sandbox.gate import VendorPolicy
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


class DroppedAnswer(Response):
    """The request took effect; its answer is lost: headers promise a body that never
    comes, and the server closes the connection (the gate's own fallback, for a hook)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
        raise ConnectionAbortedError("sandbox test hook: the answer was dropped")


async def read_body(request: Request) -> bytes:
    """The body, refused (413) as soon as it reaches the limit, before it is all read: the
    reference says "less than 4MB" (:105), read as 4,000,000 bytes."""
    too_large = StitchError(413, f"The request body must be less than {MAX_BODY_BYTES} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) >= MAX_BODY_BYTES:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size >= MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range for a number")
    return value


def parse_json(raw: bytes) -> object:
    """Strict JSON (RFC 8259): no NaN or Infinity, no number that overflows to one; a
    body nested too deep to parse is malformed too. Errors are 400."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise StitchError(400, "The request body is not valid JSON: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise StitchError(400, f"The request body is not valid JSON: {exc}") from None


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
                records = check_records(parse_json(await read_body(request)), config.stitch_client_id)
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
