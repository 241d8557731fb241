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
    found = _lookup(connection, field, config_key, env_key)
    return found[0] if found else None


def secret(
    connection: BaseModel | Mapping[str, Any] | None, field: str, config_key: str, env_key: str
) -> str | None:
    """A credential, as `resolve` finds it, refused when it cannot be one: a key or token
    is printable ASCII without spaces. A value pasted with its newline would otherwise
    fail in the HTTP library, whose error quotes the header, secret included; the error
    here names where the value came from, never the value."""
    found = _lookup(connection, field, config_key, env_key)
    if found is None:
        return None
    value, where = found
    flaw = _credential_flaw(value)
    if flaw:
        raise ConfigurationError(
            f"{where} {flaw}: a key or token is printable ASCII without spaces. Set it again without "
            "them (a secret pasted with its newline, or quoted, is a common cause)."
        )
    return value


def _credential_flaw(value: str) -> str:
    if value != value.strip():
        return "starts or ends with whitespace (a newline?)"
    if any(c.isspace() for c in value):
        return "holds whitespace"
    if not value.isascii():
        return "holds a non-ASCII character"
    if not value.isprintable():
        return "holds a control character"
    return ""


def _lookup(
    connection: BaseModel | Mapping[str, Any] | None, field: str, config_key: str, env_key: str
) -> tuple[str, str] | None:
    """The setting's value and where it came from (for errors, which never show values)."""
    if isinstance(connection, BaseModel):
        value = getattr(connection, field, None)
    else:
        value = connection.get(field) if connection else None
    if value not in (None, ""):
        return str(value), f"the connection's {field}"
    value = stack_setting(config_key)
    if value not in (None, ""):
        return str(value), f"the stack config {config_key}"
    env = os.environ.get(env_key)
    return (env, f"the environment variable {env_key}") if env else None


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
