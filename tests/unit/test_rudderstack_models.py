"""How a RudderStack read-back's property list is matched against the declared one."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_taxonomy.rudderstack.models import PlanProperty, shows_each

DECLARED = [PlanProperty(name="None", type="string"), PlanProperty(name="price", type="number")]


def test_the_same_properties_in_another_order_show_the_declared_list() -> None:
    assert shows_each([p.wire() for p in reversed(DECLARED)], DECLARED)


@pytest.mark.parametrize(
    "listed",
    [
        [{"type": "string"}, DECLARED[1].wire()],  # no name, where one is named "None"
        [DECLARED[0].wire() | {"name": None}, DECLARED[1].wire()],  # a null name beside a string one
        [DECLARED[1].wire()],
        [DECLARED[0].wire(), DECLARED[1].wire(), DECLARED[1].wire()],
    ],
    ids=["missing-name", "null-name", "one-missing", "one-extra"],
)
def test_a_list_that_names_other_properties_shows_nothing(listed: list[dict[str, Any]]) -> None:
    assert not shows_each(listed, DECLARED)
    nested = PlanProperty(name="cart", type="object", properties=DECLARED)
    assert not shows_each([nested.wire() | {"properties": listed}], [nested]), "nor when nested"
