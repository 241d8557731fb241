"""What stands between a client and a vendor's routes: auth, limits, latency, faults.

A pure ASGI middleware, outermost in the app, so that it sees the server's own
`send` (needed to drop a connection) and measures what the client experiences.
Vendor specifics (how to authenticate, what a request costs, how errors look) come
from a `VendorPolicy`; the gate itself knows no vendor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pulumi_taxonomy.sandbox.config import DROP
from pulumi_taxonomy.sandbox.faults import FaultInjector
from pulumi_taxonomy.sandbox.limits import CostLimiter
from pulumi_taxonomy.sandbox.stats import Stats

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VendorPolicy:
    name: str
    prefixes: tuple[str, ...]
    authenticate: Callable[[Headers], str | None]
    """Returns the account key the request is billed to, or None to refuse it (401)."""
    error_response: Callable[[int, str], Response]
    """Renders an error in the vendor's own envelope."""
    cost: Callable[[str], int] | None = None
    """Cost of a request by HTTP method, when the vendor meters requests."""
    limiter: CostLimiter | None = None
    fault_filter: Callable[[str, str], str | None] | None = None
    """Vendor rules about which injected faults a path can suffer (path, fault) -> fault."""

    def owns(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.prefixes)


class VendorGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        router: Router,
        policies: list[VendorPolicy],
        stats: Stats,
        faults: FaultInjector,
        latency_seconds: float,
    ) -> None:
        self.app = app
        self.router = router
        self.policies = policies
        self.stats = stats
        self.faults = faults
        self.latency_seconds = latency_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        policy = None
        if scope["type"] == "http":
            policy = next((p for p in self.policies if p.owns(scope["path"])), None)
        if policy is None:
            await self.app(scope, receive, send)
            return

        route = self._route_label(scope)
        status_box: list[int] = [0]

        async def send_recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
            await send(message)

        key = policy.authenticate(Headers(scope=scope))
        try:
            if key is None:
                await self._answer(policy, 401, "Invalid credentials", scope, receive, send_recording)
            else:
                await self._admit(policy, key, scope, receive, send, send_recording)
        finally:
            self.stats.record(route, status_box[0], key)

    async def _admit(
        self,
        policy: VendorPolicy,
        key: str,
        scope: Scope,
        receive: Receive,
        send: Send,
        send_recording: Send,
    ) -> None:
        fault = self.faults.draw()
        if fault is not None and policy.fault_filter is not None:
            fault = policy.fault_filter(scope["path"], fault)
        if fault is not None:
            self.stats.record_fault(fault)
        if fault is not None and fault != DROP and int(fault) < 500:
            # An injected 4xx (typically 429) is refused before any work, as a real one is.
            await self._answer(policy, int(fault), _fault_message(int(fault)), scope, receive, send_recording)
            return

        cost = policy.cost(scope["method"]) if policy.cost else 0
        if policy.limiter is not None:
            refusal = policy.limiter.try_acquire(key, cost)
            if refusal is not None:
                self.stats.record_refusal(refusal)
                message = (
                    f"Too many requests: more than {policy.limiter.max_in_flight} cost in flight"
                    if refusal == "concurrency"
                    else f"Too many requests: more than {policy.limiter.budget} cost this hour"
                )
                await self._answer(policy, 429, message, scope, receive, send_recording)
                return
        try:
            if self.latency_seconds:
                await asyncio.sleep(self.latency_seconds)
            if fault == DROP:
                await self._process_then_drop(scope, receive, send)
            elif fault is not None:
                await self._answer(
                    policy, int(fault), _fault_message(int(fault)), scope, receive, send_recording
                )
            else:
                await self.app(scope, receive, send_recording)
        finally:
            if policy.limiter is not None:
                policy.limiter.release(key, cost)

    async def _process_then_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Let the request take effect, then close the connection with no response."""

        async def swallow(message: Message) -> None:
            return None

        await self.app(scope, receive, swallow)
        transport = getattr(getattr(send, "__self__", None), "transport", None)
        if transport is not None:
            transport.abort()
            # Let the server notice the lost connection before we return, so it does
            # not try to answer on our behalf.
            for _ in range(3):
                await asyncio.sleep(0)
            return
        # Fallback for servers that hide their transport: promise a body, then fail,
        # which makes the server close the connection mid-response.
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
        raise ConnectionAbortedError("sandbox fault: response dropped")

    @staticmethod
    async def _answer(
        policy: VendorPolicy, status: int, message: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        await policy.error_response(status, message)(scope, receive, send)

    def _route_label(self, scope: Scope) -> str:
        partial = None
        for route in self.router.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return f"{scope['method']} {_template(getattr(route, 'path', '?'))}"
            if match == Match.PARTIAL and partial is None:
                partial = route
        path = getattr(partial, "path", None) if partial else None
        return f"{scope['method']} {_template(path) if path else '(unknown route)'}"


def _fault_message(status: int) -> str:
    if status == 429:
        return "Too many requests (injected by the sandbox)"
    return f"Server error {status} (injected by the sandbox)"


def _template(path: str) -> str:
    """`/event/{event_type:path}` -> `/event/{event_type}`: the route as a person reads it."""
    return path.replace(":path}", "}")
