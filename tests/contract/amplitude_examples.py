"""What the Amplitude contract tests share: the reference page's own credentials and a
comparison of one recorded request with one of the page's examples.

REFERENCE is `shared/reference/amplitude-taxonomy-api.txt` (the current page; it wins),
LEGACY is `amplitude-taxonomy-api-legacy.txt`. Each test names the lines it follows.
"""

from __future__ import annotations

from collections.abc import Mapping

from pulumi_taxonomy.amplitude.client import AmplitudeClient, client_for
from tests.contract.recording import Sent

REFERENCE = "amplitude-taxonomy-api.txt"
LEGACY = "amplitude-taxonomy-api-legacy.txt"
CONNECTION = {"api_key": "1234567800", "secret_key": "123456700"}
BASIC = "Basic MTIzNDU2NzgwMDoxMjM0NTY3MDA="
"""The page's example header: base64("1234567800:123456700")."""
FORM = "application/x-www-form-urlencoded"
OK = {"success": True}


def client() -> AmplitudeClient:
    """The client as a program builds it (its own factory), for the page's credentials."""
    return client_for(CONNECTION)


def assert_example(
    sent: Sent,
    method: str,
    raw_path: str,
    form: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
) -> None:
    """The request is the example's: method, host, path as sent (percent-encoding
    included), Basic auth with the page's credentials, and exactly these form fields
    (values compared decoded: a form body may spell a space `+` or `%20`) and query."""
    assert (sent.method, sent.host, sent.raw_path) == (method, "amplitude.com", raw_path)
    assert sent.auth_scheme == "Basic" and sent.headers["authorization"] == BASIC
    assert sent.form == dict(form or {})
    if form:
        assert sent.content_type == FORM
    assert sent.query == dict(query or {})
