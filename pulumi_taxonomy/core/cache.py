"""A per-process read cache: a refresh of N resources costs one list call per kind
instead of N single GETs. Any write through the same client invalidates it all, and
concurrent readers of one key share a single fetch."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar, cast

T = TypeVar("T")


class ReadCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._entries: dict[Hashable, tuple[int, Future[Any]]] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def get(self, key: Hashable, fetch: Callable[[], T]) -> T:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == self._generation:
                future = entry[1]
                owner = False
            else:
                future = Future()
                self._entries[key] = (self._generation, future)
                owner = True
        if owner:
            try:
                future.set_result(fetch())
            except BaseException as exc:
                future.set_exception(exc)
                with self._lock:
                    if self._entries.get(key, (None, None))[1] is future:
                        del self._entries[key]
        return cast(T, future.result())
