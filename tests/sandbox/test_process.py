"""The sandbox as a process: its command line, start-up line, shutdown and persistence."""

from __future__ import annotations

import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pytest

from pulumi_taxonomy.testing import SandboxProcess, introspect, running_sandbox
from tests.conftest import AMPLITUDE_ACCOUNT, AMPLITUDE_AUTH, TAXONOMY, amplitude_client, ok


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
        (["--faults", "429=2"], "error: --faults: fault 429: probability 2.0 is not between 0 and 1"),
        (
            ["--faults", "999=0.5"],
            "error: --faults: unknown fault '999': use an HTTP status 400-599 or 'drop'",
        ),
        (["--faults", "boom=0.1"], "error: --faults: unknown fault 'boom'"),
        (["--faults", "429"], "error: --faults: fault '429' is not KIND=PROBABILITY"),
        (["--port", "70000"], "error: --port: must be less than or equal to 65535"),
        (["--port", "-1"], "error: --port: must be greater than or equal to 0"),
        (["--hour-seconds", "0"], "error: --hour-seconds: must be greater than 0"),
        (["--latency-ms", "-1"], "error: --latency-ms: must be greater than or equal to 0"),
        (["--stitch-client-id", "5"], "error: --stitch-client-id: must be greater than or equal to 1000"),
    ],
)
def test_an_option_out_of_range_is_one_line_naming_it_and_its_rule(args: list[str], complaint: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", "sandbox", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, ""), result
    [line] = result.stderr.splitlines()
    assert line.startswith(complaint) and "pydantic" not in line, result.stderr


def test_an_unknown_seed_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", "sandbox", "--seed", "full"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "empty or demo" in result.stderr, result


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


# -- the sandbox as a server -------------------------------------------------------


def raw_exchange(url: str, request: bytes, body_chunks: Iterable[bytes] = ()) -> bytes:
    """Send `request` (then `body_chunks`, while the server still reads) on one
    connection; return what the server answered before closing it. Bounded in time."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(request)
        try:
            for chunk in body_chunks:
                conn.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: what it answered is still in the socket
        answer = b""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                data = conn.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            answer += data
            if b"\r\n\r\n" in answer and answer.split(b"\r\n\r\n", 1)[1].endswith(b"}"):
                break
        return answer


STITCH_PUSH = (
    b"POST /v2/import/push HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer sandbox-stitch-token\r\n"
    b"Content-Type: application/json\r\n"
)


def test_a_body_declared_too_large_is_refused_unread(sandbox: SandboxProcess) -> None:
    host = sandbox.url.removeprefix("http://").encode()
    # 10 GB announced, nothing sent: the answer comes at once, before any body.
    answer = raw_exchange(sandbox.url, STITCH_PUSH % host + b"Content-Length: 10000000000\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # Stitch's envelope; its reference says "less than 4MB": at most 3,999,999 bytes
    assert b'"status":"ERROR"' in answer and b"at most 3999999 bytes" in answer
    amplitude = (
        b"POST /api/2/taxonomy/event HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic "
        b"c2FuZGJveC1hcGkta2V5OnNhbmRib3gtc2VjcmV0LWtleQ==\r\nContent-Length: 10000000000\r\n\r\n" % host
    )
    answer = raw_exchange(sandbox.url, amplitude)
    assert answer.startswith(b"HTTP/1.1 413") and b'"success":false' in answer, answer[:200]
    introspection = (
        b"POST /_sandbox/reset HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10000000000\r\n\r\n" % host
    )
    assert raw_exchange(sandbox.url, introspection).startswith(b"HTTP/1.1 413")


def test_a_streamed_body_is_cut_off_at_the_limit(sandbox: SandboxProcess) -> None:
    sandbox.reset("empty")
    host = sandbox.url.removeprefix("http://").encode()
    chunk = b"x" * 65536

    def chunks() -> Iterator[bytes]:
        for _ in range(200):  # up to 13 MB, far past Stitch's 4 MB, unless the server stops reading
            yield b"%x\r\n%s\r\n" % (len(chunk), chunk)

    answer = raw_exchange(sandbox.url, STITCH_PUSH % host + b"Transfer-Encoding: chunked\r\n\r\n", chunks())
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sandbox.introspect("GET", "stitch/tables") == {"tables": {}}


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("POST", "reset", {}, 415),  # what `fetch(url, {method: "POST"})` or a form sends
        ("POST", "reset", {"content-type": "application/x-www-form-urlencoded"}, 415),
        ("POST", "reset", {"content-type": "text/plain"}, 415),
        ("GET", "stats", {}, 415),
        ("POST", "reset", {"content-type": "application/json", "host": "attacker.example:80"}, 403),
        ("POST", "reset", {"content-type": "application/json", "origin": "http://attacker.example"}, 403),
        ("POST", "reset", {"content-type": "application/json", "origin": "null"}, 403),
    ],
)
def test_introspection_refuses_what_a_web_page_can_send(
    sandbox: SandboxProcess, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    sandbox.reset("demo")
    with amplitude_client(sandbox) as client:
        before = ok(client.get("/event"))
        response = httpx.request(method, f"{sandbox.url}/_sandbox/{path}", headers=headers, timeout=10)
        assert response.status_code == status, response.text
        assert "error" in response.json()
        assert ok(client.get("/event")) == before  # not reset


def test_introspection_answers_programs_at_every_name_of_its_address(sandbox: SandboxProcess) -> None:
    port = sandbox.url.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        response = httpx.get(
            f"{sandbox.url}/_sandbox/stats",
            headers={"content-type": "application/json", "host": host, "origin": f"http://{host}"},
            timeout=10,
        )
        assert response.status_code == 200, (host, response.text)


def test_stats_name_accounts_by_a_fingerprint_never_a_key(sandbox: SandboxProcess) -> None:
    sandbox.reset("empty")
    with amplitude_client(sandbox) as client:
        ok(client.get("/category"))
    stats = sandbox.stats()
    assert list(stats["by_api_key"]) == [AMPLITUDE_ACCOUNT] == list(stats["peak_in_flight_cost"])
    text = json.dumps(stats)
    assert all(secret not in text for secret in AMPLITUDE_AUTH)


def test_loopback_only_unless_asked_and_then_a_warning() -> None:
    with running_sandbox() as quiet:
        assert "warning" not in quiet.output
    with running_sandbox("--host", "0.0.0.0") as shared:
        deadline = time.monotonic() + 30
        while "warning" not in shared.output and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "warning: the sandbox listens on 0.0.0.0" in shared.output
        port = shared.url.rsplit(":", 1)[1]
        local = f"http://127.0.0.1:{port}"
        assert httpx.get(local + TAXONOMY + "/category", auth=AMPLITUDE_AUTH, timeout=10).status_code == 200
        assert introspect(local, "GET", "stats")["total_requests"] == 1
