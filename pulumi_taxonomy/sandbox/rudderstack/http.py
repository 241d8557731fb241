"""HTTP face of the emulated RudderStack Data Catalog API (`/v2/catalog/...`), and the
sandbox's own switch of vendor readings (`/_sandbox/rudderstack/variant`)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pulumi_taxonomy.sandbox.config import SandboxConfig
from pulumi_taxonomy.sandbox.forms import parse_json
from pulumi_taxonomy.sandbox.gate import VendorPolicy
from pulumi_taxonomy.sandbox.rudderstack.state import RudderStackError, RudderStackWorkspace

BASE = "/v2/catalog/tracking-plans"


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def policy(config: SandboxConfig) -> VendorPolicy:
    expected = f"Bearer {config.rudderstack_token}".encode()
    # Stats name the account by a digest: a bearer token is a secret.
    label = "rudderstack:" + hashlib.sha256(config.rudderstack_token.encode()).hexdigest()[:8]

    def authenticate(headers: Headers) -> str | None:
        given = headers.get("authorization", "").encode()
        return label if hmac.compare_digest(given, expected) else None

    # RudderStack documents no rate limits: nothing is metered.
    return VendorPolicy(
        name="rudderstack",
        prefixes=("/v2/catalog",),
        authenticate=authenticate,
        error_response=error_response,
    )


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if content_type != "application/json":
        raise RudderStackError(400, f"Unsupported Content-Type {content_type!r}: send application/json")
    try:
        body = parse_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RudderStackError(400, f"Invalid JSON body: {exc}") from None
    if not isinstance(body, dict):
        raise RudderStackError(400, "The request body must be a JSON object")
    return body


def routes(workspace: RudderStackWorkspace) -> list[Route]:
    w = workspace

    def endpoint(
        work: Callable[[Request, Any], Any], status: int = 200
    ) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            try:
                result = work(request, await _body(request))
            except RudderStackError as exc:
                return error_response(exc.status, exc.message)
            return Response(status_code=204) if status == 204 else JSONResponse(result, status_code=status)

        return handle

    def p(request: Request, name: str) -> str:
        return str(request.path_params[name])

    async def variant(request: Request) -> Response:
        if request.method == "POST":
            try:
                w.set_variant(await _body(request))
            except RudderStackError as exc:
                return error_response(exc.status, exc.message)
            except ValidationError as exc:
                return error_response(400, str(exc))
        return JSONResponse(w.variant.model_dump())

    return [
        Route("/_sandbox/rudderstack/variant", variant, methods=["GET", "POST"]),
        Route(
            BASE, endpoint(lambda r, b: w.create_plan(b.get("name"), b.get("description"))), methods=["POST"]
        ),
        Route(BASE, endpoint(lambda r, b: {"trackingPlans": w.list_plans()}), methods=["GET"]),
        Route(BASE + "/{plan}", endpoint(lambda r, b: w.get_plan(p(r, "plan"))), methods=["GET"]),
        Route(BASE + "/{plan}", endpoint(lambda r, b: w.update_plan(p(r, "plan"), b)), methods=["PUT"]),
        Route(BASE + "/{plan}", endpoint(lambda r, b: w.delete_plan(p(r, "plan"))), methods=["DELETE"]),
        Route(
            BASE + "/{plan}/events", endpoint(lambda r, b: w.upsert_event(p(r, "plan"), b)), methods=["POST"]
        ),
        Route(
            BASE + "/{plan}/events",
            endpoint(lambda r, b: w.upsert_event(p(r, "plan"), b, rules_variant=True)),
            methods=["PATCH"],
        ),
        Route(
            BASE + "/{plan}/events",
            endpoint(lambda r, b: w.list_events(p(r, "plan"), r.query_params.get("page"))),
            methods=["GET"],
        ),
        Route(
            BASE + "/{plan}/events/{event}",
            endpoint(lambda r, b: w.get_event(p(r, "plan"), p(r, "event"), r.query_params.get("format"))),
            methods=["GET"],
        ),
        Route(
            BASE + "/{plan}/events/{event}",
            endpoint(lambda r, b: w.delete_event(p(r, "plan"), p(r, "event")), status=204),
            methods=["DELETE"],
        ),
        Route(
            BASE + "/{plan}/sources", endpoint(lambda r, b: w.list_connections(p(r, "plan"))), methods=["GET"]
        ),
        Route(
            BASE + "/{plan}/sources/{source}",
            endpoint(lambda r, b: w.connect(p(r, "plan"), p(r, "source"), b)),
            methods=["POST"],
        ),
        Route(
            BASE + "/{plan}/sources/{source}",
            endpoint(lambda r, b: w.update_connection(p(r, "plan"), p(r, "source"), b)),
            methods=["PUT"],
        ),
        Route(
            BASE + "/{plan}/sources/{source}",
            endpoint(lambda r, b: w.disconnect(p(r, "plan"), p(r, "source")), status=204),
            methods=["DELETE"],
        ),
    ]
