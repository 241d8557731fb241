"""`--seed demo`: a project as a real team has it, with history in it.

Live and unexpected events with properties (ingested data), planned events, a
deleted one, a hidden one, a transformed one, categories, user and group properties.
"""

from __future__ import annotations

from typing import Any

from pulumi_taxonomy.sandbox.amplitude.models import EventChanges, PropertyChanges
from pulumi_taxonomy.sandbox.amplitude.state import EVENT_SCOPE, GROUP_SCOPE, AmplitudeTaxonomy


def seed_demo(t: AmplitudeTaxonomy) -> None:
    """Fill an empty project; run inside the reset's transaction so it is all or nothing."""

    def prop(event: str, name: str, **attrs: Any) -> None:
        t.create_scoped(EVENT_SCOPE, name, event, PropertyChanges(**attrs))

    for category in ("Onboarding", "Checkout", "Engagement"):
        t.create_category(category)

    # Data the project has received: these become live (planned ones) or unexpected.
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
    t.ingest("Sign Up", ["method", "referrer", "platform"], ["plan"], {"Company": ["industry"]})
    t.ingest("Add To Cart", ["product_id", "price", "quantity", "platform"], [], {})
    t.ingest("Page Viewed", ["path", "title", "platform"], ["utm_source"], {})  # unexpected
    t.ingest("Debug Ping", [], [], {})
    t.ingest("Legacy Checkout", ["cart_value"], [], {})

    # Planned, not yet seen in data.
    t.create_event("Onboard Start", "Onboarding", "The onboarding flow opened.")
    prop(
        "Onboard Start",
        "Completed Task",
        type="boolean",
        description="User completed any onboarding task",
    )
    t.create_event("Checkout Completed", "Checkout", None)
    t.update_event("Checkout Completed", None, EventChanges(display_name="Checkout Completed (v2)"))
    t.create_event("Search Performed", "Engagement", "The user ran a search.")

    # History: a retired event, a hidden one, a transformed one.
    t.create_event("Legacy Checkout", "Checkout", "Replaced by Checkout Completed.")
    t.delete_event("Legacy Checkout")
    t.create_event("Debug Ping", None, "Internal health check.")
    t.create_event("Purchase (any)", "Checkout", "Transformation of purchase events.")

    # Shared event properties.
    t.create_scoped(
        EVENT_SCOPE,
        "platform",
        None,
        PropertyChanges(type="enum", enum_values=["ios", "android", "web"]),
    )
    t.create_scoped(
        EVENT_SCOPE, "app_version", None, PropertyChanges(type="string", regex=r"^\d+\.\d+\.\d+$")
    )

    # User properties.
    t.create_user_property(
        "plan",
        PropertyChanges(
            type="enum", enum_values=["Free", "Pro", "Enterprise"], description="Subscription plan."
        ),
    )
    t.create_user_property("company_size", PropertyChanges(type="number"))
    t.create_user_property(
        "interests", PropertyChanges(type="string", is_array_type=True, classifications=["PII"])
    )

    # Group properties on an ingested group type.
    t.create_scoped(
        GROUP_SCOPE, "industry", "Company", PropertyChanges(type="string", description="Industry.")
    )
    t.create_scoped(GROUP_SCOPE, "seats", "Company", PropertyChanges(type="number"))

    with t.store.transaction() as own:
        t.mark(own, "Debug Ping", hidden=True)
        t.mark(own, "Purchase (any)", transformed=True)
