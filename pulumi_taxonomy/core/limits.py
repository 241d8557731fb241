"""Client-side cost limiter: stay within a vendor's documented limits instead of
provoking 429s.

Two limits per credential, process-wide and thread-safe, as vendors meter them:
the cost of requests in flight at once, and a rolling budget per period. A request
waits for both. When the period's budget is spent it waits for the window to roll
and says so on stderr; it never fails for that.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class CostPolicy:
    max_in_flight: int
    budget: int
    window_seconds: float
    # Our clock starts a request's charge before the vendor's does; keep a margin so
    # a slot we think has left the window has also left the vendor's.
    margin_seconds: float = 2.0


class CostLimiter:
    def __init__(
        self,
        policy: CostPolicy,
        label: str,
        clock: Callable[[], float] = time.monotonic,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.policy = policy
        self.label = label
        self._clock = clock
        self._notify = notify or _stderr
        self._cond = threading.Condition()
        self._in_flight = 0
        self._window: deque[tuple[float, int]] = deque()
        self._spent = 0
        self.peak_in_flight = 0
        self.waited_for_budget = 0.0
        self._quiet_until = 0.0  # one notice per wait, however many requests wait

    @contextmanager
    def slot(self, cost: int) -> Iterator[None]:
        self.acquire(cost)
        try:
            yield
        finally:
            self.release(cost)

    def acquire(self, cost: int) -> None:
        cost = min(cost, self.policy.max_in_flight, self.policy.budget)
        with self._cond:
            announced = False
            while True:
                now = self._clock()
                self._expire(now)
                if self._spent + cost > self.policy.budget:
                    wait = self._window[0][0] + self.policy.window_seconds + self.policy.margin_seconds - now
                    if not announced and now >= self._quiet_until:
                        self._quiet_until = now + max(wait, self.policy.window_seconds / 4)
                        self._notify(
                            f"pulumi-taxonomy: {self.label}: the vendor's budget of {self.policy.budget} "
                            f"cost per {self.policy.window_seconds:g}s is spent; waiting {wait:.0f}s "
                            "for it to roll over (nothing fails, the apply resumes by itself)"
                        )
                    announced = True
                    started = self._clock()
                    # Wake up now and then rather than trusting one long sleep: the
                    # clock may move differently from the timer (suspend, tests).
                    self._cond.wait(timeout=min(max(wait, 0.01), 1.0))
                    self.waited_for_budget += self._clock() - started
                    continue
                if self._in_flight + cost > self.policy.max_in_flight:
                    self._cond.wait()
                    continue
                self._in_flight += cost
                self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
                self._window.append((now, cost))
                self._spent += cost
                return

    def release(self, cost: int) -> None:
        cost = min(cost, self.policy.max_in_flight, self.policy.budget)
        with self._cond:
            self._in_flight -= cost
            self._cond.notify_all()

    def _expire(self, now: float) -> None:
        horizon = now - self.policy.window_seconds - self.policy.margin_seconds
        while self._window and self._window[0][0] <= horizon:
            self._spent -= self._window.popleft()[1]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


_registry: dict[tuple[str, str], CostLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(vendor: str, credential_id: str, policy: CostPolicy) -> CostLimiter:
    """The one limiter of a credential in this process (created on first use)."""
    key = (vendor, credential_id)
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None or limiter.policy != policy:
            limiter = CostLimiter(policy, label=vendor)
            _registry[key] = limiter
        return limiter
