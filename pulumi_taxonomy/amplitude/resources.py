"""Amplitude taxonomy objects as Pulumi resources.

Each resource is a provider (schema + create/read/update/delete on typed inputs) and
a `pulumi.dynamic.Resource` class users instantiate. Provider classes are pickled by
reference into `__provider`: their module path and names are a public contract.

Choices worth knowing:
- Ids never depend on names, so renames are in-place updates (`new_event_type`...).
- Create and update return what the vendor acknowledged; `refresh` reads back (one
  list call per kind, through the client's cache).
- A write whose answer was lost is resolved by reading back, never by resending
  blindly; a conflict after a retried write is ours when the object matches.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

import pulumi
from pulumi.dynamic import Resource

from pulumi_taxonomy.amplitude.client import (
    AmplitudeClient,
    client_for,
    is_deleted_conflict,
    is_exists_conflict,
)
from pulumi_taxonomy.amplitude.models import (
    AmplitudeConnection,
    AmplitudeInputs,
    Classification,
    EventCategoryInputs,
    EventPropertyInfo,
    EventPropertyInputs,
    EventTypeInputs,
    GroupPropertyInfo,
    GroupPropertyInputs,
    PropertyInfo,
    PropertyType,
    UserPropertyInfo,
    UserPropertyInputs,
    group_property_name,
    user_property_name,
)
from pulumi_taxonomy.core.errors import NotFound, ResourceError, VendorError
from pulumi_taxonomy.core.provider import Outputs, TaxonomyProvider, settle
from pulumi_taxonomy.core.resource import resource_options, resource_props

InputsT = TypeVar("InputsT", bound=AmplitudeInputs)


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def _text(value: str | None) -> str:
    """Clearing a text field means sending it empty."""
    return value or ""


class AmplitudeProvider(TaxonomyProvider[InputsT], Generic[InputsT]):
    """The create flow every Amplitude object shares: send the create, then resolve
    lost answers, conflicts with existing or deleted objects, and adoption."""

    id_prefix: ClassVar[str]
    restorable: ClassVar[bool] = True

    # Hooks: the vendor calls of one kind of object.
    def post(self, client: AmplitudeClient, inputs: InputsT) -> None:
        raise NotImplementedError

    def fetch(self, client: AmplitudeClient, inputs: InputsT) -> Outputs | None:
        """The object as the vendor has it now (uncached), input-shaped; None if absent."""
        raise NotImplementedError

    def put(self, client: AmplitudeClient, current_name: str, inputs: InputsT) -> None:
        """Make the object match `inputs` (renaming it from `current_name` if needed)."""
        raise NotImplementedError

    def restore(self, client: AmplitudeClient, inputs: InputsT) -> None:
        raise NotImplementedError

    def remote_name(self, values: Mapping[str, Any]) -> str:
        return str(values["name"])

    def outputs(self, inputs: InputsT) -> Outputs:
        return inputs.model_dump(mode="json")

    def client(self, values: Mapping[str, Any] | AmplitudeInputs) -> AmplitudeClient:
        connection = values.connection if isinstance(values, AmplitudeInputs) else values.get("connection")
        return client_for(connection)

    def matches(self, remote: Outputs, inputs: InputsT) -> bool:
        desired = inputs.model_dump(mode="json")
        return all(
            self.normalized(field, remote.get(field)) == self.normalized(field, desired.get(field))
            for field in remote
            if field in desired and field not in self.ignore_in_diff and field != "connection"
        )

    def converge(self, client: AmplitudeClient, current_name: str, inputs: InputsT) -> None:
        """`put`, resilient to lost answers."""

        def landed() -> bool:
            remote = self.fetch(client, inputs)
            return remote is not None and self.matches(remote, inputs)

        settle(lambda: self.put(client, current_name, inputs), landed)

    def create_remote(self, inputs: InputsT) -> tuple[str, Outputs]:
        client = self.client(inputs)
        try:
            settle(lambda: self.post(client, inputs), lambda: self.fetch(client, inputs) is not None)
        except VendorError as exc:
            self.resolve_conflict(client, inputs, exc)
        else:
            self.after_post(client, inputs)
        return _new_id(self.id_prefix), self.outputs(inputs)

    def after_post(self, client: AmplitudeClient, inputs: InputsT) -> None:
        """Fields the create endpoint cannot set, applied right after it."""

    def resolve_conflict(self, client: AmplitudeClient, inputs: InputsT, exc: VendorError) -> None:
        name = self.describe(inputs.model_dump())
        current = self.remote_name(inputs.model_dump())
        if self.restorable and is_deleted_conflict(exc):
            if not inputs.adopt:
                raise ResourceError(
                    name,
                    "create",
                    exc,
                    "it exists in Amplitude but is deleted. Set adopt=True to restore it and manage it "
                    "from this program, or choose another name.",
                )
            settle(lambda: self.restore(client, inputs), lambda: self.fetch(client, inputs) is not None)
            self.converge(client, current, inputs)
            return
        if not is_exists_conflict(exc):
            raise exc
        remote = self.fetch(client, inputs)
        if remote is not None and self.matches(remote, inputs):
            # Exactly as declared: most likely this stack's own create whose answer was lost
            # (a crash, a dropped connection). Taking it over writes nothing.
            if not (inputs.adopt or exc.retried):
                pulumi.log.info(f"{name} already exists exactly as declared; managing it")
            return
        # A conflict on a create we had to resend (after a 429/5xx) is our first attempt
        # having landed; otherwise the object is someone else's until adopted.
        if not (inputs.adopt or exc.retried):
            raise ResourceError(
                name,
                "create",
                exc,
                "it already exists in Amplitude, different from your program. To manage it, set "
                "adopt=True on this resource (it is then updated to match your program); or choose "
                "another name.",
            )
        self.converge(client, current, inputs)

    def update_remote(self, id_: str, state: Outputs, inputs: InputsT) -> Outputs:
        client = self.client(inputs)
        try:
            self.converge(client, self.remote_name(state), inputs)
        except NotFound as exc:
            raise ResourceError(
                self.describe(state),
                "update",
                exc,
                "it no longer exists in Amplitude (deleted or renamed outside Pulumi). Run `pulumi refresh` "
                "to drop it from the stack, then `pulumi up` to create it again.",
            ) from exc
        return self.outputs(inputs)

    def remove(self, id_: str, state: Outputs, delete: Callable[[], None]) -> None:
        """Delete, treating "already gone" as done and resolving lost answers by looking."""
        with contextlib.suppress(NotFound):  # already gone: the goal is reached
            settle(delete, lambda: self.read_remote(id_, state) is None)

    def hint(self, error: Exception, operation: str) -> str:
        if isinstance(error, VendorError) and error.status == 429:
            return "Amplitude's rate limit was hit after retries; run the operation again later."
        return super().hint(error, operation)


def _property_fields(inputs: Any, *, with_required: bool, creating: bool = False) -> dict[str, Any]:
    """The property attributes as form fields. On update, empty values are sent to
    clear what was there; on create, unset fields are left out."""
    fields: dict[str, Any] = {
        "description": _text(inputs.description),
        "type": inputs.type,
        "regex": inputs.regex or "",
        "enum_values": list(inputs.enum_values),
        "is_array_type": inputs.is_array_type,
    }
    if with_required:
        fields["is_required"] = inputs.is_required
    if creating:
        fields = {k: v for k, v in fields.items() if v not in ("", [])}
    return fields


def _property_outputs(info: PropertyInfo) -> dict[str, Any]:
    return {
        "description": info.description or None,
        "type": info.type or "any",
        "regex": info.regex or None,
        "enum_values": info.enum_values,
        "is_array_type": info.is_array_type,
        "classifications": info.classifications,
    }


def _kept(state: Mapping[str, Any]) -> dict[str, Any]:
    """What read carries over from state: settings that are not on the vendor's side."""
    return {"adopt": state.get("adopt", False), "connection": state.get("connection")}


