"""RudderStack tracking plans as Pulumi resources."""

from pulumi_taxonomy.rudderstack.models import (
    ConnectionConfig,
    EventSettings,
    PlanProperty,
    PropertyRules,
    RudderStackConnection,
)
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
