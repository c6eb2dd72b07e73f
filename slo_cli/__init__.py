"""slo: an SLO error-budget calculator for Prometheus."""

__version__ = "0.1.0"
