"""Run a whole Pulumi program with no Pulumi CLI: under `pulumi.runtime.set_mocks`,
each dynamic resource the program declares is handed to the real provider server
through an `Engine`, so the program -> provider -> vendor path is the real one.

`run_program` behaves like `pulumi up` (or `pulumi preview` with `preview=True`):
it creates, updates or replaces what the program declares, reads what it looks up with
`X.get(...)` (operation "read", in a preview too, as the engine does), and deletes what
the stack holds but the program no longer declares (a `get` no longer made is discarded:
dropped without a Delete).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import runpy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pulumi
from pulumi.runtime import mocks, rpc

from pulumi_taxonomy.testing.engine import PROVIDER_KEY, Engine, Operation, unwrap_secrets

DYNAMIC = "pulumi-python:dynamic"
LOGGER = logging.getLogger(f"{__name__}.pulumi_log")
"""Where the program's `pulumi.log` calls go (the engine's diagnostics, under the CLI)."""
LOGGER.propagate = False
LOGGER.setLevel(logging.DEBUG)


@dataclass
class ProgramRun:
    """What one run did (or, in a preview, would do), by resource name."""

    operations: dict[str, Operation] = field(default_factory=dict)
    secret_inputs: dict[str, list[str]] = field(default_factory=dict)
    """By resource name: the inputs the program marked secret (the engine keeps them, and
    the outputs of the same names, encrypted in state)."""
    retained: list[str] = field(default_factory=list)
    """Resources deleted from the stack without a Delete call (`retain_on_delete`)."""
    logs: list[tuple[str, str]] = field(default_factory=list)
    """What the program logged with `pulumi.log` (level, message), as the CLI would show."""

    def count(self, operation: Operation) -> int:
        return sum(1 for op in self.operations.values() if op == operation)

    @property
    def changes(self) -> dict[str, Operation]:
        return {name: op for name, op in self.operations.items() if op != "same"}


class DuplicateUrn(RuntimeError):
    """Two resources of one type with the same name in one program (the engine refuses it)."""


class _ForwardingMocks(mocks.Mocks):
    def __init__(self, engine: Engine, preview: bool, run: ProgramRun) -> None:
        self.engine = engine
        self.preview = preview
        self.run = run
        self.seen: set[str] = set()
        self.retain: dict[tuple[str, str], bool] = {}
        """`retainOnDelete` by (type, name): the mock monitor does not pass options on."""
        self.reads: set[tuple[str, str]] = set()
        """(type, name) of the resources the program reads with `get` (a ReadResource)."""
        self._lock = threading.Lock()

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.typ.startswith(DYNAMIC):
            return f"{args.name}-id", dict(args.inputs)
        secret = [k for k, v in args.inputs.items() if rpc.is_rpc_secret(v)]
        if secret:
            self.run.secret_inputs[args.name] = secret
        inputs = unwrap_secrets(dict(args.inputs))
        provider = inputs.pop(PROVIDER_KEY)
        urn = self.engine.urn(args.typ, args.name)
        with self._lock:
            if urn in self.seen:
                # The engine's own refusal, before any provider call for the second one.
                raise DuplicateUrn(f"Duplicate resource URN '{urn}'; try giving it a unique name")
            self.seen.add(urn)
        if (args.typ, args.name) in self.reads:
            # The engine's read step runs in previews too, unless the id is not known yet:
            # then it reads nothing, and every output is unknown.
            if not args.resource_id or args.resource_id == rpc.UNKNOWN:
                self.run.operations[args.name] = "read"
                return None, {}
            read = self.engine.get(
                args.name, provider, str(args.resource_id), inputs, type_name=args.typ, preview=self.preview
            )
            self.run.operations[args.name] = "read"
            return read.id, _public(read.outputs)
        if self.preview:
            plan = self.engine.preview(args.name, provider, inputs, type_name=args.typ)
            self.run.operations[args.name] = plan.operation
            existing = self.engine.resources.get(urn)
            return (existing.id, _public(existing.outputs)) if existing else (None, inputs)
        retain = self.retain.get((args.typ, args.name), False)
        operation, resource = self.engine.up(
            args.name, provider, inputs, type_name=args.typ, retain_on_delete=retain
        )
        self.run.operations[args.name] = operation
        return resource.id, _public(resource.outputs)

    def call(self, args: mocks.MockCallArgs) -> Any:
        return {}


class _OptionsMonitor(mocks.MockMonitor):
    """The SDK's mock monitor, keeping the resource options the engine acts on."""

    def __init__(self, forwarding: _ForwardingMocks) -> None:
        super().__init__(forwarding)
        self.forwarding = forwarding

    def RegisterResource(self, request: Any) -> Any:
        self.forwarding.retain[(request.type, request.name)] = bool(request.retainOnDelete)
        return super().RegisterResource(request)  # type: ignore[no-untyped-call]

    def ReadResource(self, request: Any) -> Any:
        self.forwarding.reads.add((request.type, request.name))
        return super().ReadResource(request)  # type: ignore[no-untyped-call]


class _Logs(logging.Handler):
    def __init__(self, run: ProgramRun) -> None:
        super().__init__()
        self.run = run

    def emit(self, record: logging.LogRecord) -> None:
        self.run.logs.append((record.levelname.lower(), record.getMessage()))


def _public(outputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in outputs.items() if k != PROVIDER_KEY}


def _retrieve_failures() -> None:
    """After a failed program: the SDK failed every output of the resource that failed (and
    of what depends on it) with the error, and nothing awaits them, so each would log
    "exception was never retrieved" whenever it is collected, later and anywhere (Python
    3.11 can then fail inside `ast.parse`). The error reaches the caller: mark them read."""
    for obj in gc.get_objects():
        if isinstance(obj, asyncio.Future) and obj.done() and not obj.cancelled():
            obj.exception()


def run_program(
    program: Callable[[], object] | str | Path, engine: Engine, *, preview: bool = False
) -> ProgramRun:
    """Run `program` (a function, or the path of a program's `__main__.py`) as
    `pulumi up` would, or `pulumi preview` with `preview=True`."""
    run = ProgramRun()
    forwarding = _ForwardingMocks(engine, preview, run)
    logs = _Logs(run)
    LOGGER.addHandler(logs)
    pulumi.runtime.set_mocks(
        forwarding,
        project=engine.project,
        stack=engine.stack,
        preview=preview,
        logger=LOGGER,
        monitor=_OptionsMonitor(forwarding),
    )

    def body() -> None:
        if callable(program):
            program()
        else:
            runpy.run_path(str(program), run_name="__main__")

    # The SDK's own helper runs the program and waits for every registration.
    run_to_completion = cast(Callable[[Callable[[], None]], Callable[[], None]], pulumi.runtime.test)
    try:
        run_to_completion(body)()
    except BaseException:
        _retrieve_failures()
        raise
    finally:
        LOGGER.removeHandler(logs)
    gone = [urn for urn in engine.resources if urn not in forwarding.seen]
    for urn in reversed(gone):  # the newest first, as dependents were created last
        name = urn.rsplit("::", 1)[-1]
        run.operations[name] = "discard" if engine.resources[urn].external else "delete"
        if engine.resources[urn].retain_on_delete:
            run.retained.append(name)
        if not preview:
            engine.destroy(urn)
    return run
