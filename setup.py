"""Builds monitor with its extraction path compiled to C by mypyc, when it can be.

Everything else is in ``pyproject.toml``. The modules in ``COMPILED`` are the pure Python that
every fetched page runs through (the article extractor, the language check, URL
canonicalisation); compiled with their own type annotations they take 6-7 % fewer instructions
a page and give 8-10 % more pages a CPU second in ``benchmarks/extract.py``. The Python source
stays the reference: the same modules run uncompiled where no C compiler or mypy is at hand (the
build says so and goes on), and ``MONITOR_PURE_PYTHON=1`` asks for that on purpose.
``tests/conftest.py`` refuses to test a compiled module older than its source (``make test``
compiles it again first).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

# The entry point, ``monitor/extract/article.py``, stays Python: it takes anything and turns what
# is no document into ``ParseError``, where a compiled one would raise ``TypeError`` first.
# Makefile's COMPILED_SOURCES names them too (it compiles them again when they change).
COMPILED = [
    "monitor/extract/body.py",
    "monitor/extract/container.py",
    "monitor/extract/dates.py",
    "monitor/extract/elements.py",
    "monitor/extract/hints.py",
    "monitor/extract/liveblog.py",
    "monitor/extract/metadata.py",
    "monitor/extract/pagedate.py",
    "monitor/extract/reader.py",
    "monitor/extract/rules.py",
    "monitor/extract/text.py",
    "monitor/extract/textdates.py",
    "monitor/lang/confirm.py",
    "monitor/sources/urls.py",
]
# mypyc type-checks what it compiles, with its own settings rather than the project's (whose
# pydantic plugin an isolated build environment lacks); a dependency the build has no stubs of
# (such an environment holds only the build requirements) is read as untyped.
_MYPY_FLAGS = ["--config-file", os.devnull, "--ignore-missing-imports"]

# The library the compiled modules share is the top-level module ``monitor__mypyc``.
_GROUP = "monitor"
# The commands that build (pip runs setup.py for the package's metadata too, where compiling,
# a minute, would be wasted).
_BUILDS = frozenset({"build", "build_ext", "bdist_wheel", "editable_wheel", "develop", "install"})


def _say(message: str) -> None:
    print(f"monitor: {message}", file=sys.stderr)


def _pure_python(reason: str) -> list[Any]:
    """No compiled modules, and none left from an earlier build beside the sources: Python
    imports a compiled module before its source, however much newer the source is."""
    for source in COMPILED:
        for stale in Path(source).parent.glob(f"{Path(source).stem}.*.so"):
            stale.unlink()
    for stale in Path().glob(f"{_GROUP}__mypyc.*.so"):
        stale.unlink()
    _say(f"{reason}: the extractor stays pure Python")
    return []


def _compiled_extensions() -> list[Any]:
    if not _BUILDS.intersection(sys.argv[1:]):
        return []
    if os.environ.get("MONITOR_PURE_PYTHON", "").strip() not in {"", "0"}:
        return _pure_python("MONITOR_PURE_PYTHON is set")
    try:
        from mypyc.build import mypycify
    except ImportError:
        return _pure_python("mypyc is not installed")
    try:
        return list(mypycify([*_MYPY_FLAGS, *COMPILED], opt_level="3", group_name=_GROUP))
    except (Exception, SystemExit) as error:  # a type error in the compiled modules, say
        return _pure_python(f"mypyc could not compile it ({error})")


class _OptionalBuildExt(build_ext):
    """Builds the compiled modules, or none of them when the C compiler fails: each module's
    stub loads a library they share, so a part of them would not import."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:
            for extension in self.extensions:
                Path(self.get_ext_fullpath(extension.name)).unlink(missing_ok=True)
            _pure_python(f"the C compiler failed ({error})")


setup(ext_modules=_compiled_extensions(), cmdclass={"build_ext": _OptionalBuildExt})
