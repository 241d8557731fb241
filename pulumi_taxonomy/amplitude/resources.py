"""Amplitude taxonomy objects as Pulumi resources.

Each resource is a provider (schema + create/read/update/delete on typed inputs) and
a `pulumi.dynamic.Resource` class users instantiate. Provider classes are pickled by
reference into `__provider`: their module path and names are a public contract.

Choices worth knowing:
- Ids never depend on names, so renames are in-place updates (`new_event_type`...).
  Moving a property between the shared definition and an event (or between events,
  or group types) is an in-place update too: it attaches the property where it goes,
  then detaches it where it was, and never deletes the shared definition it relies on.
- A create that Amplitude refuses is resolved by looking, never by reading its
  message: a live object is taken over (when exactly as declared, or with `adopt`),
  one that is not live is soft-deleted and restored (with `adopt`).
- A write whose answer was lost is resolved by reading back, never by resending
  blindly; a conflict after a retried write is ours when the object matches.
- "Not found" on a delete is believed only when a read agrees; a delete of an object
  that another resource of this run has taken over (a replacement) leaves it alone.
- Clearing a field sends it empty (undocumented), and is read back: if Amplitude kept
  the value, the update fails saying so.
- `X.get(name, id)` reads an object by Amplitude's own key, its name (a category also
  by its numeric id; a property's event or group type as a keyword argument), since our
  ids are synthetic. Amplitude's answers carry no ids or timestamps except a category's id.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import pulumi
from pulumi.dynamic import Resource
from pydantic import TypeAdapter

from pulumi_taxonomy.amplitude.client import (
    AmplitudeClient,
    ParameterIgnored,
    Refused,
    TaxonomyUnavailable,
    client_for,
    own_user_property_name,
)
from pulumi_taxonomy.amplitude.models import (
    GROUP_PREFIX,
    AmplitudeConnection,
    AmplitudeInputs,
    Classification,
    EventCategoryInputs,
    EventPropertyInfo,
    EventPropertyInputs,
    EventTypeInfo,
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
from pulumi_taxonomy.core.errors import Conflict, NotFound, ResourceError, VendorError
from pulumi_taxonomy.core.provider import Outputs, TaxonomyProvider, settle
from pulumi_taxonomy.core.resource import get_resource, resource_options, resource_props

InputsT = TypeVar("InputsT", bound=AmplitudeInputs)
Key = tuple[str, ...]

REFUSED = (Conflict, Refused)
"""How Amplitude refuses a create of something that exists (or is deleted): a 409, or
for user properties a 200 `{"success": false}`."""


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def _empty(value: Any) -> bool:
    return value is None or value is False or value in ("", [])


@dataclass
class RunMemory:
    """What this provider process learnt during the current command, per project.

    The engine runs every resource of a deployment in one provider process, and does
    the deletes of removed resources after every create and update. So a delete can
    learn here that another resource took its object over (a replacement: the new
    resource is created first), or that its event was renamed by this very run."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    owners: dict[Key, str] = field(default_factory=dict)
    renamed_events: dict[str, str] = field(default_factory=dict)

    def claim(self, key: Key, id_: str) -> None:
        with self.lock:
            self.owners[key] = id_

    def claimed_by_another(self, key: Key, id_: str) -> bool:
        with self.lock:
            return self.owners.get(key, id_) != id_

    def event_renamed(self, old: str, new: str) -> None:
        with self.lock:
            self.renamed_events[old] = new

    def current_event(self, name: str) -> str:
        with self.lock:
            for _ in range(len(self.renamed_events) + 1):  # follow A -> B -> C, never loop
                if name not in self.renamed_events:
                    break
                name = self.renamed_events[name]
            return name


_memories: dict[int, RunMemory] = {}
_memories_lock = threading.Lock()


def memory_of(client: AmplitudeClient) -> RunMemory:
    """The run memory of the project this client reaches (clients live as long as the process)."""
    with _memories_lock:
        return _memories.setdefault(id(client), RunMemory())


