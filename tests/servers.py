"""Local servers for tests that need an answer no vendor gives (a login page, a
redirect, no answer at all); each is served from a thread or the kernel's backlog and
always shut down, and every wait is bounded."""

from __future__ import annotations

import http.server
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that logs nothing (the test's output stays the test's)."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """`with serving(Handler) as url:` an HTTP server on a free loopback port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on (a vendor that cannot be reached)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def _wait_until_blocked(pid: int, within: float = 5.0) -> None:
    """Wait (at most `within` seconds) until the process's main thread sleeps, as a user's
    Ctrl-C finds it. A signal sent within microseconds of the request, while CPython is
    still in C between its last check for signals and the blocking poll(), is noticed only
    when poll() returns: never, against a vendor that does not answer (one run in five in
    CI did so). Where /proc is missing, a short pause stands in."""
    stat = f"/proc/{pid}/stat"
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            with open(stat, encoding="ascii") as file:
                state = file.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            time.sleep(0.2)
            return
        if state == "S":
            return
        time.sleep(0.001)


def interrupted_while_waiting(
    args: list[str], env: Callable[[str], dict[str, str]]
) -> tuple[int, str, float]:
    """Run `pulumi-taxonomy ARGS` with `env(url)` against a vendor at `url` that accepts
    the connection and never answers; once the request has arrived, press Ctrl-C (SIGINT).
    Returns the exit code, stderr, and the seconds from the signal to the exit."""
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen()
        hung.settimeout(60)
        url = f"http://127.0.0.1:{hung.getsockname()[1]}"
        process = subprocess.Popen(
            [sys.executable, "-m", "pulumi_taxonomy", *args],
            env=env(url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        try:
            connection, _ = hung.accept()  # the command is now waiting for an answer
            with connection:
                connection.settimeout(60)
                connection.recv(4096)  # its request has been sent
                _wait_until_blocked(process.pid)
                signalled = time.monotonic()
                process.send_signal(signal.SIGINT)
                _, stderr = process.communicate(timeout=60)
                return process.returncode, stderr, time.monotonic() - signalled
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
