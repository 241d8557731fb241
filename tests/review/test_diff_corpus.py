"""`diff` on the corpus: pairs of plans under corpus/<case>/ (old.yaml, new.yaml), each
classified by hand in expected.yaml, in both directions (old to new, and new to old)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from pulumi_taxonomy.plan.diff import KINDS, diff
from tests.review.conftest import CORPUS, read

CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def expected(case: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CORPUS / case / "expected.yaml").read_text(encoding="utf-8"))
    return loaded


def test_the_corpus_has_a_pair_for_every_kind_of_change() -> None:
    assert len(CASES) >= 30
    seen = {c["kind"] for case in CASES for way in ("forward", "backward") for c in expected(case)[way]}
    assert seen == set(KINDS)


@pytest.mark.parametrize("direction", ["forward", "backward"])
@pytest.mark.parametrize("case", CASES)
def test_each_pair_is_classified_as_expected(case: str, direction: str) -> None:
    old, new = ("old.yaml", "new.yaml") if direction == "forward" else ("new.yaml", "old.yaml")
    review = diff(read(CORPUS / case / old), read(CORPUS / case / new))
    want = expected(case)[direction]
    keys = ("path", "kind", "breaking", "schemaver")
    assert [{k: getattr(c, k) for k in keys} for c in review.changes] == [
        {k: w[k] for k in keys} for w in want
    ]
    for change, wanted in zip(review.changes, want, strict=True):
        for key in ("line", "old_line"):
            if key in wanted:
                assert getattr(change, key) == wanted[key], (key, change)
        assert change.allowed == wanted.get("allowed", False), change
        assert wanted.get("message_contains", "") in change.message, change.message
        assert change.message.strip() and not change.message.endswith("."), change.message
    # Exit status as `diff` reports it: blocked unless every breaking change is allowed.
    assert bool(review.blocking()) == any(w["breaking"] and not w.get("allowed") for w in want)
    assert review.blocking(allow_breaking=True) == []
