"""`pulumi-taxonomy lint`: a plan's names and documentation against its `conventions:`.

Every finding names the file, the line, the field, the rule and its severity, and a
fix where one exists (the name in the right case, in the right order...). Deprecated
events and properties are left alone: renaming them now would itself break their
users, and they are on their way out.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pulumi_taxonomy.core.inputs import field_path
from pulumi_taxonomy.plan.conventions import CaseRule, CaseStyle, Conventions, Rule, WordOrderRule
from pulumi_taxonomy.plan.loader import Issue, Loc, Located
from pulumi_taxonomy.plan.models import EventProperty, GroupProperty, Plan, PropertyDef, UserProperty
from pulumi_taxonomy.plan.naming import dominant, matches, normalized, to_style, words

Level = Literal["error", "warning"]
Kind = Literal["event", "property"]


RULES = {
    "event_case": "Event names follow one case style.",
    "property_case": "Property names follow one case style.",
    "word_order": "Event names put the object and the action in the team's order.",
    "forbidden_words": "No name contains a forbidden word.",
    "max_length": "No name is longer than the team's limit.",
    "required": "Events (and properties) fill the fields the team requires.",
    "similar_names": 'No two names differ only by case, spaces, "_", "-", accents or invisible characters.',
    "validate": "The plan is valid for every target it names (pulumi-taxonomy validate).",
}
"""Every rule `lint` reports, by the name it has in `conventions:` and in findings."""


@dataclass(frozen=True)
class Finding:
    file: str
    line: int | None
    field: str
    rule: str
    severity: Level
    message: str
    fix: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Name:
    """One name the plan gives: where it is, what it names, and among which names it must
    stand apart (`scope`)."""

    loc: Loc
    kind: Kind
    name: str
    scope: str


_VERB_PAIRS = (
    "add/added apply/applied block/blocked buy/bought cancel/cancelled change/changed "
    "check/checked choose/chose click/clicked close/closed complete/completed connect/connected "
    "copy/copied create/created delete/deleted disable/disabled dismiss/dismissed "
    "download/downloaded edit/edited enable/enabled end/ended enter/entered fail/failed "
    "finish/finished follow/followed install/installed invite/invited join/joined leave/left "
    "like/liked load/loaded lock/locked log/logged open/opened order/ordered pause/paused "
    "pay/paid perform/performed play/played purchase/purchased rate/rated receive/received "
    "refund/refunded register/registered remove/removed rename/renamed request/requested "
    "reset/reset restore/restored resume/resumed save/saved scroll/scrolled search/searched "
    "select/selected send/sent share/shared show/shown sign/signed skip/skipped start/started "
    "stop/stopped submit/submitted subscribe/subscribed swipe/swiped tap/tapped "
    "unlock/unlocked unsubscribe/unsubscribed update/updated upgrade/upgraded upload/uploaded "
    "verify/verified view/viewed visit/visited watch/watched"
)
VERBS = dict(pair.split("/") for pair in _VERB_PAIRS.split())
"""Common actions of analytics events (base/past), to spot a verb at the wrong end of a
name when the plan lists no `verbs` of its own."""
KNOWN_VERBS = frozenset(VERBS) | frozenset(VERBS.values())
BASE = {past: base for base, past in VERBS.items()}


def lint(located: Located) -> list[Finding]:
    """Every finding of the plan's conventions (the defaults when it has none)."""
    plan = located.plan
    conventions = plan.conventions or Conventions()
    names = list(_names(plan))
    events = [n for n in names if n.kind == "event"]
    properties = [n for n in names if n.kind == "property"]
    event_style = _style(conventions.event_case, events)
    property_style = _style(conventions.property_case, properties)
    raw: list[tuple[str, Loc, str, str | None]] = []  # rule, where, what, fix
    for name in names:
        style = event_style if name.kind == "event" else property_style
        case = "event_case" if name.kind == "event" else "property_case"
        raw += [(case, name.loc, *found) for found in _case(getattr(conventions, case), style, name)]
        if name.kind == "event" and conventions.word_order is not None:
            order = _word_order(conventions.word_order, name.name, event_style or "title")
            raw += [("word_order", name.loc, *found) for found in order]
        raw += [("forbidden_words", name.loc, *f) for f in _forbidden(conventions, name, style)]
        limit = conventions.max_length.events if name.kind == "event" else conventions.max_length.properties
        if limit is not None and len(name.name) > limit:
            message = f'"{name.name}" has {len(name.name)} characters; {name.kind} names have at most {limit}'
            raw.append(("max_length", name.loc, message, None))
    similar = _similar(names, event_style, property_style, located.line)
    raw += [("similar_names", *found) for found in similar]
    raw += [("required", *found) for found in _required(plan, conventions)]
    findings = [
        Finding(located.file, located.line(loc), field_path(loc), rule, level, message, fix)
        for rule, loc, message, fix in raw
        if (level := _severity(getattr(conventions, rule))) is not None
    ]
    return sorted(findings, key=lambda f: (f.line or 0, f.field, f.rule))


