"""The benchmark corpora, scored as their READMEs say: F1 ≥ 0.95 on scrapinghub's, recall ≥ 0.85 on
Readability's test pages."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCHMARK_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "extract.py"
MIN_F1 = 0.95
MIN_READABILITY_RECALL = 0.85


def _benchmark_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extract_benchmark", BENCHMARK_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def test_scoring_matches_the_readme_definition() -> None:
    bench = _benchmark_module()

    assert bench.score_page("", "") == (1.0, 1.0, 1.0)
    assert bench.score_page("", "one two three four") == (0.0, 0.0, 0.0)
    precision, recall, f1 = bench.score_page("A b c d e", "a B c d x")
    assert (precision, recall) == (0.5, 0.5)
    assert f1 == 0.5


def test_corpus_f1(shared_dir: Path) -> None:
    bench = _benchmark_module()
    corpus = bench.load_corpus(shared_dir / "data" / "article-extraction-benchmark")
    [result] = bench.run_all({"monitor": bench.monitor_extractor}, corpus)

    assert len(corpus) == 181
    assert result.f1 >= MIN_F1, f"F1 {result.f1:.4f} P {result.precision:.4f} R {result.recall:.4f}"


def test_readability_pages_keep_their_text(shared_dir: Path) -> None:
    """Mozilla Readability's test pages: the body is found, not a fraction of it."""
    bench = _benchmark_module()
    corpus = bench.load_readability(shared_dir / "data" / "readability-test-pages")
    [result] = bench.run_all({"monitor": bench.monitor_extractor}, corpus)

    assert len(corpus) == 130
    assert result.recall >= MIN_READABILITY_RECALL, (
        f"R {result.recall:.4f} P {result.precision:.4f}"
    )
