"""Run the sandbox on a loopback port with uvicorn."""

from __future__ import annotations

import errno
import ipaddress
import signal
import socket
import sqlite3
import sys
from pathlib import Path

import uvicorn

from pulumi_taxonomy.sandbox.app import Sandbox
from pulumi_taxonomy.sandbox.config import SandboxConfig


class CannotServe(Exception):
    """The sandbox cannot start (address or database unusable); the message says why and
    what to do, on one line."""


def bind(host: str, port: int) -> socket.socket:
    """Bind first, so that `--port 0` can report the port the OS chose."""
    # IPv4 unless the host is an IPv6 address: `localhost` is then 127.0.0.1, as users expect.
    wanted = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        family, _, _, _, address = socket.getaddrinfo(
            host, port, wanted, socket.SOCK_STREAM, socket.IPPROTO_TCP, socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise CannotServe(
            f"cannot listen on --host {host}: the name does not resolve ({exc}); "
            "give an IP address such as 127.0.0.1"
        ) from exc
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on connections whose socket
    # says so, and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise CannotServe(f"cannot listen on {host}:{port}: {_why_not(exc)}") from exc
    sock.set_inheritable(True)
    return sock


def _why_not(error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return "the port is in use (another sandbox?); choose another --port, or --port 0 for a free one"
    if error.errno == errno.EADDRNOTAVAIL:
        return "the address is not one of this machine's; use --host 127.0.0.1"
    if error.errno == errno.EACCES:
        return "permission denied (ports below 1024 need privileges); choose another --port"
    return f"{error.strerror or error}"


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(config: SandboxConfig) -> None:
    """Serve until SIGINT/SIGTERM; uvicorn then finishes in-flight requests and the
    app's shutdown closes the store."""
    sock = bind(config.host, config.port)
    try:
        if config.db != ":memory:":
            Path(config.db).parent.mkdir(parents=True, exist_ok=True)
        sandbox = Sandbox(config)
    except (sqlite3.Error, OSError) as exc:
        sock.close()
        reason = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) and exc.filename else exc
        raise CannotServe(
            f"cannot use --db {config.db} ({reason}); give a sandbox database file, a new path, or :memory:"
        ) from exc
    listening, port = sock.getsockname()[:2]
    sandbox.listening_on(listening, port)
    if not is_loopback(listening):
        print(
            f"warning: the sandbox listens on {listening}: other machines can reach it and change its "
            "state; use --host 127.0.0.1 unless you mean to share it",
            file=sys.stderr,
            flush=True,
        )
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
