"""sitegen: a static site generator for council meetings and decisions."""

__version__ = "0.1.0"
