"""Counters served at `/_sandbox/stats`, so tests and benchmarks see what a vendor saw."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.by_route: Counter[str] = Counter()
            self.by_status: Counter[int] = Counter()
            self.by_key: Counter[str] = Counter()
            self.faults: Counter[str] = Counter()
            self.refusals: Counter[str] = Counter()

    def record(self, route: str, status: int, key: str | None) -> None:
        with self._lock:
            self.total += 1
            self.by_route[route] += 1
            self.by_status[status] += 1
            if key is not None:
                self.by_key[key] += 1

    def record_fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def record_refusal(self, reason: str) -> None:
        with self._lock:
            self.refusals[reason] += 1

    def snapshot(self, peak_in_flight: dict[str, int]) -> dict[str, Any]:
        with self._lock:
            return {
                "total_requests": self.total,
                "by_route": dict(sorted(self.by_route.items())),
                # Status 0: the response was dropped on purpose (a `drop` fault).
                "by_status": {
                    str(code) if code else "dropped": n for code, n in sorted(self.by_status.items())
                },
                "by_api_key": dict(self.by_key),
                "rate_limited": self.by_status.get(429, 0),
                "rate_limit_refusals": dict(self.refusals),
                "faults_injected": dict(self.faults),
                "peak_in_flight_cost": peak_in_flight,
            }
