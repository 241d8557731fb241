"""`pulumi-taxonomy lint` and `diff` as a user and CI run them: subprocesses, exit codes,
files on disk and plans read from git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_taxonomy.core.errors import CONTROL
from pulumi_taxonomy.plan.report import markdown_code
from tests.review.conftest import CORPUS
from tests.review.test_formats import BAD_PLAN, parse

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tracking-plan" / "plan.yaml"


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})}
    environment.pop("GITHUB_WORKSPACE", None) if "GITHUB_WORKSPACE" not in (env or {}) else None
    return subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", *args],
        cwd=cwd or ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_lint_passes_the_example_plan() -> None:
    done = run("lint", str(EXAMPLE))
    assert (done.returncode, done.stdout) == (
        0,
        f"{EXAMPLE}: no findings, the plan follows its conventions\n",
    )


def test_lint_annotates_a_pull_request_and_fails_on_errors(tmp_path: Path) -> None:
    plan = tmp_path / "tracking-plan" / "plan.yaml"
    plan.parent.mkdir()
    plan.write_text(BAD_PLAN)
    done = run(
        "lint", "plan.yaml", "--format", "github", cwd=plan.parent, env={"GITHUB_WORKSPACE": str(tmp_path)}
    )
    assert done.returncode == 1, done.stderr
    *commands, summary = done.stdout.splitlines()
    parsed = [parse(line) for line in commands]
    assert [(level, props["file"], props["line"]) for level, props, _ in parsed] == [
        ("error", "tracking-plan/plan.yaml", "6"),
        ("error", "tracking-plan/plan.yaml", "7"),
    ]
    assert parsed[1][2] == 'events[1].name: "x,y::z%" is not in title case. Fix: rename it to "X Y Z".'
    assert summary == "lint: 2 errors, 0 warnings"


def test_lint_writes_sarif_and_exits_2_when_it_cannot_run(tmp_path: Path) -> None:
    plan, report = tmp_path / "plan.yaml", tmp_path / "lint.sarif"
    plan.write_text(BAD_PLAN)
    done = run("lint", str(plan), "--format", "sarif", "--output", str(report))
    assert done.returncode == 1
    assert json.loads(done.stdout) == json.loads(report.read_text())
    plan.write_text("version: 2\nname: Future\n")
    done = run("lint", str(plan), "--format", "sarif")
    assert done.returncode == 2
    [result] = json.loads(done.stdout)["runs"][0]["results"]
    assert (result["ruleId"], result["locations"][0]["physicalLocation"]["region"]) == (
        "validate",
        {"startLine": 1},
    )
    assert "is not a valid plan" in done.stderr
    missing = run("lint", str(tmp_path / "nope.yaml"))
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr.startswith("error: cannot read the plan"), missing.stderr
    assert run("lint", str(plan), "--format", "xml").returncode == 2


def test_lint_of_a_plan_it_cannot_read_still_writes_its_sarif(tmp_path: Path) -> None:
    # A CI step that uploads the SARIF file finds one, saying that lint did not run.
    missing, report = tmp_path / "nope.yaml", tmp_path / "out" / "lint.sarif"
    done = run("lint", str(missing), "--format", "sarif", "--output", str(report))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: cannot read the plan {missing}: there is no such file"]
    log = json.loads(report.read_text())
    assert log == json.loads(done.stdout)
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": False}]
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "validate" and "cannot read the file" in result["message"]["text"]
    github = run("lint", str(missing), "--format", "github")
    assert github.returncode == 2 and github.stdout.startswith("::error ")


def test_diff_of_a_plan_it_cannot_read_or_that_is_invalid_still_writes_its_report(tmp_path: Path) -> None:
    # A CI step that posts the Markdown report finds one saying the review did not run.
    invalid, report = tmp_path / "plan.yaml", tmp_path / "out" / "review.md"
    invalid.write_text("version: 2\nname: Future\n")
    done = run("diff", str(EXAMPLE), str(invalid), "--format", "markdown", "--output", str(report))
    assert done.returncode == 2
    assert done.stdout == report.read_text()
    assert report.read_text().startswith("### Tracking plan review: could not run\n")
    assert f"- {markdown_code(f'{invalid}:1')} version: Input should be 1." in report.read_text()
    assert "diff could not run" in done.stderr
    missing = tmp_path / "nope.yaml"
    done = run("diff", str(missing), str(EXAMPLE), "--format", "json", "--output", str(report))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: cannot read the plan {missing}: there is no such file"]
    body = json.loads(report.read_text())
    assert body == json.loads(done.stdout)
    assert body["ran"] is False and "cannot read the file" in body["problems"][0]["message"]
    assert json.loads(run("diff", str(EXAMPLE), str(EXAMPLE), "--format", "json").stdout)["ran"] is True
    github = run("diff", str(EXAMPLE), str(invalid), "--format", "github")
    assert github.returncode == 2
    assert github.stdout.splitlines()[-1] == "diff: could not run" and github.stdout.startswith("::error ")


def test_a_spec_that_looks_like_an_emoji_code_is_printed_as_given(tmp_path: Path) -> None:
    done = run("diff", "git:x", str(EXAMPLE))
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot read the plan git:x: write a git revision"), done.stderr


SDK_PROBE = """
import sys, runpy
sys.argv = ["pulumi-taxonomy", *sys.argv[1:]]
try:
    runpy.run_module("pulumi_taxonomy", run_name="__main__")
