"""The `$schema` header that `export` writes names the schema the installed package
ships, and following the header's own instruction makes it resolve and validate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import yaml

import pulumi_taxonomy.plan as plan_package
from pulumi_taxonomy.testing import SandboxProcess
from tests.cli.test_errors import cli
from tests.conftest import amplitude_client
from tests.engine.test_tracking_plan import env as sandbox_env


def test_the_exported_plans_schema_header_resolves_to_the_shipped_schema(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    sandbox.reset("demo")
    plan = tmp_path / "plan.yaml"
    exported = cli("export", "--from", "amplitude", "--output", str(plan), env=sandbox_env(sandbox.url))
    assert exported.returncode == 0, exported.stderr
    text = plan.read_text(encoding="utf-8")
    header = re.match(r"# yaml-language-server: \$schema=(\S+)\n# (.*)\n", text)
    assert header is not None, text[:300]
    reference, how = header.groups()
    assert "://" not in reference  # no CDN or index: the package is on neither
    command = re.search(r"`pulumi-taxonomy (schema) > (\S+)`", how)
    assert command is not None and command.group(2) == reference, how
    printed = cli("schema")
    assert printed.returncode == 0, printed.stderr
    (tmp_path / command.group(2)).write_text(printed.stdout, encoding="utf-8")
    # yaml-language-server resolves a relative $schema against the YAML file's folder.
    schema = json.loads((plan.parent / reference).read_text(encoding="utf-8"))
    shipped = Path(plan_package.__file__).with_name("plan.schema.json")
    assert schema == json.loads(shipped.read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load(text), schema)


def test_what_the_plan_format_cannot_hold_is_named_item_by_item(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    sandbox.reset("empty")
    plan = tmp_path / "plan.yaml"
    with amplitude_client(sandbox) as amp:
        for name in ("Case", "case"):  # one key, "case", for two events
            amp.post("/event", data={"event_type": name}).raise_for_status()
        refused = cli("export", "--from", "amplitude", "--output", str(plan), env=sandbox_env(sandbox.url))
        assert refused.returncode == 2 and not plan.exists()
        assert "does not fit the plan format: events[1].name:" in refused.stderr, refused.stderr
        assert "plan_references" not in refused.stderr
        sandbox.reset("empty")
        amp.post("/event", data={"event_type": "a/b"}).raise_for_status()
        exported = cli("export", "--from", "amplitude", "--output", str(plan), env=sandbox_env(sandbox.url))
    assert exported.returncode == 0, exported.stderr
    assert "events[0].name" in exported.stderr and "will not pass `validate`" in exported.stderr
    assert cli("validate", str(plan)).returncode == 1
