"""The plan format: round trips, the shipped schema, every rule, type mappings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pulumi_taxonomy.plan import PlanInvalid, load, loads, safeyaml
from pulumi_taxonomy.plan.loader import _line
from pulumi_taxonomy.plan.models import Plan, PropertyDef, json_schema
from pulumi_taxonomy.plan.types import amplitude_fields, import_plan, rudderstack_property, uses_import

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tracking-plan" / "plan.yaml"


def test_the_example_loads_and_round_trips_through_yaml() -> None:
    plan = load(EXAMPLE)
    assert [e.name for e in plan.events] == ["Song Played", "Song Skipped", "Search Performed"]
    # exclude_unset: a ref stands alone, so the dump must not restate defaults beside it.
    dumped = yaml.safe_dump(plan.model_dump(mode="json", by_alias=True, exclude_unset=True), sort_keys=False)
    assert loads(dumped) == plan


def test_the_shipped_schema_is_the_models_schema() -> None:
    shipped = json.loads((ROOT / "pulumi_taxonomy" / "plan" / "plan.schema.json").read_text())
    assert shipped == json.loads(json.dumps(json_schema(), sort_keys=True))
    assert shipped["title"] == "pulumi-taxonomy tracking plan"
    assert {"events", "properties", "targets", "user_properties"} <= set(shipped["properties"])


def test_references_resolve_to_their_definitions() -> None:
    plan = load(EXAMPLE)
    song_id = plan.resolved(plan.events[0])[0]
    assert (song_id.type, song_id.pattern, song_id.required) == ("string", "^[a-z0-9]{22}$", True)


@pytest.mark.parametrize(
    ("prop", "amplitude", "rudderstack"),
    [
        (
            PropertyDef(type="string", pattern="^a$"),
            {"type": "string", "regex": "^a$"},
            {"type": "string", "rules": {"pattern": "^a$"}},
        ),
        (
            PropertyDef(type="integer", minimum=0),
            {"type": "number"},
            {"type": "integer", "rules": {"minimum": 0}},
        ),
        (
            PropertyDef(type="enum", values=["a", "b"]),
            {"type": "enum", "enum_values": ["a", "b"]},
            {"type": "string", "rules": {"enum": ["a", "b"]}},
        ),
        (PropertyDef(type="any"), {"type": "any"}, {"type": None}),
        (
            PropertyDef(type="array", items="integer"),
            {"type": "number", "is_array_type": True},
            {"type": "array"},
        ),
        (PropertyDef(type="object"), {"type": "any"}, {"type": "object"}),
        (PropertyDef(type="boolean"), {"type": "boolean"}, {"type": "boolean"}),
    ],
)
def test_type_mappings(
    prop: PropertyDef, amplitude: dict[str, object], rudderstack: dict[str, object]
) -> None:
    mapped = amplitude_fields(prop)
    assert {k: mapped[k] for k in amplitude} == amplitude
    wire = rudderstack_property("p", prop, False)
    assert {k: wire[k] for k in rudderstack} == rudderstack


BASE = "version: 1\nname: Plan\n"
# Ten levels of nine aliases each: 9**10 strings once expanded, from 400 bytes of YAML.
LAUGHS = "version: 1\nname: Plan\nl0: &l0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 11)
)
# The same, where validation walks every copy: nested properties of nested properties.
# About 1 KB; on the loader of issue 12, 3 GB and a minute from six levels.
BOMB = (
    "version: 1\nname: Plan\nevents:\n  - name: Abc\n    properties:\n"
    "      - &p0 {name: a, type: object, properties: [{name: b}]}\n"
    + "".join(
        f"      - &p{i} {{name: a{i}, type: object, properties: [{', '.join([f'*p{i - 1}'] * 9)}]}}\n"
        for i in range(1, 8)
    )
    + "targets:\n  rudderstack: {plan_name: Web Plan}\n"
)
NESTED = "{name: p}"
for _ in range(250):
    NESTED = "{name: p, type: object, properties: [" + NESTED + "]}"
RS_TARGET = "targets:\n  rudderstack: {plan_name: Web Plan}\n"
Rule = tuple[str, int, str, str]
"""A plan's text, and the line, field and message of its first problem."""
YAML_ATTACKS: dict[str, Rule] = {
    # The loader under attack (issue 12, item 4): refused while composing, before any of it is built.
    "alias-bomb": (BOMB, 11, "", "makes aliases add more than 500,000 YAML nodes"),
    "billion-laughs": (LAUGHS, 8, "", "makes aliases add more than 500,000 YAML nodes"),
    "deep-properties": (
        BASE + "events:\n  - name: A\n    properties: [" + NESTED + "]\n",
        5,
        "",
        "nests deeper than 64 levels",
    ),
    "deep-flow": (
        BASE + "description: " + "[" * 250 + "]" * 250 + "\n",
        3,
        "",
        "nests deeper than 64 levels",
    ),
    "alias-too-deep": (
        BASE
        + "x: &deep "
        + "[" * 40
        + "]" * 40
        + "\ny: [[[[[[[[[[[[[[[[[[[[[[[[[[[[*deep]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
        4,
        "",
        "alias *deep nests",
    ),
    "recursive-alias": (
        BASE + "events: &e\n  - {name: A, properties: *e}\n",
        4,
        "",
        "inside the node it refers to",
    ),
    "anchor-twice": (BASE + "a: &x 1\nb: &x 2\n", 4, "", "anchor &x is defined twice"),
    "unknown-alias": (BASE + "description: *nowhere\n", 3, "", "refers to no anchor"),
}
"""YAML that attacks the loader."""
MANGLED: dict[str, Rule] = {
    # What apply would refuse or mangle (issue 12, item 5).
    "duplicate-key": (BASE + "events:\n  - name: A\nevents:\n  - name: B\n", 5, "", "'events' appears twice"),
    "duplicate-category": (
        BASE + "categories: [Playback, Search, Playback]\n",
        3,
        "categories[2]",
        "already categories[0]",
    ),
    "category-slugs": (
        BASE + "categories: [Now Playing, now-playing]\ntargets:\n  amplitude: {}\n",
        3,
        "categories[1]",
        "same Amplitude category resource ('amplitude-category-now-playing') as categories[0]",
    ),
    "email-Email": (
        BASE + "events:\n  - name: Signed Up\n    properties: [{name: Email}, {name: email}]\n"
        "targets:\n  amplitude: {}\n",
        5,
        "events[0].properties[1].name",
        "same Amplitude event property resource",
    ),
    "song-id": (
        BASE + "events:\n  - name: Song Played\n    properties: [{name: song id}, {name: song_id}]\n"
        "targets:\n  amplitude: {}\n",
        5,
        "events[0].properties[1].name",
        "give one of them an `id:`",
    ),
    "join-ambiguity": (
        BASE + "events:\n  - {name: A, id: a, properties: [{name: b-property-c}]}\n"
        "  - {name: B, id: a-property-b, properties: [{name: c}]}\ntargets:\n  amplitude: {}\n",
        5,
        "events[1].properties[0].name",
        "as events[0].properties[0]",
    ),
    "event-slugs": (
        BASE + "events:\n  - name: Song Played\n  - name: song played\n",
        5,
        "events[1].name",
        "same key",
    ),
    "two-identify": (
        BASE + "events:\n  - {name: Traits, type: identify}\n  - {name: More, type: identify}\n",
        5,
        "events[1].type",
        "one event per type",
    ),
    "repeated-source": (
        BASE + "targets:\n  rudderstack:\n    plan_name: Web Plan\n    sources:\n"
        "      - {source_id: 2rL1XeHCG8P8OrMHnHx4WjMjuTo, track: {unplanned_properties: drop}}\n"
        "      - {source_id: 2rL1XeHCG8P8OrMHnHx4WjMjuTo, track: {unplanned_properties: forward}}\n",
        8,
        "targets.rudderstack.sources[1].source_id",
        "list each source once",
    ),
    "gp-prefix": (
        BASE + "user_properties: [{name: email}, {name: 'gp:email'}]\ntargets:\n  amplitude: {}\n",
        3,
        "user_properties[1].name",
        "this and user_properties[0] are one Amplitude user property, gp:email",
    ),
    "duplicate-user-property": (
        BASE + "user_properties: [{name: plan}, {name: plan, id: other}]\n",
        3,
        "user_properties[1].name",
        "already",
    ),
    "stitch-key-length": (
        BASE + f"events:\n  - name: '{'x' * 300}'\ntargets:\n  stitch: {{}}\n",
        4,
        "events[0]",
        "at most 256 characters",
    ),
    "stitch-same-table": (
        BASE + "targets:\n  stitch: {events_table: plan, properties_table: plan}\n",
        4,
        "targets.stitch.properties_table",
        "different names",
    ),
    "stitch-table-name": (
        BASE + "targets:\n  stitch: {events_table: ' spaced '}\n",
        4,
        "targets.stitch.events_table",
        "pattern",
    ),
    "nan-bound": (
        BASE + "events:\n  - name: A\n    properties:\n      - {name: p, type: number, minimum: .nan}\n",
        6,
        "events[0].properties[0].minimum",
        "finite number",
    ),
    "inf-bound": (
        BASE + "events:\n  - name: A\n    properties:\n      - {name: p, type: integer, maximum: .inf}\n",
        6,
        "events[0].properties[0].maximum",
        "finite number",
    ),
    "ref-and-inline": (
        BASE + "properties:\n  song_id: {type: string}\nevents:\n  - name: A\n    properties:\n"
        "      - {name: song_id, ref: song_id, type: integer, description: Ignored.}\n",
        8,
        "events[0].properties[0]",
        "description, type here would be ignored",
    ),
    "event-classifications": (
        BASE + "events:\n  - name: A\n    properties: [{name: p, classifications: [PII]}]\n",
        5,
        "events[0].properties[0]",
        "classifications are for user_properties only",
    ),
    "import-workspace": (
        BASE + "events:\n  - name: A\ntargets:\n  amplitude: {mode: import}\n",
        6,
        "targets.amplitude.workspace",
        "Taxonomy Import",
    ),
    "import-group-properties": (
        BASE
        + "group_properties: [{name: tier, group_type: org}]\n"
        + "targets:\n  amplitude: {mode: import, workspace: W}\n",
        3,
        "group_properties[0]",
        "cannot carry group properties",
    ),
    "import-classifications": (
        BASE + "user_properties: [{name: email, classifications: [PII]}]\n"
        "targets:\n  amplitude: {mode: import, workspace: W}\n",
        3,
        "user_properties[0].classifications",
        "cannot carry classifications",
    ),
}
"""Plans apply would refuse, or apply and mangle: validate refuses them."""
ATTACKS = {**YAML_ATTACKS, **MANGLED}
RULES: list[Rule] = [
    ("version: 2\nname: Plan\n", 1, "version", "1"),
    ("name: Plan\nflavour: x\n", 2, "flavour", "Extra"),
    (
        BASE + "events:\n  - name: A\n    properties:\n      - {name: p, type: date}\n",
        6,
        "events[0].properties[0].type",
        "'string'",
    ),
    (
        BASE + "events:\n  - name: A\n    properties:\n      - {name: p, type: enum}\n",
        6,
        "events[0].properties[0]",
        "needs values",
    ),
    (
        BASE + "events:\n  - name: A\n    properties:\n      - {name: p, type: string, pattern: '(['}\n",
        6,
        "events[0].properties[0]",
        "compile",
    ),
    (
        BASE + "events:\n  - name: A\n    properties:\n      - {name: p, type: string, minimum: 1}\n",
        6,
        "events[0].properties[0]",
        "minimum",
    ),
    (
        BASE + "events:\n  - name: A\n    properties:\n      - {name: p, type: string, items: string}\n",
        6,
        "events[0].properties[0]",
        "items",
    ),
    (BASE + "events:\n  - name: A\n  - name: A\n", 5, "events[1].name", "already an event name"),
    (BASE + "events:\n  - {name: A, id: x}\n  - {name: B, id: x}\n", 5, "events[1].id", "same id"),
    (
        BASE + "categories: [C]\nevents:\n  - {name: A, category: D}\n",
        5,
        "events[0].category",
        "not under categories",
    ),
    (
        BASE + "events:\n  - name: A\n    properties:\n      - {name: p, ref: nope}\n",
        6,
        "events[0].properties[0].ref",
        "not under properties",
    ),
    (
        BASE + "events:\n  - name: A\n    properties:\n      - {name: p}\n      - {name: p}\n",
        7,
        "events[0].properties[1].name",
        "twice",
    ),
    (BASE + "events:\n  - name: 'bad\tname'\ntargets:\n  amplitude: {}\n", 4, "events[0].name", "control"),
    (
        BASE + "events:\n  - name: ab\n    properties: [{name: p}]\n" + RS_TARGET,
        4,
        "events[0]",
        "name of a track event",
    ),
    (
        BASE + "events:\n  - name: Abc\n    properties: [{name: 'p.q'}]\n" + RS_TARGET,
        5,
        "events[0].properties[0].name",
        "pattern",
    ),
    (BASE + "targets:\n  rudderstack: {plan_name: '9 Plan'}\n", 4, "targets.rudderstack.plan_name", "3-65"),
    (
        BASE
        + "targets:\n  rudderstack:\n    plan_name: Web Plan\n"
        + "    sources: [{source_id: 2rL1XeHCG8P8OrMHnHx4WjMjuTo, track: {}}]\n",
        6,
        "targets.rudderstack.sources[0].config.track",
        "at least one",
    ),
    (
        BASE + "user_properties:\n  - {name: 'gp:', type: string}\ntargets:\n  amplitude: {}\n",
        4,
        "user_properties[0]",
        "after 'gp:'",
    ),
    ("- just\n- a list\n", 1, "", "a YAML mapping"),
    ("name: [unclosed\n", 2, "", "not valid YAML"),
    *ATTACKS.values(),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), RULES)
