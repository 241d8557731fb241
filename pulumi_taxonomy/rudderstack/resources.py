"""RudderStack tracking plans, their events and source connections as Pulumi resources.

Provider classes are pickled by reference into `__provider`: their module path and
names are a public contract.

Outputs carry the ids and timestamps RudderStack's answers give (`workspace_id`,
`created_at`, `updated_at`, as written by the vendor; absent when an answer leaves them
out). `X.get(name, id)` reads an object by RudderStack's ids: a plan's `tp_...`, an
event's `tp_.../ev_...`, a connection's `tp_.../<source id>` (ids never hold a `/`).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import Resource
from pydantic import TypeAdapter, ValidationError

from pulumi_taxonomy.core.errors import Conflict, NotFound, ResourceError, TaxonomyError, VendorError
from pulumi_taxonomy.core.provider import Outputs, TaxonomyProvider, is_unknown, settle
from pulumi_taxonomy.core.resource import get_resource, plain, resource_options, resource_props
from pulumi_taxonomy.rudderstack.client import EventKey, EventListing, RudderStackClient, client_for
from pulumi_taxonomy.rudderstack.models import (
    ConnectionConfig,
    EventId,
    EventInfo,
    EventType,
    IdentitySection,
    PlanId,
    PlanInfo,
    PlanProperty,
    RudderStackConnection,
    RudderStackInputs,
    SourceConnectionInputs,
    SourceId,
    TrackingPlanEventInputs,
    TrackingPlanInputs,
    VendorFacts,
    shows_each,
)

ADOPT_HINT = (
    "it already exists in RudderStack. To manage the existing one, set adopt=True on this resource "
    "(it is then updated to match your program); or choose another name."
)


def _client(values: Mapping[str, Any] | RudderStackInputs) -> RudderStackClient:
    connection = values.connection if isinstance(values, RudderStackInputs) else values.get("connection")
    return client_for(connection)


def _key(inputs: TrackingPlanEventInputs) -> EventKey:
    return inputs.event_type, inputs.name


def _listing(client: RudderStackClient, inputs: TrackingPlanEventInputs) -> EventListing:
    """The plan's events as recent as deciding about this event needs."""
    return client.event_listing(inputs.tracking_plan_id, _key(inputs))


def _kept(state: Mapping[str, Any]) -> dict[str, Any]:
    return {"adopt": state.get("adopt", False), "connection": state.get("connection")}


FACTS = frozenset({"workspace_id", "created_at", "updated_at"})


def _facts(info: VendorFacts) -> Outputs:
    """The vendor's ids and timestamps its answer carried; none is ever made up."""
    facts = {"workspace_id": info.workspaceId, "created_at": info.createdAt, "updated_at": info.updatedAt}
    return {k: v for k, v in facts.items() if v is not None}


def _ids(id_: str, *rules: Any) -> list[str]:
    """A `get` id of parts joined by `/`, each checked by its rule (a pydantic type)."""
    parts = id_.split("/")
    if len(parts) != len(rules):
        raise ValueError(f"{id_!r} is not {len(rules)} ids joined by '/'")
    return [TypeAdapter(rule).validate_python(part) for rule, part in zip(rules, parts, strict=True)]


# -- tracking plans ------------------------------------------------------------------------


