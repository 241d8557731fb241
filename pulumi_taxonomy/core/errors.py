"""Errors that reach people: each says which resource, which vendor call, what the
vendor answered, and what to do.

    TaxonomyError
     +-- ConfigurationError    settings missing or contradictory
     +-- VendorError           the vendor answered an error status
     |    +-- NotFound, Conflict, RateLimited, AuthError, ApiError
     +-- AmbiguousWrite        a write's answer was lost
     +-- ResourceError         one resource's operation failed (wraps any of the above)

`lead_with` puts a one-line `Headline` at the root of an exception's chain, so that
the first line of the traceback text the Pulumi engine shows is the message for people.
"""

from __future__ import annotations

import re


class TaxonomyError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigurationError(TaxonomyError):
    """Settings are missing or contradictory (credentials, region, URLs)."""


class VendorError(TaxonomyError):
    """A vendor answered with an error status."""

    def __init__(self, call: str, status: int, message: str, hint: str = "", retried: bool = False) -> None:
        self.call = call
        self.status = status
        self.vendor_message = message
        self.hint = hint
        self.retried = retried
        """The request was sent more than once (after a 429/5xx): an earlier attempt may
        have taken effect, so a conflict may be our own doing."""
        super().__init__(self._text())

    def _text(self) -> str:
        text = f"{self.call} answered {self.status}: {self.vendor_message}"
        return f"{text}. {self.hint}" if self.hint else text

    def add_hint(self, hint: str) -> None:
        """Append advice learnt after the answer (e.g. how long the retries waited)."""
        self.hint = f"{self.hint} {hint}".strip()
        self.args = (self._text(),)


class NotFound(VendorError):
    pass


class Conflict(VendorError):
    pass


class RateLimited(VendorError):
    pass


class AuthError(VendorError):
    pass


class ApiError(VendorError):
    """Any other error answer (4xx we cannot classify, 5xx after retries)."""


class Redirected(ApiError):
    """A 3xx answer: the request reached something other than the vendor's API (a
    wrong scheme or path, a proxy), so nothing was done. Never a success."""


class DeadlineExceeded(TaxonomyError):
    """The command's overall deadline (`--timeout`) passed before a vendor call ended."""


class AmbiguousWrite(TaxonomyError):
    """A write was sent but its answer was lost: it may or may not have taken effect.

    Never resend it blindly; read back to learn what happened.
    """

    def __init__(self, call: str, cause: Exception, attempts: int = 1) -> None:
        self.call = call
        self.attempts = attempts
        """Attempts that failed (more than one only for a request resent as safe)."""
        super().__init__(f"{call}: the connection failed after the request was sent ({cause!r})")


class ResourceError(TaxonomyError):
    """An operation on one resource failed; wraps the cause with the resource's name."""

    def __init__(self, resource: str, operation: str, cause: Exception, hint: str = "") -> None:
        self.resource = resource
        self.operation = operation
        self.cause = cause
        self.hint = hint
        text = f"{resource}: {operation} failed: {_bounded(str(cause))}"
        if hint:
            text += f"\nWhat to do: {hint}"
        super().__init__(text)

    @property
    def headline(self) -> str:
        """The whole message as one line of sentences."""
        text = one_line(f"{self.resource}: {self.operation} failed: {_bounded(str(self.cause))}")
        if not self.hint:
            return text
        return f"{text}{'' if text.endswith(('.', '!', '?')) else '.'} What to do: {one_line(self.hint)}"


class Headline(Exception):
    """The sentence a person reads first, at the root of an exception chain; never raised.

    The provider server answers a failure with Python's traceback text, which starts
    with the root of the chain, and an exception that was never raised prints as the
    single line `<type name>: <message>`. The type is named after the tool (and placed
    in `builtins`, so no module path precedes it): `pulumi-taxonomy: <message>`.
    """

    __module__ = "builtins"
    __qualname__ = "pulumi-taxonomy"


def lead_with(error: BaseException, text: str) -> None:
    """Make `text` the first line of `error`'s traceback: a `Headline` becomes the cause
    of the oldest exception in its chain (or an existing headline takes the new text)."""
    root, seen = error, {id(error)}
    while True:
        older = (
            root.__cause__
            if root.__cause__ is not None
            else (None if root.__suppress_context__ else root.__context__)
        )
        if older is None or id(older) in seen:
            break
        root = older
        seen.add(id(root))
    if isinstance(root, Headline):
        root.args = (one_line(text),)
    else:
        root.__cause__ = Headline(one_line(text))


MAX_CAUSE = 1500
"""A vendor's answer is quoted up to this many characters in an error (a failure must
stay short enough for the engine to pass on: see `core.provider.MAX_TRACEBACK`)."""


def _bounded(text: str) -> str:
    if len(text) <= MAX_CAUSE:
        return text
    return f"{text[:MAX_CAUSE]}... ({len(text) - MAX_CAUSE} more characters)"


def plural(count: int, word: str, words: str = "") -> str:
    """`1 event`, `2 events` (`words` for an irregular plural: `plural(n, "property", "properties")`)."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def one_line(text: str) -> str:
    """`text` with its line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Characters no report prints raw: the C0 and C1 controls and DEL (Unicode category Cc:
line breaks, ESC of terminal escape sequences) and the line and paragraph separators."""
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    """`text` with each control character written as its escape (`\\n`, `\\x1b`, `\\u2028`):
    a value from a plan or a vendor prints on the line it started on, so every line of a
    report starts with the report's own text (a CI runner reads `::command::` at the start
    of any line of a step's output) and no terminal or log viewer acts on an escape sequence."""
    return CONTROL.sub(_escaped, text)


def _escaped(found: re.Match[str]) -> str:
    char = found.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def common_error(call: str, status: int, message: str) -> VendorError | None:
    """What every vendor means by 401/403 and 429; None for the vendor to classify."""
    if status in (401, 403):
        return AuthError(call, status, message)
    if status == 429:
        return RateLimited(call, status, message)
    return None
