"""The base of every resource provider: pydantic inputs checked before any API call,
explicit diffs, full outputs, adoption, and errors written for people.

A vendor resource subclasses `TaxonomyProvider`, names its input model, the fields
whose change replaces the object, and implements `create_remote`, `read_remote`,
`update_remote` and `delete_remote` on typed inputs. Outputs always hold every input
field as the vendor has it now (so a refresh shows drift in the next diff) plus
read-only facts such as the vendor's id.

`Resource.get` is a Read too: the engine sends the props the program passed (never a
state), among them `GET_KEY`, which only a class's `get` sets. Such a read takes the
user's id apart (`identify`), reads the object as a refresh would (`lookup`), and fails
with a sentence for people when the vendor does not have it.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown
from pydantic import ValidationError

from pulumi_taxonomy.core.credentials import remember_stack_config
from pulumi_taxonomy.core.errors import (
    AmbiguousWrite,
    AuthError,
    Conflict,
    Headline,
    NotFound,
    RateLimited,
    ResourceError,
    TaxonomyError,
    VendorError,
    lead_with,
    one_line,
)
from pulumi_taxonomy.core.inputs import ResourceInputs, field_path

PROVIDER_KEY = "__provider"
GET_KEY = "__get"
"""Set by a resource class's `get` alone: the Read that follows looks up an object the
program does not manage, by the id the user gave, with the props the program passed."""


InputsT = TypeVar("InputsT", bound=ResourceInputs)
Outputs = dict[str, Any]


def is_unknown(value: Any) -> bool:
    """True for a value not known until apply (preview), however deeply nested."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_unknown(v) for v in value)
    return False


def without_nulls(value: Any) -> Any:
    """Nested mappings without their None entries: an unset key and a null are the same."""
    if isinstance(value, Mapping):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [without_nulls(v) for v in value]
    return value


def settle(write: Callable[[], object], landed: Callable[[], bool], attempts: int = 4) -> None:
    """Do `write`; when its answer is lost, look (`landed`) before writing again.

    A write is never resent blindly: only when reading back shows it did not happen.
    """
    for _ in range(attempts - 1):
        try:
            write()
            return
        except AmbiguousWrite:
            if landed():
                return
    write()


