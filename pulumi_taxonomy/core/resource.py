"""What every vendor's `pulumi.dynamic.Resource` class does with its arguments, in the
program process: plain data for Pulumi, and credentials kept secret in state."""

from __future__ import annotations

from typing import Any, TypeVar

import pulumi
from pulumi.dynamic import Resource
from pydantic import BaseModel

from pulumi_taxonomy.core.provider import GET_KEY, TaxonomyProvider

R = TypeVar("R", bound=Resource)


def plain(value: Any) -> Any:
    """Pydantic models in inputs become plain data Pulumi can carry."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _secret(connection: Any) -> Any:
    connection = plain(connection)
    # Credentials stay encrypted in state even when given in plain text.
    return pulumi.Output.secret(connection) if connection is not None else None


def resource_props(
    provider: type[TaxonomyProvider[Any]], connection: Any, adopt: pulumi.Input[bool], **fields: Any
) -> dict[str, Any]:
    """A managed resource's props: its inputs as plain data, the connection secret, and
    every output the provider computes (`provider.computed`) as None, so that each becomes
    an attribute the engine resolves."""
    props: dict[str, Any] = dict.fromkeys(provider.computed)
    props.update({k: plain(v) for k, v in fields.items()})
    props["adopt"] = adopt
    props["connection"] = _secret(connection)
    return props


def resource_options(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(additional_secret_outputs=["connection"])
    )


def get_resource(
    cls: type[R],
    provider: TaxonomyProvider[Any],
    resource_name: str,
    id: pulumi.Input[str],
    opts: pulumi.ResourceOptions | None,
    connection: Any,
    **keywords: Any,
) -> R:
    """`cls.get`: an instance of `cls` that reads the object `id` names into the program
    without managing it (the engine sends a Read, never a Create or Delete).

    Every input and output is a prop (None unless given), so each becomes an attribute
    the read resolves; the `GET_KEY` marker tells the provider's read what it is. A
    known id that cannot name an object is refused here, before anything is sent."""
    given = {k: plain(v) for k, v in keywords.items() if v is not None}
    if isinstance(id, str):
        try:
            provider.identified(id, given)
        except ValueError as exc:
            raise ValueError(f"{cls.__name__}.get({id!r}): {exc}. It takes {provider.get_id}.") from None
    props: dict[str, Any] = dict.fromkeys((*provider.inputs_model.model_fields, *provider.computed))
    props.update(given)
    props["connection"] = _secret(connection)
    props[GET_KEY] = True
    resource = cls.__new__(cls)
    options = pulumi.ResourceOptions.merge(resource_options(opts), pulumi.ResourceOptions(id=id))
    Resource.__init__(resource, provider, resource_name, props, options)
    return resource
