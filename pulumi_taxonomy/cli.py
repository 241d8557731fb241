"""`pulumi-taxonomy`: the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

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


def _seed(value: str) -> Literal["empty", "demo"]:
    return "demo" if value == "demo" else "empty"


def main() -> None:
    app()
