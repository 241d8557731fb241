"""Who may use `/_sandbox/*`: nothing that a web page open in the user's browser can send.

Any page can make the browser send simple requests (form posts, plain GETs) to
127.0.0.1, and a page whose name is rebound to 127.0.0.1 (DNS rebinding) can even
read the answers. So an introspection request must
- say `Content-Type: application/json`: cross-site, a browser sends that only after a
  CORS preflight, which the sandbox never grants;
- name the sandbox's own address in `Host`: a rebound page's requests carry its own name;
- carry no `Origin` but the sandbox's own: browsers add it to cross-site requests.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from starlette.datastructures import Headers

PREFIX = "/_sandbox"
JSON_TYPE = "application/json"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class IntrospectionGuard:
    """Decides whether a request to `/_sandbox/*` comes from a program, not a web page."""

    def __init__(self, host: str, port: int) -> None:
        """`host` and `port` as configured; `listening_on` adds the address actually bound."""
        self.names: set[str] = set()
        self.any_address = False
        """Listening on 0.0.0.0 or ::, it may be reached at any of the machine's addresses."""
        self.port = port
        self.listening_on(host, port)

    def listening_on(self, host: str, port: int) -> None:
        """Accept `host` (a name, or the address bound), and only `port` from now on."""
        name = host.strip("[]").lower()
        address = ipaddress.ip_address(name) if _is_ip(name) else None
        self.port = port
        self.names.add(name)
        self.any_address |= address is not None and address.is_unspecified
        if self.any_address or name in LOOPBACK_NAMES or (address is not None and address.is_loopback):
            self.names |= LOOPBACK_NAMES

    @staticmethod
    def guards(path: str) -> bool:
        return path == PREFIX or path.startswith(PREFIX + "/")

    def refusal(self, headers: Headers) -> tuple[int, str] | None:
        """(status, message) when the request must be refused, else None."""
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON_TYPE:
            return 415, (
                f"{PREFIX}/* accepts only requests with Content-Type: {JSON_TYPE} "
                "(so that a web page cannot send them); add that header"
            )
        host = headers.get("host", "")
        if not self._ours("http://" + host):
            return 403, f"Host {host!r} is not this sandbox's address; use the URL it printed"
        origin = headers.get("origin")
        if origin is not None and not self._ours(origin):
            return 403, f"Requests from the web page {origin!r} may not use {PREFIX}/*"
        return None

    def _ours(self, url: str) -> bool:
        """Whether `url` (an origin, or a Host made one) names this sandbox."""
        try:
            parts = urlsplit(url)
            port = parts.port or 80
        except ValueError:  # a port that is not a number
            return False
        name = parts.hostname
        if parts.scheme != "http" or name is None or port != self.port:
            return False
        return name in self.names or (self.any_address and _is_ip(name))


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
