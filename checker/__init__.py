"""safetycase: check an AI model's safety case against alignment-faking governance requirements."""

__version__ = "0.1.0"

__all__ = ["__version__"]
