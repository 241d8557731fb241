"""Start a real `pulumi-taxonomy sandbox` process on a free loopback port, and stop it.

The process is always stopped, even when the block using it fails, and every wait
is bounded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

LISTENING = "Sandbox listening on "


class SandboxError(RuntimeError):
    pass


def introspect(url: str, method: str, path: str, body: Any = None, timeout: float = 60.0) -> Any:
    """Call the sandbox's own endpoint `/_sandbox/<path>` at `url` and return its JSON
    answer. Those endpoints take only JSON requests (so that no web page can use them):
    the request says `Content-Type: application/json`, whatever its method."""
    response = httpx.request(
        method,
        f"{url}/_sandbox/{path.lstrip('/')}",
        json=body,
        headers={"content-type": "application/json"},
        timeout=timeout,
    )
    response.raise_for_status()
    return response.json()


class SandboxProcess:
    """A sandbox (`pulumi-taxonomy sandbox --port 0 ARGS`) running as a child process;
    `url` is where it listens. Prefer `running_sandbox`, which always stops it."""

    def __init__(self, args: list[str], start_timeout: float = 30.0) -> None:
        self.args = args
        self._stderr: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pulumi_taxonomy", "sandbox", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.url = self._await_url(start_timeout)
        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.process.stdout,), daemon=True).start()

    def _await_url(self, timeout: float) -> str:
        lines: list[str] = []
        ready = threading.Event()

        def read_first_line() -> None:
            assert self.process.stdout is not None
            lines.append(self.process.stdout.readline())
            ready.set()

        threading.Thread(target=read_first_line, daemon=True).start()
        if not ready.wait(timeout) or not lines[0].startswith(LISTENING):
            self.stop()
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise SandboxError(f"sandbox did not start within {timeout}s: {lines!r} {stderr[-2000:]}")
        return lines[0][len(LISTENING) :].strip()

    def _drain(self, stream: Any) -> None:
        for line in stream:
            self._stderr.append(line)

    @property
    def output(self) -> str:
        """What the process printed after its first line (stdout and stderr mixed)."""
        return "".join(self._stderr)

    def introspect(self, method: str, path: str, body: Any = None) -> Any:
        """`introspect` this sandbox: `sandbox.introspect("GET", "stitch/tables")`."""
        return introspect(self.url, method, path, body)

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.introspect("GET", "stats")
        return result

    def reset(self, seed: str | None = None) -> None:
        self.introspect("POST", "reset", {} if seed is None else {"seed": seed})

    def set_faults(self, faults: str, seed: int | None = None) -> None:
        """Inject faults from now on (`""` for none), like `--faults` at start."""
        self.introspect("POST", "faults", {"faults": faults, "seed": seed})

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Stop the process (SIGTERM, then SIGKILL after `timeout`); returns its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        return self.process.returncode

    def wait_stopped(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return self.process.returncode
            time.sleep(0.05)
        return None


@contextmanager
def running_sandbox(*args: str, start_timeout: float = 30.0) -> Iterator[SandboxProcess]:
    """`with running_sandbox("--seed", "demo") as sandbox: ...` then `sandbox.url`."""
    sandbox = SandboxProcess(list(args), start_timeout)
    try:
        yield sandbox
    finally:
        sandbox.stop()
