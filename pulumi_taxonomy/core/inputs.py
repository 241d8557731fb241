"""What every resource's input model has. Kept apart from the provider machinery (and
so from Pulumi's SDK) so that the input models, which `validate` and `lint` use, load
without it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ResourceInputs(BaseModel):
    """Fields every resource has."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    adopt: bool = False
    """Take over an object that already exists (restoring it if soft-deleted) instead of failing."""


def field_path(loc: tuple[int | str, ...]) -> str:
    """A validation error's location as people write it: ("properties", 0, "type") ->
    "properties[0].type"."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path
