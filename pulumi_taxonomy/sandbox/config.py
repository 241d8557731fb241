"""Sandbox settings: what `pulumi-taxonomy sandbox` accepts on its command line."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DROP = "drop"
"""Fault kind: the request is processed (a write commits) but no response is sent."""


class FaultSpec(BaseModel):
    """Probabilities of injected faults, parsed from `429=0.05,500=0.02,drop=0.01`.

    Keys are an HTTP status (4xx/5xx, answered instead of processing the request) or
    `drop` (processed, then the connection is closed without a response).
    """

    model_config = ConfigDict(frozen=True)

    rates: dict[str, float] = Field(default_factory=dict)

    @field_validator("rates")
    @classmethod
    def _check_rates(cls, rates: dict[str, float]) -> dict[str, float]:
        for kind, rate in rates.items():
            if kind != DROP and not (kind.isdigit() and 400 <= int(kind) <= 599):
                raise ValueError(f"unknown fault {kind!r}: use an HTTP status 400-599 or 'drop'")
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault {kind}: probability {rate} is not between 0 and 1")
        if sum(rates.values()) > 1.0:
            raise ValueError("fault probabilities add up to more than 1")
        return rates

    @classmethod
    def parse(cls, spec: str) -> FaultSpec:
        rates: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            kind, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"fault {part!r} is not KIND=PROBABILITY")
            try:
                rates[kind.strip().lower()] = float(value)
            except ValueError:
                raise ValueError(f"fault {part!r}: {value!r} is not a number") from None
        return cls(rates=rates)

    def __str__(self) -> str:
        return ",".join(f"{kind}={rate}" for kind, rate in self.rates.items())


class SandboxConfig(BaseModel):
    """Everything one sandbox process needs; the CLI builds it, tests may too."""

    model_config = ConfigDict(frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8787, ge=0, le=65535)
    db: str = ":memory:"
    seed: Literal["empty", "demo"] = "empty"
    latency_ms: float = Field(default=0.0, ge=0)
    faults: FaultSpec = Field(default_factory=FaultSpec)
    fault_seed: int | None = None
    hour_seconds: float = Field(default=3600.0, gt=0)
    amplitude_api_key: str = Field(default="sandbox-api-key", min_length=1)
    amplitude_secret_key: str = Field(default="sandbox-secret-key", min_length=1)
    rudderstack_token: str = Field(default="sandbox-rudderstack-token", min_length=1)
    data_token: str = Field(default="sandbox-data-token", min_length=1)
    data_workspace: str = Field(default="Sandbox Project", min_length=1)
    data_auto_save: bool = False
    stitch_token: str = Field(default="sandbox-stitch-token", min_length=1)
    stitch_client_id: int = Field(default=4231, ge=1000, le=999_999)
