"""Amplitude Taxonomy as Pulumi resources: per object, or a whole plan in one import."""

from typing import TYPE_CHECKING, Any

from pulumi_taxonomy.amplitude.importcsv import ImportEvent, ImportPlan, ImportProperty, ImportUserProperty
from pulumi_taxonomy.amplitude.models import AmplitudeConnection
from pulumi_taxonomy.core.lazy import lazy_attributes

if TYPE_CHECKING:
    from pulumi_taxonomy.amplitude.resources import (
        EventCategory,
        EventProperty,
        EventType,
        GroupProperty,
        UserProperty,
    )
    from pulumi_taxonomy.amplitude.taxonomy_import import TaxonomyImport

__all__ = [
    "AmplitudeConnection",
    "EventCategory",
    "EventProperty",
    "EventType",
    "GroupProperty",
    "ImportEvent",
    "ImportPlan",
    "ImportProperty",
    "ImportUserProperty",
    "TaxonomyImport",
    "UserProperty",
]

_RESOURCES = "pulumi_taxonomy.amplitude.resources"
_attribute = lazy_attributes(
    __name__,
    {
        "EventCategory": _RESOURCES,
        "EventProperty": _RESOURCES,
        "EventType": _RESOURCES,
        "GroupProperty": _RESOURCES,
        "UserProperty": _RESOURCES,
        "TaxonomyImport": "pulumi_taxonomy.amplitude.taxonomy_import",
    },
)


def __getattr__(name: str) -> Any:  # the resource classes load Pulumi's SDK: only on use
    return _attribute(name)