class AmplitudeProvider(TaxonomyProvider[InputsT], Generic[InputsT]):
    """The flows every Amplitude object shares: create (resolving lost answers,
    refusals, adoption and restore), converge, and delete."""

    id_prefix: ClassVar[str]
    restorable: ClassVar[bool] = True
    clearable: ClassVar[tuple[str, ...]] = ()
    """Fields cleared by sending them empty (undocumented, so read back)."""
    verify_created: ClassVar[bool] = False
    """Read back after a create: where the name sent in the body differs from the name
    Amplitude stores (`gp:`, `grp:`), a different reading must not pass silently."""

    # -- hooks: the vendor calls of one kind of object ---------------------------------

    def post(self, client: AmplitudeClient, inputs: InputsT) -> None:
        raise NotImplementedError

    def fetch(self, client: AmplitudeClient, inputs: InputsT) -> Outputs | None:
        """The object as the vendor has it now, input-shaped; None if absent or deleted."""
        raise NotImplementedError

    def put(self, client: AmplitudeClient, current_name: str, inputs: InputsT, clear: set[str]) -> None:
        """Make the object match `inputs` (renaming it from `current_name` if needed),
        sending the fields in `clear` empty."""
        raise NotImplementedError

    def restore(self, client: AmplitudeClient, inputs: InputsT) -> None:
        raise NotImplementedError

    def deleted(self, client: AmplitudeClient, inputs: InputsT) -> bool | None:
        """Whether Amplitude holds the object as deleted: True or False where a documented
        answer tells, None where nothing does."""
        return None

    def restored(self, client: AmplitudeClient, inputs: InputsT) -> bool:
        """Whether a restore took effect (to settle a restore whose answer was lost)."""
        return self.fetch(client, inputs) is not None

    def key(self, values: Mapping[str, Any]) -> Key:
        """Which vendor object these values name (kind, name, scope)."""
        return (self.id_prefix, self.remote_name(values))

    get_scope: ClassVar[str | None] = None
    """The keyword argument of `get` that names where a property is (its event or group
    type); absent means the shared definition."""

    def identify(self, id_: str, props: Mapping[str, Any]) -> Outputs:
        # Amplitude keys objects by name: the id is the name, checked as an input would be.
        values: Outputs = {"name": id_}
        if self.get_scope is not None:
            values[self.get_scope] = props.get(self.get_scope)
        self.inputs_model.model_validate(values)
        return values

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

    # -- flows -------------------------------------------------------------------------

    def to_clear(self, inputs: InputsT, baseline: Mapping[str, Any]) -> set[str]:
        desired = inputs.model_dump(mode="json")
        return {f for f in self.clearable if _empty(desired.get(f)) and not _empty(baseline.get(f))}

    def converge(
        self, client: AmplitudeClient, current_name: str, inputs: InputsT, baseline: Mapping[str, Any]
    ) -> None:
        """`put`, resilient to lost answers; then what the answer cannot prove is read back:
        a rename, and fields cleared by sending them empty."""
        clear = self.to_clear(inputs, baseline)

        def landed() -> bool:
            remote = self.fetch(client, inputs)
            return remote is not None and self.matches(remote, inputs)

        settle(lambda: self.put(client, current_name, inputs, clear), landed)
        renamed = current_name != self.remote_name(inputs.model_dump())
        if not (renamed or clear):
            return
        remote = self.fetch(client, inputs)
        name = self.describe(inputs.model_dump())
        if remote is None:
            raise ResourceError(
                name,
                "update",
                NotFound(f"Amplitude read after renaming {current_name!r}", 200, "not listed"),
                "Amplitude accepted the rename but does not list it under its new name: it may have "
                "read the name differently. Check the name in Amplitude, then run `pulumi refresh`.",
            )
        kept = sorted(f for f in clear if not _empty(remote.get(f)))
        if kept:
            values = ", ".join(f"{f}={remote.get(f)!r}" for f in kept)
            raise ResourceError(
                name,
                "update",
                ParameterIgnored("Amplitude PUT", 200, f"it kept {values} although an empty value was sent"),
                "Amplitude's API does not clear this field by an empty value. Give it a value in your "
                "program, or clear it in Amplitude's web app and run `pulumi refresh`.",
            )

    def post_settled(self, client: AmplitudeClient, inputs: InputsT) -> None:
        """`post`; when its answer is lost, look (`fetch`) before posting again."""
        settle(lambda: self.post(client, inputs), lambda: self.fetch(client, inputs) is not None)

    def create_remote(self, inputs: InputsT) -> tuple[str, Outputs]:
        client = self.client(inputs)
        try:
            self.post_settled(client, inputs)
        except REFUSED as exc:
            self.resolve_refusal(client, inputs, exc)
        else:
            self.after_post(client, inputs)
        id_ = _new_id(self.id_prefix)
        memory_of(client).claim(self.key(inputs.model_dump()), id_)
        return id_, self.outputs(inputs)

    def after_post(self, client: AmplitudeClient, inputs: InputsT) -> None:
        """Fields the create endpoint cannot set, applied right after it; and the read-back
        of `verify_created`."""
        if self.verify_created and self.fetch(client, inputs) is None:
            raise ResourceError(
                self.describe(inputs.model_dump()),
                "create",
                NotFound("Amplitude read after create", 200, "not listed"),
                f"Amplitude accepted the create but does not list {self.remote_name(inputs.model_dump())!r}: "
                "it may have stored the name differently. Check it in Amplitude before retrying.",
            )

    def resolve_refusal(self, client: AmplitudeClient, inputs: InputsT, exc: VendorError) -> None:
        """Amplitude refused the create: find out why by looking, not by its message."""
        name = self.describe(inputs.model_dump())
        current = self.remote_name(inputs.model_dump())
        remote = self.fetch(client, inputs)
        if remote is None:
            deleted = self.deleted(client, inputs) if self.restorable else False
            if deleted is False:
                raise exc  # not live and not deleted: the refusal is about something else
            # Refused, yet not live: soft-deleted objects keep their names (restore is the fix).
            if not inputs.adopt:
                why = "it is deleted" if deleted else "if it was deleted (a deleted object keeps its name)"
                raise ResourceError(
                    name,
                    "create",
                    exc,
                    f"Amplitude refused to create it and does not list it: {why}, set adopt=True to "
                    "restore it and manage it from this program, or choose another name. Otherwise "
                    "Amplitude's answer above says why it refused.",
                )
            try:
                settle(lambda: self.restore(client, inputs), lambda: self.restored(client, inputs))
            except NotFound as missing:
                raise ResourceError(
                    name,
                    "create",
                    exc,
                    f"Amplitude refused to create it and has nothing by that name to restore ({missing}). "
                    "Amplitude's answer above says why it refused.",
                ) from missing
            remote = self.fetch(client, inputs)
            if remote is None:  # restored, but not yet where this resource puts it
                self.post_settled(client, inputs)
                self.after_post(client, inputs)
                return
            self.converge(client, current, inputs, remote)
            return
        if self.matches(remote, inputs):
            # Exactly as declared: most likely this stack's own create whose answer was lost
            # (a crash, a dropped connection). Taking it over writes nothing.
            if not (inputs.adopt or exc.retried):
                pulumi.log.info(f"{name} already exists exactly as declared; managing it")
            return
        # A refusal of a create we had to resend (after a 429/5xx) is our first attempt
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
        self.converge(client, current, inputs, remote)

    def update_remote(self, id_: str, state: Outputs, inputs: InputsT) -> Outputs:
        client = self.client(inputs)
        try:
            self.converge(client, self.remote_name(state), inputs, state)
        except NotFound as exc:
            raise self.gone_on_update(state, exc) from exc
        memory_of(client).claim(self.key(inputs.model_dump()), id_)
        return self.outputs(inputs)

    def gone_on_update(self, state: Outputs, exc: Exception) -> ResourceError:
        return ResourceError(
            self.describe(state),
            "update",
            exc,
            "it no longer exists in Amplitude (deleted or renamed outside Pulumi). Run `pulumi refresh` "
            "to drop it from the stack, then `pulumi up` to create it again.",
        )

    def remove(self, id_: str, state: Outputs, delete: Callable[[], None]) -> bool:
        """Delete, resolving lost answers by looking; False when it was already gone.
        "Not found" is believed only when a read agrees; an object another resource took
        over in this run (its replacement) is left alone."""
        client = self.client(state)
        if memory_of(client).claimed_by_another(self.key(state), id_):
            pulumi.log.info(f"{self.describe(state)}: now managed by its replacement; left in place")
            return False
        try:
            settle(delete, lambda: self.read_remote(id_, state) is None)
        except NotFound as exc:
            if self.read_remote(id_, state) is not None:
                raise ResourceError(
                    self.describe(state),
                    "delete",
                    exc,
                    "Amplitude answered that it does not exist, yet still lists it; nothing was removed "
                    "from the stack. Check it in Amplitude and run `pulumi refresh`.",
                ) from exc
            return False
        return True

    def hint(self, error: Exception, operation: str) -> str:
        if isinstance(error, TaxonomyUnavailable):
            return (
                "check that this Amplitude project has the Taxonomy API (an Enterprise plan or the "
                "Taxonomy add-on) and that the region or base URL is right. Nothing was taken out of "
                "the stack."
            )
        if isinstance(error, ParameterIgnored):
            return "nothing was changed; run the operation again without the proxy, or report it."
        if isinstance(error, Refused):
            return (
                "Amplitude gave no reason. Typical causes: it already exists or is deleted (set "
                "adopt=True), or an attribute is not accepted (classifications need Data Access Controls)."
            )
        if isinstance(error, VendorError) and error.status == 429:
            return "Amplitude's rate limit was hit after retries; run the operation again later."
        return super().hint(error, operation)


