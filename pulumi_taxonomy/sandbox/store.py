"""SQLite persistence shared by every emulated vendor.

Each vendor's state module registers its own schema; the store only owns the
connection and transactions. Every mutation runs in one transaction, so the file is
consistent whenever the process stops, even if it is killed.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Store:
    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        # One connection, guarded by a lock: the sandbox serves from one event loop,
        # but tests and shutdown hooks may touch the store from other threads.
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        self._conn.execute("PRAGMA foreign_keys = ON")
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block atomically: all of its writes commit, or none do.

        Nested blocks become savepoints, so a composite operation (a reset that
        re-seeds) is atomic as a whole while each step stays atomic on its own.
        """
        with self._lock:
            self._depth += 1
            savepoint = f"sp{self._depth}"
            begin, commit, rollback = (
                ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
                if self._depth == 1
                else (f"SAVEPOINT {savepoint}", f"RELEASE {savepoint}", f"ROLLBACK TO {savepoint}")
            )
            try:
                self._conn.execute(begin)
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute(rollback)
                    if self._depth > 1:
                        self._conn.execute(f"RELEASE {savepoint}")
                    raise
                self._conn.execute(commit)
            finally:
                self._depth -= 1

    def apply_schema(self, ddl: str) -> None:
        with self._lock:
            self._conn.executescript(ddl)

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
