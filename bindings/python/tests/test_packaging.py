"""Packaging: the offline build, and a wheel that carries the C library and finds it first."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import run_python


def _copy_source(source_dir: Path, dest: Path) -> Path:
    src = dest / "src"
    shutil.copytree(source_dir / "bindings" / "python", src,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__",
                                                  ".pytest_cache"))
    return src


def _wheel(src: Path, out: Path, bundle: str = "") -> Path:
    env = dict(os.environ)
    env.pop("MEDTONE_BUNDLE_LIBRARY", None)
    if bundle:
        env["MEDTONE_BUNDLE_LIBRARY"] = bundle
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation",
                    "--no-deps", "--no-index", "-w", str(out), str(src)],
                   check=True, env=env, cwd=str(src.parent), timeout=300)
    (whl,) = out.glob("medtone-*.whl")
    return whl


def test_pure_wheel_has_no_library(source_dir: Path, tmp_path: Path) -> None:
    whl = _wheel(_copy_source(source_dir, tmp_path), tmp_path / "out")
    assert whl.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(whl).namelist()
    assert "medtone/py.typed" in names and "medtone/reputation.py" in names
    assert not any("/_lib/" in n for n in names)


def test_bundled_library_is_found_without_MEDTONE_LIBRARY(source_dir: Path, tmp_path: Path,
                                                          library_path: str) -> None:
    whl = _wheel(_copy_source(source_dir, tmp_path), tmp_path / "out", bundle=library_path)
    assert "-py3-none-linux_" in whl.name  # machine code inside: a platform wheel
    with zipfile.ZipFile(whl) as z:
        assert z.read("medtone/_lib/libmedtone.so.0") == Path(library_path).read_bytes()
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--target", str(target), str(whl)], check=True, timeout=300)
    p = run_python("import medtone\n"
                   "print(medtone.library_path())\n"
                   "print(medtone.Analyzer().analyze('great care!').label)\n",
                   env={"PYTHONPATH": str(target)}, unset=("MEDTONE_LIBRARY",))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == str(target / "medtone" / "_lib" / "libmedtone.so.0")
    assert lines[1] == "positive"
    # MEDTONE_LIBRARY still wins over the copy inside
    p = run_python("import medtone; print(medtone.library_path())",
                   env={"PYTHONPATH": str(target), "MEDTONE_LIBRARY": library_path})
    assert p.stdout.strip() == os.path.abspath(library_path)


def test_missing_bundle_file_fails_the_build(source_dir: Path, tmp_path: Path) -> None:
    src = _copy_source(source_dir, tmp_path)
    env = dict(os.environ, MEDTONE_BUNDLE_LIBRARY=str(tmp_path / "nope.so"))
    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation",
                        "--no-deps", "--no-index", "-w", str(tmp_path / "out"), str(src)],
                       env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode != 0
    assert "MEDTONE_BUNDLE_LIBRARY" in p.stdout + p.stderr
