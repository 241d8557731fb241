"""`pulumi-taxonomy drift` says, in every format, which vendors it compared and which it
could not (and why), and refuses to report "no drift" when it compared nothing."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from pulumi_taxonomy.core.errors import CONTROL
from pulumi_taxonomy.testing import SandboxProcess
from tests.cli.test_errors import amplitude_env, cli, one_line_error
from tests.conftest import AMPLITUDE_AUTH, rudderstack_client
from tests.engine.test_tracking_plan import env as sandbox_env
from tests.sandbox.test_rudderstack import variant
from tests.servers import closed_port_url

STITCH_NOTE = "Stitch not compared: the Stitch Import API only accepts rows"


def write(tmp_path: Path, targets: str, events: str = "events: []\n") -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(f"version: 1\nname: Music app\n{events}targets:\n{targets}", encoding="utf-8")
    return path


@pytest.mark.parametrize("output_format", ["table", "json", "markdown"])
@pytest.mark.parametrize(
    ("targets", "reason"),
    [("  stitch: {}\n", "(Stitch is not compared: the Stitch Import API"), ("  {}\n", "read, so drift")],
)
def test_a_plan_without_amplitude_or_rudderstack_is_nothing_to_compare_not_no_drift(
    tmp_path: Path, output_format: str, targets: str, reason: str
) -> None:
    report = tmp_path / "report.md"
    report.write_text("### Tracking plan drift: none\n", encoding="utf-8")  # the last run's
    result = cli("drift", str(write(tmp_path, targets)), "--format", output_format, "--output", str(report))
    line = one_line_error(result, "nothing to compare: plan 'Music app' names no Amplitude", reason)
    assert "no drift" not in line
    assert_not_run(output_format, report, result.stdout, "names no Amplitude or RudderStack target")


def assert_not_run(output_format: str, report: Path, stdout: str, reason: str) -> None:
    """The --output report (and stdout, but for a table) says that drift could not run, and why."""
    written = report.read_text(encoding="utf-8")
    if output_format == "json":
        body = json.loads(written)
        assert body["ran"] is False and reason in body["reason"], body
        assert "drift" not in body, "no list of differences: none was made"
    else:  # markdown, also for table (its --output file is always Markdown)
        assert written.startswith("### Tracking plan drift: could not run\n"), written
        assert reason in written and "none" not in written, written
    assert stdout == ("" if output_format == "table" else written)


PROPERTYLESS_EVENT = "events:\n  - name: Song Played\n"
AMPLITUDE_AND_STITCH = "  amplitude: {mode: objects}\n  stitch: {}\n"


def test_no_drift_names_the_vendors_it_compared_and_the_one_it_could_not(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    sandbox.reset("empty")
    result = cli("drift", str(write(tmp_path, AMPLITUDE_AND_STITCH)), env=sandbox_env(sandbox.url))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no drift: 'Music app' matches Amplitude"
    assert STITCH_NOTE in result.stderr


def test_json_and_markdown_carry_what_was_compared_and_stderr_carries_the_note(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    sandbox.reset("empty")
    plan = str(write(tmp_path, AMPLITUDE_AND_STITCH, PROPERTYLESS_EVENT))
    as_json = cli("drift", plan, "--format", "json", env=sandbox_env(sandbox.url))
    assert as_json.returncode == 1, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["compared"] == ["amplitude"]
    [left_out] = report["not_compared"]
    assert left_out["vendor"] == "stitch" and "cannot read back" in left_out["reason"]
    assert [(d["vendor"], d["name"], d["status"]) for d in report["drift"]] == [
        ("amplitude", "Song Played", "missing")
    ]
    assert STITCH_NOTE in as_json.stderr

    as_markdown = cli("drift", plan, "--format", "markdown", env=sandbox_env(sandbox.url))
    assert as_markdown.returncode == 1, as_markdown.stderr
    assert as_markdown.stdout.startswith("### Tracking plan drift: 1 item")
    assert "Compared: Amplitude." in as_markdown.stdout and STITCH_NOTE in as_markdown.stdout
    assert STITCH_NOTE in as_markdown.stderr


VENDOR_NAME = "Hijack\u2028::error::x\x85::warning::y\x9b31m red\x7f"
"""An event name the vendor holds: Amplitude refuses C0 controls, not these (U+2028 and
NEL end a line for some readers; CSI is ESC [ in a terminal)."""


@pytest.mark.parametrize(
    ("output_format", "printed"),
    [
        ("table", "Hijack\\u2028::error::x\\x85::warning::y\\x9b31m red\\x7f"),
        ("markdown", "Hijack ::error::x ::warning::y\\\\x9b31m red\\\\x7f"),  # a line break is a space
    ],
)
def test_a_vendor_name_holding_control_characters_prints_as_escapes(
    tmp_path: Path, sandbox: SandboxProcess, output_format: str, printed: str
) -> None:
    sandbox.reset("empty")
    with httpx.Client(base_url=f"{sandbox.url}/api/2/taxonomy", auth=AMPLITUDE_AUTH) as amplitude:
        amplitude.post("/event", data={"event_type": VENDOR_NAME}).raise_for_status()
    plan = str(write(tmp_path, "  amplitude: {mode: objects}\n"))
    env = {**sandbox_env(sandbox.url), "COLUMNS": "300"}  # the escapes on one line
    result = cli("drift", plan, "--format", output_format, env=env)
    assert result.returncode == 1, result.stderr
    assert CONTROL.search(result.stdout.replace("\n", "")) is None, result.stdout
    assert result.stdout.split("\n")[:-1] == result.stdout.splitlines()
    assert printed in result.stdout


@pytest.mark.parametrize("output_format", ["table", "json", "markdown"])
def test_a_drift_that_cannot_run_replaces_the_last_report_with_one_saying_why(
    tmp_path: Path, sandbox: SandboxProcess, output_format: str
) -> None:
    # A CI step posts the report after each run: a stale "none" would claim no drift.
    sandbox.reset("empty")
    plan, report = str(write(tmp_path, AMPLITUDE_AND_STITCH)), tmp_path / "reports" / "drift.md"
    args = ("drift", plan, "--format", output_format, "--output", str(report))
    first = cli(*args, env=sandbox_env(sandbox.url))
    assert first.returncode == 0, first.stderr
    if output_format == "json":
        assert json.loads(report.read_text(encoding="utf-8"))["ran"] is True
    else:
        assert report.read_text(encoding="utf-8").startswith("### Tracking plan drift: none")

    revoked = cli(*args, env={**sandbox_env(sandbox.url), "AMPLITUDE_SECRET_KEY": "revoked"})
    one_line_error(revoked, "drift could not be read: Amplitude", "answered 401")
    assert_not_run(output_format, report, revoked.stdout, "answered 401")

    unreachable = cli(*args, env=amplitude_env(closed_port_url()))
    one_line_error(unreachable, "drift could not be read", "could not reach")
    assert_not_run(output_format, report, unreachable.stdout, "could not reach")


@pytest.mark.parametrize("output_format", ["table", "json", "markdown"])
def test_a_plan_that_is_not_valid_or_cannot_be_read_replaces_the_report_too(
    tmp_path: Path, output_format: str
) -> None:
    report = tmp_path / "drift.md"
    report.write_text("### Tracking plan drift: none\n", encoding="utf-8")
    invalid = write(tmp_path, "  amplitude: {mode: objects}\n", "events:\n  - name: A\n  - name: A\n")
    wide = {"COLUMNS": "300"}  # the problem on one line of the table
    result = cli("drift", str(invalid), "--format", output_format, "--output", str(report), env=wide)
    assert result.returncode == 2, result.stderr
    assert f"drift could not run: {invalid} is not a valid plan" in result.stderr.splitlines()[-1]
    # The problems: stdout for a table (as ever), stderr otherwise (stdout is the report).
    problems, shown = ("", result.stdout) if output_format == "table" else (result.stdout, result.stderr)
    assert '"A" is already an event name' in shown
    assert_not_run(output_format, report, problems, "is not a valid plan")

    missing = str(tmp_path / "missing.yaml")
    result = cli("drift", missing, "--format", output_format, "--output", str(report))
    one_line_error(result, "missing.yaml", "no such file")
    assert_not_run(output_format, report, result.stdout, "no such file")


def test_two_rudderstack_plans_of_one_name_are_refused_never_the_first_taken(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    # RudderStack does not promise unique names; the sandbox can allow repeats.
    sandbox.reset("empty")
    variant(sandbox, unique_plan_names=False)
    with rudderstack_client(sandbox) as rs:
        made = [rs.post("/tracking-plans", json={"name": "My Plan"}) for _ in range(2)]
    ids = [response.json()["id"] for response in made]
    env = sandbox_env(sandbox.url)
    refusal = (
        'RudderStack tracking plan "My Plan": 2 tracking plans have this name',
        *ids,
        "rename or delete",
    )

    exported = tmp_path / "exported.yaml"
    result = cli(
        "export", "--from", "rudderstack", "--plan-name", "My Plan", "--output", str(exported), env=env
    )
    one_line_error(result, "export failed: ", *refusal)
    assert not exported.exists()

    plan = write(tmp_path, "  rudderstack: {plan_name: My Plan}\n")
    one_line_error(cli("drift", str(plan), env=env), "drift could not be read: ", *refusal)

    doctor = cli("doctor", str(plan), "--vendor", "rudderstack", "--json", env=env)
    assert doctor.returncode == 1, doctor.stderr
    [named] = [c for c in json.loads(doctor.stdout)["checks"] if c["check"] == 'tracking plan "My Plan"']
    assert named["result"] == "fail", named
    assert named["detail"] == f"2 tracking plans have this name: {', '.join(ids)}", named
    assert named["hint"].startswith("rename or delete all but one in RudderStack"), named
