"""What every vendor's `pulumi.dynamic.Resource` class does with its arguments, in the
program process: plain data for Pulumi, and credentials kept secret in state."""

from __future__ import annotations

from typing import Any

import pulumi
from pydantic import BaseModel


def plain(value: Any) -> Any:
    """Pydantic models in inputs become plain data Pulumi can carry."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def resource_props(connection: Any, adopt: pulumi.Input[bool], **fields: Any) -> dict[str, Any]:
    props = {k: plain(v) for k, v in fields.items()}
    props["adopt"] = adopt
    connection = plain(connection)
    # Credentials stay encrypted in state even when given in plain text.
    props["connection"] = pulumi.Output.secret(connection) if connection is not None else None
    return props


def resource_options(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(additional_secret_outputs=["connection"])
    )
