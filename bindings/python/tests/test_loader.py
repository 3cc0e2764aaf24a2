import os
import subprocess
import sys

import desurv
from desurv import _lib

PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_version_matches_package():
    v = _lib.lib.desurv_version()
    assert (v // 10000, (v // 100) % 100) == tuple(int(x) for x in desurv.__version__.split(".")[:2])
    assert _lib.lib.desurv_version_string().decode().startswith("0.3.")


def test_override_missing_library_fails():
    env = dict(os.environ, DESURV_LIBRARY="/nonexistent/libdesurv.so.0", PYTHONPATH=PKG)
    r = subprocess.run([sys.executable, "-c", "import desurv"], env=env, cwd=PKG,
                       capture_output=True, text=True)
    assert r.returncode != 0 and "DESURV_LIBRARY" in r.stderr


def test_relative_override_from_oldpwd(tmp_path):
    path = _lib.lib._desurv_path
    rel = os.path.relpath(path, os.path.dirname(os.path.dirname(path)))  # lib/libdesurv...
    base = os.path.dirname(os.path.dirname(path))
    env = dict(os.environ, DESURV_LIBRARY=rel, OLDPWD=base, PYTHONPATH=PKG)
    r = subprocess.run([sys.executable, "-c", "import desurv._lib as l; print(l.lib._desurv_path)"],
                       env=env, cwd=str(tmp_path), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert os.path.samefile(r.stdout.strip(), path)


def test_the_process_uses_the_blas_the_library_was_linked_with():
    # numpy binds the soname libblas.so.3 first; unless the library's own
    # BLAS is preloaded (scripts/run-python-tests.sh does it), a reference-
    # BLAS build of the library would run on numpy's OpenBLAS in-process.
    r = subprocess.run(["ldd", _lib.lib._desurv_path], capture_output=True, text=True)
    linked = [line.split()[2] for line in r.stdout.splitlines()
              if "libblas.so" in line and "=>" in line and len(line.split()) > 2]
    if not linked:
        return  # a BLAS without the libblas soname (e.g. linked statically): nothing shared
    mapped = {line.split()[-1] for line in open("/proc/self/maps") if "/" in line}
    want = os.path.realpath(linked[0])
    assert want in mapped, (
        f"the library links {linked[0]} but this process mapped "
        f"{sorted(m for m in mapped if 'blas' in m)}: preload it (LD_PRELOAD), as "
        f"scripts/run-python-tests.sh does")


def test_every_library_function_used_has_a_declared_signature():
    # ctypes would otherwise guess int arguments and an int result: a
    # silently truncated pointer or int64 on the first call.
    import glob
    import re
    used = set()
    for path in glob.glob(os.path.join(PKG, "desurv", "*.py")):
        used |= set(re.findall(r"\blib\.(desurv_\w+)", open(path, encoding="utf-8").read()))
    assert len(used) > 40
    missing = sorted(used - set(_lib._SIGNATURES))
    assert not missing, f"used without argtypes/restype: {missing}"
