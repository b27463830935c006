"""Photo-elicitation gallery generator: publishes consented research photos safely."""

__version__ = "0.5.0"