class TrackingPlanProvider(TaxonomyProvider[TrackingPlanInputs]):
    """A plan is known by the id its create answer returns. Names are looked up only to
    find a plan to adopt, or one of our own whose create answer was lost: RudderStack
    does not promise that names are unique, so two plans of the name are an error."""

    kind = "RudderStack tracking plan"
    inputs_model = TrackingPlanInputs
    computed = frozenset({"version", *FACTS})
    get_id = "the plan's id (tp_ and 27 letters or digits)"

    def describe(self, values: Mapping[str, Any]) -> str:
        return f'{self.kind} "{values["name"]}"' if values.get("name") else f"{self.kind} {values.get('id')}"

    def identify(self, id_: str, props: Mapping[str, Any]) -> Outputs:
        [plan_id] = _ids(id_, PlanId)
        return {"id": plan_id}

    @staticmethod
    def _named(client: RudderStackClient, name: str) -> list[PlanInfo]:
        # Fresh, not cached: whether a plan of this name exists decides what a create does.
        return client.plans_named(name, fresh=True)

    @staticmethod
    def _outputs(inputs: TrackingPlanInputs, plan: PlanInfo) -> Outputs:
        return {**inputs.model_dump(mode="json"), "version": plan.version, **_facts(plan)}

    def _existing(self, plans: list[PlanInfo], inputs: TrackingPlanInputs) -> PlanInfo:
        """The one plan of this name to take over, or an error saying why not."""
        label = self.describe(inputs.model_dump())
        if len(plans) > 1:
            ids = ", ".join(p.id for p in plans)
            raise ResourceError(
                label,
                "create",
                TaxonomyError(f"RudderStack holds {len(plans)} tracking plans of this name ({ids})"),
                "which one to manage is not clear. Rename or delete the others in RudderStack, or give "
                "this plan another name.",
            )
        [plan] = plans
        # One that exists exactly as declared is most likely our own create, its answer lost.
        if not (inputs.adopt or (plan.description or None) == inputs.description):
            raise ResourceError(
                label,
                "create",
                TaxonomyError(f"RudderStack already has a tracking plan of this name ({plan.id})"),
                ADOPT_HINT,
            )
        return plan

    def create_remote(self, inputs: TrackingPlanInputs) -> tuple[str, Outputs]:
        client = _client(inputs)
        before = self._named(client, inputs.name)
        plan = self._existing(before, inputs) if before else self._create(client, inputs)
        if (plan.description or None) != inputs.description:
            plan = self._put(client, plan.id, inputs)
        return plan.id, self._outputs(inputs, plan)

    def _create(self, client: RudderStackClient, inputs: TrackingPlanInputs) -> PlanInfo:
        created: list[PlanInfo] = []
        found: list[PlanInfo] = []

        def landed() -> bool:
            # No plan had this name before: one that has it after a lost answer is ours.
            found[:] = self._named(client, inputs.name)
            return bool(found)

        try:
            settle(lambda: created.append(client.create_plan(inputs.name, inputs.description)), landed)
        except Conflict as exc:
            # Made since we looked: by our own earlier attempt (sent again after a 429/5xx)
            # or by someone else.
            now = self._named(client, inputs.name)
            if not now:
                raise ResourceError(self.describe(inputs.model_dump()), "create", exc, ADOPT_HINT) from exc
            if exc.retried and len(now) == 1:
                return now[0]
            return self._existing(now, inputs)
        return created[0] if created else self._existing(found, inputs)

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
            **_facts(plan),
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


def _known_properties(values: Any) -> dict[str, PlanProperty]:
    """The properties a stack holds (state or inputs), by name; unreadable ones are skipped."""
    known: dict[str, PlanProperty] = {}
    for value in values or []:
        with contextlib.suppress(ValidationError, TypeError):
            prop = PlanProperty.model_validate(value)
            known[prop.name] = prop
    return known


def _remove_event(client: RudderStackClient, plan_id: str, event_id: str) -> None:
    """Take the event out of the plan (nothing to do when it, or the plan, is gone already)."""
    with contextlib.suppress(NotFound):
        settle(
            lambda: client.delete_event(plan_id, event_id),
            lambda: client.find_event(plan_id, event_id) is None,
        )


