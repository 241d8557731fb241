"""The Taxonomy Import CSV files: any plan -> files -> parsed plan is the same plan; the
strict reader takes only the documented column sets and values; the lenient one reads
what users have; bad files are refused naming the row and column."""

from __future__ import annotations

import csv
import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_taxonomy.amplitude.importcsv import (
    EVENT_COLUMNS,
    USER_PROPERTY_COLUMNS,
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
    write_file,
    write_plan,
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
    "ci", derandomize=True, max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "explore", max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@settings()
@given(plans)
def test_any_plan_round_trips_through_the_two_files(plan: ImportPlan) -> None:
    files = write_plan(plan)
    assert set(files) <= {"events", "user_properties"}
    # Each file is one documented column set, read by the strict (vendor's) reader...
    strict = {kind: read_changes(text) for kind, text in files.items()}
    assert all(changes.kind == kind for kind, changes in strict.items())
    # ...and the whole plan comes back (user properties without `gp:`, as files carry them).
    assert read_plan(*files.values()).canonical_json() == plan.canonical_json()


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
    files = write_plan(plan)
    assert read_plan(files["events"], files["user_properties"]) == ImportPlan(
        events=plan.events,
        user_properties=[ImportUserProperty(name="plan", type="string", regex="^(free|pro)$")],
    )


def test_each_file_has_exactly_its_documented_columns() -> None:
    files = write_plan(PLAN)
    assert rows_of(files["events"])[0] == list(EVENT_COLUMNS)
    assert rows_of(files["user_properties"])[0] == list(USER_PROPERTY_COLUMNS)
    assert "Property Name" not in EVENT_COLUMNS and "Object Type" not in USER_PROPERTY_COLUMNS
    events = rows_of(files["events"])
    header = events[0]
    # The event's row first; its property rows after it leave Object Type and Name blank.
    assert [r[header.index("Object Type")] for r in events[1:]] == ["Event", ""]
    assert [r[header.index("Object Name")] for r in events[1:]] == ["A", ""]
    assert events[2][header.index("Property Required")] == "False"  # the docs spell True/False


def test_header_has_every_column_in_any_order() -> None:
    rows = rows_of(write_plan(PLAN)["events"])
    assert read_plan(as_text([list(reversed(row)) for row in rows])) == ImportPlan(events=PLAN.events)


def test_removals_and_ignored_rows() -> None:
    kept = event_rows(ImportEvent(name="Kept", properties=[ImportProperty(name="p")]))
    skipped = event_rows(ImportEvent(name="Skipped", properties=[ImportProperty(name="q")]))
    removed_property = {**kept[1], "Action": "Remove"}
    text = write_file(
        "events",
        [
            removal_row(Removal(kind="event", name="Old"))[1],
            kept[0],
            removed_property,  # `Remove` "doesn't affect individual properties": nothing happens
            {**skipped[0], "Action": "Ignore"},
            skipped[1],  # under an ignored event: ignored too
        ],
    )
    changes = read_changes(text)
    assert changes.plan() == ImportPlan(events=[ImportEvent(name="Kept")])
    assert changes.removals == [Removal(kind="event", name="Old")]
    kind, row = removal_row(Removal(kind="user_property", name="gp:tier"))
    users = read_changes(write_file(kind, [row]))
    assert (users.kind, users.removals) == ("user_properties", [Removal(kind="user_property", name="tier")])


PLAN = ImportPlan(
    events=[ImportEvent(name="A", properties=[ImportProperty(name="p", type="number")])],
    user_properties=[ImportUserProperty(name="tier", type="string")],
)


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def as_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def edited(kind: str, row: int, column: str, value: str) -> str:
    rows = rows_of(write_plan(PLAN)[kind])  # type: ignore[index]
    rows[row][rows[0].index(column)] = value
    return as_text(rows)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("Property Value Type", "date", "unknown value type"),
        ("Property Required", "yes", "not a boolean"),
        ("Property Required", "TRUE", "not a boolean"),  # the docs spell it True
        ("Property Is Array", "1", "not a boolean"),
        ("Action", "Delete", "unknown action"),
        ("Object Type", "Page", "unknown object type"),
        ("Object Name", "A", "leave Object Name blank"),
        ("Property Type", "Group Property", "unknown property type"),
        ("Property Type", "User Property", "user-property file"),
        ("Event Property Name", "", "needs a name"),
        ("Enum Values", "a,b", "only allowed with type"),
        ("Property Regex", "([", "regex"),
    ],
)
def test_bad_cells_of_the_events_file_name_row_and_column(column: str, value: str, expected: str) -> None:
    with pytest.raises(CsvError) as error:
        read_changes(edited("events", 2, column, value))
    assert error.value.row == 3 and error.value.column == column and expected in str(error.value)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("Property Type", "Event Property", "needs Property Type User Property"),
        ("Property Name", "", "needs a name"),
        ("Property Is Array", "Yes", "not a boolean"),
    ],
)
def test_bad_cells_of_the_user_property_file(column: str, value: str, expected: str) -> None:
    with pytest.raises(CsvError) as error:
        read_changes(edited("user_properties", 1, column, value))
    assert error.value.row == 2 and error.value.column == column and expected in str(error.value)