def _find(items: list[Any], attr: str, name: object) -> Any:
    return next((item for item in items if getattr(item, attr) == name), None)


# -- event categories ------------------------------------------------------------------


class EventCategoryProvider(AmplitudeProvider[EventCategoryInputs]):
    kind = "Amplitude event category"
    inputs_model = EventCategoryInputs
    id_prefix = "cat"
    restorable = False
    computed = frozenset({"category_id"})

    def describe(self, values: Mapping[str, Any]) -> str:
        return f'{self.kind} "{values.get("name")}"'

    def post(self, client: AmplitudeClient, inputs: EventCategoryInputs) -> None:
        client.create_category(inputs.name)

    def fetch(self, client: AmplitudeClient, inputs: EventCategoryInputs) -> Outputs | None:
        try:
            category = client.get_category(inputs.name)
        except NotFound:
            return None
        return {"name": category.name, "category_id": category.id}

    def put(self, client: AmplitudeClient, current_name: str, inputs: EventCategoryInputs) -> None:
        return  # a category is only its name, and the id says which one

    def create_remote(self, inputs: EventCategoryInputs) -> tuple[str, Outputs]:
        super().create_remote(inputs)
        # POST answers no id: the id (stable across renames) is read by name.
        found = self.fetch(self.client(inputs), inputs)
        if found is None:
            raise ResourceError(
                self.describe(inputs.model_dump()),
                "create",
                NotFound("Amplitude GET category", 400, "Not found"),
                "Amplitude accepted the category but does not show it; run `pulumi up` again.",
            )
        return str(found["category_id"]), {**self.outputs(inputs), "category_id": found["category_id"]}

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        category = _find(self.client(state).list_categories(), "id", int(id_))
        if category is None:
            return None
        return {**_kept(state), "name": category.name, "category_id": category.id}

    def update_remote(self, id_: str, state: Outputs, inputs: EventCategoryInputs) -> Outputs:
        client = self.client(inputs)

        def landed() -> bool:
            category = _find(client.list_categories(), "id", int(id_))
            return category is not None and category.name == inputs.name

        try:
            settle(lambda: client.rename_category(int(id_), inputs.name), landed)
        except NotFound as exc:
            raise ResourceError(
                self.describe(state),
                "update",
                exc,
                "it no longer exists in Amplitude; run `pulumi refresh`, then `pulumi up`.",
            ) from exc
        return {**self.outputs(inputs), "category_id": int(id_)}

    def delete_remote(self, id_: str, state: Outputs) -> None:
        self.remove(id_, state, lambda: self.client(state).delete_category(int(id_)))


