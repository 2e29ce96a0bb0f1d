"""Finding and checking libmedtone: the search order, the errors when it goes wrong, the version
check, and the ctypes declarations against the C headers."""
from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

import medtone
from medtone import _capi

from conftest import run_python

FAKE_C = r"""
unsigned medtone_version(void) { return VERSION; }
const char *medtone_version_string(void) { return VERSION_STRING; }
"""


def compile_fake(tmp_path: Path, version: int, version_string: str) -> Path:
    """A shared library that exports only the version functions."""
    src = tmp_path / "fake.c"
    src.write_text(FAKE_C)
    out = tmp_path / f"libfake{version}.so"
    subprocess.run(["cc", "-shared", "-fPIC", f"-DVERSION={version}u",
                    f'-DVERSION_STRING="{version_string}"', "-o", str(out), str(src)],
                   check=True)
    return out


# -- where the library comes from ----------------------------------------------------------------

def test_import_loaded_the_library_named_by_MEDTONE_LIBRARY(library_path: str) -> None:
    assert os.path.samefile(medtone.library_path(), library_path)
    assert re.fullmatch(r"\d+\.\d+\.\d+", medtone.version())


def test_binding_and_project_versions_agree(source_dir: Path) -> None:
    text = (source_dir / "CMakeLists.txt").read_text()
    m = re.search(r"project\(medtone VERSION (\d+\.\d+\.\d+)", text)
    assert m, "no project version in CMakeLists.txt"
    assert medtone.__version__ == m.group(1)
    major = int(m.group(1).split(".")[0])
    assert major == medtone.SUPPORTED_MAJOR
    L = _capi.lib()
    assert L.version // 10000 == medtone.SUPPORTED_MAJOR
    assert L.version >= medtone.MIN_VERSION


def test_bad_MEDTONE_LIBRARY_fails_the_import_and_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "libmedtone.so.0"
    p = run_python("import medtone", env={"MEDTONE_LIBRARY": str(missing)})
    assert p.returncode != 0
    assert "LibraryNotFoundError" in p.stderr
    assert "MEDTONE_LIBRARY" in p.stderr and str(missing) in p.stderr


def test_explicit_missing_path_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "libmedtone.so.0"
    p = run_python(
        "import medtone\n"
        f"try:\n    medtone.load_library({str(missing)!r})\n"
        "except medtone.LibraryNotFoundError as e:\n    print('ERR', e)\n"
        "print('still', medtone.library_path() is not None)\n")
    assert p.returncode == 0, p.stderr
    assert "ERR cannot load libmedtone; tried:" in p.stdout
    assert str(missing) in p.stdout and "load_library()" in p.stdout
    assert "still True" in p.stdout  # the library loaded at import stays


NO_SYSTEM_LIBRARY = """
import ctypes, ctypes.util
ctypes.util.find_library = lambda name: None
class _NoSystemCopy(ctypes.CDLL):
    def __init__(self, name, *args, **kwargs):
        if name == "libmedtone.so.0":
            raise OSError("libmedtone.so.0: cannot open shared object file (test)")
        super().__init__(name, *args, **kwargs)
ctypes.CDLL = _NoSystemCopy
"""


def test_found_nowhere_import_works_and_first_use_lists_every_attempt(library_path: str) -> None:
    p = run_python(
        NO_SYSTEM_LIBRARY +
        "import medtone\n"
        "print('imported', medtone.library_path())\n"
        "try:\n    medtone.Analyzer()\n"
        "except medtone.LibraryNotFoundError as e:\n    print('ERR', e)\n"
        f"medtone.load_library({library_path!r})\n"
        "print('then', medtone.Analyzer().analyze('great care!').label)\n",
        unset=("MEDTONE_LIBRARY",))
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "imported None" in out
    assert "the copy inside the package" in out
    assert "find_library('medtone')" in out
    assert "the system loader: libmedtone.so.0" in out
    assert "MEDTONE_LIBRARY" in out and "load_library(path)" in out  # the hint
    assert "then positive" in out


def test_explicit_path_replaces_the_import_time_library_until_first_use(
        library_path: str, tmp_path: Path) -> None:
    copy = tmp_path / "copy" / "libmedtone.so.0"
    copy.parent.mkdir()
    shutil.copyfile(os.path.realpath(library_path), copy)
    p = run_python(
        "import medtone\n"
        f"medtone.load_library({str(copy)!r})\n"
        "print('now', medtone.library_path())\n"
        "medtone.Analyzer().close()\n"
        f"try:\n    medtone.load_library({library_path!r})\n"
        "except medtone.MedtoneError as e:\n    print('ERR', e)\n")
    assert p.returncode == 0, p.stderr
    assert f"now {copy}" in p.stdout
    assert "ERR libmedtone is already in use" in p.stdout


