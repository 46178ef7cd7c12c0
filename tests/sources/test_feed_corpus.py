"""feedparser's own test corpus and the realistic benchmark feeds, compared with feedparser.

The comparison code lives in ``benchmarks/feeds.py`` (one definition of "agree" for the benchmark
and for these tests); it is loaded from its path since ``benchmarks`` is not a package.
"""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "feeds.py"


@pytest.fixture(scope="module")
def feed_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("feed_benchmark", BENCHMARK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


def test_feedparser_corpus_no_crash_and_agreement(
    shared_dir: Path, feed_benchmark: ModuleType
) -> None:
    report = feed_benchmark.run_corpus(shared_dir / "data" / "feedparser-tests")
    assert report.documents == 2107
    assert report.crashes == []
    assert report.well_formed > 1700
    assert report.agreement >= 0.99, report.disagreements


def test_realistic_feeds_agree_with_feedparser_on_every_entry(feed_benchmark: ModuleType) -> None:
    for name, body, url in feed_benchmark.realistic_feeds():
        assert feed_benchmark.compare_realistic(name, body, url) == []
