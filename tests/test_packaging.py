"""What an installed copy needs: the bundled article inside the package, a wheel that
runs, an editable install that type checkers find."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import ARTICLE, ROOT


def test_the_package_carries_the_bundled_article_unchanged():
    assert (ROOT / "indexer" / "data" / ARTICLE.name).read_bytes() == ARTICLE.read_bytes()


def _run(*argv: str | Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
    )
    return done


def _venv(place: Path) -> Path:
    """A new virtual environment that sees this one's packages after its own (the
    dependencies, without installing them again); returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(place)], check=True)
    python = place / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    own = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=place)
    ours = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    (Path(own.stdout.strip()) / "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return python


def _source_copy(place: Path) -> Path:
    """The files a build reads, outside the work tree (a build writes beside them)."""
    place.mkdir()
    shutil.copy(ROOT / "pyproject.toml", place / "pyproject.toml")
    shutil.copy(ROOT / "README.md", place / "README.md")
    shutil.copytree(
        ROOT / "indexer", place / "indexer", ignore=shutil.ignore_patterns("__pycache__")
    )
    return place


def _pip(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = _run(sys.executable, "-m", "pip", *args, cwd=cwd)
    if done.returncode and "satisfies the requirement setuptools" in done.stdout + done.stderr:
        pytest.skip("the build needs setuptools from a package index, which is not reachable")
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _mypy_finds_the_package(python: Path, place: Path) -> None:
    (place / "uses.py").write_text(
        "import indexer\n\nresults: indexer.SearchResults = indexer.Index('x').search('мир')\n"
    )
    checked = _run(python, "-m", "mypy", "--no-incremental", "uses.py", cwd=place)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.slow
def test_a_wheel_installs_and_searches_its_own_article(tmp_path: Path):
    source = _source_copy(tmp_path / "source")
    _pip("wheel", "--no-deps", "-w", tmp_path / "wheels", source, cwd=tmp_path)
    python = _venv(tmp_path / "venv")
    wheels = list((tmp_path / "wheels").glob("indexer-*.whl"))
    _pip("--python", python, "install", "--no-deps", "--no-index", *wheels, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache = str(tmp_path / "cache")
    poisk = python.parent / ("poisk.exe" if os.name == "nt" else "poisk")
    done = _run(poisk, "переговоры", "--json", cwd=elsewhere, XDG_CACHE_HOME=cache)
    assert done.returncode == 0, done.stderr
    assert f"indexer{os.sep}data{os.sep}{ARTICLE.name}" in done.stdout
    assert "site-packages" in done.stdout
    module = _run(
        python, "-m", "indexer", "переговоры", "--total", cwd=elsewhere, XDG_CACHE_HOME=cache
    )
    assert (module.returncode, module.stdout) == (0, "2\n"), module.stderr
    _mypy_finds_the_package(python, elsewhere)


@pytest.mark.slow
def test_an_editable_install_is_found_by_mypy(tmp_path: Path):
    source = _source_copy(tmp_path / "source")
    python = _venv(tmp_path / "venv")
    _pip("--python", python, "install", "--no-deps", "-e", source, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _mypy_finds_the_package(python, elsewhere)
