"""``make run`` / ``make test`` say what they are doing while the first install runs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("target", ["test", "run"])
def test_the_first_install_says_what_it_does(tmp_path: Path, target: str) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv = tmp_path / "venv"
    plan = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target, f"VENV={venv}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    installs = [
        n for n, line in enumerate(plan) if "pip install" in line and not line.startswith("echo")
    ]
    assert installs
    for index in installs:  # every silent pip install is announced by the line before it
        assert plan[index - 1].startswith("echo "), plan
    assert any("once only" in line or "first run" in line for line in plan)
