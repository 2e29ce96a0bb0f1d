"""Shared fixtures of the binding's tests.

The tests run against the library named by MEDTONE_LIBRARY (tests/python/run_pytest.sh sets it
to the build tree's copy) and read fixtures from the source tree (MEDTONE_SOURCE_DIR, or found
from this file's place in the tree).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

import medtone

HERE = Path(__file__).resolve().parent


def _source_dir() -> Path:
    env = os.environ.get("MEDTONE_SOURCE_DIR")
    if env:
        return Path(env)
    return HERE.parents[2]  # bindings/python/tests -> the repository


SOURCE_DIR = _source_dir()
TEST_DATA = SOURCE_DIR / "tests" / "data"


@pytest.fixture(scope="session")
def library_path() -> str:
    """The libmedtone under test."""
    path = os.environ.get("MEDTONE_LIBRARY")
    assert path, "set MEDTONE_LIBRARY to the libmedtone.so.0 under test (run_pytest.sh does)"
    assert medtone.library_path() is not None
    return path


@pytest.fixture(scope="session")
def source_dir() -> Path:
    assert (SOURCE_DIR / "include" / "medtone.h").exists(), SOURCE_DIR
    return SOURCE_DIR


@pytest.fixture(scope="session")
def test_data() -> Path:
    return TEST_DATA


def probe_texts() -> List[str]:
    """Varied real-world-like texts from the repository: the flag probe tables and the sample
    posts (every flag fires somewhere in them)."""
    texts: List[str] = []
    for f in sorted((TEST_DATA / "probes").glob("*.tsv")):
        with open(f, encoding="utf-8") as fh:
            head = fh.readline().rstrip("\n").split("\t")
            col = head.index("text")
            texts += [line.rstrip("\n").split("\t")[col] for line in fh if line.strip()]
    with open(SOURCE_DIR / "examples" / "data" / "posts.jsonl", encoding="utf-8") as fh:
        texts += [json.loads(line)["text"] for line in fh if line.strip()]
    return texts


@pytest.fixture(scope="session")
def corpus() -> List[str]:
    texts = probe_texts()
    assert len(texts) > 500
    return texts


@pytest.fixture()
def analyzer():
    with medtone.Analyzer() as an:
        yield an


def run_python(code: str, env: Optional[Dict[str, str]] = None,
               unset: tuple = ()) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter (this venv's), for tests of what happens at import."""
    e = dict(os.environ)
    for k in unset:
        e.pop(k, None)
    if env:
        e.update(env)
    return subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True,
                          timeout=120)
