"""A per-process read cache: a refresh of N resources costs one list call per kind
instead of N single GETs. Concurrent readers of one key share a single fetch.

A provider process may outlive one command (a long-lived engine, or a tool that keeps
it), so nothing here is served stale for long: any write through the same client
invalidates every `get` entry, and an entry expires `ttl` seconds after its fetch started
(default 10 s, `PULUMI_TAXONOMY_CACHE_SECONDS`; 0 keeps only the sharing of concurrent
fetches). The engine gives a provider no signal that a new command starts (it
configures each provider once per process), so expiry is what bounds staleness.

Some reads only have to reflect the caller's own writes (`get_since`): a list read
after a create, to learn the new object's id, must have started after that create, but
not after every other write of the apply. Such a read is shared by every caller whose
write finished before it started, and a caller that needs a newer one queues for the
next, which starts when the one in flight ends: with many creates at once, each read
serves all the creates that finished while the one before it ran (like a group commit).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from concurrent.futures import wait as futures_wait
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


@dataclass
class _Recent:
    future: Future[Any]
    stamp: int = -1
    """How many writes had finished when the fetch started (-1: it has not started)."""
    fetched_at: float | None = None  # None while the fetch runs


@dataclass
class _RecentSlot:
    done: _Recent | None = None  # the newest finished fetch
    running: _Recent | None = None
    queued: _Recent | None = None  # starts when `running` ends


class ReadCache:
    def __init__(self, ttl: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl_from_env() if ttl is None else ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._generation = 0
        self._entries: dict[Hashable, _Entry] = {}
        self._writes = 0
        self._recent: dict[Hashable, _RecentSlot] = {}

    def invalidate(self) -> None:
        """Forget everything: no read from before this call is served again."""
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self._recent.clear()

    @property
    def writes(self) -> int:
        """The stamp of the newest finished write (0: none yet)."""
        with self._lock:
            return self._writes

    def written(self) -> int:
        """A write has finished (or failed: it may have landed). Reads through `get` are
        invalidated; returns the write's stamp for `get_since`."""
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self._writes += 1
            return self._writes

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

    def get_since(self, key: Hashable, fetch: Callable[[], T], since: int) -> T:
        """`fetch()`'s result from a fetch that started after the write stamped `since`
        (0: any) finished, shared with every other caller that can use it; expires like
        `get`'s. Writes do not invalidate it: the caller says which of them it must see."""
        with self._lock:
            slot = self._recent.setdefault(key, _RecentSlot())
            wait_for: _Recent | None = None
            owner = False
            if slot.done is not None and slot.done.stamp >= since and self._alive(slot.done):
                entry = slot.done  # finished: no wait at all
            elif slot.running is not None and slot.running.stamp >= since:
                entry = slot.running
            elif slot.queued is not None:
                entry = slot.queued
            elif slot.running is not None:
                # The one running started too early for this caller: queue the next.
                entry, wait_for, owner = _Recent(Future()), slot.running, True
                slot.queued = entry
            else:
                entry, owner = _Recent(Future(), stamp=self._writes), True
                slot.running = entry
        if owner:
            self._run(slot, entry, fetch, wait_for)
        return cast(T, entry.future.result())

    def _alive(self, entry: _Recent) -> bool:
        return entry.fetched_at is not None and self._clock() - entry.fetched_at < self.ttl

    def _run(
        self, slot: _RecentSlot, entry: _Recent, fetch: Callable[[], T], wait_for: _Recent | None
    ) -> None:
        # Whatever happens, the entry ends with a result or an exception: others wait on it.
        try:
            if wait_for is not None:
                futures_wait([wait_for.future])
                with self._lock:
                    entry.stamp = self._writes
                    if slot.queued is entry:
                        slot.queued, slot.running = None, entry
            started = self._clock()  # the data is as old as the fetch's start
            result = fetch()
        except BaseException as exc:
            with self._lock:
                if slot.running is entry:
                    slot.running = None
                if slot.queued is entry:
                    slot.queued = None
            entry.future.set_exception(exc)
        else:
            with self._lock:
                entry.fetched_at = started
                if slot.running is entry:
                    slot.running = None
                if slot.done is None or slot.done.stamp <= entry.stamp:
                    slot.done = entry
            entry.future.set_result(result)
