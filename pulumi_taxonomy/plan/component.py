"""`TrackingPlan`: one plan rolled out to every target it names, as child resources.

Children are named from stable keys (an event's `id`, or its name made into a slug),
so editing the YAML gives minimal previews: changing a description is an update, and
renaming an event that keeps its `id` is an in-place rename.

What removing an item does at the vendor follows the plan's `removal` (per target, or
plan-wide): `delete`, or `retain`, which sets Pulumi's `retain_on_delete` on the
target's children so the object stays at the vendor and only leaves the stack. The
engine reads that flag from the state of the last apply, so `retain` protects a
removal only once it has been applied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pulumi

from pulumi_taxonomy.amplitude.importcsv import ImportEvent, ImportPlan, ImportProperty, ImportUserProperty
from pulumi_taxonomy.amplitude.resources import (
    EventCategory,
    EventProperty,
    EventType,
    GroupProperty,
    UserProperty,
)
from pulumi_taxonomy.amplitude.taxonomy_import import TaxonomyImport
from pulumi_taxonomy.plan.loader import load
from pulumi_taxonomy.plan.models import Plan, Removal, slug
from pulumi_taxonomy.plan.types import amplitude_events, amplitude_fields, rudderstack_event
from pulumi_taxonomy.rudderstack import resources as rudderstack
from pulumi_taxonomy.stitch.resources import WarehouseTable


def uses_import(plan: Plan) -> bool:
    target = plan.targets.amplitude
    if target is None:
        return False
    return target.mode == "import" or (target.mode == "auto" and len(plan.events) > target.import_above)


def import_plan(plan: Plan) -> ImportPlan:
    """The plan as one Amplitude Taxonomy Import carries it."""
    events = []
    for event in amplitude_events(plan):
        props = []
        for prop in plan.resolved(event):
            fields = amplitude_fields(prop)
            props.append(ImportProperty(name=prop.name, is_required=prop.required, **fields))
        events.append(
            ImportEvent(
                name=event.name, category=event.category, description=event.description, properties=props
            )
        )
    users = [ImportUserProperty(name=u.name, **amplitude_fields(u)) for u in plan.user_properties]
    return ImportPlan(events=events, user_properties=users)


class TrackingPlan(pulumi.ComponentResource):
    """A vendor-neutral tracking plan (a YAML file or a `Plan`) applied to its targets."""

    def __init__(
        self,
        name: str,
        plan: Plan | str | Path,
        *,
        adopt: bool = False,
        amplitude_connection: Any = None,
        rudderstack_connection: Any = None,
        stitch_connection: Any = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("pulumi-taxonomy:index:TrackingPlan", name, None, opts)
        self.plan = plan if isinstance(plan, Plan) else load(plan)
        self._name = name
        self._adopt = adopt
        if self.plan.targets.amplitude is not None:
            self._amplitude(amplitude_connection)
        if self.plan.targets.rudderstack is not None:
            self._rudderstack(rudderstack_connection)
        if self.plan.targets.stitch is not None:
            self._stitch(stitch_connection)
        self._removal_notice()
        self.register_outputs({"events": [e.name for e in self.plan.events]})

    def _opts(self, target: Literal["amplitude", "rudderstack", "stitch"]) -> pulumi.ResourceOptions:
        """The children's options for one target: `removal: retain` keeps them at the vendor."""
        removal: Removal = self.plan.removal_for(target)
        return pulumi.ResourceOptions(parent=self, retain_on_delete=removal == "retain")

    def _removal_notice(self) -> None:
        # The program cannot see what the stack holds beyond the plan, so it says what a
        # removal would do whenever one would delete in Amplitude.
        if self.plan.targets.amplitude is None or uses_import(self.plan):
            return
        if self.plan.removal_for("amplitude") == "delete":
            pulumi.log.info(
                "Removing an event or property from this plan deletes it in Amplitude. Amplitude "
                "soft-deletes what already has data (hidden from the plan; adding it back with "
                "adopt=True restores it). Set `removal: retain` to keep removed items in Amplitude.",
                resource=self,
            )

    def _n(self, *parts: str) -> str:
        return "-".join((self._name, *parts))

    def _amplitude(self, connection: Any) -> None:
        plan, target = self.plan, self.plan.targets.amplitude
        assert target is not None
        if uses_import(plan):
            if not target.workspace:
                raise ValueError("targets.amplitude.workspace is needed to import the plan")
            TaxonomyImport(
                self._n("amplitude-import"),
                workspace=target.workspace,
                plan=import_plan(plan),
                connection=connection,
                opts=self._opts("amplitude"),
            )
            return
        common = {"adopt": self._adopt, "connection": connection, "opts": self._opts("amplitude")}
        categories = {
            c: EventCategory(self._n("amplitude-category", slug(c)), name=c, **common)
            for c in plan.categories
        }
        for event in amplitude_events(plan):
            created = EventType(
                self._n("amplitude-event", event.key),
                name=event.name,
                description=event.description,
                category=categories[event.category].name if event.category else None,
                **common,
            )
            for prop in plan.resolved(event):
                EventProperty(
                    self._n("amplitude-event", event.key, "property", prop.id or slug(prop.name)),
                    name=prop.name,
                    event_type=created.name,
                    is_required=prop.required,
                    **amplitude_fields(prop),
                    **common,
                )
        for user in plan.user_properties:
            UserProperty(
                self._n("amplitude-user-property", user.id or slug(user.name)),
                name=user.name,
                classifications=user.classifications,
                **amplitude_fields(user),
                **common,
            )
        for group in plan.group_properties:
            GroupProperty(
                self._n("amplitude-group-property", slug(group.group_type), group.id or slug(group.name)),
                name=group.name,
                group_type=group.group_type,
                **amplitude_fields(group),
                **common,
            )

    def _rudderstack(self, connection: Any) -> None:
        target = self.plan.targets.rudderstack
        assert target is not None
        common = {"adopt": self._adopt, "connection": connection, "opts": self._opts("rudderstack")}
        tracking_plan = rudderstack.TrackingPlan(
            self._n("rudderstack-plan"), name=target.plan_name, description=target.description, **common
        )
        for event in self.plan.events:
            if not event.properties:
                continue  # RudderStack needs at least one property per event
            rudderstack.TrackingPlanEvent(
                self._n("rudderstack-event", event.key),
                tracking_plan_id=tracking_plan.id,
                **rudderstack_event(self.plan, event),
                **common,
            )
        for source in target.sources:
            config = {
                k: v
                for k, v in source.model_dump(by_alias=True, exclude_none=True).items()
                if k != "source_id"
            }
            rudderstack.SourceConnection(
                self._n("rudderstack-source", source.source_id),
                tracking_plan_id=tracking_plan.id,
                source_id=source.source_id,
                config=config,
                **common,
            )

    def _stitch(self, connection: Any) -> None:
        target = self.plan.targets.stitch
        assert target is not None
        events = [
            {
                "event": e.name,
                "description": e.description or "",
                "category": e.category or "",
                "owner": e.owner or "",
                "tags": list(e.tags),
            }
            for e in self.plan.events
        ]
        properties = [
            {
                "event": e.name,
                "property": p.name,
                "type": p.type,
                "required": p.required,
                "description": p.description or "",
            }
            for e in self.plan.events
            for p in self.plan.resolved(e)
        ]
        WarehouseTable(
            self._n("stitch-events"),
            table_name=target.events_table,
            key_names=["event"],
            rows=events,
            connection=connection,
            opts=self._opts("stitch"),
        )
        WarehouseTable(
            self._n("stitch-properties"),
            table_name=target.properties_table,
            key_names=["event", "property"],
            rows=properties,
            connection=connection,
            opts=self._opts("stitch"),
        )
