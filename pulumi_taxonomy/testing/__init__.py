"""What tests (ours and users') need to run against the sandbox the way CI does."""

from pulumi_taxonomy.testing.sandbox import SandboxProcess, running_sandbox

__all__ = ["SandboxProcess", "running_sandbox"]
