"""Records the emulated Amplitude project keeps, and the changes a request asks for."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PropertyType = Literal["string", "number", "boolean", "enum", "any"]
Classification = Literal["PII", "SENSITIVE", "REVENUE"]

MAX_NAME_LENGTH = 1024
"""Amplitude truncates strings at 1,024 characters; longer names are refused [I]."""
MAX_DESCRIPTION_LENGTH = 10_000
"""Not documented; a generous bound so that huge bodies are refused, not stored [I]."""

USER_PREFIX = "gp:"
GROUP_PREFIX = "grp:"
MAX_CATEGORY_ID = 2**63 - 1
"""Ids are SQLite integers; a larger number in a path names no category."""


class ProjectSettings(BaseModel):
    """How the emulated project is set up at Amplitude (`POST /_sandbox/amplitude/project`)."""

    model_config = ConfigDict(extra="forbid")

    taxonomy: bool = True
    """False: a project without the Taxonomy API (no Enterprise plan or add-on), which
    answers every request 404 "Not found", as the reference says [D]."""
    data_access_controls: bool = True
    """False: `classifications` is refused, as the reference makes it depend on Data
    Access Controls being enabled for the account [D]."""
    empty_values: Literal["clear", "ignore"] = "clear"
    """What an empty attribute on an update does (undocumented [I]): `clear` empties the
    field; `ignore` leaves it as it was, as a vendor that drops empty values would."""


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class EventAttrs(Record):
    description: str | None = None
    display_name: str | None = None
    owner: str | None = None
    tags: list[str] = Field(default_factory=list)
    is_active: bool = True
    is_hidden_from_dropdowns: bool = False
    is_hidden_from_persona_results: bool = False
    is_hidden_from_pathfinder: bool = False
    is_hidden_from_timeline: bool = False


class PropertyAttrs(Record):
    description: str | None = None
    type: PropertyType | None = None
    regex: str | None = None
    enum_values: list[str] = Field(default_factory=list)
    is_array_type: bool = False
    is_required: bool = False
    classifications: list[Classification] = Field(default_factory=list)


class EventChanges(Record):
    """Fields of an event-type update; None leaves a field as it is."""

    category: str | None = None
    description: str | None = None
    display_name: str | None = None
    owner: str | None = None
    tags: list[str] | None = None
    is_active: bool | None = None
    is_hidden_from_dropdowns: bool | None = None
    is_hidden_from_persona_results: bool | None = None
    is_hidden_from_pathfinder: bool | None = None
    is_hidden_from_timeline: bool | None = None

    def apply(self, attrs: EventAttrs) -> EventAttrs:
        changes = self.model_dump(exclude_none=True, exclude={"category"})
        return attrs.model_copy(update=changes)


class PropertyChanges(Record):
    """Fields of a property create/update; None leaves a field as it is."""

    description: str | None = None
    type: PropertyType | None = None
    regex: str | None = None
    enum_values: list[str] | None = None
    is_array_type: bool | None = None
    is_required: bool | None = None
    classifications: list[Classification] | None = None

    def apply(self, attrs: PropertyAttrs) -> PropertyAttrs:
        return attrs.model_copy(update=self.model_dump(exclude_none=True))

    def first_field(self) -> str:
        """The field a vendor error message names: the first one the request changes."""
        return next(iter(self.model_dump(exclude_none=True)), "description")
