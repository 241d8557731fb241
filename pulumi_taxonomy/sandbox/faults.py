"""Random fault injection, reproducible when seeded."""

from __future__ import annotations

import random
import threading

from pulumi_taxonomy.sandbox.config import FaultSpec


class FaultInjector:
    def __init__(self, spec: FaultSpec, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(spec, seed)

    def configure(self, spec: FaultSpec, seed: int | None = None) -> None:
        """Change the faults of a running sandbox (tests set up cleanly, then inject)."""
        with self._lock:
            self._spec = spec
            self._random = random.Random(seed)

    @property
    def spec(self) -> FaultSpec:
        return self._spec

    def draw(self) -> str | None:
        """The fault for the next request (`"429"`, `"500"`, `"drop"`...), or None."""
        if not self._spec.rates:
            return None
        with self._lock:
            roll = self._random.random()
        for kind, rate in self._spec.rates.items():
            if roll < rate:
                return kind
            roll -= rate
        return None
