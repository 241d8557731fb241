"""One YAML tracking plan applied to Amplitude, RudderStack and Stitch."""

from pathlib import Path

from pulumi_taxonomy.plan import TrackingPlan

TrackingPlan("music", Path(__file__).with_name("plan.yaml"))
