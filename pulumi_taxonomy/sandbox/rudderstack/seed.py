"""`--seed demo`: a workspace with an existing plan, its events, and a connected source."""

from __future__ import annotations

from pulumi_taxonomy.sandbox.rudderstack.state import DOCUMENTED_SOURCES, RudderStackWorkspace


def seed_demo(w: RudderStackWorkspace) -> None:
    plan = w.create_plan("Product Ordered Plan", "Tracking plan for users placing an order for the product.")
    w.upsert_event(
        plan["id"],
        {
            "name": "Product Viewed",
            "eventType": "track",
            "description": "User viewed a product.",
            "properties": [
                {"name": "product_id", "type": "string", "required": True, "propConfig": {"minLength": 1}},
                {"name": "price", "type": "number", "propConfig": {"minimum": 0}},
            ],
        },
    )
    w.upsert_event(
        plan["id"],
        {
            "name": "Order Completed",
            "eventType": "track",
            "description": "An order was placed.",
            "properties": [
                {"name": "order_id", "type": "string", "required": True, "propConfig": {}},
                {"name": "currency", "type": "string", "propConfig": {"enum": ["USD", "EUR"]}},
                {
                    "name": "products",
                    "type": "array",
                    "propConfig": {"minItems": 1},
                    "additionalProperties": False,
                    "properties": [{"name": "sku", "type": "string", "required": True, "propConfig": {}}],
                },
            ],
        },
    )
    w.upsert_event(
        plan["id"],
        {
            "name": "",
            "eventType": "identify",
            "description": "Who the user is.",
            "properties": [
                {"name": "email", "type": "string", "required": True, "propConfig": {"format": "email"}}
            ],
        },
    )
    w.connect(
        plan["id"],
        DOCUMENTED_SOURCES[0],
        {
            "config": {
                "track": {
                    "allowUnplannedEvents": "true",
                    "unplannedProperties": "forward",
                    "anyOtherViolation": "forward",
                    "propagateValidationErrors": "true",
                },
                "global": {"allowUnplannedEvents": "false"},
            }
        },
    )
