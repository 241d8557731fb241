"""`pulumi-taxonomy diff`: what a change to a plan breaks, for the apps that send events
and for the people who analyse them.

Items are matched the way the `TrackingPlan` component names their resources: an
event by its `id` (else its name made a slug), a property by its `id` (else its
name's slug), so the diff also says what `pulumi up` will do. A property is compared
as the event receives it (a `ref` resolved to its definition).

Each change is breaking or not, and labelled in Snowplow's SchemaVer terms: MODEL
(no historical data fits any more), REVISION (some historical data may not fit),
ADDITION (all historical data still fits). A breaking change is *allowed* when the
item was `deprecated: true` in the old plan (the release before its removal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pulumi_taxonomy.plan.loader import Loc, Located
from pulumi_taxonomy.plan.models import Event, EventProperty, Plan, PropertyDef, item_key, slug
from pulumi_taxonomy.plan.types import uses_import

SchemaVer = Literal["MODEL", "REVISION", "ADDITION"]
Target = Literal["amplitude", "rudderstack", "stitch"]
Removed = Literal["event", "event property", "user property", "group property"]

KINDS: dict[str, tuple[bool, SchemaVer, str]] = {
    # kind: (breaking, SchemaVer, what it is)
    "event-added": (False, "ADDITION", "a new event"),
    "event-removed": (True, "MODEL", "an event removed (or renamed without keeping its id)"),
    "event-renamed": (False, "REVISION", "an event renamed in place (its id kept)"),
    "event-rekeyed": (True, "MODEL", "an event's id changed: its resources are replaced"),
    "event-type-changed": (True, "MODEL", "track/identify/group/page/screen changed"),
    "property-added": (False, "ADDITION", "a new optional property"),
    "required-property-added": (True, "MODEL", "a new required property on an existing event"),
    "property-removed": (True, "REVISION", "a property removed (MODEL when it was required)"),
    "property-renamed": (False, "REVISION", "a property renamed in place (its id kept)"),
    "property-rekeyed": (True, "MODEL", "a property's id changed: its resources are replaced"),
    "made-required": (True, "REVISION", "an optional property made required"),
    "made-optional": (False, "ADDITION", "a required property made optional"),
    "type-changed": (True, "MODEL", "a type changed to an unrelated one"),
    "type-narrowed": (True, "REVISION", "a type narrowed (number to integer, string to enum, any to ...)"),
    "type-widened": (False, "ADDITION", "a type widened (integer to number, enum to string, ... to any)"),
    "array-made-scalar": (True, "MODEL", "an array property made a single value"),
    "scalar-made-array": (True, "MODEL", "a single-value property made an array"),
    "enum-value-removed": (True, "REVISION", "an enum lost values"),
    "enum-value-added": (False, "ADDITION", "an enum gained values"),
    "rule-tightened": (True, "REVISION", "a pattern, format or bound added or tightened, null refused"),
    "rule-changed": (True, "REVISION", "a pattern or format changed (it may refuse what the old accepted)"),
    "rule-loosened": (False, "ADDITION", "a pattern, format or bound removed or loosened, null allowed"),
    "metadata-changed": (False, "ADDITION", "description, owner, category, tags or classifications"),
    "deprecated": (False, "ADDITION", "an item marked deprecated (its removal is allowed later)"),
    "undeprecated": (False, "ADDITION", "an item no longer deprecated"),
    "category-added": (False, "ADDITION", "a new category"),
    "category-removed": (False, "ADDITION", "a category removed"),
    "target-added": (False, "ADDITION", "a vendor added to the plan's targets"),
    "target-removed": (True, "MODEL", "a vendor removed from the targets: its objects leave the stack"),
    "delivery-changed": (True, "MODEL", "Amplitude switches between per-object resources and one import"),
}

WIDER: dict[str, frozenset[str]] = {
    "integer": frozenset({"number", "any"}),
    "number": frozenset({"any"}),
    "enum": frozenset({"string", "any"}),
    "string": frozenset({"any"}),
    "boolean": frozenset({"any"}),
    "object": frozenset({"any"}),
}
"""The types each type's values also fit: a change towards one of them loosens."""
LOWER_BOUNDS = ("minimum", "min_length", "min_items")
UPPER_BOUNDS = ("maximum", "max_length", "max_items")
REPLACES = (
    "creates new resources for it, then deletes the old ones: at best the create fails on the "
    "existing object, at worst the delete removes what the new resource took over"
)
VENDORS = {"amplitude": "Amplitude", "rudderstack": "RudderStack", "stitch": "the warehouse (Stitch)"}


