"""`pulumi-taxonomy validate` under attack, as a user runs it: a subprocess under a
memory and a CPU ceiling. Each hostile file gets one clear problem with its file and
line, exit 1 and no traceback, well within 10 s of CPU (a ceiling the kernel enforces,
so a loaded machine cannot make the test flaky)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.unit.test_plan import ATTACKS

MEMORY_CEILING = 2 * 1024**3
"""Address space a validate run may take: the alias bomb of issue 12 needed 3.8 GB."""
CPU_SECONDS = 10
"""Past this the kernel stops the run (SIGXCPU): the bomb ran past 60 s."""

CLI_CASES = (
    "alias-bomb",
    "deep-properties",
    "duplicate-key",
    "duplicate-category",
    "email-Email",
    "song-id",
    "repeated-source",
    "stitch-key-length",
    "nan-bound",
    "ref-and-inline",
)
"""One case of each item of issue 12 (4 and 5); tests/unit/test_plan.py runs all of them in-process."""


def _ceilings() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CEILING, MEMORY_CEILING))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def validate(path: Path, *args: str) -> tuple[int, str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", "validate", str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,  # a backstop for a hang; the CPU ceiling is the deadline
        check=False,
        preexec_fn=_ceilings,
        env={**os.environ, "COLUMNS": "200"},
    )
    return result.returncode, result.stdout, result.stderr


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, int, str, str]]]:
    """Every case run once, several at a time (each run is a process start)."""
    folder = tmp_path_factory.mktemp("validate")

    def run(case: str) -> tuple[Path, int, str, str]:
        path = folder / f"{case}.yaml"
        path.write_text(ATTACKS[case][0], encoding="utf-8")
        return (path, *validate(path, "--json"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        yield dict(zip(CLI_CASES, pool.map(run, CLI_CASES), strict=True))


@pytest.mark.parametrize("case", CLI_CASES)
def test_a_hostile_or_mangled_plan_gets_one_clear_problem(
    runs: dict[str, tuple[Path, int, str, str]], case: str
) -> None:
    _, line, field, message = ATTACKS[case]
    path, code, out, err = runs[case]
    assert "Traceback" not in out + err, err[-2000:]
    assert code == 1, (code, out[-2000:], err[-2000:])  # a CPU ceiling kill is -24, not 1
    report: dict[str, Any] = json.loads(out)
    assert report["valid"] is False
    first = report["issues"][0]
    assert (first["file"], first["line"], first["field"]) == (str(path), line, field), first
    assert message in first["message"], first


def test_the_table_for_people_names_file_and_line_and_shows_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(ATTACKS["alias-bomb"][0], encoding="utf-8")
    code, out, err = validate(path)
    assert (code, "Traceback" in out + err) == (1, False), err[-2000:]
    assert f"{path}:11" in out and "makes aliases add more than 500,000 YAML nodes" in out, out


def test_a_file_larger_than_a_plan_can_be_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as sparse:  # no data written: the size alone refuses it
        sparse.truncate(64 * 1024 * 1024 + 1)
    code, out, err = validate(path, "--json")
    # A file that is not read is "cannot be read" (exit 2, one line), not an invalid plan.
    assert (code, out) == (2, ""), err[-2000:]
    assert err.strip().splitlines() == [
        f"error: cannot read the plan {path}: the file has 67,108,865 bytes; a plan has at most 67,108,864"
    ], err
