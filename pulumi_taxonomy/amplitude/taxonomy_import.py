"""A whole Amplitude tracking plan applied through Taxonomy Import: for each CSV file,
upload -> import branch -> publish (when the branch has a staging version) -> pull
request -> merge.

**Two files, one cycle each.** Amplitude documents two files (events with their
properties; user properties) and the upload takes one `csv` file per request. Each
non-empty file goes through the whole documented flow, merge included, before the
next one is uploaded: the reference says an upload goes "to a separate branch called
import", and does not say whether a second upload adds to that branch or replaces
it. Merging each file before uploading the next is correct under both readings, so
no vendor can lose the first file's changes.

**Only what changed** since the last apply is uploaded, so a re-apply of an unchanged
plan sends nothing. A changed event is sent whole (its row and all its property rows).
`Remove` rows drop events and user properties; the docs say `Remove` "doesn't affect
individual properties", so a property dropped from an event that stays is removed
from it through the REST Taxonomy API after the merge.

**The workspace is identified by its id**, recorded at the first import: a change of
`workspace` (or of the credentials) is an update that compares ids. The same project
(renamed in Amplitude) keeps its plan and gets only the changes; another project gets
the whole plan, and then the old project's plan is removed from the old one. A replace
would have created first and deleted after, and that delete would remove everything
the new resource had just imported whenever both names reach the same project.

If a step fails, what was not merged stays out of `main`, the error names the step,
and the next `pulumi up` uploads again.

`TaxonomyImport.get(name, workspace)` reads what `main` holds (as the REST Taxonomy API
lists it) into a plan, without managing it. The provider class's module path is a public
contract (pickled by reference).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, cast

import pulumi
from pulumi.dynamic import Resource
from pydantic_core import to_jsonable_python

from pulumi_taxonomy.amplitude.client import client_for
from pulumi_taxonomy.amplitude.import_models import TaxonomyImportInputs
from pulumi_taxonomy.amplitude.importcsv import (
    FILE_LABEL,
    CsvError,
    FileKind,
    ImportEvent,
    ImportFiles,
    ImportPlan,
    ImportProperty,
    ImportUserProperty,
    Removal,
    event_rows,
    read_plan,
    removal_row,
    user_property_row,
)
from pulumi_taxonomy.amplitude.importer import DataClient, Workspace, data_client_for, data_settings
from pulumi_taxonomy.amplitude.models import (
    USER_PREFIX,
    AmplitudeConnection,
    PropertyType,
)
from pulumi_taxonomy.core.errors import AmbiguousWrite, ApiError, NotFound, ResourceError, VendorError
from pulumi_taxonomy.core.http import Registry
from pulumi_taxonomy.core.provider import Outputs, TaxonomyProvider, settle, without_nulls
from pulumi_taxonomy.core.resource import get_resource, resource_options, resource_props


class Dropped(NamedTuple):
    """Something the plan dropped: an event, a user property, or a property of an event
    that stays (`kind` "property", `event` set)."""

    kind: str
    name: str
    event: str = ""

    def as_output(self) -> dict[str, str]:
        if self.kind == "property":
            return {"event": self.event, "property": self.name}
        return {self.kind: self.name}

    @classmethod
    def from_output(cls, value: Mapping[str, str]) -> Dropped:
        if "property" in value:
            return cls("property", value["property"], value.get("event", ""))
        kind = "event" if "event" in value else "user_property"
        return cls(kind, value[kind])


def plan_change(old: ImportPlan | None, new: ImportPlan, removed: Sequence[Dropped] = ()) -> ImportFiles:
    """The rows that turn `old` (None: nothing known) into `new`, with a `Remove` row for
    each event and user property in `removed`."""
    files = ImportFiles()
    old_events = {e.name: e for e in old.events} if old else {}
    for event in new.events:
        if old_events.get(event.name) != event:
            files.events += event_rows(event)
    old_users = {p.bare_name: _bare(p) for p in old.user_properties} if old else {}
    for prop in new.user_properties:
        if old_users.get(prop.bare_name) != _bare(prop):
            files.user_properties.append(user_property_row(prop))
    for item in removed:
        if item.kind in ("event", "user_property"):
            files.rows("events" if item.kind == "event" else "user_properties").append(
                _removal(item.kind, item.name)
            )
    return files


def removals(old: ImportPlan | None, new: ImportPlan, pending: Sequence[Dropped] = ()) -> list[Dropped]:
    """What `new` dropped from `old`, and what is still `pending` (dropped by an import
    that was left for review): events and user properties that `new` lacks, and
    properties off events that `new` keeps. An event that leaves the plan takes its
    properties along (its `Remove` row detaches them), so they are not listed."""
    new_events = {e.name: e for e in new.events}
    new_users = {p.bare_name for p in new.user_properties}
    found: list[Dropped] = list(pending)
    for before in old.events if old else []:
        after = new_events.get(before.name)
        if after is None:
            found.append(Dropped("event", before.name))
        elif after != before:
            found += [Dropped("property", p.name, before.name) for p in before.properties]
    found += [Dropped("user_property", p.bare_name) for p in (old.user_properties if old else [])]
    result: dict[Dropped, None] = {}
    for item in found:
        if item.kind == "event":
            dropped = item.name not in new_events
        elif item.kind == "user_property":
            dropped = item.name not in new_users
        else:
            after = new_events.get(item.event)
            dropped = after is not None and all(p.name != item.name for p in after.properties)
        if dropped:
            result[item] = None
    return list(result)


def removal_files(plan: ImportPlan) -> ImportFiles:
    files = ImportFiles()
    files.events = [_removal("event", e.name) for e in plan.events]
    files.user_properties = [_removal("user_property", p.bare_name) for p in plan.user_properties]
    return files


def _removal(kind: str, name: str) -> dict[str, str]:
    return removal_row(Removal.model_validate({"kind": kind, "name": name}))[1]


def _bare(prop: ImportUserProperty) -> ImportUserProperty:
    return prop.model_copy(update={"name": prop.bare_name})


class _Lost(Exception):
    """A lost answer that starting the file over resolves."""

    def __init__(self, cause: AmbiguousWrite) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _Step:
    """The step under way, for the error message."""

    def __init__(self) -> None:
        self.now = "look up the workspace and its main branch"
        self.merged: list[str] = []


_import_locks: Registry[threading.Lock] = Registry()
"""One import at a time per Data host and workspace in this process: they share one
import branch."""


class TaxonomyImportProvider(TaxonomyProvider[TaxonomyImportInputs]):
    kind = "Amplitude taxonomy import"
    inputs_model = TaxonomyImportInputs
    ignore_in_diff = frozenset({"adopt", "csv_path"})
    computed = frozenset(
        {"pull_request_id", "rows_uploaded", "workspace_id", "main_branch_id", "pending_removals"}
    )
    get_id = "the Amplitude Data workspace's (project's) name"

    def describe(self, values: Mapping[str, Any]) -> str:
        return f'{self.kind} into workspace "{values.get("workspace")}"'

    def hint(self, error: Exception, operation: str) -> str:
        if isinstance(error, ConnectionError):
            return _unreachable_hint()
        return super().hint(error, operation)

    def normalized(self, field: str, value: Any) -> Any:
        if field == "plan":  # compare the canonical texts: cheap, whatever the plan's size
            if isinstance(value, str):
                return value
            return ImportPlan.model_validate(value or {}).canonical_json()
        return super().normalized(field, value)

    # -- the import flow -------------------------------------------------------------------

    def run_import(
        self, values: Mapping[str, Any], files: ImportFiles, merge: bool
    ) -> tuple[str | None, Workspace | None]:
        """Each file with rows through the whole flow, in turn; returns the open pull
        request's id (when not merging) and the workspace as its lookup answered."""
        client = data_client_for(values.get("connection"))
        name = str(values["workspace"])
        step = _Step()
        lock = _import_locks.get((data_settings(values.get("connection")).base_url, name), threading.Lock)
        pr_id, workspace = None, None
        try:
            with lock:
                for kind, text in files.texts():
                    pr_id, workspace = self._cycle(
                        client, name, kind, text, len(files.rows(kind)), merge, step
                    )
                    if merge:
                        step.merged.append(FILE_LABEL[kind])
        except (VendorError, AmbiguousWrite, ConnectionError) as exc:
            done = f"the {' and the '.join(step.merged)} was merged, the rest was not" if step.merged else ""
            then = (
                _unreachable_hint()
                if isinstance(exc, ConnectionError)
                else "Fix the cause and run `pulumi up` again: it uploads again, and that upload is the "
                "one that counts."
            )
            raise ResourceError(
                self.describe(values),
                f"import ({step.now})",
                exc,
                f"{done or 'nothing was merged into main'}. {then}",
            ) from exc
        return pr_id, workspace

    def _cycle(
        self, client: DataClient, name: str, kind: FileKind, text: str, rows: int, merge: bool, step: _Step
    ) -> tuple[str | None, Workspace]:
        """One file: look up, upload, publish, pull request, merge. A lost answer to the
        publish or to the pull request starts the file over with a new upload (once)."""
        try:
            return self._pass(client, name, kind, text, rows, merge, step)
        except _Lost:
            pulumi.log.info(f"{name}: the answer to '{step.now}' was lost; uploading the file again")
            try:
                return self._pass(client, name, kind, text, rows, merge, step)
            except _Lost as again:
                raise again.cause from None

    def _pass(
        self, client: DataClient, name: str, kind: FileKind, text: str, rows: int, merge: bool, step: _Step
    ) -> tuple[str | None, Workspace]:
        label = FILE_LABEL[kind]
        step.now = "look up the workspace and its main branch"
        workspace = client.workspace(name)
        main = workspace.main
        step.now = f"upload the {label}"
        upload = _twice(lambda: client.upload(workspace.id, main.id, kind, text))
        try:
            origin_version = upload.currentVersionId
            if upload.stagingVersionId:  # the reference flow; auto-save has no staging
                step.now = f"publish the {label}'s import branch"
                origin_version = client.publish(upload.branchId, upload.stagingVersionId).currentVersionId
            step.now = f"open the pull request of the {label}"
            description = f"pulumi-taxonomy: {rows} row(s) of tracking plan changes ({label})"
            pr_id = self._pull_request(client, name, workspace.id, upload.branchId, main.id, description)
        except AmbiguousWrite as exc:
            raise _Lost(exc) from exc
        if not merge:
            return pr_id, workspace
        step.now = f"merge the pull request of the {label}"
        target = main.currentVersionId
        if not origin_version or not target:
            raise ApiError(step.now, 200, "the import branch or main reports no current version")
        settle(
            lambda: client.merge(pr_id, origin_version, target),
            # main gets a new current version when something is merged into it
            lambda: client.workspace(name).main.currentVersionId != target,
        )
        return None, workspace

    @staticmethod
    def _pull_request(
        client: DataClient, workspace: str, ws_id: str, origin: str, target: str, description: str
    ) -> str:
        try:
            return client.create_pull_request(ws_id, origin, target, description).id
        except ApiError:
            # One may already be open from this branch (a vendor that keeps the import
            # branch across uploads); only an optional field can tell.
            existing = client.open_pull_request(workspace, origin)
            if existing is None:
                raise
            return existing

    def _detach(self, values: Mapping[str, Any], removed: Sequence[Dropped]) -> None:
        """Take properties off events that stay, through the REST Taxonomy API."""
        detach = [(item.event, item.name) for item in removed if item.kind == "property"]
        if not detach:
            return
        rest = client_for(values.get("connection"))
        for event, prop in detach:
            try:
                rest.delete_event_property(prop, event_type=event)
            except NotFound:
                pass  # already off the event (an earlier attempt, or a person)
            except (VendorError, AmbiguousWrite, ConnectionError) as exc:
                raise ResourceError(
                    self.describe(values),
                    f'remove property "{prop}" from event "{event}" (REST, after the merge)',
                    exc,
                    "the import was merged; run `pulumi up` again to finish removing the property.",
                ) from exc

    def _workspace_id(self, values: Mapping[str, Any]) -> str | None:
        """The id of the workspace `values` names, or None if no workspace of that name is
        reachable with its credentials."""
        try:
            return data_client_for(values.get("connection")).workspace(str(values["workspace"])).id
        except NotFound:
            return None
        except (VendorError, ConnectionError) as exc:
            raise ResourceError(
                self.describe(values), "look up the workspace", exc, self.hint(exc, "")
            ) from exc

    # -- reading the plan back through the REST taxonomy -------------------------------

    def read_plan(self, values: Mapping[str, Any], plan: ImportPlan | None) -> ImportPlan:
        """What Amplitude's main holds now of the objects `plan` manages; with None, of
        everything the REST Taxonomy API lists (one request per event for its properties)."""
        rest = client_for(values.get("connection"))
        listed = {e.event_type: e for e in rest.list_events() if not e.deleted}
        events = []
        for name in sorted(listed) if plan is None else [e.name for e in plan.events]:
            info = listed.get(name)
            if info is None:
                continue
            props = [
                ImportProperty(
                    name=p.event_property,
                    description=p.description or None,
                    type=_known_type(p.type),
                    regex=p.regex or None,
                    enum_values=p.enum_values,
                    is_array_type=p.is_array_type,
                    is_required=p.is_required,
                )
                for p in rest.list_event_properties(name)
            ]
            events.append(
                ImportEvent(
                    name=info.event_type,
                    category=info.category.name if info.category else None,
                    description=info.description or None,
                    display_name=info.display_name or None,
                    properties=props,
                )
            )
        users = {p.user_property: p for p in rest.list_user_properties() if not p.deleted}
        # (the name Amplitude lists, the name the plan writes); a plan has custom ones only.
        wanted = (
            [(n, n) for n in sorted(users) if n.startswith(USER_PREFIX)]
            if plan is None
            else [(USER_PREFIX + p.bare_name, p.name) for p in plan.user_properties]
        )
        user_props = []
        for remote, written in wanted:
            info_u = users.get(remote)
            if info_u is not None:
                user_props.append(
                    ImportUserProperty(
                        name=written,
                        description=info_u.description or None,
                        type=_known_type(info_u.type),
                        regex=info_u.regex or None,
                        enum_values=info_u.enum_values,
                        is_array_type=info_u.is_array_type,
                    )
                )
        return ImportPlan(events=events, user_properties=user_props)

    def _check_landed(self, values: Mapping[str, Any], plan: ImportPlan) -> None:
        """After a merge: every planned event and user property is in main (two list calls)."""
        rest = client_for(values.get("connection"))
        rest.cache.invalidate()
        events = {e.event_type for e in rest.list_events()}
        users = {p.user_property for p in rest.list_user_properties() if not p.deleted}
        missing = [e.name for e in plan.events if e.name not in events]
        missing += [p.name for p in plan.user_properties if USER_PREFIX + p.bare_name not in users]
        if missing:
            raise ResourceError(
                self.describe(values),
                "import (read back)",
                ValueError(f"merged, but main does not show: {', '.join(missing[:10])}"),
                "run `pulumi refresh` to see what Amplitude holds, then `pulumi up`.",
            )

    # -- the resource's operations -------------------------------------------------------

    def _apply(self, inputs: TaxonomyImportInputs, state: Outputs | None) -> Outputs:
        values = inputs.model_dump(mode="json")
        old = _plan_of(state) if state is not None else None
        workspace_id = state.get("workspace_id") if state else None
        pending = [Dropped.from_output(d) for d in (state.get("pending_removals") or [])] if state else []
        leaving: Outputs | None = None  # another project's workspace, whose plan is removed after
        if state is not None and _target_changed(state, values):
            new_id = self._workspace_id(values)
            old_id = workspace_id or self._workspace_id(state)
            if new_id is None or old_id != new_id:
                leaving = state if old_id is not None else None
                if old_id is None:
                    pulumi.log.warn(
                        f"{self.describe(state)} is not reachable any more: its plan stays there as it is"
                    )
                old, pending, workspace_id = None, [], new_id
        # An import left for review never reached main: send the whole plan again, with
        # what it was to remove.
        unmerged = bool(state and state.get("pull_request_id"))
        removed = removals(old, inputs.plan, pending)
        files = plan_change(None if unmerged else old, inputs.plan, removed)
        pr_id = None
        # Known from the last import, while the workspace is the same project.
        same = state is not None and workspace_id == state.get("workspace_id")
        main_branch_id = state.get("main_branch_id") if state and same else None
        if files:
            pr_id, workspace = self.run_import(values, files, inputs.merge)
            if workspace is not None:
                workspace_id, main_branch_id = workspace.id, workspace.main.id
        if inputs.merge:
            if files:
                self._check_landed(values, inputs.plan)
            self._detach(values, removed)
            removed = []
        if leaving is not None:
            self._remove_plan(leaving)
        return {
            **values,
            "pull_request_id": pr_id,
            "rows_uploaded": len(files),
            "workspace_id": workspace_id,
            **({"main_branch_id": main_branch_id} if main_branch_id else {}),
            "pending_removals": [item.as_output() for item in removed],
        }

    def _remove_plan(self, state: Outputs) -> None:
        """Import `Remove` rows for everything `state` manages, into its own workspace
        (unless that name now reaches another project, or none)."""
        files = removal_files(_plan_of(state))
        if not files:
            return
        found = self._workspace_id(state)
        if found is None or found != (state.get("workspace_id") or found):
            pulumi.log.warn(
                f"{self.describe(state)}: no such workspace is reachable any more (or the name now reaches "
                "another project), so its plan was left there as it is"
            )
            return
        self.run_import(state, files, merge=True)

    def create_remote(self, inputs: TaxonomyImportInputs) -> tuple[str, Outputs]:
        return f"import-{uuid.uuid4().hex[:20]}", self._apply(inputs, None)

    def update_remote(self, id_: str, state: Outputs, inputs: TaxonomyImportInputs) -> Outputs:
        return self._apply(inputs, state)

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        plan = self.read_plan(state, _plan_of(state))
        return {**state, "plan": plan.canonical_json()}

    def identify(self, id_: str, props: Mapping[str, Any]) -> Outputs:
        TaxonomyImportInputs.model_validate({"workspace": id_})
        return {"workspace": id_}

    def lookup(self, id_: str, values: Outputs) -> Outputs | None:
        try:
            workspace = data_client_for(values.get("connection")).workspace(str(values["workspace"]))
        except NotFound:
            return None
        return {
            "adopt": False,
            "connection": values.get("connection"),
            "workspace": values["workspace"],
            "plan": self.read_plan(values, None).canonical_json(),
            "workspace_id": workspace.id,
            "main_branch_id": workspace.main.id,
        }

    def delete_remote(self, id_: str, state: Outputs) -> None:
        self._remove_plan(state)


