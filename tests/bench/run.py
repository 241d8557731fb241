"""Run a benchmark of bench/ at a small size, as a user would, and read its JSON report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench"


def bench_report(script: str, *args: str) -> dict[str, Any]:
    """What `python bench/SCRIPT ARGS` printed, parsed; a failed run shows its stderr."""
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report
