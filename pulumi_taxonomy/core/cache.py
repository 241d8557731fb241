"""A per-process read cache: a refresh of N resources costs one list call per kind
instead of N single GETs. Concurrent readers of one key share a single fetch.

A provider process may outlive one command (a long-lived engine, or a tool that keeps
it), so nothing here is served stale for long: any write through the same client
invalidates it all, and an entry expires `ttl` seconds after its fetch started
(default 10 s, `PULUMI_TAXONOMY_CACHE_SECONDS`; 0 keeps only the sharing of concurrent
fetches). The engine gives a provider no signal that a new command starts (it
configures each provider once per process), so expiry is what bounds staleness.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from pulumi_taxonomy.core.errors import ConfigurationError

T = TypeVar("T")

TTL_ENV = "PULUMI_TAXONOMY_CACHE_SECONDS"
DEFAULT_TTL = 10.0


def ttl_from_env() -> float:
    value = os.environ.get(TTL_ENV)
    if not value:
        return DEFAULT_TTL
    try:
        ttl = float(value)
    except ValueError:
        ttl = math.nan
    if not math.isfinite(ttl) or ttl < 0:
        raise ConfigurationError(f"{TTL_ENV} must be a number of seconds (0 or more), not {value!r}.")
    return ttl


@dataclass
class _Entry:
    generation: int
    future: Future[Any]
    fetched_at: float | None = None  # None while the fetch runs


class ReadCache:
    def __init__(self, ttl: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl_from_env() if ttl is None else ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._generation = 0
        self._entries: dict[Hashable, _Entry] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def _fresh(self, entry: _Entry | None) -> bool:
        if entry is None or entry.generation != self._generation:
            return False
        return entry.fetched_at is None or self._clock() - entry.fetched_at < self.ttl

    def get(self, key: Hashable, fetch: Callable[[], T]) -> T:
        with self._lock:
            entry = self._entries.get(key)
            owner = not self._fresh(entry)
            if owner:
                entry = _Entry(self._generation, Future())
                self._entries[key] = entry
        assert entry is not None
        if owner:
            started = self._clock()  # the data is as old as the fetch's start
            try:
                entry.future.set_result(fetch())
            except BaseException as exc:
                entry.future.set_exception(exc)
                with self._lock:
                    if self._entries.get(key) is entry:
                        del self._entries[key]
            else:
                with self._lock:
                    entry.fetched_at = started
        return cast(T, entry.future.result())