@dataclass(frozen=True)
class Change:
    path: str
    kind: str
    breaking: bool
    schemaver: SchemaVer
    message: str
    line: int | None
    """In the new plan; for something removed, the line of its nearest parent there."""
    old_line: int | None = None
    allowed: bool = False
    """Breaking, but allowed: the item was `deprecated: true` in the old plan."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Review:
    old: Located
    new: Located
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    def blocking(self, allow_breaking: bool = False) -> list[Change]:
        """The breaking changes not allowed (by a deprecation, or by `allow_breaking`)."""
        return [] if allow_breaking else [c for c in self.breaking if not c.allowed]


def diff(old: Located, new: Located) -> Review:
    """Every change from `old` to `new`, classified."""
    differ = _Differ(old, new)
    differ.run()
    changes = sorted(differ.changes, key=lambda c: (c.line or 0, c.old_line or 0))
    return Review(old, new, changes)


def _quote(value: object) -> str:
    text = str(value)
    return f'"{text[:57]}..."' if len(text) > 60 else f'"{text}"'


class _Differ:
    def __init__(self, old: Located, new: Located) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def add(
        self,
        path: str,
        kind: str,
        message: str,
        new_loc: Loc | None,
        old_loc: Loc | None = None,
        *,
        allowed: bool = False,
        schemaver: SchemaVer | None = None,
        breaking: bool | None = None,
    ) -> None:
        is_breaking, label, _ = KINDS[kind]
        breaking = is_breaking if breaking is None else breaking
        self.changes.append(
            Change(
                path,
                kind,
                breaking,
                schemaver or label,
                message,
                self.new.line(new_loc) if new_loc is not None else None,
                self.old.line(old_loc) if old_loc is not None else None,
                allowed and breaking,
            )
        )

    def run(self) -> None:
        self.events()
        self.members("user_properties", "user property")
        self.members("group_properties", "group property")
        self.categories()
        self.targets()

    # -- events ------------------------------------------------------------------------

    def events(self) -> None:
        old = {e.key: (i, e) for i, e in enumerate(self.old.plan.events)}
        new = {e.key: (i, e) for i, e in enumerate(self.new.plan.events)}
        gone = [key for key in old if key not in new]
        added = [key for key in new if key not in old]
        for key in added:
            i, event = new[key]
            rekeyed = next((k for k in gone if old[k][1].name == event.name), None)
            if rekeyed is not None:
                gone.remove(rekeyed)
                j, before = old[rekeyed]
                self.add(
                    f"events[{event.name}]",
                    "event-rekeyed",
                    f'"{event.name}" keeps its name but its key changes from "{rekeyed}" to "{key}" '
                    f"(its id), so `pulumi up` {REPLACES}. Keep `id: {rekeyed}` to leave it as it is"
                    + self._event_fate(before),
                    ("events", i, "id"),
                    ("events", j),
                    allowed=before.deprecated,
                )
                continue
            self.add(f"events[{event.name}]", "event-added", f'new event "{event.name}"', ("events", i))
        for key in gone:
            j, event = old[key]
            hint = self._renamed_to(event, [new[k][1] for k in added])
            self.add(
                f"events[{event.name}]",
                "event-removed",
                f'event "{event.name}" removed{hint}{self._event_fate(event)}',
                ("events",),
                ("events", j),
                allowed=event.deprecated,
            )
        for key, (i, event) in new.items():
            if key in old:
                j, before = old[key]
                self.event(before, event, ("events", j), ("events", i))

    def _renamed_to(self, removed: Event, added: list[Event]) -> str:
        names = {p.name for p in removed.properties}
        same = [e for e in added if {p.name for p in e.properties} == names and e.type == removed.type]
        if len(same) != 1:
            return ""
        return (
            f' (if it was renamed to "{same[0].name}", give that event `id: {removed.key}` so that '
            "the rename happens in place and keeps its history)"
        )

    def _fate(self, what: Removed, amplitude: bool = True, rudderstack: bool = False) -> str:
        """What `pulumi up` does at each vendor with something the plan no longer has."""
        fates = []
        old = self.old.plan
        if amplitude and old.targets.amplitude is not None:
            if not uses_import(old):
                fates.append(self._removal("amplitude", "Amplitude", soft=True))
            elif what != "group property":  # an import carries no group properties
                fates.append("the next Amplitude import detaches it from the plan (Remove: its data stays)")
        if rudderstack and old.targets.rudderstack is not None:
            if what == "event":
                fates.append(self._removal("rudderstack", "the RudderStack tracking plan"))
            else:
                fates.append("removed from the event in RudderStack (an update, whatever `removal` says)")
        return (". At the vendors: " + "; ".join(fates)) if fates else ""

    def _event_fate(self, event: Event) -> str:
        return self._fate("event", event.type == "track", bool(event.properties))

    def _removal(self, target: Target, where: str, soft: bool = False) -> str:
        # The engine honours the retain flag of the state it has, i.e. of the plan last applied.
        deployed, upcoming = self.old.plan.removal_for(target), self.new.plan.removal_for(target)
        if deployed == "retain":
            text = f"kept in {where} and dropped from the stack (removal: retain)"
            if upcoming == "delete":
                text += "; `removal: delete` applies to later removals"
            return text
        text = f"deleted from {where}"
        if soft:
            text += " (Amplitude soft-deletes what already has data: hidden, and restorable)"
        if upcoming == "retain":
            text += (
                "; `removal: retain` is new in this change and only takes effect once applied, so "
                "apply it in a change of its own first to keep the item"
            )
        return text

    def event(self, old: Event, new: Event, old_loc: Loc, new_loc: Loc) -> None:
        path = f"events[{new.name}]"
        if old.name != new.name:
            self.add(
                path,
                "event-renamed",
                f'renamed from "{old.name}" to "{new.name}" in place (its id "{new.key}" is kept): the '
                f'vendors keep its history; apps still sending "{old.name}" send an unplanned event',
                (*new_loc, "name"),
                (*old_loc, "name"),
            )
        if old.type != new.type:
            self.add(
                f"{path}.type",
                "event-type-changed",
                f"type changed from {old.type} to {new.type}",
                (*new_loc, "type"),
                (*old_loc, "type"),
                allowed=old.deprecated,
            )
        for name in ("description", "owner", "category", "tags"):
            before, after = getattr(old, name), getattr(new, name)
            if before != after:
                self.add(
                    f"{path}.{name}",
                    "metadata-changed",
                    f"{name} changed from {_quote(before)} to {_quote(after)}",
                    (*new_loc, name),
                    (*old_loc, name),
                )
        self.deprecation(path, old.deprecated, new.deprecated, (*new_loc, "deprecated"))
        self.properties(
            path,
            list(zip(old.properties, self.old.plan.resolved(old), strict=True)),
            list(zip(new.properties, self.new.plan.resolved(new), strict=True)),
            (*old_loc, "properties"),
            (*new_loc, "properties"),
            old.deprecated,
            self._fate("event property", amplitude=old.type == "track", rudderstack=True),
        )

    def deprecation(self, path: str, before: bool, after: bool, loc: Loc) -> None:
        if before != after:
            kind = "deprecated" if after else "undeprecated"
            note = "a later release may remove or change it" if after else "it is part of the contract again"
            self.add(path, kind, f"{'marked' if after else 'no longer'} deprecated: {note}", loc)

    # -- properties --------------------------------------------------------------------

    def properties(
        self,
        parent: str,
        old: Sequence[tuple[EventProperty, EventProperty]],
        new: Sequence[tuple[EventProperty, EventProperty]],
        old_loc: Loc,
        new_loc: Loc,
        allowed: bool,
        fate: str = "",
    ) -> None:
        """Properties of one event (or nested in one object), each as (written, resolved);
        `fate` says what the vendors do with a property removed."""
        before = {item_key(raw): (j, raw, prop) for j, (raw, prop) in enumerate(old)}
        after = {item_key(raw): (i, raw, prop) for i, (raw, prop) in enumerate(new)}
        gone = [k for k in before if k not in after]
        for key, (i, raw, prop) in after.items():
            loc = (*new_loc, i)
            path = f"{parent}.properties[{prop.name}]"
            if key in before:
                j, old_raw, old_prop = before[key]
                self.property(path, old_raw, old_prop, raw, prop, (*old_loc, j), loc, allowed)
                continue
            rekeyed = next((k for k in gone if before[k][2].name == prop.name), None)
            if rekeyed is not None:
                gone.remove(rekeyed)
                j, old_raw, _ = before[rekeyed]
                self.add(
                    path,
                    "property-rekeyed",
                    f'"{prop.name}" keeps its name but its key changes from "{rekeyed}" to "{key}" '
                    f"(its id), so `pulumi up` {REPLACES}. Keep `id: {rekeyed}` to leave it as it is",
                    (*loc, "id"),
                    (*old_loc, j),
                    allowed=allowed or old_raw.deprecated,
                )
            elif prop.required:
                self.add(
                    path,
                    "required-property-added",
                    f'new required property "{prop.name}": events sent by apps released before it lack it',
                    loc,
                )
            else:
                self.add(path, "property-added", f'new {_optional(prop)}property "{prop.name}"', loc)
        for key in gone:
            j, raw, prop = before[key]
            hint = _renamed_property(prop, [after[k][2] for k in after if k not in before])
            self.add(
                f"{parent}.properties[{prop.name}]",
                "property-removed",
                f'{_optional(prop)}property "{prop.name}" removed{hint}: dashboards and apps that use it '
                f"break, and vendors that drop unplanned properties drop it{fate}",
                new_loc,
                (*old_loc, j),
                allowed=allowed or raw.deprecated,
                schemaver="MODEL" if prop.required else None,
            )

    def property(
        self,
        path: str,
        old_raw: EventProperty,
        old: EventProperty,
        raw: EventProperty,
        new: EventProperty,
        old_loc: Loc,
        new_loc: Loc,
        allowed: bool,
    ) -> None:
        allowed = allowed or old_raw.deprecated
        if old.name != new.name:
            self.add(
                path,
                "property-renamed",
                f'renamed from "{old.name}" to "{new.name}" in place (its id is kept): apps still '
                f'sending "{old.name}" send an unplanned property',
                (*new_loc, "name"),
                (*old_loc, "name"),
            )
        if old.required != new.required:
            kind = "made-required" if new.required else "made-optional"
            text = (
                "made required: events without it (from apps released before) no longer fit"
                if new.required
                else "made optional"
            )
            self.add(f"{path}.required", kind, text, (*new_loc, "required"), allowed=allowed)
        self.deprecation(path, old_raw.deprecated, raw.deprecated, (*new_loc, "deprecated"))
        self.shape(path, old, new, _field_loc(raw, new_loc), _field_loc(old_raw, old_loc), allowed)

    def shape(
        self,
        path: str,
        old: PropertyDef,
        new: PropertyDef,
        new_loc: Loc,
        old_loc: Loc,
        allowed: bool,
    ) -> None:
        """Type, rules and nested properties of one property (event, user or group)."""

        def add(suffix: str, kind: str, message: str, name: str) -> None:
            self.add(path + suffix, kind, message, (*new_loc, name), (*old_loc, name), allowed=allowed)

        if not self.types(old, new, add):
            return  # an unrelated type: its old rules say nothing about the new values
        self.rules(old, new, add)
        for name in ("description", "classifications"):
            if getattr(old, name) != getattr(new, name):
                text = f"{name} changed from {_quote(getattr(old, name))} to {_quote(getattr(new, name))}"
                self.add(f"{path}.{name}", "metadata-changed", text, (*new_loc, name), (*old_loc, name))
        if old.properties is not None or new.properties is not None:
            self.properties(
                path,
                [(p, p) for p in old.properties or []],
                [(p, p) for p in new.properties or []],
                (*old_loc, "properties"),
                (*new_loc, "properties"),
                allowed,
            )

    @staticmethod
    def types(old: PropertyDef, new: PropertyDef, add: Callable[[str, str, str, str], None]) -> bool:
        """Report a change of type; False when the new type is unrelated to the old."""
        if (old.type == "array") != (new.type == "array"):
            if old.type == "any" or new.type == "any":
                kind = "type-narrowed" if old.type == "any" else "type-widened"
                add(".type", kind, f"type changed from {old.type} to {new.type}", "type")
                return True
            kind = "array-made-scalar" if old.type == "array" else "scalar-made-array"
            add(".type", kind, f"type changed from {_shown(old)} to {_shown(new)}", "type")
            return False
        suffix, name = (".items", "items") if new.type == "array" else (".type", "type")
        before, after = _element(old), _element(new)
        if before == after:
            return True
        if after in WIDER.get(before, ()):
            add(suffix, "type-widened", f"{name} widened from {before} to {after}", name)
        elif before in WIDER.get(after, ()):
            add(suffix, "type-narrowed", f"{name} narrowed from {before} to {after}", name)
        else:
            add(suffix, "type-changed", f"{name} changed from {before} to {after}", name)
            return False
        return True

    @staticmethod
    def rules(old: PropertyDef, new: PropertyDef, add: Callable[[str, str, str, str], None]) -> None:
        """Enum values, patterns, formats, bounds, null, and nested properties not listed."""
        if old.values is not None and new.values is not None:
            removed = [v for v in old.values if v not in new.values]
            extra = [v for v in new.values if v not in old.values]
            if removed:
                add(".values", "enum-value-removed", f"enum values removed: {', '.join(removed)}", "values")
            if extra:
                add(".values", "enum-value-added", f"enum values added: {', '.join(extra)}", "values")
        for name in ("pattern", "format"):
            before, after = getattr(old, name), getattr(new, name)
            if before == after:
                continue
            if before is None:
                add(f".{name}", "rule-tightened", f"{name} {_quote(after)} added", name)
            elif after is None:
                add(f".{name}", "rule-loosened", f"{name} {_quote(before)} removed", name)
            else:
                text = f"{name} changed from {_quote(before)} to {_quote(after)}"
                text += ": values the old one accepted may be refused"
                add(f".{name}", "rule-changed", text, name)
        for name in LOWER_BOUNDS + UPPER_BOUNDS:
            change = _bound(name, getattr(old, name), getattr(new, name))
            if change is not None:
                add(f".{name}", change[0], change[1], name)
        if old.nullable != new.nullable:
            kind = "rule-loosened" if new.nullable else "rule-tightened"
            add(".nullable", kind, "null allowed" if new.nullable else "null no longer allowed", "nullable")
        if (old.additional_properties is not False) != (new.additional_properties is not False):
            refused = new.additional_properties is False
            kind = "rule-tightened" if refused else "rule-loosened"
            text = f"other nested properties {'refused' if refused else 'allowed'}"
            add(".additional_properties", kind, text, "additional_properties")

    # -- user and group properties, categories, targets --------------------------------

    def members(
        self,
        group: Literal["user_properties", "group_properties"],
        what: Literal["user property", "group property"],
    ) -> None:
        def key(member: Any) -> str:
            own = item_key(member)
            return f"{slug(member.group_type)}/{own}" if group == "group_properties" else own

        old = {key(m): (j, m) for j, m in enumerate(getattr(self.old.plan, group))}
        new = {key(m): (i, m) for i, m in enumerate(getattr(self.new.plan, group))}
        for k, (i, member) in new.items():
            path = f"{group}[{_member_name(member)}]"
            if k not in old:
                self.add(path, "property-added", f'new {what} "{member.name}"', (group, i))
                continue
            j, before = old[k]
            if before.name != member.name:
                self.add(
                    path,
                    "property-renamed",
                    f'renamed from "{before.name}" to "{member.name}" in place (its id is kept)',
                    (group, i, "name"),
                    (group, j, "name"),
                )
            self.deprecation(path, before.deprecated, member.deprecated, (group, i, "deprecated"))
            self.shape(path, before, member, (group, i), (group, j), before.deprecated)
        for k, (j, member) in old.items():
            if k not in new:
                self.add(
                    f"{group}[{_member_name(member)}]",
                    "property-removed",
                    f'{what} "{member.name}" removed: dashboards that use it break{self._fate(what)}',
                    (group,),
                    (group, j),
                    allowed=member.deprecated,
                )

    def categories(self) -> None:
        old, new = self.old.plan.categories, self.new.plan.categories
        for i, name in enumerate(new):
            if name not in old:
                self.add(f"categories[{name}]", "category-added", f'new category "{name}"', ("categories", i))
        for j, name in enumerate(old):
            if name not in new:
                text = f'category "{name}" removed'
                self.add(f"categories[{name}]", "category-removed", text, ("categories",), ("categories", j))

    def targets(self) -> None:
        old, new = self.old.plan, self.new.plan
        for target in ("amplitude", "rudderstack", "stitch"):
            before, after = getattr(old.targets, target), getattr(new.targets, target)
            path, vendor = f"targets.{target}", VENDORS[target]
            if before is None and after is not None:
                self.add(path, "target-added", f"the plan now goes to {vendor}", ("targets", target))
            elif before is not None and after is None:
                fate = self._removal(target, vendor)
                self.add(
                    path,
                    "target-removed",
                    f"{vendor} is no longer a target: everything the plan holds there is {fate}",
                    ("targets",),
                    ("targets", target),
                )
        both = old.targets.amplitude is not None and new.targets.amplitude is not None
        if both and uses_import(old) != uses_import(new):
            self.delivery(old, new)

    def delivery(self, old: Plan, new: Plan) -> None:
        retained = old.removal_for("amplitude") == "retain"
        if uses_import(new):
            what = (
                f"Amplitude now gets the plan ({len(new.events)} event(s)) as one import instead of a "
                "resource per object, so the per-object resources leave the stack"
            )
            fate = (
                "and stay in Amplitude (removal: retain)"
                if retained
                else "and are deleted from Amplitude after the import: set `removal: retain` on "
                "targets.amplitude and apply it before this change"
            )
        else:
            what = (
                "Amplitude now gets a resource per object instead of one import, so the import "
                "leaves the stack"
            )
            fate = (
                "and its items stay in Amplitude (removal: retain)"
                if retained
                else "and deleting it detaches every item it imported: set `removal: retain` on "
                "targets.amplitude and apply it before this change"
            )
        self.add(
            "targets.amplitude.mode",
            "delivery-changed",
            f"{what}, {fate}",
            ("targets", "amplitude"),
            ("targets", "amplitude"),
            breaking=not retained,
            schemaver="MODEL" if not retained else "ADDITION",
        )


def _optional(prop: EventProperty) -> str:
    return "required " if prop.required else ""


def _member_name(member: Any) -> str:
    group_type = getattr(member, "group_type", None)
    return f"{group_type}/{member.name}" if group_type else str(member.name)


def _element(prop: PropertyDef) -> str:
    return (prop.items or "any") if prop.type == "array" else prop.type


def _shown(prop: PropertyDef) -> str:
    return f"array of {_element(prop)}" if prop.type == "array" else prop.type


def _field_loc(raw: EventProperty, loc: Loc) -> Loc:
    """Where a property's definition lives: under `properties:` for a reference."""
    return ("properties", raw.ref) if raw.ref is not None else loc


def _renamed_property(removed: EventProperty, added: list[EventProperty]) -> str:
    def shape(prop: EventProperty) -> dict[str, Any]:
        return prop.model_dump(exclude={"name", "id", "description", "deprecated", "ref"})

    same = [p for p in added if shape(p) == shape(removed)]
    if len(same) != 1:
        return ""
    return (
        f' (if it was renamed to "{same[0].name}", give that property `id: {item_key(removed)}` '
        "to rename it in place)"
    )


def _bound(name: str, before: float | None, after: float | None) -> tuple[str, str] | None:
    if before == after:
        return None
    lower = name in LOWER_BOUNDS
    if after is None:
        return "rule-loosened", f"{name} {_number(before)} removed"
    if before is None:
        return "rule-tightened", f"{name} {_number(after)} added"
    tighter = after > before if lower else after < before
    kind = "rule-tightened" if tighter else "rule-loosened"
    return (
        kind,
        f"{name} {'raised' if after > before else 'lowered'} from {_number(before)} to {_number(after)}",
    )


def _number(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def kinds_table() -> Iterator[tuple[str, bool, SchemaVer, str]]:
    """Every kind of change, for documentation."""
    for kind, (breaking, label, what) in KINDS.items():
        yield kind, breaking, label, what
