"""Run the sandbox on a loopback port with uvicorn."""

from __future__ import annotations

import signal
import socket
import sys

import uvicorn

from pulumi_taxonomy.sandbox.app import Sandbox
from pulumi_taxonomy.sandbox.config import SandboxConfig


def bind(host: str, port: int) -> socket.socket:
    """Bind first, so that `--port 0` can report the port the OS chose."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on connections whose socket
    # says so, and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(config: SandboxConfig) -> None:
    """Serve until SIGINT/SIGTERM; uvicorn then finishes in-flight requests and the
    app's shutdown closes the store."""
    sandbox = Sandbox(config)
    sock = bind(config.host, config.port)
    server = uvicorn.Server(
        uvicorn.Config(
            sandbox.app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=5,
            # The sandbox answers one request per connection quickly; keep-alive
            # connections that idle longer than this are closed, as vendors do.
            timeout_keep_alive=30,
        )
    )

    # uvicorn handles SIGINT/SIGTERM itself once running (graceful shutdown) and
    # re-raises the signal afterwards. This handler covers a signal that arrives
    # before uvicorn installs its own, and turns the re-raise into a clean exit 0.
    def stop_requested(signum: int, frame: object) -> None:
        server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop_requested)
    # Connections that arrive before uvicorn starts wait in the listen backlog.
    print(f"Sandbox listening on {base_url(sock)}", flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        sys.stdout.flush()
