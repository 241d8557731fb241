"""The answer of one read-only check of a vendor setup, shared by every vendor's probes
(`pulumi-taxonomy doctor` composes them), and the one region rule they share.

A probe never writes: it reads, or asks something the vendor documents as storing
nothing. Its `detail` says what the vendor answered; its `hint`, what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

import httpx

from pulumi_taxonomy.core.errors import DeadlineExceeded, TaxonomyError

Outcome = Literal["pass", "fail", "warn", "skip"]
"""pass: checked and right; fail: checked and wrong (or could not be checked because
of the setup); warn: could not be checked, nothing suggests a problem; skip: not run,
the detail says why."""


@dataclass(frozen=True)
class Probe:
    """One check: which vendor, what was checked, the outcome, what was seen, what to do."""

    vendor: str
    check: str
    outcome: Outcome
    detail: str
    hint: str = ""
    refused: bool = False
    """The vendor refused the credential (401/403): another region's host may take it."""
    timed_out: bool = False
    """The overall deadline (`--timeout`) cut the check short: it may pass with more time."""

    @property
    def ok(self) -> bool:
        """Nothing wrong was found (a warning or a skipped check is not a failure)."""
        return self.outcome != "fail"

    def as_dict(self) -> dict[str, str]:
        return {
            "vendor": self.vendor,
            "check": self.check,
            "result": self.outcome,
            "detail": self.detail,
            "hint": self.hint,
        }


def skipped(vendor: str, check: str, why: str) -> Probe:
    return Probe(vendor, check, "skip", why)


def failed(vendor: str, check: str, error: Exception, hint: str = "") -> Probe:
    """A check that an error stopped: the error's own text says which call and what the
    vendor answered (`TaxonomyError`s and `ConnectionError`s are written for people)."""
    detail = str(error) if isinstance(error, TaxonomyError | ConnectionError) else repr(error)
    return Probe(vendor, check, "fail", detail, hint, timed_out=isinstance(error, DeadlineExceeded))


def reach_hint(base_url_env: str, region_env: str) -> str:
    """What to do when a vendor's host cannot be reached, or answers as no vendor would."""
    return (
        f"check the base URL ({base_url_env}) or the region ({region_env}), the network, and any "
        "HTTP(S)_PROXY."
    )


def accepted_elsewhere(base_url: str, hosts: Mapping[str, str], accepts: Callable[[str], bool]) -> str | None:
    """When `base_url` is one region's host (of `hosts`, region -> host), the first other
    region whose host `accepts` the same credential; None when there is none, or when
    the base URL is not a region's host (set explicitly: a proxy, a sandbox).

    `accepts(host)` must be read-only; whatever it raises counts as "not accepted"."""
    here = base_url.rstrip("/")
    if here not in {host.rstrip("/") for host in hosts.values()}:
        return None
    for region, host in hosts.items():
        if host.rstrip("/") == here:
            continue
        try:
            if accepts(host):
                return region
        except (TaxonomyError, ConnectionError):
            continue
    return None


@dataclass(frozen=True)
class Regions:
    """A vendor's region setting: its hosts, where a user sets it, and what a credential
    belongs to ("a project", "a workspace", "an account")."""

    hosts: Mapping[str, str]
    env_key: str
    config_key: str
    owner: str

    def hint(self, what: str, region: str) -> str:
        """What to do when `what` (e.g. "this API key") is accepted by `region`'s host."""
        return (
            f"{what} belongs to {self.owner} in the {region.upper()} region: set region {region} "
            f"(the environment variable {self.env_key}={region}, the stack config {self.config_key}, "
            f'or a `connection` with region "{region}").'
        )

    def explain_refusal(
        self, probe: Probe, base_url: str, what: str, accepts: Callable[[str], bool]
    ) -> Probe:
        """`probe`, and when it was refused on one region's host while another region's host
        accepts the credential (`accepts(host)`, read-only), the hint to set that region."""
        if not probe.refused:
            return probe
        region = accepted_elsewhere(base_url, self.hosts, accepts)
        if region is None:
            return probe
        host = httpx.URL(self.hosts[region]).host
        return replace(
            probe, detail=f"{probe.detail}; {host} ({region}) accepts it", hint=self.hint(what, region)
        )
