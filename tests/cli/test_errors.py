"""The command line under error, run as a user runs it (a subprocess): every error is
one line on stderr and exit 2, never a traceback and never exit 1 (which means
"drift found" or "plan invalid"); `--debug` adds the traceback."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_taxonomy.testing import SandboxProcess
from tests.engine.test_tracking_plan import env as sandbox_env
from tests.reliability.test_validate_cli import _ceilings
from tests.servers import QuietHandler, closed_port_url, interrupted_while_waiting, serving

PLAN = """\
version: 1
name: Music app
events:
  - name: Song Played
targets:
  amplitude: {mode: objects}
"""


def cli(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    ceilings: bool = False,
    wrapper: str = "",
) -> subprocess.CompletedProcess[str]:
    """`pulumi-taxonomy ARGS`; `wrapper` (Python source) runs instead of `-m pulumi_taxonomy`."""
    command = ["-c", wrapper] if wrapper else ["-m", "pulumi_taxonomy"]
    return subprocess.run(
        [sys.executable, *command, *args],
        env={**os.environ, "COLUMNS": "80", **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=_ceilings if ceilings else None,  # memory and CPU: a runaway read fails fast
    )


def one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def amplitude_env(url: str, **extra: str) -> dict[str, str]:
    return {
        "AMPLITUDE_API_KEY": "k",
        "AMPLITUDE_SECRET_KEY": "s",
        "AMPLITUDE_BASE_URL": url,
        "PULUMI_TAXONOMY_RETRIES": "1",
        **extra,
    }


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("AMPLITUDE_HOUR_SECONDS", "an hour", "hour_seconds"),
        ("AMPLITUDE_HOUR_SECONDS", "-5", "hour_seconds"),
        ("PULUMI_TAXONOMY_RETRIES", "many", "PULUMI_TAXONOMY_RETRIES"),
        ("PULUMI_TAXONOMY_RETRY_WAIT", "inf", "PULUMI_TAXONOMY_RETRY_WAIT"),
    ],
)
def test_a_bad_setting_in_the_environment(plan: Path, setting: str, value: str, named: str) -> None:
    result = cli("drift", str(plan), env=amplitude_env(closed_port_url(), **{setting: value}))
    one_line_error(result, "drift could not be read", named, repr(value))


def test_an_unreachable_vendor(plan: Path) -> None:
    one_line_error(cli("drift", str(plan), env=amplitude_env(closed_port_url())), "could not reach")


@pytest.mark.parametrize("command", ["validate", "drift", "lint"])
def test_a_plan_that_cannot_be_read_is_an_error_not_an_invalid_plan(tmp_path: Path, command: str) -> None:
    one_line_error(cli(command, str(tmp_path / "missing.yaml")), "missing.yaml", "no such file")
    one_line_error(cli(command, str(tmp_path)), "not a file")


READS_PLANS = ["validate", "drift", "lint", "diff OLD", "diff NEW"]
"""Each command that reads a plan (`diff OLD NEW` reads two)."""


def reading(command: str, path: str, other: Path) -> list[str]:
    """The command's arguments with `path` as its plan (diff: as OLD or NEW, `other` the second)."""
    if command == "diff OLD":
        return ["diff", path, str(other)]
    if command == "diff NEW":
        return ["diff", str(other), path]
    return [command, path]


@pytest.mark.parametrize("command", READS_PLANS)
def test_what_is_not_a_regular_file_is_refused_unopened(plan: Path, tmp_path: Path, command: str) -> None:
    # A FIFO blocks whoever opens it to read until a writer comes (none will): the
    # timeout bounds a regression; a device never ends, the memory ceiling bounds that.
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    try:
        for path in (str(fifo), "/dev/zero", str(tmp_path)):
            result = cli(*reading(command, path, plan), timeout=30, ceilings=True)
            one_line_error(result, f"cannot read the plan {path}: it is not a file")
    finally:
        fifo.unlink()


@pytest.mark.parametrize("command", READS_PLANS)
def test_a_plan_past_the_size_limit_or_not_utf8_cannot_be_read(
    plan: Path, tmp_path: Path, command: str
) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as sparse:  # no data written: the size alone refuses it
        sparse.truncate(64 * 1024 * 1024 + 1)
    result = cli(*reading(command, str(huge), plan), timeout=30, ceilings=True)
    one_line_error(result, "the file has 67,108,865 bytes; a plan has at most 67,108,864")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"version: 1\nname: \xc0\x80\n")
    result = cli(*reading(command, str(binary), plan))
    one_line_error(result, f"cannot read the plan {binary}: it is not UTF-8 text (byte 17")


