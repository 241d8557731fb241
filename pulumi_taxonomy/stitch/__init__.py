"""Warehouse rows pushed through the Stitch Import API, as a Pulumi resource."""

from typing import TYPE_CHECKING, Any

from pulumi_taxonomy.core.lazy import lazy_attributes
from pulumi_taxonomy.stitch.models import StitchConnection

if TYPE_CHECKING:
    from pulumi_taxonomy.stitch.resources import WarehouseTable

__all__ = ["StitchConnection", "WarehouseTable"]

_attribute = lazy_attributes(__name__, {"WarehouseTable": "pulumi_taxonomy.stitch.resources"})


def __getattr__(name: str) -> Any:  # the resource class loads Pulumi's SDK: only on use
    return _attribute(name)
