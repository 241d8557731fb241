"""One vendor-neutral tracking plan (YAML), rolled out to every vendor it names."""

from typing import TYPE_CHECKING, Any

from pulumi_taxonomy.core.lazy import lazy_attributes
from pulumi_taxonomy.plan.loader import Issue, PlanInvalid, check, load, loads
from pulumi_taxonomy.plan.models import Event, EventProperty, Plan, PropertyDef

if TYPE_CHECKING:
    from pulumi_taxonomy.plan.component import TrackingPlan

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

_attribute = lazy_attributes(__name__, {"TrackingPlan": "pulumi_taxonomy.plan.component"})


def __getattr__(name: str) -> Any:  # the component loads Pulumi's SDK: only on use
    return _attribute(name)
