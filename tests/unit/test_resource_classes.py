"""Each resource class's three lists of inputs stay in step: its inputs model, its
`__init__` parameters, and the props it registers (every input and output, so each
becomes an attribute); and its `get` registers the same props, plus the marker, and
takes only keyword arguments that are inputs."""

from __future__ import annotations

import inspect
from typing import Any

import pulumi
import pytest
from pulumi.dynamic import Resource
from pulumi.runtime import mocks

from pulumi_taxonomy import amplitude, rudderstack, stitch
from pulumi_taxonomy.amplitude.resources import (
    EventCategoryProvider,
    EventPropertyProvider,
    EventTypeProvider,
    GroupPropertyProvider,
    UserPropertyProvider,
)
from pulumi_taxonomy.amplitude.taxonomy_import import TaxonomyImportProvider
from pulumi_taxonomy.core.provider import GET_KEY, PROVIDER_KEY, TaxonomyProvider
from pulumi_taxonomy.rudderstack.resources import (
    SourceConnectionProvider,
    TrackingPlanEventProvider,
    TrackingPlanProvider,
)
from pulumi_taxonomy.stitch.resources import WarehouseTableProvider

PLAN_ID = "tp_" + "0" * 27
SOURCE_ID = "0" * 27
# Each class: its provider, the least it takes, and an id its `get` accepts.
CLASSES: dict[type[Resource], tuple[TaxonomyProvider[Any], dict[str, Any], str]] = {
    amplitude.EventCategory: (EventCategoryProvider(), {"name": "Music"}, "Music"),
    amplitude.EventType: (EventTypeProvider(), {"name": "Song Played"}, "Song Played"),
    amplitude.EventProperty: (EventPropertyProvider(), {"name": "song_id"}, "song_id"),
    amplitude.UserProperty: (UserPropertyProvider(), {"name": "plan"}, "plan"),
    amplitude.GroupProperty: (GroupPropertyProvider(), {"name": "seats"}, "seats"),
    amplitude.TaxonomyImport: (TaxonomyImportProvider(), {"workspace": "W", "plan": {}}, "W"),
    rudderstack.TrackingPlan: (TrackingPlanProvider(), {"name": "Web Plan"}, PLAN_ID),
    rudderstack.TrackingPlanEvent: (
        TrackingPlanEventProvider(),
        {"tracking_plan_id": PLAN_ID, "name": "Song Played", "properties": []},
        f"{PLAN_ID}/ev_{'0' * 27}",
    ),
    rudderstack.SourceConnection: (
        SourceConnectionProvider(),
        {"tracking_plan_id": PLAN_ID, "source_id": SOURCE_ID, "config": {"track": {}}},
        f"{PLAN_ID}/{SOURCE_ID}",
    ),
    stitch.WarehouseTable: (
        WarehouseTableProvider(),
        {"table_name": "t", "key_names": ["k"], "rows": []},
        "t",
    ),
}


class _Echo(mocks.Mocks):
    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: mocks.MockCallArgs) -> Any:
        return {}


def _attributes(build: Any) -> set[str]:
    """The props a resource registered: the SDK makes each one an Output attribute."""
    made: list[Resource] = []
    pulumi.runtime.set_mocks(_Echo(), preview=False)
    pulumi.runtime.test(lambda: made.append(build()))()
    return {k for k, v in vars(made[0]).items() if isinstance(v, pulumi.Output)} - {"urn", "id"}


def test_every_resource_class_is_listed_here() -> None:
    exported = {
        getattr(module, name)
        for module in (amplitude, rudderstack, stitch)
        for name in module.__all__
        if isinstance(getattr(module, name), type) and issubclass(getattr(module, name), Resource)
    }
    assert exported == set(CLASSES)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_init_parameters_are_the_inputs_model(cls: type[Resource]) -> None:
    provider, _, _ = CLASSES[cls]
    parameters = set(inspect.signature(cls.__init__).parameters) - {"self", "resource_name", "opts"}
    assert parameters == set(provider.inputs_model.model_fields)
    assert not provider.computed & parameters, "outputs are not inputs"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_registered_props_are_the_inputs_and_outputs(cls: type[Resource]) -> None:
    provider, least, _ = CLASSES[cls]
    expected = {*provider.inputs_model.model_fields, *provider.computed, PROVIDER_KEY}
    assert _attributes(lambda: cls("r", **least)) == expected


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_get_registers_the_same_props_and_takes_inputs_only(cls: type[Resource]) -> None:
    provider, _, id_ = CLASSES[cls]
    expected = {*provider.inputs_model.model_fields, *provider.computed, PROVIDER_KEY, GET_KEY}
    assert _attributes(lambda: cls.get("r", id_)) == expected
    keywords = set(inspect.signature(cls.get).parameters) - {"resource_name", "id", "opts"}
    assert keywords <= set(provider.inputs_model.model_fields) | provider.computed
