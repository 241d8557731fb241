"""How far each vendor has drifted from the plan: missing, extra and different items.

Read through the same clients the resources use (and their credentials: environment
variables or stack-config-like settings). Stitch cannot report what the warehouse
holds, so it has no drift report. "Extra" means: events or properties the vendor
holds in the plan's scope (the Amplitude project, the RudderStack tracking plan) that
the plan does not name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pulumi_taxonomy.amplitude.client import AmplitudeClient
from pulumi_taxonomy.amplitude.models import USER_PREFIX, EventPropertyInfo
from pulumi_taxonomy.core.errors import plural
from pulumi_taxonomy.plan.models import Plan, PropertyDef
from pulumi_taxonomy.plan.report import markdown_code, markdown_text
from pulumi_taxonomy.plan.types import amplitude_fields, rudderstack_property
from pulumi_taxonomy.rudderstack.client import RudderStackClient
from pulumi_taxonomy.rudderstack.models import ConnectionConfig, PlanProperty

Status = Literal["missing", "extra", "different"]
Progress = Callable[[Iterable[Any], str], Iterable[Any]]


@dataclass(frozen=True)
class Difference:
    vendor: str
    kind: str
    name: str
    status: Status
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


VENDORS = {"amplitude": "Amplitude", "rudderstack": "RudderStack", "stitch": "Stitch"}
UNREADABLE = {
    "stitch": "the Stitch Import API only accepts rows: it cannot read back what the warehouse holds",
}
"""The targets drift cannot compare, and why."""


@dataclass(frozen=True)
class Scope:
    """Which of the plan's targets a drift report compares, and which it cannot (and why)."""

    compared: list[str]
    not_compared: dict[str, str]

    def notes(self) -> list[str]:
        """One line per target left out, for stderr: every format must say it."""
        return [f"{VENDORS[v]} not compared: {why}." for v, why in self.not_compared.items()]

    def nothing_to_compare(self, plan: Plan) -> str:
        why = "".join(f" ({VENDORS[v]} is not compared: {r})" for v, r in self.not_compared.items())
        return (
            f"plan {plan.name!r} names no Amplitude or RudderStack target, the only vendors drift can "
            f"read{why}, so drift checked nothing. Add one under targets:, or leave drift out of "
            "this plan's checks."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "compared": self.compared,
            "not_compared": [{"vendor": v, "reason": why} for v, why in self.not_compared.items()],
        }


def scope(plan: Plan) -> Scope:
    named = [v for v in VENDORS if getattr(plan.targets, v) is not None]
    return Scope(
        compared=[v for v in named if v not in UNREADABLE],
        not_compared={v: UNREADABLE[v] for v in named if v in UNREADABLE},
    )


def _no_progress(items: Iterable[Any], label: str) -> Iterable[Any]:
    return items


def _text(value: Any) -> Any:
    return value or None


def _compare(
    vendor: str, kind: str, name: str, want: dict[str, Any], have: dict[str, Any]
) -> list[Difference]:
    changed = [f"{k}: {have.get(k)!r} (plan: {v!r})" for k, v in want.items() if have.get(k) != v]
    return [Difference(vendor, kind, name, "different", "; ".join(changed))] if changed else []


def _amplitude_property(prop: PropertyDef, required: bool | None) -> dict[str, Any]:
    fields = amplitude_fields(prop)
    want = {
        "type": fields["type"],
        "enum_values": sorted(fields["enum_values"]),
        "regex": fields["regex"],
        "is_array_type": fields["is_array_type"],
        "description": _text(fields["description"]),
    }
    if required is not None:
        want["is_required"] = required
    return want


def _amplitude_remote(info: Any, with_required: bool) -> dict[str, Any]:
    have = {
        "type": info.type or "any",
        "enum_values": sorted(info.enum_values),
        "regex": _text(info.regex),
        "is_array_type": info.is_array_type,
        "description": _text(info.description),
    }
    if with_required:
        have["is_required"] = info.is_required
    return have


def amplitude(plan: Plan, client: AmplitudeClient, progress: Progress = _no_progress) -> list[Difference]:
    out: list[Difference] = []
    events = {e.event_type: e for e in client.list_events()}
    track = [e for e in plan.events if e.type == "track"]
    attached: set[str] = set()  # the names of properties on some event
    for event in progress(track, "Amplitude events"):
        info = events.get(event.name)
        if info is None:
            out.append(Difference("amplitude", "event", event.name, "missing"))
            continue
        have = {
            "category": info.category.name if info.category else None,
            "description": _text(info.description),
        }
        out += _compare(
            "amplitude",
            "event",
            event.name,
            {"category": event.category, "description": _text(event.description)},
            have,
        )
        remote = {p.event_property: p for p in client.list_event_properties(event.name)}
        attached |= remote.keys()
        for prop in plan.resolved(event):
            name = f"{event.name} / {prop.name}"
            found = remote.pop(prop.name, None)
            if found is None:
                out.append(Difference("amplitude", "event property", name, "missing"))
            else:
                out += _compare(
                    "amplitude",
                    "event property",
                    name,
                    _amplitude_property(prop, prop.required),
                    _amplitude_remote(found, True),
                )
        out += [Difference("amplitude", "event property", f"{event.name} / {n}", "extra") for n in remote]
    planned = {e.name for e in track}
    extra = [name for name in events if name not in planned]
    out += [Difference("amplitude", "event", name, "extra") for name in extra]
    for name in progress(extra, "Amplitude event properties"):  # the planned ones were listed above
        attached |= {p.event_property for p in client.list_event_properties(name)}
    out += [
        Difference("amplitude", "shared event property", p.event_property, "extra", "on no event")
        for p in on_no_event(client, attached)
    ]
    users = {
        p.user_property: p
        for p in client.list_user_properties()
        if p.user_property.startswith(USER_PREFIX) and not p.deleted
    }
    for user in plan.user_properties:
        key = user.name if user.name.startswith(USER_PREFIX) else USER_PREFIX + user.name
        found_user = users.pop(key, None)
        if found_user is None:
            out.append(Difference("amplitude", "user property", key, "missing"))
        else:
            out += _compare(
                "amplitude",
                "user property",
                key,
                _amplitude_property(user, None),
                _amplitude_remote(found_user, False),
            )
    out += [Difference("amplitude", "user property", name, "extra") for name in users]
    return out


