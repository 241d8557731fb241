"""The plan's optional `conventions:` block: how a team names and documents what it tracks.

Part of plan format version 1 (a plan without the block stays valid and gets the
defaults below). Each key is one rule, named as `lint` reports it, and each rule
takes a `severity`: `error`, `warning` or `off`.

| rule | checks | default |
|---|---|---|
| `event_case` | event names in one case style | `consistent` (the plan's majority style), warning |
| `property_case` | property names in one case style | `consistent`, warning |
| `word_order` | `object_action` ("Song Played") or `action_object`, optional `verbs` | off |
| `forbidden_words` | whole words no name may contain | no words |
| `max_length` | characters in event and property names | no limit |
| `required` | fields every event (and property) must fill | event `description`, warning |
| `similar_names` | names differing only by case, spaces, `_`, `-`, accents, invisible characters | error |
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Severity = Literal["error", "warning", "off"]
CaseStyle = Literal["title", "sentence", "snake", "camel", "pascal", "kebab"]
STYLES: tuple[CaseStyle, ...] = ("title", "sentence", "snake", "camel", "pascal", "kebab")


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity = "error"

    @field_validator("severity", mode="before")
    @classmethod
    def _yaml_off(cls, value: Any) -> Any:
        # YAML 1.1 (PyYAML) reads a bare `off` as false: take it as the word it was meant to be.
        return "off" if value is False else value


class CaseRule(Rule):
    style: CaseStyle | Literal["consistent"] = "consistent"
    """A case style, or `consistent`: the style most names of the plan already follow."""
    severity: Severity = "warning"


class WordOrderRule(Rule):
    order: Literal["object_action", "action_object"] = "object_action"
    """`object_action`: "Song Played"; `action_object`: "Play Song"."""
    verbs: list[str] | None = None
    """The allowed actions (words or phrases such as "Signed Up"); without a list, only a
    well-known verb at the wrong end of a name is reported."""


class ForbiddenWordsRule(Rule):
    words: list[str] = Field(default_factory=list)
    """Whole words, matched in any case ("test" matches "Test Event", not "Contest")."""


class MaxLengthRule(Rule):
    events: int | None = Field(default=None, ge=1)
    properties: int | None = Field(default=None, ge=1)


EventField = Literal["description", "owner", "category"]


class RequiredRule(Rule):
    events: list[EventField] = Field(default_factory=lambda: list[EventField](["description"]))
    properties: list[Literal["description"]] = Field(default_factory=list)
    """Applies to event, user and group properties (a `ref` brings its definition's)."""
    severity: Severity = "warning"


class SimilarNamesRule(Rule):
    pass


class Conventions(BaseModel):
    """The team's naming and documentation rules, checked by `pulumi-taxonomy lint`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_case: CaseRule = Field(default_factory=CaseRule)
    property_case: CaseRule = Field(default_factory=CaseRule)
    word_order: WordOrderRule | None = None
    """Off unless given: a team picks its word order."""
    forbidden_words: ForbiddenWordsRule = Field(default_factory=ForbiddenWordsRule)
    max_length: MaxLengthRule = Field(default_factory=MaxLengthRule)
    required: RequiredRule = Field(default_factory=RequiredRule)
    similar_names: SimilarNamesRule = Field(default_factory=SimilarNamesRule)