# -- event types -----------------------------------------------------------------------


class EventTypeProvider(AmplitudeProvider[EventTypeInputs]):
    kind = "Amplitude event type"
    inputs_model = EventTypeInputs
    id_prefix = "evt"

    def describe(self, values: Mapping[str, Any]) -> str:
        return f'{self.kind} "{values.get("name")}"'

    def post(self, client: AmplitudeClient, inputs: EventTypeInputs) -> None:
        client.create_event(inputs.name, inputs.category, inputs.description)

    def after_post(self, client: AmplitudeClient, inputs: EventTypeInputs) -> None:
        if inputs.display_name:  # the create endpoint has no display_name
            self.converge(client, inputs.name, inputs)

    def fetch(self, client: AmplitudeClient, inputs: EventTypeInputs) -> Outputs | None:
        try:
            event = client.get_event(inputs.name)
        except NotFound:
            return None
        return self._remote(event)

    @staticmethod
    def _remote(event: Any) -> Outputs:
        return {
            "name": event.event_type,
            "category": event.category.name if event.category else None,
            "description": event.description or None,
            "display_name": event.display_name or None,
        }

    def put(self, client: AmplitudeClient, current_name: str, inputs: EventTypeInputs) -> None:
        client.update_event(
            current_name,
            new_name=inputs.name if inputs.name != current_name else None,
            category=_text(inputs.category),
            description=_text(inputs.description),
            display_name=_text(inputs.display_name),
        )

    def restore(self, client: AmplitudeClient, inputs: EventTypeInputs) -> None:
        client.restore_event(inputs.name)

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        client = self.client(state)
        name = self.remote_name(state)
        event = _find(client.list_events(), "event_type", name)
        if event is None:
            # Hidden events are left out of the list; a single GET still sees them.
            try:
                event = client.get_event(name)
            except NotFound:
                return None
        return {**_kept(state), **self._remote(event)}

    def delete_remote(self, id_: str, state: Outputs) -> None:
        self.remove(id_, state, lambda: self.client(state).delete_event(self.remote_name(state)))


