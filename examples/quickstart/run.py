"""`make quickstart`: apply the quickstart program to a local sandbox, then check that a
second preview shows no changes, and print what the sandbox now holds.

With a Pulumi CLI (found on PATH, or installed by Pulumi's official installer) it runs
`pulumi up` and `pulumi preview` with a local file backend and a throwaway passphrase.
Without one, it runs the same program through `pulumi_taxonomy.testing`, which drives
the real provider server exactly as the engine would.
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

from pulumi_taxonomy.testing import Engine, running_sandbox
from pulumi_taxonomy.testing.program import run_program

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "examples" / "quickstart" / "__main__.py"
KEYS = ("sandbox-api-key", "sandbox-secret-key")
INSTALLER = "https://get.pulumi.com"


def say(text: str = "") -> None:
    print(text, flush=True)


def find_or_install_cli() -> str | None:
    found = shutil.which("pulumi")
    if found or os.environ.get("PULUMI_TAXONOMY_NO_INSTALL"):
        return found
    say(f"No Pulumi CLI on PATH; trying Pulumi's official installer ({INSTALLER}) ...")
    try:
        subprocess.run(
            ["sh", "-c", f"curl -fsSL --max-time 30 {INSTALLER} | sh"],
            capture_output=True,
            timeout=120,
            check=True,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    installed = Path.home() / ".pulumi" / "bin" / "pulumi"
    return str(installed) if installed.exists() else None


def with_cli(cli: str, env: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as backend:
        env = {
            **env,
            "PULUMI_BACKEND_URL": f"file://{backend}",
            "PULUMI_CONFIG_PASSPHRASE": "quickstart-throwaway",
            "PULUMI_SKIP_UPDATE_CHECKS": "1",
        }
        run = lambda *args: subprocess.run([cli, *args, "--non-interactive"], cwd=ROOT, env=env, check=True)  # noqa: E731
        run("stack", "select", "--create", "dev")
        run("up", "--yes", "--stack", "dev")
        run("preview", "--expect-no-changes", "--stack", "dev")


def without_cli(env: dict[str, str]) -> None:
    say(
        textwrap.fill(
            "The Pulumi CLI is not installed here and Pulumi's installer could not run (it downloads "
            "the CLI from Pulumi's servers, which this machine cannot reach). So the quickstart runs the "
            "same program through pulumi_taxonomy.testing instead: every resource goes through the real "
            "provider server (python -m pulumi.dynamic) with the same gRPC calls `pulumi up` makes, "
            "against the sandbox. Install the CLI (https://www.pulumi.com/docs/install/) to run "
            "`pulumi up` yourself.",
            width=100,
        )
    )
    say()
    with Engine(project="taxonomy-quickstart", env=env) as engine:
        applied = run_program(PROGRAM, engine)
        say(
            f"up: {applied.count('create')} created, {applied.count('update')} updated, "
            f"{applied.count('same')} unchanged"
        )
        for name, operation in applied.operations.items():
            say(f"  {operation:7} {name}")
        engine.new_command()
        preview = run_program(PROGRAM, engine, preview=True)
        if preview.changes:
            raise SystemExit(f"preview after up wants changes: {preview.changes}")
        say(f"preview: no changes ({len(preview.operations)} resources unchanged)")


def show(url: str) -> None:
    with httpx.Client(base_url=f"{url}/api/2/taxonomy", auth=KEYS, timeout=10) as amp:
        say("\nWhat the sandbox's Amplitude project now holds (planned by this stack):")
        say("  categories: " + ", ".join(c["name"] for c in amp.get("/category").json()["data"]))
        for event in ("Song Played", "Song Skipped", "Search Performed"):
            info = amp.get(f"/event/{event}").json()["data"]
            props = amp.get("/event-property", params={"event_type": event}).json()["data"]
            listed = ", ".join(f"{p['event_property']} ({p['type']})" for p in props)
            say(f"  event {event!r} [{info['category']['name']}]: {listed}")
        shared = [p["event_property"] for p in amp.get("/event-property").json()["data"]]
        say("  shared event properties: " + ", ".join(p for p in shared if p in ("song_id", "source")))
        users = [p["user_property"] for p in amp.get("/user-property").json()["data"]]
        say("  user properties: " + ", ".join(u for u in users if u in ("gp:subscription", "gp:email")))
        groups = amp.get("/group-property", params={"group_type": "Company"}).json()["data"]
        say("  group properties of Company: " + ", ".join(g["group_property"] for g in groups))


def main() -> None:
    with running_sandbox("--seed", "demo") as sandbox:
        say(f"Sandbox (demo project) on {sandbox.url}")
        env = {
            **os.environ,
            "AMPLITUDE_API_KEY": KEYS[0],
            "AMPLITUDE_SECRET_KEY": KEYS[1],
            "AMPLITUDE_BASE_URL": sandbox.url,
        }
        cli = find_or_install_cli()
        if cli:
            with_cli(cli, env)
        else:
            without_cli(env)
        show(sandbox.url)


if __name__ == "__main__":
    sys.exit(main())