def test_every_rule_names_file_line_and_field(text: str, line: int, field: str, message: str) -> None:
    with pytest.raises(PlanInvalid) as invalid:
        loads(text, "plan.yaml")
    issue = invalid.value.issues[0]
    assert (issue.file, issue.line, issue.field) == ("plan.yaml", line, field), issue
    assert message in issue.message, issue


def test_every_problem_across_fields_is_listed_not_only_the_first() -> None:
    text = (
        BASE + "categories: [Playback, Playback]\n"
        "events:\n"
        "  - {name: 名前, properties: [{name: a}, {name: a}]}\n"
        "  - {name: 日本, category: Nowhere}\n"
        "  - {name: a?b=c&d}\n"
        "  - {name: a b c d, properties: [{name: b, ref: missing}]}\n"
    )
    with pytest.raises(PlanInvalid) as invalid:
        loads(text, "plan.yaml")
    assert [(i.line, i.field) for i in invalid.value.issues] == [
        (3, "categories[1]"),
        (5, "events[0].properties[1].name"),
        (6, "events[1].name"),
        (6, "events[1].category"),
        (8, "events[3].name"),
        (8, "events[3].properties[0].ref"),
    ], invalid.value.issues


def test_a_name_with_a_newline_is_one_problem_and_a_hundred_and_twenty_are_counted() -> None:
    text = BASE + 'events:\n  - {name: A, category: "Grow\\nevents[7].properties[3].ref: planted"}\n'
    with pytest.raises(PlanInvalid) as invalid:
        loads(text, "plan.yaml")
    assert [(i.field, i.message) for i in invalid.value.issues] == [
        ("events[0].category", '"Grow\nevents[7].properties[3].ref: planted" is not under categories:')
    ]
    many = BASE + "categories: [" + ", ".join(["Same"] * 121) + "]\n"
    with pytest.raises(PlanInvalid) as invalid:
        loads(many, "plan.yaml")
    assert len(invalid.value.issues) == 101
    assert invalid.value.issues[-1].message.startswith("20 more problems are not listed")