class TaxonomyImport(Resource, module="amplitude", name="TaxonomyImport"):
    """A whole tracking plan (events with properties, categories, user properties)
    applied through Amplitude's Taxonomy Import, from a typed plan or CSV files."""

    workspace: pulumi.Output[str]
    plan: pulumi.Output[str]
    """The plan as one canonical JSON text (`ImportPlan.model_validate_json` reads it)."""
    pull_request_id: pulumi.Output[str | None]
    rows_uploaded: pulumi.Output[int]
    workspace_id: pulumi.Output[str | None]
    main_branch_id: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        workspace: pulumi.Input[str],
        plan: ImportPlan | Mapping[str, Any] | None = None,
        csv_path: str | Sequence[str] | None = None,
        merge: pulumi.Input[bool] = True,
        adopt: pulumi.Input[bool] = False,
        connection: pulumi.Input[AmplitudeConnection] | pulumi.Input[Mapping[str, Any]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if (plan is None) == (csv_path is None):
            raise ValueError("TaxonomyImport: give either plan or csv_path")
        paths = None
        if csv_path is not None:
            paths = [csv_path] if isinstance(csv_path, str) else list(csv_path)
            plan = _read_files(paths)
        props = resource_props(
            TaxonomyImportProvider,
            connection,
            adopt,
            workspace=workspace,
            plan=_plan_input(plan),
            csv_path=paths[0] if paths and len(paths) == 1 else paths,
            merge=merge,
        )
        super().__init__(TaxonomyImportProvider(), resource_name, props, resource_options(opts))

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        connection: pulumi.Input[AmplitudeConnection] | pulumi.Input[Mapping[str, Any]] | None = None,
    ) -> TaxonomyImport:
        """What a workspace's `main` holds, read into the program without being managed
        (docs/get.md): `id` is the Data workspace's name. `plan` gets every event the REST
        Taxonomy API lists (live and planned; not hidden, not deleted) with its properties,
        and every custom user property: one request per event, plus four."""
        return get_resource(TaxonomyImport, TaxonomyImportProvider(), resource_name, id, opts, connection)


