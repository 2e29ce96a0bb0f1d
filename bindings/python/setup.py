"""Build hook for the medtone binding: everything else is in pyproject.toml.

MEDTONE_BUNDLE_LIBRARY=/path/to/libmedtone.so.0 copies that shared library into the package as
medtone/_lib/libmedtone.so.0 (and tags the wheel for this platform, since it then holds machine
code). The package prefers MEDTONE_LIBRARY, then that copy, then the system's library. Without
the variable the package is pure Python and finds the library at run time.
"""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

BUNDLE = os.environ.get("MEDTONE_BUNDLE_LIBRARY", "")


class BuildPyWithLibrary(build_py):
    """build_py that also copies the C library named by MEDTONE_BUNDLE_LIBRARY."""

    def run(self):
        super().run()
        if not BUNDLE:
            return
        src = os.path.realpath(BUNDLE)  # the file, not the libmedtone.so.0 symlink
        if not os.path.isfile(src):
            raise SystemExit(f"MEDTONE_BUNDLE_LIBRARY={BUNDLE}: no such file")
        dest = os.path.join(self.build_lib, "medtone", "_lib")
        os.makedirs(dest, exist_ok=True)
        shutil.copyfile(src, os.path.join(dest, "libmedtone.so.0"))


class MaybeBinaryDistribution(Distribution):
    """A platform wheel when it carries the library, a pure one otherwise."""

    def has_ext_modules(self):
        return bool(BUNDLE)


cmdclass = {"build_py": BuildPyWithLibrary}

try:
    from wheel.bdist_wheel import bdist_wheel

    class BdistWheel(bdist_wheel):
        """With the library inside, the wheel is tied to the platform but not to a Python
        version or ABI (ctypes, no extension module): py3-none-<platform>."""

        def get_tag(self):
            python, abi, plat = super().get_tag()
            return ("py3", "none", plat) if BUNDLE else (python, abi, plat)

    cmdclass["bdist_wheel"] = BdistWheel
except ImportError:  # no wheel package: pip's legacy install path does not need it
    pass

setup(cmdclass=cmdclass, distclass=MaybeBinaryDistribution)
