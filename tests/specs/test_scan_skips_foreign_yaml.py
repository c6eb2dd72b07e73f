"""The default path scan in a real repository: YAML files a directory scan finds that are clearly
not SLO specs (a docker-compose file, Kubernetes manifests) are skipped with a note instead of
failing the run (exit 2 before); `slo validate --strict` still refuses them; a file named on
the command line, or a YAML file that looks like an attempted spec, is still an error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.clirun import slo as run_slo

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = 'version: "3.8"\nservices:\n  web:\n    image: nginx\n'
DEPLOY = "apiVersion: apps/v1\nkind: Deployment\n---\napiVersion: v1\nkind: Service\n"


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "slos").mkdir()
    for name in ("checkout.yaml", "payments.yaml"):
        shutil.copy(ROOT / "examples" / name, tmp_path / "slos" / name)
    (tmp_path / "docker-compose.yaml").write_text(COMPOSE)
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deploy.yaml").write_text(DEPLOY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_validate_skips_them_with_a_note(repo: Path) -> None:
    run = run_slo("validate")
    assert run.code == 0, run.stdout
    assert run.stdout.splitlines() == [
        "docker-compose.yaml: note: not an SLO spec (version '3.8'): skipped",
        "k8s/deploy.yaml: note: not an SLO spec (apiVersion 'apps/v1', apiVersion 'v1'): skipped",
        "2 file(s) valid: 2 service(s), 3 SLO(s); 2 file(s) skipped, not SLO specs "
        "(--strict refuses them)",
    ]
    doc = json.loads(run_slo("validate", "-f", "json").stdout)
    assert [s["path"] for s in doc["skipped"]] == ["docker-compose.yaml", "k8s/deploy.yaml"]


def test_strict_refuses_them(repo: Path) -> None:
    run = run_slo("validate", "--strict")
    assert run.code == 2
    assert run.stdout.splitlines()[0].startswith("docker-compose.yaml:1:10: version: unknown")
    assert "k8s/deploy.yaml:1:13: apiVersion: not an SLO spec" in run.stdout


def test_check_runs_in_the_repo_root_with_a_note_on_stderr(repo: Path) -> None:
    snapshot = str(ROOT / "examples" / "snapshot.json")
    run = run_slo("check", "--from", snapshot, "-f", "json")
    assert run.code == 1, run.stderr  # payments pages: the gate, not a usage error
    assert len(json.loads(run.stdout)["slos"]) == 3
    assert run.stderr == (
        "slo: note: skipped 2 file(s) that are not SLO specs: docker-compose.yaml, "
        "k8s/deploy.yaml (`slo validate --strict` lists them as errors)\n"
    )


def test_named_files_and_attempted_specs_stay_errors(repo: Path) -> None:
    assert run_slo("validate", "docker-compose.yaml").code == 2
    (repo / "slos" / "typo.yaml").write_text("version: slo/v2\nservice: x\nslos: []\n")
    run = run_slo("validate")
    assert run.code == 2 and "slos/typo.yaml:1:10: version: unknown version" in run.stdout
