"""The Taxonomy Import CSV: any plan -> CSV -> parsed plan is the same plan; bad files
are refused naming the row and column."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_taxonomy.amplitude.importcsv import (
    COLUMNS,
    EVENT_COLUMNS,
    CsvError,
    ImportEvent,
    ImportPlan,
    ImportProperty,
    ImportUserProperty,
    Removal,
    event_rows,
    read_changes,
    read_plan,
    removal_row,
    write_plan,
    write_rows,
)

# Names: any printable text (commas, quotes, non-ASCII...) but no control characters,
# and not empty after stripping, as Amplitude requires.
name_chars = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x7f")
names = st.text(name_chars, min_size=1, max_size=30).filter(lambda s: s.strip() != "")
# Descriptions may hold newlines, tabs and quotes too.
descriptions = st.none() | st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)
enum_value = st.text(name_chars, min_size=1, max_size=12).filter(
    lambda s: "," not in s and s.strip() == s and s
)


@st.composite
def properties(draw: st.DrawFn, user: bool = False) -> ImportProperty | ImportUserProperty:
    kind = draw(st.sampled_from(["string", "number", "boolean", "enum", "any"]))
    name = draw(names.filter(lambda n: n.removeprefix("gp:").strip() != "") if user else names)
    fields = {
        "name": name,
        "description": draw(descriptions),
        "type": kind,
        "is_array_type": draw(st.booleans()),
        "enum_values": draw(st.lists(enum_value, min_size=1, max_size=4, unique=True))
        if kind == "enum"
        else [],
        "regex": draw(st.none() | st.sampled_from(["^[a-z]+$", "[0-9]{5}", 'a,b|"c"']))
        if kind == "string"
        else None,
    }
    if user:
        return ImportUserProperty(**fields)
    return ImportProperty(**fields, is_required=draw(st.booleans()))


@st.composite
def events(draw: st.DrawFn) -> ImportEvent:
    props = draw(st.lists(properties(), max_size=4, unique_by=lambda p: p.name))
    return ImportEvent(
        name=draw(names),
        category=draw(st.none() | names),
        description=draw(descriptions),
        display_name=draw(descriptions),
        properties=props,
    )


plans = st.builds(
    ImportPlan,
    events=st.lists(events(), max_size=5, unique_by=lambda e: e.name),
    user_properties=st.lists(
        properties(user=True), max_size=4, unique_by=lambda p: p.name.removeprefix("gp:")
    ),  # type: ignore[union-attr]
)


# Derandomized so CI is reproducible; explore more with HYPOTHESIS_PROFILE=explore.
settings.register_profile(
    "ci", derandomize=True, max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "explore", max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@settings()
@given(plans)
def test_any_plan_round_trips(plan: ImportPlan) -> None:
    assert read_plan(write_plan(plan)) == plan


def test_tricky_text_round_trips() -> None:
    plan = ImportPlan(
        events=[
            ImportEvent(
                name='Checkout, "Express" \u2013 café ☕',
                category="Paiement, rapide",
                description='Line one\nLine "two", with commas\r\nand CRLF',
                display_name="Ça va?",
                properties=[
                    ImportProperty(
                        name="prix, TTC",
                        type="enum",
                        enum_values=['"a"', "é", "b c"],
                        description="multi\nline",
                    )
                ],
            )
        ],
        user_properties=[ImportUserProperty(name="gp:plan", type="string", regex="^(free|pro)$")],
    )
    text = write_plan(plan)
    assert read_plan(text) == ImportPlan(
        events=plan.events,
        user_properties=[ImportUserProperty(name="plan", type="string", regex="^(free|pro)$")],
    )


def test_header_has_every_column_in_any_order() -> None:
    plan = ImportPlan(events=[ImportEvent(name="A", properties=[ImportProperty(name="p", type="number")])])
    rows = text_rows(write_plan(plan))
    reordered = [list(reversed(row)) for row in rows]
    assert read_plan(as_text(reordered)) == plan


def test_removals_and_ignored_rows() -> None:
    text = write_rows(
        [
            removal_row(Removal(kind="event", name="Old")),
            removal_row(Removal(kind="event_property", name="p", event="Kept")),
            removal_row(Removal(kind="user_property", name="gp:tier")),
            {**event_rows(ImportEvent(name="Skipped"))[0], "Action": "Ignore"},
        ]
    )
    changes = read_changes(text)
    assert changes.events == [] and changes.plan() == ImportPlan()
    assert changes.removals == [
        Removal(kind="event", name="Old"),
        Removal(kind="event_property", name="p", event="Kept"),
        Removal(kind="user_property", name="tier"),
    ]


def text_rows(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text, newline="")))


def as_text(rows: list[list[str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def bad(mutate: str, value: str, column: str) -> tuple[str, str]:
    plan = ImportPlan(events=[ImportEvent(name="A", properties=[ImportProperty(name="p", type="number")])])
    rows = text_rows(write_plan(plan))
    rows[2][rows[0].index(column)] = value
    return as_text(rows), mutate


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("Property Value Type", "date", "unknown value type"),
        ("Property Required", "yes", "not a boolean"),
        ("Property Is Array", "1", "not a boolean"),
        ("Action", "Delete", "unknown action"),
        ("Object Type", "Page", "unknown object type"),
        ("Property Type", "Group Property", "unknown property type"),
        ("Event Property Name", "", "needs a name"),
        ("Enum Values", "a,b", "only allowed with type"),
        ("Property Regex", "([", "regex"),
    ],
)
def test_bad_cells_name_row_and_column(column: str, value: str, expected: str) -> None:
    text, _ = bad("", value, column)
    with pytest.raises(CsvError) as error:
        read_changes(text)
    assert error.value.row == 3 and error.value.column == column and expected in str(error.value)


def test_missing_and_unknown_columns() -> None:
    header = [c for c in COLUMNS if c != "Enum Values"]
    with pytest.raises(CsvError, match="missing columns: Enum Values"):
        read_changes(",".join(header) + "\r\n")
    with pytest.raises(CsvError, match="unknown columns: Colour"):
        read_changes(",".join([*EVENT_COLUMNS, "Colour"]) + "\r\n")
    with pytest.raises(CsvError, match="more cells than columns"):
        read_changes(",".join(EVENT_COLUMNS) + "\r\n" + ",".join(["x"] * (len(EVENT_COLUMNS) + 1)) + "\r\n")
