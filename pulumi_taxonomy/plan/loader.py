"""Reading a plan file: YAML to `Plan`, and every problem reported with the file, the
line and the field, checked against the rules of every target the plan names.

`validate` refuses every plan that apply would refuse or mangle: the YAML is read
within bounds (`safeyaml`), the plan's own rules are the models', each target's are
that vendor's own input models fed with the very values the component gives its child
resources (`types`), and no two children may share a name (`children`).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pulumi_taxonomy.amplitude.import_models import TaxonomyImportInputs
from pulumi_taxonomy.amplitude.importcsv import ImportEvent, ImportProperty, ImportUserProperty
from pulumi_taxonomy.amplitude.models import (
    EventPropertyInputs,
    EventTypeInputs,
    GroupPropertyInputs,
    UserPropertyInputs,
)
from pulumi_taxonomy.core.errors import TaxonomyError
from pulumi_taxonomy.core.inputs import field_path
from pulumi_taxonomy.plan import children, safeyaml
from pulumi_taxonomy.plan.models import REFERENCES_ERROR, EventProperty, Plan
from pulumi_taxonomy.plan.types import (
    amplitude_event,
    amplitude_group_property,
    amplitude_property,
    amplitude_user_property,
    import_event,
    import_user_property,
    is_amplitude_event,
    rudderstack_event,
    rudderstack_plan,
    rudderstack_source,
    stitch_tables,
    uses_import,
)
from pulumi_taxonomy.rudderstack.models import (
    PLAN_ID_PLACEHOLDER,
    PlanProperty,
    SourceConnectionInputs,
    TrackingPlanEventInputs,
    TrackingPlanInputs,
)
from pulumi_taxonomy.stitch.models import WarehouseTableInputs

Loc = tuple[int | str, ...]
Resolved = list[list[EventProperty]]
"""Each event's properties, references resolved (`Plan.resolved`), in the plan's order."""


@dataclass(frozen=True)
class Issue:
    """One problem of a plan: where (file, 1-based line when known, field path such as
    `events[0].properties[1].type`), what, and which target's rule it breaks."""

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
    """The plan cannot be applied: `issues` lists every problem found (at most 100, then one
    saying how many more were found)."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = issues


class PlanUnreadable(PlanInvalid, TaxonomyError):
    """The file cannot be read as a plan at all: missing, not a regular file, not
    readable, past the size limit, not UTF-8. The commands exit 2 ("could not run") on
    it, with `str()` as their one line; it is still a `PlanInvalid` for the component."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__([Issue(file, None, "", f"cannot read the file: {reason}")])
        self.args = (f"cannot read the plan {file}: {reason}",)


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


ROW = re.compile(r"^rows\[(\d+)\]")
PATH = re.compile(r"^([A-Za-z_][\w.\[\]]*): (.*)$", re.DOTALL)


