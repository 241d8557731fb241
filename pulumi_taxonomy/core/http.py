"""HTTP to vendors: one shared `httpx.Client` per (base URL, credential) per process,
the credential's cost limiter around every request, and retries with backoff.

Retried:
- 429, for as long as `RetryPolicy.rate_limit_wait` allows (default 15 minutes:
  a spent budget rolls over by itself), honouring `Retry-After`, with a notice at
  most once a minute; every request of the credential pauses meanwhile;
- 5xx (513 included) and connection failures before the request left, a few times;
- a read that got no answer in time, once (a server that stays silent twice will
  not answer the third time).

Not retried, because no retry can help: a base URL without `http(s)://`, an invalid
URL, a host that DNS says does not exist (a temporary DNS failure *is* retried).
A write whose connection failed after it was sent is *not* resent: `AmbiguousWrite`
tells the caller to read back and learn whether it happened. A write that changes
nothing (a validation, a GraphQL query: `request(..., resend_safe=True)`) is resent as
a read is, and raises `AmbiguousWrite` only when its answer was lost every time. A 3xx
answer is an error (`Redirected`), never a success: the request reached something other
than the vendor's API. `deadline()` bounds every request, retry and wait of the process
(the command line's `--timeout`).
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import math
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
import tenacity

from pulumi_taxonomy.core import credentials
from pulumi_taxonomy.core.errors import (
    AmbiguousWrite,
    ApiError,
    ConfigurationError,
    DeadlineExceeded,
    Redirected,
    VendorError,
)
from pulumi_taxonomy.core.limits import (
    CostPolicy,
    Limiter,
    LimitWaitTimeout,
    Usage,
    limiter_for,
)
from pulumi_taxonomy.core.limits import _stderr as stderr_notice

log = logging.getLogger("pulumi_taxonomy.http")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
# Raised before any byte of the request reached the server: always safe to retry.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
# Our own request can never work as it stands: retrying cannot help.
PERMANENT = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)
# DNS answers that the host does not exist (as opposed to EAI_AGAIN, "try again").
_NO_SUCH_HOST = frozenset(
    code for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None)) if code
)
# No vendor answer we read comes near this (a 10,000-event list is a few MB); past it,
# the base URL points at something else (a download, an endless stream).
MAX_ANSWER_BYTES = 64 * 1024 * 1024
REFUSAL_NOTICE_EVERY = 60.0
REFUSAL_NOTICE_AFTER = 5.0


def _env_number(name: str, minimum: float, as_int: bool = False) -> float | None:
    value = os.environ.get(name)
    if not value:
        return None
    try:
        number = int(value) if as_int else float(value)
    except ValueError:
        kind = "a whole number" if as_int else "a number of seconds"
        raise ConfigurationError(f"{name} must be {kind}, not {value!r}.") from None
    if not math.isfinite(number) or number < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum:g}, not {value!r}.")
    return number


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long `VendorHttp` retries one request."""

    attempts: int = 6
    """Attempts in all for 5xx and connection failures."""
    initial_wait: float = 0.25
    max_wait: float = 20.0
    """The longest pause between two attempts (unless `Retry-After` asks for more)."""
    max_total: float = 300.0
    """No new attempt after this long, for 5xx and connection failures."""
    rate_limit_wait: float = 900.0
    """How long 429s are waited out before the request fails."""
    silent_attempts: int = 2
    """Attempts in all for a read that got no answer within the read timeout."""

    def retryable_status(self, status: int) -> bool:
        return status == 429 or status >= 500

    @classmethod
    def from_env(cls) -> RetryPolicy:
        """Defaults, or what the user's environment says (the provider server sees it):
        `PULUMI_TAXONOMY_RETRIES` attempts, `PULUMI_TAXONOMY_RETRY_WAIT` seconds of first
        backoff, `PULUMI_TAXONOMY_MAX_WAIT` seconds of 429s (or the stack config
        `taxonomyMaxWait`)."""
        attempts = _env_number("PULUMI_TAXONOMY_RETRIES", 1, as_int=True)
        wait = _env_number("PULUMI_TAXONOMY_RETRY_WAIT", 0)
        max_wait = _env_number("PULUMI_TAXONOMY_MAX_WAIT", 0)
        configured = credentials.stack_setting("taxonomyMaxWait")
        if max_wait is None and configured not in (None, ""):
            try:
                max_wait = float(configured)
            except (TypeError, ValueError):
                raise ConfigurationError(
                    f"the stack config taxonomyMaxWait must be a number of seconds, not {configured!r}."
                ) from None
            if not math.isfinite(max_wait) or max_wait < 0:
                raise ConfigurationError(
                    f"the stack config taxonomyMaxWait must be at least 0, not {configured!r}."
                )
        return cls(
            attempts=int(attempts) if attempts is not None else cls.attempts,
            initial_wait=wait if wait is not None else cls.initial_wait,
            rate_limit_wait=max_wait if max_wait is not None else cls.rate_limit_wait,
        )


