"""Drive dynamic providers exactly as the Pulumi engine does, without the Pulumi CLI.

`ProviderServer` starts `python -u -m pulumi.dynamic` (the server the engine runs
for every dynamic resource), reads its port, and speaks the gRPC `ResourceProvider`
protocol with the SDK's own stubs. `Engine` keeps a stack's state and walks a
resource through check, diff, create/update/replace, refresh and delete as
`pulumi preview`, `pulumi up`, `pulumi refresh` and `pulumi destroy` would, and reads
an object that `Resource.get` names as the engine's read step does.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROVIDER_KEY = "__provider"
Operation = Literal["create", "update", "replace", "same", "delete", "read", "discard"]
"""As the CLI names its steps: "read" is a `get`, "discard" drops one from the stack."""


class ProviderFailed(RuntimeError):
    """The provider answered an error; `text` is what the engine would show the user."""

    def __init__(self, method: str, code: grpc.StatusCode, text: str) -> None:
        super().__init__(f"{method} failed ({code.name}): {text}")
        self.method = method
        self.code = code
        self.text = text


class ObjectMissing(RuntimeError):
    """The engine's own error when a provider's Read for `Resource.get` answers no object."""

    def __init__(self, id_: str) -> None:
        super().__init__(f"resource '{id_}' does not exist")
        self.id = id_


class CheckFailed(RuntimeError):
    """Check refused the inputs; `failures` lists (property, reason) as the engine shows them."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{prop}: {reason}" for prop, reason in failures))
        self.failures = failures


def _run(coro: Any) -> Any:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Serialize as the engine does (unknowns become the engine's sentinel)."""
    result: struct_pb2.Struct = _run(rpc.serialize_properties(dict(props), {}))
    return result


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct, keep_unknowns=True))


def unwrap_secrets(value: Any) -> Any:
    """The engine strips secret markers before calling a provider that does not accept them."""
    value = rpc.unwrap_rpc_secret(value)
    if isinstance(value, Mapping):
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


