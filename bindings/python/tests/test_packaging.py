"""The package installs with pip (Debian's, no network, no build isolation)
and the installed copy finds the library without the source tree's help."""
import os
import shutil
import subprocess
import sys

import pytest

import desurv
from desurv import _lib

PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _pip_available():
    r = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True)
    return r.returncode == 0


def _pyproject_version():
    text = open(os.path.join(PKG, "pyproject.toml"), encoding="utf-8").read()
    assert 'version = {attr = "desurv._version.__version__"}' in text
    return desurv.__version__


def test_pyproject_takes_the_version_from_the_package():
    assert _pyproject_version() == desurv.__version__


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    if not _pip_available():
        pytest.fail("pip is missing: scripts/setup.sh installs python3-pip")
    tmp = tmp_path_factory.mktemp("pip")
    # Build from a copy so setuptools' egg-info never lands in the checkout.
    src = tmp / "src"
    shutil.copytree(PKG, src, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.egg-info",
                                                            "build"))
    site = tmp / "site"
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps",
                        "--no-build-isolation", "--target", str(site), str(src)],
                       env=env, capture_output=True, text=True, cwd=str(tmp))
    assert r.returncode == 0, r.stdout + r.stderr
    return site


def _run_installed(site, extra_env, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("DESURV_LIBRARY", "PYTHONPATH")}
    env.update(extra_env, PYTHONPATH=str(site))
    code = ("import desurv, desurv._lib as l; "
            "print(desurv.__file__); print(desurv.__version__); print(l.lib._desurv_path); "
            "print(desurv.concordance_index([1, 2, 3], [1, 1, 1], [3, 2, 1]))")
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=str(cwd),
                          capture_output=True, text=True)


def test_pip_install_then_import_with_override(installed, tmp_path):
    lib_path = _lib.lib._desurv_path
    r = _run_installed(installed, {"DESURV_LIBRARY": lib_path}, tmp_path)
    assert r.returncode == 0, r.stderr
    f, version, found, c = r.stdout.split("\n")[:4]
    assert f.startswith(str(installed))           # the installed copy, not the checkout
    assert version == desurv.__version__
    assert os.path.samefile(found, lib_path)
    assert float(c) == 1.0


def test_installed_package_finds_an_installed_library(installed, tmp_path):
    # No DESURV_LIBRARY and no source tree around the installed package:
    # the library must come from ctypes.util.find_library, which searches
    # LD_LIBRARY_PATH (through ld) like an installed system library.
    libdir = os.path.dirname(os.path.realpath(_lib.lib._desurv_path))
    if not os.path.exists(os.path.join(libdir, "libdesurv.so")):
        pytest.fail(f"{libdir} has no libdesurv.so development link")
    r = _run_installed(installed, {"LD_LIBRARY_PATH": libdir}, tmp_path)
    assert r.returncode == 0, r.stderr
    found = r.stdout.split("\n")[2]
    assert os.path.samefile(os.path.join(libdir, os.path.basename(found))
                            if not os.path.isabs(found) else found,
                            os.path.join(libdir, "libdesurv.so.0"))
