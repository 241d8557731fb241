"""Contract tests: the clients' own requests, compared with the reference's examples."""

from tests.contract.recording import recorder

__all__ = ["recorder"]