def fingerprint(*secrets: str) -> str:
    """A stable, non-reversible id for a credential: safe in keys, logs and errors."""
    return hashlib.sha256("\0".join(secrets).encode()).hexdigest()[:16]


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


_clients: Registry[httpx.Client] = Registry()


def shared_client(
    base_url: str, credential_id: str, auth: httpx.Auth | None, headers: Mapping[str, str]
) -> httpx.Client:
    """The process's client for this base URL and credential (connection pool shared)."""
    return _clients.get(
        (base_url, credential_id),
        lambda: httpx.Client(
            base_url=base_url,
            auth=auth,
            headers=dict(headers),
            timeout=httpx.Timeout(60.0, connect=10.0),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
            trust_env=True,
        ),
    )


# -- the process's overall deadline (the command line's --timeout) --------------------


class _Deadline:
    """The process's deadline: (time.monotonic() at the end, the seconds given)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: tuple[float, float] | None = None


_deadline = _Deadline()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound every vendor request, retry and wait of this process to `seconds` from now;
    past it a call fails with `DeadlineExceeded` naming it. Nested deadlines keep the
    earliest."""
    with _deadline.lock:
        previous = _deadline.value
        end = time.monotonic() + seconds
        if previous is None or end < previous[0]:
            _deadline.value = (end, seconds)
    try:
        yield
    finally:
        with _deadline.lock:
            _deadline.value = previous


def _current_deadline() -> tuple[float, float] | None:
    with _deadline.lock:
        return _deadline.value


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest}s"
    return f"{minutes}m {rest:02d}s" if rest else f"{minutes}m"


def _clock(epoch: float) -> str:
    return time.strftime("%H:%M:%S UTC", time.gmtime(epoch))


def _shown(url: httpx.URL | str) -> str:
    """A URL fit for an error message: without any user:password part."""
    try:
        parsed = httpx.URL(str(url))
    except httpx.InvalidURL:
        return "(an invalid URL)"
    return str(parsed.copy_with(username=None, password=None)) if parsed.userinfo else str(parsed)


def check_base_url(vendor: str, base_url: str) -> None:
    """Refuse at once a base URL no request can use (nothing is sent, nothing retried)."""
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as exc:
        shown = _shown(base_url)
        raise ConfigurationError(f"{vendor}: the base URL {shown!r} is not a URL ({exc}).") from None
    if url.scheme not in ("http", "https"):
        example = f"https://{base_url.split('://', 1)[-1].lstrip('/')}"
        problem = "has no scheme" if "://" not in base_url else f"has the unsupported scheme {url.scheme!r}"
        raise ConfigurationError(
            f"{vendor}: the base URL {_shown(base_url)!r} {problem}: write it in full, e.g. {example!r}."
        )
    if not url.host:
        raise ConfigurationError(f"{vendor}: the base URL {_shown(base_url)!r} names no host.")


