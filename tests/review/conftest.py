"""Helpers for the review suites (lint, diff, their formats and commands)."""

from __future__ import annotations

from pathlib import Path

from pulumi_taxonomy.plan.loader import Located, loads_located

CORPUS = Path(__file__).resolve().parent / "corpus"


def located(text: str, file: str = "plan.yaml") -> Located:
    return loads_located(text, file)


def read(path: Path) -> Located:
    return loads_located(path.read_text(encoding="utf-8"), str(path))
