"""`--seed demo`: a project as a real team has it, with history in it.

It holds what the reference page's examples read, update or delete ("Event 2",
"OnboardBegin", "Event1", category 412941, `gp:user_type`, `gp:interests`,
"Group 1"...) and not what they create ("Attribution", "User Type", "Group
Property 1"), so every documented example answers as documented. Around that:
live and unexpected events with properties (data already arriving), planned ones,
a deleted one, a hidden one, a transformed one, user and group properties.
"""

from __future__ import annotations

from typing import Any

from pulumi_taxonomy.sandbox.amplitude.models import PropertyChanges
from pulumi_taxonomy.sandbox.amplitude.state import EVENT_SCOPE, GROUP_SCOPE, AmplitudeTaxonomy

DOC_CATEGORY_ID = 412941
"""The category id the reference's rename and delete examples use."""


def seed_demo(t: AmplitudeTaxonomy) -> None:
    """Fill an empty project (called inside the reset's transaction: all or nothing)."""

    def prop(event: str | None, name: str, **attrs: Any) -> None:
        t.create_scoped(EVENT_SCOPE, name, event, PropertyChanges(**attrs))

    for category in ("Attribution Events", "Conversion Events", "Onboarding", "Checkout"):
        t.create_category(category)
    with t.store.transaction() as conn:
        conn.execute("INSERT INTO amp_category (id, name) VALUES (?, 'Conversion')", (DOC_CATEGORY_ID,))

    # Planned events.
    t.create_event("Event 2", "Conversion Events", None)
    t.create_event("OnboardBegin", "Onboarding", "The onboarding modal opened.")
    t.create_event("Checkout Completed", "Checkout", "An order was placed.")
    prop("Checkout Completed", "order_id", type="string", is_required=True)
    prop("Checkout Completed", "revenue", type="number", classifications=["REVENUE"])

    # Planned events whose data arrives: live.
    t.create_event("Attribution", "Attribution Events", None)
    t.create_event("Conversation", "Conversion Events", "This event is fired when a user converts.")
    t.create_event("Event1", None, None)
    t.create_event("Onboard Finish", "Onboarding", "The onboarding flow was completed.")
    prop(None, "Shared", type="boolean", description="Whether user shared content.", classifications=["PII"])
    prop("Onboard Finish", "Shared")
    t.create_event("Sign Up", "Onboarding", "A visitor created an account.")
    prop(
        "Sign Up",
        "method",
        type="enum",
        enum_values=["email", "google", "apple"],
        is_required=True,
        description="How the account was created.",
    )
    prop("Sign Up", "referrer", type="string", description="Referring URL.")
    t.create_event("Add To Cart", "Checkout", "A product was added to the cart.")
    prop("Add To Cart", "product_id", type="string", is_required=True)
    prop("Add To Cart", "price", type="number", description="Unit price in USD.")
    prop("Add To Cart", "quantity", type="number")
    t.create_event("Legacy Checkout", "Checkout", "Replaced by Checkout Completed.")
    t.create_event("Debug Ping", None, "Internal health check.")
    t.create_event("Purchase (any)", "Checkout", "Transformation of purchase events.")

    t.ingest("Attribution", ["platform"], [], {})
    t.ingest("Conversation", ["platform"], [], {})
    t.ingest("Event1", [], [], {})
    t.ingest("Onboard Finish", ["Shared", "platform"], [], {})
    t.ingest("Sign Up", ["method", "referrer", "platform"], ["interests", "plan"], {"Company": ["industry"]})
    t.ingest("Add To Cart", ["product_id", "price", "quantity", "platform"], [], {})
    t.ingest("Legacy Checkout", ["cart_value"], [], {})
    t.ingest("Debug Ping", [], [], {"Group 1": []})
    # Seen in data, never planned: unexpected.
    t.ingest("Onboard Start", ["Completed Task", "Completed Tutorial"], [], {})
    t.ingest("Page Viewed", ["path", "title", "platform"], ["utm_source"], {})

    # Shared event properties.
    prop(None, "platform", type="enum", enum_values=["ios", "android", "web"])
    prop(None, "app_version", type="string", regex=r"^\d+\.\d+\.\d+$")

    # User properties (Amplitude's own, such as device_id, exist in every project).
    t.create_user_property("gp:user_type", PropertyChanges(type="string", description="Free or paid."))
    t.create_user_property("gp:plan", PropertyChanges(type="enum", enum_values=["Free", "Pro", "Enterprise"]))
    t.create_user_property(
        "gp:interests", PropertyChanges(type="string", is_array_type=True, classifications=["PII"])
    )

    # Group properties.
    t.create_scoped(
        GROUP_SCOPE,
        "Group Property 2",
        "Group 1",
        PropertyChanges(type="string", description="Second Group Property"),
    )
    t.create_scoped(
        GROUP_SCOPE, "industry", "Company", PropertyChanges(type="string", description="Industry.")
    )
    t.create_scoped(GROUP_SCOPE, "seats", "Company", PropertyChanges(type="number"))

    # History: a retired event, a hidden one, a transformed one.
    t.delete_event("Legacy Checkout")
    with t.store.transaction() as conn:
        t.mark(conn, "Debug Ping", hidden=True)
        t.mark(conn, "Purchase (any)", transformed=True)
