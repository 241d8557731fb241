"""The sandbox ASGI app: every emulated vendor behind one gate, plus introspection.

Introspection lives under `/_sandbox/`, outside every vendor's paths, and is neither
authenticated, limited nor counted: tests use it to see what the vendor saw. Only
programs may use it, not web pages (JSON requests naming the sandbox's own address:
see `guard`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from pulumi_taxonomy.sandbox.amplitude import data_http
from pulumi_taxonomy.sandbox.amplitude import http as amplitude_http
from pulumi_taxonomy.sandbox.amplitude.data import AmplitudeData
from pulumi_taxonomy.sandbox.amplitude.models import ProjectSettings
from pulumi_taxonomy.sandbox.amplitude.seed import seed_demo
from pulumi_taxonomy.sandbox.amplitude.state import AmplitudeError, AmplitudeTaxonomy
from pulumi_taxonomy.sandbox.config import FaultSpec, SandboxConfig
from pulumi_taxonomy.sandbox.faults import FaultInjector
from pulumi_taxonomy.sandbox.forms import parse_json
from pulumi_taxonomy.sandbox.gate import VendorGate, VendorPolicy
from pulumi_taxonomy.sandbox.guard import IntrospectionGuard
from pulumi_taxonomy.sandbox.rudderstack import http as rudderstack_http
from pulumi_taxonomy.sandbox.rudderstack.seed import seed_demo as seed_rudderstack
from pulumi_taxonomy.sandbox.rudderstack.state import RudderStackWorkspace
from pulumi_taxonomy.sandbox.stats import Stats
from pulumi_taxonomy.sandbox.stitch import http as stitch_http
from pulumi_taxonomy.sandbox.stitch.state import Warehouse
from pulumi_taxonomy.sandbox.store import Store

Seed = Literal["empty", "demo"]


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seed: Seed | None = None


class FaultsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    faults: str = ""
    seed: int | None = None


class FailStepRequest(BaseModel):
    """Fail the next calls of one import step (upload, publish, pull_request, merge)."""

    model_config = ConfigDict(extra="forbid")
    step: str
    times: int = Field(default=1, ge=0, le=1000)


class RefuseRequest(BaseModel):
    """Make Stitch refuse records whose column has this value (left out: any value), as
    a vendor rejects a row: at `endpoint`, with `answer` (a status, or "drop": taken,
    then the answer is lost), `times` times (None: always)."""

    model_config = ConfigDict(extra="forbid")
    table: str
    column: str
    value: Any = None
    endpoint: Literal["validate", "push", "both"] = "both"
    answer: Annotated[int, Field(ge=400, le=599)] | Literal["drop"] = 422
    times: int | None = Field(default=None, ge=1, le=1000)


class SourceRequest(BaseModel):
    """A RudderStack source to connect plans to (sources are made in the dashboard)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)


class IngestRequest(BaseModel):
    """Pretend that tracked data arrived, so planned items go live and new ones appear."""

    model_config = ConfigDict(extra="forbid")
    event_type: str | None = None
    event_properties: list[str] = Field(default_factory=list)
    user_properties: list[str] = Field(default_factory=list)
    group_properties: dict[str, list[str]] = Field(default_factory=dict)


