"""Amplitude Taxonomy as Pulumi resources: per object, or a whole plan in one import."""

from pulumi_taxonomy.amplitude.importcsv import ImportEvent, ImportPlan, ImportProperty, ImportUserProperty
from pulumi_taxonomy.amplitude.models import AmplitudeConnection
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