def test_a_report_never_overwrites_a_plan_the_command_reads(plan: Path, tmp_path: Path) -> None:
    env = amplitude_env(closed_port_url())  # drift refuses before any request
    (tmp_path / "link.yaml").symlink_to(plan)
    os.link(plan, tmp_path / "hard.yaml")
    other = tmp_path / "other.yaml"
    other.write_text(PLAN, encoding="utf-8")
    for output in (plan, tmp_path / "link.yaml", tmp_path / "hard.yaml", tmp_path / "." / "plan.yaml"):
        for args in (
            ["lint", str(plan)],
            ["diff", str(plan), str(other)],
            ["diff", str(other), str(plan)],
            ["drift", str(plan)],
        ):
            result = cli(*args, "--output", str(output), env=env, cwd=tmp_path)
            one_line_error(result, f"--output {output} is the plan", "write the report elsewhere")
            assert result.stdout == ""
    assert plan.read_text(encoding="utf-8") == PLAN and (tmp_path / "link.yaml").is_symlink()


def test_a_report_replaces_an_older_report_and_creates_its_folders(plan: Path, tmp_path: Path) -> None:
    old_report = tmp_path / "lint.txt"
    old_report.write_text("the last run's report\n", encoding="utf-8")
    new_report = tmp_path / "reports" / "pr" / "lint.txt"
    for report in (old_report, new_report):
        result = cli("lint", str(plan), "--output", str(report))
        assert (result.returncode, report.read_text(encoding="utf-8")) == (0, result.stdout), result.stderr


def test_an_output_that_is_a_symlink_loop_is_one_line(plan: Path, tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    one_line_error(cli("lint", str(plan), "--output", str(loop)), "Too many levels of symbolic links")


def test_an_unwritable_output_is_refused_before_any_request(plan: Path, tmp_path: Path) -> None:
    env = amplitude_env(closed_port_url())  # a request would fail differently
    under_a_file = str(plan / "report.md")
    one_line_error(cli("drift", str(plan), "--output", under_a_file, env=env), "is a file, not a folder")
    one_line_error(cli("drift", str(plan), "--output", str(tmp_path), env=env), "is a folder")
    result = cli("export", "--from", "amplitude", "--output", under_a_file, env=env)
    one_line_error(result, "--output", "is a file, not a folder")


NO_FILE_HERE = "/proc/nope"
"""A folder that cannot be made, not even by root (who passes every permission check)."""
EXPORT = ("export", "--from", "amplitude")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("drift", "plan.yaml", "--output", f"{NO_FILE_HERE}/x.md"), f"--output {NO_FILE_HERE}/x.md cannot"),
        (
            (*EXPORT, "--output", f"{NO_FILE_HERE}/x.yaml"),
            f"--output {NO_FILE_HERE}/x.yaml cannot be written",
        ),
        ((*EXPORT, "--output", "z2.yaml", "--program", NO_FILE_HERE), f"--program {NO_FILE_HERE} cannot be"),
        ((*EXPORT, "--output", "q.yaml", "--program", "q.yaml"), "are in each other's way"),
        ((*EXPORT, "--output", "q.yaml", "--program", "q.yaml/adopt"), "are in each other's way"),
        ((*EXPORT, "--output", "adopt/__main__.py", "--program", "adopt"), "the program's own __main__.py"),
        ((*EXPORT, "--output", "adopt/Pulumi.yaml", "--program", "adopt/"), "the program's own Pulumi.yaml"),
    ],
)
def test_every_output_is_checked_before_the_first_request(
    sandbox: SandboxProcess, tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "plan.yaml").write_text(PLAN, encoding="utf-8")
    sandbox.reset("demo")
    one_line_error(cli(*args, env=sandbox_env(sandbox.url), cwd=work), expected)
    assert sandbox.stats()["total_requests"] == 0
    assert [p.name for p in work.iterdir()] == ["plan.yaml"], "nothing written"