def invalid(issues: Iterable[Issue]) -> list[Finding]:
    """A plan that does not load, as findings: the conventions could not be checked."""
    return [
        Finding(i.file, i.line, i.field, "validate", "error", str(i.message) + _target(i.target))
        for i in issues
    ]


def _target(target: str) -> str:
    return f" [{target}]" if target != "plan" else ""


def _severity(rule: Rule) -> Level | None:
    return None if rule.severity == "off" else rule.severity


def _names(plan: Plan) -> Iterator[_Name]:
    for i, event in enumerate(plan.events):
        if event.deprecated:
            continue
        if event.type == "track":  # other types are RudderStack's traits and pages: no event name
            yield _Name(("events", i, "name"), "event", event.name, "event")
        yield from _property_names(event.properties, ("events", i))
    for key, definition in plan.properties.items():
        yield from _property_names(definition.properties or [], ("properties", key))
    for i, user in enumerate(plan.user_properties):
        if not user.deprecated:
            yield _Name(("user_properties", i, "name"), "property", user.name, "user property")
    for i, group in enumerate(plan.group_properties):
        if not group.deprecated:
            loc = ("group_properties", i, "name")
            yield _Name(loc, "property", group.name, f'property of group type "{group.group_type}"')


def _property_names(properties: Iterable[EventProperty], parent: Loc) -> Iterator[_Name]:
    for j, prop in enumerate(properties):
        if prop.deprecated:
            continue
        loc = (*parent, "properties", j)
        yield _Name((*loc, "name"), "property", prop.name, "event property")
        yield from _property_names(prop.properties or [], loc)


def _style(rule: CaseRule, names: list[_Name]) -> CaseStyle | None:
    return dominant(n.name for n in names) if rule.style == "consistent" else rule.style


def _case(rule: CaseRule, style: CaseStyle | None, name: _Name) -> Iterator[tuple[str, str | None]]:
    if style is None or matches(style, name.name):
        return
    why = f"{style} case"
    if rule.style == "consistent":
        why += f", the style of most {name.kind} names"
    yield f'"{name.name}" is not in {why}', _rename(to_style(style, name.name))


def _rename(name: str | None) -> str | None:
    return f'rename it to "{name}"' if name else None


def _phrase(text: str) -> list[str]:
    return [w.lower() for w in words(text)]


def _word_order(rule: WordOrderRule, name: str, style: CaseStyle) -> Iterator[tuple[str, str | None]]:
    found = _phrase(name)
    first = rule.order == "object_action"
    example = '"Song Played"' if first else '"Play Song"'
    order = (
        f"{rule.order} names an object, then an action ({example})"
        if first
        else (f"{rule.order} names an action, then an object ({example})")
    )
    if rule.verbs is not None:
        verbs = [v for v in (_phrase(verb) for verb in rule.verbs) if v]
        ends = [v for v in verbs if len(found) > len(v) and found[-len(v) :] == v]
        starts = [v for v in verbs if len(found) > len(v) and found[: len(v)] == v]
        good, wrong = (ends, starts) if first else (starts, ends)
        if good:
            return
        if wrong:
            verb = wrong[0]
            rest = found[len(verb) :] if first else found[: -len(verb)]
            yield (
                f'"{name}" puts the action in the wrong place: {order}',
                _rename(to_style(style, " ".join(rest + verb if first else verb + rest))),
            )
            return
        allowed = ", ".join(f'"{v}"' for v in rule.verbs)
        where = "end" if first else "start"
        yield f'"{name}" does not {where} with an allowed action ({allowed})', None
        return
    if len(found) < 2:
        yield f'"{name}" is a single word: {order}', None
        return
    head, tail = found[0] in KNOWN_VERBS, found[-1] in KNOWN_VERBS
    if first and head and not tail:
        moved = [*found[1:], VERBS.get(found[0], found[0])]
    elif not first and tail and not head:
        moved = [BASE.get(found[-1], found[-1]), *found[:-1]]
    else:
        return
    yield f'"{name}" puts the action in the wrong place: {order}', _rename(to_style(style, " ".join(moved)))


