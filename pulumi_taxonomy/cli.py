"""`pulumi-taxonomy`: the command line."""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer
from pydantic import ValidationError
from typer.core import TyperGroup

from pulumi_taxonomy.core.errors import TaxonomyError, one_line, plural, visible

if TYPE_CHECKING:  # imported where used: the sandbox package costs every command a fifth of a second
    from pulumi_taxonomy.plan.lint import Finding
    from pulumi_taxonomy.plan.models import Plan
    from pulumi_taxonomy.plan.revision import Revision
    from pulumi_taxonomy.sandbox.config import FaultSpec

ExitOk, ExitFound, ExitError = 0, 1, 2
"""Exit codes meant for CI: 0 all good, 1 the plan is invalid or drift exists, 2 the
command could not run (bad arguments, unreachable vendor, missing credentials, files
that cannot be written, a bug). An error never exits 1, which means "found"."""

DEBUG_ENV = "PULUMI_TAXONOMY_DEBUG"


class CommandFailed(Exception):
    """A command cannot go on; the message says why and what to do, on one line."""


# Typer raises the usage errors of the click it uses (its own copy, in newer releases).
_UsageErrors = sys.modules[typer.BadParameter.__module__].ClickException


class _Commands(TyperGroup):
    """Turns whatever a command raises into one line on stderr and exit 2, with the
    traceback only under `--debug` (or PULUMI_TAXONOMY_DEBUG=1)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, _UsageErrors):
            raise
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(ExitError) from None
        except Exception as exc:
            _fail(_explain(exc))


def _silence_stdout() -> None:
    """The reader of stdout went away (`| head`): send the rest nowhere, so that neither
    we nor Python (flushing at exit) complain; the exit code alone says it."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class _Stdout:
    """sys.stdout for the commands, which fails loudly where the real one does not.

    It writes in slices: CPython drops the rest of one big write that the reader cuts
    short (`| head -c 10`) and raises nothing, so a 1 MB report exited 0; slice by slice,
    the next write meets EPIPE. And a stdout closed by the shell (`>&-`) is None, which
    print() ignores in silence: here printing to it fails the command (exit 2)."""

    SLICE = 1 << 16

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # as a text stream does (click tells the two apart so)
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self._stream is None:
            raise CommandFailed(
                "cannot print the output: stdout is closed (>&-); redirect it to a file instead"
            )
        for start in range(0, len(text), self.SLICE):
            self._stream.write(text[start : start + self.SLICE])
        return len(text)

    def flush(self) -> None:
        if self._stream is not None:
            self._stream.flush()

    def isatty(self) -> bool:
        return self._stream is not None and bool(self._stream.isatty())

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, buffer...: the real stream's
        return getattr(self._stream, name)


def _explain(exc: Exception) -> str:
    if isinstance(exc, TaxonomyError | CommandFailed | ConnectionError):
        return str(exc)
    if isinstance(exc, OSError):  # the machine's doing (files, disk, network), not a bug
        return f"{exc.filename}: {exc.strerror or exc}" if exc.filename else str(exc)
    return (
        f"unexpected {type(exc).__name__}: {exc}. This is likely a bug in pulumi-taxonomy: run again with "
        f"--debug (or {DEBUG_ENV}=1) to see the traceback, and report it."
    )


def _fail(message: str, prefix: str = "error") -> NoReturn:
    """One line on stderr (never wrapped, whatever the terminal's width), then exit 2;
    under --debug, the traceback of the error being handled comes first."""
    if _debug() and sys.exc_info()[0] is not None:
        traceback.print_exc()
    _console(stderr=True).print(f"[red]{prefix}[/red]: {_text(one_line(message))}", soft_wrap=True)
    raise typer.Exit(ExitError)


def _debug() -> bool:
    return _session["debug"] or os.environ.get(DEBUG_ENV, "") not in ("", "0")


_session = {"debug": False}
"""Options of the root command, for the error handling of every command."""


app = typer.Typer(
    cls=_Commands,
    no_args_is_help=True,
    add_completion=False,
    help=__doc__,
    pretty_exceptions_enable=False,
)


def _faults(value: str) -> FaultSpec:
    from pulumi_taxonomy.sandbox.config import FaultSpec

    try:
        return FaultSpec.parse(value)
    except ValidationError as exc:
        _fail(_option_problems(exc, "--faults"))
    except ValueError as exc:
        _fail(f"--faults: {exc}")