def _property_fields(inputs: Any, clear: set[str], *, with_required: bool, shared: bool) -> dict[str, Any]:
    """The attributes as form fields: those set, and those being cleared sent empty.
    `classifications` only when set (they need Data Access Controls) or being cleared,
    and only on shared properties (Amplitude refuses them on overrides)."""
    fields: dict[str, Any] = {"type": inputs.type, "is_array_type": inputs.is_array_type}
    if with_required:
        fields["is_required"] = inputs.is_required
    texts = {
        "description": inputs.description or "",
        "regex": inputs.regex or "",
        "enum_values": list(inputs.enum_values),
    }
    if shared:
        texts["classifications"] = list(inputs.classifications)
    for name, value in texts.items():
        if value or name in clear:
            fields[name] = value
    return fields


def _property_outputs(info: PropertyInfo, *, shared: bool) -> dict[str, Any]:
    """A property's attributes as outputs. Classifications belong to the shared property
    only (Amplitude refuses them on overrides); what an event's or group type's list shows
    of them is the shared property's, so it is not this resource's to report."""
    return {
        "description": info.description or None,
        "type": info.type or "any",
        "regex": info.regex or None,
        "enum_values": info.enum_values,
        "is_array_type": info.is_array_type,
        "classifications": info.classifications if shared else [],
    }


