"""The vendor's side of rate limiting: admit a request or refuse it with a 429.

Amplitude documents two limits per API key: the cost of requests in flight at once
(4) and the cost spent per hour (7,200), with GET costing 1 and writes 2. The docs do
not say whether the hour is fixed or rolling; the sandbox uses a rolling window,
the stricter reading, so a client that passes here passes either way.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Refusal = Literal["concurrency", "hourly"]


@dataclass
class _KeyUsage:
    in_flight: int = 0
    peak_in_flight: int = 0
    window: deque[tuple[float, int]] = field(default_factory=deque)
    window_cost: int = 0


class CostLimiter:
    def __init__(
        self,
        max_in_flight: int,
        budget: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_in_flight = max_in_flight
        self.budget = budget
        self.window_seconds = window_seconds
        self._clock = clock
        self._usage: dict[str, _KeyUsage] = {}
        self._lock = threading.Lock()

    def try_acquire(self, key: str, cost: int) -> Refusal | None:
        """Take `cost` for `key`, or say which limit refuses it (nothing is taken)."""
        with self._lock:
            usage = self._usage.setdefault(key, _KeyUsage())
            now = self._clock()
            while usage.window and usage.window[0][0] <= now - self.window_seconds:
                usage.window_cost -= usage.window.popleft()[1]
            if usage.in_flight + cost > self.max_in_flight:
                return "concurrency"
            if usage.window_cost + cost > self.budget:
                return "hourly"
            usage.in_flight += cost
            usage.peak_in_flight = max(usage.peak_in_flight, usage.in_flight)
            usage.window.append((now, cost))
            usage.window_cost += cost
            return None

    def release(self, key: str, cost: int) -> None:
        with self._lock:
            self._usage[key].in_flight -= cost

    def peaks(self) -> dict[str, int]:
        with self._lock:
            return {key: usage.peak_in_flight for key, usage in self._usage.items()}

    def reset(self) -> None:
        """Forget spent budget and peaks; requests in flight keep their cost."""
        with self._lock:
            for usage in self._usage.values():
                usage.peak_in_flight = usage.in_flight
                usage.window.clear()
                usage.window_cost = 0
