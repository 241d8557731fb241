"""A recording transport for contract tests of the vendor clients.

The client under test is built by its own factory (`client_for(...)`), so the auth,
base URL, headers and encoding are exactly what a user's `pulumi up` sends. Only the
socket is replaced: `httpx.HTTPTransport.handle_request` is patched to keep every
request as it would go on the wire and to answer it from a script. Nothing here
imitates a vendor: each test supplies the vendor's documented answer itself.
"""

from __future__ import annotations

import json as jsonlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest

from pulumi_taxonomy.core.http import Registry

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


@dataclass(frozen=True)
class Part:
    """One part of a multipart/form-data body."""

    name: str
    filename: str | None
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Sent:
    """A request exactly as the client sent it (after auth)."""

    method: str
    url: httpx.URL
    headers: httpx.Headers
    body: bytes

    @property
    def host(self) -> str:
        return self.url.host

    @property
    def raw_path(self) -> str:
        """The path as it went on the wire, percent-encoding included, without the query."""
        return self.url.raw_path.decode("ascii").split("?", 1)[0]

    @property
    def segments(self) -> list[str]:
        """The path's segments, each percent-decoded once (as a server reads them)."""
        return [unquote(s) for s in self.raw_path.split("/")[1:]]

    @property
    def query(self) -> dict[str, str]:
        return _pairs(parse_qsl(self.url.query.decode("ascii"), keep_blank_values=True), "query")

    @property
    def content_type(self) -> str:
        return str(self.headers.get("content-type", "")).split(";", 1)[0].strip().lower()

    @property
    def auth_scheme(self) -> str:
        return str(self.headers.get("authorization", "")).split(" ", 1)[0]

    @property
    def form(self) -> dict[str, str]:
        """The url-encoded form body (an empty body is an empty form)."""
        if not self.body:
            return {}
        assert self.content_type == "application/x-www-form-urlencoded", self.content_type
        text = self.body.decode("ascii")  # a form body is percent-encoded ASCII
        return _pairs(parse_qsl(text, keep_blank_values=True, strict_parsing=True), "form")

    def json(self) -> Any:
        assert self.content_type == "application/json", self.content_type
        return jsonlib.loads(self.body)

    def parts(self) -> dict[str, Part]:
        assert self.content_type == "multipart/form-data", self.content_type
        head = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode()
        message = BytesParser(policy=policy.HTTP).parsebytes(head + self.body)
        parts: dict[str, Part] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            assert isinstance(name, str) and name not in parts, name
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            parts[name] = Part(name, part.get_filename(), part.get_content_type(), payload)
        return parts


def _pairs(pairs: list[tuple[str, str]], where: str) -> dict[str, str]:
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), f"a {where} field is repeated: {keys}"
    return dict(pairs)


class Recorder:
    """Keeps what is sent; answers from the queue given with `answer` (in order)."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._answers: deque[Answer] = deque()

    def answer(
        self,
        status: int = 200,
        json: Any = None,
        *,
        text: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if text is not None:
            response = httpx.Response(status, text=text, headers=headers)
        elif json is not None:
            response = httpx.Response(status, json=json, headers=headers)
        else:
            response = httpx.Response(status, headers=headers)
        self._answers.append(response)

    def answer_with(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self._answers.append(answer)

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.sent.append(Sent(request.method, request.url, request.headers, body))
        if not self._answers:
            raise AssertionError(f"unexpected request: {request.method} {request.url}")
        answer = self._answers.popleft()
        response = answer(request) if callable(answer) else answer
        # A fresh response per request: the client reads and closes it.
        return httpx.Response(
            response.status_code, headers=response.headers, content=response.content, request=request
        )

    def only(self) -> Sent:
        assert len(self.sent) == 1, [f"{s.method} {s.url}" for s in self.sent]
        return self.sent[0]

    def unanswered(self) -> int:
        return len(self._answers)


FRESH_REGISTRIES = (
    "pulumi_taxonomy.amplitude.client._clients",
    "pulumi_taxonomy.amplitude.importer._clients",
    "pulumi_taxonomy.rudderstack.client._clients",
    "pulumi_taxonomy.stitch.client._clients",
)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    """Every request of this test goes to a `Recorder`; each client is built afresh
    (no cached reads or clients from other tests)."""
    recording = Recorder()

    def handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        return recording.handle(request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
    for target in FRESH_REGISTRIES:
        monkeypatch.setattr(target, Registry())
    monkeypatch.setattr("pulumi_taxonomy.core.http._clients", Registry())
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield recording
    assert recording.unanswered() == 0, "the client sent fewer requests than the test scripted"
