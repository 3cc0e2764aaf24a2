"""The example scripts run (with a reduced budget) and produce what they
promise: a model file the library reads back and the figures."""
import os
import subprocess
import sys

import pytest

import desurv

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def _run(script, *args, cwd):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    r = subprocess.run([sys.executable, os.path.join(EXAMPLES, script), *args], cwd=str(cwd),
                       env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def _png(path):
    with open(path, "rb") as f:
        head = f.read(8)
    return head == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 5000


def test_fit_validate(tmp_path):
    pytest.importorskip("matplotlib")
    out = _run("fit_validate.py", "--out", str(tmp_path / "o"), "--maxit", "60", "--n-init", "2",
               cwd=tmp_path)
    assert "130 patients, 69 deaths" in out and "test C-index" in out
    m = desurv.DeSurv.load(tmp_path / "o" / "model.desurv")
    assert m.W_.shape == (1000, 3)
    assert _png(tmp_path / "o" / "km_test.png") and _png(tmp_path / "o" / "loss_trace.png")


def test_figure_2d(tmp_path):
    pytest.importorskip("matplotlib")
    out = _run("figure_2d.py", "--quick", "--jobs", "2", "--out", str(tmp_path / "o"),
               cwd=tmp_path)
    assert "chosen: k = " in out and "test C-index" in out
    assert _png(tmp_path / "o" / "figure_2d.png")