class Sandbox:
    """The state behind one sandbox process; `app` serves it."""

    def __init__(self, config: SandboxConfig, store: Store | None = None) -> None:
        self.config = config
        self.store = store or Store(config.db)
        self.stats = Stats()
        self.faults = FaultInjector(config.faults, config.fault_seed)
        self.amplitude = AmplitudeTaxonomy(self.store)
        self.rudderstack = RudderStackWorkspace(self.store)
        self.data = AmplitudeData(self.store, self.amplitude, config.data_workspace, config.data_auto_save)
        self.warehouse = Warehouse(self.store)
        self.guard = IntrospectionGuard(config.host, config.port)
        self.policies: list[VendorPolicy] = [
            amplitude_http.policy(config),
            rudderstack_http.policy(config),
            data_http.policy(config),
            *stitch_http.policies(config),
        ]
        if self.store.get_meta("seeded") is None:
            self.reset(config.seed)
        self.app = self._build_app()

    def reset(self, seed: Seed) -> None:
        with self.store.transaction() as conn:
            self.amplitude.clear(conn)
            self.data.clear(conn)
            self.rudderstack.clear(conn)
            self.warehouse.clear(conn)
            if seed == "demo":
                seed_demo(self.amplitude)
                seed_rudderstack(self.rudderstack)
            self.store.set_meta(conn, "seeded", seed)
        self.stats.reset()
        for vendor in self.policies:
            if vendor.limiter is not None:
                vendor.limiter.reset()

    def listening_on(self, host: str, port: int) -> None:
        """The address the server bound (with `--port 0`, the port the OS chose)."""
        self.guard.listening_on(host, port)

    def stats_snapshot(self) -> dict[str, Any]:
        peaks: dict[str, int] = {}
        for vendor in self.policies:
            if vendor.limiter is not None:
                peaks.update(vendor.limiter.peaks())
        return self.stats.snapshot(peaks)

    def _control_routes(self) -> list[Route]:
        """`/_sandbox/*`: what tests and benchmarks use to set up and look at the vendors."""

        async def stats(request: Request) -> Response:
            return JSONResponse(self.stats_snapshot())

        async def reset(request: Request) -> Response:
            body = await _json_body(request, ResetRequest)
            if isinstance(body, Response):
                return body
            self.reset(body.seed or self.config.seed)
            return JSONResponse({"ok": True, "seed": body.seed or self.config.seed})

        async def ingest(request: Request) -> Response:
            body = await _json_body(request, IngestRequest)
            if isinstance(body, Response):
                return body
            try:
                self.amplitude.ingest(
                    body.event_type,
                    body.event_properties,
                    body.user_properties,
                    body.group_properties,
                )
            except AmplitudeError as exc:
                return JSONResponse({"error": exc.message}, status_code=400)
            return JSONResponse({"ok": True})

        async def amplitude_project(request: Request) -> Response:
            if request.method == "POST":
                body = await _json_body(request, ProjectSettings)
                if isinstance(body, Response):
                    return body
                self.amplitude.configure(body)
            return JSONResponse(self.amplitude.settings().model_dump())

        async def faults(request: Request) -> Response:
            if request.method == "POST":
                body = await _json_body(request, FaultsRequest)
                if isinstance(body, Response):
                    return body
                try:
                    self.faults.configure(FaultSpec.parse(body.faults), body.seed)
                except (ValueError, ValidationError) as exc:
                    return JSONResponse({"error": str(exc)}, status_code=400)
            return JSONResponse({"faults": str(self.faults.spec)})

        async def sources(request: Request) -> Response:
            if request.method == "POST":
                body = await _json_body(request, SourceRequest)
                if isinstance(body, Response):
                    return body
                return JSONResponse({"id": self.rudderstack.add_source(body.name)})
            return JSONResponse({"sources": self.rudderstack.list_sources()})

        async def fail_step(request: Request) -> Response:
            body = await _json_body(request, FailStepRequest)
            if isinstance(body, Response):
                return body
            try:
                self.data.fail(body.step, body.times)
            except ValueError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            return JSONResponse({"ok": True})

        async def warehouse_tables(request: Request) -> Response:
            return JSONResponse({"tables": self.warehouse.tables()})

        async def warehouse_table(request: Request) -> Response:
            rows = self.warehouse.table(request.path_params["table"])
            return JSONResponse({"table": request.path_params["table"], "count": len(rows), "rows": rows})

        async def warehouse_refuse(request: Request) -> Response:
            body = await _json_body(request, RefuseRequest)
            if isinstance(body, Response):
                return body
            endpoints = frozenset({"validate", "push"} if body.endpoint == "both" else {body.endpoint})
            value = body.value if "value" in body.model_fields_set else ...
            self.warehouse.refuse(body.table, body.column, value, endpoints, body.answer, body.times)
            return JSONResponse({"ok": True})

        return [
            Route("/_sandbox/faults", faults, methods=["GET", "POST"]),
            Route("/_sandbox/stitch/refuse", warehouse_refuse, methods=["POST"]),
            Route("/_sandbox/stitch/tables", warehouse_tables, methods=["GET"]),
            Route("/_sandbox/stitch/tables/{table:path}", warehouse_table, methods=["GET"]),
            Route("/_sandbox/amplitude/import/fail", fail_step, methods=["POST"]),
            Route("/_sandbox/rudderstack/sources", sources, methods=["GET", "POST"]),
            Route("/_sandbox/stats", stats, methods=["GET"]),
            Route("/_sandbox/reset", reset, methods=["POST"]),
            Route("/_sandbox/amplitude/ingest", ingest, methods=["POST"]),
            Route("/_sandbox/amplitude/project", amplitude_project, methods=["GET", "POST"]),
        ]

    def _build_app(self) -> VendorGate:
        router_routes = [
            *self._control_routes(),
            *amplitude_http.routes(self.amplitude),
            *rudderstack_http.routes(self.rudderstack),
            *data_http.routes(self.data),
            *stitch_http.routes(self.warehouse, self.config),
        ]

        async def http_error(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, HTTPException)
            for vendor in self.policies:
                if vendor.owns(request.url.path):
                    return vendor.error_response(exc.status_code, str(exc.detail))
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)

        async def internal_error(request: Request, exc: Exception) -> Response:
            for vendor in self.policies:
                if vendor.owns(request.url.path):
                    return vendor.error_response(500, "Internal server error")
            return JSONResponse({"error": "Internal server error"}, status_code=500)

        @asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            yield
            # Close on shutdown (SIGINT/SIGTERM included): checkpoints the WAL, so the
            # file on disk is complete on its own.
            self.store.close()

        app = Starlette(
            routes=router_routes,
            exception_handlers={HTTPException: http_error, Exception: internal_error},
            lifespan=lifespan,
        )
        # The gate goes outside Starlette's own middleware so that it holds the
        # server's `send`, which it needs to drop connections like a flaky network.
        return VendorGate(
            app,
            router=Router(routes=router_routes),
            policies=self.policies,
            stats=self.stats,
            faults=self.faults,
            latency_seconds=self.config.latency_ms / 1000.0,
            guard=self.guard,
        )


async def _json_body(request: Request, model: type[BaseModel]) -> Any:
    raw = await request.body()
    try:
        return model.model_validate(parse_json(raw) if raw.strip() else {})
    except (ValueError, ValidationError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
