"""core/: the limiter (in process, and shared by processes through the ledger), the
retry rules of VendorHttp, and the read cache."""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from pulumi_taxonomy.core import credentials, limits
from pulumi_taxonomy.core.cache import TTL_ENV, ReadCache
from pulumi_taxonomy.core.errors import (
    AmbiguousWrite,
    ApiError,
    ConfigurationError,
    DeadlineExceeded,
    RateLimited,
    Redirected,
    VendorError,
    common_error,
)
from pulumi_taxonomy.core.http import (
    RetryPolicy,
    VendorHttp,
    deadline,
    fingerprint,
    parse_retry_after,
    vendor_http,
)
from pulumi_taxonomy.core.limits import CostLimiter, CostPolicy, Ledger, SharedCostLimiter

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_limiter_never_exceeds_the_concurrent_cost() -> None:
    limiter = CostLimiter(CostPolicy(4, 10_000, 3600), "test")
    in_flight = peak = 0
    lock = threading.Lock()

    def work(cost: int) -> None:
        nonlocal in_flight, peak
        with limiter.slot(cost):
            with lock:
                in_flight += cost
                peak = max(peak, in_flight)
            time.sleep(0.05)  # long enough that threads started late still overlap
            with lock:
                in_flight -= cost

    threads = [threading.Thread(target=work, args=(1 + i % 2,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert peak <= 4 and limiter.peak_in_flight <= 4
    assert limiter.peak_in_flight == 4


def test_limiter_waits_for_the_budget_and_says_so() -> None:
    clock = FakeClock()
    notices: list[str] = []
    limiter = CostLimiter(
        CostPolicy(4, 10, 60, margin_seconds=1), "vendor", clock=clock, notify=notices.append
    )
    for _ in range(5):
        limiter.acquire(2)
        limiter.release(2)
    done = threading.Event()

    def blocked() -> None:
        limiter.acquire(2)
        done.set()

    thread = threading.Thread(target=blocked)
    thread.start()
    noticed_by = time.monotonic() + 10
    while not notices and time.monotonic() < noticed_by:  # the thread may start late
        time.sleep(0.01)
    assert not done.is_set(), "the budget is spent: the request must wait, not fail"
    assert len(notices) == 1 and "budget" in notices[0] and "waiting" in notices[0]
    clock.now = 61.5  # the first charges left the window (plus the margin)
    assert done.wait(5)
    thread.join(5)


def transport(responses: list[httpx.Response | Exception], seen: list[str]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        item = responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.MockTransport(handle)


def vendor(responses: list[httpx.Response | Exception], seen: list[str], sleeps: list[float]) -> VendorHttp:
    return VendorHttp(
        vendor="Test",
        client=httpx.Client(base_url="http://vendor.test", transport=transport(responses, seen)),
        limiter=CostLimiter(CostPolicy(4, 1000, 3600), "test"),
        cost=lambda method: 1,
        error_for=lambda call, response: ApiError(call, response.status_code, response.text),
        retry=RetryPolicy(attempts=4, initial_wait=0.01, max_wait=0.05),
        sleep=sleeps.append,
    )


def test_429_and_5xx_are_retried_honouring_retry_after() -> None:
    seen: list[str] = []
    sleeps: list[float] = []
    http = vendor(
        [httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(513), httpx.Response(200)],
        seen,
        sleeps,
    )
    assert http.request("POST", "/x").status_code == 200
    assert seen == ["POST"] * 3
    assert sleeps[0] >= 3.0 and sleeps[1] < 1.0


def test_retries_end_with_the_vendors_error_marked_retried() -> None:
    seen: list[str] = []
    http = vendor([httpx.Response(500, text="boom")] * 4, seen, [])
    with pytest.raises(VendorError) as failure:
        http.request("GET", "/x")
    assert failure.value.status == 500 and failure.value.retried and len(seen) == 4


def test_a_lost_answer_to_a_write_is_not_resent() -> None:
    seen: list[str] = []
    http = vendor([httpx.RemoteProtocolError("gone"), httpx.Response(200)], seen, [])
    with pytest.raises(AmbiguousWrite):
        http.request("PUT", "/x")
    assert seen == ["PUT"]


def test_a_resend_safe_write_is_resent_on_the_shared_schedule() -> None:
    seen: list[str] = []
    sleeps: list[float] = []
    http = vendor([httpx.RemoteProtocolError("gone"), httpx.Response(200)], seen, sleeps)
    assert http.request("POST", "/x", resend_safe=True).status_code == 200
    assert seen == ["POST", "POST"] and len(sleeps) == 1, "one backoff, through the injected sleep"
    seen.clear()
    http = vendor([httpx.RemoteProtocolError("gone")] * 5, seen, [])
    with pytest.raises(AmbiguousWrite) as lost:  # every answer lost: it may have landed, as any write
        http.request("POST", "/x", resend_safe=True)
    assert seen == ["POST"] * 4 and lost.value.attempts == 4


def test_reads_and_unsent_requests_are_retried_on_connection_errors() -> None:
    seen: list[str] = []
    http = vendor([httpx.ReadError("reset"), httpx.ConnectError("refused"), httpx.Response(200)], seen, [])
    assert http.request("GET", "/x").status_code == 200
    seen.clear()
    http = vendor([httpx.ConnectError("refused"), httpx.Response(200)], seen, [])
    assert http.request("POST", "/x").status_code == 200  # never left: safe to send again
    assert seen == ["POST", "POST"]


def test_retry_after_as_a_date() -> None:
    future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 < parse_retry_after(future) <= 31
    assert parse_retry_after("nonsense") == 0.0


# -- the machine-wide ledger -----------------------------------------------------------

WORKER = """
import json, sys, threading, time
from pathlib import Path
from pulumi_taxonomy.core.limits import CostPolicy, Ledger, SharedCostLimiter

path, out, rounds, hold = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
limiter = SharedCostLimiter(Ledger(Path(path)), "key", CostPolicy(4, 10**6, 3600), "test")
spans, lock = [], threading.Lock()

def work(i):
    for j in range(rounds):
        cost = 1 + (i + j) % 2
        with limiter.slot(cost):
            began = time.time()
            time.sleep(hold)
            ended = time.time()
        with lock:
            spans.append((began, ended, cost))

threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
print("ready", flush=True)
for t in threads:
    t.join()
Path(out).write_text(json.dumps(spans))
"""


def run_workers(ledger: Path, count: int, rounds: int, hold: float) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(ledger),
                str(ledger.parent / f"spans-{i}"),
                str(rounds),
                str(hold),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for i in range(count)
    ]


def peak_cost(spans: list[tuple[float, float, int]]) -> int:
    edges = sorted([(b, c) for b, _, c in spans] + [(e, -c) for _, e, c in spans], key=lambda x: (x[0], x[1]))
    current = peak = 0
    for _, change in edges:
        current += change
        peak = max(peak, current)
    return peak


def test_processes_sharing_a_credential_share_its_in_flight_cap(tmp_path: Path) -> None:
    # 3 processes x 4 threads, each slot held 0.1 s: grants polled from a busy sqlite
    # ledger still overlap on a loaded machine (0.01 s did not always).
    workers = run_workers(tmp_path / "ledger.sqlite3", 3, 4, 0.1)
    try:
        for worker in workers:
            assert worker.wait(60) == 0
    finally:
        for worker in workers:
            worker.kill()
    spans = [tuple(s) for i in range(3) for s in json.loads((tmp_path / f"spans-{i}").read_text())]
    assert len(spans) == 3 * 4 * 4
    assert peak_cost(spans) == 4, "at most 4 cost in flight on the whole machine, and all 4 used"


def test_the_slots_of_a_process_that_died_are_reclaimed(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    (worker,) = run_workers(path, 1, 1, 3600.0)  # holds 6 cost... capped at 4, for an hour
    try:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        ledger = Ledger(path)
        policy = CostPolicy(4, 10**6, 3600)
        deadline = time.monotonic() + 30
        while True:  # until the worker holds the whole cap
            ticket, blocked = ledger.take("key", 1, policy)
            ledger.give_back(ticket)
            if blocked is not None:
                break
            assert time.monotonic() < deadline
            time.sleep(0.02)
        worker.kill()
        worker.wait(10)
        limiter = SharedCostLimiter(ledger, "key", policy, "test")
        started = time.monotonic()
        with limiter.slot(2, deadline=time.monotonic() + 10):
            pass
        assert time.monotonic() - started < 5, "a dead process's slots are given back at once"
    finally:
        worker.kill()


def test_processes_share_the_budget_and_wait_for_it_to_roll(tmp_path: Path) -> None:
    clock = FakeClock()
    clock.now = 1000.0
    policy = CostPolicy(4, 10, 60, margin_seconds=1)
    first, second = Ledger(tmp_path / "l.sqlite3", clock), Ledger(tmp_path / "l.sqlite3", clock)
    for _ in range(4):
        ticket, blocked = first.take("key", 2, policy)
        assert blocked is None
        first.give_back(ticket)
    clock.now += 30
    ticket, blocked = second.take("key", 2, policy)
    assert blocked is None, "8 of 10 spent: 2 more fit"
    second.give_back(ticket)
    ticket, blocked = second.take("key", 2, policy)
    assert blocked is not None and blocked.reason == "budget"
    assert 30 <= blocked.retry_in <= 32, "the first charges leave the window 60s (+margin) after them"
    usage = first.usage("key", policy)
    assert (usage.spent, usage.shared) == (10, True) and usage.rolls_at == pytest.approx(1062, abs=1)
    clock.now += 32
    assert second.take("key", 2, policy, ticket)[1] is None


def test_without_a_writable_cache_directory_each_process_limits_itself_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv(limits.CACHE_DIR_ENV, str(blocker / "cache"))
    monkeypatch.setattr(limits, "_ledger", limits._LedgerSlot())
    monkeypatch.setattr(limits, "_registry", {})
    notices: list[str] = []
    assert limits.shared_ledger(notices.append) is None
    assert limits.shared_ledger(notices.append) is None
    assert len(notices) == 1 and "each process keeps the vendors' limits on its own" in notices[0]
    limiter = limits.limiter_for("Test", "fingerprint", CostPolicy(4, 100, 60))
    assert isinstance(limiter, CostLimiter)


def test_the_ledger_names_a_credential_by_fingerprint_only(tmp_path: Path) -> None:
    secret = "s3cr3t-api-key"
    key = limits.ledger_key(
        "Amplitude", "https://amplitude.com", fingerprint(secret), CostPolicy(4, 7200, 3600)
    )
    ledger = Ledger(tmp_path / "l.sqlite3")
    ledger.give_back(ledger.take(key, 1, CostPolicy(4, 7200, 3600))[0])
    assert secret not in key and secret.encode() not in (tmp_path / "l.sqlite3").read_bytes()


# -- 429s, permanent errors, redirects, the deadline -------------------------------------


class SteppingClock(FakeClock):
    """A clock that a fake sleep moves forward."""

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def patient_vendor(
    responses: list[httpx.Response | Exception], seen: list[str], clock: SteppingClock, notices: list[str]
) -> VendorHttp:
    return VendorHttp(
        vendor="Test",
        client=httpx.Client(base_url="http://vendor.test", transport=transport(responses, seen)),
        limiter=CostLimiter(CostPolicy(4, 7200, 3600), "Test", clock=clock),
        cost=lambda method: 1,
        error_for=lambda call, response: (
            common_error(call, response.status_code, response.text)
            or ApiError(call, response.status_code, response.text)
        ),
        retry=RetryPolicy(attempts=3, initial_wait=1.0, max_wait=20.0, rate_limit_wait=900.0),
        sleep=clock.sleep,
        clock=clock,
        notify=notices.append,
    )


def test_429s_are_waited_out_far_beyond_the_attempts_with_a_notice_a_minute_at_most() -> None:
    clock, seen, notices = SteppingClock(), [], []
    refusals = [httpx.Response(429, text="Too many requests") for _ in range(30)]
    http = patient_vendor([*refusals, httpx.Response(200)], seen, clock, notices)
    assert http.request("POST", "/x").status_code == 200
    assert len(seen) == 31, "30 refusals in a row: waited out, not failed after 3 attempts"
    assert 300 < clock.now < 900
    assert 1 <= len(notices) <= clock.now / 60 + 1
    assert "still answering 429" in notices[0] and "Another machine or tool" in notices[0]


def test_retry_after_is_honoured_and_pauses_every_request_of_the_credential() -> None:
    clock, seen = SteppingClock(), []
    http = patient_vendor(
        [httpx.Response(429, headers={"Retry-After": "120"}), httpx.Response(200)], seen, clock, []
    )
    assert http.request("GET", "/x").status_code == 200
    assert clock.now >= 120
    assert http.limiter is not None
    http.limiter.hold(30)  # as after a 429: the next request waits for the hold, then goes
    started = clock.now
    waiter = threading.Thread(target=lambda: http.limiter.slot(1).__enter__())  # type: ignore[union-attr]
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive(), "held: nothing is admitted"
    clock.now = started + 31
    waiter.join(5)
    assert not waiter.is_alive()


def test_past_the_longest_wait_the_error_says_what_was_spent_and_when_it_rolls_over() -> None:
    clock, seen, notices = SteppingClock(), [], []
    http = patient_vendor([httpx.Response(429, text="Too many requests")] * 200, seen, clock, notices)
    with pytest.raises(RateLimited) as failure:
        http.request("POST", "/x")
    text = str(failure.value)
    assert 900 <= clock.now < 930, "the last attempt is at the longest wait, not beyond it"
    assert "refused for 15m" in text and "PULUMI_TAXONOMY_MAX_WAIT" in text
    assert "spent" in text and "of the 7,200 cost" in text and "at the latest" in text
    assert failure.value.retried


def test_the_longest_wait_comes_from_the_environment_or_stack_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_TAXONOMY_MAX_WAIT", "60")
    assert RetryPolicy.from_env().rate_limit_wait == 60
    monkeypatch.delenv("PULUMI_TAXONOMY_MAX_WAIT")
    monkeypatch.setattr(credentials, "_stack_config", {"taxonomyMaxWait": "1800"})
    assert RetryPolicy.from_env().rate_limit_wait == 1800
    monkeypatch.setenv("PULUMI_TAXONOMY_MAX_WAIT", "soon")
    with pytest.raises(ConfigurationError, match="PULUMI_TAXONOMY_MAX_WAIT must be a number"):
        RetryPolicy.from_env()


@pytest.mark.parametrize(
    ("base_url", "problem", "suggestion"),
    [
        ("amplitude.com", "has no scheme", "https://amplitude.com"),
        ("localhost:8787", "has no scheme", "https://localhost:8787"),
        ("ftp://amplitude.com", "unsupported scheme 'ftp'", "https://amplitude.com"),
        ("https://", "names no host", ""),
    ],
)
def test_a_base_url_no_request_can_use_is_refused_before_anything_is_sent(
    base_url: str, problem: str, suggestion: str
) -> None:
    with pytest.raises(ConfigurationError, match=problem) as failure:
        vendor_http(
            vendor="Test",
            base_url=base_url,
            credential_id="id",
            policy=CostPolicy(4, 100, 60),
            error_for=lambda call, response: ApiError(call, response.status_code, ""),
        )
    assert suggestion in str(failure.value)


def gaierror(code: int) -> httpx.ConnectError:
    try:
        try:
            raise socket.gaierror(code, "lookup failed")
        except socket.gaierror as cause:
            raise httpx.ConnectError("[Errno] lookup failed") from cause
    except httpx.ConnectError as error:
        return error


@pytest.mark.parametrize(
    ("failure", "permanent"),
    [
        (httpx.UnsupportedProtocol("Request URL is missing an 'http://' or 'https://' protocol."), True),
        (httpx.LocalProtocolError("Illegal header value"), True),
        (gaierror(socket.EAI_NONAME), True),  # DNS: no such host
        (gaierror(socket.EAI_AGAIN), False),  # DNS: temporary failure, try again
    ],
)
def test_permanent_transport_errors_fail_at_once_transient_ones_are_retried(
    failure: Exception, permanent: bool
) -> None:
    seen: list[str] = []
    http = vendor([failure, httpx.Response(200)], seen, [])
    if permanent:
        with pytest.raises(ConfigurationError, match="not retried"):
            http.request("POST", "/x")
        assert seen == ["POST"]
    else:
        assert http.request("POST", "/x").status_code == 200
        assert seen == ["POST", "POST"]


@pytest.mark.parametrize(
    ("location", "cause"),
    [
        ("https://vendor.test/api/x", "http:// where the vendor wants https://"),
        ("http://vendor.test/api/x/", "trailing slash"),
        ("https://login.proxy.example/portal", "sends it to login.proxy.example"),
        ("", "without saying where"),
    ],
)
def test_a_redirect_is_an_error_naming_where_it_pointed_and_the_likely_cause(
    location: str, cause: str
) -> None:
    seen: list[str] = []
    headers = {"Location": location} if location else {}
    http = vendor([httpx.Response(301, headers=headers)], seen, [])
    with pytest.raises(Redirected) as failure:
        http.request("POST", "/api/x", data={"a": "b"})
    assert seen == ["POST"], "not followed, not retried"
    text = str(failure.value)
    assert "answered 301" in text and cause in text and "never a success" in text
    if location:
        assert location.rstrip("/").split("://")[1] in text


def test_the_deadline_bounds_retries_and_names_the_call() -> None:
    seen: list[str] = []
    http = vendor([httpx.Response(503)] * 100, seen, [])
    http._sleep = time.sleep
    http.retry = RetryPolicy(attempts=100, initial_wait=0.05, max_wait=0.1)
    started = time.monotonic()
    with deadline(0.5), pytest.raises(DeadlineExceeded) as failure:
        http.request("GET", "/events")
    assert time.monotonic() - started < 5.0  # 100 attempts would take over 5 s
    assert "Test GET /events" in str(failure.value) and "--timeout" in str(failure.value)


def test_the_deadline_bounds_a_wait_for_the_limits() -> None:
    http = vendor([httpx.Response(200)], [], [])
    assert isinstance(http.limiter, CostLimiter)
    with http.limiter.slot(4), deadline(0.3), pytest.raises(DeadlineExceeded, match="limits"):
        http.request("GET", "/x")  # the cap is taken by another request that never ends


def test_a_silent_server_gets_one_more_chance_not_five() -> None:
    seen: list[str] = []
    http = vendor([httpx.ReadTimeout("timed out")] * 6, seen, [])
    with pytest.raises(ConnectionError):
        http.request("GET", "/x")
    assert seen == ["GET", "GET"]


# -- the read cache -------------------------------------------------------------------------


def counter() -> Callable[[], int]:
    """A fetch whose answer is how many times it has run."""
    runs = itertools.count(1)
    return lambda: next(runs)


def test_cached_reads_expire_and_writes_invalidate_them() -> None:
    clock = FakeClock()
    cache = ReadCache(ttl=5.0, clock=clock)
    fetch = counter()
    assert cache.get("k", fetch) == cache.get("k", fetch) == 1
    clock.now = 4.9
    assert cache.get("k", fetch) == 1
    clock.now = 5.0
    assert cache.get("k", fetch) == 2, "expired"
    cache.invalidate()
    assert cache.get("k", fetch) == 3, "a write invalidates"
    assert ReadCache(ttl=0.0, clock=clock).get("k", fetch) == 4


def test_a_read_since_a_write_is_shared_until_a_caller_needs_a_newer_one() -> None:
    clock = FakeClock()
    cache = ReadCache(ttl=5.0, clock=clock)
    fetch = counter()
    assert cache.get_since("k", fetch, 0) == cache.get_since("k", fetch, 0) == 1
    mine = cache.written()
    assert cache.get_since("k", fetch, 0) == 1, "another caller's write does not concern a caller"
    assert cache.get_since("k", fetch, mine) == 2, "the caller's own write does"
    cache.written()
    assert cache.get_since("k", fetch, mine) == 2, "started after the caller's write: good enough"
    clock.now = 5.0
    assert cache.get_since("k", fetch, 0) == 3, "expired"
    cache.invalidate()
    assert cache.get_since("k", fetch, 0) == 4, "forgotten"


def test_callers_who_wrote_while_a_read_ran_share_the_next_read() -> None:
    cache = ReadCache(ttl=5.0)
    release = threading.Event()
    starts: list[int] = []  # the write stamp each fetch started at

    def fetch() -> int:
        starts.append(cache._writes)
        if len(starts) == 1:
            assert release.wait(10)
        return len(starts)

    results: dict[str, int] = {}
    first = threading.Thread(target=lambda: results.setdefault("first", cache.get_since("k", fetch, 0)))
    first.start()
    deadline = time.monotonic() + 10
    while not starts and time.monotonic() < deadline:
        time.sleep(0.001)
    stamps = [cache.written() for _ in range(3)]  # three writes finish while the read runs
    late = [
        threading.Thread(
            target=lambda n=n, s=s: results.setdefault(f"late{n}", cache.get_since("k", fetch, s))
        )
        for n, s in enumerate(stamps)
    ]
    for thread in late:
        thread.start()
    time.sleep(0.05)  # the late callers queue behind the running read
    release.set()
    for thread in [first, *late]:
        thread.join(10)
    assert not any(t.is_alive() for t in [first, *late])
    assert results == {"first": 1, "late0": 2, "late1": 2, "late2": 2}, "one more read, shared"
    assert starts == [0, 3], "it started after all three writes"


def test_the_cache_lifetime_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TTL_ENV, "2.5")
    assert ReadCache().ttl == 2.5
    monkeypatch.setenv(TTL_ENV, "-1")
    with pytest.raises(ConfigurationError, match=TTL_ENV):
        ReadCache()
