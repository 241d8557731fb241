"""A review of a plan (lint findings, classified changes) in the forms people and CI read:
text, JSON, Markdown for a pull-request comment, GitHub workflow commands (annotations
on the pull request's files) and SARIF 2.1.0 (for code-scanning uploads)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any, Literal
from urllib.parse import quote

from pulumi_taxonomy import __version__
from pulumi_taxonomy.core.errors import one_line, plural, visible
from pulumi_taxonomy.plan.conventions import Conventions
from pulumi_taxonomy.plan.diff import Change, Review
from pulumi_taxonomy.plan.lint import RULES, Finding

Annotation = Literal["error", "warning", "notice"]
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ALLOW_HOW = (
    "To ship a breaking change on purpose, mark the item `deprecated: true` in a release "
    "before removing or changing it, or run `diff` with `--allow-breaking`."
)


LINT_FORMATS = ("text", "json", "github", "sarif")
DIFF_FORMATS = ("text", "json", "markdown", "github")


def render_lint(output_format: str, file: str, findings: list[Finding], ran: bool = True) -> str:
    if output_format == "json":
        return lint_json(file, findings)
    if output_format == "github":
        return lint_github(findings)
    if output_format == "sarif":
        return lint_sarif(findings, ran)
    return lint_text(file, findings)


def render_diff(output_format: str, review: Review, file: str, allow_breaking: bool = False) -> str:
    """`file`: the new plan's file in the working tree (where annotations go)."""
    if output_format == "json":
        return diff_json(review, allow_breaking)
    if output_format == "markdown":
        return diff_markdown(review, allow_breaking)
    if output_format == "github":
        return diff_github(review, file, allow_breaking)
    return diff_text(review, allow_breaking)


def render_diff_failure(output_format: str, old: str, new: str, findings: list[Finding]) -> str:
    """The report of a diff that could not run (a plan unreadable or invalid), so a CI
    step that posts or uploads it finds one saying so, never last run's or none."""
    if output_format == "json":
        body = {"old": old, "new": new, "ran": False, "problems": [f.as_dict() for f in findings]}
        return json.dumps(body, indent=2) + "\n"
    if output_format == "github":
        return "\n".join([*_annotations(findings), "diff: could not run"]) + "\n"
    if output_format == "markdown":
        lines = ["### Tracking plan review: could not run", ""]
        lines.append("A plan could not be read or is not valid (`pulumi-taxonomy validate` says why):")
        lines.append("")
        lines += [f"- {markdown_code(_located(f))} {markdown_text(_finding_text(f))}" for f in findings]
        return "\n".join(lines) + "\n"
    return _lines(f"{_located(f)}: error {_finding_text(f)}" for f in findings)


def _lines(lines: Iterable[str]) -> str:
    """Text output: each line with the plan's values in it `visible` (a name holding a
    newline and `::error::` prints as one line that starts with ours)."""
    return "".join(f"{visible(line)}\n" for line in lines)


def render_drift_failure(output_format: str, file: str, plan: str | None, reason: str) -> str:
    """The report of a drift that could not run (a vendor unreachable, a credential
    refused, the deadline passed, the plan not valid), so a CI step that posts it says
    so, never last run's "none". `table` gets Markdown, as its --output file always does."""
    if output_format == "json":
        return json.dumps({"plan": plan, "file": file, "ran": False, "reason": reason}, indent=2) + "\n"
    lines = [
        "### Tracking plan drift: could not run",
        "",
        f"{markdown_code(file)} was not compared with the vendors: {markdown_text(reason)}",
        "",
        'Drift is unknown: this is not a "no drift".',
    ]
    return "\n".join(lines) + "\n"


# -- GitHub workflow commands ----------------------------------------------------------


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as the Actions runner reads it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (file, title...): `:` and `,` end it otherwise."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(level: Annotation, message: str, **properties: object) -> str:
    """`::error file=plan.yaml,line=3,title=...::message`."""
    given = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v is not None)
    return f"::{level}{' ' + given if given else ''}::{escape_data(message)}"


