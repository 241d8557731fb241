"""A storefront's tracking plan in RudderStack: events with nested property rules, and
the web source connected to it with its violation settings.

Credentials come from the stack config (rudderstackAccessToken, rudderstackBaseUrl) or
the environment (RUDDERSTACK_ACCESS_TOKEN, RUDDERSTACK_BASE_URL). The example runner
points them at a local sandbox.
"""

import pulumi

from pulumi_taxonomy.rudderstack import (
    ConnectionConfig,
    EventSettings,
    PlanProperty,
    PropertyRules,
    SourceConnection,
    TrackingPlan,
    TrackingPlanEvent,
)

WEB_SOURCE = "2rL1XeHCG8P8OrMHnHx4WjMjuTo"  # a source id from the RudderStack dashboard

plan = TrackingPlan("storefront", name="Storefront Plan", description="Events of the web storefront.")

TrackingPlanEvent(
    "product-viewed",
    tracking_plan_id=plan.id,
    name="Product Viewed",
    description="A shopper opened a product page.",
    properties=[
        PlanProperty(name="product_id", type="string", required=True, rules=PropertyRules(min_length=1)),
        PlanProperty(name="price", type="number", rules=PropertyRules(minimum=0)),
        # RudderStack's catalog keeps one set of rules per property: the workspace's other
        # plan already defines currency this way, so this plan must agree with it.
        PlanProperty(name="currency", type="string", rules=PropertyRules(enum=["USD", "EUR"])),
    ],
)
TrackingPlanEvent(
    "order-completed",
    tracking_plan_id=plan.id,
    name="Order Completed",
    description="A shopper paid for an order.",
    properties=[
        PlanProperty(name="order_id", type="string", required=True),
        PlanProperty(name="revenue", type="number", required=True, rules=PropertyRules(minimum=0)),
        PlanProperty(name="coupon", types=["string", "null"]),
        PlanProperty(
            name="products",
            type="array",
            required=True,
            rules=PropertyRules(min_items=1),
            additional_properties=False,
            properties=[
                PlanProperty(name="sku", type="string", required=True),
                PlanProperty(name="quantity", type="integer", rules=PropertyRules(minimum=1)),
            ],
        ),
    ],
)
TrackingPlanEvent(
    "identify",
    tracking_plan_id=plan.id,
    event_type="identify",
    description="Who the shopper is.",
    properties=[
        PlanProperty(name="email", type="string", required=True, rules=PropertyRules(format="email"))
    ],
)

SourceConnection(
    "web-source",
    tracking_plan_id=plan.id,
    source_id=WEB_SOURCE,
    config=ConnectionConfig(
        track=EventSettings(
            allow_unplanned_events=False, unplanned_properties="drop", any_other_violation="forward"
        ),
        identify=EventSettings(propagate_validation_errors=True),
    ),
)

pulumi.export("tracking_plan_id", plan.id)
