"""Client-side cost limiter: stay within a vendor's documented limits instead of
provoking 429s.

Two limits per credential, as vendors meter them: the cost of requests in flight at
once, and a rolling budget per period. A request waits for both. When the period's
budget is spent it waits for the window to roll and says so on stderr; it never fails
for that (unless the caller set a deadline).

Every process on the machine that uses one credential (provider servers of several
stacks, `drift`, `export`) shares these limits through a small ledger in the user's
cache directory (`Ledger`: SQLite in WAL mode, short transactions). Its in-flight
slots name their process (pid and start time), so the slots of a process that died
are reclaimed. Threads of one process first queue in memory (`CostLimiter`), so only
the few requests about to be sent touch the ledger. Without a writable cache
directory, each process limits itself (today's behaviour) and says so once.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import sqlite3
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

CACHE_DIR_ENV = "PULUMI_TAXONOMY_CACHE_DIR"
LEDGER_FILE = "limits.sqlite3"


@dataclass(frozen=True)
class CostPolicy:
    max_in_flight: int
    budget: int
    window_seconds: float
    # Our clock starts a request's charge before the vendor's does; keep a margin so
    # a slot we think has left the window has also left the vendor's.
    margin_seconds: float = 2.0


@dataclass(frozen=True)
class Usage:
    """What a credential has spent in the current window, as this machine knows it."""

    spent: int
    budget: int
    window_seconds: float
    rolls_at: float | None
    """Wall-clock time (epoch seconds) when the oldest charge leaves the window."""
    shared: bool
    """True when the figure covers every process on this machine (the ledger)."""


class LimitWaitTimeout(TimeoutError):
    """The caller's deadline passed while the request waited for the limits."""


class Limiter(Protocol):
    """What `VendorHttp` needs from a limiter."""

    policy: CostPolicy
    label: str

    def slot(self, cost: int, deadline: float | None = None) -> AbstractContextManager[None]:
        """Hold `cost` of the limits while the block runs; `deadline` is a
        `time.monotonic()` value past which waiting raises `LimitWaitTimeout`."""

    def hold(self, seconds: float) -> None:
        """Admit nothing for `seconds` (the vendor answered 429)."""

    def usage(self) -> Usage: ...


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _budget_notice(label: str, policy: CostPolicy, wait: float, scope: str = "") -> str:
    return (
        f"pulumi-taxonomy: {label}: the vendor's budget of {policy.budget} cost per "
        f"{policy.window_seconds:g}s is spent{scope}; waiting {wait:.0f}s for it to roll over "
        "(nothing fails, the apply resumes by itself)"
    )


def _check_deadline(deadline: float | None, what: str) -> None:
    if deadline is not None and time.monotonic() >= deadline:
        raise LimitWaitTimeout(f"the deadline passed while waiting for {what}")


class CostLimiter:
    """The limits of one credential within this process (thread-safe)."""

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
        self._hold_until = 0.0
        self.peak_in_flight = 0
        self.waited_for_budget = 0.0
        self._quiet_until = 0.0  # one notice per wait, however many requests wait

    @contextmanager
    def slot(self, cost: int, deadline: float | None = None) -> Iterator[None]:
        self.acquire(cost, deadline)
        try:
            yield
        finally:
            self.release(cost)

    def acquire(self, cost: int, deadline: float | None = None) -> None:
        cost = min(cost, self.policy.max_in_flight, self.policy.budget)
        with self._cond:
            announced = False
            while True:
                now = self._clock()
                self._expire(now)
                if now < self._hold_until:
                    _check_deadline(deadline, f"{self.label} to accept requests again")
                    self._cond.wait(timeout=min(self._hold_until - now, 1.0))
                    continue
                if self._spent + cost > self.policy.budget:
                    _check_deadline(deadline, f"{self.label}'s budget to roll over")
                    wait = self._window[0][0] + self.policy.window_seconds + self.policy.margin_seconds - now
                    if not announced and now >= self._quiet_until:
                        self._quiet_until = now + max(wait, self.policy.window_seconds / 4)
                        self._notify(_budget_notice(self.label, self.policy, wait))
                    announced = True
                    started = self._clock()
                    # Wake up now and then rather than trusting one long sleep: the
                    # clock may move differently from the timer (suspend, tests).
                    self._cond.wait(timeout=min(max(wait, 0.01), 1.0))
                    self.waited_for_budget += self._clock() - started
                    continue
                if self._in_flight + cost > self.policy.max_in_flight:
                    _check_deadline(deadline, f"a free {self.label} slot")
                    self._cond.wait(timeout=None if deadline is None else 0.5)
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

    def hold(self, seconds: float) -> None:
        with self._cond:
            self._hold_until = max(self._hold_until, self._clock() + seconds)

    def usage(self) -> Usage:
        with self._cond:
            now = self._clock()
            self._expire(now)
            rolls_at = None
            if self._window:
                left = self._window[0][0] + self.policy.window_seconds + self.policy.margin_seconds - now
                rolls_at = time.time() + left
            return Usage(self._spent, self.policy.budget, self.policy.window_seconds, rolls_at, False)

    def _expire(self, now: float) -> None:
        horizon = now - self.policy.window_seconds - self.policy.margin_seconds
        while self._window and self._window[0][0] <= horizon:
            self._spent -= self._window.popleft()[1]


