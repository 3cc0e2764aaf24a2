import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)
REPO = os.path.normpath(os.path.join(PKG, "..", ".."))
if PKG not in sys.path:
    sys.path.insert(0, PKG)


@pytest.fixture(scope="session")
def header_path():
    return os.path.join(REPO, "include", "desurv", "desurv.h")


@pytest.fixture(scope="session")
def small_data():
    import desurv
    return desurv.simulate("R0", 7, n_genes=300, n_samples=60, k=2)


@pytest.fixture(scope="session")
def fitted(small_data):
    import desurv
    d = small_data
    m = desurv.DeSurv(2, maxit=50, n_init=3).fit(d.X, d.time, d.event)
    yield m
    m.close()


@pytest.fixture(params=["pandas", "dict"])
def history_mode(request, monkeypatch):
    """Run a test that reads a tuner's history_ twice: with pandas (history_
    a DataFrame; skipped when pandas is not installed) and as without it (a
    dict of numpy arrays).  The binding asks desurv._tune._pandas() at the
    end of each fit; patched to report pandas missing, it takes the path an
    ImportError takes (test_tuner also runs that real case in a subprocess).
    Tuners must be fitted inside the test, after this fixture."""
    if request.param == "pandas":
        pytest.importorskip("pandas")
    else:
        from desurv import _tune
        monkeypatch.setattr(_tune, "_pandas", lambda: None)
    return request.param