class TrackingPlanEventProvider(TaxonomyProvider[TrackingPlanEventInputs]):
    """An event of a plan. Replacing it (another plan or event type) creates the new one
    before deleting the old: they are different events, or the same catalog event in
    different plans, and a delete names its plan, so it never touches the new one."""

    kind = "RudderStack tracking-plan event"
    inputs_model = TrackingPlanEventInputs
    replace_on = frozenset({"tracking_plan_id", "event_type"})
    computed = frozenset({"event_id", *FACTS})
    get_id = "the plan's id and the event's id joined by '/' (tp_.../ev_...)"

    def describe(self, values: Mapping[str, Any]) -> str:
        if values.get("name") or "event_id" not in values:
            label = values.get("name") or f"({values.get('event_type', 'track')})"
        else:
            label = values["event_id"]
        return f'{self.kind} "{label}" of plan {values.get("tracking_plan_id")}'

    def identify(self, id_: str, props: Mapping[str, Any]) -> Outputs:
        plan_id, event_id = _ids(id_, PlanId, EventId)
        return {"tracking_plan_id": plan_id, "event_id": event_id}

    def hint(self, error: Exception, operation: str) -> str:
        if isinstance(error, VendorError) and "different advanced keywords" in error.vendor_message:
            return (
                "RudderStack's catalog keeps one set of rules per property name and type, and another "
                "event already uses this property with different rules. Give it the same rules here, or "
                "another name."
            )
        return super().hint(error, operation)

    def normalized(self, field: str, value: Any) -> Any:
        # Compare properties in their canonical form (e.g. `types` sorted), whichever
        # version of this package wrote the state.
        if field == "properties" and isinstance(value, list) and not is_unknown(value):
            with contextlib.suppress(ValidationError, TypeError):
                value = [PlanProperty.model_validate(p).model_dump(mode="json") for p in value]
        return super().normalized(field, value)

    @staticmethod
    def _remote(event: EventInfo, known: Mapping[str, Any]) -> Outputs:
        """The event's fields as the vendor has them; one it leaves out of its answer keeps
        the value `known` (the state) has: unknown is not drift."""
        given = event.model_fields_set

        def field(wire: str, name: str, value: Any) -> Any:
            return value if wire in given else known.get(name)

        props = _known_properties(known.get("properties"))
        return {
            "name": event.name,
            "event_type": event.eventType,
            "description": field("description", "description", event.description or None),
            "category_id": field("categoryId", "category_id", event.categoryId),
            "identity_section": field("identitySection", "identity_section", event.identitySection),
            "properties": [
                PlanProperty.from_wire(p, props.get(p.get("name", ""))).model_dump(mode="json")
                for p in event.properties or []
            ],
        }

    @staticmethod
    def _shows(event: EventInfo, inputs: TrackingPlanEventInputs) -> bool:
        """The vendor's answer proves the event is exactly as declared (what it leaves out
        proves nothing)."""
        wire = inputs.wire()
        for key in ("description", "categoryId", "identitySection"):
            want = wire.get(key)
            have = getattr(event, key) if key in event.model_fields_set else None
            if want is not None and have != want:
                return False
            if want is None and have:
                return False
        return shows_each(event.properties or [], inputs.properties)

    @staticmethod
    def _find(
        client: RudderStackClient, inputs: TrackingPlanEventInputs, known_id: str | None = None
    ) -> EventInfo | None:
        """The plan's event of this type and name, with its properties: from the plan's
        list, or (when the list cannot show it) by the id the stack already knows."""
        key = _key(inputs)
        listed = _listing(client, inputs).by_key(*key)
        if listed is not None:
            return client.with_properties(inputs.tracking_plan_id, listed)
        if known_id:
            found = client.find_event(inputs.tracking_plan_id, known_id)
            if found is not None and (found.eventType, found.name) == key:
                return found
        return None

    @staticmethod
    def _written(
        client: RudderStackClient, inputs: TrackingPlanEventInputs, known_id: str | None
    ) -> EventInfo | None:
        """The event just written, its properties not needed: by the id the stack knows, if
        it still names this event (an update), else at the end of the list (a new event),
        else in the whole list (not by that id again: it named another event, or none)."""
        key = _key(inputs)
        if known_id:
            with contextlib.suppress(NotFound):
                known = client.get_event(inputs.tracking_plan_id, known_id)
                if (known.eventType, known.name) == key:
                    return known
        recent = client.recent_event(inputs.tracking_plan_id, key)
        if recent is not None:
            return recent
        return _listing(client, inputs).by_key(*key)

    def _unlisted(
        self, client: RudderStackClient, inputs: TrackingPlanEventInputs, done: str
    ) -> ResourceError:
        listing = _listing(client, inputs)
        return ResourceError(
            self.describe(inputs.model_dump()),
            "upsert",
            TaxonomyError(f"{done}, but the plan's event list does not show this event"),
            f"RudderStack lists only {len(listing.events)} events of this plan (its lists stop at 50 "
            "pages, or it ignored the page asked for), so this event's id cannot be learnt."
            if not listing.complete
            else "RudderStack accepted the event but does not list it; run `pulumi up` again.",
        )

    def _upsert(
        self, client: RudderStackClient, inputs: TrackingPlanEventInputs, known_id: str | None = None
    ) -> EventInfo:
        """Upsert is idempotent: after a lost answer, look, and send again unless the
        vendor shows it landed."""

        def landed() -> bool:
            event = self._find(client, inputs, known_id)
            return event is not None and self._shows(event, inputs)

        settle(lambda: client.upsert_event(inputs.tracking_plan_id, inputs.wire()), landed)
        # Only its id and timestamps are needed now: the upsert's success says it holds
        # the properties sent.
        event = self._written(client, inputs, known_id)
        if event is None:
            raise self._unlisted(client, inputs, "the event was sent")
        return event

    @staticmethod
    def _outputs(inputs: TrackingPlanEventInputs, event: EventInfo) -> Outputs:
        return {**inputs.model_dump(mode="json"), "event_id": event.id, **_facts(event)}

    def _created(self, inputs: TrackingPlanEventInputs, event: EventInfo) -> tuple[str, Outputs]:
        return f"rse-{uuid.uuid4().hex[:20]}", self._outputs(inputs, event)

    def create_remote(self, inputs: TrackingPlanEventInputs) -> tuple[str, Outputs]:
        client = _client(inputs)
        try:
            existing = self._find(client, inputs)
        except NotFound as exc:
            raise ResourceError(
                self.describe(inputs.model_dump()),
                "create",
                exc,
                "the tracking plan does not exist (yet); check tracking_plan_id.",
            ) from exc
        if existing is None and not client.has_room(inputs.tracking_plan_id, _key(inputs)):
            # It may exist beyond what the list shows (the upsert would overwrite it), and
            # its id could not be learnt after the write: refuse before writing.
            raise self._unlisted(client, inputs, "nothing was sent")
        if existing is not None and self._shows(existing, inputs):
            # Exactly as declared (most likely our own create, its answer lost): take it over.
            return self._created(inputs, existing)
        if existing is not None and not inputs.adopt:
            # The upsert endpoint would silently overwrite it: refuse unless adopting.
            raise ResourceError(
                self.describe(inputs.model_dump()),
                "create",
                TaxonomyError(f"the plan already has this event ({existing.id})"),
                ADOPT_HINT,
            )
        return self._created(inputs, self._upsert(client, inputs))

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        plan_id, event_id = str(state["tracking_plan_id"]), state.get("event_id")
        if not event_id:
            return None
        try:
            event = _client(state).find_event(plan_id, str(event_id))
        except NotFound:
            return None
        if event is None:
            return None
        return {
            **_kept(state),
            "tracking_plan_id": plan_id,
            "event_id": event.id,
            **self._remote(event, state),
            **_facts(event),
        }

    def update_remote(self, id_: str, state: Outputs, inputs: TrackingPlanEventInputs) -> Outputs:
        client = _client(inputs)
        old_id = state.get("event_id")
        event = self._upsert(client, inputs, str(old_id) if old_id else None)
        if old_id and old_id != event.id:
            # A new name is a new event in RudderStack: take the old one out of the plan.
            _remove_event(client, inputs.tracking_plan_id, str(old_id))
        return self._outputs(inputs, event)

    def delete_remote(self, id_: str, state: Outputs) -> None:
        client = _client(state)
        plan_id, event_id = str(state["tracking_plan_id"]), state.get("event_id")
        if event_id:
            _remove_event(client, plan_id, str(event_id))


