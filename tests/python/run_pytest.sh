#!/bin/sh
# run_pytest.sh BUILD_DIR SOURCE_DIR [LIBRARY] — the Python binding's tests (ctest
# python_binding). Makes a venv in the build tree from Debian's /usr/bin/python3
# (--system-site-packages, so it sees python3-pytest, -pandas, -dask and -distributed; a pyenv
# python on PATH would not), installs bindings/python into it offline, and runs its pytest suite
# against this build's libmedtone (LIBRARY, default BUILD_DIR/src/libmedtone.so.0).
set -eu
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
lib=${3:-$build/src/libmedtone.so.0}
py=/usr/bin/python3
[ -e "$lib" ] || { echo "run_pytest: $lib does not exist (build the medtone target)"; exit 1; }
[ -x "$py" ] || { echo "run_pytest: $py not found (sh tools/install-deps.sh)"; exit 1; }
venv=$build/python/venv
work=$build/python/binding
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv --system-site-packages "$venv"
fi
# Install from a copy: setuptools builds in the folder it installs (build/, *.egg-info), and the
# source tree stays clean and free for other builds running at the same time.
rm -rf "$work"
mkdir -p "$work"
cp -R "$src/bindings/python" "$work/src"
rm -rf "$work/src/build" "$work/src"/*.egg-info
"$venv/bin/python" -m pip install -q --no-build-isolation --no-deps --no-index --no-cache-dir \
  --force-reinstall "$work/src"
# From the work folder, so that "import medtone" finds the installed package and not a source
# tree; no .pytest_cache or __pycache__ written into the source tree.
cd "$work"
MEDTONE_LIBRARY=$lib MEDTONE_SOURCE_DIR=$src PYTHONDONTWRITEBYTECODE=1 \
  exec "$venv/bin/python" -m pytest -p no:cacheprovider -q -rfE "$src/bindings/python/tests"