PROPERTY_CLEARABLE = ("description", "regex", "enum_values", "classifications")


def _kept(state: Mapping[str, Any]) -> dict[str, Any]:
    """What read carries over from state: settings that are not on the vendor's side."""
    return {"adopt": state.get("adopt", False), "connection": state.get("connection")}


def _find(items: list[Any], attr: str, name: object) -> Any:
    return next((item for item in items if getattr(item, attr) == name and not item.deleted), None)


# -- event categories ------------------------------------------------------------------


class EventCategoryProvider(AmplitudeProvider[EventCategoryInputs]):
    kind = "Amplitude event category"
    inputs_model = EventCategoryInputs
    id_prefix = "cat"
    restorable = False
    computed = frozenset({"category_id"})
    get_id = "the category's name as Amplitude spells it, or its numeric id given as an int"

    def identify(self, id_: str, props: Mapping[str, Any]) -> Outputs:
        if props.get("category_id") is None:
            return super().identify(id_, props)
        # `get` with an int: the engine carries the number as a float.
        category_id = TypeAdapter(int).validate_python(props["category_id"])
        if str(category_id) != id_:
            raise ValueError(f"the id {id_!r} and category_id {category_id} differ")
        return {"category_id": category_id}

    def lookup(self, id_: str, values: Outputs) -> Outputs | None:
        if "category_id" in values:
            return self.read_remote(id_, values)
        category = self.client(values).find_category(str(values["name"]))
        return (
            None if category is None else {**_kept(values), "name": category.name, "category_id": category.id}
        )

    def describe(self, values: Mapping[str, Any]) -> str:
        return f'{self.kind} "{values.get("name")}"'

    def key(self, values: Mapping[str, Any]) -> Key:
        return (self.id_prefix, str(values.get("category_id") or values.get("name")))

    def post(self, client: AmplitudeClient, inputs: EventCategoryInputs) -> None:
        client.create_category(inputs.name)

    def fetch(self, client: AmplitudeClient, inputs: EventCategoryInputs) -> Outputs | None:
        # Read from the list: a category name never goes into a path, so any name works.
        category = client.find_category(inputs.name)
        return None if category is None else {"name": category.name, "category_id": category.id}

    def put(
        self, client: AmplitudeClient, current_name: str, inputs: EventCategoryInputs, clear: set[str]
    ) -> None:
        return  # a category is only its name, and the id says which one

    def create_remote(self, inputs: EventCategoryInputs) -> tuple[str, Outputs]:
        super().create_remote(inputs)
        # POST answers no id: the id (stable across renames) is read by name.
        client = self.client(inputs)
        found = self.fetch(client, inputs)
        if found is None:
            raise ResourceError(
                self.describe(inputs.model_dump()),
                "create",
                NotFound("Amplitude GET category", 200, "not listed"),
                "Amplitude accepted the category but does not list it; run `pulumi up` again.",
            )
        # A category's resource id is Amplitude's id, so a replacement has the same id as the
        # resource it replaces: its claim says "created in this run" instead, which no
        # delete (of the replaced resource, later in the run) matches.
        memory_of(client).claim(self.key(found), "created in this run")
        return str(found["category_id"]), {**self.outputs(inputs), "category_id": found["category_id"]}

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        # By the id in state: a category read with `get` has the name it was got by as its id.
        category_id = int(state.get("category_id") or id_)
        category = self.client(state).category_by_id(category_id)
        if category is None:
            return None
        return {**_kept(state), "name": category.name, "category_id": category.id}

    def update_remote(self, id_: str, state: Outputs, inputs: EventCategoryInputs) -> Outputs:
        client = self.client(inputs)

        def landed() -> bool:
            category = client.category_by_id(int(id_))
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
        self.remove(id_, {**state, "category_id": id_}, lambda: self.client(state).delete_category(int(id_)))


# -- event types -----------------------------------------------------------------------


def event_info(client: AmplitudeClient, name: str) -> EventTypeInfo | None:
    """The event if it is in the plan and not deleted, by documented means only: the list
    holds live and planned events; `showDeleted=true` adds the deleted ones; hidden events
    are in neither, so only a single GET finds them (which may or may not answer deleted
    events: the lists decide that)."""
    deleted = _listed_as_deleted(client, name)
    if deleted is not None:
        return None if deleted else _listed(client, name)
    try:
        single = client.get_event(name)
    except NotFound:
        return None
    return None if single.deleted else single