# -- event properties --------------------------------------------------------------------


class EventPropertyProvider(AmplitudeProvider[EventPropertyInputs]):
    kind = "Amplitude event property"
    inputs_model = EventPropertyInputs
    id_prefix = "evp"
    replace_on = frozenset({"event_type"})

    def describe(self, values: Mapping[str, Any]) -> str:
        where = f' on event "{values["event_type"]}"' if values.get("event_type") else " (shared)"
        return f'{self.kind} "{values.get("name")}"{where}'

    def post(self, client: AmplitudeClient, inputs: EventPropertyInputs) -> None:
        fields = _property_fields(inputs, with_required=True, creating=True)
        if inputs.event_type is None and inputs.classifications:
            fields["classifications"] = list(inputs.classifications)
        client.create_event_property(inputs.name, inputs.event_type, **fields)

    def fetch(self, client: AmplitudeClient, inputs: EventPropertyInputs) -> Outputs | None:
        try:
            return self._remote(client.get_event_property(inputs.name, inputs.event_type), inputs.event_type)
        except NotFound:
            return None

    @staticmethod
    def _remote(info: EventPropertyInfo, event_type: str | None) -> Outputs:
        return {
            "name": info.event_property,
            "event_type": event_type,
            "is_required": info.is_required,
            **_property_outputs(info),
        }

    def put(self, client: AmplitudeClient, current_name: str, inputs: EventPropertyInputs) -> None:
        fields = _property_fields(inputs, with_required=True)
        if inputs.event_type is None:
            fields["classifications"] = list(inputs.classifications)
        client.update_event_property(
            current_name,
            inputs.event_type,
            # A per-event property's attributes belong to that event only.
            override_scope="override" if inputs.event_type else None,
            new_name=inputs.name if inputs.name != current_name else None,
            **fields,
        )

    def restore(self, client: AmplitudeClient, inputs: EventPropertyInputs) -> None:
        client.restore_event_property(inputs.name)

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        event_type = state.get("event_type")
        try:
            items = self.client(state).list_event_properties(event_type)
        except NotFound:
            return None  # the event itself is gone
        info = _find(items, "event_property", self.remote_name(state))
        return None if info is None else {**_kept(state), **self._remote(info, event_type)}

    def delete_remote(self, id_: str, state: Outputs) -> None:
        client = self.client(state)
        self.remove(
            id_, state, lambda: client.delete_event_property(self.remote_name(state), state.get("event_type"))
        )


# -- user properties ---------------------------------------------------------------------


class UserPropertyProvider(AmplitudeProvider[UserPropertyInputs]):
    kind = "Amplitude user property"
    inputs_model = UserPropertyInputs
    id_prefix = "usp"
    computed = frozenset({"remote_name"})

    def describe(self, values: Mapping[str, Any]) -> str:
        return f'{self.kind} "{user_property_name(str(values.get("name")))}"'

    def remote_name(self, values: Mapping[str, Any]) -> str:
        return user_property_name(str(values["name"]))

    def normalized(self, field: str, value: Any) -> Any:
        if field == "name" and isinstance(value, str):
            return user_property_name(value)
        return super().normalized(field, value)

    def outputs(self, inputs: UserPropertyInputs) -> Outputs:
        return {**super().outputs(inputs), "remote_name": inputs.remote_name}

    def post(self, client: AmplitudeClient, inputs: UserPropertyInputs) -> None:
        fields = _property_fields(inputs, with_required=False, creating=True)
        if inputs.classifications:
            fields["classifications"] = list(inputs.classifications)
        client.create_user_property(inputs.remote_name, **fields)

    def fetch(self, client: AmplitudeClient, inputs: UserPropertyInputs) -> Outputs | None:
        try:
            info = client.get_user_property(inputs.remote_name)
        except NotFound:
            return None
        return None if info.deleted else self._remote(info, inputs.name)

    @staticmethod
    def _remote(info: UserPropertyInfo, written_as: str) -> Outputs:
        # Keep the user's spelling (with or without gp:) when it names the same property.
        name = written_as if user_property_name(written_as) == info.user_property else info.user_property
        return {"name": name, "remote_name": info.user_property, **_property_outputs(info)}

    def put(self, client: AmplitudeClient, current_name: str, inputs: UserPropertyInputs) -> None:
        client.update_user_property(
            current_name,
            new_name=inputs.remote_name if inputs.remote_name != current_name else None,
            classifications=list(inputs.classifications),
            **_property_fields(inputs, with_required=False),
        )

    def restore(self, client: AmplitudeClient, inputs: UserPropertyInputs) -> None:
        client.restore_user_property(inputs.remote_name)

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        info = _find(self.client(state).list_user_properties(), "user_property", self.remote_name(state))
        if info is None or info.deleted:
            return None
        return {**_kept(state), **self._remote(info, str(state["name"]))}

    def delete_remote(self, id_: str, state: Outputs) -> None:
        self.remove(id_, state, lambda: self.client(state).delete_user_property(self.remote_name(state)))