class TaxonomyProvider(ResourceProvider, Generic[InputsT]):
    """Pickled by reference into `__provider`: keep no state on instances."""

    serialize_as_secret_always = False  # it holds no secrets: credentials never live here

    kind: ClassVar[str] = "resource"
    inputs_model: ClassVar[type[ResourceInputs]]
    replace_on: ClassVar[frozenset[str]] = frozenset()
    delete_before_replace: ClassVar[bool] = False
    ignore_in_diff: ClassVar[frozenset[str]] = frozenset({"adopt"})
    computed: ClassVar[frozenset[str]] = frozenset()
    """Output-only fields: the resource class declares them (as None) so they become
    outputs; they are not inputs and `check` drops them."""

    # -- what a vendor resource implements ------------------------------------------

    def create_remote(self, inputs: InputsT) -> tuple[str, Outputs]:
        raise NotImplementedError

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        raise NotImplementedError

    def update_remote(self, id_: str, state: Outputs, inputs: InputsT) -> Outputs:
        raise NotImplementedError

    def delete_remote(self, id_: str, state: Outputs) -> None:
        raise NotImplementedError

    def identify(self, id_: str, props: Mapping[str, Any]) -> Outputs:
        """What the id a program gave `get` names (with the class's keyword arguments in
        `props`), in the shape of the state a refresh reads. Raises ValueError, before any
        request, when it cannot name exactly one object."""
        raise NotImplementedError

    def identified(self, id_: str, props: Mapping[str, Any]) -> Outputs:
        """`identify`, with a refusal in one line for people (ValueError)."""
        try:
            return self.identify(id_, props)
        except ValidationError as exc:
            raise ValueError(self._reasons(exc)) from None

    def lookup(self, id_: str, values: Outputs) -> Outputs | None:
        """The object `identify` named, read as a refresh reads it; None when the vendor
        does not have it."""
        return self.read_remote(id_, values)

    get_id: ClassVar[str] = "the object's id"
    """What `get` takes as its id, for the error a person reads when nothing has it."""

    def describe(self, values: Mapping[str, Any]) -> str:
        """How error messages name the object, e.g. `Amplitude event type "Sign Up"`."""
        return self.kind

    def hint(self, error: Exception, operation: str) -> str:
        """What to do about `error`; vendors add their own advice first."""
        if isinstance(error, AuthError):
            return "check the credentials (connection input, stack config or environment variables)."
        if isinstance(error, RateLimited):
            return "the vendor's rate limit was still exceeded after retrying; run the command again later."
        if isinstance(error, NotFound):
            if operation == "get":
                return f"nothing the id names exists at the vendor; `get` takes {self.get_id}."
            if operation == "create":
                return "something it refers to does not exist at the vendor; check the names and ids it uses."
            return "it no longer exists at the vendor; run `pulumi refresh` to bring the stack up to date."
        if isinstance(error, Conflict):
            return (
                "the vendor holds something that conflicts with this change; run `pulumi refresh` to see "
                "what it holds, or set adopt=True to take over an existing object."
            )
        if isinstance(error, VendorError) and error.status >= 500:
            return (
                "the vendor failed on its side, even after retrying; run the command again later (what "
                "was applied is kept in the stack's state)."
            )
        if isinstance(error, VendorError):
            return "the vendor refused the values sent; correct the inputs its answer names, then run again."
        if isinstance(error, AmbiguousWrite):
            return "the answer was lost in transit; run `pulumi refresh`, then the command again."
        if isinstance(error, ConnectionError):
            return "check the vendor's base URL setting and the network, then run the command again."
        return ""

    # -- the engine's protocol ------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        remember_stack_config(req.config)

    def parse(self, props: Mapping[str, Any]) -> InputsT:
        raw = {k: v for k, v in props.items() if k != PROVIDER_KEY and k in self.inputs_model.model_fields}
        return self.inputs_model.model_validate(raw)  # type: ignore[return-value]

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        raw = {k: v for k, v in news.items() if k != PROVIDER_KEY and k not in self.computed}
        unknown = {k for k, v in raw.items() if is_unknown(v)}
        # An input given as None means "not set": the field's default applies.
        known = {k: v for k, v in raw.items() if k not in unknown and v is not None}
        try:
            model = self.inputs_model.model_validate(known)
        except ValidationError as exc:
            failures = [
                CheckFailure(field_path(err["loc"]) or "inputs", self._reason(err))
                for err in exc.errors()
                if not err["loc"] or err["loc"][0] not in unknown
            ]
            return CheckResult(news, failures)
        # Without the unset (None) entries: the engine drops them anyway, and every one
        # costs the SDK time to serialize here and to read back in each later call.
        checked: dict[str, Any] = without_nulls(model.model_dump(mode="json"))
        checked.update({k: raw[k] for k in unknown})
        if PROVIDER_KEY in news:
            checked[PROVIDER_KEY] = news[PROVIDER_KEY]
        return CheckResult(checked, [])

    @classmethod
    def _reasons(cls, exc: ValidationError) -> str:
        """A validation error as one line: each field and the rule it breaks."""
        return "; ".join(f"{field_path(e['loc']) or 'id'}: {cls._reason(e)}" for e in exc.errors())

    @staticmethod
    def _reason(error: Any) -> str:
        # pydantic's message names the rule broken; the input value is left out on
        # purpose, since it may be a credential.
        message = str(error["msg"])
        return message.removeprefix("Value error, ")

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed: list[str] = []
        for field in self.inputs_model.model_fields:
            if field in self.ignore_in_diff:
                continue
            new = news.get(field)
            if is_unknown(new) or self.normalized(field, olds.get(field)) != self.normalized(field, new):
                changed.append(field)
        replaces = [f for f in changed if f in self.replace_on]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=self.deletes_first(replaces, olds, news) if replaces else None,
        )

    def deletes_first(self, replaces: list[str], olds: dict[str, Any], news: dict[str, Any]) -> bool:
        """Whether replacing (for the fields in `replaces`) deletes the old object before
        creating the new one: `delete_before_replace`, unless the provider decides by change."""
        return self.delete_before_replace

    def normalized(self, field: str, value: Any) -> Any:
        """Compare-equal form of a field's value (e.g. None and "" for text; nested
        objects without their unset keys)."""
        default = self.inputs_model.model_fields[field].get_default(call_default_factory=True)
        if value is None:
            value = default
        value = without_nulls(value)
        if isinstance(default, list | type(None)) and value in ([], "", None):
            return None
        if isinstance(value, list):
            return sorted(map(str, value)) if all(isinstance(v, str) for v in value) else value
        return value

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.parse(props)
        id_, outs = self._guard("create", props, lambda: self.create_remote(inputs))
        return CreateResult(id_, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if props.get(GET_KEY):
            return self._get(id_, props)
        outs = self._guard("refresh", props, lambda: self.read_remote(id_, dict(props)))
        if outs is None:
            return ReadResult(None, {})  # gone: the engine drops it from the stack
        return ReadResult(id_, outs)

    def _get(self, id_: str, props: Mapping[str, Any]) -> ReadResult:
        """`Resource.get`: the object the id names, or an error (a `get` of nothing fails
        the program). The id stays as given, whatever the engine's version does with a
        Read's id. What it returns is what a later refresh of it reads (no marker)."""
        given = {k: v for k, v in props.items() if k not in (PROVIDER_KEY, GET_KEY) and v is not None}
        try:
            values = {"connection": given.get("connection"), **self.identified(id_, given)}
        except ValueError as exc:
            error = ResourceError(
                f"{self.kind} {id_!r}", "get", exc, f"`get` takes {self.get_id}; nothing was requested."
            )
            lead_with(exc, error.headline)
            raise error from exc
        outs = self._guard("get", values, lambda: self.lookup(id_, values))
        if outs is None:
            error = ResourceError(
                self.describe(values),
                "get",
                LookupError(f"no such object under the id {id_!r}"),
                f"`get` takes {self.get_id}. Check it, and that the credentials reach the project "
                "(or workspace) that holds it.",
            )
            lead_with(error, error.headline)
            raise error
        return ReadResult(id_, outs)

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        inputs = self.parse(_news)
        outs = self._guard("update", _news, lambda: self.update_remote(_id, dict(_olds), inputs))
        return UpdateResult(outs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        self._guard("delete", _props, lambda: self.delete_remote(_id, dict(_props)))

    def _guard(self, operation: str, values: Mapping[str, Any], work: Any) -> Any:
        """Run `work`, so that whatever fails reaches the user as a sentence for people first:
        which object, which vendor call, what it answered, what to do (the traceback follows)."""
        try:
            return work()
        except ResourceError as exc:
            raise exc from _headline(exc)
        except (TaxonomyError, ConnectionError) as exc:
            error = ResourceError(self.describe(values), operation, exc, self.hint(exc, operation))
            raise error from _headline(error)
        except Exception as exc:
            headline = (
                f"{self.describe(values)}: {operation} failed unexpectedly ({type(exc).__name__}: {exc}). "
                "What to do: this is likely a bug in pulumi-taxonomy; please report it with the traceback "
                "below."
            )
            text = "".join(traceback.format_exception(exc))
            if len(text) <= MAX_TRACEBACK:
                lead_with(exc, headline)
                raise
            # Too long for the engine to receive: the end of the traceback, where it failed.
            shortened = UnexpectedFailure(f"{headline}\n...\n{text[-MAX_TRACEBACK // 2 :]}")
            raise shortened from Headline(one_line(headline))


MAX_TRACEBACK = 6000
"""The engine receives a failure as the provider server's traceback text, in gRPC
metadata, which it refuses past 8 KB ("metadata size exceeds soft limit"): the user
would then see that instead of the error."""


class UnexpectedFailure(Exception):
    """An unexpected exception whose traceback was too long to pass on whole."""


def _headline(error: ResourceError) -> Headline:
    """The sentence to raise `error` from, in place of the exceptions that led to it:
    its message already says what they said, and their frames (the HTTP library's, the
    retries') would only push the text past what the engine accepts (`MAX_TRACEBACK`)."""
    return Headline(error.headline)