def test_a_plan_file_has_at_most_so_many_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real limit (1,000,000) takes a second to reach; the count is the same at any limit.
    monkeypatch.setattr(safeyaml, "MAX_NODES", 100)
    categories = [f"c{i}" for i in range(100)]
    loads(BASE + f"categories: [{', '.join(categories[:90])}]\n")  # 95 nodes
    with pytest.raises(PlanInvalid) as invalid:
        loads(BASE + f"categories: [{', '.join(categories)}]\n")
    issue = invalid.value.issues[0]
    assert (issue.line, issue.message) == (3, "refused: the plan has more than 100 YAML nodes"), issue


def test_the_limits_hold_on_the_way_through_pyyaml_constructor_too() -> None:
    # A merge key sends the document through PyYAML's composer and constructor: same limits.
    merged = BASE + "x: &d {a: 1}\ny: {<<: *d}\n"
    for text, message in [
        (merged + "z: " + "[" * 250 + "]" * 250 + "\n", "nests deeper than 64 levels"),
        (merged + "z: {<<: *d}\nz: 1\n", "the key 'z' appears twice"),
        (merged + "w: &w [*w]\n", "inside the node it refers to"),
        (
            merged.replace("{<<: *d}", "{<<: *d}\n" + LAUGHS.split("\n", 2)[2]),
            "aliases add more than 500,000",
        ),
    ]:
        with pytest.raises(PlanInvalid) as invalid:
            loads(text)
        assert message in invalid.value.issues[0].message, (text[:80], invalid.value.issues[0])