# -- group properties --------------------------------------------------------------------


class GroupPropertyProvider(AmplitudeProvider[GroupPropertyInputs]):
    kind = "Amplitude group property"
    inputs_model = GroupPropertyInputs
    id_prefix = "grp"
    restorable = False  # Amplitude has neither delete nor restore for group properties
    replace_on = frozenset({"group_type"})
    computed = frozenset({"remote_name"})

    def describe(self, values: Mapping[str, Any]) -> str:
        where = f' on group type "{values["group_type"]}"' if values.get("group_type") else " (shared)"
        return f'{self.kind} "{group_property_name(str(values.get("name")))}"{where}'

    def remote_name(self, values: Mapping[str, Any]) -> str:
        return group_property_name(str(values["name"]))

    def normalized(self, field: str, value: Any) -> Any:
        if field == "name" and isinstance(value, str):
            return group_property_name(value)
        return super().normalized(field, value)

    def outputs(self, inputs: GroupPropertyInputs) -> Outputs:
        return {**super().outputs(inputs), "remote_name": inputs.remote_name}

    def post(self, client: AmplitudeClient, inputs: GroupPropertyInputs) -> None:
        fields = _property_fields(inputs, with_required=False, creating=True)
        if inputs.group_type is None and inputs.classifications:
            fields["classifications"] = list(inputs.classifications)
        client.create_group_property(inputs.remote_name, inputs.group_type, **fields)

    def fetch(self, client: AmplitudeClient, inputs: GroupPropertyInputs) -> Outputs | None:
        try:
            info = client.get_group_property(inputs.remote_name, inputs.group_type)
        except NotFound:
            return None
        return self._remote(info, inputs.name, inputs.group_type)

    @staticmethod
    def _remote(info: GroupPropertyInfo, written_as: str, group_type: str | None) -> Outputs:
        name = written_as if group_property_name(written_as) == info.group_property else info.group_property
        return {
            "name": name,
            "remote_name": info.group_property,
            "group_type": group_type,
            **_property_outputs(info),
        }

    def put(self, client: AmplitudeClient, current_name: str, inputs: GroupPropertyInputs) -> None:
        fields = _property_fields(inputs, with_required=False)
        if inputs.group_type is None:
            fields["classifications"] = list(inputs.classifications)
        client.update_group_property(
            current_name,
            inputs.group_type,
            override_scope="override" if inputs.group_type else None,
            new_name=inputs.remote_name if inputs.remote_name != current_name else None,
            **fields,
        )

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        group_type = state.get("group_type")
        try:
            items = self.client(state).list_group_properties(group_type)
        except NotFound:
            return None
        info = _find(items, "group_property", self.remote_name(state))
        return (
            None if info is None else {**_kept(state), **self._remote(info, str(state["name"]), group_type)}
        )

    def delete_remote(self, id_: str, state: Outputs) -> None:
        pulumi.log.warn(
            f"{self.describe(state)}: Amplitude has no API to delete group properties, so it was removed "
            "from this stack but still exists in Amplitude. Remove it in Amplitude Data if it should go."
        )


