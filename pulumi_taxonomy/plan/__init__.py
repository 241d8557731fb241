"""One vendor-neutral tracking plan (YAML), rolled out to every vendor it names."""

from pulumi_taxonomy.plan.component import TrackingPlan
from pulumi_taxonomy.plan.loader import Issue, PlanInvalid, check, load, loads
from pulumi_taxonomy.plan.models import Event, EventProperty, Plan, PropertyDef

__all__ = [
    "Event",
    "EventProperty",
    "Issue",
    "Plan",
    "PlanInvalid",
    "PropertyDef",
    "TrackingPlan",
    "check",
    "load",
    "loads",
]
