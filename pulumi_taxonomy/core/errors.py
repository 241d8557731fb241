"""Errors that reach people: each says which resource, which vendor call, what the
vendor answered, and what to do."""

from __future__ import annotations


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


class Redirected(VendorError):
    """A 3xx answer: the request reached something other than the vendor's API (a
    wrong scheme or path, a proxy), so nothing was done. Never a success."""


class DeadlineExceeded(TaxonomyError):
    """The command's overall deadline (`--timeout`) passed before a vendor call ended."""


class AmbiguousWrite(TaxonomyError):
    """A write was sent but its answer was lost: it may or may not have taken effect.

    Never resend it blindly; read back to learn what happened.
    """

    def __init__(self, call: str, cause: Exception) -> None:
        self.call = call
        super().__init__(f"{call}: the connection failed after the request was sent ({cause!r})")


class ResourceError(TaxonomyError):
    """An operation on one resource failed; wraps the cause with the resource's name."""

    def __init__(self, resource: str, operation: str, cause: Exception, hint: str = "") -> None:
        self.resource = resource
        self.operation = operation
        self.cause = cause
        text = f"{resource}: {operation} failed: {cause}"
        if hint:
            text += f"\nWhat to do: {hint}"
        super().__init__(text)


def common_error(call: str, status: int, message: str) -> VendorError | None:
    """What every vendor means by 401/403 and 429; None for the vendor to classify."""
    if status in (401, 403):
        return AuthError(call, status, message)
    if status == 429:
        return RateLimited(call, status, message)
    return None