def _no_such_host(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return False
        if isinstance(seen, socket.gaierror) and seen.errno in _NO_SUCH_HOST:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class _Retry(Exception):
    def __init__(self, response: httpx.Response | None = None, cause: Exception | None = None) -> None:
        super().__init__(repr(cause) if cause else f"HTTP {response.status_code if response else '?'}")
        self.response = response
        self.cause = cause

    @property
    def refused(self) -> bool:
        """The vendor said 429: too many requests."""
        return self.response is not None and self.response.status_code == 429

    @property
    def silent(self) -> bool:
        """The server accepted the request and did not answer in time."""
        return isinstance(self.cause, httpx.ReadTimeout)

    @property
    def retry_after(self) -> float:
        header = self.response.headers.get("retry-after") if self.response is not None else None
        return parse_retry_after(header) if header else 0.0


def parse_retry_after(value: str) -> float:
    """`Retry-After` as seconds: either a number or an HTTP date."""
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return 0.0
        return max(0.0, when.timestamp() - time.time())
    return max(0.0, seconds) if math.isfinite(seconds) else 0.0


class _Schedule:
    """When one request tries again, and when it gives up (see the module's rules)."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float]) -> None:
        self.policy = policy
        self.clock = clock
        self.started = clock()
        self.first_refusal: float | None = None
        self.first_refusal_wall = 0.0
        self.refusals = 0
        self.failures = 0
        self.silences = 0
        self.gave_up: str = ""  # "deadline" | "rate limit" | "attempts"

    def _backoff(self, n: int) -> float:
        exponential = min(self.policy.max_wait, self.policy.initial_wait * 2.0 ** (n - 1))
        return exponential + random.uniform(0, self.policy.initial_wait)

    def refused_for(self) -> float:
        return 0.0 if self.first_refusal is None else self.clock() - self.first_refusal

    def wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        assert isinstance(exc, _Retry)
        now = self.clock()
        if exc.refused:
            self.refusals += 1
            if self.first_refusal is None:
                self.first_refusal, self.first_refusal_wall = now, time.time()
            pause = max(self._backoff(self.refusals), exc.retry_after)
            # One last attempt when the longest wait is reached, not a wait beyond it.
            pause = min(pause, max(0.0, self.first_refusal + self.policy.rate_limit_wait - now))
        else:
            self.failures += 1
            self.silences += exc.silent
            pause = max(self._backoff(self.failures), exc.retry_after)
        bound = _current_deadline()
        if bound is not None:
            pause = min(pause, max(0.0, bound[0] - time.monotonic()))
        return pause

    def stop(self, state: tenacity.RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        assert isinstance(exc, _Retry)
        now = self.clock()
        bound = _current_deadline()
        if bound is not None and time.monotonic() + state.upcoming_sleep >= bound[0] - 0.05:
            self.gave_up = "deadline"
        elif exc.refused:
            assert self.first_refusal is not None
            if now - self.first_refusal >= self.policy.rate_limit_wait:
                self.gave_up = "rate limit"
        elif (
            self.failures >= self.policy.attempts
            or (exc.silent and self.silences >= self.policy.silent_attempts)
            or now - self.started >= self.policy.max_total
        ):
            self.gave_up = "attempts"
        return bool(self.gave_up)


class VendorHttp:
    """What a vendor client sends requests through."""

    def __init__(
        self,
        *,
        vendor: str,
        client: httpx.Client,
        limiter: Limiter | None,
        cost: Callable[[str], int],
        error_for: Callable[[str, httpx.Response], VendorError],
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.vendor = vendor
        self.client = client
        self.limiter = limiter
        self.cost = cost
        self.error_for = error_for
        self.retry = retry or RetryPolicy.from_env()
        self._sleep = sleep
        self._clock = clock
        self._notify = notify or stderr_notice
        self._notice_lock = threading.Lock()
        self._last_notice = -math.inf

    def request(self, method: str, path: str, *, resend_safe: bool = False, **kwargs: Any) -> httpx.Response:
        """`resend_safe`: the request changes nothing whatever its method, so a lost answer
        is resent as for a GET."""
        method = method.upper()
        resendable = resend_safe or method in IDEMPOTENT
        call = f"{self.vendor} {method} {path}"
        schedule = _Schedule(self.retry, self._clock)

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.info("%s: retrying after %s (attempt %d)", call, exc, state.attempt_number + 1)
            if isinstance(exc, _Retry) and exc.refused:
                if self.limiter is not None:
                    self.limiter.hold(state.upcoming_sleep)
                self._refusal_notice(schedule.refused_for() + state.upcoming_sleep)

        retrying = tenacity.Retrying(
            stop=schedule.stop,
            wait=schedule.wait,
            retry=tenacity.retry_if_exception_type(_Retry),
            before_sleep=before_sleep,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            response: httpx.Response = retrying(self._attempt, method, path, call, kwargs, resendable)
        except _Retry as exhausted:
            raise self._exhausted(call, method, exhausted, schedule) from None
        if response.status_code >= 400:
            raise self._error(call, response, retried=schedule.refusals + schedule.failures > 0)
        if 300 <= response.status_code < 400:
            raise _redirected(call, response)
        return response

    def _error(self, call: str, response: httpx.Response, retried: bool) -> VendorError:
        error = self.error_for(call, response)
        error.retried = retried
        return error

    def _exhausted(self, call: str, method: str, exhausted: _Retry, schedule: _Schedule) -> Exception:
        answer = (
            f"it answered {exhausted.response.status_code}"
            if exhausted.response is not None
            else f"{exhausted.cause!r}"
        )
        if schedule.gave_up == "deadline":
            return self._past_deadline(call, answer, exhausted)
        if exhausted.response is None:
            cause = exhausted.cause
            if method not in IDEMPOTENT and cause is not None and not isinstance(cause, NOT_SENT):
                # A resend-safe write lost its answer every time: it may have landed, as any write.
                return AmbiguousWrite(call, cause, attempts=schedule.failures)
            return ConnectionError(f"{call}: could not reach the vendor ({exhausted.cause!r})")
        error = self._error(call, exhausted.response, retried=True)
        if exhausted.refused:
            error.add_hint(self._refusal_hint(schedule))
        elif exhausted.silent:
            error.add_hint("The server accepted the connection but did not answer: check the base URL.")
        return error

    def _past_deadline(self, call: str, last: str, exhausted: _Retry | None = None) -> DeadlineExceeded:
        bound = _current_deadline()
        seconds = f" of {bound[1]:g}s" if bound else ""
        hint = ""
        if exhausted is not None and exhausted.silent:
            hint = " The server accepted the connection but never answered: check the base URL (and proxy)."
        elif exhausted is not None and exhausted.refused:
            hint = " The vendor kept answering 429 (too many requests): its budget is spent."
        return DeadlineExceeded(
            f"{call}: no result within the overall deadline{seconds} (--timeout); last: {last}.{hint} "
            "Raise --timeout if the vendor is merely slow."
        )

    def _usage(self) -> Usage | None:
        return self.limiter.usage() if self.limiter is not None else None

    def _spent_text(self) -> str:
        usage = self._usage()
        if usage is None or usage.budget >= 10**9:
            return ""
        where = "This machine" if usage.shared else "This process"
        text = (
            f"{where} spent {usage.spent:,} of the {usage.budget:,} cost the vendor allows per "
            f"{_duration(usage.window_seconds)}"
        )
        if usage.rolls_at is not None:
            text += f" (its oldest charge leaves the window at {_clock(usage.rolls_at)})"
        return text + "."

    def _refusal_hint(self, schedule: _Schedule) -> str:
        window = self.limiter.policy.window_seconds if self.limiter is not None else 3600.0
        by = _clock(schedule.first_refusal_wall + window)
        return (
            f"{self.vendor} refused for {_duration(schedule.refused_for())}, the longest wait allowed "
            "(PULUMI_TAXONOMY_MAX_WAIT seconds, or the stack config taxonomyMaxWait; default 15 minutes). "
            f"{self._spent_text()} The rest of the budget was spent elsewhere: another machine, CI runner or "
            f"tool using the same credential. What was spent before the first refusal has left the "
            f"vendor's window by {by} at the latest: run again then, or allow a longer wait."
        ).replace("  ", " ")

    def _refusal_notice(self, waited: float) -> None:
        if waited < REFUSAL_NOTICE_AFTER:
            return
        with self._notice_lock:
            now = self._clock()
            if now - self._last_notice < REFUSAL_NOTICE_EVERY:
                return
            self._last_notice = now
        self._notify(
            f"pulumi-taxonomy: {self.vendor}: still answering 429 (too many requests) after "
            f"{_duration(waited)}. {self._spent_text()} Another machine or tool is likely spending the "
            f"same credential's budget; retrying for up to {_duration(self.retry.rate_limit_wait)} "
            "(PULUMI_TAXONOMY_MAX_WAIT)."
        )

    def _send(
        self, method: str, path: str, call: str, kwargs: dict[str, Any], resendable: bool
    ) -> httpx.Response:
        """One request, its transport failures sorted: retry, read back, or give up."""
        try:
            return self._receive(method, path, call, kwargs)
        except PERMANENT as exc:
            # The library's text may quote a header, and a header may hold a credential.
            detail = "a header value is not valid" if "header" in str(exc).lower() else str(exc)
            raise ConfigurationError(
                f"{call}: the request cannot be sent as it stands ({detail}); check the base URL and "
                "the credentials. Nothing was sent, and it is not retried."
            ) from None
        except UnicodeEncodeError:
            raise ConfigurationError(
                f"{call}: the request cannot be sent as it stands (a header holds a non-ASCII character); "
                "check the credentials. Nothing was sent, and it is not retried."
            ) from None
        except httpx.ConnectError as exc:
            if _no_such_host(exc):
                raise ConfigurationError(
                    f"{call}: the host {self.client.base_url.host!r} does not exist (DNS: {exc}); check "
                    "the base URL. Nothing was sent, and it is not retried."
                ) from None
            raise _Retry(cause=exc) from exc
        except NOT_SENT as exc:
            raise _Retry(cause=exc) from exc
        except httpx.TransportError as exc:
            if resendable:
                raise _Retry(cause=exc) from exc
            raise AmbiguousWrite(call, exc) from exc
        except httpx.InvalidURL as exc:
            raise ConfigurationError(f"{call}: the URL is not valid ({exc}); check the base URL.") from None

    def _receive(self, method: str, path: str, call: str, kwargs: dict[str, Any]) -> httpx.Response:
        """The answer, read here rather than by httpx: its timeouts bound each read, not the
        whole body, so a server sending a byte a second (or without end) would outlast
        the deadline and fill the memory. Bounded by the deadline and MAX_ANSWER_BYTES."""
        bound = _current_deadline()
        with self.client.stream(method, path, **kwargs) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
                raise _too_large(call, response)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise _too_large(call, response)
                if bound is not None and time.monotonic() > bound[0]:
                    raise self._past_deadline(call, f"its answer was still arriving ({len(body):,} bytes)")
            response._content = bytes(body)  # what Response.read() does with what it read
        return response

    def _attempt(
        self, method: str, path: str, call: str, kwargs: dict[str, Any], resendable: bool
    ) -> httpx.Response:
        bound = _current_deadline()
        if bound is not None:
            remaining = bound[0] - time.monotonic()
            if remaining <= 0:
                raise self._past_deadline(call, "not sent")
            kwargs = {**kwargs, "timeout": _clipped(kwargs.get("timeout", self.client.timeout), remaining)}
        with ExitStack() as held:
            if self.limiter is not None:
                try:
                    held.enter_context(self.limiter.slot(self.cost(method), bound[0] if bound else None))
                except LimitWaitTimeout as exc:
                    raise self._past_deadline(call, f"waiting for {self.vendor}'s limits ({exc})") from None
            response = self._send(method, path, call, kwargs, resendable)
        if self.retry.retryable_status(response.status_code):
            raise _Retry(response=response)
        return response


def _too_large(call: str, response: httpx.Response) -> ApiError:
    return ApiError(
        call,
        response.status_code,
        f"an answer larger than {MAX_ANSWER_BYTES // 2**20} MiB",
        "No vendor answer is that large: the base URL likely points at something other than the "
        "vendor's API. Nothing more was read, and it is not retried.",
    )


def _clipped(timeout: Any, remaining: float) -> httpx.Timeout:
    """The attempt's timeout, none of its parts longer than what the deadline leaves."""
    base = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)

    def clip(value: float | None) -> float:
        return remaining if value is None else min(value, remaining)

    return httpx.Timeout(
        connect=clip(base.connect), read=clip(base.read), write=clip(base.write), pool=clip(base.pool)
    )


