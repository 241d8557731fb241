"""Reading request parameters the way the vendors accept them.

Form-based APIs: parameters may come in the query string or in an
`application/x-www-form-urlencoded` body (even on GET and DELETE); the body wins when
both carry one. Names in paths are read from the raw path so that encoded characters
(`%2F`, `%3A`) survive routing. JSON APIs: `parse_json` reads strict JSON only.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request

FORM_TYPE = "application/x-www-form-urlencoded"

MAX_JSON_DEPTH = 64
"""[I] No vendor documents a nesting limit; 64 levels of arrays and objects hold any
real tracking plan several times over, and deeper documents are refused (400) instead
of exhausting the parser's recursion."""


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


def parse_json(raw: bytes) -> Any:
    """A JSON body as Python values; `FormError` for anything but strict JSON: invalid
    UTF-8, NaN or Infinity, numbers too large for a double, lone UTF-16 surrogates
    (`"\\ud800"`, not text), or nesting deeper than `MAX_JSON_DEPTH`."""
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_not_json, parse_float=_finite)
    except RecursionError:
        raise FormError(f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
        raise FormError(f"The body is not valid JSON: {exc}") from None
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise FormError(f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels")
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                _text(key)
                pending.append((child, depth + 1))
        else:
            _text(item)
    return value


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _finite(number: str) -> float:
    value = float(number)
    if not math.isfinite(value):
        raise ValueError(f"{number} is beyond the range of a number")
    return value


def _text(value: Any) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise FormError("The JSON body holds a lone UTF-16 surrogate, which is not text") from None
