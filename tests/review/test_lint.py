"""`lint`'s rules, each on names that pass and names that fail, with the file, line,
field, severity and fix of every finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_taxonomy.plan import PlanInvalid, loads
from pulumi_taxonomy.plan.conventions import STYLES, CaseStyle
from pulumi_taxonomy.plan.lint import Finding, lint
from pulumi_taxonomy.plan.naming import matches, to_style, words
from tests.review.conftest import located, read

ROOT = Path(__file__).resolve().parents[2]


def plan(conventions: str = "", events: str = "", extra: str = "") -> str:
    text = "version: 1\nname: Lint\n"
    if conventions:
        text += "conventions:\n" + conventions
    return text + "events:\n" + events + extra


def event(name: str, *props: str, more: str = "    description: d\n") -> str:
    text = f"  - name: {name!r}\n" + more
    if props:
        text += "    properties:\n" + "".join(f"      - {{name: {p!r}, description: d}}\n" for p in props)
    return text


def findings(text: str, rule: str | None = None) -> list[Finding]:
    found = lint(located(text))
    return [f for f in found if rule is None or f.rule == rule]


def test_the_example_plan_follows_its_conventions() -> None:
    example = read(ROOT / "examples" / "tracking-plan" / "plan.yaml")
    assert example.plan.conventions is not None  # the example shows the block
    assert lint(example) == []


CASES: list[tuple[CaseStyle, list[str], tuple[str, str]]] = [
    # style, names in it, (a name not in it, the fix)
    (
        "title",
        ["Song Played", "URL Opened", "Added to Cart", "Écouté Morceau"],
        ("song skipped", "Song Skipped"),
    ),
    ("sentence", ["Song played", "URL opened"], ("Song Skipped", "Song skipped")),
    ("snake", ["song_played", "position_ms", "top10_songs"], ("Song Skipped", "song_skipped")),
    ("camel", ["songPlayed", "songID", "position"], ("song_skipped", "songSkipped")),
    ("pascal", ["SongPlayed", "URLOpened"], ("song skipped", "SongSkipped")),
    ("kebab", ["song-played", "a-b-c"], ("songSkipped", "song-skipped")),
]


@pytest.mark.parametrize(("style", "good", "bad"), CASES)
def test_event_case(style: CaseStyle, good: list[str], bad: tuple[str, str]) -> None:
    rule = f"  event_case: {{style: {style}, severity: error}}\n"
    assert findings(plan(rule, "".join(event(n) for n in good)), "event_case") == []
    name, fixed = bad
    text = plan(rule, event(good[0]) + event(name))
    [found] = findings(text, "event_case")
    assert (found.file, found.line, found.field, found.severity) == (
        "plan.yaml",
        8,
        "events[1].name",
        "error",
    )
    assert found.message == f'"{name}" is not in {style} case'
    assert found.fix == f'rename it to "{fixed}"'


@pytest.mark.parametrize(("style", "good", "bad"), CASES)
def test_property_case(style: CaseStyle, good: list[str], bad: tuple[str, str]) -> None:
    rule = f"  property_case: {{style: {style}}}\n"
    assert findings(plan(rule, event("E", *good)), "property_case") == []
    name, fixed = bad
    [found] = findings(plan(rule, event("E", good[0], name)), "property_case")
    assert (found.line, found.field, found.severity) == (10, "events[0].properties[1].name", "warning")
    assert found.fix == f'rename it to "{fixed}"'


def test_without_conventions_names_follow_the_style_most_of_them_use() -> None:
    text = plan("", event("Song Played", "song_id") + event("Song Skipped", "position_ms", "Source"))
    text += event("song_searched", "query")
    found = findings(text)
    assert [(f.rule, f.field, f.fix) for f in found] == [
        ("property_case", "events[1].properties[1].name", 'rename it to "source"'),
        ("event_case", "events[2].name", 'rename it to "Song Searched"'),
    ]
    assert all(f.severity == "warning" for f in found)
    assert "the style of most event names" in found[1].message


def test_word_order_with_allowed_verbs() -> None:
    rule = "  word_order: {order: object_action, verbs: [Played, Skipped, Signed Up]}\n"
    good = event("Song Played") + event("Song Skipped") + event("User Signed Up")
    assert findings(plan(rule, good), "word_order") == []
    bad = event("Played Song") + event("Song Started") + event("Signed Up")
    found = findings(plan(rule, bad), "word_order")
    assert [(f.field, f.fix) for f in found] == [
        ("events[0].name", 'rename it to "Song Played"'),
        ("events[1].name", None),
        ("events[2].name", None),
    ]
    assert 'does not end with an allowed action ("Played", "Skipped", "Signed Up")' in found[1].message


def test_word_order_without_verbs_spots_a_known_verb_at_the_wrong_end() -> None:
    rule = "  word_order: {order: object_action}\n"
    assert findings(plan(rule, event("Song Played") + event("Search Performed")), "word_order") == []
    found = findings(plan(rule, event("Play Song") + event("Checkout")), "word_order")
    assert [(f.field, f.fix) for f in found] == [
        ("events[0].name", 'rename it to "Song Played"'),
        ("events[1].name", None),
    ]
    assert "single word" in found[1].message
    action_first = "  word_order: {order: action_object}\n  event_case: {style: snake}\n"
    assert findings(plan(action_first, event("play_song")), "word_order") == []
    [found_one] = findings(plan(action_first, event("song_played")), "word_order")
    assert found_one.fix == 'rename it to "play_song"'


def test_forbidden_words_are_whole_words_in_any_case() -> None:
    rule = "  forbidden_words: {words: [test, tmp]}\n"
    assert findings(plan(rule, event("Contest Entered", "attempt")), "forbidden_words") == []
    found = findings(plan(rule, event("Test Event Tracked", "tmp_value")), "forbidden_words")
    assert [(f.field, f.severity, f.fix) for f in found] == [
        ("events[0].name", "error", 'rename it to "Event Tracked"'),
        ("events[0].properties[0].name", "error", 'rename it to "value"'),
    ]


def test_max_length() -> None:
    rule = "  max_length: {events: 11, properties: 4}\n"
    assert findings(plan(rule, event("Song Played", "song")), "max_length") == []
    found = findings(plan(rule, event("Song Skipped", "songs")), "max_length")
    assert [f.message for f in found] == [
        '"Song Skipped" has 12 characters; event names have at most 11',
        '"songs" has 5 characters; property names have at most 4',
    ]


def test_required_fields() -> None:
    rule = (
        "  required: {events: [description, owner, category], properties: [description], severity: error}\n"
    )
    definitions = "categories: [Playback]\nproperties:\n  song_id: {type: string, description: The song.}\n"
    good = (
        "  - name: Song Played\n    description: d\n    owner: o\n    category: Playback\n"
        "    properties:\n      - {name: song_id, ref: song_id}\n"  # the definition's description counts
    )
    assert findings(plan(rule, good, definitions), "required") == []
    bad = "  - name: Song Skipped\n    description: '  '\n    properties:\n      - {name: position}\n"
    found = findings(plan(rule, bad, "user_properties:\n  - {name: plan}\n"), "required")
    assert [(f.field, f.line) for f in found] == [
        ("events[0].category", 6),
        ("events[0].owner", 6),
        ("events[0].description", 7),  # only blanks: missing
        ("events[0].properties[0].description", 9),
        ("user_properties[0].description", 11),
    ]
    assert found[1].fix == "add owner: to it"
    assert all(f.severity == "error" for f in found)


def test_by_default_an_event_needs_a_description_and_nothing_else() -> None:
    found = findings(plan("", "  - name: Song Played\n"))
    assert [(f.rule, f.severity, f.field) for f in found] == [
        ("required", "warning", "events[0].description")
    ]


def test_similar_names_per_kind_of_name() -> None:
    events = (
        "  - {name: Song Played, id: a, description: d}\n"
        "  - {name: song_played, id: b, description: d}\n"
        "  - name: Song Skipped\n    description: d\n    properties:\n      - {name: song_id}\n"
        "  - name: Song Searched\n    description: d\n    properties:\n"
        "      - {name: Song ID}\n      - {name: song-id}\n"
    )
    users = "user_properties:\n  - {name: song_id}\n"  # another kind of name: no clash with events'
    found = findings(plan("  event_case: {severity: off}\n  property_case: {severity: off}\n", events, users))
    assert [(f.rule, f.field, f.fix) for f in found] == [
        ("similar_names", "events[1].name", 'use "Song Played"'),
        ("similar_names", "events[3].properties[0].name", 'use "song_id"'),
        ("similar_names", "events[3].properties[1].name", 'use "song_id"'),
    ]
    assert found[0].severity == "error"
    assert "(line 7)" in found[0].message and 'only by case, spaces, "_", "-", accents' in found[0].message


def test_names_that_differ_by_an_invisible_character_or_an_accent_are_similar() -> None:
    events = (
        "  - {name: Song Played, id: a, description: d}\n"
        '  - {name: "Song Played\\u200b", id: b, description: d}\n'
        '  - {name: "So\\u0301ng Played", id: c, description: d}\n'
    )
    found = findings(plan("  event_case: {severity: off}\n", events), "similar_names")
    assert [f.field for f in found] == ["events[1].name", "events[2].name"]
    assert '"Song Played\\u200b" differs from "Song Played"' in found[0].message


def test_each_rule_can_be_off_a_warning_or_an_error() -> None:
    names = event("Song Played") + event("song_skipped")
    assert [f.severity for f in findings(plan("", names), "event_case")] == ["warning"]
    assert [f.severity for f in findings(plan("  event_case: {severity: error}\n", names), "event_case")] == [
        "error"
    ]
    # A bare `off` is YAML 1.1's false: it still means off.
    assert findings(plan("  event_case: {severity: off}\n", names), "event_case") == []
    with pytest.raises(PlanInvalid) as invalid:
        loads(plan("  event_case: {severity: on}\n", names), "plan.yaml")
    assert invalid.value.issues[0].field == "conventions.event_case.severity"
    with pytest.raises(PlanInvalid) as typo:
        loads(plan("  event_cases: {severity: error}\n", names), "plan.yaml")
    assert typo.value.issues[0].field == "conventions.event_cases"


def test_deprecated_items_and_non_track_events_keep_their_names() -> None:
    text = plan(
        "  event_case: {style: title, severity: error}\n  property_case: {style: snake, severity: error}\n",
        "  - {name: old_event, deprecated: true}\n"
        "  - name: Song Played\n    description: d\n"
        "    properties:\n      - {name: OldProp, deprecated: true}\n"
        "  - name: identify\n    type: identify\n    description: d\n    properties: [{name: userEmail}]\n",
    )
    assert [(f.rule, f.field) for f in findings(text)] == [("property_case", "events[2].properties[0].name")]


@pytest.mark.parametrize("name", [".", "..", "/", "%", "#", "?", "a/../b", "🎵"])
def test_names_without_letters_get_a_finding_but_no_invented_fix(name: str) -> None:
    [found] = findings(plan("  event_case: {style: title}\n", event(name)), "event_case")
    assert found.fix is None or found.fix.startswith("rename it to")
    if not words(name):
        assert found.fix is None


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=24), st.sampled_from(STYLES))
def test_a_suggested_name_is_in_the_style_it_suggests(text: str, style: CaseStyle) -> None:
    fixed = to_style(style, text)
    assert fixed is None or matches(style, fixed), (text, fixed)