def _redirected(call: str, response: httpx.Response) -> Redirected:
    """A 3xx answer as an error for people: where it pointed, and the likely cause."""
    location = response.headers.get("location", "")
    sent = response.request.url
    try:
        target = sent.join(location) if location else None
    except httpx.InvalidURL:
        target = None
    if target is None:
        cause = "something between us and the vendor (a proxy?) redirects without saying where"
    elif sent.scheme == "http" and target.scheme == "https" and target.host == sent.host:
        cause = "the base URL says http:// where the vendor wants https://: write https:// in the base URL"
    elif target.host == sent.host and target.path.rstrip("/") == sent.path.rstrip("/"):
        cause = (
            "the path differs only by a trailing slash: look for a '/' at the end of the base URL "
            "or of an id or name in the request"
        )
    elif target.host != sent.host:
        cause = (
            f"the request reached {sent.host}, which sends it to {target.host}: a proxy, a captive portal "
            "or a moved API; check the base URL and any HTTP(S)_PROXY"
        )
    else:
        cause = "the vendor has moved this path: check the base URL"
    done = (
        "It may have taken effect (303 See Other): refresh to learn."
        if response.status_code == 303
        else "Nothing was done: a redirect is never a success, and it is not followed."
    )
    where = f" to {_shown(target)}" if target is not None else ""
    message = f"a redirect{where} ({response.reason_phrase or 'redirect'})"
    return Redirected(call, response.status_code, message, f"Likely cause: {cause}. {done}")


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
    """The shared pool, the credential's limiter and the retries, wired for one vendor.
    A base URL that no request could use is refused here, before anything is sent."""
    check_base_url(vendor, base_url)
    return VendorHttp(
        vendor=vendor,
        client=shared_client(
            base_url, credential_id, auth, {"user-agent": "pulumi-taxonomy", **(headers or {})}
        ),
        limiter=limiter_for(vendor, credential_id, policy, scope=base_url),
        cost=cost,
        error_for=error_for,
    )