def _listed(client: AmplitudeClient, name: str, show_deleted: bool = False) -> EventTypeInfo | None:
    return next((e for e in client.list_events(show_deleted) if e.event_type == name), None)


def _listed_as_deleted(client: AmplitudeClient, name: str) -> bool | None:
    """What the lists say: deleted if listed with `deleted: true` or only with
    showDeleted=true (:412-414), live if listed otherwise, None if in neither list."""
    listed = _listed(client, name)
    if listed is not None:
        return listed.deleted
    return True if _listed(client, name, show_deleted=True) is not None else None


class EventTypeProvider(AmplitudeProvider[EventTypeInputs]):
    kind = "Amplitude event type"
    inputs_model = EventTypeInputs
    id_prefix = "evt"
    clearable = ("category", "description", "display_name")
    get_id = "the event's name exactly as Amplitude spells it (case matters)"

    def describe(self, values: Mapping[str, Any]) -> str:
        return f'{self.kind} "{values.get("name")}"'

    def post(self, client: AmplitudeClient, inputs: EventTypeInputs) -> None:
        client.create_event(inputs.name, inputs.category, inputs.description)

    def after_post(self, client: AmplitudeClient, inputs: EventTypeInputs) -> None:
        if inputs.display_name:  # the create endpoint has no display_name
            self.converge(client, inputs.name, inputs, {})

    def fetch(self, client: AmplitudeClient, inputs: EventTypeInputs) -> Outputs | None:
        event = event_info(client, inputs.name)
        return None if event is None else self._remote(event)

    @staticmethod
    def _remote(event: EventTypeInfo) -> Outputs:
        return {
            "name": event.event_type,
            "category": event.category.name if event.category else None,
            "description": event.description or None,
            "display_name": event.display_name or None,
        }

    def put(
        self, client: AmplitudeClient, current_name: str, inputs: EventTypeInputs, clear: set[str]
    ) -> None:
        def value(field: str, given: str | None) -> str | None:
            return "" if field in clear else given

        client.update_event(
            current_name,
            new_name=inputs.name if inputs.name != current_name else None,
            category=value("category", inputs.category),
            description=value("description", inputs.description),
            display_name=value("display_name", inputs.display_name),
        )

    def update_remote(self, id_: str, state: Outputs, inputs: EventTypeInputs) -> Outputs:
        outputs = super().update_remote(id_, state, inputs)
        old = self.remote_name(state)
        if old != inputs.name:
            # Properties of this event removed in the same run are deleted after this
            # update, still naming the old event: tell them where it went.
            memory_of(self.client(inputs)).event_renamed(old, inputs.name)
        return outputs

    def restore(self, client: AmplitudeClient, inputs: EventTypeInputs) -> None:
        client.restore_event(inputs.name)

    def deleted(self, client: AmplitudeClient, inputs: EventTypeInputs) -> bool | None:
        # In neither list: a hidden event (only a single GET finds those), not deleted.
        return _listed_as_deleted(client, inputs.name) or False

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        event = event_info(self.client(state), self.remote_name(state))
        return None if event is None else {**_kept(state), **self._remote(event)}

    def delete_remote(self, id_: str, state: Outputs) -> None:
        self.remove(id_, state, lambda: self.client(state).delete_event(self.remote_name(state)))


# -- event properties --------------------------------------------------------------------


