"""`make quickstart` without a Pulumi CLI: it says how to install one, runs the program
through the provider server, and never downloads or runs an installer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRAP = """#!/bin/sh
echo "$0 $*" >> "{marker}"
exit 1
"""


def test_quickstart_without_a_cli_downloads_nothing(tmp_path: Path) -> None:
    # Given a PATH with no `pulumi`, whose download tools record any use of them
    marker = tmp_path / "downloads.log"
    traps = tmp_path / "bin"
    traps.mkdir()
    for tool in ("curl", "wget"):
        script = traps / tool
        script.write_text(TRAP.format(marker=marker))
        script.chmod(0o755)
    kept = [
        d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not (Path(d) / "pulumi").exists()
    ]
    env = {**os.environ, "PATH": os.pathsep.join([str(traps), *kept])}
    # When the quickstart runs
    result = subprocess.run(
        [sys.executable, "examples/run.py", "quickstart"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    # Then it applies through the provider server, says how to get the CLI, and fetched nothing
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No `pulumi` on PATH" in result.stdout
    assert "https://www.pulumi.com/docs/install/" in result.stdout
    assert "preview: no changes" in result.stdout
    assert not marker.exists(), marker.read_text()