def _option_problems(exc: ValidationError, option: str = "") -> str:
    """pydantic's refusal of command options as one line: each option and the rule it
    breaks (not the value: it may be a key)."""
    return "; ".join(
        f"{option or '--' + str(error['loc'][0]).replace('_', '-')}: "
        + str(error["msg"]).removeprefix("Value error, ").replace("Input should be", "must be", 1)
        for error in exc.errors()
    )


def _version(value: bool) -> None:
    if value:
        from pulumi_taxonomy import __version__

        print(f"pulumi-taxonomy {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help=f"Show the traceback of an error (also {DEBUG_ENV}=1).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Analytics tracking plans as Pulumi resources."""
    _session["debug"] = debug


@app.command()
def sandbox(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.")] = 8787,
    db: Annotated[str, typer.Option(help="SQLite file for the state, or :memory:.")] = ":memory:",
    seed: Annotated[
        str, typer.Option(help="State of a new project: empty, or demo (a team's existing data).")
    ] = "empty",
    latency_ms: Annotated[
        float, typer.Option(help="Delay every vendor response by this much, holding its cost.")
    ] = 0.0,
    faults: Annotated[str, typer.Option(help='Random faults, e.g. "429=0.05,500=0.02,drop=0.01".')] = "",
    fault_seed: Annotated[
        int | None, typer.Option(help="Seed for the fault dice, for reproducible runs.")
    ] = None,
    hour_seconds: Annotated[
        float, typer.Option(help="Length of the rate-limit 'hour' in seconds (shorten for tests).")
    ] = 3600.0,
    amplitude_api_key: Annotated[
        str, typer.Option(envvar="SANDBOX_AMPLITUDE_API_KEY", help="Accepted Amplitude API key.")
    ] = "sandbox-api-key",
    amplitude_secret_key: Annotated[
        str,
        typer.Option(envvar="SANDBOX_AMPLITUDE_SECRET_KEY", help="Accepted Amplitude secret key."),
    ] = "sandbox-secret-key",
    rudderstack_token: Annotated[
        str,
        typer.Option(envvar="SANDBOX_RUDDERSTACK_TOKEN", help="Accepted RudderStack service access token."),
    ] = "sandbox-rudderstack-token",
    data_token: Annotated[
        str,
        typer.Option(envvar="SANDBOX_DATA_TOKEN", help="Accepted Amplitude Data personal access token."),
    ] = "sandbox-data-token",
    data_workspace: Annotated[
        str, typer.Option(help="Name of the Amplitude Data workspace (project) for Taxonomy Import.")
    ] = "Sandbox Project",
    stitch_token: Annotated[
        str, typer.Option(envvar="SANDBOX_STITCH_TOKEN", help="Accepted Stitch Import API access token.")
    ] = "sandbox-stitch-token",
    stitch_client_id: Annotated[int, typer.Option(help="The Stitch client id that token belongs to.")] = 4231,
    data_auto_save: Annotated[
        bool,
        typer.Option(
            help="Behave like Amplitude Data's newer auto-save variant: no staging version, no publish."
        ),
    ] = False,
) -> None:
    """Serve the vendors' APIs locally, as they behave in production."""
    from pulumi_taxonomy.sandbox.config import SandboxConfig
    from pulumi_taxonomy.sandbox.server import CannotServe, serve

    if seed not in ("empty", "demo"):
        raise typer.BadParameter("use empty or demo", param_hint="--seed")
    try:
        config = SandboxConfig(
            host=host,
            port=port,
            db=db,
            seed=_seed(seed),
            latency_ms=latency_ms,
            faults=_faults(faults),
            fault_seed=fault_seed,
            hour_seconds=hour_seconds,
            amplitude_api_key=amplitude_api_key,
            amplitude_secret_key=amplitude_secret_key,
            rudderstack_token=rudderstack_token,
            data_token=data_token,
            data_workspace=data_workspace,
            data_auto_save=data_auto_save,
            stitch_token=stitch_token,
            stitch_client_id=stitch_client_id,
        )
    except ValidationError as exc:
        _fail(_option_problems(exc))
    try:
        serve(config)
    except CannotServe as exc:
        _fail(str(exc), "sandbox could not start")


TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=0.1,
        max=86400.0,  # a day; "inf" would be no deadline at all
        envvar="PULUMI_TAXONOMY_TIMEOUT",
        help="Overall deadline in seconds for the vendor calls: every request, retry and wait for the "
        "vendor's rate limits. Past it the command stops with exit code 2.",
    ),
]
DEFAULT_TIMEOUT = 300.0
ReportOutput = Annotated[Path | None, typer.Option(help="Also write the report to this file.")]
DOCTOR_TIMEOUT = 60.0
"""Doctor's checks are a handful of reads: a minute is ample unless a vendor hangs."""


