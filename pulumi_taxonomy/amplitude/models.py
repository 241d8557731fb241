"""Amplitude's data, as our resources take it (inputs) and as the vendor returns it
(payloads)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from pulumi_taxonomy.core.inputs import ResourceInputs

PropertyType = Literal["string", "number", "boolean", "enum", "any"]
Classification = Literal["PII", "SENSITIVE", "REVENUE"]
Region = Literal["us", "eu"]

MAX_NAME_LENGTH = 1024
USER_PREFIX = "gp:"
GROUP_PREFIX = "grp:"
_CONTROL = re.compile("[\x00-\x1f\x7f]")  # one C-level scan: names are checked by the thousand


def _valid_name(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    if len(value) > MAX_NAME_LENGTH:
        raise ValueError(f"must be at most {MAX_NAME_LENGTH} characters (got {len(value)})")
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters (tabs, newlines...)")
    return value


def path_name_problem(name: str) -> str | None:
    """Why `name` cannot go into a URL path as one segment naming exactly its object, or
    None. Front ends decode `%2F` and normalise dot segments (`.`, `..`), so such a
    name could reach another object (`../category/412941`); refusing them is safer than
    any encoding. Backslashes are refused too: some front ends read them as `/`."""
    if name in (".", ".."):
        return f"{name!r} is a dot segment, which URLs resolve away"
    if "/" in name or "\\" in name:
        return "it contains a slash ('/' or '\\'), which front ends may read as a path separator"
    return None


def _path_name(value: str) -> str:
    problem = path_name_problem(value)
    if problem:
        raise ValueError(f"cannot be used with Amplitude's API: {problem}; rename it")
    return value


def _valid_text(value: str | None) -> str | None:
    if value is not None and len(value) > 10_000:
        raise ValueError(f"must be at most 10000 characters (got {len(value)})")
    return value


def _valid_enum_values(values: list[str]) -> list[str]:
    for value in values:
        if "," in value:
            raise ValueError(
                f"values cannot contain commas (Amplitude separates them with commas): {value!r}"
            )
        if not value.strip():
            raise ValueError("values must not be empty")
        if value != value.strip():
            raise ValueError(f"values cannot start or end with spaces (Amplitude may trim them): {value!r}")
    if len(set(values)) != len(values):
        raise ValueError("values must be unique")
    return values


def check_property_attributes(type_: str, enum_values: list[str], regex: str | None) -> None:
    """Amplitude's rules for a property's type, enum values and regex (every resource)."""
    if enum_values and type_ != "enum":
        raise ValueError('enum_values are only allowed with type "enum"')
    if type_ == "enum" and not enum_values:
        raise ValueError('type "enum" needs enum_values')
    if regex is not None:
        if type_ != "string":
            raise ValueError('regex is only allowed with type "string"')
        try:
            re.compile(regex)
        except re.error as exc:
            raise ValueError(f"regex does not compile: {exc}") from None


def check_user_property_name(name: str) -> None:
    if not name.removeprefix(USER_PREFIX).strip():
        raise ValueError(f"a user property needs a name after {USER_PREFIX!r}")


Name = Annotated[str, AfterValidator(_valid_name)]
PathName = Annotated[str, AfterValidator(_valid_name), AfterValidator(_path_name)]
"""A name that goes into URL paths (event types, event, user and group properties)."""
Text = Annotated[str | None, AfterValidator(_valid_text)]
EnumValues = Annotated[list[str], AfterValidator(_valid_enum_values)]


class AmplitudeConnection(BaseModel):
    """Where and as whom to call Amplitude; pass it as a secret. Every field falls back
    to stack config (`amplitudeApiKey`, ...) and then the environment (`AMPLITUDE_API_KEY`, ...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_key: str | None = None
    secret_key: str | None = None
    region: Region | None = None
    base_url: str | None = None
    hour_seconds: float | None = Field(default=None, gt=0)
    """Length of the rate-limit hour; only for sandboxes started with `--hour-seconds`."""
    data_token: str | None = None
    """Personal access token of Amplitude Data (Taxonomy Import only)."""
    data_base_url: str | None = None
    """Amplitude Data's API host (Taxonomy Import only); defaults by region."""


class AmplitudeInputs(ResourceInputs):
    connection: AmplitudeConnection | None = None


class EventCategoryInputs(AmplitudeInputs):
    name: Name
    """Any name: a category is read from the list and changed by id, never named in a path."""


class EventTypeInputs(AmplitudeInputs):
    name: PathName
    category: Name | None = None
    description: Text = None
    display_name: Text = None


class PropertyFields(AmplitudeInputs):
    """Attributes shared by event, user and group properties."""

    description: Text = None
    type: PropertyType = "any"
    regex: str | None = None
    enum_values: EnumValues = Field(default_factory=list)
    is_array_type: bool = False
    classifications: list[Classification] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> PropertyFields:
        check_property_attributes(self.type, self.enum_values, self.regex)
        if len(set(self.classifications)) != len(self.classifications):
            raise ValueError("classifications must be unique")
        return self


class EventPropertyInputs(PropertyFields):
    name: PathName
    event_type: Name | None = None
    """The event this property is on; None for the shared definition."""
    is_required: bool = False

    @model_validator(mode="after")
    def _shared_only(self) -> EventPropertyInputs:
        if self.classifications and self.event_type is not None:
            raise ValueError(
                "classifications can only be set on the shared property (event_type=None); "
                "Amplitude refuses them on a per-event property"
            )
        return self


class UserPropertyInputs(PropertyFields):
    name: PathName
    """With or without the `gp:` prefix of custom user properties."""

    @property
    def remote_name(self) -> str:
        return user_property_name(self.name)

    @model_validator(mode="after")
    def _named(self) -> UserPropertyInputs:
        check_user_property_name(self.name)
        return self


class GroupPropertyInputs(PropertyFields):
    name: PathName
    """With or without the `grp:` prefix of custom group properties."""
    group_type: Name | None = None

    @property
    def remote_name(self) -> str:
        return group_property_name(self.name)

    @model_validator(mode="after")
    def _named(self) -> GroupPropertyInputs:
        if not self.name.removeprefix(GROUP_PREFIX).strip():
            raise ValueError(f"a group property needs a name after {GROUP_PREFIX!r}")
        return self

    @model_validator(mode="after")
    def _shared_only(self) -> GroupPropertyInputs:
        if self.classifications and self.group_type is not None:
            raise ValueError("classifications can only be set on the shared group property (group_type=None)")
        return self


def user_property_name(name: str) -> str:
    return name if name.startswith(USER_PREFIX) else USER_PREFIX + name


def group_property_name(name: str) -> str:
    return name if name.startswith(GROUP_PREFIX) else GROUP_PREFIX + name


# -- vendor payloads ---------------------------------------------------------------


class Payload(BaseModel):
    # Vendors add fields over time; read what we know, keep going on the rest.
    model_config = ConfigDict(extra="ignore")


class Category(Payload):
    id: int
    name: str


class CategoryRef(Payload):
    name: str


class EventTypeInfo(Payload):
    event_type: str
    category: CategoryRef | None = None
    description: str | None = None
    display_name: str | None = None
    deleted: bool = False


def _enum_list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(",") if v.strip()]


EnumList = Annotated[list[str], Field(default_factory=list)]


class PropertyInfo(Payload):
    deleted: bool = False
    """Not documented for event and group properties; honoured when a vendor sends it."""
    description: str | None = None
    type: str | None = None
    regex: str | None = None
    enum_values: EnumList
    is_array_type: bool = False
    classifications: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _lists(cls, data: object) -> object:
        if isinstance(data, dict):
            data = dict(data)
            data["enum_values"] = _enum_list(data.get("enum_values"))
            data["classifications"] = data.get("classifications") or []
        return data


class EventPropertyInfo(PropertyInfo):
    event_property: str
    event_type: str | None = None
    is_required: bool = False


class UserPropertyInfo(PropertyInfo):
    user_property: str


class GroupPropertyInfo(PropertyInfo):
    group_property: str
    group_type: str | None = None
