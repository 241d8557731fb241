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

from pulumi_taxonomy.amplitude.resources import (
    EventCategory,
    EventProperty,
    EventType,
    GroupProperty,
    UserProperty,
)
from pulumi_taxonomy.amplitude.taxonomy_import import TaxonomyImport
from pulumi_taxonomy.plan import children, types
from pulumi_taxonomy.plan.loader import check, load
from pulumi_taxonomy.plan.models import Plan, Removal
from pulumi_taxonomy.plan.types import import_plan, uses_import
from pulumi_taxonomy.rudderstack import resources as rudderstack
from pulumi_taxonomy.stitch.resources import WarehouseTable

__all__ = ["TrackingPlan", "import_plan", "uses_import"]


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
        if isinstance(plan, Plan):
            check(plan)  # what `validate` and `load` refuse, this refuses too
            self.plan = plan
        else:
            self.plan = load(plan)
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
            c: EventCategory(self._n(children.amplitude_category(c)), name=c, **common)
            for c in plan.categories
        }
        for event in types.amplitude_events(plan):
            created = EventType(
                self._n(children.amplitude_event(event)),
                **{
                    **types.amplitude_event(event),
                    # The category's output, so the event waits for its category.
                    "category": categories[event.category].name if event.category else None,
                },
                **common,
            )
            for prop in plan.resolved(event):
                EventProperty(
                    self._n(children.amplitude_property(event, prop)),
                    **{**types.amplitude_property(event, prop), "event_type": created.name},
                    **common,
                )
        for user in plan.user_properties:
            UserProperty(
                self._n(children.amplitude_user_property(user)),
                **types.amplitude_user_property(user),
                **common,
            )
        for group in plan.group_properties:
            GroupProperty(
                self._n(children.amplitude_group_property(group)),
                **types.amplitude_group_property(group),
                **common,
            )

    def _rudderstack(self, connection: Any) -> None:
        target = self.plan.targets.rudderstack
        assert target is not None
        common = {"adopt": self._adopt, "connection": connection, "opts": self._opts("rudderstack")}
        tracking_plan = rudderstack.TrackingPlan(
            self._n("rudderstack-plan"), **types.rudderstack_plan(self.plan), **common
        )
        for event in self.plan.events:
            if not event.properties:
                continue  # RudderStack needs at least one property per event
            rudderstack.TrackingPlanEvent(
                self._n(children.rudderstack_event(event)),
                tracking_plan_id=tracking_plan.id,
                **types.rudderstack_event(self.plan, event),
                **common,
            )
        for source in target.sources:
            rudderstack.SourceConnection(
                self._n(children.rudderstack_source(source)),
                tracking_plan_id=tracking_plan.id,
                **types.rudderstack_source(source),
                **common,
            )

    def _stitch(self, connection: Any) -> None:
        for table, suffix in zip(types.stitch_tables(self.plan), ("events", "properties"), strict=True):
            WarehouseTable(
                self._n(f"stitch-{suffix}"),
                table_name=table.table_name,
                key_names=table.key_names,
                rows=table.rows,
                connection=connection,
                opts=self._opts("stitch"),
            )
