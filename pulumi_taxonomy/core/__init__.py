"""Machinery every vendor shares: HTTP with retries, cost limits, credentials, the
provider base. Nothing in here names a vendor."""
