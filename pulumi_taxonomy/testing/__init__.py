"""What tests (ours and users') need to run resources the way the Pulumi engine does,
against the sandbox, with no Pulumi CLI."""

from pulumi_taxonomy.testing.engine import CheckFailed, Engine, Plan, ProviderFailed, ProviderServer
from pulumi_taxonomy.testing.sandbox import SandboxProcess, introspect, running_sandbox

__all__ = [
    "CheckFailed",
    "Engine",
    "Plan",
    "ProviderFailed",
    "ProviderServer",
    "SandboxProcess",
    "introspect",
    "running_sandbox",
]