def test_an_export_whose_program_holds_its_plan_is_written(sandbox: SandboxProcess, tmp_path: Path) -> None:
    # The program's plan.yaml is the --output file's text: the two may be one file.
    sandbox.reset("demo")
    args = (*EXPORT, "--output", "adopt/plan.yaml", "--program", "adopt")
    result = cli(*args, env=sandbox_env(sandbox.url), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "adopt").iterdir()) == [
        "Pulumi.yaml",
        "__main__.py",
        "plan.yaml",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere; permissions cannot be tested")
def test_a_read_only_folder_is_refused(plan: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = cli("drift", str(plan), "--output", str(locked / "r.md"), env=amplitude_env(closed_port_url()))
    one_line_error(result, "permission denied")


def test_export_never_overwrites_a_plan_or_a_program_unasked(tmp_path: Path) -> None:
    env = amplitude_env(closed_port_url())
    existing = tmp_path / "plan.yaml"
    existing.write_text("mine\n", encoding="utf-8")
    program = tmp_path / "adopt"
    program.mkdir()
    (program / "__main__.py").write_text("mine\n", encoding="utf-8")

    result = cli("export", "--from", "amplitude", "--output", str(existing), env=env)
    one_line_error(result, "exists", "--force")
    result = cli(
        "export",
        "--from",
        "amplitude",
        "--output",
        str(tmp_path / "new.yaml"),
        "--program",
        str(program),
        env=env,
    )
    one_line_error(result, "not empty", "--force")
    result = cli(
        "export",
        "--from",
        "amplitude",
        "--output",
        str(tmp_path / "new.yaml"),
        "--program",
        str(existing),
        env=env,
    )
    one_line_error(result, "is a file")
    assert existing.read_text() == "mine\n" and (program / "__main__.py").read_text() == "mine\n"
    assert not (tmp_path / "new.yaml").exists()


def test_export_with_force_overwrites(sandbox: SandboxProcess, tmp_path: Path) -> None:
    sandbox.reset("demo")
    existing = tmp_path / "plan.yaml"
    existing.write_text("mine\n", encoding="utf-8")
    program = tmp_path / "adopt"
    program.mkdir()
    (program / "__main__.py").write_text("mine\n", encoding="utf-8")
    args = ("export", "--from", "amplitude", "--output", str(existing), "--program", str(program), "--force")
    result = cli(*args, env=sandbox_env(sandbox.url))
    assert result.returncode == 0, result.stderr
    assert "version: 1" in existing.read_text()
    assert "adopt=True" in (program / "__main__.py").read_text()


class _Answering(QuietHandler):
    """200 and the same body to any request."""

    body, content_type = b"", "application/json"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", self.content_type)
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


class _LoginPage(_Answering):
    """What a corporate proxy answers: 200 and HTML, to any request."""

    body, content_type = b"<html><body>Please log in</body></html>", "text/html"


@pytest.fixture(scope="module")
def login_page() -> Iterator[str]:
    with serving(_LoginPage) as url:
        yield url


def test_an_answer_that_is_not_the_vendors_is_one_line(plan: Path, login_page: str) -> None:
    # A proxy or a login page answering 200 with HTML is the vendor's side, not a bug.
    result = cli("drift", str(plan), env=amplitude_env(login_page))
    line = one_line_error(result, "not Amplitude's answer")
    assert "--debug" not in line


class _Dripping(QuietHandler):
    """A 200 whose body comes a byte a second: each read is quick, the whole never ends."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", "100000")
        self.end_headers()
        ends = time.monotonic() + 60
        try:
            while time.monotonic() < ends:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass  # the client went away, as it should


class _Endless(QuietHandler):
    """A 200 without a length that streams megabytes until the client goes away."""

    declared: int | None = None

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        if self.declared is not None:
            self.send_header("content-length", str(self.declared))
        self.end_headers()
        chunk = b"[" + b"0," * (2**19)
        try:
            for _ in range(200):  # 200 MB at most
                self.wfile.write(chunk)
        except OSError:
            pass


def test_a_vendor_that_answers_a_byte_a_second_is_bounded_by_the_timeout(plan: Path) -> None:
    with serving(_Dripping) as url:
        started = time.monotonic()
        result = cli("drift", str(plan), "--timeout", "3", env=amplitude_env(url))
        seconds = time.monotonic() - started
    one_line_error(result, "deadline", "still arriving")
    assert seconds < 30, f"{seconds:.0f}s: the deadline of 3 s did not hold"


class _TenGigabytes(_Endless):
    declared = 10**10


@pytest.mark.parametrize("handler", [_Endless, _TenGigabytes], ids=["streamed", "declared"])
def test_an_endless_answer_is_refused_before_it_fills_the_memory(plan: Path, handler: type[_Endless]) -> None:
    with serving(handler) as url:
        result = cli("drift", str(plan), env=amplitude_env(url), ceilings=True)
    one_line_error(result, "larger than 64 MiB", "base URL")


@pytest.mark.parametrize("value", ["sandbox-key\n", " sandbox-key", "sand box", "sandbox-kéy", "key\x07"])
def test_a_credential_that_cannot_be_one_is_refused_without_showing_it(plan: Path, value: str) -> None:
    result = cli("drift", str(plan), env=amplitude_env(closed_port_url(), AMPLITUDE_API_KEY=value))
    line = one_line_error(result, "the environment variable AMPLITUDE_API_KEY")
    assert "sandbox" not in line and "sand" not in result.stderr


class _NotTheDocumentedShape(_Answering):
    """A success envelope whose data is not a list, to any request."""

    body = b'{"success": true, "data": "nope"}'


def test_an_answer_in_another_shape_is_the_vendors_side_not_a_bug(plan: Path, tmp_path: Path) -> None:
    with serving(_NotTheDocumentedShape) as url:
        result = cli("drift", str(plan), env=amplitude_env(url))
        doctor = cli("doctor", "--vendor", "amplitude", env=amplitude_env(url))
    line = one_line_error(result, "not in the documented shape")
    assert "bug" not in line
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr


def test_an_html_answer_from_rudderstack_is_one_line(tmp_path: Path, login_page: str) -> None:
    rudder = tmp_path / "rudder.yaml"
    rudder.write_text(PLAN.replace("amplitude: {mode: objects}", "rudderstack: {plan_name: Music}"))
    env = {"RUDDERSTACK_ACCESS_TOKEN": "t", "RUDDERSTACK_BASE_URL": login_page}
    line = one_line_error(cli("drift", str(rudder), env=env), "not RudderStack's answer")
    assert "bug" not in line


BUG = """
import sys
import pulumi_taxonomy.plan.loader as loader
def load(*args, **kwargs):
    raise RuntimeError("an unexpected failure")
loader.load = load
sys.argv = ["pulumi-taxonomy", *sys.argv[1:]]
from pulumi_taxonomy.cli import main
main()
"""


def test_an_unexpected_failure_is_one_line_and_debug_shows_the_traceback(plan: Path) -> None:
    # Given a command that fails in a way nobody foresaw (here: injected into the loader)
    line = one_line_error(cli("validate", str(plan), wrapper=BUG), "an unexpected failure")
    assert "--debug" in line
    debugged = cli("--debug", "validate", str(plan), wrapper=BUG)
    assert debugged.returncode == 2
    assert "Traceback" in debugged.stderr and debugged.stderr.strip().splitlines()[-1] == line
    by_env = cli("validate", str(plan), env={"PULUMI_TAXONOMY_DEBUG": "1"}, wrapper=BUG)
    assert by_env.returncode == 2 and "Traceback" in by_env.stderr


def _cut_short(args: list[str], pipe_size: int = 4096) -> tuple[int, bytes]:
    """Run the command into a small pipe whose reader takes 10 bytes and goes away, as
    `| head -c 10` does; its exit code and stderr."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, pipe_size)
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_taxonomy", *args],
        stdout=write_end,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        assert len(os.read(read_end, 10)) > 0
        os.close(read_end)
        code = process.wait(120)
        assert process.stderr is not None
        return code, process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


@pytest.mark.skipif(not hasattr(fcntl, "F_SETPIPE_SZ"), reason="needs Linux to shrink the pipe")
def test_a_closed_pipe_is_not_a_traceback() -> None:
    # A pipe smaller than the schema (29 KB), so the command is still writing when the
    # reader goes away, as with `| head -c 10`.
    assert _cut_short(["schema"]) == (2, b"")


@pytest.mark.skipif(not hasattr(fcntl, "F_SETPIPE_SZ"), reason="needs Linux to shrink the pipe")
def test_a_big_report_cut_short_by_its_reader_exits_2_not_0(tmp_path: Path) -> None:
    # One write of a 1 MB report that the reader cut short used to lose the rest in
    # silence (CPython raises nothing for it) and exit 0, as if all was read.
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    events = "".join(f"  - name: Event {i:05d}\n    description: {'x' * 60}\n" for i in range(6000))
    old.write_text(f"version: 1\nname: Big\nevents:\n{events}", encoding="utf-8")
    new.write_text("version: 1\nname: Big\nevents: []\n", encoding="utf-8")
    assert _cut_short(["diff", str(old), str(new), "--allow-breaking"], pipe_size=65536) == (2, b"")


def test_a_closed_stdout_is_an_error_not_a_silent_success(plan: Path) -> None:
    for args in (["validate", str(plan)], ["schema"]):
        done = subprocess.run(
            [sys.executable, "-m", "pulumi_taxonomy", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
            preexec_fn=lambda: os.close(1),  # what the shell's >&- does
        )
        one_line_error(done, "stdout is closed")


def test_a_reader_gone_before_the_first_line_is_exit_2_not_1(plan: Path) -> None:
    # `validate plan.yaml | true`: rich's own handler of the closed pipe exits 1 ("invalid").
    read_end, write_end = os.pipe()
    os.close(read_end)
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", "validate", str(plan)],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
    )
    os.close(write_end)
    assert (done.returncode, done.stderr) == (2, "")


def test_markup_in_a_path_or_a_plan_is_printed_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "[red]a["
    folder.mkdir()
    valid = folder / "b].yaml"  # the path holds "[red]a[/b]"
    valid.write_text(PLAN, encoding="utf-8")
    done = cli("validate", str(valid), env={"COLUMNS": "300"})
    assert (done.returncode, done.stdout.split(": ")[:2]) == (0, ["valid", str(valid)]), done.stderr
    invalid = tmp_path / "k.yaml"
    invalid.write_text('version: 1\nname: x\n"[/x]": 1\n"[bold red]typo[/]": 2\n', encoding="utf-8")
    done = cli("validate", str(invalid), env={"COLUMNS": "300"})
    assert done.returncode == 1, done.stderr
    assert "[/x]" in done.stdout and "[bold red]typo[/]" in done.stdout


def test_a_long_field_is_never_cut_off_a_terminal(tmp_path: Path) -> None:
    invalid = tmp_path / "p.yaml"
    prop = "      - {name: b, type: string, enum: [1, 1]}"
    text = f"version: 1\nname: x\nevents:\n  - name: A\n    properties:\n{prop}\n"
    invalid.write_text(text, encoding="utf-8")
    done = cli("validate", str(invalid), env={"COLUMNS": "60"})
    assert done.returncode == 1
    assert "events[0].prop" in done.stdout and "…" not in done.stdout, done.stdout


def test_interrupting_a_hung_drift_exits_130_not_1(plan: Path) -> None:
    code, stderr, _ = interrupted_while_waiting(
        ["drift", str(plan)], lambda url: {**os.environ, **amplitude_env(url)}
    )
    assert code == 130, stderr
    assert "Traceback" not in stderr


def test_help_mentions_debug() -> None:
    result = cli("--help", env={"COLUMNS": "200"})
    assert result.returncode == 0 and "--debug" in result.stdout
    assert "--force" in cli("export", "--help", env={"COLUMNS": "200"}).stdout


def test_a_count_of_one_reads_in_the_singular(plan: Path) -> None:
    result = cli("validate", str(plan), env={"COLUMNS": "400"})
    assert (result.returncode, result.stdout) == (0, f"valid: {plan}: 1 event, targets: amplitude\n")
    # One check, failed offline: no Stitch credentials.
    unset = {"STITCH_ACCESS_TOKEN": "", "STITCH_CLIENT_ID": ""}
    result = cli("doctor", "--vendor", "stitch", env={**unset, "COLUMNS": "200"})
    assert result.returncode == 1, result.stderr
    assert "doctor: 1 check, 1 failed" in result.stdout
    assert "1 check failed (stitch)" in result.stdout


@pytest.mark.parametrize("value", ["inf", "1e9", "0", "nan"])
def test_a_timeout_that_is_no_deadline_is_refused(plan: Path, value: str) -> None:
    result = cli("drift", str(plan), "--timeout", value, env=amplitude_env(closed_port_url()))
    assert result.returncode == 2 and "--timeout" in result.stderr, result.stderr
