"""The tracking plan published to the warehouse as rows, through Stitch, so analysts
can join events against it (which events are planned, which properties required,
who owns them).

Credentials come from the stack config (stitchAccessToken, stitchClientId,
stitchBaseUrl) or the environment (STITCH_ACCESS_TOKEN, ...). The example runner
points them at a local sandbox.
"""

import pulumi

from pulumi_taxonomy.stitch import WarehouseTable

PLAN = {
    "Song Played": {
        "owner": "playback",
        "category": "Playback",
        "properties": {"position_ms": True, "source": False},
    },
    "Song Skipped": {"owner": "playback", "category": "Playback", "properties": {"seconds_played": False}},
    "Search Performed": {"owner": "discovery", "category": "Discovery", "properties": {"query": True}},
}

events = WarehouseTable(
    "plan-events",
    table_name="tracking_plan_events",
    key_names=["event"],
    rows=[
        {"event": name, "owner": spec["owner"], "category": spec["category"]} for name, spec in PLAN.items()
    ],
)
properties = WarehouseTable(
    "plan-properties",
    table_name="tracking_plan_properties",
    key_names=["event", "property"],
    rows=[
        {"event": name, "property": prop, "required": required}
        for name, spec in PLAN.items()
        for prop, required in spec["properties"].items()
    ],
)

pulumi.export("rows_pushed", pulumi.Output.all(events.pushed_records, properties.pushed_records))
