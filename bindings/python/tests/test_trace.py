"""The loss trace by term (desurv_model_trace_terms through
desurv.plot._trace_terms): one row per loss_trace_ entry, the terms
recombine to the recorded total, NaN Cox terms at alpha = 0, the header's
column numbers, and no terms for a model read from a file.  Also: desurv.plot
imports without matplotlib (it is loaded only by the plotting functions)."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import desurv
from desurv import plot


def _recombined(tt):
    return tt["c_rec"] + tt["c_pen_h"] + tt["c_pen_w"] + tt["c_cox"] + tt["c_pen_beta"]


def test_columns_match_header(header_path):
    text = open(header_path, encoding="utf-8").read()
    found = dict(re.findall(r"#define\s+DESURV_TRACE_([A-Z_]+)\s+(\d+)", text))
    assert int(found.pop("TERMS")) == len(plot.TRACE_TERMS)
    assert {v.lower(): int(n) for v, n in found.items()} == \
        {name: j for j, name in enumerate(plot.TRACE_TERMS)}


def test_terms_align_and_recombine(fitted):
    tt = plot._trace_terms(fitted)
    n = len(fitted.loss_trace_)
    for name in plot.TRACE_TERMS + ("loss",):
        assert tt[name].shape == (n,)
    assert np.array_equal(tt["loss"], fitted.loss_trace_)
    assert np.all(np.isfinite(np.vstack([tt[c] for c in plot.TRACE_TERMS])))
    assert np.all(tt["loglik"] <= 0)
    rel = np.abs(_recombined(tt) - tt["loss"]) / np.abs(tt["loss"])
    assert rel.max() <= 1e-12
    # the last row is the returned point's reconstruction term
    assert tt["rec"][-1] == fitted._stat(desurv._errors.DESURV_STAT_NMF_LOSS)


@pytest.mark.parametrize("params", [dict(alpha=0.0, lambda_w=0.2, lambda_h=0.3),
                                    dict(alpha=0.8, lambda_w=0.1, lambda_h=0.5,
                                         ties="efron")])
def test_recombine_with_ridges(small_data, params):
    d = small_data
    with desurv.DeSurv(2, maxit=30, n_init=2, **params).fit(d.X, d.time, d.event) as m:
        tt = plot._trace_terms(m)
        assert len(tt["rec"]) == len(m.loss_trace_)
        rel = np.abs(_recombined(tt) - tt["loss"]) / np.abs(tt["loss"])
        assert rel.max() <= 1e-12
        cox_nan = np.isnan(tt["loglik"]) & np.isnan(tt["pen_beta"])
        assert cox_nan.all() == (params["alpha"] == 0) and cox_nan.any() == cox_nan.all()


def test_loaded_model_has_no_terms(fitted, tmp_path):
    path = tmp_path / "m.desurv"
    fitted.save(path)
    with desurv.DeSurv.load(path) as back:
        tt = plot._trace_terms(back)
        assert len(tt["loss"]) == len(fitted.loss_trace_)
        assert all(len(tt[c]) == 0 for c in plot.TRACE_TERMS)


def test_import_does_not_load_matplotlib():
    env = dict(os.environ)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = here + os.pathsep + env.get("PYTHONPATH", "")
    code = ("import sys, desurv, desurv.plot; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'")
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    # as if matplotlib were not installed: the module imports, a plot says why
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "import desurv.plot\n"
            "try:\n    desurv.plot.selected_k_hist([2, 3])\n"
            "except ImportError as e:\n    assert 'matplotlib' in str(e)\n"
            "else:\n    raise SystemExit('no ImportError')\n")
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