@functools.cache
def _console_type() -> Any:
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich's own handler exits 1, which means "found": a closed pipe is exit 2,
            # as for print() (the commands' BrokenPipeError handler).
            raise BrokenPipeError

    return _Console


def _text(value: object) -> str:
    """A value (a path, a name, a vendor's message) for a rich markup string: "[/b]" in
    it is text, not a closing tag that fails the command, and its control characters are
    escapes (`visible`), not line breaks or terminal sequences."""
    from rich.markup import escape

    return escape(visible(str(value)))


def _console(stderr: bool = False) -> Any:
    Console = _console_type()
    # emoji=False: a name or a git:REF:PATH holding ":x:" is text, not an emoji code.
    return Console(stderr=stderr, highlight=False, emoji=False)


@app.command()
def validate(
    plan: Annotated[Path, typer.Argument(help="The plan file (YAML).")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Check a plan offline against the rules of every target it names."""
    import gc

    from pulumi_taxonomy.plan.loader import PlanInvalid, PlanUnreadable, load

    # What load builds lives until exit: frozen, the collector never walks it (loading
    # pauses the collector, and leaves it paused when it found it so).
    gc.disable()
    try:
        loaded = load(plan)
    except PlanUnreadable:
        raise  # exit 2: one line
    except PlanInvalid as exc:
        if as_json:
            print(json.dumps({"valid": False, "issues": [vars(i) for i in exc.issues]}, indent=2))
        else:
            _issues_table(exc.issues)
        raise typer.Exit(ExitFound) from None
    finally:
        gc.freeze()
        gc.enable()
    targets = [name for name, value in loaded.targets if value is not None]
    if as_json:
        print(json.dumps({"valid": True, "events": len(loaded.events), "targets": targets}))
    else:
        _console().print(
            f"[green]valid[/green]: {_text(plan)}: {plural(len(loaded.events), 'event')}, targets: "
            f"{', '.join(targets) or 'none'}",
            soft_wrap=True,  # one line, as CI logs and scripts read it
        )


def _issues_table(issues: list[Any], stderr: bool = False) -> None:
    from rich.table import Table

    table = Table(title=plural(len(issues), "problem"))
    for column in ("where", "field", "target", "problem"):
        table.add_column(column, overflow="fold")  # off a terminal (CI) too: cut nothing
    for issue in issues:
        cells = (f"{issue.file}:{issue.line or '?'}", issue.field or "(plan)", issue.target, issue.message)
        table.add_row(*map(_text, cells))
    _console(stderr).print(table)


def _valid_plan(plan: Path) -> Plan:
    """The plan; else its problems as a table, and exit 2 (a plan that cannot be read at
    all stays the one-line error)."""
    from pulumi_taxonomy.plan.loader import PlanInvalid, PlanUnreadable, load

    try:
        return load(plan)
    except PlanUnreadable:
        raise
    except PlanInvalid as exc:
        _issues_table(exc.issues)
        raise typer.Exit(ExitError) from None


@app.command()
def schema() -> None:
    """Print the plan file's JSON Schema (the package ships it: plan/plan.schema.json)."""
    from pulumi_taxonomy.plan.models import json_schema

    print(json.dumps(json_schema(), indent=2, sort_keys=True))


@app.command()
def drift(
    plan: Annotated[Path, typer.Argument(help="The plan file (YAML).")],
    output_format: Annotated[
        str, typer.Option("--format", help="table, json or markdown (for a pull-request comment).")
    ] = "table",
    output: ReportOutput = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """Compare the plan with what each vendor holds now. Exit 1 when there is drift.

    Credentials come from the environment, as for the resources (AMPLITUDE_API_KEY,
    RUDDERSTACK_ACCESS_TOKEN, their *_BASE_URL...)."""
    from pulumi_taxonomy.core.http import deadline
    from pulumi_taxonomy.plan import drift as compare
    from pulumi_taxonomy.plan.loader import PlanInvalid, PlanUnreadable, load

    if output_format not in ("table", "json", "markdown"):
        raise typer.BadParameter("use table, json or markdown", param_hint="--format")
    _check_report_output(output, str(plan))
    # From here on, a drift that cannot run still writes its report, saying so: the last
    # run's ("no drift") must not stay behind for a CI step to post again.
    loaded: Plan | None = None
    differences: list[Any] = []
    try:
        try:
            loaded = load(plan)
        except PlanUnreadable:
            raise
        except PlanInvalid as exc:
            _issues_table(exc.issues, stderr=output_format != "table")  # stdout: the report
            reason = f"{plan} is not a valid plan (`pulumi-taxonomy validate` lists its problems)"
            raise _DriftNotRun(reason, "drift could not run") from exc
        covered = compare.scope(loaded)
        if not covered.compared:  # "no drift" would claim a comparison that never happened
            raise _DriftNotRun(covered.nothing_to_compare(loaded), "nothing to compare")
        try:
            with deadline(timeout), _progress() as progress:
                if loaded.targets.amplitude is not None:
                    from pulumi_taxonomy.amplitude.client import client_for

                    differences += compare.amplitude(loaded, client_for(None), progress)
                if loaded.targets.rudderstack is not None:
                    from pulumi_taxonomy.rudderstack.client import client_for as rudderstack_client

                    differences += compare.rudderstack(loaded, rudderstack_client(None), progress)
        except (TaxonomyError, ConnectionError) as exc:
            raise _DriftNotRun(str(exc), "drift could not be read") from exc
    except Exception as exc:
        _drift_not_run(exc, output_format, output, str(plan), loaded)
    if output_format == "json":
        report = compare.json_report(differences, loaded)
    elif output_format == "markdown":
        report = compare.markdown(differences, loaded)
    else:
        report = ""
        _drift_table(differences, loaded)
    if report:
        print(report)
    if output is not None:
        _write(output, report or compare.markdown(differences, loaded))
    for note in covered.notes():
        _console(stderr=True).print(note, soft_wrap=True, markup=False)
    raise typer.Exit(ExitFound if differences else ExitOk)


@app.command()
def export(
    source: Annotated[str, typer.Option("--from", help="amplitude or rudderstack")],
    output: Annotated[Path, typer.Option(help="Where to write the plan (YAML).")] = Path("plan.yaml"),
    plan_name: Annotated[str | None, typer.Option(help="The RudderStack tracking plan to export.")] = None,
    name: Annotated[str, typer.Option(help="The plan's name (Amplitude).")] = "Exported plan",
    program: Annotated[
        Path | None,
        typer.Option(help="Also write a Pulumi program here that applies the plan with adopt=True."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            help="Overwrite an existing --output file, and write into a --program folder that is not empty."
        ),
    ] = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """Write what a vendor holds now as a plan, to adopt it in one step.

    Credentials come from the environment, as for `drift`."""
    from pulumi_taxonomy.core.http import deadline
    from pulumi_taxonomy.plan.export import from_amplitude, from_rudderstack, to_yaml, write_program
    from pulumi_taxonomy.plan.models import slug

    if source not in ("amplitude", "rudderstack"):
        raise typer.BadParameter("use amplitude or rudderstack", param_hint="--from")
    # Before any request: a user's plan or program is never overwritten unasked, and
    # what cannot be written fails with nothing asked of the vendor.
    if program is not None:
        _check_apart(output, program)
    _check_writable(output, "--output", overwrite=force)
    if program is not None:
        _check_program_folder(program, force)
    try:
        with deadline(timeout), _progress() as progress:
            if source == "amplitude":
                from pulumi_taxonomy.amplitude.client import client_for

                plan, warnings = from_amplitude(client_for(None), name, progress)
            else:
                from pulumi_taxonomy.rudderstack.client import client_for as rudderstack_client

                plan, warnings = from_rudderstack(rudderstack_client(None), plan_name, progress)
    except (TaxonomyError, ConnectionError, ValueError) as exc:
        _fail(str(exc), "export failed")
    _write(output, to_yaml(plan))
    err = _console(stderr=True)
    events, properties = len(plan.events), len(plan.user_properties)
    err.print(
        f"wrote {_text(output)}: {plural(events, 'event')}, "
        f"{plural(properties, 'user property', 'user properties')}"
    )
    if program is not None:
        try:
            write_program(program, plan, f"adopt-{slug(plan.name)}")
        except OSError as exc:
            _fail(f"cannot write the program into {program}: {exc.strerror or exc}", "export failed")
        where = _text(program)
        err.print(f"wrote a program that adopts them: {where}/__main__.py (with {where}/plan.yaml)")
    for warning in warnings:
        err.print(f"[yellow]warning[/yellow]: {_text(warning)}")


@app.command()
def doctor(
    plan: Annotated[
        Path | None, typer.Argument(help="A plan file (YAML): its targets are checked, configured or not.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    vendor: Annotated[
        list[str] | None,
        typer.Option(
            "--vendor",
            help="Check only this vendor, configured or not: amplitude, amplitude-data, rudderstack or "
            "stitch (repeat for several).",
        ),
    ] = None,
    timeout: TimeoutOption = DOCTOR_TIMEOUT,
) -> None:
    """Check, read-only, that each configured vendor accepts its credentials and serves
    what the provider uses. Exit 0 all pass, 1 a check failed, 2 could not run.

    Credentials come from the environment, as for `drift`; nothing is written."""
    from pulumi_taxonomy import doctor as checkup

    try:
        vendors = checkup.vendor_names(vendor or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--vendor") from None
    loaded = _valid_plan(plan) if plan is not None else None
    report = checkup.run(loaded, vendors, timeout)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        _console().print(checkup.table(report))
        _console().print(checkup.summary(report, timeout), soft_wrap=True)
    if report.timed_out:  # unfinished checks: doctor could not run them all
        raise typer.Exit(ExitError)
    raise typer.Exit(ExitFound if report.failed else ExitOk)


def _check_writable(path: Path, option: str, *, overwrite: bool = True) -> None:
    """Refuse, before any work is done, a file that cannot or must not be written.

    Permissions alone do not say it (root passes every `os.access`, yet cannot create a
    file in /proc): the file is opened to append, or a nameless file made in its folder."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        pass  # not there yet (or under a file: said below)
    except OSError as exc:  # a symlink loop, a name too long...
        raise CommandFailed(f"{option} {path} cannot be written: {exc.strerror or exc}") from None
    if path.is_dir():
        raise CommandFailed(f"{option} {path} is a folder; give a file name")
    if path.is_file():  # devices such as /dev/null are written, never "overwritten"
        if not overwrite:
            raise CommandFailed(
                f"{option} {path} exists; pass --force to overwrite it, or choose another {option}"
            )
        if not os.access(path, os.W_OK):
            raise CommandFailed(f"{option} {path} cannot be written: permission denied")
        try:
            open(path, "ab").close()  # appends nothing: the file is left as it is
        except OSError as exc:
            raise CommandFailed(f"{option} {path} cannot be written: {exc.strerror or exc}") from None
    elif not path.exists():
        _check_folder_writable(path.parent, option, path)


def _check_report_output(output: Path | None, *plans: str) -> None:
    """An --output report may replace an older report, never a plan the command reads
    (through a symlink or a hard link either)."""
    if output is None:
        return
    for plan in plans:
        if _same_path(output, plan) or _same_file(output, plan):
            raise CommandFailed(
                f"--output {output} is the plan {plan} that this command reads; write the report elsewhere"
            )
    _check_writable(output, "--output")


def _same_path(path: Path, other: str) -> bool:
    try:
        return path.resolve() == Path(other).resolve()
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        return False  # then writing to it says why it cannot be written


def _same_file(path: Path, other: str) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:  # one of them does not exist (yet)
        return False


def _check_program_folder(folder: Path, force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise CommandFailed(f"--program {folder} is a file; give a folder for the program")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise CommandFailed(
            f"--program {folder} is not empty; pass --force to write the program into it (files of the same "
            "name are replaced), or choose a new folder"
        )
    _check_folder_writable(folder, "--program", folder)


def _check_apart(output: Path, program: Path) -> None:
    """The --output file and the --program folder are not in each other's way: the file is
    not the folder or above it, nor one of the program's own files (its plan.yaml is the
    same text as the --output file: that one may be shared)."""
    if _same_path(output, str(program)) or any(_same_path(output, str(up)) for up in program.parents):
        raise CommandFailed(
            f"--output {output} and --program {program} are in each other's way: the program is a "
            "folder, the plan a file; give them different paths"
        )
    from pulumi_taxonomy.plan.export import PROGRAM_FILES

    for own in PROGRAM_FILES:
        if own == "plan.yaml":
            continue
        if _same_path(output, str(program / own)) or _same_file(output, str(program / own)):
            raise CommandFailed(
                f"--output {output} is the program's own {own} (--program writes it); choose another --output"
            )


def _check_folder_writable(folder: Path, option: str, path: Path) -> None:
    """`folder`, or the nearest of its parents that exists (the rest is created), takes new files."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise CommandFailed(f"{option} {path} cannot be written: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CommandFailed(f"{option} {path} cannot be written: permission denied in {existing}")
    try:
        with tempfile.TemporaryFile(dir=existing):  # nameless where the system allows: no trace
            pass
    except OSError as exc:
        raise CommandFailed(
            f"{option} {path} cannot be written: no file can be made in {existing} ({exc.strerror or exc})"
        ) from None


def _write(output: Path | None, report: str) -> None:
    """Write `report` to `output` (its folders created), if asked; a failure is one line, exit 2."""
    if output is None:
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report, encoding="utf-8")
    except OSError as exc:
        raise CommandFailed(f"cannot write {output}: {exc.strerror or exc}") from exc


class _DriftNotRun(Exception):
    """drift cannot go on: `reason` is its one line, after `prefix`."""

    def __init__(self, reason: str, prefix: str) -> None:
        super().__init__(reason)
        self.reason, self.prefix = reason, prefix


def _drift_not_run(
    exc: Exception, output_format: str, output: Path | None, file: str, plan: Plan | None
) -> NoReturn:
    """Replace the report (--output, and stdout for json and markdown) with one saying that
    drift could not run and why, then fail with the error's one line (exit 2)."""
    from pulumi_taxonomy.plan.report import render_drift_failure

    reason = exc.reason if isinstance(exc, _DriftNotRun) else _explain(exc)
    report = render_drift_failure(output_format, file, plan.name if plan else None, reason)
    try:
        _write(output, report)
    except CommandFailed as unwritten:
        reason = f"{reason} (and {unwritten})"
    if output_format != "table":
        print(report, end="")
    if not isinstance(exc, _DriftNotRun):
        raise exc  # its own line: a plan that cannot be read, a bug (--debug's traceback)
    _fail(reason, exc.prefix)


def _drift_table(differences: list[Any], plan: Any) -> None:
    from rich.table import Table

    from pulumi_taxonomy.plan.drift import compared_names

    if not differences:
        _console().print(f"[green]no drift[/green]: {_text(repr(plan.name))} matches {compared_names(plan)}")
        return
    table = Table(title=f"drift: {plural(len(differences), 'item')}")
    for column in ("vendor", "kind", "name", "status", "detail"):
        table.add_column(column, overflow="fold")
    for d in differences:  # names and details come from the vendors: text, never markup
        table.add_row(*map(_text, (d.vendor, d.kind, d.name, d.status, d.detail)))
    _console().print(table)


@app.command()
def lint(
    plan: Annotated[str, typer.Argument(help="The plan file (YAML), or git:REF:PATH.")],
    output_format: Annotated[
        str, typer.Option("--format", help="text, json, github (workflow annotations) or sarif (2.1.0).")
    ] = "text",
    output: ReportOutput = None,
) -> None:
    """Check names and documentation against the plan's `conventions:` (defaults without one).

    Exit 0 when there is no error (warnings allowed), 1 on errors, 2 when the plan could
    not be read or is not valid (run `validate`)."""
    from pulumi_taxonomy.plan import lint as rules
    from pulumi_taxonomy.plan.loader import PlanInvalid, PlanUnreadable
    from pulumi_taxonomy.plan.report import LINT_FORMATS, render_lint
    from pulumi_taxonomy.plan.revision import Revision

    if output_format not in LINT_FORMATS:
        raise typer.BadParameter(f"use {', '.join(LINT_FORMATS)}", param_hint="--format")
    revision = Revision.parse(plan)
    _check_report_output(output, revision.path)
    try:
        located = revision.load()
    except PlanInvalid as exc:
        # Invalid or unreadable, CI still gets a report (a SARIF upload, annotations)
        # saying that lint did not run, and why.
        report = render_lint(output_format, plan, _in_tree(rules.invalid(exc.issues), revision), ran=False)
        _write(output, report)
        if isinstance(exc, PlanUnreadable):
            if output_format != "text":
                print(report, end="")
            raise  # its one line on stderr, exit 2
        print(report, end="", file=sys.stderr if output_format == "text" else sys.stdout)
        _console(stderr=True).print(f"[red]lint could not run[/red]: {_text(plan)} is not a valid plan")
        raise typer.Exit(ExitError) from None
    findings = _in_tree(rules.lint(located), revision)
    report = render_lint(output_format, located.file, findings)
    print(report, end="")
    _write(output, report)
    raise typer.Exit(ExitFound if any(f.severity == "error" for f in findings) else ExitOk)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The plan before the change: a file, or git:REF:PATH.")],
    new: Annotated[str, typer.Argument(help="The plan after the change: a file, or git:REF:PATH.")],
    output_format: Annotated[
        str, typer.Option("--format", help="text, json, markdown (a pull-request comment) or github.")
    ] = "text",
    allow_breaking: Annotated[
        bool, typer.Option("--allow-breaking", help="Report breaking changes, but exit 0.")
    ] = False,
    output: ReportOutput = None,
) -> None:
    """Classify every change from OLD to NEW: breaking or not, and its SchemaVer label.

    Exit 1 when a breaking change is not allowed (neither deprecated in OLD nor
    --allow-breaking), 0 otherwise, 2 when a plan could not be read or is not valid."""
    from pulumi_taxonomy.plan import diff as changes
    from pulumi_taxonomy.plan.lint import invalid
    from pulumi_taxonomy.plan.loader import PlanInvalid, PlanUnreadable
    from pulumi_taxonomy.plan.report import DIFF_FORMATS, render_diff, render_diff_failure
    from pulumi_taxonomy.plan.revision import Revision

    if output_format not in DIFF_FORMATS:
        raise typer.BadParameter(f"use {', '.join(DIFF_FORMATS)}", param_hint="--format")
    base, target = Revision.parse(old), Revision.parse(new)
    _check_report_output(output, base.path, target.path)
    try:
        review = changes.diff(base.load(), target.load())
    except PlanInvalid as exc:
        # As lint does: CI still finds a report (a comment to post, annotations) saying
        # that the review did not run, and why.
        report = render_diff_failure(output_format, old, new, _in_tree(invalid(exc.issues), base, target))
        _write(output, report)
        if output_format != "text":
            print(report, end="")
        if isinstance(exc, PlanUnreadable):
            raise  # its one line on stderr, exit 2
        if output_format == "text":
            print(report, end="", file=sys.stderr)
        _console(stderr=True).print("[red]diff could not run[/red]: a plan could not be read or is not valid")
        raise typer.Exit(ExitError) from None
    report = render_diff(output_format, review, target.path, allow_breaking)
    print(report, end="")
    _write(output, report)
    raise typer.Exit(ExitFound if review.blocking(allow_breaking) else ExitOk)


def _in_tree(findings: list[Finding], *revisions: Revision) -> list[Finding]:
    """The findings located at the working-tree files their plans stand for: a plan read
    as git:REF:PATH at PATH, where annotations and code scanning find the file (as
    `diff` puts its changes); the report's summary still names the plan as given."""
    from dataclasses import replace

    paths = {revision.spec: revision.path for revision in revisions}
    return [replace(f, file=paths.get(f.file, f.file)) for f in findings]


@contextmanager
def _progress() -> Iterator[Any]:
    """A progress bar on stderr (never in the way of --format json on stdout)."""
    from rich.progress import Progress

    console = _console(stderr=True)
    # Only on a terminal: elsewhere (CI logs, pipes) a bar would leave blank lines.
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:

        def track(items: Any, label: str) -> Any:
            items = list(items)
            return bar.track(items, total=len(items), description=label)

        yield track


def _seed(value: str) -> Literal["empty", "demo"]:
    return "demo" if value == "demo" else "empty"


def main() -> None:
    sys.stdout = _Stdout(sys.stdout)
    try:
        app()
    except CommandFailed as exc:  # outside any command: --help into a closed stdout
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(ExitError)
    except SystemExit:
        try:
            sys.stdout.flush()  # what is still buffered meets a closed pipe here, if anywhere
        except BrokenPipeError:
            _silence_stdout()
            sys.exit(ExitError)
        raise