# -- the classes programs use --------------------------------------------------------------


ConnectionInput = pulumi.Input[AmplitudeConnection] | pulumi.Input[Mapping[str, Any]] | None


class EventCategory(Resource, module="amplitude", name="EventCategory"):
    """An Amplitude event category. Renaming it keeps its id."""

    name: pulumi.Output[str]
    category_id: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        adopt: pulumi.Input[bool] = False,
        connection: ConnectionInput = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = resource_props(connection, adopt, name=name, category_id=None)
        super().__init__(EventCategoryProvider(), resource_name, props, resource_options(opts))


class EventType(Resource, module="amplitude", name="EventType"):
    """A planned Amplitude event type. Renaming it is an in-place update."""

    name: pulumi.Output[str]
    category: pulumi.Output[str | None]
    description: pulumi.Output[str | None]
    display_name: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        category: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        display_name: pulumi.Input[str] | None = None,
        adopt: pulumi.Input[bool] = False,
        connection: ConnectionInput = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = resource_props(
            connection,
            adopt,
            name=name,
            category=category,
            description=description,
            display_name=display_name,
        )
        super().__init__(EventTypeProvider(), resource_name, props, resource_options(opts))


class EventProperty(Resource, module="amplitude", name="EventProperty"):
    """An event property: shared (no `event_type`) or on one event. Changing the event
    replaces it; renaming it renames the property in Amplitude, on every event."""

    name: pulumi.Output[str]
    event_type: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        event_type: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        type: pulumi.Input[PropertyType] = "any",
        regex: pulumi.Input[str] | None = None,
        enum_values: pulumi.Input[list[str]] | None = None,
        is_array_type: pulumi.Input[bool] = False,
        is_required: pulumi.Input[bool] = False,
        classifications: pulumi.Input[list[Classification]] | None = None,
        adopt: pulumi.Input[bool] = False,
        connection: ConnectionInput = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = resource_props(
            connection,
            adopt,
            name=name,
            event_type=event_type,
            description=description,
            type=type,
            regex=regex,
            enum_values=enum_values or [],
            is_array_type=is_array_type,
            is_required=is_required,
            classifications=classifications or [],
        )
        super().__init__(EventPropertyProvider(), resource_name, props, resource_options(opts))


class UserProperty(Resource, module="amplitude", name="UserProperty"):
    """A custom user property; write its name with or without `gp:`."""

    name: pulumi.Output[str]
    remote_name: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        type: pulumi.Input[PropertyType] = "any",
        regex: pulumi.Input[str] | None = None,
        enum_values: pulumi.Input[list[str]] | None = None,
        is_array_type: pulumi.Input[bool] = False,
        classifications: pulumi.Input[list[Classification]] | None = None,
        adopt: pulumi.Input[bool] = False,
        connection: ConnectionInput = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = resource_props(
            connection,
            adopt,
            name=name,
            description=description,
            type=type,
            regex=regex,
            enum_values=enum_values or [],
            is_array_type=is_array_type,
            classifications=classifications or [],
            remote_name=None,
        )
        super().__init__(UserPropertyProvider(), resource_name, props, resource_options(opts))


class GroupProperty(Resource, module="amplitude", name="GroupProperty"):
    """A custom group property (`grp:`), shared or on one group type. Amplitude cannot
    delete group properties: deleting the resource only removes it from the stack."""

    name: pulumi.Output[str]
    remote_name: pulumi.Output[str]
    group_type: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        group_type: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        type: pulumi.Input[PropertyType] = "any",
        regex: pulumi.Input[str] | None = None,
        enum_values: pulumi.Input[list[str]] | None = None,
        is_array_type: pulumi.Input[bool] = False,
        classifications: pulumi.Input[list[Classification]] | None = None,
        adopt: pulumi.Input[bool] = False,
        connection: ConnectionInput = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = resource_props(
            connection,
            adopt,
            name=name,
            group_type=group_type,
            description=description,
            type=type,
            regex=regex,
            enum_values=enum_values or [],
            is_array_type=is_array_type,
            classifications=classifications or [],
            remote_name=None,
        )
        super().__init__(GroupPropertyProvider(), resource_name, props, resource_options(opts))