def _forbidden(
    conventions: Conventions, name: _Name, style: CaseStyle | None
) -> Iterator[tuple[str, str | None]]:
    found = _phrase(name.name)
    for word in conventions.forbidden_words.words:
        banned = _phrase(word)
        at = next((i for i in range(len(found)) if banned and found[i : i + len(banned)] == banned), None)
        if at is None:
            continue
        rest = found[:at] + found[at + len(banned) :]
        fix = _rename(to_style(style, " ".join(rest))) if rest and style else None
        yield f'"{name.name}" contains the forbidden word "{word}"', fix or f'remove "{word}" from the name'


def _similar(
    names: list[_Name],
    event_style: CaseStyle | None,
    property_style: CaseStyle | None,
    line: Callable[[Loc], int | None],
) -> Iterator[tuple[Loc, str, str | None]]:
    groups: dict[tuple[str, str], list[_Name]] = {}
    for name in names:
        groups.setdefault((name.scope, normalized(name.name)), []).append(name)
    for (scope, _), group in groups.items():
        spellings = Counter(n.name for n in group)
        if len(spellings) < 2:
            continue
        style = event_style if group[0].kind == "event" else property_style
        # The spelling to keep: one in the plan's style, else the most used, else the first.
        keep = max(spellings, key=lambda s: (style is not None and matches(style, s), spellings[s]))
        first = next(n for n in group if n.name == keep)
        where = f"line {line(first.loc)}" if line(first.loc) else field_path(first.loc)
        for name in group:
            if name.name != keep:
                yield (
                    name.loc,
                    f'"{_visible(name.name)}" differs from "{_visible(keep)}" ({where}), another {scope}, '
                    'only by case, spaces, "_", "-", accents or invisible characters',
                    f'use "{keep}"',
                )


def _visible(name: str) -> str:
    """The name with its invisible characters (zero-width space, joiners) spelled out, so
    that two names which print alike are told apart in the message."""
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cf" else c for c in name)


def _required(plan: Plan, conventions: Conventions) -> Iterator[tuple[Loc, str, str | None]]:
    rule = conventions.required
    for i, event in enumerate(plan.events):
        if event.deprecated:
            continue
        for field in rule.events:
            if not (getattr(event, field) or "").strip():
                yield ("events", i, field), f'event "{event.name}" has no {field}', f"add {field}: to it"
        if "description" in rule.properties:
            for j, (raw, prop) in enumerate(zip(event.properties, plan.resolved(event), strict=True)):
                if not raw.deprecated:
                    yield from _described(prop, ("events", i, "properties", j), f'property "{prop.name}"')
    if "description" in rule.properties:
        listed: list[tuple[str, str, Sequence[UserProperty | GroupProperty]]] = [
            ("user_properties", "user property", plan.user_properties),
            ("group_properties", "group property", plan.group_properties),
        ]
        for group, what, members in listed:
            for i, member in enumerate(members):
                if not member.deprecated:
                    yield from _described(member, (group, i), f'{what} "{member.name}"')


def _described(prop: PropertyDef, loc: Loc, what: str) -> Iterator[tuple[Loc, str, str | None]]:
    if not (prop.description or "").strip():
        yield (*loc, "description"), f"{what} has no description", "add description: to the property"
