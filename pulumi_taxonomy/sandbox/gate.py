"""What stands between a client and the routes: auth, body limits, cost limits,
latency and faults for the vendors' routes; the introspection guard for `/_sandbox/*`.

A pure ASGI middleware, outermost in the app, so that it sees the server's own
`send` (needed to drop a connection) and measures what the client experiences.
Vendor specifics (how to authenticate, what a request costs, how errors look) come
from a `VendorPolicy`; the gate itself knows no vendor. Every request body is read
here, up to its limit, before any route sees it: a declared `Content-Length` over the
limit is refused unread, and a streamed body is cut off at the limit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pulumi_taxonomy.core.http import fingerprint
from pulumi_taxonomy.sandbox.config import DROP
from pulumi_taxonomy.sandbox.faults import FaultInjector
from pulumi_taxonomy.sandbox.guard import IntrospectionGuard
from pulumi_taxonomy.sandbox.limits import CostLimiter
from pulumi_taxonomy.sandbox.stats import Stats

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 32 * 1024 * 1024
"""[I] The largest request body a vendor route reads, unless its vendor documents a
limit (Stitch: 4 MB). No other vendor documents one; 32 MiB is far above any tracking
plan (a 10,000-event import CSV is a few MB) and keeps a runaway client from filling
the sandbox's memory."""

MAX_INTROSPECTION_BODY_BYTES = 1024 * 1024
"""Bodies of `/_sandbox/*` requests (and of unknown paths) are small settings."""


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
    max_body_bytes: int = MAX_BODY_BYTES
    """Larger request bodies are refused with 413 before they are read."""

    def owns(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.prefixes)


class DroppedAnswer(Response):
    """The request took effect; its answer is lost: headers promise a body that never
    comes, and the failure makes the server close the connection mid-answer, so the
    client cannot tell whether the write took effect. For routes whose test hooks drop
    an answer, and the gate's fallback when it cannot reach the transport."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
        raise ConnectionAbortedError("sandbox: the answer was dropped on purpose, after the request")


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
        guard: IntrospectionGuard,
    ) -> None:
        self.app = app
        self.router = router
        self.policies = policies
        self.stats = stats
        self.faults = faults
        self.latency_seconds = latency_seconds
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = next((p for p in self.policies if p.owns(scope["path"])), None)
        try:
            if policy is None:
                await self._unmetered(scope, receive, send)
            else:
                await self._vendor(policy, scope, receive, send)
        except ClientDisconnect:
            return  # gone while sending its body: nothing was done, nobody to answer

    async def _unmetered(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Introspection (guarded) and unknown paths: no auth, limits or faults."""
        if self.guard.guards(scope["path"]):
            refusal = self.guard.refusal(Headers(scope=scope))
            if refusal is not None:
                status, message = refusal
                await JSONResponse({"error": message}, status_code=status)(scope, receive, send)
                return
        body = await read_body(scope, receive, MAX_INTROSPECTION_BODY_BYTES)
        if body is None:
            await JSONResponse({"error": _too_large(MAX_INTROSPECTION_BODY_BYTES)}, 413)(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)

    async def _vendor(self, policy: VendorPolicy, scope: Scope, receive: Receive, send: Send) -> None:
        route = self._route_label(scope)
        status_box: list[int] = [0]

        async def send_recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
            await send(message)

        key = policy.authenticate(Headers(scope=scope))
        # Stats and limits name the account by a fingerprint: a key is a secret.
        account = None if key is None else f"{policy.name}:{fingerprint(key)}"
        try:
            if account is None:
                await self._answer(policy, 401, "Invalid credentials", scope, receive, send_recording)
                return
            body = await read_body(scope, receive, policy.max_body_bytes)
            if body is None:
                message = _too_large(policy.max_body_bytes)
                await self._answer(policy, 413, message, scope, receive, send_recording)
                return
            await self._admit(policy, account, scope, replay(body, receive), send, send_recording)
        finally:
            self.stats.record(route, status_box[0], account)

    async def _admit(
        self,
        policy: VendorPolicy,
        account: str,
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
            refusal = policy.limiter.try_acquire(account, cost)
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
                policy.limiter.release(account, cost)

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
        # Servers that hide their transport: fail mid-answer, so that they close it.
        await DroppedAnswer()(scope, receive, send)

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


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None once it is known to exceed `limit` bytes: from
    its `Content-Length` (nothing is read), or when the stream passes the limit."""
    declared = Headers(scope=scope).get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then the connection's own."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive_again() -> Message:
        return pending.pop() if pending else await receive()

    return receive_again


def _too_large(limit: int) -> str:
    return f"The request body must be at most {limit} bytes"


def _fault_message(status: int) -> str:
    if status == 429:
        return "Too many requests (injected by the sandbox)"
    return f"Server error {status} (injected by the sandbox)"


def _template(path: str) -> str:
    """`/event/{event_type:path}` -> `/event/{event_type}`: the route as a person reads it."""
    return path.replace(":path}", "}")
