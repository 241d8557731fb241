from __future__ import annotations

import httpx

from tests.conftest import error, ok


def test_create_list_get_rename_delete(amp: httpx.Client) -> None:
    assert ok(amp.post("/category", data={"category_name": "Attribution"})) is None
    listed = ok(amp.get("/category"))
    assert [c["name"] for c in listed] == ["Attribution"]
    got = ok(amp.get("/category/Attribution"))
    assert got == {"id": listed[0]["id"], "name": "Attribution"}
    assert isinstance(got["id"], int)

    ok(amp.put(f"/category/{got['id']}", data={"category_name": "Converted"}))
    assert ok(amp.get("/category/Converted"))["id"] == got["id"]
    error(amp.get("/category/Attribution"), 400, "Not found")

    ok(amp.delete(f"/category/{got['id']}"))
    assert ok(amp.get("/category")) == []


def test_duplicate_is_409_and_names_are_case_sensitive(amp: httpx.Client) -> None:
    ok(amp.post("/category", data={"category_name": "Checkout"}))
    error(amp.post("/category", data={"category_name": "Checkout"}), 409, '"Checkout", that already exists')
    ok(amp.post("/category", data={"category_name": "checkout"}))
    assert sorted(c["name"] for c in ok(amp.get("/category"))) == ["Checkout", "checkout"]


def test_missing_category_by_id_uses_the_vendor_wording(amp: httpx.Client) -> None:
    message = error(amp.put("/category/4129", data={"category_name": "X"}), 409)
    assert message == 'Attempted to operate on entity event_category, id "4129", that does not exist.'
    error(amp.delete("/category/412941"), 409, 'id "412941", that does not exist')
    error(amp.delete("/category/not-a-number"), 409, "that does not exist")


def test_rename_onto_an_existing_name_is_refused(amp: httpx.Client) -> None:
    ok(amp.post("/category", data={"category_name": "A"}))
    ok(amp.post("/category", data={"category_name": "B"}))
    a = ok(amp.get("/category/A"))
    error(amp.put(f"/category/{a['id']}", data={"category_name": "B"}), 409, "already exists")
    assert ok(amp.get("/category/A")) == a


def test_deleting_a_category_leaves_its_events_uncategorised(amp: httpx.Client) -> None:
    ok(amp.post("/category", data={"category_name": "Onboarding"}))
    ok(amp.post("/event", data={"event_type": "Sign Up", "category": "Onboarding"}))
    category = ok(amp.get("/category/Onboarding"))
    ok(amp.delete(f"/category/{category['id']}"))
    assert ok(amp.get("/event/Sign Up"))["category"] is None


def test_names_with_reserved_characters_round_trip(amp: httpx.Client) -> None:
    name = "Growth: 100% ✓ #1?"
    ok(amp.post("/category", data={"category_name": name}))
    assert ok(amp.get("/category/Growth%3A%20100%25%20%E2%9C%93%20%231%3F"))["name"] == name


def test_a_name_that_is_not_one_path_segment_is_refused_in_paths(amp: httpx.Client) -> None:
    # Bodies take any name; a path cannot name it: front ends decode %2F and resolve dots.
    for name in ("Growth / Paid", "..", "."):
        ok(amp.post("/category", data={"category_name": name}))
    assert {c["name"] for c in ok(amp.get("/category"))} == {"Growth / Paid", "..", "."}
    for path in ("/category/Growth%20%2F%20Paid", "/category/%2E%2E", "/category/a%5Cb"):
        error(amp.get(path), 400, "Invalid name in path")


def test_ids_out_of_range_or_not_ascii_digits_name_no_category(amp: httpx.Client) -> None:
    ok(amp.post("/category", data={"category_name": "A"}))
    for category_id in (str(2**63), "9" * 40, "%D9%A1%D9%A2"):  # the last: Arabic-Indic digits
        error(amp.put(f"/category/{category_id}", data={"category_name": "B"}), 409, "does not exist")
        error(amp.delete(f"/category/{category_id}"), 409, "does not exist")
    assert [c["name"] for c in ok(amp.get("/category"))] == ["A"]
