"""`slo report`: error-budget reports for people over a period (week, month, quarter, N days).

Layers (docs/design.md §5): `period` turns ``--period``/``--timezone``/``--at`` into the report's
period and the one before it; `build` plans one bin grid, fetches counts through a `Source`, runs
the engine for each SLO's status at the period's end and `compute` for the period's own figures;
`model` holds the result (frozen, plain numbers, unrounded). `slo_cli.render.report_*` turn it
into Markdown, HTML, JSON and CSV; nothing here prints or rounds.
"""
