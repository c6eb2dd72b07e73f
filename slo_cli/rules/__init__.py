"""Prometheus rules from the same specs `slo check` evaluates (docs/rules.md).

`build.build(specs, Options(...))` gives format-free rule groups (one per SLO: exact per-interval
event counts, burn rates per alert window, the budget left, and the SLO's own burn-rate alerts);
`render.render(groups, format)` writes them as a Prometheus rule file, a PrometheusRule
resource or a Mimir ruler namespace file. `slo_cli.cli.rules` only assembles the two.
"""
