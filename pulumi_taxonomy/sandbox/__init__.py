"""An offline emulator of the vendors' APIs: `pulumi-taxonomy sandbox`.

State and rules live in each vendor's `state` module; HTTP handling in its `http`
module; `gate` applies auth, limits, latency and faults; `app` assembles them.
"""

from pulumi_taxonomy.sandbox.app import Sandbox
from pulumi_taxonomy.sandbox.config import FaultSpec, SandboxConfig

__all__ = ["FaultSpec", "Sandbox", "SandboxConfig"]
