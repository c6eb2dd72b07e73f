"""The built wheel installed into a fresh virtual environment works like a released tool: the
`slo` entry point, the version, the packaged example specs and snapshot (so `slo validate`,
`slo check --from` and `slo demo` work away from a clone), and the same results as the source
tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from slo_cli import __version__
from tests.install.conftest import ROOT, Venv


def run(venv: Venv, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLO_", "NO_COLOR"))}
    env["PATH"] = f"{venv.bin}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [venv.slo, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_wheel_holds_the_packages_the_entry_point_and_the_examples(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "slo_cli/cli/app.py" in names and "slo_specs/schema/slo-v1.schema.json" in names
    assert "slo_cli/render/schema/check-v1.schema.json" in names
    examples = {n for n in names if n.startswith("slo_cli/examples/")}
    repo = {
        "slo_cli/examples/" + p.relative_to(ROOT / "examples").as_posix()
        for p in (ROOT / "examples").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert examples == repo
    assert not any(n.startswith("tests/") for n in names)
    meta = zipfile.ZipFile(wheel).read(f"slo-{__version__}.dist-info/entry_points.txt").decode()
    assert "slo = slo_cli.cli.app:run" in meta


def test_installed_slo_runs_from_its_own_site_packages(installed: Venv, tmp_path: Path) -> None:
    where = subprocess.run(
        [installed.python, "-c", "import slo_cli, slo_specs; print(slo_cli.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(installed.root), where
    version = run(installed, "--version", cwd=tmp_path)
    assert (version.returncode, version.stdout) == (0, f"slo {__version__}\n")


def test_packaged_examples_validate_and_check_offline(installed: Venv, tmp_path: Path) -> None:
    found = run(installed, "examples", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    examples = Path(found.stdout.strip())
    assert examples.is_relative_to(installed.root) and (examples / "snapshot.json").is_file()

    valid = run(installed, "validate", str(examples), cwd=tmp_path)
    assert valid.returncode == 0, valid.stdout
    assert "file(s) valid: 7 service(s), 15 SLO(s), 2 composite(s)" in valid.stdout, valid.stdout

    snapshot = str(examples / "snapshot.json")
    checked = run(installed, "check", str(examples), "--from", snapshot, "-f", "json", cwd=tmp_path)
    # the examples hold an exhausted budget and a paging SLO: the gate fails (1)
    assert checked.returncode == 1, checked.stderr
    got = json.loads(checked.stdout)
    # the same answers as the source tree's run on the same snapshot
    here = subprocess.run(
        [str(Path(sys.executable).parent / "slo"), "check", "examples/", "--from",
         "examples/snapshot.json", "-f", "json"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert here.returncode == 1

    def strip(doc: dict) -> list[dict]:
        """The records without where the spec files are (spec_path, adjustments' origin)."""
        out = []
        for s in doc["slos"]:
            rec = {k: v for k, v in s.items() if k != "spec_path"}
            for applied in rec.get("adjustments", {}).get("applied", []):
                applied["origin"] = applied["origin"].rpartition("examples/")[2]
            out.append(rec)
        return out

    assert strip(got) == strip(json.loads(here.stdout))
    statuses = {s["key"]: s["status"] for s in got["slos"]}
    assert statuses["auth/availability"] == "CRITICAL"
    assert statuses["legacy-reports/availability"] == "NO_DATA"


def test_demo_and_copying_the_examples(installed: Venv, tmp_path: Path) -> None:
    demo = run(installed, "demo", "--no-color", cwd=tmp_path)
    assert demo.returncode == 1, demo.stderr
    assert demo.stderr.startswith("slo demo: slo check "), demo.stderr
    assert "17 SLOs in 7 services" in demo.stdout and "✗ crit" in demo.stdout

    copied = run(installed, "examples", "mine", cwd=tmp_path)
    assert copied.returncode == 0, copied.stderr
    assert (tmp_path / "mine" / "checkout.yaml").is_file()
    assert (tmp_path / "mine" / "ci" / ".github" / "workflows" / "slo-gate.yml").is_file()
    again = run(installed, "examples", "mine", cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr == (
        "slo: error: mine: exists and is not an empty directory (nothing copied)\n"
    )
    valid = run(installed, "validate", "mine", cwd=tmp_path)
    assert valid.returncode == 0, valid.stdout
