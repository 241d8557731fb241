"""A small, real-looking tracking plan for a music app, managed in Amplitude.

Credentials come from the stack config (amplitudeApiKey, amplitudeSecretKey,
amplitudeBaseUrl) or the environment (AMPLITUDE_API_KEY, ...). The quickstart runner
points them at a local sandbox.
"""

import pulumi

from pulumi_taxonomy.amplitude import EventCategory, EventProperty, EventType, GroupProperty, UserProperty

playback = EventCategory("playback", name="Playback")
discovery = EventCategory("discovery", name="Discovery")

song_played = EventType(
    "song-played",
    name="Song Played",
    category=playback.name,
    description="A song started playing.",
    display_name="Song played",
)
song_skipped = EventType(
    "song-skipped",
    name="Song Skipped",
    category=playback.name,
    description="The listener skipped to the next song.",
)
search = EventType(
    "search-performed",
    name="Search Performed",
    category=discovery.name,
    description="The listener searched the catalog.",
)

# Shared definitions, used by several events.
EventProperty("song-id", name="song_id", type="string", regex=r"^[a-z0-9]{22}$", description="Catalog id.")
EventProperty("source", name="source", type="enum", enum_values=["search", "playlist", "radio"])

EventProperty(
    "played-position",
    name="position_ms",
    event_type=song_played.name,
    type="number",
    is_required=True,
    description="Where playback started, in milliseconds.",
)
EventProperty("skipped-after", name="seconds_played", event_type=song_skipped.name, type="number")
EventProperty("search-query", name="query", event_type=search.name, type="string", is_required=True)
EventProperty(
    "search-filters",
    name="filters",
    event_type=search.name,
    type="string",
    is_array_type=True,
    description="Facets the listener narrowed the search with.",
)

UserProperty(
    "subscription",
    name="subscription",
    type="enum",
    enum_values=["free", "premium", "family"],
    description="The listener's plan.",
)
UserProperty("email", name="email", type="string", classifications=["PII"])
GroupProperty(
    "company-tier",
    name="contract_tier",
    group_type="Company",
    type="enum",
    enum_values=["team", "enterprise"],
)

pulumi.export("events", [song_played.name, song_skipped.name, search.name])
