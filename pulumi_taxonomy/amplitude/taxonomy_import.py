"""A whole Amplitude tracking plan applied in one Taxonomy Import: CSV -> import branch
-> publish (when the branch has a staging version) -> pull request -> merge.

Only the rows that changed since the last apply are uploaded, with `Remove` rows for
what the plan dropped, so a re-apply of an unchanged plan sends nothing. If a step
fails, nothing is merged into `main` and the error names the step; the next `pulumi
up` uploads again, which replaces any import branch (and pull request) left over.
The provider class's module path is a public contract (pickled by reference).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import pulumi
from pulumi.dynamic import Resource
from pydantic import Field

from pulumi_taxonomy.amplitude.client import client_for
from pulumi_taxonomy.amplitude.importcsv import (
    CsvError,
    ImportEvent,
    ImportPlan,
    ImportProperty,
    ImportUserProperty,
    Removal,
    event_rows,
    property_row,
    read_plan,
    removal_row,
    user_property_row,
    write_rows,
)
from pulumi_taxonomy.amplitude.importer import DataClient, data_client_for
from pulumi_taxonomy.amplitude.models import (
    USER_PREFIX,
    AmplitudeConnection,
    AmplitudeInputs,
    Name,
    PropertyType,
)
from pulumi_taxonomy.core.errors import AmbiguousWrite, ResourceError, VendorError
from pulumi_taxonomy.core.provider import Outputs, TaxonomyProvider
from pulumi_taxonomy.core.resource import resource_options, resource_props

Row = dict[str, str]


class TaxonomyImportInputs(AmplitudeInputs):
    workspace: Name
    """The Amplitude Data workspace (project) name."""
    plan: ImportPlan = Field(default_factory=ImportPlan)
    csv_path: str | None = None
    """Where the plan was read from, when it came from a CSV file (for people reading state)."""
    merge: bool = True
    """False leaves the pull request open for a review in Amplitude Data."""


def change_rows(old: ImportPlan | None, new: ImportPlan) -> list[Row]:
    """The CSV rows that turn `old` into `new`: changed or new objects, and removals."""
    rows: list[Row] = []
    old_events = {e.name: e for e in old.events} if old else {}
    for event in new.events:
        before = old_events.get(event.name)
        if before is None or _without_properties(before) != _without_properties(event):
            rows += event_rows(event, with_properties=False)
        old_props = {p.name: p for p in before.properties} if before else {}
        rows += [property_row(event.name, p) for p in event.properties if old_props.get(p.name) != p]
        kept = {p.name for p in event.properties}
        rows += [
            removal_row(Removal(kind="event_property", name=n, event=event.name))
            for n in old_props
            if n not in kept
        ]
    rows += [
        removal_row(Removal(kind="event", name=n))
        for n in old_events
        if n not in {e.name for e in new.events}
    ]
    old_users = {p.bare_name: p for p in old.user_properties} if old else {}
    new_users = {p.bare_name: p for p in new.user_properties}
    rows += [user_property_row(p) for name, p in new_users.items() if _user(old_users.get(name)) != _user(p)]
    rows += [removal_row(Removal(kind="user_property", name=n)) for n in old_users if n not in new_users]
    return rows


def _without_properties(event: ImportEvent) -> ImportEvent:
    return event.model_copy(update={"properties": []})


def _user(prop: ImportUserProperty | None) -> ImportUserProperty | None:
    return None if prop is None else prop.model_copy(update={"name": prop.bare_name})


def removal_rows(plan: ImportPlan) -> list[Row]:
    rows = [removal_row(Removal(kind="event", name=e.name)) for e in plan.events]
    return rows + [removal_row(Removal(kind="user_property", name=p.bare_name)) for p in plan.user_properties]


class TaxonomyImportProvider(TaxonomyProvider[TaxonomyImportInputs]):
    kind = "Amplitude taxonomy import"
    inputs_model = TaxonomyImportInputs
    replace_on = frozenset({"workspace"})
    ignore_in_diff = frozenset({"adopt", "csv_path"})
    computed = frozenset({"pull_request_id", "rows_uploaded"})

    def describe(self, values: Mapping[str, Any]) -> str:
        return f'{self.kind} into workspace "{values.get("workspace")}"'

    # -- the import flow -------------------------------------------------------------

    def run_import(self, values: Mapping[str, Any], rows: list[Row], merge: bool) -> str | None:
        """Upload `rows` and take them through to `main`; the open PR's id when not merging."""
        client = data_client_for(values.get("connection"))
        name = str(values["workspace"])
        step = "look up the workspace and its main branch"
        try:
            workspace = client.workspace(name)
            main = workspace.branch("main")
            if main is None:
                raise ResourceError(
                    self.describe(values), "import", ValueError("the workspace has no main branch")
                )
            if workspace.branch("import") is not None:
                pulumi.log.info(
                    f"{self.describe(values)}: an import branch is left from an earlier attempt; "
                    "this upload replaces it"
                )
            step = "upload the CSV"
            upload = _twice(lambda: client.upload(workspace.id, main.id, write_rows(rows)))
            origin_version = upload.currentVersionId
            if upload.stagingVersionId:  # the reference flow; the auto-save variant has no staging
                step = "publish the import branch"
                origin_version = self._publish(client, name, upload.branchId, upload.stagingVersionId)
            step = "open the pull request"
            pr_id = self._pull_request(client, name, workspace.id, upload.branchId, main.id, len(rows))
            if not merge:
                return pr_id
            step = "merge the pull request"
            self._merge(client, name, pr_id, str(origin_version), str(main.currentVersionId))
        except (VendorError, AmbiguousWrite, ConnectionError) as exc:
            raise ResourceError(
                self.describe(values),
                f"import ({step})",
                exc,
                "nothing was merged into main. Fix the cause and run `pulumi up` again: the new upload "
                "replaces the import branch and pull request left behind.",
            ) from exc
        return None

    @staticmethod
    def _publish(client: DataClient, workspace: str, branch_id: str, version_id: str) -> str | None:
        try:
            return client.publish(branch_id, version_id).currentVersionId
        except AmbiguousWrite:
            branch = client.workspace(workspace).branch("import")
            if branch is not None and branch.currentVersionId == version_id:
                return version_id  # it was published; only the answer was lost
            return client.publish(branch_id, version_id).currentVersionId

    @staticmethod
    def _pull_request(
        client: DataClient, workspace: str, ws_id: str, origin: str, target: str, rows: int
    ) -> str:
        description = f"pulumi-taxonomy: {rows} row(s) of tracking plan changes"
        try:
            return client.create_pull_request(ws_id, origin, target, description).id
        except AmbiguousWrite:
            existing = [p for p in client.workspace(workspace).pullRequests if p.originBranchId == origin]
            if existing:
                return existing[0].id
            return client.create_pull_request(ws_id, origin, target, description).id

    @staticmethod
    def _merge(
        client: DataClient, workspace: str, pr_id: str, origin_version: str, target_version: str
    ) -> None:
        try:
            client.merge(pr_id, origin_version, target_version)
        except AmbiguousWrite:
            if client.workspace(workspace).branch("import") is not None:
                client.merge(pr_id, origin_version, target_version)  # not merged: the branch is still there

    # -- reading the plan back through the REST taxonomy -------------------------------

    def read_plan(self, values: Mapping[str, Any], plan: ImportPlan) -> ImportPlan:
        """What Amplitude's main holds now of the objects `plan` manages."""
        rest = client_for(values.get("connection"))
        listed = {e.event_type: e for e in rest.list_events()}
        events = []
        for event in plan.events:
            info = listed.get(event.name)
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
                for p in rest.list_event_properties(event.name)
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
        user_props = []
        for prop in plan.user_properties:
            info_u = users.get(USER_PREFIX + prop.bare_name)
            if info_u is not None:
                user_props.append(
                    ImportUserProperty(
                        name=prop.name,
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

    def _apply(self, inputs: TaxonomyImportInputs, old: ImportPlan | None) -> Outputs:
        values = inputs.model_dump(mode="json")
        rows = change_rows(old, inputs.plan)
        pr_id = self.run_import(values, rows, inputs.merge) if rows else None
        if rows and inputs.merge:
            self._check_landed(values, inputs.plan)
        return {**values, "pull_request_id": pr_id, "rows_uploaded": len(rows)}

    def create_remote(self, inputs: TaxonomyImportInputs) -> tuple[str, Outputs]:
        return f"import-{uuid.uuid4().hex[:20]}", self._apply(inputs, None)

    def update_remote(self, id_: str, state: Outputs, inputs: TaxonomyImportInputs) -> Outputs:
        # An unmerged pull request means main never got the last plan: send it all.
        old = None if state.get("pull_request_id") else ImportPlan.model_validate(state.get("plan") or {})
        return self._apply(inputs, old)

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        plan = ImportPlan.model_validate(state.get("plan") or {})
        return {**state, "plan": self.read_plan(state, plan).model_dump(mode="json")}

    def delete_remote(self, id_: str, state: Outputs) -> None:
        rows = removal_rows(ImportPlan.model_validate(state.get("plan") or {}))
        if rows:
            self.run_import(state, rows, merge=True)


class TaxonomyImport(Resource, module="amplitude", name="TaxonomyImport"):
    """A whole tracking plan (events with properties, categories, user properties)
    applied through Amplitude's Taxonomy Import, from a typed plan or a CSV file."""

    pull_request_id: pulumi.Output[str | None]
    rows_uploaded: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        workspace: pulumi.Input[str],
        plan: ImportPlan | Mapping[str, Any] | None = None,
        csv_path: str | None = None,
        merge: pulumi.Input[bool] = True,
        adopt: pulumi.Input[bool] = False,
        connection: pulumi.Input[AmplitudeConnection] | pulumi.Input[Mapping[str, Any]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if (plan is None) == (csv_path is None):
            raise ValueError("TaxonomyImport: give either plan or csv_path")
        if csv_path is not None:
            try:
                plan = read_plan(Path(csv_path).read_text(encoding="utf-8-sig"))
            except CsvError as exc:
                raise ValueError(f"TaxonomyImport: {csv_path}: {exc}") from None
        props = resource_props(
            connection,
            adopt,
            workspace=workspace,
            plan=plan,
            csv_path=csv_path,
            merge=merge,
            pull_request_id=None,
            rows_uploaded=None,
        )
        super().__init__(TaxonomyImportProvider(), resource_name, props, resource_options(opts))


def _known_type(value: str | None) -> PropertyType:
    """The vendor's type as our models spell it (unknown or unset reads as "any")."""
    return cast(PropertyType, value) if value in ("string", "number", "boolean", "enum") else "any"


def _twice(upload: Any) -> Any:
    """An upload replaces the import branch, so sending it again after a lost answer is safe."""
    try:
        return upload()
    except AmbiguousWrite:
        return upload()
