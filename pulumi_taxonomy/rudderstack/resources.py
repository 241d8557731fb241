"""RudderStack tracking plans, their events and source connections as Pulumi resources.

Provider classes are pickled by reference into `__provider`: their module path and
names are a public contract.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from pulumi_taxonomy.core.errors import Conflict, NotFound, ResourceError, VendorError
from pulumi_taxonomy.core.provider import Outputs, TaxonomyProvider, settle
from pulumi_taxonomy.core.resource import plain, resource_options, resource_props
from pulumi_taxonomy.rudderstack.client import RudderStackClient, client_for
from pulumi_taxonomy.rudderstack.models import (
    ConnectionConfig,
    EventInfo,
    EventType,
    IdentitySection,
    PlanInfo,
    PlanProperty,
    RudderStackConnection,
    RudderStackInputs,
    SourceConnectionInputs,
    TrackingPlanEventInputs,
    TrackingPlanInputs,
)

ADOPT_HINT = (
    "it already exists in RudderStack. To manage the existing one, set adopt=True on this resource "
    "(it is then updated to match your program); or choose another name."
)


def _client(values: Mapping[str, Any] | RudderStackInputs) -> RudderStackClient:
    connection = values.connection if isinstance(values, RudderStackInputs) else values.get("connection")
    return client_for(connection)


def _kept(state: Mapping[str, Any]) -> dict[str, Any]:
    return {"adopt": state.get("adopt", False), "connection": state.get("connection")}


# -- tracking plans ------------------------------------------------------------------------


class TrackingPlanProvider(TaxonomyProvider[TrackingPlanInputs]):
    kind = "RudderStack tracking plan"
    inputs_model = TrackingPlanInputs
    computed = frozenset({"version"})

    def describe(self, values: Mapping[str, Any]) -> str:
        return f'{self.kind} "{values.get("name")}"'

    @staticmethod
    def _by_name(client: RudderStackClient, name: str) -> PlanInfo | None:
        return next((p for p in client.list_plans() if p.name == name), None)

    @staticmethod
    def _outputs(inputs: TrackingPlanInputs, plan: PlanInfo) -> Outputs:
        return {**inputs.model_dump(mode="json"), "version": plan.version}

    def create_remote(self, inputs: TrackingPlanInputs) -> tuple[str, Outputs]:
        client = _client(inputs)
        try:
            settle(
                lambda: client.create_plan(inputs.name, inputs.description),
                lambda: self._by_name(client, inputs.name) is not None,
            )
        except Conflict as exc:
            # One that exists exactly as declared is most likely our own create, its answer lost.
            existing = self._by_name(client, inputs.name)
            identical = existing is not None and (existing.description or None) == inputs.description
            if not (inputs.adopt or exc.retried or identical):
                raise ResourceError(self.describe(inputs.model_dump()), "create", exc, ADOPT_HINT) from exc
        plan = self._by_name(client, inputs.name)
        if plan is None:
            raise ResourceError(
                self.describe(inputs.model_dump()),
                "create",
                NotFound("RudderStack", 404, "gone"),
                "RudderStack accepted the plan but does not list it; run `pulumi up` again.",
            )
        if (plan.description or None) != inputs.description:
            plan = self._put(client, plan.id, inputs)
        return plan.id, self._outputs(inputs, plan)

    def _put(self, client: RudderStackClient, plan_id: str, inputs: TrackingPlanInputs) -> PlanInfo:
        def landed() -> bool:
            plan = next((p for p in client.list_plans() if p.id == plan_id), None)
            return plan is not None and (plan.name, plan.description or None) == (
                inputs.name,
                inputs.description,
            )

        settle(lambda: client.update_plan(plan_id, inputs.name, inputs.description), landed)
        return client.get_plan(plan_id)

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        plan = next((p for p in _client(state).list_plans() if p.id == id_), None)
        if plan is None:
            return None
        return {
            **_kept(state),
            "name": plan.name,
            "description": plan.description or None,
            "version": plan.version,
        }

    def update_remote(self, id_: str, state: Outputs, inputs: TrackingPlanInputs) -> Outputs:
        try:
            plan = self._put(_client(inputs), id_, inputs)
        except NotFound as exc:
            raise ResourceError(
                self.describe(state),
                "update",
                exc,
                "it no longer exists in RudderStack; run `pulumi refresh`, then `pulumi up`.",
            ) from exc
        return self._outputs(inputs, plan)

    def delete_remote(self, id_: str, state: Outputs) -> None:
        client = _client(state)
        with contextlib.suppress(NotFound):
            settle(lambda: client.delete_plan(id_), lambda: self.read_remote(id_, state) is None)


# -- events of a plan ---------------------------------------------------------------------


class TrackingPlanEventProvider(TaxonomyProvider[TrackingPlanEventInputs]):
    kind = "RudderStack tracking-plan event"
    inputs_model = TrackingPlanEventInputs
    replace_on = frozenset({"tracking_plan_id", "event_type"})
    computed = frozenset({"event_id"})

    def describe(self, values: Mapping[str, Any]) -> str:
        label = values.get("name") or f"({values.get('event_type', 'track')})"
        return f'{self.kind} "{label}" of plan {values.get("tracking_plan_id")}'

    def hint(self, error: Exception, operation: str) -> str:
        if isinstance(error, VendorError) and "different advanced keywords" in error.vendor_message:
            return (
                "RudderStack's catalog keeps one set of rules per property name and type, and another "
                "event already uses this property with different rules. Give it the same rules here, or "
                "another name."
            )
        return super().hint(error, operation)

    @staticmethod
    def _find(client: RudderStackClient, plan_id: str, event_type: str, name: str) -> EventInfo | None:
        return next(
            (e for e in client.list_events(plan_id) if (e.eventType, e.name) == (event_type, name)), None
        )

    @staticmethod
    def _remote(event: EventInfo) -> Outputs:
        return {
            "name": event.name,
            "event_type": event.eventType,
            "description": event.description or None,
            "category_id": event.categoryId,
            "identity_section": event.identitySection,
            "properties": [PlanProperty.from_wire(p).model_dump(mode="json") for p in event.properties or []],
        }

    def _matches(self, event: EventInfo, inputs: TrackingPlanEventInputs) -> bool:
        desired = inputs.model_dump(mode="json")
        return all(
            self.normalized(k, v) == self.normalized(k, desired.get(k))
            for k, v in self._remote(event).items()
        )

    def _upsert(self, client: RudderStackClient, inputs: TrackingPlanEventInputs) -> EventInfo:
        """Upsert is idempotent: after a lost answer, look, and send again if needed."""
        desired = inputs.model_dump(mode="json")

        def landed() -> bool:
            event = self._find(client, inputs.tracking_plan_id, inputs.event_type, inputs.name)
            return event is not None and all(
                self.normalized(k, v) == self.normalized(k, desired.get(k))
                for k, v in self._remote(event).items()
            )

        settle(lambda: client.upsert_event(inputs.tracking_plan_id, inputs.wire()), landed)
        event = self._find(client, inputs.tracking_plan_id, inputs.event_type, inputs.name)
        if event is None:
            raise ResourceError(
                self.describe(desired),
                "upsert",
                NotFound("RudderStack", 404, "event not listed"),
                "RudderStack accepted the event but does not list it; run `pulumi up` again.",
            )
        return event

    def create_remote(self, inputs: TrackingPlanEventInputs) -> tuple[str, Outputs]:
        client = _client(inputs)
        try:
            existing = self._find(client, inputs.tracking_plan_id, inputs.event_type, inputs.name)
        except NotFound as exc:
            raise ResourceError(
                self.describe(inputs.model_dump()),
                "create",
                exc,
                "the tracking plan does not exist (yet); check tracking_plan_id.",
            ) from exc
        if existing is not None and self._matches(existing, inputs):
            # Exactly as declared (most likely our own create, its answer lost): take it over.
            return f"rse-{uuid.uuid4().hex[:20]}", {**inputs.model_dump(mode="json"), "event_id": existing.id}
        if existing is not None and not inputs.adopt:
            # The upsert endpoint would silently overwrite it: refuse unless adopting.
            raise ResourceError(
                self.describe(inputs.model_dump()),
                "create",
                Conflict("RudderStack", 400, "the plan already has this event"),
                ADOPT_HINT,
            )
        event = self._upsert(client, inputs)
        return f"rse-{uuid.uuid4().hex[:20]}", {**inputs.model_dump(mode="json"), "event_id": event.id}

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        plan_id = str(state["tracking_plan_id"])
        try:
            events = _client(state).list_events(plan_id)
        except NotFound:
            return None
        event = next((e for e in events if e.id == state.get("event_id")), None)
        if event is None:
            return None
        return {**_kept(state), "tracking_plan_id": plan_id, "event_id": event.id, **self._remote(event)}

    def update_remote(self, id_: str, state: Outputs, inputs: TrackingPlanEventInputs) -> Outputs:
        client = _client(inputs)
        event = self._upsert(client, inputs)
        old_id = state.get("event_id")
        if old_id and old_id != event.id:
            # A new name is a new event in RudderStack: take the old one out of the plan.
            with contextlib.suppress(NotFound):
                settle(
                    lambda: client.delete_event(inputs.tracking_plan_id, str(old_id)),
                    lambda: all(e.id != old_id for e in client.list_events(inputs.tracking_plan_id)),
                )
        return {**inputs.model_dump(mode="json"), "event_id": event.id}

    def delete_remote(self, id_: str, state: Outputs) -> None:
        client = _client(state)
        plan_id, event_id = str(state["tracking_plan_id"]), str(state.get("event_id"))
        with contextlib.suppress(NotFound):
            settle(
                lambda: client.delete_event(plan_id, event_id), lambda: self.read_remote(id_, state) is None
            )


# -- source connections -----------------------------------------------------------------


class SourceConnectionProvider(TaxonomyProvider[SourceConnectionInputs]):
    kind = "RudderStack source connection"
    inputs_model = SourceConnectionInputs
    replace_on = frozenset({"tracking_plan_id", "source_id"})
    delete_before_replace = True  # a source is connected to one plan at a time

    def describe(self, values: Mapping[str, Any]) -> str:
        return f"{self.kind} of source {values.get('source_id')} to plan {values.get('tracking_plan_id')}"

    @staticmethod
    def _config(client: RudderStackClient, plan_id: str, source_id: str) -> ConnectionConfig | None:
        found = next((c for c in client.list_connections(plan_id) if c.sourceId == source_id), None)
        return None if found is None else ConnectionConfig.from_wire(found.config)

    def _converge(self, client: RudderStackClient, inputs: SourceConnectionInputs) -> None:
        wire = inputs.config.wire()
        settle(
            lambda: client.update_connection(inputs.tracking_plan_id, inputs.source_id, wire),
            lambda: self._config(client, inputs.tracking_plan_id, inputs.source_id) == inputs.config,
        )

    def create_remote(self, inputs: SourceConnectionInputs) -> tuple[str, Outputs]:
        client = _client(inputs)
        try:
            settle(
                lambda: client.connect(inputs.tracking_plan_id, inputs.source_id, inputs.config.wire()),
                lambda: self._config(client, inputs.tracking_plan_id, inputs.source_id) is not None,
            )
        except Conflict as exc:
            if "another" in exc.vendor_message:
                raise ResourceError(
                    self.describe(inputs.model_dump()),
                    "create",
                    exc,
                    "a source is connected to one tracking plan at a time: disconnect it from "
                    "the other plan first (or manage that connection here and change its "
                    "tracking_plan_id, which moves it).",
                ) from exc
            if self._config(client, inputs.tracking_plan_id, inputs.source_id) == inputs.config:
                # Connected exactly as declared: most likely our own create, its answer lost.
                return f"{inputs.tracking_plan_id}/{inputs.source_id}", inputs.model_dump(mode="json")
            if not (inputs.adopt or exc.retried):
                raise ResourceError(
                    self.describe(inputs.model_dump()),
                    "create",
                    exc,
                    "the source is already connected to this plan. Set adopt=True to manage that "
                    "connection (its settings are then updated to match your program).",
                ) from exc
            self._converge(client, inputs)
        return f"{inputs.tracking_plan_id}/{inputs.source_id}", inputs.model_dump(mode="json")

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        plan_id, source_id = str(state["tracking_plan_id"]), str(state["source_id"])
        try:
            config = self._config(_client(state), plan_id, source_id)
        except NotFound:
            return None
        if config is None:
            return None
        return {
            **_kept(state),
            "tracking_plan_id": plan_id,
            "source_id": source_id,
            "config": config.model_dump(mode="json"),
        }

    def update_remote(self, id_: str, state: Outputs, inputs: SourceConnectionInputs) -> Outputs:
        try:
            self._converge(_client(inputs), inputs)
        except NotFound as exc:
            raise ResourceError(
                self.describe(state),
                "update",
                exc,
                "the source is no longer connected; run `pulumi refresh`, then `pulumi up`.",
            ) from exc
        return inputs.model_dump(mode="json")

    def delete_remote(self, id_: str, state: Outputs) -> None:
        client = _client(state)
        plan_id, source_id = str(state["tracking_plan_id"]), str(state["source_id"])
        with contextlib.suppress(NotFound):
            settle(
                lambda: client.disconnect(plan_id, source_id), lambda: self.read_remote(id_, state) is None
            )


# -- the classes programs use -----------------------------------------------------------------


ConnectionInput = pulumi.Input[RudderStackConnection] | pulumi.Input[Mapping[str, Any]] | None


class TrackingPlan(Resource, module="rudderstack", name="TrackingPlan"):
    """A RudderStack tracking plan; renaming it keeps its id."""

    name: pulumi.Output[str]
    description: pulumi.Output[str | None]
    version: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        adopt: pulumi.Input[bool] = False,
        connection: ConnectionInput = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = resource_props(connection, adopt, name=name, description=description, version=None)
        super().__init__(TrackingPlanProvider(), resource_name, props, resource_options(opts))


class TrackingPlanEvent(Resource, module="rudderstack", name="TrackingPlanEvent"):
    """An event of a tracking plan with its properties. Changing the plan or the event
    type replaces it; anything else is an update."""

    event_id: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        tracking_plan_id: pulumi.Input[str],
        properties: pulumi.Input[Sequence[PlanProperty | Mapping[str, Any]]],
        name: pulumi.Input[str] = "",
        event_type: pulumi.Input[EventType] = "track",
        description: pulumi.Input[str] | None = None,
        category_id: pulumi.Input[str] | None = None,
        identity_section: pulumi.Input[IdentitySection] | None = None,
        adopt: pulumi.Input[bool] = False,
        connection: ConnectionInput = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = resource_props(
            connection,
            adopt,
            tracking_plan_id=tracking_plan_id,
            name=name,
            event_type=event_type,
            description=description,
            category_id=category_id,
            identity_section=identity_section,
            properties=properties,
            event_id=None,
        )
        super().__init__(TrackingPlanEventProvider(), resource_name, props, resource_options(opts))


class SourceConnection(Resource, module="rudderstack", name="SourceConnection"):
    """A source connected to a tracking plan, with how it treats violations. Moving the
    source to another plan disconnects it first, then connects it there."""

    def __init__(
        self,
        resource_name: str,
        *,
        tracking_plan_id: pulumi.Input[str],
        source_id: pulumi.Input[str],
        config: pulumi.Input[ConnectionConfig | Mapping[str, Any]],
        adopt: pulumi.Input[bool] = False,
        connection: ConnectionInput = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        config = plain(config)
        if isinstance(config, dict) and "global_" in config:
            config = {("global" if k == "global_" else k): v for k, v in config.items()}
        props = resource_props(
            connection, adopt, tracking_plan_id=tracking_plan_id, source_id=source_id, config=config
        )
        super().__init__(SourceConnectionProvider(), resource_name, props, resource_options(opts))
