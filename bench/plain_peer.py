"""What a user writes instead of the provider: httpx, a thread pool, and exponential
backoff on 429 and 5xx. The peer of bench/budget.py, run on the same plan.

    python bench/plain_peer.py ROLE --base-url URL [--events 200] [--properties 3]
        [--prefix "Bench A"] [--workers 16] [--retries 5] [--backoff 1.0]

ROLE is one of apply (create every event, then its properties), update (change every
event's description), destroy (delete the properties, then the events), refresh and
drift (read the event list and each event's properties, as the provider's refresh and
`pulumi-taxonomy drift` do). Prints one JSON object: wall seconds, requests, 429s
seen, and the operations that failed after the last retry.
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import httpx

TAXONOMY = "/api/2/taxonomy"
AUTH = ("sandbox-api-key", "sandbox-secret-key")


class Peer:
    def __init__(self, base_url: str, workers: int, retries: int, backoff: float) -> None:
        self.client = httpx.Client(
            base_url=base_url + TAXONOMY,
            auth=AUTH,
            timeout=60,
            limits=httpx.Limits(max_connections=workers, max_keepalive_connections=workers),
        )
        self.workers = workers
        self.retries = retries
        self.backoff = backoff
        self.lock = threading.Lock()
        self.requests = 0
        self.refused = 0
        self.failures: list[str] = []

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """One request with up to `retries` retries: exponential backoff plus jitter."""
        for attempt in range(self.retries + 1):
            try:
                response = self.client.request(method, path, **kwargs)
            except httpx.TransportError:
                response = None
            with self.lock:
                self.requests += 1
                self.refused += response is not None and response.status_code == 429
            if response is not None and response.status_code < 500 and response.status_code != 429:
                return response
            if attempt < self.retries:
                time.sleep(self.backoff * 2**attempt + random.uniform(0, self.backoff))
        with self.lock:
            self.failures.append(f"{method} {path}")
        return None

    def each(self, work: Callable[[int], None], count: int) -> None:
        with ThreadPoolExecutor(self.workers) as pool:
            list(pool.map(work, range(count)))


def event_name(prefix: str, i: int) -> str:
    return f"{prefix} Event {i:03d}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("role", choices=["apply", "update", "destroy", "refresh", "drift"])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--properties", type=int, default=3)
    parser.add_argument("--prefix", default="Bench A")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--retries", type=int, default=5)
    parser.add_argument("--backoff", type=float, default=1.0)
    args = parser.parse_args()
    peer = Peer(args.base_url, args.workers, args.retries, args.backoff)

    def apply(i: int) -> None:
        name = event_name(args.prefix, i)
        peer.call("POST", "/event", data={"event_type": name, "description": f"Event number {i}."})
        for j in range(args.properties):
            form = {"event_property": f"prop_{j}", "event_type": name, "type": "string"}
            peer.call("POST", "/event-property", data={**form, "is_required": str(j == 0).lower()})

    def update(i: int) -> None:
        name = event_name(args.prefix, i)
        peer.call("PUT", f"/event/{quote(name, safe='')}", data={"description": f"Event {i}, edited."})

    def destroy(i: int) -> None:
        name = event_name(args.prefix, i)
        for j in range(args.properties):
            where = {"event_type": name}  # in the query (legacy page) and the body (current page)
            peer.call("DELETE", f"/event-property/prop_{j}", params=where, data=where)
        peer.call("DELETE", f"/event/{quote(name, safe='')}")

    def read(i: int) -> None:
        peer.call("GET", "/event-property", params={"event_type": event_name(args.prefix, i)})

    started = time.perf_counter()
    if args.role in ("refresh", "drift"):
        peer.call("GET", "/event")
        peer.each(read, args.events)
        if args.role == "drift":
            peer.call("GET", "/user-property")
    else:
        peer.each({"apply": apply, "update": update, "destroy": destroy}[args.role], args.events)
    print(
        json.dumps(
            {
                "role": args.role,
                "wall_seconds": round(time.perf_counter() - started, 2),
                "requests": peer.requests,
                "429s_seen": peer.refused,
                "failures": len(peer.failures),
            }
        )
    )


if __name__ == "__main__":
    main()
