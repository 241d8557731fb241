"""Vendor-style ids: a prefix and a 27-character KSUID (time-sortable, base62)."""

from __future__ import annotations

import os
import time

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
KSUID_EPOCH = 1_400_000_000


def ksuid() -> str:
    payload = int(time.time() - KSUID_EPOCH).to_bytes(4, "big") + os.urandom(16)
    number = int.from_bytes(payload, "big")
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(BASE62[rest])
    return "".join(reversed(digits)).rjust(27, "0")


def prefixed(prefix: str) -> str:
    return f"{prefix}_{ksuid()}"