class EventPropertyProvider(AmplitudeProvider[EventPropertyInputs]):
    kind = "Amplitude event property"
    inputs_model = EventPropertyInputs
    id_prefix = "evp"
    clearable = PROPERTY_CLEARABLE
    get_scope = "event_type"
    get_id = (
        "the property's name exactly as Amplitude spells it, with event_type=<the event's name> "
        "for the property as it is on that event (none: the shared definition)"
    )

    def describe(self, values: Mapping[str, Any]) -> str:
        where = f' on event "{values["event_type"]}"' if values.get("event_type") else " (shared)"
        return f'{self.kind} "{values.get("name")}"{where}'

    def key(self, values: Mapping[str, Any]) -> Key:
        return (self.id_prefix, self.remote_name(values), str(values.get("event_type")))

    def _fields(self, inputs: EventPropertyInputs, clear: set[str]) -> dict[str, Any]:
        return _property_fields(inputs, clear, with_required=True, shared=inputs.event_type is None)

    def post(self, client: AmplitudeClient, inputs: EventPropertyInputs) -> None:
        client.create_event_property(inputs.name, inputs.event_type, **self._fields(inputs, set()))

    def fetch(self, client: AmplitudeClient, inputs: EventPropertyInputs) -> Outputs | None:
        info = _find(client.list_event_properties(inputs.event_type), "event_property", inputs.name)
        return None if info is None else self._remote(info, inputs.event_type)

    def restored(self, client: AmplitudeClient, inputs: EventPropertyInputs) -> bool:
        # Restore acts on the shared definition, wherever this resource puts the property.
        return _find(client.list_event_properties(None), "event_property", inputs.name) is not None

    @staticmethod
    def _remote(info: EventPropertyInfo, event_type: str | None) -> Outputs:
        return {
            "name": info.event_property,
            "event_type": event_type,
            "is_required": info.is_required,
            **_property_outputs(info, shared=event_type is None),
        }

    def put(
        self, client: AmplitudeClient, current_name: str, inputs: EventPropertyInputs, clear: set[str]
    ) -> None:
        client.update_event_property(
            current_name,
            inputs.event_type,
            # A per-event property's attributes belong to that event only.
            override_scope="override" if inputs.event_type else None,
            new_name=inputs.name if inputs.name != current_name else None,
            **self._fields(inputs, clear),
        )

    def restore(self, client: AmplitudeClient, inputs: EventPropertyInputs) -> None:
        client.restore_event_property(inputs.name)

    def update_remote(self, id_: str, state: Outputs, inputs: EventPropertyInputs) -> Outputs:
        client = self.client(inputs)
        current = self.remote_name(state)
        old_event = state.get("event_type")
        if old_event is not None:
            old_event = memory_of(client).current_event(old_event)
        moved = old_event != inputs.event_type
        if moved:
            # Attach where it goes first (the shared definition stays), detach after.
            attach = inputs.model_copy(update={"name": current})
            try:
                self.post_settled(client, attach)
            except REFUSED:
                pass  # already there: converge below sets its attributes
            except NotFound as exc:
                raise ResourceError(
                    self.describe(inputs.model_dump()),
                    "update",
                    exc,
                    "the event it moves to is not in Amplitude's plan: declare it first and pass "
                    "event_type=<the EventType>.name, so that Pulumi creates it before the property.",
                ) from exc
        baseline = (
            state if not moved else (self.fetch(client, inputs.model_copy(update={"name": current})) or {})
        )
        try:
            self.converge(client, current, inputs, baseline)
        except NotFound as exc:
            raise self.gone_on_update(state, exc) from exc
        if moved and old_event is not None:
            self._detach(client, inputs.name, old_event)
        memory_of(client).claim(self.key(inputs.model_dump()), id_)
        return self.outputs(inputs)

    @staticmethod
    def _detach(client: AmplitudeClient, name: str, event_type: str) -> None:
        # Not on that event (any more), or the event is gone: nothing to detach.
        with contextlib.suppress(NotFound):
            client.delete_event_property(name, event_type)

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        client = self.client(state)
        event_type = state.get("event_type")
        try:
            items = client.list_event_properties(event_type)
        except NotFound:
            if event_type is not None and event_info(client, event_type) is None:
                return None  # its event is gone, and the property with it
            raise
        info = _find(items, "event_property", self.remote_name(state))
        if info is None:
            return None
        return {**_kept(state), **self._remote(info, event_type)}

    def delete_remote(self, id_: str, state: Outputs) -> None:
        client = self.client(state)
        name = self.remote_name(state)
        event_type = state.get("event_type")
        if event_type is None:
            self.remove(id_, state, lambda: client.delete_event_property(name))
            return
        # Its event may have been renamed by this run (the engine deletes removed
        # resources after every update): take it off the event under its new name.
        current = memory_of(client).current_event(event_type)
        here = {**state, "event_type": current}
        removed = self.remove(id_, here, lambda: client.delete_event_property(name, current))
        if not removed and current == event_type and event_info(client, event_type) is None:
            pulumi.log.warn(
                f"{self.describe(state)}: its event is no longer in Amplitude's plan, so there was nothing "
                "to remove it from. If the event was renamed outside this run, the property is still on "
                "it under the new name: remove it there."
            )


# -- user properties ---------------------------------------------------------------------