def parse_path(path: str) -> Loc:
    """ "events[0].properties[1].ref" -> ("events", 0, "properties", 1, "ref")."""
    parts: list[int | str] = []
    for name, index in re.findall(r"([A-Za-z_]\w*)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return tuple(parts)


def errors_of(exc: ValidationError, prefix: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Each problem of a plan's ValidationError with the field it blames (a check across
    fields lists several, each naming its field)."""
    for error in exc.errors(include_url=False, include_input=False):
        message = str(error["msg"]).removeprefix("Value error, ")
        loc = tuple(error["loc"])
        if error["type"] == REFERENCES_ERROR:
            messages = [str(m) for m in error.get("ctx", {}).get("problems", [])]
        elif loc:
            yield prefix + loc, message
            continue
        else:
            messages = [message]
        for each in messages:  # a check across fields names the field it blames
            found = PATH.match(each)
            yield (prefix + parse_path(found.group(1)), found.group(2)) if found else (prefix, each)


M = TypeVar("M", bound=BaseModel)


def _valid(
    model: type[M], values: dict[str, Any], prefix: Loc, rename: dict[str, str] | None = None
) -> M | list[tuple[Loc, str]]:
    """The validated model, or its problems located in the plan."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = []
        for loc, message in errors_of(exc):
            head = (rename or {}).get(str(loc[0]), loc[0]) if loc else None
            problems.append(((prefix + ((head, *loc[1:]) if head is not None else ())), message))
        return problems


class _Memo(Generic[M]):
    """One model's validation, once per distinct input: it depends on the input alone, and
    big plans repeat the same property on thousands of events."""

    def __init__(self, model: type[M]) -> None:
        self._model = model
        self._seen: dict[str, M | None] = {}

    def valid(self, values: dict[str, Any]) -> M | None:
        """The validated model; None if `values` are invalid."""
        # repr tells apart every JSON-like value ("1", 1, 1.0, True), in the builders' key order.
        key = repr(values)
        if key not in self._seen:
            checked = _valid(self._model, values, ())
            self._seen[key] = None if isinstance(checked, list) else checked
        return self._seen[key]


def _with_properties(
    model: type[M], properties: _Memo[Any], values: dict[str, Any], prefix: Loc
) -> M | list[tuple[Loc, str]]:
    """`model` validated with its `properties` checked through `properties` first: the
    validated instances go in as they are (pydantic does not validate an instance again).
    When one of them is invalid, the whole of `values` is validated, for every problem."""
    checked = [properties.valid(prop) for prop in values["properties"]]
    if any(prop is None for prop in checked):
        return _valid(model, values, prefix)
    return _valid(model, {**values, "properties": checked}, prefix)


def _check(
    model: type[BaseModel], values: dict[str, Any], prefix: Loc, rename: dict[str, str] | None = None
) -> list[tuple[Loc, str]]:
    checked = _valid(model, values, prefix, rename)
    return checked if isinstance(checked, list) else []


def _amplitude_objects(plan: Plan, resolved: Resolved) -> Iterator[tuple[Loc, str]]:
    for i, event in enumerate(plan.events):
        if not is_amplitude_event(event):
            continue
        yield from _check(EventTypeInputs, amplitude_event(event), ("events", i))
        for j, prop in enumerate(resolved[i]):
            values = amplitude_property(event, prop)
            yield from _check(EventPropertyInputs, values, ("events", i, "properties", j))
    # Amplitude names custom user properties `gp:...` and group properties `grp:...`,
    # with or without the prefix in the plan: `email` and `gp:email` are one object.
    objects: dict[tuple[str, str], Loc] = {}
    for item, model, values, group_type in _amplitude_properties(plan):
        checked = _valid(model, values, item)
        if isinstance(checked, list):
            yield from checked
            continue
        first = objects.setdefault((group_type, checked.remote_name), item)
        if first != item:
            what = f'group property of "{group_type}"' if group_type else "user property"
            yield (
                (*item, "name"),
                (
                    f"this and {field_path(first)} are one Amplitude {what}, "
                    f"{checked.remote_name}: keep one of them"
                ),
            )


PropertyInputs = type[UserPropertyInputs] | type[GroupPropertyInputs]


def _amplitude_properties(plan: Plan) -> Iterator[tuple[Loc, PropertyInputs, dict[str, Any], str]]:
    """User and group properties: where, their input model and values, and the group type."""
    for i, user in enumerate(plan.user_properties):
        yield ("user_properties", i), UserPropertyInputs, amplitude_user_property(user), ""
    for i, group in enumerate(plan.group_properties):
        yield ("group_properties", i), GroupPropertyInputs, amplitude_group_property(group), group.group_type


def _amplitude_import(plan: Plan, resolved: Resolved) -> Iterator[tuple[Loc, str]]:
    target = plan.targets.amplitude
    assert target is not None
    if not target.workspace:
        yield (
            ("targets", "amplitude", "workspace"),
            (
                f"the plan goes to Amplitude as one Taxonomy Import (mode {target.mode}, "
                f"{len(plan.events)} events), which needs the Amplitude Data workspace name"
            ),
        )
    for i in range(len(plan.group_properties)):
        yield (
            ("group_properties", i),
            (
                "a Taxonomy Import cannot carry group properties: set targets.amplitude.mode: objects "
                "to create them one by one"
            ),
        )
    events: list[ImportEvent] = []
    users: list[ImportUserProperty] = []
    properties = _Memo(ImportProperty)
    failed = False
    for i, event in enumerate(plan.events):
        if is_amplitude_event(event):
            checked = _with_properties(
                ImportEvent, properties, import_event(plan, event, resolved[i]), ("events", i)
            )
            if isinstance(checked, list):
                failed = True
                yield from checked
            else:
                events.append(checked)
    for i, user in enumerate(plan.user_properties):
        if user.classifications:
            failed = True
            yield (
                ("user_properties", i, "classifications"),
                "a Taxonomy Import cannot carry classifications: set targets.amplitude.mode: objects "
                "to keep them",
            )
        checked_user = _valid(ImportUserProperty, import_user_property(user), ("user_properties", i))
        if isinstance(checked_user, list):
            failed = True
            yield from checked_user
        else:
            users.append(checked_user)
    if not failed and target.workspace:
        # The whole plan's rules (unique names...), over the models just checked one by one.
        values = {"workspace": target.workspace, "plan": {"events": events, "user_properties": users}}
        yield from _check(TaxonomyImportInputs, values, ("targets", "amplitude"))


def _rudderstack(plan: Plan, resolved: Resolved) -> Iterator[tuple[Loc, str]]:
    yield from _check(
        TrackingPlanInputs, rudderstack_plan(plan), ("targets", "rudderstack"), {"name": "plan_name"}
    )
    properties = _Memo(PlanProperty)
    for i, event in enumerate(plan.events):
        values = {"tracking_plan_id": PLAN_ID_PLACEHOLDER, **rudderstack_event(plan, event, resolved[i])}
        if not values["properties"]:
            continue  # RudderStack needs properties: such an event is planned in the other targets only
        checked = _with_properties(TrackingPlanEventInputs, properties, values, ("events", i))
        if isinstance(checked, list):
            yield from checked
    assert plan.targets.rudderstack is not None
    for i, source in enumerate(plan.targets.rudderstack.sources):
        values = {"tracking_plan_id": PLAN_ID_PLACEHOLDER, **rudderstack_source(source)}
        yield from _check(SourceConnectionInputs, values, ("targets", "rudderstack", "sources", i))


def _stitch(plan: Plan, resolved: Resolved) -> Iterator[tuple[Loc, str]]:
    assert plan.targets.stitch is not None
    events, properties = stitch_tables(plan, resolved)
    if events.table_name == properties.table_name:
        yield (
            ("targets", "stitch", "properties_table"),
            (f'"{properties.table_name}" is the events table too: the two tables need different names'),
        )
        return
    for table, field in ((events, "events_table"), (properties, "properties_table")):
        values = {"table_name": table.table_name, "key_names": table.key_names, "rows": table.rows}
        for loc, msg in _check(WarehouseTableInputs, values, ("targets", "stitch")):
            row = ROW.match(msg) if loc[2:] == ("rows",) else None
            if loc[2:3] == ("table_name",):
                yield ("targets", "stitch", field), msg
            elif row:
                # A row's problem belongs to the event (or property) the row comes from.
                yield table.origins[int(row.group(1))], f"the Stitch table {table.table_name}: {msg}"
            else:
                yield loc, msg


def _amplitude(plan: Plan, resolved: Resolved) -> Iterator[tuple[Loc, str]]:
    return _amplitude_import(plan, resolved) if uses_import(plan) else _amplitude_objects(plan, resolved)


TARGET_RULES: dict[str, Callable[[Plan, Resolved], Iterator[tuple[Loc, str]]]] = {
    "amplitude": _amplitude,
    "rudderstack": _rudderstack,
    "stitch": _stitch,
}
"""Each target's rules, by the target's name under `targets:`."""


def target_issues(plan: Plan) -> Iterator[tuple[str, Loc, str]]:
    """Each target's own rules, through the very input models its resources use."""
    resolved = plan.resolved_events()  # once for all targets
    for target, rules in TARGET_RULES.items():
        if getattr(plan.targets, target) is not None:
            for loc, msg in rules(plan, resolved):
                yield target, loc, msg


def name_issues(plan: Plan) -> Iterator[tuple[str, Loc, str]]:
    """Two child resources of one type with the same name (the engine refuses the second)."""
    first: dict[tuple[str, str], children.Child] = {}
    for child in children.named(plan):
        seen = first.setdefault((child.kind, child.name), child)
        if seen is not child:
            yield (
                "plan",
                child.loc,
                (
                    f"becomes the same {child.kind} resource ({child.name!r}) as "
                    f"{field_path(seen.item)}: {child.fix}"
                ),
            )


def plan_issues(plan: Plan) -> Iterator[tuple[str, Loc, str]]:
    """Everything apply would refuse or mangle in a plan whose own rules hold."""
    yield from name_issues(plan)
    yield from target_issues(plan)


MAX_ISSUES = 100
"""Problems listed at most: a million wrong values must not cost minutes to report."""
Problem = tuple[str, Loc, str]


def _first(problems: Iterator[Problem], total: int | None = None) -> tuple[list[Problem], str | None]:
    """The first MAX_ISSUES problems, and a line saying that more are not listed, if so."""
    listed = list(islice(problems, MAX_ISSUES))
    if total is None:  # a count unknown until the end: whether one more follows is enough
        total = len(listed) + sum(1 for _ in islice(problems, 1))
        unlisted = "more problems are"
    else:
        unlisted = f"{total - len(listed):,} more problems are"
    if total <= len(listed):
        return listed, None
    return listed, f"{unlisted} not listed (the first {MAX_ISSUES} are): fix these and validate again"


def check(plan: Plan, file: str = "<plan>") -> None:
    """`PlanInvalid` unless every target takes `plan` (for plans built in Python)."""
    problems, more = _first(plan_issues(plan))
    issues = [Issue(file, None, field_path(loc), msg, target) for target, loc, msg in problems]
    if more:
        issues.append(Issue(file, None, "", more))
    if issues:
        raise PlanInvalid(issues)


def load(path: str | Path) -> Plan:
    """Read and check a plan file; `PlanInvalid` lists every problem with its line."""
    return loads(read(path), str(path))


def read(path: str | Path) -> str:
    """The text of a plan file, read within bounds (`safeyaml.MAX_BYTES`): the one reader
    of every command and of the component. `PlanUnreadable` says why not."""
    file = str(path)
    try:
        # Before opening: opening a FIFO to read blocks until a writer comes, and a device
        # such as /dev/zero never ends.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise PlanUnreadable(file, "it is not a file")
        # O_NONBLOCK: should a FIFO have taken the file's place since, the open still returns.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(descriptor, "rb") as stream:
            opened = os.fstat(stream.fileno())
            if not stat.S_ISREG(opened.st_mode):
                raise PlanUnreadable(file, "it is not a file")
            check_size(file, opened.st_size)
            data = stream.read(safeyaml.MAX_BYTES + 1)
    except FileNotFoundError:
        raise PlanUnreadable(file, "there is no such file") from None
    except PermissionError:
        raise PlanUnreadable(file, "permission denied") from None
    except OSError as exc:
        raise PlanUnreadable(file, exc.strerror or str(exc)) from None
    if len(data) > safeyaml.MAX_BYTES:  # it grew since the fstat
        check_size(file, len(data), f"more than {safeyaml.MAX_BYTES:,}")
    return decode(file, data)


def check_size(file: str, size: int, has: str = "") -> None:
    """`PlanUnreadable` past the size limit, before the file is read."""
    if size > safeyaml.MAX_BYTES:
        has = has or f"{size:,}"
        raise PlanUnreadable(file, f"the file has {has} bytes; a plan has at most {safeyaml.MAX_BYTES:,}")


def decode(file: str, data: bytes) -> str:
    """The text of a plan file's bytes, once their size is checked (`check_size`)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanUnreadable(
            file, f"it is not UTF-8 text (byte {exc.start:,}: {exc.reason}); save it as UTF-8"
        ) from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, safeyaml.LimitExceeded):
        return f"refused: {exc.problem}"
    if isinstance(exc, yaml.MarkedYAMLError):
        parts = [p for p in (exc.context, exc.problem) if p]
        return "not valid YAML: " + (", ".join(parts) or "cannot be read")
    return f"not valid YAML: {exc}"


def loads(text: str, file: str = "<plan>") -> Plan:
    """`load`, from the text of a plan file (`file` names it in the problems)."""
    # What loading builds stays alive until the plan is checked: the cyclic collector would
    # only walk it again and again. What is not kept is freed (by reference counting)
    # before the collector runs again.
    with safeyaml.paused_gc():
        plan, issues = _checked(text, file)
    if plan is None:
        raise PlanInvalid(issues)
    return plan


def _checked(text: str, file: str) -> tuple[Plan | None, list[Issue]]:
    """The plan, or its problems (returned, not raised: so nothing of it outlives the call)."""
    try:
        data = safeyaml.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Issue(file, mark.line + 1 if mark else None, "", _yaml_problem(exc))]
    if not isinstance(data, dict):
        return None, [Issue(file, 1, "", "a plan is a YAML mapping (name:, events:, ...)")]
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        found = [("plan", loc, msg) for loc, msg in errors_of(exc)]
        return None, _located(text, file, *_first(iter(found), len(found)))
    listed, more = _first(plan_issues(plan))
    if listed:
        return None, _located(text, file, listed, more)
    return plan, []


def _located(text: str, file: str, problems: list[Problem], more: str | None) -> list[Issue]:
    """Each problem with its line (read again from the text: only problems need lines)."""
    found = safeyaml.lines(text, [loc for _, loc, _ in problems])
    issues = [
        Issue(file, line, field_path(loc), msg, target)
        for (target, loc, msg), line in zip(problems, found, strict=True)
    ]
    return issues + ([Issue(file, None, "", more)] if more else [])


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
    return Located(plan, file, safeyaml.compose(text))