def _plan_input(plan: ImportPlan | Mapping[str, Any] | None) -> pulumi.Input[str]:
    """The plan as the provider takes it: one canonical JSON text (a mapping may hold
    outputs; it is sent once they are known, and checked by the provider)."""
    if isinstance(plan, ImportPlan):
        return plan.canonical_json()
    return pulumi.Output.from_input(plan or {}).apply(
        lambda value: json.dumps(to_jsonable_python(value), ensure_ascii=False)
    )


def _read_files(paths: Sequence[str]) -> ImportPlan:
    texts = []
    for path in paths:
        try:
            texts.append(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"TaxonomyImport: cannot read {path}: {exc}") from None
    try:
        return read_plan(*texts)
    except CsvError as exc:
        where = paths[0] if len(paths) == 1 else ", ".join(paths)
        raise ValueError(f"TaxonomyImport: {where}: {exc}") from None


def _plan_of(values: Mapping[str, Any]) -> ImportPlan:
    plan = values.get("plan") or {}
    return ImportPlan.model_validate_json(plan) if isinstance(plan, str) else ImportPlan.model_validate(plan)


def _target_changed(state: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """The workspace's name or the credentials changed: it may be another project."""
    return state.get("workspace") != values.get("workspace") or without_nulls(
        state.get("connection") or {}
    ) != without_nulls(values.get("connection") or {})


def _unreachable_hint() -> str:
    return (
        "Amplitude Data could not be reached. Taxonomy Import talks to the Data API host "
        "(https://data-api.amplitude.com, EU https://data-api.eu.amplitude.com), never to the REST base "
        "URL: to use a sandbox or a proxy, set connection.data_base_url, the stack config "
        "amplitudeDataBaseUrl or AMPLITUDE_DATA_BASE_URL."
    )


def _known_type(value: str | None) -> PropertyType:
    """The vendor's type as our models spell it (unknown or unset reads as "any")."""
    return cast(PropertyType, value) if value in ("string", "number", "boolean", "enum") else "any"


def _twice(upload: Callable[[], Any]) -> Any:
    """A lost answer to an upload: upload again (the new upload is the one that counts)."""
    try:
        return upload()
    except AmbiguousWrite:
        return upload()
