"""Analytics tracking plans as Pulumi dynamic resources, with a local vendor sandbox."""

__version__ = "0.1.0"
