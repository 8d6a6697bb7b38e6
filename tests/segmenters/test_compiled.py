"""The compiled segmenter is built by ``pip install`` and is optional.

Where a C compiler is at hand the wheel carries ``_longest_match``; without one the
build still succeeds and the dictionary segmenter runs in pure Python (whose results
the compiled module must equal: ``tests/test_fast_paths.py``).
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

from newscat.segmenters import dictionary

ROOT = Path(__file__).resolve().parents[2]
COMPILED = "newscat/segmenters/_longest_match."


def _compiler() -> str | None:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(compiler)


def _wheel_names(folder: Path, **env: str) -> set[str]:
    """The files of a wheel built from a copy of the sources (no build folder or module
    left by an earlier build)."""
    source = folder / "source"
    source.mkdir()
    for part in ("pyproject.toml", "README.md"):
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


def test_compiled_module_is_built_where_a_compiler_is_at_hand():
    if _compiler() is None:
        pytest.skip("no C compiler here: the pure-Python fallback is used")
    assert dictionary._compiled is not None, "pip install should have built _longest_match"


@pytest.mark.slow
def test_wheel_carries_the_compiled_module_but_not_its_source(tmp_path):
    if _compiler() is None:
        pytest.skip("no C compiler here")
    names = _wheel_names(tmp_path)
    assert any(name.startswith(COMPILED) and name.endswith((".so", ".pyd")) for name in names)
    assert COMPILED + "c" not in names


@pytest.mark.slow
def test_a_machine_without_a_compiler_still_builds_the_package(tmp_path):
    names = _wheel_names(tmp_path, CC="false")  # every compiler call fails
    assert not any(name.startswith(COMPILED) for name in names)
    assert "newscat/segmenters/dictionary.py" in names