def test_lines_are_found_by_streaming_as_on_the_node_tree() -> None:
    text = EXAMPLE.read_text()
    paths: list[tuple[int | str, ...]] = [
        (),
        ("events",),
        ("events", 0, "properties", 2, "minimum"),
        ("events", 2, "properties", 1, "items"),
        ("events", 9, "name"),  # past the end: the deepest node reached
        ("user_properties", 1, "classifications", 0),
        ("targets", "rudderstack", "sources", 0, "identify", "propagate_validation_errors"),
        ("nowhere", 3),
    ]
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    assert safeyaml.lines(text, paths) == [_line(node, p) for p in paths]
    minimum = text.splitlines().index("        minimum: 0") + 1  # position_ms's, the first one
    assert safeyaml.lines(text, paths)[2] == minimum


def test_aliases_and_merge_keys_still_work_within_the_limits() -> None:
    plan = loads(
        BASE + "events:\n  - name: A\n    properties:\n"
        "      - &first {name: p, type: string, description: Shared.}\n"
        "      - {<<: *first, name: q}\n"
        "  - {name: B, properties: [*first]}\n"
    )
    assert [(p.name, p.description) for p in plan.events[0].properties] == [
        ("p", "Shared."),
        ("q", "Shared."),
    ]
    assert plan.events[1].properties == plan.events[0].properties[:1]