# -- source connections -----------------------------------------------------------------


class SourceConnectionProvider(TaxonomyProvider[SourceConnectionInputs]):
    """A source connected to a plan. A source is connected to one plan at a time, so
    moving it to another plan disconnects it first (delete before replace); a change of
    source connects the new one first and then disconnects the old, so a refused connect
    leaves the old connection in place."""

    kind = "RudderStack source connection"
    inputs_model = SourceConnectionInputs
    replace_on = frozenset({"tracking_plan_id", "source_id"})
    get_id = "the plan's id and the source's id joined by '/' (tp_.../<source id>), as its own id is"

    def identify(self, id_: str, props: Mapping[str, Any]) -> Outputs:
        plan_id, source_id = _ids(id_, PlanId, SourceId)
        return {"tracking_plan_id": plan_id, "source_id": source_id}

    def describe(self, values: Mapping[str, Any]) -> str:
        return f"{self.kind} of source {values.get('source_id')} to plan {values.get('tracking_plan_id')}"

    def deletes_first(self, replaces: list[str], olds: dict[str, Any], news: dict[str, Any]) -> bool:
        return "source_id" not in replaces  # another source: connect it first (see above)

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
        # Look before connecting: a connect of a source already connected to this plan is
        # refused (or, at a vendor that takes it as an upsert, a write that bumps the
        # plan's version), and what is connected decides anyway.
        current = self._config(client, inputs.tracking_plan_id, inputs.source_id)
        if current is not None:
            return self._take_over(client, inputs, current, None)
        try:
            settle(
                lambda: client.connect(inputs.tracking_plan_id, inputs.source_id, inputs.config.wire()),
                lambda: self._config(client, inputs.tracking_plan_id, inputs.source_id) is not None,
            )
        except Conflict as exc:
            # What is connected decides, not the wording of the refusal.
            current = self._config(client, inputs.tracking_plan_id, inputs.source_id)
            if current is None:
                raise ResourceError(
                    self.describe(inputs.model_dump()),
                    "create",
                    exc,
                    "the source is not connected to this plan, so it is most likely connected to another: "
                    "a source is connected to one tracking plan at a time. Disconnect it from the other "
                    "plan first (or manage that connection here and change its tracking_plan_id, which "
                    "moves it).",
                ) from exc
            return self._take_over(client, inputs, current, exc)
        return f"{inputs.tracking_plan_id}/{inputs.source_id}", inputs.model_dump(mode="json")

    def _take_over(
        self,
        client: RudderStackClient,
        inputs: SourceConnectionInputs,
        current: ConnectionConfig,
        refusal: VendorError | None,
    ) -> tuple[str, Outputs]:
        """The source is connected to this plan already: exactly as declared (most likely
        our own create, its answer lost) it is taken over with no write; otherwise only
        when adopting, or when the refusal answered a connect we had to send again."""
        if current != inputs.config:
            if not (inputs.adopt or (refusal is not None and refusal.retried)):
                raise ResourceError(
                    self.describe(inputs.model_dump()),
                    "create",
                    refusal or TaxonomyError("the source is already connected to this plan"),
                    "the source is already connected to this plan. Set adopt=True to manage that "
                    "connection (its settings are then updated to match your program).",
                )
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
    workspace_id: pulumi.Output[str | None]
    created_at: pulumi.Output[str | None]
    """When RudderStack created the plan (ISO 8601, as RudderStack wrote it)."""
    updated_at: pulumi.Output[str | None]

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
        props = resource_props(TrackingPlanProvider, connection, adopt, name=name, description=description)
        super().__init__(TrackingPlanProvider(), resource_name, props, resource_options(opts))

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        connection: ConnectionInput = None,
    ) -> TrackingPlan:
        """An existing tracking plan, read into the program without being managed
        (docs/get.md): `id` is the plan's id (`tp_...`)."""
        return get_resource(TrackingPlan, TrackingPlanProvider(), resource_name, id, opts, connection)