# -- the machine-wide ledger --------------------------------------------------------


def _process_start(pid: int) -> str:
    """Something that tells this process from a later one that reuses its pid: the
    start time in clock ticks on Linux, empty elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _process_alive(pid: int, start: str) -> bool:
    if os.name != "posix":
        return True  # no safe probe (os.kill would end the process): the lease decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, as another user
    return not start or _process_start(pid) in (start, "")


@dataclass(frozen=True)
class Blocked:
    """Why a ticket was not granted, and when to look again."""

    reason: str  # "queue" | "concurrency" | "budget" | "hold"
    retry_in: float


_SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    cost INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    start TEXT NOT NULL,
    held INTEGER NOT NULL,
    seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS tickets_by_key ON tickets (key, id);
CREATE TABLE IF NOT EXISTS charges (
    key TEXT NOT NULL,
    second INTEGER NOT NULL,
    cost INTEGER NOT NULL,
    PRIMARY KEY (key, second)
);
CREATE TABLE IF NOT EXISTS holds (key TEXT PRIMARY KEY, until REAL NOT NULL);
"""


class Ledger:
    """The machine's record of each credential's requests in flight and cost spent.

    A request takes a *ticket*: granted at once when the limits allow it and nobody
    queues ahead (first come, first served across processes), otherwise it waits in
    the queue and polls. Spent cost is kept in one-second buckets, expired a whole
    bucket at a time (so never earlier than the vendor's own window). Tickets of dead
    processes are removed: held ones whose process is gone (or older than `lease`
    seconds, where a process cannot be probed), waiting ones not polled for 30 s.
    """

    busy_timeout_ms = 10_000
    lease = 600.0
    waiting_stale = 30.0

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(path), timeout=self.busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
        )
        self._db.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")  # a lost charge on power loss is harmless
        self._db.executescript(_SCHEMA)
        self._forget_the_past()
        self.pid = os.getpid()
        self.start = _process_start(self.pid)
        self._alive: dict[tuple[int, str], tuple[float, bool]] = {}

    forget_after = 86_400.0

    def _forget_the_past(self) -> None:
        """Drop what no window can still hold (keys of credentials or sandboxes used
        once, long ago), so the file stays small."""
        now = self._clock()
        with self._transaction() as db:
            db.execute("DELETE FROM charges WHERE second < ?", (now - self.forget_after,))
            db.execute("DELETE FROM holds WHERE until < ?", (now,))
            db.execute("DELETE FROM tickets WHERE seen < ?", (now - self.lease,))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def take(
        self, key: str, cost: int, policy: CostPolicy, ticket: int | None = None
    ) -> tuple[int, Blocked | None]:
        """Ask for `cost` (again, with the `ticket` an earlier call returned): the
        ticket, and None when it is granted or why it waits."""
        with self._transaction() as db:
            now = self._clock()
            horizon = math.floor(now - policy.window_seconds - policy.margin_seconds) - 1
            db.execute("DELETE FROM charges WHERE key = ? AND second <= ?", (key, horizon))
            rows = db.execute(
                "SELECT id, cost, pid, start, held, seen FROM tickets WHERE key = ? ORDER BY id", (key,)
            ).fetchall()
            live = []
            for row in rows:
                if row[0] != ticket and not self._live(row, now):
                    db.execute("DELETE FROM tickets WHERE id = ?", (row[0],))
                else:
                    live.append(row)
            blocked = self._blocked(db, key, cost, policy, now, ticket, live)
            if ticket is None or not any(row[0] == ticket for row in live):
                ticket = db.execute(
                    "INSERT INTO tickets (key, cost, pid, start, held, seen) VALUES (?, ?, ?, ?, ?, ?)",
                    (key, cost, self.pid, self.start, int(blocked is None), now),
                ).lastrowid
                assert ticket is not None
            else:
                db.execute(
                    "UPDATE tickets SET held = ?, seen = ? WHERE id = ?", (int(blocked is None), now, ticket)
                )
            if blocked is None:
                db.execute(
                    "INSERT INTO charges (key, second, cost) VALUES (?, ?, ?) "
                    "ON CONFLICT (key, second) DO UPDATE SET cost = cost + excluded.cost",
                    (key, math.floor(now), cost),
                )
            return ticket, blocked

    def _blocked(
        self,
        db: sqlite3.Connection,
        key: str,
        cost: int,
        policy: CostPolicy,
        now: float,
        ticket: int | None,
        live: list[tuple[int, int, int, str, int, float]],
    ) -> Blocked | None:
        hold = db.execute("SELECT until FROM holds WHERE key = ?", (key,)).fetchone()
        if hold is not None and hold[0] > now:
            return Blocked("hold", min(hold[0] - now, 1.0))
        ahead = [c for id_, c, _, _, held, _ in live if not held and (ticket is None or id_ < ticket)]
        # The budget first, for the costliest of this ticket and those ahead of it: so a
        # ticket queued behind one that waits for the budget knows (and says) why.
        spent, oldest = db.execute(
            "SELECT COALESCE(SUM(cost), 0), MIN(second) FROM charges WHERE key = ?", (key,)
        ).fetchone()
        if spent + max([cost, *ahead]) > policy.budget:
            rolls = oldest + 1 + policy.window_seconds + policy.margin_seconds
            return Blocked("budget", max(rolls - now, 0.01))
        if ahead:
            return Blocked("queue", min(0.003 * (len(ahead) + 1), 0.05))
        in_flight = sum(c for id_, c, _, _, held, _ in live if held and id_ != ticket)
        if in_flight + cost > policy.max_in_flight:
            return Blocked("concurrency", 0.003)
        return None

    def _live(self, row: tuple[int, int, int, str, int, float], now: float) -> bool:
        _, _, pid, start, held, seen = row
        if now - seen >= (self.lease if held else self.waiting_stale):
            return False
        if pid == self.pid and start == self.start:
            return True
        known = self._alive.get((pid, start))
        if known is None or now - known[0] > 1.0:
            known = (now, _process_alive(pid, start))
            self._alive[(pid, start)] = known
        return known[1]

    def give_back(self, ticket: int) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM tickets WHERE id = ?", (ticket,))

    def hold(self, key: str, seconds: float) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO holds (key, until) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET until = max(until, excluded.until)",
                (key, self._clock() + seconds),
            )

    def usage(self, key: str, policy: CostPolicy) -> Usage:
        with self._lock:
            now = self._clock()
            horizon = math.floor(now - policy.window_seconds - policy.margin_seconds) - 1
            spent, oldest = self._db.execute(
                "SELECT COALESCE(SUM(cost), 0), MIN(second) FROM charges WHERE key = ? AND second > ?",
                (key, horizon),
            ).fetchone()
        rolls_at = None if oldest is None else oldest + 1 + policy.window_seconds + policy.margin_seconds
        return Usage(int(spent), policy.budget, policy.window_seconds, rolls_at, True)


