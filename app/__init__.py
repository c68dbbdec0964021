"""Docker Interview Mentor."""

__version__ = "0.1.0"
