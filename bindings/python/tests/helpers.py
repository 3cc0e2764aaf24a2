"""Shared by the tests: reading a tuner's history_ whatever its type, and
running code in a fresh interpreter.

``history_`` is a pandas DataFrame when pandas is importable and a dict of
numpy arrays (one per column, in the same order) otherwise; the history
tests run in both modes (the ``history_mode`` fixture in conftest.py), so
they read it only through these functions."""
import os
import subprocess
import sys

import numpy as np

PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def columns(h):
    """Column names of a history, in order."""
    return list(h.columns) if hasattr(h, "columns") else list(h)


def column(h, name):
    """One column of a history as a numpy array."""
    return np.asarray(h[name])


def nrows(h):
    """Evaluations recorded in a history."""
    return len(column(h, columns(h)[0]))


def matrix(h):
    """A history as a float matrix, one column per history column."""
    return np.column_stack([column(h, c).astype(float) for c in columns(h)])


def check_history_type(h, mode):
    """history_ has the type the mode promises: a DataFrame with pandas, else
    a dict of equally long 1-d numpy arrays."""
    if mode == "pandas":
        import pandas as pd
        assert isinstance(h, pd.DataFrame)
    else:
        assert isinstance(h, dict) and h
        assert all(isinstance(v, np.ndarray) and v.ndim == 1 for v in h.values())
        assert len({len(v) for v in h.values()}) == 1


def run_python(code, out, env=None, hide_pandas=False, timeout=600):
    """Run `code` in a new interpreter (this one's executable, so Debian's
    /usr/bin/python3 under scripts/run-python-tests.sh) with this process's
    environment (DESURV_LIBRARY, LD_PRELOAD) updated by `env`, which is how
    a variable that OpenBLAS reads once, when it is loaded, takes effect.
    The code finds the output path in OUT and saves its results there with
    numpy.savez; they are returned as a dict of arrays.  hide_pandas makes
    `import pandas` fail in the child, as when pandas is not installed."""
    prelude = ["import sys"]
    if hide_pandas:
        prelude.append("sys.modules['pandas'] = None  # import pandas -> ImportError")
    prelude += [f"sys.path.insert(0, {PKG!r})", f"OUT = {str(out)!r}", ""]
    r = subprocess.run([sys.executable, "-c", "\n".join(prelude) + code],
                       env=dict(os.environ, **(env or {})), capture_output=True, text=True,
                       timeout=timeout)
    assert r.returncode == 0, r.stdout + r.stderr
    with np.load(out, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
