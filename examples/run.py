"""`python examples/run.py NAME` (`make quickstart` runs `quickstart`): apply the example
program `examples/NAME` to a local sandbox, check that a second preview shows no
changes, and print what the sandbox now holds.

With a Pulumi CLI on PATH it runs `pulumi up` and `pulumi preview` with a local file
backend and a throwaway passphrase. Without one it says how to install it, and runs the
same program through `pulumi_taxonomy.testing`, which drives the real provider server
exactly as the engine would. It never downloads or installs anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import httpx

from pulumi_taxonomy.testing import Engine, introspect, running_sandbox
from pulumi_taxonomy.testing.program import run_program

ROOT = Path(__file__).resolve().parents[1]
KEYS = ("sandbox-api-key", "sandbox-secret-key")
RUDDERSTACK_TOKEN = "sandbox-rudderstack-token"
INSTALL_DOCS = "https://www.pulumi.com/docs/install/"


def say(text: str = "") -> None:
    print(text, flush=True)


def with_cli(cli: str, env: dict[str, str], folder: Path) -> None:
    with tempfile.TemporaryDirectory() as backend:
        env = {
            **env,
            "PULUMI_BACKEND_URL": f"file://{backend}",
            "PULUMI_CONFIG_PASSPHRASE": "quickstart-throwaway",
            "PULUMI_SKIP_UPDATE_CHECKS": "1",
        }
        run = lambda *args: subprocess.run([cli, *args, "--non-interactive"], cwd=folder, env=env, check=True)  # noqa: E731
        run("stack", "select", "--create", "dev")
        run("up", "--yes", "--stack", "dev")
        run("preview", "--expect-no-changes", "--stack", "dev")


def without_cli(env: dict[str, str], folder: Path) -> None:
    program = folder / "__main__.py"
    say(f"No `pulumi` on PATH (to run `pulumi up` yourself, install the CLI: {INSTALL_DOCS}).")
    say(
        textwrap.fill(
            "Running the same program through pulumi_taxonomy.testing instead: every resource goes "
            "through the real provider server (python -m pulumi.dynamic) with the gRPC calls `pulumi up` "
            "makes, against the sandbox.",
            width=100,
        )
    )
    say()
    with Engine(project=f"taxonomy-{folder.name}", env=env) as engine:
        applied = run_program(program, engine)
        say(
            f"up: {applied.count('create')} created, {applied.count('update')} updated, "
            f"{applied.count('same')} unchanged"
        )
        for name, operation in applied.operations.items():
            say(f"  {operation:7} {name}")
        engine.new_command()
        preview = run_program(program, engine, preview=True)
        if preview.changes:
            raise SystemExit(f"preview after up wants changes: {preview.changes}")
        say(f"preview: no changes ({len(preview.operations)} resources unchanged)")


def summary(url: str) -> list[str]:
    """One line per object the sandbox's vendors hold."""
    lines: list[str] = []
    with httpx.Client(base_url=f"{url}/api/2/taxonomy", auth=KEYS, timeout=10) as amp:
        lines += [f"Amplitude category {c['name']!r}" for c in amp.get("/category").json()["data"]]
        for event in amp.get("/event").json()["data"]:
            props = amp.get("/event-property", params={"event_type": event["event_type"]}).json()["data"]
            listed = ", ".join(f"{p['event_property']} ({p['type']})" for p in props)
            category = (event["category"] or {}).get("name", "-")
            lines.append(f"Amplitude event {event['event_type']!r} [{category}]: {listed}")
        lines += [
            f"Amplitude shared event property {p['event_property']!r} ({p['type']})"
            for p in amp.get("/event-property").json()["data"]
        ]
        lines += [
            f"Amplitude user property {p['user_property']!r} ({p['type']})"
            for p in amp.get("/user-property").json()["data"]
            if p["user_property"].startswith("gp:")
        ]
        for group_type in ("Company", "Group 1"):
            lines += [
                f"Amplitude group property {p['group_property']!r} of {group_type}"
                for p in amp.get("/group-property", params={"group_type": group_type}).json()["data"]
            ]
    headers = {"authorization": f"Bearer {RUDDERSTACK_TOKEN}"}
    with httpx.Client(base_url=f"{url}/v2/catalog", headers=headers, timeout=10) as rs:
        for plan in rs.get("/tracking-plans").json()["trackingPlans"]:
            lines.append(f"RudderStack plan {plan['name']!r}: {plan['description'] or ''}")
            for event in rs.get(f"/tracking-plans/{plan['id']}/events").json()["data"]:
                label = event["name"] or f"({event['eventType']})"
                props = ", ".join(p["name"] for p in event.get("properties", []))
                lines.append(f"RudderStack plan {plan['name']!r} event {label}: {props}")
            for conn in rs.get(f"/tracking-plans/{plan['id']}/sources").json()["connections"]:
                lines.append(f"RudderStack plan {plan['name']!r} source {conn['sourceId']}: {conn['config']}")
    tables = introspect(url, "GET", "stitch/tables")["tables"]
    for name in tables:
        for row in introspect(url, "GET", f"stitch/tables/{name}")["rows"]:
            data = {k: v for k, v in row.items() if k != "_sdc_sequence"}
            lines.append(f"Warehouse table {name}: {data}")
    return lines


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "quickstart"
    folder = ROOT / "examples" / name
    if not (folder / "__main__.py").exists():
        raise SystemExit(f"no example {name!r} in {ROOT / 'examples'}")
    with running_sandbox("--seed", "demo") as sandbox:
        say(f"Sandbox (demo data) on {sandbox.url}")
        env = {
            **os.environ,
            "AMPLITUDE_API_KEY": KEYS[0],
            "AMPLITUDE_SECRET_KEY": KEYS[1],
            "AMPLITUDE_BASE_URL": sandbox.url,
            "RUDDERSTACK_ACCESS_TOKEN": RUDDERSTACK_TOKEN,
            "RUDDERSTACK_BASE_URL": sandbox.url,
            "AMPLITUDE_DATA_TOKEN": "sandbox-data-token",
            "AMPLITUDE_DATA_BASE_URL": sandbox.url,  # Taxonomy Import never follows the REST base URL
            "STITCH_ACCESS_TOKEN": "sandbox-stitch-token",
            "STITCH_CLIENT_ID": "4231",
            "STITCH_BASE_URL": sandbox.url,
        }
        before = set(summary(sandbox.url))
        cli = shutil.which("pulumi")
        if cli:
            with_cli(cli, env, folder)
        else:
            without_cli(env, folder)
        say("\nWhat the sandbox holds now that it did not before (the demo data aside):")
        for line in summary(sandbox.url):
            if line not in before:
                say(f"  {line}")


if __name__ == "__main__":
    sys.exit(main())
