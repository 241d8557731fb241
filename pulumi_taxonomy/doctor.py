"""`pulumi-taxonomy doctor`: read-only checks of the vendor setups a user is about to
apply with, run before the first `pulumi up` with real credentials.

Each vendor's client owns its probes (`probe()` in `amplitude/client.py`,
`amplitude/importer.py`, `rudderstack/client.py`, `stitch/client.py`); this module only
chooses which vendors to check, runs them side by side under one deadline, and
reports. A vendor is checked when it is configured (any of its credentials is set) or
asked for (by `--vendor`, or by the targets of a plan); one neither configured nor
asked for is "skipped: not configured". Nothing here writes: the probes read, or ask
what the vendors document as storing nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pulumi_taxonomy.amplitude import client as amplitude
from pulumi_taxonomy.amplitude import importer
from pulumi_taxonomy.core import credentials
from pulumi_taxonomy.core.errors import ConfigurationError, plural
from pulumi_taxonomy.core.http import deadline
from pulumi_taxonomy.core.probe import Probe, skipped
from pulumi_taxonomy.plan.models import Plan
from pulumi_taxonomy.plan.types import uses_import
from pulumi_taxonomy.rudderstack import client as rudderstack
from pulumi_taxonomy.stitch import client as stitch

VendorName = Literal["amplitude", "amplitude-data", "rudderstack", "stitch"]
VENDORS: tuple[VendorName, ...] = get_args(VendorName)
SETTINGS_CHECK = "settings"


@dataclass(frozen=True)
class _Vendor:
    settings: tuple[credentials.Setting, ...]
    run: Callable[[Plan | None], list[Probe]]


def _workspace(plan: Plan | None) -> str | None:
    target = plan.targets.amplitude if plan is not None else None
    return target.workspace if target is not None else None


def _plan_name(plan: Plan | None) -> str | None:
    target = plan.targets.rudderstack if plan is not None else None
    return target.plan_name if target is not None else None


_VENDORS: dict[VendorName, _Vendor] = {
    "amplitude": _Vendor(amplitude.CREDENTIAL_SETTINGS, lambda plan: amplitude.probe()),
    "amplitude-data": _Vendor(
        importer.CREDENTIAL_SETTINGS, lambda plan: importer.probe(workspace=_workspace(plan))
    ),
    "rudderstack": _Vendor(
        rudderstack.CREDENTIAL_SETTINGS, lambda plan: rudderstack.probe(plan_name=_plan_name(plan))
    ),
    "stitch": _Vendor(stitch.CREDENTIAL_SETTINGS, lambda plan: stitch.probe()),
}


class NothingToCheck(ConfigurationError):
    """No vendor is configured, and neither a plan nor `--vendor` asks for one."""


def required_by(plan: Plan) -> set[VendorName]:
    """The vendors a plan's targets apply to (Amplitude Data only when it imports)."""
    targets = plan.targets
    needed: set[VendorName] = set()
    if targets.amplitude is not None:
        needed.add("amplitude")  # an import also reads back, and removes, through REST
    if uses_import(plan):
        needed.add("amplitude-data")
    if targets.rudderstack is not None:
        needed.add("rudderstack")
    if targets.stitch is not None:
        needed.add("stitch")
    return needed


def configured(vendor: VendorName) -> bool:
    """Any of the vendor's credentials is set (stack config or environment)."""
    return credentials.any_set(None, _VENDORS[vendor].settings)


@dataclass(frozen=True)
class Report:
    probes: list[Probe]

    @property
    def timed_out(self) -> bool:
        """The deadline (`--timeout`) cut a check short."""
        return any(p.timed_out for p in self.probes)

    @property
    def failed(self) -> list[Probe]:
        return [p for p in self.probes if not p.ok]

    def as_dict(self) -> dict[str, Any]:
        return {
            "result": "fail" if self.failed else "pass",
            "timed_out": self.timed_out,
            "checks": [p.as_dict() for p in self.probes],
        }