def on_no_event(client: AmplitudeClient, attached: set[str]) -> list[EventPropertyInfo]:
    """The shared event properties whose names are not in `attached` (those on some event):
    what per-event properties leave behind once taken off their last event (Amplitude
    created the shared definition for the first one, and a per-event delete only takes a
    property off its event)."""
    return [p for p in client.list_event_properties() if p.event_property not in attached and not p.deleted]


def _wire_event(plan: Plan, event: Any) -> list[dict[str, Any]]:
    props = [rudderstack_property(p.name, p, p.required) for p in plan.resolved(event)]
    return [PlanProperty.model_validate(p).model_dump(mode="json") for p in props]


def _label(event_type: str, name: str) -> str:
    return name if event_type == "track" else f"({event_type})"


def rudderstack(plan: Plan, client: RudderStackClient, progress: Progress = _no_progress) -> list[Difference]:
    target = plan.targets.rudderstack
    if target is None:
        return []
    found = client.plan_named(target.plan_name)
    if found is None:
        return [Difference("rudderstack", "tracking plan", target.plan_name, "missing")]
    out: list[Difference] = []
    if _text(found.description) != _text(target.description):
        out.append(
            Difference(
                "rudderstack",
                "tracking plan",
                target.plan_name,
                "different",
                f"description: {found.description!r} (plan: {target.description!r})",
            )
        )
    remote = {_label(e.eventType, e.name): e for e in client.list_events(found.id)}
    for event in progress([e for e in plan.events if e.properties], "RudderStack events"):
        label = _label(event.type, event.name)
        info = remote.pop(label, None)
        if info is None:
            out.append(Difference("rudderstack", "event", label, "missing"))
            continue
        want = _wire_event(plan, event)
        # A field the vendor leaves out of its answer is unknown, not drift: it reads as
        # the plan has it (the reference promises no read-back field list).
        wanted = {p["name"]: PlanProperty.model_validate(p) for p in want}
        have = [
            PlanProperty.from_wire(p, wanted.get(p.get("name", ""))).model_dump(mode="json")
            for p in info.properties or []
        ]
        if "description" in info.model_fields_set and _text(info.description) != _text(event.description):
            out.append(
                Difference(
                    "rudderstack",
                    "event",
                    event.name,
                    "different",
                    f"description: {info.description!r} (plan: {event.description!r})",
                )
            )
        have_by, want_by = {p["name"]: p for p in have}, {p["name"]: p for p in want}
        for name in want_by.keys() - have_by.keys():
            out.append(Difference("rudderstack", "event property", f"{event.name} / {name}", "missing"))
        for name in have_by.keys() - want_by.keys():
            out.append(Difference("rudderstack", "event property", f"{event.name} / {name}", "extra"))
        for name in want_by.keys() & have_by.keys():
            if want_by[name] != have_by[name]:
                changed = [k for k in want_by[name] if want_by[name][k] != have_by[name].get(k)]
                out.append(
                    Difference(
                        "rudderstack",
                        "event property",
                        f"{event.name} / {name}",
                        "different",
                        ", ".join(changed),
                    )
                )
    out += [Difference("rudderstack", "event", name, "extra") for name in remote]
    connections = {c.sourceId: c for c in client.list_connections(found.id)}
    for source in target.sources:
        conn = connections.pop(source.source_id, None)
        if conn is None:
            out.append(Difference("rudderstack", "source connection", source.source_id, "missing"))
            continue
        wanted = {
            k: v for k, v in source.model_dump(by_alias=True, exclude_none=True).items() if k != "source_id"
        }
        if ConnectionConfig.from_wire(conn.config) != ConnectionConfig.model_validate(wanted):
            out.append(
                Difference("rudderstack", "source connection", source.source_id, "different", "config")
            )
    out += [Difference("rudderstack", "source connection", s, "extra") for s in connections]
    return out


def json_report(differences: list[Difference], plan: Plan) -> str:
    return json.dumps(
        {
            "plan": plan.name,
            "ran": True,
            **scope(plan).as_dict(),
            "drift": [d.as_dict() for d in differences],
        },
        indent=2,
    )


def compared_names(plan: Plan) -> str:
    """The vendors a report speaks for, as "Amplitude and RudderStack"."""
    return " and ".join(VENDORS[v] for v in scope(plan).compared)


def markdown(differences: list[Difference], plan: Plan) -> str:
    """A report to post on a pull request."""
    covered = scope(plan)
    footer = [f"Compared: {compared_names(plan)}.", *covered.notes()]
    if not differences:
        lines = [
            "### Tracking plan drift: none",
            "",
            f"Plan {markdown_code(plan.name)} matches every vendor compared.",
        ]
    else:
        lines = [
            f"### Tracking plan drift: {plural(len(differences), 'item')}",
            "",
            "| vendor | kind | name | status | detail |",
            "|---|---|---|---|---|",
        ]
        lines += [
            "| " + " | ".join(map(markdown_text, (d.vendor, d.kind, d.name, d.status, d.detail))) + " |"
            for d in differences  # names and details come from the plan and the vendors
        ]
    return "\n".join([*lines, "", *footer]) + "\n"
