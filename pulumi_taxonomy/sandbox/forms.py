"""Reading request parameters the way form-based vendor APIs accept them.

Parameters may come in the query string or in an `application/x-www-form-urlencoded`
body (even on GET and DELETE); the body wins when both carry one. Names in paths are
read from the raw path so that encoded characters (`%2F`, `%3A`) survive routing.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote

from starlette.requests import Request

FORM_TYPE = "application/x-www-form-urlencoded"


class FormError(ValueError):
    """The request's parameters cannot be read; the vendor answers 400."""


async def read_params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    params.update(await read_form(request))
    return params


async def read_form(request: Request) -> dict[str, str]:
    """The parameters of the form body alone (none when there is no body)."""
    body = await request.body()
    if not body:
        return {}
    content_type = request.headers.get("content-type", FORM_TYPE).split(";")[0].strip().lower()
    if content_type not in (FORM_TYPE, ""):
        raise FormError(f"Unsupported Content-Type {content_type!r}: send {FORM_TYPE}")
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormError(f"Malformed form body: {exc}") from None
    return dict(pairs)


def path_name(request: Request, prefix: str, suffix: str = "") -> str:
    """The name segment after `prefix` (and before `suffix`), percent-decoded once."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    name = path[len(prefix) :] if path.startswith(prefix) else request.url.path[len(prefix) :]
    if suffix and name.endswith(suffix):
        name = name[: -len(suffix)]
    try:
        return unquote(name, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise FormError("Path is not valid UTF-8 once decoded") from None


def split_list(value: str) -> list[str]:
    """`red, yellow, blue` -> ["red", "yellow", "blue"]."""
    return [item.strip() for item in value.split(",") if item.strip()]