class UserPropertyProvider(AmplitudeProvider[UserPropertyInputs]):
    kind = "Amplitude user property"
    inputs_model = UserPropertyInputs
    id_prefix = "usp"
    computed = frozenset({"remote_name"})
    clearable = PROPERTY_CLEARABLE
    verify_created = True
    get_id = "a custom user property's name, with or without `gp:`"

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
        fields = _property_fields(inputs, set(), with_required=False, shared=True)
        client.create_user_property(own_user_property_name(inputs.remote_name), **fields)

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
        return {"name": name, "remote_name": info.user_property, **_property_outputs(info, shared=True)}

    def put(
        self, client: AmplitudeClient, current_name: str, inputs: UserPropertyInputs, clear: set[str]
    ) -> None:
        renamed = inputs.remote_name != current_name
        client.update_user_property(
            current_name,
            new_name=own_user_property_name(inputs.remote_name) if renamed else None,
            **_property_fields(inputs, clear, with_required=False, shared=True),
        )

    def restore(self, client: AmplitudeClient, inputs: UserPropertyInputs) -> None:
        client.restore_user_property(inputs.remote_name)

    def deleted(self, client: AmplitudeClient, inputs: UserPropertyInputs) -> bool | None:
        # Answers carry `deleted` (the notes); when it is not listed at all, nothing tells.
        listed = [p for p in client.list_user_properties() if p.user_property == inputs.remote_name]
        return True if any(p.deleted for p in listed) else None

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        info = _find(self.client(state).list_user_properties(), "user_property", self.remote_name(state))
        return None if info is None else {**_kept(state), **self._remote(info, str(state["name"]))}

    def delete_remote(self, id_: str, state: Outputs) -> None:
        self.remove(id_, state, lambda: self.client(state).delete_user_property(self.remote_name(state)))


# -- group properties --------------------------------------------------------------------


class GroupPropertyProvider(AmplitudeProvider[GroupPropertyInputs]):
    kind = "Amplitude group property"
    inputs_model = GroupPropertyInputs
    id_prefix = "grp"
    restorable = False  # Amplitude has neither delete nor restore for group properties
    computed = frozenset({"remote_name"})
    clearable = PROPERTY_CLEARABLE
    verify_created = True
    get_scope = "group_type"
    get_id = (
        "a custom group property's name, with or without `grp:`, with group_type=<the group type> "
        "for the property as it is on that group type (none: the shared definition)"
    )

    def describe(self, values: Mapping[str, Any]) -> str:
        where = f' on group type "{values["group_type"]}"' if values.get("group_type") else " (shared)"
        return f'{self.kind} "{group_property_name(str(values.get("name")))}"{where}'

    def key(self, values: Mapping[str, Any]) -> Key:
        return (self.id_prefix, self.remote_name(values), str(values.get("group_type")))

    def remote_name(self, values: Mapping[str, Any]) -> str:
        return group_property_name(str(values["name"]))

    def normalized(self, field: str, value: Any) -> Any:
        if field == "name" and isinstance(value, str):
            return group_property_name(value)
        return super().normalized(field, value)

    def outputs(self, inputs: GroupPropertyInputs) -> Outputs:
        return {**super().outputs(inputs), "remote_name": inputs.remote_name}

    def _fields(self, inputs: GroupPropertyInputs, clear: set[str]) -> dict[str, Any]:
        return _property_fields(inputs, clear, with_required=False, shared=inputs.group_type is None)

    def post(self, client: AmplitudeClient, inputs: GroupPropertyInputs) -> None:
        # The create example sends the name without `grp:` ("Group Property 1").
        name = inputs.remote_name.removeprefix(GROUP_PREFIX)
        client.create_group_property(name, inputs.group_type, **self._fields(inputs, set()))

    def fetch(self, client: AmplitudeClient, inputs: GroupPropertyInputs) -> Outputs | None:
        info = _find(client.list_group_properties(inputs.group_type), "group_property", inputs.remote_name)
        return None if info is None else self._remote(info, inputs.name, inputs.group_type)

    @staticmethod
    def _remote(info: GroupPropertyInfo, written_as: str, group_type: str | None) -> Outputs:
        name = written_as if group_property_name(written_as) == info.group_property else info.group_property
        return {
            "name": name,
            "remote_name": info.group_property,
            "group_type": group_type,
            **_property_outputs(info, shared=group_type is None),
        }

    def put(
        self, client: AmplitudeClient, current_name: str, inputs: GroupPropertyInputs, clear: set[str]
    ) -> None:
        client.update_group_property(
            current_name,
            inputs.group_type,
            override_scope="override" if inputs.group_type else None,
            # The rename example sends the new name whole: `grp:Group Property 1 Renamed`.
            new_name=inputs.remote_name if inputs.remote_name != current_name else None,
            **self._fields(inputs, clear),
        )

    def update_remote(self, id_: str, state: Outputs, inputs: GroupPropertyInputs) -> Outputs:
        client = self.client(inputs)
        current = self.remote_name(state)
        old_group = state.get("group_type")
        if old_group == inputs.group_type:
            return super().update_remote(id_, state, inputs)
        # Put it on its new group type (or the shared definition) first; Amplitude has no
        # delete for group properties, so it stays where it was.
        attach = inputs.model_copy(update={"name": current})
        with contextlib.suppress(*REFUSED):  # already there: converge sets its attributes
            self.post_settled(client, attach)
        try:
            self.converge(client, current, inputs, self.fetch(client, attach) or {})
        except NotFound as exc:
            raise self.gone_on_update(state, exc) from exc
        if old_group is not None:
            pulumi.log.warn(
                f'{self.describe(inputs.model_dump())}: moved off group type "{old_group}" in this stack, '
                "but Amplitude has no API to remove a group property, so it stays there too."
            )
        memory_of(client).claim(self.key(inputs.model_dump()), id_)
        return self.outputs(inputs)

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        group_type = state.get("group_type")
        try:
            items = self.client(state).list_group_properties(group_type)
        except NotFound:
            return None  # its group type is gone (the project answers: see the client)
        info = _find(items, "group_property", self.remote_name(state))
        return (
            None if info is None else {**_kept(state), **self._remote(info, str(state["name"]), group_type)}
        )

    def delete_remote(self, id_: str, state: Outputs) -> None:
        if memory_of(self.client(state)).claimed_by_another(self.key(state), id_):
            return  # its replacement manages it now
        pulumi.log.warn(
            f"{self.describe(state)}: Amplitude has no API to delete group properties, so it was removed "
            "from this stack but still exists in Amplitude. Remove it in Amplitude Data if it should go."
        )