@pytest.mark.parametrize("version,text", [(10000, "1.0.0"), (5, "0.0.5")])
def test_unsupported_version_is_refused(tmp_path: Path, version: int, text: str) -> None:
    fake = compile_fake(tmp_path, version, text)
    p = run_python("import medtone", env={"MEDTONE_LIBRARY": str(fake)})
    assert p.returncode != 0
    assert "VersionError" in p.stderr
    assert f"libmedtone {text}" in p.stderr and str(fake) in p.stderr


def test_library_without_the_api_is_refused(tmp_path: Path) -> None:
    fake = compile_fake(tmp_path, medtone.MIN_VERSION, "0.1.0")
    p = run_python("import medtone", env={"MEDTONE_LIBRARY": str(fake)})
    assert p.returncode != 0
    assert "does not export medtone_" in p.stderr


# -- the declarations against the headers --------------------------------------------------------

# Not bound on purpose: routing Python's allocations through C callbacks would gain nothing and
# must happen before any object exists.
NOT_BOUND = {"medtone_set_allocator"}


# The headers the binding covers completely; functions of other headers (include/medtone/*.h)
# that it declares must still match them.
COVERED = ("medtone.h", "medtone/reputation.h")


def _headers(source_dir: Path, names: Optional[Tuple[str, ...]] = None) -> str:
    inc = source_dir / "include"
    paths = [inc / n for n in names] if names else [inc / "medtone.h",
                                                    *sorted((inc / "medtone").glob("*.h"))]
    text = "".join(p.read_text() for p in paths if p.exists())
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def _ctype(c: str, enums: set) -> object:
    """The ctypes type of a C type written in the header."""
    c = " ".join(c.replace("const", " ").replace("*", " * ").split())
    stars = c.count("*")
    base = c.replace("*", "").strip()
    scalars: Dict[str, object] = {
        "size_t": ctypes.c_size_t, "double": ctypes.c_double, "int": ctypes.c_int,
        "unsigned": ctypes.c_uint, "long": ctypes.c_long, "int64_t": ctypes.c_int64,
    }
    if base in enums:
        scalars[base] = ctypes.c_int
    if stars == 0:
        return None if base == "void" else scalars[base]
    if stars == 1 and base in ("char", "void"):
        return ctypes.c_char_p  # text, or bytes passed as data
    if stars == 1 and base in scalars:
        return ctypes.POINTER(scalars[base])  # type: ignore[arg-type]
    if stars == 1 and base.startswith("medtone_"):
        return ctypes.c_void_p  # an opaque handle
    if stars == 2 and base.startswith("medtone_"):
        return ctypes.POINTER(ctypes.c_void_p)  # a handle out-parameter
    raise AssertionError(f"no ctypes mapping for C type {c!r}")


def _prototypes(source_dir: Path, names: Optional[Tuple[str, ...]] = None
                ) -> Dict[str, Tuple[str, List[str]]]:
    """name -> (C result type, [C parameter types]) of every MEDTONE_API function."""
    protos = {}
    pattern = r"MEDTONE_API\s+([^;(]*?)\b(medtone_\w+)\s*\(([^)]*)\)\s*;"
    for ret, name, params in re.findall(pattern, _headers(source_dir, names)):
        if name in NOT_BOUND:
            continue
        args = []
        params = " ".join(params.split())
        if params != "void":
            for p in params.split(","):
                m = re.fullmatch(r"\s*(.*?)\s*(\w+)\s*", p)
                assert m, (name, p)
                args.append(m.group(1))
        protos[name] = (ret, args)
    return protos


def test_every_header_function_is_declared_with_the_header_types(source_dir: Path) -> None:
    declared = dict(_capi._CORE)
    declared.update(_capi._REPUTATION)
    covered = _prototypes(source_dir, COVERED)
    assert len(covered) > 50
    missing = sorted(set(covered) - set(declared))
    assert not missing, f"functions of {COVERED} the binding does not declare: {missing}"
    protos = _prototypes(source_dir)
    extra = sorted(set(declared) - set(protos))
    assert not extra, f"the binding declares functions the headers lack: {extra}"
    enums = set(re.findall(r"typedef\s+enum\s+\w+\s*\{[^}]*\}\s*(\w+)\s*;",
                           _headers(source_dir)))
    for name, (restype, argtypes, _) in declared.items():
        ret, args = protos[name]
        ret_t, args_t = _ctype(ret, enums), [_ctype(a, enums) for a in args]
        assert restype is ret_t, f"{name}: result {restype} but the header says {ret}"
        assert list(argtypes) == args_t, f"{name}: arguments {argtypes} but the header says {args}"


def test_loaded_functions_carry_their_declarations() -> None:
    L = _capi.lib()
    for name, (restype, argtypes, _) in {**_capi._CORE, **_capi._REPUTATION}.items():
        if name in _capi._REPUTATION and not L.has_reputation:
            continue
        fn = getattr(L, name)
        assert fn.restype is restype and list(fn.argtypes) == list(argtypes), name


def test_reputation_api_is_present_when_the_tree_has_it(source_dir: Path) -> None:
    has_header = (source_dir / "include" / "medtone" / "reputation.h").exists()
    assert _capi.lib().has_reputation == has_header
