"""The sandbox as a process: its command line, start-up line, shutdown and persistence."""

from __future__ import annotations

import re
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pulumi_taxonomy.testing import running_sandbox
from tests.conftest import AMPLITUDE_AUTH, TAXONOMY, amplitude_client, ok


def test_prints_one_listening_line_on_a_free_port() -> None:
    with running_sandbox() as sandbox:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sandbox.url)
        assert httpx.get(sandbox.url + TAXONOMY + "/category", auth=AMPLITUDE_AUTH).status_code == 200


def test_explicit_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with running_sandbox("--port", str(port)) as sandbox:
        assert sandbox.url == f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_it_cleanly_with_the_database_complete(tmp_path: Path, sig: signal.Signals) -> None:
    db = tmp_path / "taxonomy.db"
    with running_sandbox("--db", str(db)) as sandbox:
        with amplitude_client(sandbox) as client:
            for i in range(20):
                ok(client.post("/event", data={"event_type": f"E{i}"}))
        assert sandbox.stop(sig) == 0
    # Closed cleanly: the write-ahead log was folded into the file, which is sound on its own.
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM amp_event").fetchone()[0] == 20


def test_state_survives_a_restart_and_an_existing_db_is_not_reseeded(tmp_path: Path) -> None:
    db = tmp_path / "taxonomy.db"
    with running_sandbox("--db", str(db), "--seed", "demo") as sandbox, amplitude_client(sandbox) as client:
        ok(client.post("/event", data={"event_type": "Added Later"}))
        ok(client.delete("/event/Event 2"))
    with running_sandbox("--db", str(db), "--seed", "demo") as sandbox, amplitude_client(sandbox) as client:
        names = {e["event_type"] for e in ok(client.get("/event"))}
        assert "Added Later" in names and "Event 2" not in names
        assert "Sign Up" in names


def test_killed_process_leaves_committed_writes(tmp_path: Path) -> None:
    db = tmp_path / "taxonomy.db"
    with running_sandbox("--db", str(db)) as sandbox:
        with amplitude_client(sandbox) as client:
            ok(client.post("/category", data={"category_name": "Durable"}))
        sandbox.stop(signal.SIGKILL)
    with running_sandbox("--db", str(db)) as sandbox, amplitude_client(sandbox) as client:
        assert [c["name"] for c in ok(client.get("/category"))] == ["Durable"]


def test_reset_endpoint_restores_the_seed(tmp_path: Path) -> None:
    with running_sandbox("--seed", "demo") as sandbox, amplitude_client(sandbox) as client:
        ok(client.delete("/event/Event 2"))
        assert sandbox.stats()["total_requests"] == 1
        sandbox.reset()
        ok(client.get("/event/Event 2"))
        sandbox.reset("empty")
        assert ok(client.get("/event")) == []
        assert sandbox.stats()["total_requests"] == 1  # reset cleared the counters too


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--faults", "429=2"], "not between 0 and 1"),
        (["--faults", "boom=0.1"], "unknown fault"),
        (["--faults", "429"], "KIND=PROBABILITY"),
        (["--seed", "full"], "empty or demo"),
        (["--port", "-1"], "port"),
    ],
)
def test_bad_options_exit_2_with_a_reason(args: list[str], complaint: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", "sandbox", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result
    assert complaint in result.stderr.replace("\n", " "), result.stderr


def test_help_lists_every_option() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", "sandbox", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"COLUMNS": "200", "PATH": ""},
    )
    for option in ("--host", "--port", "--db", "--seed", "--latency-ms", "--faults", "--hour-seconds"):
        assert option in result.stdout


def start_fails(*args: str) -> str:
    """Start a sandbox that cannot start: one line on stderr, exit 2, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", "sandbox", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr and result.stdout == "", result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sandbox could not start: "), result.stderr
    return lines[0]


def test_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        line = start_fails("--port", str(taken.getsockname()[1]))
    assert "the port is in use" in line and "--port 0" in line


def test_a_db_that_is_not_a_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a database\n")
    assert "file is not a database" in start_fails("--port", "0", "--db", str(notes))
    assert notes.read_text() == "my notes, not a database\n"
    assert "notes.txt" in start_fails("--port", "0", "--db", str(notes / "state.db"))


def test_an_unresolvable_host() -> None:
    line = start_fails("--port", "0", "--host", "no-such-host.invalid")  # .invalid never resolves
    assert "does not resolve" in line and "127.0.0.1" in line
