"""core/ in process: the client-side limiter and the retry rules of VendorHttp."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from pulumi_taxonomy.core.errors import AmbiguousWrite, ApiError, VendorError
from pulumi_taxonomy.core.http import RetryPolicy, VendorHttp, parse_retry_after
from pulumi_taxonomy.core.limits import CostLimiter, CostPolicy


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
            time.sleep(0.005)
            with lock:
                in_flight -= cost

    threads = [threading.Thread(target=work, args=(1 + i % 2,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
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
    assert not done.wait(0.2), "the budget is spent: the request must wait, not fail"
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