finally:
    print("pulumi loaded:", "pulumi" in sys.modules, file=sys.stderr)
"""


def test_validate_lint_and_diff_do_not_load_the_pulumi_sdk() -> None:
    # They need only the input models (core/lazy.py); the SDK costs each CI step ~0.3 s.
    old, new = str(CORPUS / "delivery" / "old.yaml"), str(CORPUS / "delivery" / "new.yaml")
    for args in (["validate", new], ["lint", new], ["diff", old, new]):
        done = subprocess.run(
            [sys.executable, "-c", SDK_PROBE, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.stderr.splitlines()[-1] == "pulumi loaded: False", (args, done.stderr)


def test_diff_exits_1_on_a_breaking_change_unless_allowed() -> None:
    old, new = str(CORPUS / "enum-values" / "old.yaml"), str(CORPUS / "enum-values" / "new.yaml")
    done = run("diff", old, new, "--format", "json")
    assert done.returncode == 1, done.stderr
    body = json.loads(done.stdout)
    assert (body["breaking"], [c["kind"] for c in body["changes"]]) == (1, ["enum-value-removed"])
    assert run("diff", old, new, "--allow-breaking").returncode == 0
    assert run("diff", new, old).returncode == 0  # a value added breaks nothing
    deprecated = CORPUS / "deprecated-event-removed"
    assert run("diff", str(deprecated / "old.yaml"), str(deprecated / "new.yaml")).returncode == 0


def test_diff_of_the_example_with_itself_and_a_markdown_report(tmp_path: Path) -> None:
    report = tmp_path / "review.md"
    done = run("diff", str(EXAMPLE), str(EXAMPLE), "--format", "markdown", "--output", str(report))
    assert done.returncode == 0
    assert (
        done.stdout
        == report.read_text()
        == "### Tracking plan review: no changes\n\nThe plan's contract is unchanged.\n"
    )


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_reads_the_base_plan_from_git(tmp_path: Path) -> None:
    folder = tmp_path / "tracking-plan"
    folder.mkdir()
    git(tmp_path, "init", "-q")
    plan = folder / "plan.yaml"
    plan.write_text((CORPUS / "property-added" / "new.yaml").read_text())
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "plan")
    plan.write_text((CORPUS / "property-added" / "old.yaml").read_text())
    # As the CI example runs it: from the plan's folder, PATH relative to it.
    done = run("diff", "git:HEAD:plan.yaml", "plan.yaml", "--format", "github", cwd=folder)
    assert done.returncode == 1, done.stderr
    level, props, message = parse(done.stdout.splitlines()[0])
    assert (level, props["file"], props["title"]) == ("error", "plan.yaml", "property-removed (REVISION)")
    assert message.startswith('events[Song Played].properties[position_ms]: property "position_ms" removed')

    unknown = run("diff", "git:no-such-branch:plan.yaml", "plan.yaml", cwd=folder)
    assert unknown.returncode == 2 and "is the ref fetched?" in unknown.stderr
    absent = run("diff", "git:HEAD:other.yaml", "plan.yaml", cwd=folder)
    assert absent.returncode == 2 and "did not exist at that revision" in absent.stderr
    option = run("diff", "git:--output=x:plan.yaml", "plan.yaml", cwd=folder)
    assert option.returncode == 2 and "would be read as an option" in option.stderr
    assert not (folder / "x").exists()
    malformed = run("diff", "git:HEAD", "plan.yaml", cwd=folder)
    assert malformed.returncode == 2 and "git:REF:PATH" in malformed.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_committed_plan_past_the_size_limit_or_not_utf8_is_refused(tmp_path: Path) -> None:
    with (tmp_path / "huge.yaml").open("wb") as sparse:  # zeros: git stores them in a few KB
        sparse.truncate(64 * 1024 * 1024 + 1)
    (tmp_path / "binary.yaml").write_bytes(b"version: 1\nname: \xc0\x80\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "plans")
    (tmp_path / "huge.yaml").write_text("version: 1\nname: Small now\n")
    for args in (["lint", "git:HEAD:huge.yaml"], ["diff", "git:HEAD:huge.yaml", "huge.yaml"]):
        done = run(*args, cwd=tmp_path)
        assert (done.returncode, done.stdout, done.stderr.splitlines()) == (
            2,
            "",
            [
                "error: cannot read the plan git:HEAD:huge.yaml: the file has 67,108,865 bytes; "
                "a plan has at most 67,108,864"
            ],
        )
    done = run("lint", "git:HEAD:binary.yaml", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith(
        "error: cannot read the plan git:HEAD:binary.yaml: it is not UTF-8 text (byte 17"
    ), done.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_git_revision_is_resolved_once_then_read_by_its_object_id(tmp_path: Path) -> None:
    # A ref that moves between the checks and the read (a fetch) cannot swap the file.
    (tmp_path / "plan.yaml").write_text((CORPUS / "property-added" / "old.yaml").read_text())
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "plan")
    real, calls, shims = shutil.which("git"), tmp_path / "calls.log", tmp_path / "bin"
    shims.mkdir()
    (shims / "git").write_text(f'#!/bin/sh\necho "$*" >> {calls}\nexec {real} "$@"\n')
    (shims / "git").chmod(0o755)
    done = run("lint", "git:HEAD:plan.yaml", cwd=tmp_path, env={"PATH": f"{shims}:{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    resolve, *reads = calls.read_text().splitlines()
    assert resolve == "rev-parse HEAD:./plan.yaml"
    blob = subprocess.run(
        ["git", "rev-parse", "HEAD:plan.yaml"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert reads == [f"cat-file -t {blob}", f"cat-file -s {blob}", f"cat-file blob {blob}"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_committed_folder_is_not_read_as_a_plan(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "plan.yaml").write_text("version: 1\nname: Music\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "plans")
    done = run("lint", "git:HEAD:plans", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr.splitlines()) == (
        2,
        "",
        ["error: cannot read the plan git:HEAD:plans: HEAD:plans is a tree in git (a folder?), not a file"],
    ), done.stderr


def test_diff_says_when_git_is_missing_or_not_a_repository(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text((CORPUS / "property-added" / "old.yaml").read_text())
    no_git = run(
        "diff", "git:HEAD:plan.yaml", "plan.yaml", cwd=tmp_path, env={"PATH": str(tmp_path / "empty")}
    )
    assert no_git.returncode == 2 and "git is not installed" in no_git.stderr
    if shutil.which("git") is not None:
        outside = run(
            "diff",
            "git:HEAD:plan.yaml",
            "plan.yaml",
            cwd=tmp_path,
            env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)},
        )
        assert outside.returncode == 2 and "not a git repository" in outside.stderr


def test_the_ci_example_reviews_each_pull_request() -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "tracking-plan.yml").read_text())
    steps = workflow["jobs"]["preview"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "pulumi-taxonomy validate plan.yaml" in runs
    assert "pulumi-taxonomy lint plan.yaml --format github" in runs
    assert 'pulumi-taxonomy diff "git:$BASE:plan.yaml" plan.yaml --format markdown' in runs
    assert "pulumi-taxonomy drift plan.yaml --format markdown" in runs
    assert any(step.get("uses", "").startswith("pulumi/actions") for step in steps)
    # Reports are posted first; lint errors and breaking changes then fail the job.
    assert steps[-1]["if"] == "steps.lint.outcome == 'failure' || steps.review.outcome == 'failure'"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_lint_of_a_git_revision_puts_its_findings_on_the_working_tree_file(tmp_path: Path) -> None:
    # Annotations and code scanning need the file (PATH), never the spec git:REF:PATH.
    folder = tmp_path / "tracking-plan"
    folder.mkdir()
    (folder / "plan.yaml").write_text(BAD_PLAN)
    (folder / "future.yaml").write_text("version: 2\nname: Future\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "plans")
    workspace = {"GITHUB_WORKSPACE": str(tmp_path)}
    github = run("lint", "git:HEAD:plan.yaml", "--format", "github", cwd=folder, env=workspace)
    assert github.returncode == 1, github.stderr
    *commands, _ = github.stdout.splitlines()
    assert [parse(line)[1]["file"] for line in commands] == ["tracking-plan/plan.yaml"] * 2
    sarif = json.loads(
        run("lint", "git:HEAD:plan.yaml", "--format", "sarif", cwd=folder, env=workspace).stdout
    )
    locations = [r["locations"][0]["physicalLocation"] for r in sarif["runs"][0]["results"]]
    assert [(p["artifactLocation"]["uri"], p["region"]["startLine"]) for p in locations] == [
        ("tracking-plan/plan.yaml", 6),
        ("tracking-plan/plan.yaml", 7),
    ]
    text = run("lint", "git:HEAD:plan.yaml", cwd=folder).stdout.splitlines()
    assert text[0].startswith("plan.yaml:6: error [event_case] ") and text[1].startswith("plan.yaml:7: ")
    assert text[2] == "2 errors, 0 warnings in git:HEAD:plan.yaml"  # the summary names the revision
    body = json.loads(run("lint", "git:HEAD:plan.yaml", "--format", "json", cwd=folder).stdout)
    assert (body["file"], {f["file"] for f in body["findings"]}) == ("git:HEAD:plan.yaml", {"plan.yaml"})
    # Invalid at that revision, as lint and diff report it when they cannot run.
    for args in (["lint", "git:HEAD:future.yaml"], ["diff", "git:HEAD:future.yaml", "plan.yaml"]):
        done = run(*args, "--format", "github", cwd=folder, env=workspace)
        assert done.returncode == 2, done.stderr
        assert parse(done.stdout.splitlines()[0])[1]["file"] == "tracking-plan/future.yaml"


HOSTILE_NAMES = (
    "Song\n::error::pwned",
    "song\x1b[31m red\r::stop-commands::x\u2028::warning::y\x85::notice::z\x1b]8;;https://evil.example\x07",
)
"""Names a stitch-only plan allows: each would start a workflow command of its own on an
Actions runner (or colour the log, or link it) if a text report printed it raw."""


def yaml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def assert_every_line_is_ours(output: str, *starts: str) -> None:
    assert output.endswith("\n")
    assert CONTROL.search(output.replace("\n", "")) is None, output
    lines = output.split("\n")[:-1]
    assert lines == output.splitlines()  # no other line break either (NEL, U+2028...)
    assert all(line.startswith(starts) for line in lines), lines


def test_text_reports_print_control_characters_as_escapes(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    events = "".join(f"  - {{name: {yaml_string(name)}, description: d}}\n" for name in HOSTILE_NAMES)
    plan.write_text(
        f"version: 1\nname: {yaml_string(HOSTILE_NAMES[0])}\nconventions:\n"
        f"  event_case: {{style: snake, severity: error}}\nevents:\n{events}targets:\n  stitch: {{}}\n"
    )
    done = run("lint", str(plan))
    assert done.returncode == 1, done.stderr
    assert_every_line_is_ours(done.stdout, f"{plan}:6: error [event_case] ", f"{plan}:7: error", "2 errors")
    assert '"Song\\n::error::pwned" is not in snake case' in done.stdout
    assert '"song\\x1b[31m red\\r::stop-commands::x\\u2028::warning::y\\x85::notice::z' in done.stdout

    # A description (a block scalar) that gains a workflow command as a line, and renames.
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(
        f"version: 1\nname: M\nevents:\n  - name: {yaml_string(HOSTILE_NAMES[0])}\n    id: song\n"
        "    description: |\n      Played.\ntargets:\n  stitch: {}\n"
    )
    new.write_text(
        f"version: 1\nname: M\nevents:\n  - name: {yaml_string(HOSTILE_NAMES[1])}\n    id: song\n"
        "    description: |\n      Played.\n      ::error file=plan.yaml,line=1::x\ntargets:\n  stitch: {}\n"
    )
    done = run("diff", str(old), str(new))
    assert done.returncode == 0, done.stderr
    assert_every_line_is_ours(done.stdout, "ok       ", "0 breaking changes")
    assert 'to "Played.\\n::error file=plan.yaml,line=1::x\\n"' in done.stdout
    assert 'renamed from "Song\\n::error::pwned" to "song\\x1b[31m red\\r' in done.stdout
