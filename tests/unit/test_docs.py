"""The README stays a landing page whose links work on GitHub, and the API reference
documents every public name. (`make docs` builds docs/ with --strict, which checks the
links inside docs/; the README is outside it.)"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
REFERENCE = ROOT / "docs" / "reference"
PUBLIC = [
    "pulumi_taxonomy.amplitude",
    "pulumi_taxonomy.rudderstack",
    "pulumi_taxonomy.stitch",
    "pulumi_taxonomy.plan",
    "pulumi_taxonomy.testing",
]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(markdown: str) -> set[str]:
    """The ids that GitHub and MkDocs give the headings of a page (lower case, spaces to
    `-`, punctuation other than `-` and `_` dropped)."""
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", markdown, re.MULTILINE):
        text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
        found.add(text.replace(" ", "-"))
    return found


def test_the_readme_is_a_landing_page() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines; move the detail into docs/"


def test_every_relative_link_of_the_readme_reaches_a_file_and_its_heading() -> None:
    text = README.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL
        path, _, anchor = target.partition("#")
        page = README if not path else (ROOT / path)
        missing_heading = (
            anchor and page.is_file() and anchor not in anchors(page.read_text(encoding="utf-8"))
        )
        if not page.exists() or missing_heading:
            broken.append(target)
    assert not broken, f"README.md links to what does not exist: {broken}"


@pytest.mark.parametrize("module", PUBLIC)
def test_the_api_reference_documents_every_public_name(module: str) -> None:
    documented = "\n".join(p.read_text(encoding="utf-8") for p in REFERENCE.glob("*.md"))
    missing = [
        name
        for name in importlib.import_module(module).__all__
        if not re.search(rf"^::: {re.escape(module)}\.{name}\s*$", documented, re.MULTILINE)
    ]
    assert missing == [], f"docs/reference/ has no `::: {module}.NAME` for {missing}"
