"""The compiled modules are built by ``pip install`` and are optional.

Where a C compiler is at hand the wheel carries the dictionary segmenter's
``_longest_match``, the domain checks' ``_domain_counts``, the TF-IDF step's
``_token_ids`` and ``_term_counts`` and the neighbour votes' ``_nearest``; without one
the build still succeeds and the same functions run in pure Python or numpy (whose
results the compiled modules must equal: ``tests/test_fast_paths.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from newscat.classifier import domain, neighbours, tfidf, token_ids
from newscat.segmenters import dictionary

ROOT = Path(__file__).resolve().parents[1]
MODULES = {
    "newscat/segmenters/_longest_match": dictionary,
    "newscat/classifier/_domain_counts": domain,
    "newscat/classifier/_token_ids": token_ids,
    "newscat/classifier/_term_counts": tfidf,
    "newscat/classifier/_nearest": neighbours,
}


def _compiler() -> str | None:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(compiler)


def _wheel_names(folder: Path, **env: str) -> set[str]:
    """The files of a wheel built from a copy of the sources (no build folder or module
    left by an earlier build)."""
    source = folder / "source"
    source.mkdir()
    for part in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / part, source / part)
    ignore = shutil.ignore_patterns("*.so", "*.pyd", "__pycache__", "*.egg-info")
    for part in ("src", "models"):
        shutil.copytree(ROOT / part, source / part, ignore=ignore)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder), str(source)],
        check=True,
        capture_output=True,
        env={**os.environ, **env},
    )
    (wheel,) = folder.glob("newscat-*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def _compiled_in(names: set[str], module: str) -> bool:
    return any(name.startswith(module + ".") and name.endswith((".so", ".pyd")) for name in names)


@pytest.mark.parametrize("module", MODULES)
def test_compiled_modules_are_built_where_a_compiler_is_at_hand(module):
    if _compiler() is None:
        pytest.skip("no C compiler here: the pure-Python fallback is used")
    assert MODULES[module]._compiled is not None, f"pip install should have built {module}"


@pytest.mark.slow
def test_wheel_carries_the_compiled_modules_but_not_their_sources(tmp_path):
    if _compiler() is None:
        pytest.skip("no C compiler here")
    names = _wheel_names(tmp_path)
    for module in MODULES:
        assert _compiled_in(names, module)
        assert module + ".c" not in names
    assert "newscat/_str_table.h" not in names  # the header two of them share


@pytest.mark.slow
def test_a_machine_without_a_compiler_still_builds_the_package(tmp_path):
    names = _wheel_names(tmp_path, CC="false")  # every compiler call fails
    assert not any(_compiled_in(names, module) for module in MODULES)
    fallbacks = {module.__name__.replace(".", "/") + ".py" for module in MODULES.values()}
    assert fallbacks <= names