# -- the classes programs use --------------------------------------------------------------


ConnectionInput = pulumi.Input[AmplitudeConnection] | pulumi.Input[Mapping[str, Any]] | None


class EventCategory(Resource, module="amplitude", name="EventCategory"):
    """An Amplitude event category (any name). Renaming it keeps its id."""

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
        props = resource_props(EventCategoryProvider, connection, adopt, name=name)
        super().__init__(EventCategoryProvider(), resource_name, props, resource_options(opts))

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str] | int,
        opts: pulumi.ResourceOptions | None = None,
        *,
        connection: ConnectionInput = None,
    ) -> EventCategory:
        """An existing category, read into the program without being managed (docs/get.md):
        `id` is its name, or its numeric id as an `int` (a name made of digits is a name)."""
        if isinstance(id, bool):
            raise ValueError(
                f"EventCategory.get({id!r}): a bool names no category. "
                f"It takes {EventCategoryProvider.get_id}."
            )
        if isinstance(id, int):
            return get_resource(
                EventCategory,
                EventCategoryProvider(),
                resource_name,
                str(id),
                opts,
                connection,
                category_id=id,
            )
        return get_resource(EventCategory, EventCategoryProvider(), resource_name, id, opts, connection)


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
            EventTypeProvider,
            connection,
            adopt,
            name=name,
            category=category,
            description=description,
            display_name=display_name,
        )
        super().__init__(EventTypeProvider(), resource_name, props, resource_options(opts))

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        connection: ConnectionInput = None,
    ) -> EventType:
        """An existing event type, read into the program without being managed (docs/get.md):
        `id` is its name, exactly as Amplitude spells it (case matters)."""
        return get_resource(EventType, EventTypeProvider(), resource_name, id, opts, connection)


class EventProperty(Resource, module="amplitude", name="EventProperty"):
    """An event property: shared (no `event_type`) or on one event. Changing the event
    moves it in place (on to the new event, then off the old one; the shared definition
    stays); renaming it renames the property in Amplitude, on every event."""

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
            EventPropertyProvider,
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

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        event_type: pulumi.Input[str] | None = None,
        connection: ConnectionInput = None,
    ) -> EventProperty:
        """An existing event property, read into the program without being managed
        (docs/get.md): `id` is its name; `event_type` the event it is on (none: the shared
        definition)."""
        return get_resource(
            EventProperty, EventPropertyProvider(), resource_name, id, opts, connection, event_type=event_type
        )


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
            UserPropertyProvider,
            connection,
            adopt,
            name=name,
            description=description,
            type=type,
            regex=regex,
            enum_values=enum_values or [],
            is_array_type=is_array_type,
            classifications=classifications or [],
        )
        super().__init__(UserPropertyProvider(), resource_name, props, resource_options(opts))

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        connection: ConnectionInput = None,
    ) -> UserProperty:
        """An existing custom user property, read into the program without being managed
        (docs/get.md): `id` is its name, with or without `gp:`."""
        return get_resource(UserProperty, UserPropertyProvider(), resource_name, id, opts, connection)


class GroupProperty(Resource, module="amplitude", name="GroupProperty"):
    """A custom group property (`grp:`), shared or on one group type. Amplitude cannot
    delete group properties: deleting the resource only removes it from the stack, and
    moving it to another group type leaves it on the old one too."""

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
            GroupPropertyProvider,
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
        )
        super().__init__(GroupPropertyProvider(), resource_name, props, resource_options(opts))

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        group_type: pulumi.Input[str] | None = None,
        connection: ConnectionInput = None,
    ) -> GroupProperty:
        """An existing custom group property, read into the program without being managed
        (docs/get.md): `id` is its name, with or without `grp:`; `group_type` the group type
        it is on (none: the shared definition)."""
        return get_resource(
            GroupProperty, GroupPropertyProvider(), resource_name, id, opts, connection, group_type=group_type
        )
