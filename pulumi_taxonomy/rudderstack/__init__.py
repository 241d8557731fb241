"""RudderStack tracking plans as Pulumi resources."""

from typing import TYPE_CHECKING, Any

from pulumi_taxonomy.core.lazy import lazy_attributes
from pulumi_taxonomy.rudderstack.models import (
    ConnectionConfig,
    EventSettings,
    PlanProperty,
    PropertyRules,
    RudderStackConnection,
)

if TYPE_CHECKING:
    from pulumi_taxonomy.rudderstack.resources import SourceConnection, TrackingPlan, TrackingPlanEvent

__all__ = [
    "ConnectionConfig",
    "EventSettings",
    "PlanProperty",
    "PropertyRules",
    "RudderStackConnection",
    "SourceConnection",
    "TrackingPlan",
    "TrackingPlanEvent",
]

_RESOURCES = "pulumi_taxonomy.rudderstack.resources"
_attribute = lazy_attributes(
    __name__, {"SourceConnection": _RESOURCES, "TrackingPlan": _RESOURCES, "TrackingPlanEvent": _RESOURCES}
)


def __getattr__(name: str) -> Any:  # the resource classes load Pulumi's SDK: only on use
    return _attribute(name)