class ProviderServer:
    """`python -m pulumi.dynamic` started as the engine starts it (the package on its
    `PYTHONPATH`, `env` added to its environment), spoken to over gRPC with the SDK's
    stubs: one method per call of the provider protocol."""

    def __init__(
        self,
        project: str = "project",
        env: Mapping[str, str] | None = None,
        start_timeout: float = 60.0,
        call_timeout: float = 600.0,
    ) -> None:
        self.project = project
        self.call_timeout = call_timeout
        package_root = str(Path(__file__).resolve().parents[2])
        child_env = {**os.environ, **(env or {}), "PULUMI_PROJECT": project}
        child_env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, child_env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=child_env,
            text=True,
        )
        self._output: list[str] = []
        self.port = self._await_port(start_timeout)
        threading.Thread(target=self._drain, args=(self.process.stdout,), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True).start()
        # Whole tracking plans travel as one resource: allow messages as large as the engine does.
        self.channel = grpc.insecure_channel(
            f"127.0.0.1:{self.port}",
            options=[("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)],
        )
        grpc.channel_ready_future(self.channel).result(timeout=start_timeout)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def _await_port(self, timeout: float) -> int:
        line: list[str] = []
        done = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None
            line.append(self.process.stdout.readline())
            done.set()

        threading.Thread(target=read, daemon=True).start()
        if not done.wait(timeout) or not line[0].strip().isdigit():
            self.stop()
            raise RuntimeError(f"provider server did not start: {line!r} {self.output[-2000:]}")
        return int(line[0])

    def _drain(self, stream: Any) -> None:
        for text in stream:
            self._output.append(text)

    @property
    def output(self) -> str:
        """What the server printed (the engine shows it as diagnostics)."""
        return "".join(self._output)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def kill(self) -> None:
        """Die as a crashed provider would: no cleanup."""
        self.process.kill()
        self.process.wait(10)

    def __enter__(self) -> ProviderServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the gRPC methods the engine calls --------------------------------------------

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=self.call_timeout)
        except grpc.RpcError as exc:
            raise ProviderFailed(method, exc.code(), exc.details() or "") from None

    def configure(self, config: Mapping[str, Any]) -> None:
        """Stack config, keys as the user writes them (`amplitudeApiKey`), namespaced here."""
        namespaced = {k if ":" in k else f"{self.project}:{k}": v for k, v in config.items()}
        self._call("Configure", provider_pb2.ConfigureRequest(args=to_struct(namespaced)))

    def check(
        self, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        response = self._call(
            "Check", provider_pb2.CheckRequest(urn=urn, olds=to_struct(olds), news=to_struct(news))
        )
        return from_struct(response.inputs), [(f.property, f.reason) for f in response.failures]

    def diff(
        self, id_: str, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> provider_pb2.DiffResponse:
        request = provider_pb2.DiffRequest(id=id_, urn=urn, olds=to_struct(olds), news=to_struct(news))
        response: provider_pb2.DiffResponse = self._call("Diff", request)
        return response

    def create(self, urn: str, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._call("Create", provider_pb2.CreateRequest(urn=urn, properties=to_struct(props)))
        return response.id, from_struct(response.properties)

    def read(
        self, id_: str, urn: str, props: Mapping[str, Any], inputs: Mapping[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Refresh sends the state as `props` (and the inputs); a `get` sends the program's
        props as both."""
        request = provider_pb2.ReadRequest(
            id=id_,
            urn=urn,
            properties=to_struct(props),
            inputs=to_struct(inputs) if inputs is not None else None,
        )
        response = self._call("Read", request)
        return response.id, from_struct(response.properties)

    def update(self, id_: str, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        request = provider_pb2.UpdateRequest(id=id_, urn=urn, olds=to_struct(olds), news=to_struct(news))
        return from_struct(self._call("Update", request).properties)

    def delete(self, id_: str, urn: str, props: Mapping[str, Any]) -> None:
        self._call("Delete", provider_pb2.DeleteRequest(id=id_, urn=urn, properties=to_struct(props)))


@dataclass
class StackResource:
    urn: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    retain_on_delete: bool = False
    """As the last registration set it: the engine then drops the resource from the stack
    without calling the provider's Delete (on removal, replacement and destroy alike)."""
    external: bool = False
    """Read by `Resource.get`: not managed, so never updated or deleted by the engine."""


@dataclass
class Plan:
    """What a preview says it would do for one resource."""

    operation: Operation
    changed: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)


class Engine:
    """A stack's state and the engine's walk through a resource's lifecycle.

    Like the Pulumi CLI, it runs each command against a provider server: call
    `new_command()` between what would be separate `pulumi` invocations, so that
    nothing cached in the provider process outlives a command.
    """

    def __init__(
        self,
        project: str = "project",
        stack: str = "dev",
        env: Mapping[str, str] | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self.project = project
        self.stack = stack
        self.env = dict(env or {})
        self.config = dict(config or {})
        self.resources: dict[str, StackResource] = {}
        self._lock = threading.Lock()
        self.server = self._start()

    def _start(self) -> ProviderServer:
        server = ProviderServer(self.project, self.env)
        server.configure(self.config)
        return server

    def new_command(self) -> None:
        """End the current `pulumi` command's provider process and start the next one's."""
        self.server.stop()
        self.server = self._start()

    def close(self) -> None:
        self.server.stop()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def urn(self, type_name: str, name: str) -> str:
        return f"urn:pulumi:{self.stack}::{self.project}::{type_name}::{name}"

    @staticmethod
    def type_name(provider: ResourceProvider) -> str:
        return f"pulumi-python:dynamic:{type(provider).__name__}"

    def _news(self, provider: ResourceProvider | str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        serialized = provider if isinstance(provider, str) else serialize_provider(provider)
        return {**unwrap_secrets(dict(inputs)), PROVIDER_KEY: serialized}

    def _checked(self, urn: str, news: dict[str, Any]) -> dict[str, Any]:
        existing = self.resources.get(urn)
        checked, failures = self.server.check(urn, existing.inputs if existing else {}, news)
        if failures:
            raise CheckFailed(failures)
        return checked

    def preview(
        self,
        name: str,
        provider: ResourceProvider | str,
        inputs: Mapping[str, Any],
        type_name: str | None = None,
    ) -> Plan:
        """`pulumi preview`: check and diff only (inputs may hold `pulumi.output.Unknown`)."""
        urn = self.urn(type_name or self.type_name(_as_provider(provider)), name)
        checked = self._checked(urn, self._news(provider, inputs))
        existing = self.resources.get(urn)
        if existing is None:
            return Plan("create")
        diff = self.server.diff(existing.id, urn, existing.outputs, checked)
        if diff.changes != provider_pb2.DiffResponse.DIFF_SOME:
            return Plan("same")
        return Plan("replace" if diff.replaces else "update", list(diff.diffs), list(diff.replaces))

    def up(
        self,
        name: str,
        provider: ResourceProvider | str,
        inputs: Mapping[str, Any],
        type_name: str | None = None,
        retain_on_delete: bool = False,
    ) -> tuple[Operation, StackResource]:
        """`pulumi up` for one resource."""
        urn = self.urn(type_name or self.type_name(_as_provider(provider)), name)
        news = self._news(provider, inputs)
        checked = self._checked(urn, news)
        existing = self.resources.get(urn)
        if existing is not None and existing.external:
            existing = None  # read before, managed now: created, and the read one just dropped
        retain = retain_on_delete
        if existing is None:
            id_, outs = self.server.create(urn, checked)
            return "create", self._store(StackResource(urn, id_, checked, outs, retain))
        diff = self.server.diff(existing.id, urn, existing.outputs, checked)
        if diff.changes != provider_pb2.DiffResponse.DIFF_SOME:
            existing.inputs = checked
            existing.retain_on_delete = retain
            return "same", existing
        if diff.replaces:
            if diff.deleteBeforeReplace:
                self._delete(existing)
                id_, outs = self.server.create(urn, checked)
            else:
                id_, outs = self.server.create(urn, checked)
                self._delete(existing)
            return "replace", self._store(StackResource(urn, id_, checked, outs, retain))
        outs = self.server.update(existing.id, urn, existing.outputs, checked)
        return "update", self._store(StackResource(urn, existing.id, checked, outs, retain))

    def _delete(self, existing: StackResource) -> None:
        # The engine's DeleteStep skips the provider for both.
        if not (existing.retain_on_delete or existing.external):
            self.server.delete(existing.id, existing.urn, existing.outputs)

    def get(
        self,
        name: str,
        provider: ResourceProvider | str,
        id_: str,
        props: Mapping[str, Any],
        type_name: str | None = None,
        preview: bool = False,
    ) -> StackResource:
        """`Resource.get` (in `pulumi up`, and in `pulumi preview` with `preview=True`): the
        engine's read step sends a Read whose inputs and state are both the program's props,
        with no Check and no Diff; it fails when the provider answers no object. `up` keeps
        the object in the stack as external: dropped, never deleted, when the program stops
        reading it; a preview keeps nothing."""
        urn = self.urn(type_name or self.type_name(_as_provider(provider)), name)
        props = self._news(provider, props)
        read_id, outs = self.server.read(id_, urn, props, inputs=props)
        if not read_id:
            raise ObjectMissing(id_)
        read = StackResource(urn, read_id, props, outs, external=True)
        return read if preview else self._store(read)

    def refresh(self, urn: str) -> StackResource | None:
        """`pulumi refresh` for one resource: None when it is gone (and dropped)."""
        existing = self.resources[urn]
        id_, outs = self.server.read(existing.id, urn, existing.outputs)
        with self._lock:
            if not id_:
                del self.resources[urn]
                return None
            existing.outputs = outs
            return existing

    def destroy(self, urn: str) -> None:
        """`pulumi destroy` of one resource (Delete, unless it is retained on delete)."""
        existing = self.resources[urn]
        self._delete(existing)
        with self._lock:
            del self.resources[urn]

    def _store(self, resource: StackResource) -> StackResource:
        with self._lock:
            self.resources[resource.urn] = resource
        return resource


def _as_provider(provider: ResourceProvider | str) -> ResourceProvider:
    if isinstance(provider, str):
        raise TypeError("pass type_name when the provider is already serialized")
    return provider
