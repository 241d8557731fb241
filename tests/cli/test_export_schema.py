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