class SharedCostLimiter:
    """One credential's limits, shared with every process on the machine through the
    ledger; threads of this process queue in memory first."""

    def __init__(
        self,
        ledger: Ledger,
        key: str,
        policy: CostPolicy,
        label: str,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.ledger = ledger
        self.key = key
        self.policy = policy
        self.label = label
        self._notify = notify or _stderr
        # In memory only the concurrency cap: the budget is counted in the ledger.
        self._local: CostLimiter = CostLimiter(replace(policy, budget=sys.maxsize), label, notify=notify)
        self._shared = True
        self._lock = threading.Lock()
        self._quiet_until = 0.0
        self.waited_for_budget = 0.0

    @property
    def peak_in_flight(self) -> int:
        return self._local.peak_in_flight

    @contextmanager
    def slot(self, cost: int, deadline: float | None = None) -> Iterator[None]:
        cost = min(cost, self.policy.max_in_flight, self.policy.budget)
        local = self._local
        with local.slot(cost, deadline):
            ticket = self._take(cost, deadline) if self._shared else None
            try:
                yield
            finally:
                if ticket is not None:
                    self._ledger_call(lambda: self.ledger.give_back(ticket))

    def _take(self, cost: int, deadline: float | None) -> int | None:
        queued: list[int] = []  # the ticket while it waits
        try:
            return self._wait_for_grant(cost, deadline, queued)
        except BaseException:
            if queued:  # leave the queue, or it blocks others until it goes stale
                self._ledger_call(functools.partial(self.ledger.give_back, queued[0]))
            raise

    def _wait_for_grant(self, cost: int, deadline: float | None, queued: list[int]) -> int | None:
        announced = False
        while True:
            try:
                ticket, blocked = self.ledger.take(self.key, cost, self.policy, queued[0] if queued else None)
            except sqlite3.Error as exc:
                self._degrade(exc)
                return None
            if blocked is None:
                queued.clear()
                return ticket
            queued[:] = [ticket]
            _check_deadline(deadline, f"{self.label}'s limits ({blocked.reason})")
            if blocked.reason == "budget" and not announced:
                announced = True
                with self._lock:
                    now = time.monotonic()
                    if now >= self._quiet_until:
                        self._quiet_until = now + max(blocked.retry_in, self.policy.window_seconds / 4)
                        self._notify(
                            _budget_notice(self.label, self.policy, blocked.retry_in, " on this machine")
                        )
            started = time.monotonic()
            time.sleep(min(blocked.retry_in, 1.0))
            if blocked.reason == "budget":
                self.waited_for_budget += time.monotonic() - started

    def hold(self, seconds: float) -> None:
        self._local.hold(seconds)
        if self._shared:
            self._ledger_call(lambda: self.ledger.hold(self.key, seconds))

    def usage(self) -> Usage:
        if self._shared:
            try:
                return self.ledger.usage(self.key, self.policy)
            except sqlite3.Error as exc:
                self._degrade(exc)
        return self._local.usage()

    def _ledger_call(self, work: Callable[[], None]) -> None:
        try:
            work()
        except sqlite3.Error as exc:
            self._degrade(exc)

    def _degrade(self, exc: Exception) -> None:
        with self._lock:
            if not self._shared:
                return
            self._shared = False
            self._local = CostLimiter(self.policy, self.label, notify=self._notify)
        self._notify(
            f"pulumi-taxonomy: {self.label}: the shared rate-limit ledger {self.ledger.path} failed "
            f"({exc}); this process now keeps the vendor's limits on its own"
        )


# -- one limiter per credential per process -----------------------------------------


def cache_dir() -> Path:
    """Where the ledger lives: `$PULUMI_TAXONOMY_CACHE_DIR`, else the user's cache
    directory (`~/.cache/pulumi-taxonomy` on Linux, as XDG says)."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("pulumi-taxonomy", appauthor=False))


class _LedgerSlot:
    """This process's ledger, opened on first use (or None when it cannot be)."""

    def __init__(self) -> None:
        self.tried = False
        self.ledger: Ledger | None = None


_ledger = _LedgerSlot()
_registry: dict[tuple[str, str, str], Limiter] = {}
_registry_lock = threading.Lock()


def shared_ledger(notify: Callable[[str], None] = _stderr) -> Ledger | None:
    """This process's connection to the machine's ledger; None (said once) when the
    cache directory cannot hold it."""
    with _registry_lock:
        if not _ledger.tried:
            _ledger.tried = True
            path = cache_dir() / LEDGER_FILE
            try:
                _ledger.ledger = Ledger(path)
            except (OSError, sqlite3.Error) as exc:
                notify(
                    f"pulumi-taxonomy: cannot keep the shared rate-limit ledger at {path} ({exc}); each "
                    "process keeps the vendors' limits on its own, so several processes using one "
                    f"credential at once may provoke 429s. Set {CACHE_DIR_ENV} to a writable directory."
                )
        return _ledger.ledger


def ledger_key(vendor: str, scope: str, credential_id: str, policy: CostPolicy) -> str:
    """The ledger's name for a credential's limits: never the secret (`credential_id`
    is already a fingerprint), and apart per endpoint and per budget."""
    digest = hashlib.sha256(
        "\0".join((scope, credential_id, str(policy.budget), repr(policy.window_seconds))).encode()
    ).hexdigest()[:20]
    return f"{vendor}:{digest}"


def limiter_for(vendor: str, credential_id: str, policy: CostPolicy, scope: str = "") -> Limiter:
    """The one limiter of a credential in this process (created on first use), shared
    with the machine's other processes when the ledger is available. `scope` (the
    base URL) keeps apart the same credential at different endpoints."""
    ledger = shared_ledger()
    key = (vendor, scope, credential_id)
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None or limiter.policy != policy:
            if ledger is None:
                limiter = CostLimiter(policy, label=vendor)
            else:
                name = ledger_key(vendor, scope, credential_id, policy)
                limiter = SharedCostLimiter(ledger, name, policy, vendor)
            _registry[key] = limiter
        return limiter
