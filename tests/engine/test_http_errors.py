"""HTTP edge cases through the real provider server and the real command line: a
redirect is an error, a base URL no request can use fails at once, and a server that
accepts connections and never answers cannot hang `drift` or `export` past --timeout."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from pulumi_taxonomy.amplitude.resources import EventTypeProvider
from pulumi_taxonomy.rudderstack.resources import TrackingPlanProvider
from pulumi_taxonomy.stitch.resources import WarehouseTableProvider
from pulumi_taxonomy.testing import Engine, ProviderFailed
from tests.engine.conftest import amplitude_env, rudderstack_env

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "examples" / "tracking-plan" / "plan.yaml"


class Redirector(BaseHTTPRequestHandler):
    """Answers everything with a redirect, as a proxy or a wrong scheme does."""

    location: ClassVar[str] = "https"  # "https": same path on https://; "slash": the path plus "/"
    seen: ClassVar[list[str]] = []

    def _redirect(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        type(self).seen.append(f"{self.command} {self.path}")
        host = self.headers.get("host", "")
        target = f"https://{host}{self.path}" if self.location == "https" else f"{self.path}/"
        self.send_response(301 if self.location == "https" else 308)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _redirect

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def redirector() -> Iterator[tuple[str, type[Redirector]]]:
    Redirector.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", Redirector
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def stitch_env(url: str) -> dict[str, str]:
    return {"STITCH_ACCESS_TOKEN": "sandbox-stitch-token", "STITCH_CLIENT_ID": "4231", "STITCH_BASE_URL": url}


CREATES = {
    "Amplitude": (amplitude_env, EventTypeProvider(), {"name": "Sign Up"}),
    "RudderStack": (rudderstack_env, TrackingPlanProvider(), {"name": "Web Plan"}),
    "Stitch": (
        stitch_env,
        WarehouseTableProvider(),
        {"table_name": "events", "key_names": ["event"], "rows": [{"event": "Sign Up"}]},
    ),
}


@pytest.mark.parametrize("location", ["https", "slash"])
@pytest.mark.parametrize("vendor", sorted(CREATES))
def test_a_redirect_is_an_error_that_names_its_likely_cause_never_a_success(
    vendor: str, location: str, redirector: tuple[str, type[Redirector]]
) -> None:
    url, handler = redirector
    handler.location = location
    env, provider, inputs = CREATES[vendor]
    with Engine(env=env(url)) as engine, pytest.raises(ProviderFailed) as failure:
        engine.up("r", provider, inputs)
    text = failure.value.text
    assert "answered 30" in text and "never a success" in text, text
    if location == "https":
        assert f"to https://{url.removeprefix('http://')}" in text and "wants https://" in text
    else:
        assert "trailing slash" in text
    assert handler.seen and all(not path.endswith("//") for path in handler.seen), "never followed"
    assert not engine.resources, "nothing was created"


def test_a_base_url_without_a_scheme_fails_at_once_with_what_to_write() -> None:
    # A retry would wait at least 20 s (the longest backoff): it shows whatever the load.
    env = {**amplitude_env("127.0.0.1:9"), "PULUMI_TAXONOMY_RETRY_WAIT": "30"}
    with Engine(env=env) as engine:
        started = time.monotonic()
        with pytest.raises(ProviderFailed) as failure:
            engine.up("r", EventTypeProvider(), {"name": "Sign Up"})
        seconds = time.monotonic() - started
    assert "has no scheme" in failure.value.text and "https://127.0.0.1:9" in failure.value.text
    assert seconds < 15, f"{seconds:.1f}s: retried (a retry waits at least 20 s)"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and reads requests, and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    connections: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            connections.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(10)
        for connection in connections:
            connection.close()
        listener.close()


@pytest.mark.parametrize(
    "command",
    [["drift", str(PLAN)], ["export", "--from", "amplitude", "--output", "{tmp}/plan.yaml"]],
    ids=["drift", "export"],
)
def test_a_server_that_never_answers_cannot_hang_the_command_past_its_deadline(
    command: list[str], silent_server: str, tmp_path: Path
) -> None:
    env = {**os.environ, **amplitude_env(silent_server), **rudderstack_env(silent_server)}
    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", *args, "--timeout", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert seconds < 20, f"{seconds:.1f}s: bounded by --timeout 3 (plus start-up)"
    err = " ".join(result.stderr.split())
    assert "Amplitude GET /api/2/taxonomy/" in err and "--timeout" in err, err
    assert "never answered" in err
    assert "Traceback" not in result.stderr