def repo_path(file: str, workspace: str | None = None) -> str:
    """`file` relative to the repository's root (GITHUB_WORKSPACE), as annotations and code
    scanning need it; unchanged outside a workspace."""
    workspace = workspace if workspace is not None else os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return file
    relative = os.path.relpath(os.path.abspath(file), os.path.abspath(workspace))
    return file if relative.startswith("..") else PurePath(relative).as_posix()


# -- lint ------------------------------------------------------------------------------


def _counts(findings: list[Finding]) -> tuple[int, int]:
    errors = sum(f.severity == "error" for f in findings)
    return errors, len(findings) - errors


def _finding_text(finding: Finding) -> str:
    fix = f" Fix: {finding.fix}." if finding.fix else ""
    return f"{finding.field or '(plan)'}: {finding.message}.{fix}"


def _located(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}" if finding.line else finding.file


def lint_text(file: str, findings: list[Finding]) -> str:
    if not findings:
        return _lines([f"{file}: no findings, the plan follows its conventions"])
    lines = [f"{_located(f)}: {f.severity} [{f.rule}] {_finding_text(f)}" for f in findings]
    errors, warnings = _counts(findings)
    lines.append(f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {file}")
    return _lines(lines)


def lint_json(file: str, findings: list[Finding]) -> str:
    errors, warnings = _counts(findings)
    body = {"file": file, "findings": [f.as_dict() for f in findings], "errors": errors, "warnings": warnings}
    return json.dumps(body, indent=2) + "\n"


def _annotations(findings: list[Finding], workspace: str | None = None) -> list[str]:
    return [
        workflow_command(
            f.severity,
            _finding_text(f),
            file=repo_path(f.file, workspace),
            line=f.line,
            title=f"{f.rule} ({f.severity})",
        )
        for f in findings
    ]


def lint_github(findings: list[Finding], workspace: str | None = None) -> str:
    errors, warnings = _counts(findings)
    summary = f"lint: {plural(errors, 'error')}, {plural(warnings, 'warning')}"
    return "\n".join([*_annotations(findings, workspace), summary]) + "\n"


def lint_sarif(findings: list[Finding], ran: bool = True, workspace: str | None = None) -> str:
    """SARIF 2.1.0: one run of pulumi-taxonomy, its rules, and a result per finding."""
    defaults = Conventions()
    rules = []
    for rule, text in RULES.items():
        configured = getattr(defaults, rule) if rule in Conventions.model_fields else None
        severity = "error" if configured is None else configured.severity
        level = "none" if severity == "off" else severity
        rules.append(
            {
                "id": rule,
                "name": "".join(part.title() for part in rule.split("_")),
                "shortDescription": {"text": text},
                "defaultConfiguration": {"level": level},
            }
        )
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for f in findings:
        location: dict[str, Any] = {"artifactLocation": {"uri": quote(repo_path(f.file, workspace))}}
        if f.line:
            location["region"] = {"startLine": f.line}
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": f.severity,
            "message": {"text": _finding_text(f)},
            "locations": [{"physicalLocation": location}],
        }
        if f.fix:
            result["properties"] = {"fix": f.fix}
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pulumi-taxonomy",
                        "informationUri": "https://pypi.org/project/pulumi-taxonomy/",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [{"executionSuccessful": ran}],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


# -- diff ------------------------------------------------------------------------------


def _status(change: Change, allow_breaking: bool) -> str:
    if not change.breaking:
        return "ok"
    return "allowed" if change.allowed or allow_breaking else "breaking"


def _where(change: Change) -> str:
    if change.line:
        return f"line {change.line}"
    return f"old line {change.old_line}" if change.old_line else ""


def _summary(review: Review, allow_breaking: bool) -> str:
    breaking, blocking = review.breaking, review.blocking(allow_breaking)
    other = len(review.changes) - len(breaking)
    text = f"{plural(len(breaking), 'breaking change')} ({len(breaking) - len(blocking)} allowed), "
    text += f"{plural(other, 'other change')}"
    return text


def diff_text(review: Review, allow_breaking: bool = False) -> str:
    if not review.changes:
        return _lines([f"no changes between {review.old.file} and {review.new.file}"])
    lines = []
    for c in review.changes:
        where = f" ({_where(c)})" if _where(c) else ""
        lines.append(f"{_status(c, allow_breaking):<8} {c.schemaver:<8} {c.path}{where}: {c.message}")
    lines.append(_summary(review, allow_breaking))
    if review.blocking(allow_breaking):
        lines.append(ALLOW_HOW)
    return _lines(lines)


