"""Amplitude Taxonomy as Pulumi resources."""

from pulumi_taxonomy.amplitude.models import AmplitudeConnection
from pulumi_taxonomy.amplitude.resources import (
    EventCategory,
    EventProperty,
    EventType,
    GroupProperty,
    UserProperty,
)

__all__ = [
    "AmplitudeConnection",
    "EventCategory",
    "EventProperty",
    "EventType",
    "GroupProperty",
    "UserProperty",
]