class TrackingPlanEvent(Resource, module="rudderstack", name="TrackingPlanEvent"):
    """An event of a tracking plan with its properties. Changing the plan or the event
    type replaces it; anything else is an update."""

    tracking_plan_id: pulumi.Output[str]
    name: pulumi.Output[str]
    event_type: pulumi.Output[str]
    properties: pulumi.Output[list[dict[str, Any]]]
    event_id: pulumi.Output[str]
    workspace_id: pulumi.Output[str | None]
    created_at: pulumi.Output[str | None]
    updated_at: pulumi.Output[str | None]

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
            TrackingPlanEventProvider,
            connection,
            adopt,
            tracking_plan_id=tracking_plan_id,
            name=name,
            event_type=event_type,
            description=description,
            category_id=category_id,
            identity_section=identity_section,
            properties=properties,
        )
        super().__init__(TrackingPlanEventProvider(), resource_name, props, resource_options(opts))

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        connection: ConnectionInput = None,
    ) -> TrackingPlanEvent:
        """An existing event of a plan, read into the program without being managed
        (docs/get.md): `id` is `<plan id>/<event id>` (`tp_.../ev_...`)."""
        return get_resource(
            TrackingPlanEvent, TrackingPlanEventProvider(), resource_name, id, opts, connection
        )


class SourceConnection(Resource, module="rudderstack", name="SourceConnection"):
    """A source connected to a tracking plan, with how it treats violations. Moving the
    source to another plan disconnects it first, then connects it there."""

    tracking_plan_id: pulumi.Output[str]
    source_id: pulumi.Output[str]
    config: pulumi.Output[dict[str, Any]]

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
            SourceConnectionProvider,
            connection,
            adopt,
            tracking_plan_id=tracking_plan_id,
            source_id=source_id,
            config=config,
        )
        super().__init__(SourceConnectionProvider(), resource_name, props, resource_options(opts))

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        connection: ConnectionInput = None,
    ) -> SourceConnection:
        """An existing connection of a source to a plan, read into the program without being
        managed (docs/get.md): `id` is `<plan id>/<source id>`, the connection's own id."""
        return get_resource(SourceConnection, SourceConnectionProvider(), resource_name, id, opts, connection)
