"""The inputs of `TaxonomyImport`, apart from the resource (and so from Pulumi's SDK):
`validate` checks import-mode plans with them."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field, ValidationInfo, field_serializer, field_validator

from pulumi_taxonomy.amplitude.importcsv import ImportPlan
from pulumi_taxonomy.amplitude.models import AmplitudeInputs, Name


class TaxonomyImportInputs(AmplitudeInputs):
    workspace: Name
    """The Amplitude Data workspace (project) name."""
    plan: ImportPlan = Field(default_factory=ImportPlan)
    """Carried and stored as one canonical JSON string (`ImportPlan.canonical_json`)."""
    csv_path: str | list[str] | None = None
    """Where the plan was read from, when it came from CSV files (for people reading state)."""
    merge: bool = True
    """False leaves the pull request open for a review in Amplitude Data."""

    @field_validator("plan", mode="before")
    @classmethod
    def _from_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise ValueError(f"the plan is not JSON: {exc}") from None
        return value

    @field_serializer("plan", when_used="json")
    def _to_json(self, plan: ImportPlan) -> str:
        return plan.canonical_json()

    @field_validator("merge")
    @classmethod
    def _one_review_at_a_time(cls, merge: bool, info: ValidationInfo) -> bool:
        plan = info.data.get("plan")
        if not merge and isinstance(plan, ImportPlan) and plan.events and plan.user_properties:
            raise ValueError(
                "merge=False leaves one import open for review, but a plan with both events and user "
                "properties takes two (one per file), and Amplitude Data has one import branch: review "
                "the events first (a plan of events only), or set merge=True"
            )
        return merge
