"""The package as `pip install pulumi-taxonomy` would fetch it: the wheel and sdist are
built from this tree, and the wheel, installed (not editable) into a fresh virtual
environment outside the repository, runs the command line, the sandbox and an apply.

Nothing is downloaded: the build runs without an isolated environment (the dev extras
carry `build` and `hatchling`), the wheel is installed with `--no-deps --no-index`, and
the fresh environment sees the already-installed dependencies through a `.pth` line
(which does not activate this checkout's editable install).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 300


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env=env,
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(
        sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", out, ROOT, cwd=ROOT
    )
    return out


def test_the_wheel_carries_the_package_data_and_the_index_metadata(dist: Path) -> None:
    (wheel,) = dist.glob("pulumi_taxonomy-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (metadata_name,) = (n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    assert "pulumi_taxonomy/py.typed" in names
    assert "pulumi_taxonomy/plan/plan.schema.json" in names
    assert not any(n.startswith(("tests/", "examples/")) for n in names)
    from pulumi_taxonomy import __version__

    assert metadata["Version"] == __version__
    urls = metadata.get_all("Project-URL") or []
    assert {u.split(",", 1)[0] for u in urls} >= {"Homepage", "Documentation", "Repository", "Issues"}
    assert "tracking-plan" in (metadata["Keywords"] or "")
    assert "Typing :: Typed" in (metadata.get_all("Classifier") or [])
    assert metadata["Requires-Python"] == ">=3.10"
    (sdist,) = dist.glob("pulumi_taxonomy-*.tar.gz")
    assert sdist.stat().st_size > 0


PROGRAM = """
import pulumi_taxonomy.amplitude as amplitude

amplitude.EventType("played", name="Song Played", description="A song started playing")
"""

APPLY = """
import sys
from pathlib import Path

import pulumi_taxonomy
from pulumi_taxonomy.testing import Engine, running_sandbox
from pulumi_taxonomy.testing.program import run_program

print("package at", pulumi_taxonomy.__file__)
with running_sandbox() as sandbox:
    env = {
        "AMPLITUDE_API_KEY": "sandbox-api-key",
        "AMPLITUDE_SECRET_KEY": "sandbox-secret-key",
        "AMPLITUDE_BASE_URL": sandbox.url,
    }
    with Engine(project="wheel", env=env) as engine:
        applied = run_program(Path(sys.argv[1]), engine)
        engine.new_command()
        again = run_program(Path(sys.argv[1]), engine, preview=True)
    print("created", applied.count("create"), "changes after", len(again.changes))
"""


def test_the_installed_wheel_runs_outside_the_checkout(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("pulumi_taxonomy-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path)
    # The dependencies already installed here, without this checkout's editable install.
    Path(purelib.strip(), "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel,
        cwd=tmp_path,
    )  # fmt: skip
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    cli = venv / "bin" / "pulumi-taxonomy"

    from pulumi_taxonomy import __version__

    assert run(cli, "--version", cwd=work, env=env).strip() == f"pulumi-taxonomy {__version__}"
    assert '"$schema"' in run(cli, "schema", cwd=work, env=env)
    (work / "__main__.py").write_text(textwrap.dedent(PROGRAM))
    (work / "apply.py").write_text(textwrap.dedent(APPLY))
    out = run(python, "apply.py", work / "__main__.py", cwd=work, env=env)
    assert f"package at {venv}" in out, out
    assert "created 1 changes after 0" in out, out
