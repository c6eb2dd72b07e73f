"""The judging thresholds' defaults: the one definition (stdlib; `slo_cli.results` and the
engine's `Policy` both read them)."""

#: below this share of the error budget left, the status is (at least) WARNING
WARN_REMAINING = 0.25
#: below this share of the SLO window with data, the status is NO_DATA (the default of the
#: spec's `min_coverage` and of `--min-coverage`)
MIN_COVERAGE = 0.5
