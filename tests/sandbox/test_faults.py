"""Injected faults: 429/5xx change nothing; `drop` commits the write and loses the answer."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest

from pulumi_taxonomy.testing import running_sandbox
from tests.conftest import AMPLITUDE_AUTH, TAXONOMY


def categories_in(db: Path) -> set[str]:
    with running_sandbox("--db", str(db)) as sandbox:  # noqa: SIM117
        with httpx.Client(base_url=sandbox.url + TAXONOMY, auth=AMPLITUDE_AUTH, timeout=10) as client:
            return {c["name"] for c in client.get("/category").json()["data"]}


@pytest.mark.parametrize(("fault", "status"), [("429", 429), ("500", 500), ("503", 503), ("513", 513)])
def test_status_faults_answer_in_the_envelope_and_change_nothing(
    tmp_path: Path, fault: str, status: int
) -> None:
    db = tmp_path / "state.db"
    with running_sandbox("--db", str(db), "--faults", f"{fault}=1") as sandbox:
        response = httpx.post(
            f"{sandbox.url}{TAXONOMY}/category", data={"category_name": "X"}, auth=AMPLITUDE_AUTH, timeout=10
        )
        assert response.status_code == status
        assert response.json()["success"] is False
        assert sandbox.stats()["faults_injected"] == {fault: 1}
    assert categories_in(db) == set()


def test_drop_commits_the_write_but_sends_no_response(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with running_sandbox("--db", str(db), "--faults", "drop=1") as sandbox:
        with pytest.raises(httpx.TransportError):
            httpx.post(
                f"{sandbox.url}{TAXONOMY}/category",
                data={"category_name": "Committed"},
                auth=AMPLITUDE_AUTH,
                timeout=10,
            )
        stats = sandbox.stats()
        assert stats["faults_injected"] == {"drop": 1}
        assert stats["by_status"] == {"dropped": 1}
        assert "Exception" not in sandbox.output  # the server did not treat it as a crash
    assert categories_in(db) == {"Committed"}


def run_seeded(spec: str, seed: int, n: int) -> list[int | str]:
    outcomes: list[int | str] = []
    with running_sandbox("--faults", spec, "--fault-seed", str(seed)) as sandbox:
        with httpx.Client(base_url=sandbox.url + TAXONOMY, auth=AMPLITUDE_AUTH, timeout=10) as client:
            for _ in range(n):
                try:
                    outcomes.append(client.get("/category").status_code)
                except httpx.TransportError:
                    outcomes.append("dropped")
        injected = sandbox.stats()["faults_injected"]
    counts = Counter(outcomes)
    assert injected.get("429", 0) == counts[429]
    assert injected.get("500", 0) == counts[500]
    assert injected.get("drop", 0) == counts["dropped"]
    return outcomes


def test_mixed_faults_are_counted_and_reproducible_with_a_seed() -> None:
    spec = "429=0.2,500=0.1,drop=0.1"
    first = run_seeded(spec, 7, 120)
    counts = Counter(first)
    assert counts[200] > 0 and counts[429] > 0 and counts[500] > 0 and counts["dropped"] > 0
    assert run_seeded(spec, 7, 120) == first
