"""Export what a vendor already holds as a plan, so a team adopts hundreds of existing
events in one step: `pulumi-taxonomy export`, then a program that applies the plan
with `adopt=True`, which takes over what is exactly as declared, as `terraform import`
does: a preview after it shows no changes (Amplitude's creates plan what it had only
seen in data; see docs/cli.md).

What the plan format cannot express is reported as a warning, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pulumi_taxonomy.amplitude.client import AmplitudeClient
from pulumi_taxonomy.amplitude.models import USER_PREFIX
from pulumi_taxonomy.core.inputs import field_path
from pulumi_taxonomy.plan.drift import on_no_event
from pulumi_taxonomy.plan.loader import MAX_ISSUES, errors_of, plan_issues
from pulumi_taxonomy.plan.models import (
    AmplitudeTarget,
    Event,
    EventProperty,
    Plan,
    RudderStackTarget,
    SourceTarget,
    Targets,
    UserProperty,
)
from pulumi_taxonomy.rudderstack.client import RudderStackClient
from pulumi_taxonomy.rudderstack.models import ConnectionConfig, PlanProperty

Progress = Callable[[Iterable[Any], str], Iterable[Any]]
SIMPLE = ("string", "number", "boolean")


def _no_progress(items: Iterable[Any], label: str) -> Iterable[Any]:
    return items


def _amplitude_attributes(info: Any) -> dict[str, Any]:
    element = info.type if info.type in (*SIMPLE, "enum") else "any"
    attrs: dict[str, Any] = {"description": info.description or None}
    if info.is_array_type:
        attrs.update(type="array", items=element if element in SIMPLE else "any")
    elif element == "enum":
        attrs.update(type="enum", values=list(info.enum_values))
    else:
        attrs["type"] = element
        if element == "string" and info.regex:
            attrs["pattern"] = info.regex
    return attrs


def from_amplitude(
    client: AmplitudeClient, name: str, progress: Progress = _no_progress
) -> tuple[Plan, list[str]]:
    warnings: list[str] = []
    events = []
    attached: set[str] = set()
    for info in progress(client.list_events(), "Amplitude events"):
        props = []
        for p in client.list_event_properties(info.event_type):
            attached.add(p.event_property)
            props.append(
                EventProperty(name=p.event_property, required=p.is_required, **_amplitude_attributes(p))
            )
            if p.classifications:
                warnings.append(
                    f"{info.event_type} / {p.event_property}: classifications belong to the shared "
                    "property and are not managed per event"
                )
        events.append(
            Event(
                name=info.event_type,
                category=info.category.name if info.category else None,
                description=info.description or None,
                properties=props,
            )
        )
    # A plan's properties exist at Amplitude only on its events (`properties:` are
    # definitions events refer to), so a shared one on no event cannot be said; drift
    # reports each as extra, which the warning announces.
    warnings += [
        f'shared event property "{p.event_property}" is on no event: the plan format cannot '
        "express it, so it is left out (`drift` reports it as extra, on no event)"
        for p in on_no_event(client, attached)
    ]
    users = [
        UserProperty.model_validate(
            {
                "name": p.user_property.removeprefix(USER_PREFIX),
                "classifications": p.classifications,
                **_amplitude_attributes(p),
            }
        )
        for p in client.list_user_properties()
        if p.user_property.startswith(USER_PREFIX) and not p.deleted
    ]
    categories = [c.name for c in client.list_categories()]
    plan = _planned(
        "Amplitude",
        warnings,
        name=name,
        categories=categories,
        events=events,
        user_properties=users,
        targets=Targets(amplitude=AmplitudeTarget(mode="objects")),
    )
    return plan, warnings


def _rudderstack_property(prop: PlanProperty, where: str, warnings: list[str]) -> EventProperty:
    types = prop.types or ([prop.type] if prop.type else [])
    nullable = "null" in types and len(types) == 2
    base = [t for t in types if t != "null"] if nullable else types
    if len(base) > 1:
        warnings.append(f"{where}: several types {types} become any")
    kind = base[0] if len(base) == 1 else "any"
    rules = prop.rules
    fields: dict[str, Any] = {
        "name": prop.name,
        "required": prop.required,
        "description": prop.description,
        "nullable": nullable and kind != "any",
    }
    if rules.enum is not None and kind == "string":
        fields.update(type="enum", values=[str(v) for v in rules.enum])
    else:
        fields["type"] = kind
    for key in (
        "pattern",
        "format",
        "min_length",
        "max_length",
        "minimum",
        "maximum",
        "min_items",
        "max_items",
    ):
        if getattr(rules, key) is not None:
            fields[key] = getattr(rules, key)
    lost = [
        k
        for k in ("const", "exclusive_minimum", "exclusive_maximum", "multiple_of", "unique_items")
        if getattr(rules, k) is not None
    ]
    if rules.enum is not None and kind != "string":
        lost.append("enum")
    if lost:
        warnings.append(f"{where}: rules the plan format cannot express are left out: {', '.join(lost)}")
    if prop.properties is not None:
        fields["properties"] = [
            _rudderstack_property(p, f"{where}.{p.name}", warnings) for p in prop.properties
        ]
        fields["additional_properties"] = prop.additional_properties
    return EventProperty(**fields)


def from_rudderstack(
    client: RudderStackClient, plan_name: str | None, progress: Progress = _no_progress
) -> tuple[Plan, list[str]]:
    plans = client.list_plans()
    if plan_name is None and len(plans) != 1:
        raise ValueError(
            f"name the tracking plan to export (--plan-name): {', '.join(p.name for p in plans)}"
        )
    found = plans[0] if plan_name is None else client.plan_named(plan_name)
    if found is None:
        raise ValueError(f'no RudderStack tracking plan is named "{plan_name}"')
    warnings: list[str] = []
    events = []
    for info in progress(client.list_events(found.id), "RudderStack events"):
        label = info.name if info.eventType == "track" else info.eventType
        props = [
            _rudderstack_property(PlanProperty.from_wire(p), f"{label}.{p['name']}", warnings)
            for p in info.properties or []
        ]
        events.append(
            Event.model_validate(
                {
                    "name": label,
                    "type": info.eventType,
                    "description": info.description or None,
                    "properties": props,
                }
            )
        )
    sources = []
    for conn in client.list_connections(found.id):
        config = ConnectionConfig.from_wire(conn.config).model_dump(by_alias=True, exclude_none=True)
        sources.append(SourceTarget.model_validate({"source_id": conn.sourceId, **config}))
    target = RudderStackTarget(plan_name=found.name, description=found.description or None, sources=sources)
    plan = _planned(
        "RudderStack", warnings, name=found.name, events=events, targets=Targets(rudderstack=target)
    )
    return plan, warnings


def _planned(vendor: str, warnings: list[str], **fields: Any) -> Plan:
    """The plan of what `vendor` holds; what the format refuses outright (two names with
    one key) is an error naming each item, and what a target would refuse (a name with
    a "/") a warning each: the file is written, and `validate` will say the same."""
    try:
        plan = Plan(**fields)
    except ValidationError as exc:
        problems = [f"{field_path(loc) or '(plan)'}: {message}" for loc, message in errors_of(exc)]
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise ValueError(
            f"what {vendor} holds does not fit the plan format: {'; '.join(problems[:3])}{more}"
        ) from None
    for target, loc, message in islice(plan_issues(plan), MAX_ISSUES):
        warnings.append(
            f"{field_path(loc)}: {message} [{target}]: the plan will not pass `validate` until this is "
            f"changed in {vendor} or in the file"
        )
    return plan


def to_yaml(plan: Plan) -> str:
    body = plan.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    body = {"version": 1, **body}
    # The schema the installed package ships (no URL: the package is on no index or CDN).
    header = (
        "# yaml-language-server: $schema=plan.schema.json\n"
        "# plan.schema.json goes next to this file: `pulumi-taxonomy schema > plan.schema.json`\n"
    )
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=110)


PROGRAM = '''"""Adopts what already exists: generated by `pulumi-taxonomy export`."""

from pathlib import Path

from pulumi_taxonomy.plan import TrackingPlan

TrackingPlan({name!r}, Path(__file__).with_name("plan.yaml"), adopt=True)
'''


PROGRAM_FILES = ("plan.yaml", "__main__.py", "Pulumi.yaml")
"""What `write_program` writes into its folder."""


def write_program(folder: Path, plan: Plan, project: str) -> None:
    plan_file, main, project_file = (folder / name for name in PROGRAM_FILES)
    folder.mkdir(parents=True, exist_ok=True)
    plan_file.write_text(to_yaml(plan), encoding="utf-8")
    main.write_text(PROGRAM.format(name=project), encoding="utf-8")
    project_file.write_text(
        f"name: {project}\ndescription: Adopted from an existing tracking plan.\nruntime:\n  name: python\n",
        encoding="utf-8",
    )
