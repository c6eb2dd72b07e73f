"""Record `examples/snapshot.json`: generate the examples' history, load it into a real
Prometheus, and record what `slo check examples/` and `slo report examples/ --period 7d` /
`--period week` need with `slo snapshot --at … --period 7d --period week`.

    .venv/bin/python scripts/record_examples.py [--out examples/snapshot.json] [--keep-server]

Needs `prometheus` and `promtool` (apt-get install -y prometheus). The history is described in
tests/check/example_data.py; the snapshot is evaluated at its instant (2026-11-20T12:00:00Z), so
`slo check examples/ --from examples/snapshot.json` needs no --at (nor does `slo report … --from
examples/snapshot.json --period 7d`, which reports the 7 days to that instant).
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.check.example_data import AT, SNAPSHOT_DAYS, build  # noqa: E402
from tests.promserver import start_prometheus  # noqa: E402

#: the report periods recorded as well (time zone UTC), the ones the README shows
PERIODS = ("7d", "week")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "examples" / "snapshot.json"))
    parser.add_argument("--examples", default=str(ROOT / "examples"))
    parser.add_argument(
        "--keep-server", action="store_true", help="leave Prometheus running (prints its URL)"
    )
    args = parser.parse_args()

    t0 = time.monotonic()
    data = build(days=SNAPSHOT_DAYS)
    text = data.dataset.openmetrics()
    print(f"generated {len(text.splitlines()):,} samples in {time.monotonic() - t0:.1f} s")
    with tempfile.TemporaryDirectory(prefix="slo-examples-") as tmp:
        t0 = time.monotonic()
        server = start_prometheus(text, tmp, timeout=300)
        print(f"prometheus ready at {server.url} in {time.monotonic() - t0:.1f} s")
        try:
            slo = Path(sys.executable).parent / "slo"
            cmd = [
                str(slo),
                "snapshot",
                args.examples,
                "--out",
                args.out,
                "--at",
                str(int(AT)),
                *(a for p in PERIODS for a in ("--period", p)),
                "--prometheus-url",
                server.url,
            ]
            done = subprocess.run(cmd, check=False)
            if done.returncode != 0:
                print(f"slo snapshot failed with exit code {done.returncode}", file=sys.stderr)
                return done.returncode
            size = Path(args.out).stat().st_size
            print(f"wrote {args.out} ({size / 1e6:.2f} MB)")
            if args.keep_server:
                print(f"server left running: {server.url} (pid {server.pid}); Ctrl-C stops it")
                with contextlib.suppress(KeyboardInterrupt):
                    server.process.wait()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
