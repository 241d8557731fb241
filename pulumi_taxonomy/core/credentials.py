"""Where settings come from, in order: the resource's `connection` input (a secret),
then the stack configuration (handed to the provider in `configure`), then the
environment. Values are never logged nor put in error text.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from pulumi_taxonomy.core.errors import ConfigurationError

_stack_config: dict[str, Any] = {}
_lock = threading.Lock()


def remember_stack_config(config: Any) -> None:
    """Called from `configure`: keep the stack's config for this process.

    Kept here, not on the provider instance, so it can never be pickled into
    `__provider` (the provider server has one stack, so one config).
    """
    with _lock:
        _stack_config.clear()
        raw = getattr(config, "_props", None)
        project = getattr(config, "_project_name", "")
        if isinstance(raw, Mapping):
            for key, value in raw.items():
                short = key.split(":", 1)[1] if key.startswith(f"{project}:") else key
                _stack_config[short] = value
                _stack_config[key] = value


def stack_setting(key: str) -> Any:
    with _lock:
        return _stack_config.get(key)


Setting = tuple[str, str, str]
"""One setting's three places: (`connection` field, stack config key, environment variable)."""


def any_set(connection: BaseModel | Mapping[str, Any] | None, settings: Iterable[Setting]) -> bool:
    """Whether any of `settings` has a value (`pulumi-taxonomy doctor`: is a vendor configured?)."""
    return any(resolve(connection, *setting) is not None for setting in settings)


def resolve(
    connection: BaseModel | Mapping[str, Any] | None, field: str, config_key: str, env_key: str
) -> str | None:
    """One setting: `connection[field]` > stack config `config_key` > `$env_key`."""
    if isinstance(connection, BaseModel):
        value = getattr(connection, field, None)
    else:
        value = connection.get(field) if connection else None
    if value not in (None, ""):
        return str(value)
    value = stack_setting(config_key)
    if value not in (None, ""):
        return str(value)
    env = os.environ.get(env_key)
    return env if env else None


def region_url(
    connection: BaseModel | Mapping[str, Any] | None,
    vendor: str,
    config_key: str,
    env_key: str,
    urls: Mapping[str, str],
) -> str:
    """The vendor's host for the region setting (default "us"), or a clear error."""
    region = (resolve(connection, "region", config_key, env_key) or "us").lower()
    if region not in urls:
        choices = " or ".join(f'"{r}"' for r in urls)
        raise ConfigurationError(f"{vendor} region must be {choices}, not {region!r}.")
    return urls[region]
