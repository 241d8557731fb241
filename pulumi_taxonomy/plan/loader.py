"""Reading a plan file: YAML to `Plan`, and every problem reported with the file, the
line and the field, checked against the rules of every target the plan names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from pulumi_taxonomy.amplitude.models import (
    EventPropertyInputs,
    EventTypeInputs,
    GroupPropertyInputs,
    UserPropertyInputs,
)
from pulumi_taxonomy.core.provider import field_path
from pulumi_taxonomy.plan.models import Plan
from pulumi_taxonomy.plan.types import amplitude_fields, rudderstack_event
from pulumi_taxonomy.rudderstack.models import (
    PLAN_ID_PLACEHOLDER,
    SourceConnectionInputs,
    TrackingPlanEventInputs,
    TrackingPlanInputs,
)

Loc = tuple[int | str, ...]


@dataclass(frozen=True)
class Issue:
    file: str
    line: int | None
    field: str
    message: str
    target: str = "plan"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field or '(plan)'}: {self.message}" + (
            f" [{self.target}]" if self.target != "plan" else ""
        )


class PlanInvalid(ValueError):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = issues


def _line(node: yaml.Node | None, loc: Loc) -> int | None:
    """The line of the deepest YAML node `loc` reaches (1-based)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


PATH = re.compile(r"^([A-Za-z_][\w.\[\]]*): (.*)$", re.DOTALL)


def parse_path(path: str) -> Loc:
    """ "events[0].properties[1].ref" -> ("events", 0, "properties", 1, "ref")."""
    parts: list[int | str] = []
    for name, index in re.findall(r"([A-Za-z_]\w*)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return tuple(parts)


def _errors(exc: ValidationError, prefix: Loc = ()) -> Iterator[tuple[Loc, str]]:
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        loc = tuple(error["loc"])
        found = PATH.match(message) if not loc else None
        if found:  # a check across fields names the field it blames
            loc, message = parse_path(found.group(1)), found.group(2)
        yield prefix + loc, message


def _check(
    model: type[BaseModel], values: dict[str, Any], prefix: Loc, rename: dict[str, str] | None = None
) -> Iterator[tuple[Loc, str]]:
    try:
        model.model_validate(values)
    except ValidationError as exc:
        for loc, message in _errors(exc):
            head = (rename or {}).get(str(loc[0]), loc[0]) if loc else None
            yield (prefix + ((head, *loc[1:]) if head is not None else ())), message


def target_issues(plan: Plan) -> Iterator[tuple[str, Loc, str]]:
    """Each target's own rules, through the very input models its resources use."""
    targets = plan.targets
    if targets.amplitude is not None:
        for i, event in enumerate(plan.events):
            if event.type != "track":
                continue  # Amplitude plans track events only
            for loc, msg in _check(
                EventTypeInputs,
                {"name": event.name, "category": event.category, "description": event.description},
                ("events", i),
            ):
                yield "amplitude", loc, msg
            for j, prop in enumerate(plan.resolved(event)):
                values = {"name": prop.name, "event_type": event.name, **amplitude_fields(prop)}
                for loc, msg in _check(EventPropertyInputs, values, ("events", i, "properties", j)):
                    yield "amplitude", loc, msg
        for i, user in enumerate(plan.user_properties):
            values = {"name": user.name, **amplitude_fields(user), "classifications": user.classifications}
            for loc, msg in _check(UserPropertyInputs, values, ("user_properties", i)):
                yield "amplitude", loc, msg
        for i, group in enumerate(plan.group_properties):
            values = {"name": group.name, "group_type": group.group_type, **amplitude_fields(group)}
            for loc, msg in _check(GroupPropertyInputs, values, ("group_properties", i)):
                yield "amplitude", loc, msg
    if targets.rudderstack is not None:
        rs = targets.rudderstack
        for loc, msg in _check(
            TrackingPlanInputs,
            {"name": rs.plan_name, "description": rs.description},
            ("targets", "rudderstack"),
            {"name": "plan_name"},
        ):
            yield "rudderstack", loc, msg
        for i, event in enumerate(plan.events):
            values = {"tracking_plan_id": PLAN_ID_PLACEHOLDER, **rudderstack_event(plan, event)}
            if not values["properties"]:
                continue  # RudderStack needs properties: such an event is planned in the other targets only
            for loc, msg in _check(TrackingPlanEventInputs, values, ("events", i)):
                yield "rudderstack", loc, msg
        for i, source in enumerate(rs.sources):
            config = {
                k: v
                for k, v in source.model_dump(by_alias=True, exclude_none=True).items()
                if k != "source_id"
            }
            values = {
                "tracking_plan_id": PLAN_ID_PLACEHOLDER,
                "source_id": source.source_id,
                "config": config,
            }
            for loc, msg in _check(SourceConnectionInputs, values, ("targets", "rudderstack", "sources", i)):
                yield "rudderstack", loc, msg


def load(path: str | Path) -> Plan:
    """Read and check a plan file; `PlanInvalid` lists every problem with its line."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanInvalid([Issue(file, None, "", f"cannot read the file: {exc}")]) from None
    return loads(text, file)


def loads(text: str, file: str = "<plan>") -> Plan:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlanInvalid(
            [Issue(file, mark.line + 1 if mark else None, "", f"not valid YAML: {exc}")]
        ) from None
    if not isinstance(data, dict):
        raise PlanInvalid([Issue(file, 1, "", "a plan is a YAML mapping (name:, events:, ...)")])
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanInvalid(
            [Issue(file, _line(node, loc), field_path(loc), msg) for loc, msg in _errors(exc)]
        ) from None
    issues = [
        Issue(file, _line(node, loc), field_path(loc), msg, target)
        for target, loc, msg in target_issues(plan)
    ]
    if issues:
        raise PlanInvalid(issues)
    return plan


@dataclass(frozen=True)
class Located:
    """A valid plan with the YAML it came from, so that any field has its line."""

    plan: Plan
    file: str
    node: yaml.Node | None

    def line(self, loc: Loc) -> int | None:
        """The line of the field at `loc` (or of its nearest parent that the file has)."""
        return _line(self.node, loc)


def loads_located(text: str, file: str = "<plan>") -> Located:
    """`loads`, every check included, keeping the YAML nodes for line numbers."""
    plan = loads(text, file)  # refuses what the loader refuses before anything is composed again
    return Located(plan, file, yaml.compose(text, Loader=yaml.SafeLoader))