def test_a_property_row_needs_its_event_row_above_it() -> None:
    rows = rows_of(write_plan(PLAN)["events"])
    with pytest.raises(CsvError, match="must follow its event's row") as error:
        read_changes(as_text([rows[0], rows[2]]))
    assert error.value.row == 2


def test_a_file_mixing_the_two_column_sets_is_refused_naming_the_column() -> None:
    with pytest.raises(CsvError, match="mixes the events file's columns") as error:
        read_changes(",".join([*EVENT_COLUMNS, "Property Name"]) + "\r\n")
    assert (error.value.row, error.value.column) == (1, "Property Name")
    with pytest.raises(CsvError, match="mixes") as error:
        read_changes(",".join([*USER_PROPERTY_COLUMNS, "Object Type"]) + "\r\n")
    assert error.value.column == "Object Type"


def test_missing_unknown_and_repeated_columns() -> None:
    with pytest.raises(CsvError, match="missing columns of the events file: Enum Values"):
        read_changes(",".join(c for c in EVENT_COLUMNS if c != "Enum Values") + "\r\n")
    with pytest.raises(CsvError, match="missing columns of the user-property file: Const Value"):
        read_changes(",".join(c for c in USER_PROPERTY_COLUMNS if c != "Const Value") + "\r\n")
    with pytest.raises(CsvError, match="unknown columns: Colour"):
        read_changes(",".join([*EVENT_COLUMNS, "Colour"]) + "\r\n")
    with pytest.raises(CsvError, match="appear twice: Tags"):
        read_changes(",".join([*EVENT_COLUMNS, "Tags"]) + "\r\n")
    with pytest.raises(CsvError, match="more cells than columns"):
        read_changes(",".join(EVENT_COLUMNS) + "\r\n" + ",".join(["x"] * (len(EVENT_COLUMNS) + 1)) + "\r\n")
    with pytest.raises(CsvError, match="empty"):
        read_changes("")


LEGACY_HEADER = [*EVENT_COLUMNS, "Property Name"]
"""The single file that pulumi-taxonomy 0.1 wrote (and users may keep as their plan)."""


def legacy_row(**cells: str) -> list[str]:
    return [cells.get(column, "") for column in LEGACY_HEADER]


def test_read_plan_still_reads_the_combined_file_earlier_versions_wrote() -> None:
    text = as_text(
        [
            LEGACY_HEADER,
            legacy_row(**{"Object Type": "Event", "Object Name": "A", "Event Hidden From Timeline": "FALSE"}),
            legacy_row(
                **{
                    "Object Type": "Event",
                    "Object Name": "A",
                    "Property Type": "Event Property",
                    "Event Property Name": "p",
                    "Property Value Type": "number",
                    "Property Required": "FALSE",
                    "Property Is Array": "FALSE",
                }
            ),
            legacy_row(
                **{"Property Type": "User Property", "Property Name": "tier", "Property Value Type": "string"}
            ),
        ]
    )
    assert read_plan(text) == PLAN
    with pytest.raises(CsvError, match="mixes"):
        read_changes(text)  # the vendor is not expected to take it


def test_read_plan_reads_amplitude_exports_with_their_extra_columns() -> None:
    rows = rows_of(write_plan(PLAN)["user_properties"])
    extra = ["Property Schema Status", "Property Visibility", "Property First Seen"]
    exported = as_text([[*rows[0], *extra], [*rows[1], "LIVE", "VISIBLE", "01/02/2026"]])
    assert read_plan(exported) == ImportPlan(user_properties=PLAN.user_properties)
    with pytest.raises(CsvError, match="mixes"):  # Property Visibility is an events column
        read_changes(exported)
    events = rows_of(write_plan(PLAN)["events"])
    upper = [[cell.replace("False", "FALSE") for cell in row] for row in events]
    assert read_plan(as_text(upper)) == ImportPlan(events=PLAN.events)


def test_the_canonical_text_is_the_same_for_equal_plans() -> None:
    a = ImportPlan(
        events=[
            ImportEvent(name="B", properties=[ImportProperty(name="y"), ImportProperty(name="x")]),
            ImportEvent(name="A"),
        ],
        user_properties=[ImportUserProperty(name="gp:u")],
    )
    b = ImportPlan(
        events=[
            ImportEvent(name="A"),
            ImportEvent(name="B", properties=[ImportProperty(name="x"), ImportProperty(name="y")]),
        ],
        user_properties=[ImportUserProperty(name="u")],
    )
    assert a.canonical_json() == b.canonical_json()
    assert ImportPlan.model_validate_json(a.canonical_json()).canonical_json() == a.canonical_json()
    assert '"type"' not in a.canonical_json(), "defaults are left out"
    assert ImportPlan().canonical_json() == "{}"
