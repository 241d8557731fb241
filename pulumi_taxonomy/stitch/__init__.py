"""Warehouse rows pushed through the Stitch Import API, as a Pulumi resource."""

from pulumi_taxonomy.stitch.models import StitchConnection
from pulumi_taxonomy.stitch.resources import WarehouseTable

__all__ = ["StitchConnection", "WarehouseTable"]
