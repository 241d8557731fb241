"""`pulumi-taxonomy`: the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from pydantic import ValidationError

from pulumi_taxonomy.sandbox.config import FaultSpec, SandboxConfig

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


def _faults(value: str) -> FaultSpec:
    try:
        return FaultSpec.parse(value)
    except (ValueError, ValidationError) as exc:
        raise typer.BadParameter(str(exc)) from None


@app.callback()
def _root() -> None:
    """Analytics tracking plans as Pulumi resources."""


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
    from pulumi_taxonomy.sandbox.server import serve

    if seed not in ("empty", "demo"):
        raise typer.BadParameter("use empty or demo", param_hint="--seed")
    if db != ":memory:":
        Path(db).parent.mkdir(parents=True, exist_ok=True)
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
        raise typer.BadParameter(str(exc)) from None
    serve(config)


ExitOk, ExitFound, ExitError = 0, 1, 2
"""Exit codes meant for CI: 0 all good, 1 the plan is invalid or drift exists, 2 the
command could not run (bad arguments, unreachable vendor, missing credentials)."""

TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=0.1,
        envvar="PULUMI_TAXONOMY_TIMEOUT",
        help="Overall deadline in seconds for the vendor calls: every request, retry and wait for the "
        "vendor's rate limits. Past it the command stops with exit code 2.",
    ),
]
DEFAULT_TIMEOUT = 300.0


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


@app.command()
def validate(
    plan: Annotated[Path, typer.Argument(help="The plan file (YAML).")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Check a plan offline against the rules of every target it names."""
    from pulumi_taxonomy.plan.loader import PlanInvalid, load

    try:
        loaded = load(plan)
    except PlanInvalid as exc:
        if as_json:
            print(json.dumps({"valid": False, "issues": [vars(i) for i in exc.issues]}, indent=2))
        else:
            _issues_table(exc.issues)
        raise typer.Exit(ExitFound) from None
    targets = [name for name, value in loaded.targets if value is not None]
    if as_json:
        print(json.dumps({"valid": True, "events": len(loaded.events), "targets": targets}))
    else:
        _console().print(
            f"[green]valid[/green]: {plan}: {len(loaded.events)} events, targets: "
            f"{', '.join(targets) or 'none'}"
        )


def _issues_table(issues: list[Any]) -> None:
    from rich.table import Table

    table = Table(title=f"{len(issues)} problem(s)")
    for column in ("where", "field", "target", "problem"):
        table.add_column(column)
    for issue in issues:
        table.add_row(
            f"{issue.file}:{issue.line or '?'}", issue.field or "(plan)", issue.target, issue.message
        )
    _console().print(table)


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
    output: Annotated[Path | None, typer.Option(help="Also write the report to this file.")] = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """Compare the plan with what each vendor holds now. Exit 1 when there is drift.

    Credentials come from the environment, as for the resources (AMPLITUDE_API_KEY,
    RUDDERSTACK_ACCESS_TOKEN, their *_BASE_URL...)."""
    from pulumi_taxonomy.core.errors import TaxonomyError
    from pulumi_taxonomy.core.http import deadline
    from pulumi_taxonomy.plan import drift as compare
    from pulumi_taxonomy.plan.loader import PlanInvalid, load

    if output_format not in ("table", "json", "markdown"):
        raise typer.BadParameter("use table, json or markdown", param_hint="--format")
    try:
        loaded = load(plan)
    except PlanInvalid as exc:
        _issues_table(exc.issues)
        raise typer.Exit(ExitError) from None
    differences: list[Any] = []
    try:
        with deadline(timeout), _progress() as progress:
            if loaded.targets.amplitude is not None:
                from pulumi_taxonomy.amplitude.client import client_for

                differences += compare.amplitude(loaded, client_for(None), progress)
            if loaded.targets.rudderstack is not None:
                from pulumi_taxonomy.rudderstack.client import client_for as rudderstack_client

                differences += compare.rudderstack(loaded, rudderstack_client(None), progress)
    except (TaxonomyError, ConnectionError) as exc:
        _console(stderr=True).print(f"[red]drift could not be read[/red]: {exc}")
        raise typer.Exit(ExitError) from None
    if output_format == "json":
        report = json.dumps({"plan": loaded.name, "drift": [d.as_dict() for d in differences]}, indent=2)
    elif output_format == "markdown":
        report = compare.markdown(differences, loaded)
    else:
        report = ""
        _drift_table(differences, loaded.name)
    if report:
        print(report)
    if output is not None:
        output.write_text(report or compare.markdown(differences, loaded), encoding="utf-8")
    if loaded.targets.stitch is not None and output_format == "table":
        _console(stderr=True).print("Stitch: the warehouse cannot be read back, so it has no drift report.")
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
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """Write what a vendor holds now as a plan, to adopt it in one step.

    Credentials come from the environment, as for `drift`."""
    from pulumi_taxonomy.core.errors import TaxonomyError
    from pulumi_taxonomy.core.http import deadline
    from pulumi_taxonomy.plan.export import from_amplitude, from_rudderstack, to_yaml, write_program
    from pulumi_taxonomy.plan.models import slug

    if source not in ("amplitude", "rudderstack"):
        raise typer.BadParameter("use amplitude or rudderstack", param_hint="--from")
    try:
        with deadline(timeout), _progress() as progress:
            if source == "amplitude":
                from pulumi_taxonomy.amplitude.client import client_for

                plan, warnings = from_amplitude(client_for(None), name, progress)
            else:
                from pulumi_taxonomy.rudderstack.client import client_for as rudderstack_client

                plan, warnings = from_rudderstack(rudderstack_client(None), plan_name, progress)
    except (TaxonomyError, ConnectionError, ValueError) as exc:
        _console(stderr=True).print(f"[red]export failed[/red]: {exc}")
        raise typer.Exit(ExitError) from None
    output.write_text(to_yaml(plan), encoding="utf-8")
    err = _console(stderr=True)
    err.print(f"wrote {output}: {len(plan.events)} events, {len(plan.user_properties)} user properties")
    if program is not None:
        write_program(program, plan, f"adopt-{slug(plan.name)}")
        err.print(f"wrote a program that adopts them: {program}/__main__.py (with {program}/plan.yaml)")
    for warning in warnings:
        err.print(f"[yellow]warning[/yellow]: {warning}")


def _drift_table(differences: list[Any], name: str) -> None:
    from rich.table import Table

    if not differences:
        _console().print(f"[green]no drift[/green]: every vendor matches {name!r}")
        return
    table = Table(title=f"drift: {len(differences)} item(s)")
    for column in ("vendor", "kind", "name", "status", "detail"):
        table.add_column(column)
    for d in differences:
        table.add_row(d.vendor, d.kind, d.name, d.status, d.detail)
    _console().print(table)


@contextmanager
def _progress() -> Iterator[Any]:
    """A progress bar on stderr (never in the way of --format json on stdout)."""
    from rich.progress import Progress

    with Progress(console=_console(stderr=True), transient=True) as bar:

        def track(items: Any, label: str) -> Any:
            items = list(items)
            return bar.track(items, total=len(items), description=label)

        yield track


def _seed(value: str) -> Literal["empty", "demo"]:
    return "demo" if value == "demo" else "empty"


def main() -> None:
    app()
