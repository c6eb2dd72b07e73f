"""The slo spec language: native `slo/v1`, OpenSLO v1 and Sloth `prometheus/v1` into one model."""