def diff_json(review: Review, allow_breaking: bool = False) -> str:
    body = {
        "old": review.old.file,
        "new": review.new.file,
        "ran": True,
        "changes": [c.as_dict() for c in review.changes],
        "breaking": len(review.breaking),
        "blocking": len(review.blocking(allow_breaking)),
    }
    return json.dumps(body, indent=2) + "\n"


_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_INLINE = re.compile(r"[\\`*_\[\]()!~|$]")
"""ASCII punctuation that forms inline Markdown (code, emphasis, links and images,
strikethrough, math, table cells), backslash-escaped; `&<>` become entities instead."""
_NO_LINK = "&#8203;"
"""A zero-width space (as an entity), which GitHub does not link across: after `@` it stops
a mention, as Renovate does."""


def markdown_text(text: str) -> str:
    """`text` (a name, a description, a vendor's message: they can hold anything) as inert
    inline Markdown, in a table cell or a sentence: it reads as written, on one line, and
    forms no link, image, emphasis, code, math, HTML, cell border, mention or reference."""
    text = _INLINE.sub(lambda m: "\\" + m.group(), visible(one_line(text)))
    text = text.translate(_ENTITIES)
    # GitHub links these in text itself, escaped or not: break them with a zero-width space
    # (#123 first: the entity holds a "#8").
    text = re.sub(r"(?<=#)(?=\d)", _NO_LINK, text)  # #123 refers to an issue (a backlink on it)
    text = text.replace("@", "@" + _NO_LINK)  # @user, @org/team, e-mail addresses
    text = text.replace("://", ":" + _NO_LINK + "//")  # https://... autolinks
    return re.sub(r"(?i)(?<=\bwww)(?=\.)", _NO_LINK, text)  # www.example.com too


def markdown_code(text: str) -> str:
    """`text` in code style that no backtick in it can end (inert, as `markdown_text`)."""
    return f"<code>{markdown_text(text)}</code>"


def _table(changes: Iterable[Change], allow_breaking: bool) -> list[str]:
    marks = {"breaking": "❌ breaking", "allowed": "⚠️ allowed", "ok": "✅"}
    lines = ["| | change | where | SchemaVer |", "|---|---|---|---|"]
    for c in changes:
        where = markdown_code(c.path) + (f" ({_where(c)})" if _where(c) else "")
        lines.append(
            f"| {marks[_status(c, allow_breaking)]} | {markdown_text(c.message)} | {where} | {c.schemaver} |"
        )
    return lines


def diff_markdown(review: Review, allow_breaking: bool = False) -> str:
    """A report to post on the pull request."""
    if not review.changes:
        return "### Tracking plan review: no changes\n\nThe plan's contract is unchanged.\n"
    breaking, blocking = review.breaking, review.blocking(allow_breaking)
    other = [c for c in review.changes if not c.breaking]
    head = f"### Tracking plan review: {_summary(review, allow_breaking)}"
    lines = [head, ""]
    if breaking:
        lines += [*_table(breaking, allow_breaking), ""]
    if other:
        lines += [f"<details><summary>{plural(len(other), 'non-breaking change')}</summary>", ""]
        lines += [*_table(other, allow_breaking), "", "</details>", ""]
    if blocking:
        lines.append(f"> **{plural(len(blocking), 'breaking change')} not allowed.** {ALLOW_HOW}")
    return "\n".join(lines).rstrip("\n") + "\n"


def diff_github(review: Review, file: str, allow_breaking: bool = False, workspace: str | None = None) -> str:
    levels: dict[str, Annotation] = {"breaking": "error", "allowed": "warning", "ok": "notice"}
    lines = [
        workflow_command(
            levels[_status(c, allow_breaking)],
            f"{c.path}: {c.message}",
            file=repo_path(file, workspace),
            line=c.line,
            title=f"{c.kind} ({c.schemaver})",
        )
        for c in review.changes
    ]
    lines.append(f"diff: {_summary(review, allow_breaking)}")
    return "\n".join(lines) + "\n"
