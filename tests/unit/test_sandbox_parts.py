"""The sandbox's vendor-neutral parts, in process: fault specs, the limiter, the store."""

from __future__ import annotations

from collections import Counter

import pytest
from pydantic import ValidationError

from pulumi_taxonomy.sandbox.config import FaultSpec
from pulumi_taxonomy.sandbox.faults import FaultInjector
from pulumi_taxonomy.sandbox.limits import CostLimiter
from pulumi_taxonomy.sandbox.store import Store


def test_fault_spec_parses_and_prints() -> None:
    spec = FaultSpec.parse(" 429=0.05, 500=0.02 ,drop=0.01,")
    assert spec.rates == {"429": 0.05, "500": 0.02, "drop": 0.01}
    assert str(spec) == "429=0.05,500=0.02,drop=0.01"
    assert FaultSpec.parse("").rates == {}


@pytest.mark.parametrize("bad", ["429", "429=x", "200=0.1", "boom=0.1", "500=1.5", "429=0.6,500=0.6"])
def test_fault_spec_rejects_nonsense(bad: str) -> None:
    with pytest.raises((ValueError, ValidationError)):
        FaultSpec.parse(bad)


def test_fault_injector_follows_the_rates() -> None:
    injector = FaultInjector(FaultSpec.parse("429=0.25,drop=0.25"), seed=1)
    counts = Counter(injector.draw() for _ in range(20_000))
    assert abs(counts["429"] / 20_000 - 0.25) < 0.02
    assert abs(counts["drop"] / 20_000 - 0.25) < 0.02
    assert abs(counts[None] / 20_000 - 0.5) < 0.02


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_concurrency_is_weighted_and_released() -> None:
    limiter = CostLimiter(4, 100, 3600)
    assert limiter.try_acquire("k", 2) is None
    assert limiter.try_acquire("k", 2) is None
    assert limiter.try_acquire("k", 1) == "concurrency"
    assert limiter.try_acquire("other", 2) is None  # per key
    limiter.release("k", 2)
    assert limiter.try_acquire("k", 1) is None
    assert limiter.peaks() == {"k": 4, "other": 2}


def test_limiter_hourly_budget_rolls() -> None:
    clock = FakeClock()
    limiter = CostLimiter(4, 10, 60, clock=clock)
    for _ in range(5):
        assert limiter.try_acquire("k", 2) is None
        limiter.release("k", 2)
    assert limiter.try_acquire("k", 1) == "hourly"  # a refusal spends nothing
    clock.now += 59.9
    assert limiter.try_acquire("k", 1) == "hourly"
    clock.now += 0.2
    assert limiter.try_acquire("k", 2) is None  # the first charge left the window


def test_store_nested_transactions_roll_back_alone() -> None:
    store = Store()
    store.apply_schema("CREATE TABLE t (v INTEGER)")
    with store.transaction() as conn:
        conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(RuntimeError), store.transaction() as inner:
            inner.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("inner fails")
        conn.execute("INSERT INTO t VALUES (3)")
    with store.transaction() as conn:
        assert [r[0] for r in conn.execute("SELECT v FROM t ORDER BY v")] == [1, 3]
    with pytest.raises(RuntimeError), store.transaction() as conn:
        conn.execute("INSERT INTO t VALUES (4)")
        raise RuntimeError("outer fails")
    with store.transaction() as conn:
        assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 2
