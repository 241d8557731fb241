"""HTTP to vendors: one shared `httpx.Client` per (base URL, credential) per process,
the credential's cost limiter around every request, and retries with backoff.

Retried: 429, 5xx (513 included) and connection failures before the request left.
A write whose connection failed after it was sent is *not* resent: `AmbiguousWrite`
tells the caller to read back and learn whether it happened.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
import tenacity

from pulumi_taxonomy.core.errors import AmbiguousWrite, ConfigurationError, VendorError
from pulumi_taxonomy.core.limits import CostLimiter, CostPolicy, limiter_for

log = logging.getLogger("pulumi_taxonomy.http")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
# Raised before any byte of the request reached the server: always safe to retry.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    initial_wait: float = 0.25
    max_wait: float = 20.0
    max_total: float = 300.0

    def retryable_status(self, status: int) -> bool:
        return status == 429 or status >= 500

    @classmethod
    def from_env(cls) -> RetryPolicy:
        """Defaults, or `PULUMI_TAXONOMY_RETRIES` attempts and `PULUMI_TAXONOMY_RETRY_WAIT`
        seconds of first backoff (the provider server sees the user's environment)."""
        attempts = os.environ.get("PULUMI_TAXONOMY_RETRIES")
        wait = os.environ.get("PULUMI_TAXONOMY_RETRY_WAIT")
        try:
            policy = cls(
                attempts=max(1, int(attempts)) if attempts else cls.attempts,
                initial_wait=max(0.0, float(wait)) if wait else cls.initial_wait,
            )
            if not math.isfinite(policy.initial_wait):
                raise ValueError(wait)
        except ValueError:
            raise ConfigurationError(
                "PULUMI_TAXONOMY_RETRIES must be a whole number of attempts and PULUMI_TAXONOMY_RETRY_WAIT "
                f"a finite number of seconds, not {attempts!r} and {wait!r}."
            ) from None
        return policy


def fingerprint(*secrets: str) -> str:
    """A stable, non-reversible id for a credential: safe in keys, logs and errors."""
    return hashlib.sha256("\0".join(secrets).encode()).hexdigest()[:16]


_clients: dict[tuple[str, str], httpx.Client] = {}
_clients_lock = threading.Lock()


def shared_client(
    base_url: str, credential_id: str, auth: httpx.Auth | None, headers: Mapping[str, str]
) -> httpx.Client:
    """The process's client for this base URL and credential (connection pool shared)."""
    key = (base_url, credential_id)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = httpx.Client(
                base_url=base_url,
                auth=auth,
                headers=dict(headers),
                timeout=httpx.Timeout(60.0, connect=10.0),
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
                trust_env=True,
            )
            _clients[key] = client
        return client


class _Retry(Exception):
    def __init__(self, response: httpx.Response | None = None, cause: Exception | None = None) -> None:
        super().__init__(repr(cause) if cause else f"HTTP {response.status_code if response else '?'}")
        self.response = response
        self.cause = cause

    @property
    def retry_after(self) -> float:
        header = self.response.headers.get("retry-after") if self.response is not None else None
        return parse_retry_after(header) if header else 0.0


def parse_retry_after(value: str) -> float:
    """`Retry-After` as seconds: either a number or an HTTP date."""
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return 0.0
        return max(0.0, when.timestamp() - time.time())


class VendorHttp:
    """What a vendor client sends requests through."""

    def __init__(
        self,
        *,
        vendor: str,
        client: httpx.Client,
        limiter: CostLimiter | None,
        cost: Callable[[str], int],
        error_for: Callable[[str, httpx.Response], VendorError],
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.vendor = vendor
        self.client = client
        self.limiter = limiter
        self.cost = cost
        self.error_for = error_for
        self.retry = retry or RetryPolicy.from_env()
        self._sleep = sleep

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        method = method.upper()
        call = f"{self.vendor} {method} {path}"
        policy = self.retry
        jitter = tenacity.wait_exponential_jitter(
            multiplier=policy.initial_wait, max=policy.max_wait, jitter=policy.initial_wait
        )

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            floor = exc.retry_after if isinstance(exc, _Retry) else 0.0
            return max(float(jitter(state)), floor)

        def log_retry(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.info("%s: retrying after %s (attempt %d)", call, exc, state.attempt_number + 1)

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(policy.attempts) | tenacity.stop_after_delay(policy.max_total),
            wait=wait,
            retry=tenacity.retry_if_exception_type(_Retry),
            before_sleep=log_retry,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            response: httpx.Response = retrying(self._attempt, method, path, call, kwargs)
        except _Retry as exhausted:
            if exhausted.response is not None:
                raise self._error(call, exhausted.response, retried=True) from None
            raise ConnectionError(f"{call}: could not reach the vendor ({exhausted.cause!r})") from None
        if response.status_code >= 400:
            attempts = int(retrying.statistics.get("attempt_number", 1))
            raise self._error(call, response, retried=attempts > 1)
        return response

    def _error(self, call: str, response: httpx.Response, retried: bool) -> VendorError:
        error = self.error_for(call, response)
        error.retried = retried
        return error

    def _attempt(self, method: str, path: str, call: str, kwargs: dict[str, Any]) -> httpx.Response:
        cost = self.cost(method)
        if self.limiter is not None:
            self.limiter.acquire(cost)
        try:
            response = self.client.request(method, path, **kwargs)
        except NOT_SENT as exc:
            raise _Retry(cause=exc) from exc
        except httpx.TransportError as exc:
            if method in IDEMPOTENT:
                raise _Retry(cause=exc) from exc
            raise AmbiguousWrite(call, exc) from exc
        finally:
            if self.limiter is not None:
                self.limiter.release(cost)
        if self.retry.retryable_status(response.status_code):
            raise _Retry(response=response)
        return response


T = TypeVar("T")


class Registry(Generic[T]):
    """One object per key per process (a vendor client per base URL and credential),
    built on first use; thread-safe, since the provider server runs calls in threads."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, ...], T] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...], build: Callable[[], T]) -> T:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                item = build()
                self._items[key] = item
            return item


def vendor_http(
    *,
    vendor: str,
    base_url: str,
    credential_id: str,
    policy: CostPolicy,
    error_for: Callable[[str, httpx.Response], VendorError],
    cost: Callable[[str], int] = lambda method: 1,
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
) -> VendorHttp:
    """The shared pool, the credential's limiter and the retries, wired for one vendor."""
    return VendorHttp(
        vendor=vendor,
        client=shared_client(
            base_url, credential_id, auth, {"user-agent": "pulumi-taxonomy", **(headers or {})}
        ),
        limiter=limiter_for(vendor, credential_id, policy),
        cost=cost,
        error_for=error_for,
    )