def run(plan: Plan | None = None, vendors: Sequence[VendorName] = (), timeout: float = 60.0) -> Report:
    """Check the vendors `vendors` names (all of them when empty): those configured, and
    those asked for, by `vendors` or by the plan's targets. `NothingToCheck` when none is."""
    chosen = list(dict.fromkeys(vendors)) or list(VENDORS)
    asked = set(vendors) if vendors else (required_by(plan) if plan is not None else set())
    to_run = [v for v in chosen if v in asked or configured(v)]
    if not to_run:
        raise NothingToCheck(_nothing_configured(plan))
    with deadline(timeout):
        results = _side_by_side(to_run, plan)
    probes: list[Probe] = []
    for vendor in chosen:
        probes += results.get(vendor) or [
            skipped(vendor, SETTINGS_CHECK, f"not configured (set {_variables(vendor)})")
        ]
    return Report(probes)


def _side_by_side(vendors: list[VendorName], plan: Plan | None) -> dict[VendorName, list[Probe]]:
    """Each vendor's checks in a thread of its own; daemon threads, so that Ctrl-C ends the
    command at once rather than after the slowest vendor. A bug in one is raised here."""
    done: dict[VendorName, list[Probe] | Exception] = {}

    def work(vendor: VendorName) -> None:
        try:
            done[vendor] = _check(vendor, plan)
        except Exception as exc:  # handed to the main thread below
            done[vendor] = exc

    threads = [threading.Thread(target=work, args=(v,), name=f"doctor-{v}", daemon=True) for v in vendors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results: dict[VendorName, list[Probe]] = {}
    for vendor in vendors:
        outcome = done[vendor]
        if isinstance(outcome, Exception):
            raise outcome
        results[vendor] = outcome
    return results


def _check(vendor: VendorName, plan: Plan | None) -> list[Probe]:
    try:
        return _VENDORS[vendor].run(plan)
    except ConfigurationError as exc:  # missing or contradictory settings: a finding, not a crash
        return [Probe(vendor, SETTINGS_CHECK, "fail", str(exc), "fix the setting, then run doctor again.")]


def _variables(vendor: VendorName) -> str:
    return " and ".join(env for _, _, env in _VENDORS[vendor].settings)


def _nothing_configured(plan: Plan | None) -> str:
    each = "; ".join(f"{v}: {_variables(v)}" for v in VENDORS)
    where = "the plan names no target, and " if plan is not None else ""
    return (
        f"nothing to check: {where}no vendor is configured. Set the credentials of the vendors you "
        f"use ({each}), or name them with --vendor to see what is missing."
    )


RESULT_STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow", "skip": "dim"}
RESULT_WORD = {"pass": "pass", "fail": "FAIL", "warn": "warn", "skip": "skipped"}


def table(report: Report) -> Any:
    """The report as a rich table: vendor, check, result, and what was seen / what to do."""
    from rich.markup import escape
    from rich.table import Table

    failed = len(report.failed)
    title = plural(len(report.probes), "check") + (f", {failed} failed" if failed else "")
    grid = Table(title=f"pulumi-taxonomy doctor: {title}", show_lines=True)
    for column in ("vendor", "check", "result", "detail / what to do"):
        grid.add_column(column, overflow="fold")
    for probe in report.probes:
        style = RESULT_STYLE[probe.outcome]
        detail = escape(probe.detail)
        if probe.hint:
            detail += f"\n[bold]What to do:[/bold] {escape(probe.hint)}"
        word = RESULT_WORD[probe.outcome]
        grid.add_row(probe.vendor, escape(probe.check), f"[{style}]{word}[/{style}]", detail)
    return grid


def summary(report: Report, timeout: float) -> str:
    if report.timed_out:
        return (
            f"doctor ran out of time (--timeout {timeout:g}s): the failed checks may have been cut "
            "short; run again with a longer --timeout."
        )
    if report.failed:
        vendors = ", ".join(dict.fromkeys(p.vendor for p in report.failed))
        return f"{plural(len(report.failed), 'check')} failed ({vendors}): fix them before the first apply."
    return "every check passed."


def vendor_names(values: Iterable[str]) -> list[VendorName]:
    """`--vendor` values as vendor names; a `ValueError` names a wrong one."""
    names: list[VendorName] = []
    for value in values:
        match = next((v for v in VENDORS if v == value.strip().lower()), None)
        if match is None:
            raise ValueError(f"unknown vendor {value!r}: use {', '.join(VENDORS)}")
        names.append(match)
    return names
