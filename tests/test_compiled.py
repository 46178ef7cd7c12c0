"""The extraction path compiled by mypyc (``setup.py``): all of it or none, ``make`` compiles it
again when it changes, and compiled it extracts what its Python source extracts."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "extract" / "data"
FETCHED_AT = datetime(2026, 11, 30, 12, tzinfo=UTC)
# Extracts every test page and prints the articles' reprs as JSON, saying which build ran.
EXTRACT_ALL = """
import gzip, json, sys
from datetime import datetime
from pathlib import Path
import monitor.extract.reader
from monitor.extract import extract_article
pages = sorted(Path(sys.argv[1]).rglob("*.html*"))
fetched_at = datetime.fromisoformat(sys.argv[2])
print(json.dumps({
    "compiled": not monitor.extract.reader.__file__.endswith(".py"),
    "articles": [
        repr(extract_article(
            gzip.decompress(page.read_bytes()) if page.suffix == ".gz" else page.read_bytes(),
            "https://news.example/" + page.name, fetched_at=fetched_at,
        ))
        for page in pages
    ],
}))
"""


def compiled_sources() -> list[str]:
    """The modules setup.py compiles, read from its ``COMPILED`` list."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "COMPILED" for target in node.targets
        ):
            return [str(item) for item in ast.literal_eval(node.value)]
    raise AssertionError("setup.py has no COMPILED list")


def built_modules() -> set[str]:
    return {
        source
        for source in compiled_sources()
        if any((ROOT / source).parent.glob(f"{Path(source).stem}.*.so"))
    }


def test_every_compiled_module_exists_and_make_compiles_it_again_when_it_changes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = re.search(r"^COMPILED_SOURCES := (.*)$", makefile, re.MULTILINE)
    assert line is not None
    patterns = re.sub(r"\$\(wildcard ([^)]*)\)", r"\1", line[1]).split()
    watched = {str(path.relative_to(ROOT)) for pattern in patterns for path in ROOT.glob(pattern)}
    sources = compiled_sources()
    assert sources
    for source in sources:
        assert (ROOT / source).is_file(), source
        assert source in watched, f"make would not compile {source} again when it changes"
    assert "monitor/extract/article.py" not in sources  # the entry point takes any input


def test_the_modules_are_compiled_all_or_none() -> None:
    built = built_modules()
    shared = list(ROOT.glob("monitor__mypyc.*.so"))
    assert built in (set(), set(compiled_sources())), sorted(built)
    assert bool(shared) == bool(built)


def extract_all(cwd: Path, environment: dict[str, str]) -> dict[str, object]:
    """``EXTRACT_ALL``'s answer, run in a fresh interpreter in ``cwd`` with ``environment``."""
    ran = subprocess.run(
        [sys.executable, "-c", EXTRACT_ALL, str(PAGES), FETCHED_AT.isoformat()],
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
        cwd=cwd,
        env=environment,
    )
    answer: dict[str, object] = json.loads(ran.stdout)
    return answer


def test_compiled_extracts_what_the_python_source_extracts(tmp_path: Path) -> None:
    if not built_modules():
        pytest.skip("monitor is installed as pure Python here (no C compiler or mypyc)")
    # The sources alone, first on the path: the Python the compiled modules were made from.
    shutil.copytree(
        ROOT / "monitor", tmp_path / "monitor", ignore=shutil.ignore_patterns("*.so", "__pycache__")
    )
    python = extract_all(tmp_path, {**os.environ, "PYTHONPATH": str(tmp_path)})
    compiled = extract_all(ROOT, dict(os.environ))
    assert python["compiled"] is False
    assert compiled["compiled"] is True
    assert len(sorted(PAGES.rglob("*.html*"))) >= 10
    assert compiled["articles"] == python["articles"]