@pytest.mark.parametrize(
    ("target", "bad", "bad_event", "event_field"),
    [
        (
            "amplitude: {mode: import, workspace: W}",
            "{name: p, type: enum, values: ['a,b']}",
            "'Tab\tname'",
            "name",
        ),
        ("rudderstack: {plan_name: Web Plan}", "{name: 'bad-name'}", "ab", ""),
    ],
)
def test_a_property_repeated_on_many_events_is_checked_once_and_blamed_everywhere(
    target: str, bad: str, bad_event: str, event_field: str
) -> None:
    # The vendors' property models run once per distinct property (issue 14), yet every
    # event that carries a bad one gets its own problem, and other events theirs.
    events = "".join(f"  - {{name: Event {i}, properties: [{{name: ok}}, {bad}]}}\n" for i in range(3))
    events += f"  - {{name: {bad_event}, properties: [{{name: ok}}]}}\n"
    with pytest.raises(PlanInvalid) as invalid:
        loads(BASE + "events:\n" + events + f"targets:\n  {target}\n")
    fields = [i.field for i in invalid.value.issues]
    assert [f.split(".properties[1]")[0] for f in fields[:3]] == ["events[0]", "events[1]", "events[2]"], (
        fields
    )
    assert fields[3:] == [f"events[3].{event_field}".rstrip(".")], fields


def test_amplitude_mode_chooses_objects_or_one_import() -> None:
    events = "".join(f"  - name: E{i}\n" for i in range(3))
    auto = loads(BASE + "events:\n" + events + "targets:\n  amplitude: {import_above: 2, workspace: W}\n")
    assert uses_import(auto)
    assert not uses_import(
        auto.model_copy(
            update={
                "targets": auto.targets.model_copy(
                    update={"amplitude": auto.targets.amplitude.model_copy(update={"mode": "objects"})}
                )
            }
        )
    )  # type: ignore[union-attr]
    assert len(import_plan(load(EXAMPLE)).events) == 3


def test_plan_objects_can_be_built_in_python() -> None:
    plan = Plan(name="P", events=[{"name": "A", "properties": [{"name": "p", "type": "number"}]}])  # type: ignore[list-item]
    assert plan.events[0].key == "a"
