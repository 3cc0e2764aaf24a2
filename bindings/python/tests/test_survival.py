"""kaplan_meier, logrank_test, cox_univariate: R golden values (the same
files and tolerances as tests/test_survstats.c: 1e-8 relative; p-values
1e-8 relative or 1e-12 absolute), bit-for-bit equality with the C
functions, label handling, error mapping and the monotone-likelihood
warning."""
import ctypes
import os
import warnings

import numpy as np
import pytest

import desurv
from desurv import _errors as E
from desurv._lib import lib

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "golden")
DSETS = ["tied", "tcga", "multi"]
TOL, PABS = 1e-8, 1e-12


def _read(name):
    """A golden TSV as a dict of float arrays ("NA" -> NaN)."""
    path = os.path.join(GOLDEN, f"survstats_{name}.tsv")
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    cols = np.array([[np.nan if v == "NA" else float(v) for v in r] for r in rows])
    return {h: cols[:, j] for j, h in enumerate(head)}


def _rel(got, want):
    """Largest relative error (absolute where want = 0); NaN must match NaN
    and Inf the same Inf."""
    got, want = np.asarray(got, float), np.asarray(want, float)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    fin = np.isfinite(want)
    assert np.array_equal(got[~fin & ~np.isnan(want)], want[~fin & ~np.isnan(want)])
    g, w = got[fin], want[fin]
    if g.size == 0:
        return 0.0
    d = np.abs(g - w)
    return float(np.max(np.where(w != 0, d / np.where(w != 0, np.abs(w), 1), d)))


def _p_close(got, want):
    return abs(got - want) <= PABS or abs(got - want) <= TOL * abs(want)


def _data(name):
    d = _read(f"data_{name}")
    d["event"] = d["event"].astype(np.int32)
    return d


def _dptr(a):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))


def _iptr(a):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))


# ---- Kaplan-Meier -------------------------------------------------------

@pytest.mark.parametrize("name", DSETS)
def test_km_golden(name):
    d, g = _data(name), _read(f"km_{name}")
    km = desurv.kaplan_meier(d["time"], d["event"])
    assert len(km) == len(g["time"])
    assert np.array_equal(km.time, g["time"])
    for a in ("n_risk", "n_event", "n_censor"):
        assert getattr(km, a).dtype == np.int64
        assert np.array_equal(getattr(km, a), g[a].astype(np.int64))
    assert _rel(km.surv, g["surv"]) <= TOL
    assert _rel(km.std_err, g["std_err"]) <= TOL
    assert _rel(km.lower, g["lower"]) <= TOL and _rel(km.upper, g["upper"]) <= TOL
    assert _rel(km.surv * km.std_err, g["se_surv"]) <= TOL


def test_km_equals_c_bitwise():
    d = _data("tied")
    t, ev = np.ascontiguousarray(d["time"]), np.ascontiguousarray(d["event"])
    n = len(t)
    ln = ctypes.c_int64()
    f = [np.empty(n) for _ in range(5)]
    i = [np.empty(n, dtype=np.int64) for _ in range(3)]
    st = lib.desurv_km(_dptr(t), _iptr(ev), n, *[_dptr(a) for a in f],
                       *[a.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)) for a in i], n,
                       ctypes.byref(ln))
    assert st == E.DESURV_OK
    km = desurv.kaplan_meier(d["time"].tolist(), d["event"].astype(bool))
    got = [km.time, km.surv, km.std_err, km.lower, km.upper, km.n_risk, km.n_event, km.n_censor]
    for a, b in zip(got, f + i):
        assert a.tobytes() == b[:ln.value].tobytes()


def test_km_step():
    km = desurv.kaplan_meier([1, 2, 2, 3], [1, 0, 1, 1])
    assert np.array_equal(km.surv, [0.75, 0.5, 0.0])
    assert np.array_equal(km.step([0, 1, 1.5, 2, 10]), [1, 0.75, 0.75, 0.5, 0])


# ---- log-rank -------------------------------------------------------------

@pytest.mark.parametrize("name", DSETS)
def test_logrank_golden(name):
    d, g = _data(name), _read(f"logrank_{name}")
    row = 0
    for col in ("g2", "g3", "g6"):
        if col not in d:
            continue
        r = desurv.logrank_test(d["time"], d["event"], d[col].astype(np.int64))
        k = len(r.groups)
        assert k == int(g["grouping"][row]) and r.df == int(g["df"][row])
        assert np.array_equal(r.groups, g["label"][row:row + k].astype(np.int64))
        assert np.array_equal(r.observed, g["obs"][row:row + k])
        assert _rel(r.expected, g["exp"][row:row + k]) <= TOL
        assert _rel(r.statistic, g["chisq"][row]) <= TOL
        assert _p_close(r.p_value, g["p"][row])
        assert r.n.sum() == len(d["time"])
        row += k
    assert row == len(g["label"])


def test_logrank_equals_c_bitwise():
    d = _data("multi")
    t, ev = np.ascontiguousarray(d["time"]), np.ascontiguousarray(d["event"])
    grp = np.ascontiguousarray(d["g6"].astype(np.int32))
    chisq, df, p, ng = ctypes.c_double(), ctypes.c_int64(), ctypes.c_double(), ctypes.c_int64()
    lab, obs, exp = np.empty(6, np.int32), np.empty(6), np.empty(6)
    st = lib.desurv_logrank(_dptr(t), _iptr(ev), _iptr(grp), len(t), ctypes.byref(chisq),
                            ctypes.byref(df), ctypes.byref(p), _iptr(lab), _dptr(obs),
                            _dptr(exp), 6, ctypes.byref(ng))
    assert st == E.DESURV_OK and ng.value == 6
    r = desurv.logrank_test(t, ev, grp)
    assert r.statistic == chisq.value and r.p_value == p.value and r.df == df.value
    assert np.array_equal(r.groups, lab)
    assert r.observed.tobytes() == obs.tobytes() and r.expected.tobytes() == exp.tobytes()


def test_logrank_string_and_bool_labels():
    d = _data("tcga")
    codes = d["g3"].astype(np.int64)
    ref = desurv.logrank_test(d["time"], d["event"], codes)
    # strings sorting like the integers ("10" < "20" < "30")
    names = np.array([f"grp{c}" for c in codes])
    r = desurv.logrank_test(d["time"], d["event"], names.tolist())
    assert list(r.groups) == [f"grp{c}" for c in ref.groups]
    assert r.statistic == ref.statistic and np.array_equal(r.expected, ref.expected)
    # labels whose sort order differs from their first appearance
    lab = np.where(codes == codes.max(), "a-high", np.where(codes == codes.min(), "z-low",
                                                            "m-mid"))
    r = desurv.logrank_test(d["time"], d["event"], lab)
    assert list(r.groups) == ["a-high", "m-mid", "z-low"]
    order = [2, 1, 0]  # a-high is the largest integer label
    assert np.array_equal(r.observed, ref.observed[order])
    assert abs(r.statistic - ref.statistic) <= 1e-12 * ref.statistic
    b = desurv.logrank_test(d["time"], d["event"], d["g2"] > 0)
    assert b.groups.dtype == bool and list(b.groups) == [False, True]
    i2 = desurv.logrank_test(d["time"], d["event"], d["g2"].astype(int))
    assert b.statistic == i2.statistic


# ---- Cox ------------------------------------------------------------------

@pytest.mark.parametrize("name", DSETS)
def test_cox_golden(name):
    d, g = _data(name), _read(f"cox_{name}")
    z01 = (d["g2"] == d["g2"].max()).astype(float)
    for i in range(len(g["coef"])):
        x = d["x"] if g["covariate"][i] == 1 else z01
        ties = "efron" if g["ties"][i] == 1 else "breslow"
        r = desurv.cox_univariate(d["time"], d["event"], x, ties=ties)
        assert r.converged and r.ties == ties
        for attr, col in (("coef", "coef"), ("se", "se"), ("hr", "hr"), ("hr_lower", "lo"),
                          ("hr_upper", "hi"), ("loglik0", "loglik0"), ("loglik", "loglik")):
            assert _rel(getattr(r, attr), g[col][i]) <= TOL, (name, i, attr)
        assert _p_close(r.p_value, g["p"][i])


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_equals_c_bitwise(ties):
    d = _data("tcga")
    t, ev, x = (np.ascontiguousarray(d[c]) for c in ("time", "event", "x"))
    out = [ctypes.c_double() for _ in range(8)]
    st = lib.desurv_cox1(_dptr(t), _iptr(ev), _dptr(x), len(t), 1 if ties == "efron" else 0,
                         *[ctypes.byref(v) for v in out])
    assert st == E.DESURV_OK
    r = desurv.cox_univariate(t, ev, x, ties=ties)
    got = [r.coef, r.se, r.hr, r.hr_lower, r.hr_upper, r.p_value, r.loglik0, r.loglik]
    assert got == [v.value for v in out]


def test_cox_default_is_efron():
    d = _data("tied")
    assert desurv.cox_univariate(d["time"], d["event"], d["x"]) == \
        desurv.cox_univariate(d["time"], d["event"], d["x"], ties="efron")


def test_cox_monotone_likelihood_warns():
    t = [1, 2, 3, 4, 5, 6, 7, 8]
    e = [1, 1, 0, 1, 1, 0, 1, 0]
    x = [0, 0, 1, 0, 0, 1, 0, 1]  # group 1 has no events
    with pytest.warns(RuntimeWarning, match="monotone likelihood"):
        r = desurv.cox_univariate(t, e, x)
    assert not r.converged
    assert np.isinf(r.coef) and r.coef < 0 and r.hr == 0.0
    assert np.isfinite(r.loglik0) and np.isnan(r.se) and np.isnan(r.loglik)
    with pytest.warns(RuntimeWarning, match="largest x"):
        r = desurv.cox_univariate(t, e, [8, 7, 0, 5, 4, 0, 2, 1])
    assert r.coef == np.inf
    with pytest.warns(RuntimeWarning, match="no information|constant"):
        r = desurv.cox_univariate([1, 2, 3], [1, 1, 0], [2.0, 2.0, 2.0])
    assert np.isnan(r.coef)


def test_cox_ok_does_not_warn():
    d = _data("tcga")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        desurv.cox_univariate(d["time"], d["event"], d["x"])


# ---- errors ---------------------------------------------------------------

def _raises(code, fn, *args, **kw):
    with pytest.raises(E.error_class(code)) as info:
        fn(*args, **kw)
    assert info.value.code == code
    return info.value


def test_errors():
    t, e, x = [1.0, 2.0, 3.0, 4.0], [1, 0, 1, 1], [0.1, 0.5, 0.2, 0.9]
    g = [0, 0, 1, 1]
    for fn, extra in ((desurv.kaplan_meier, ()), (desurv.logrank_test, (g,)),
                      (desurv.cox_univariate, (x,))):
        err = _raises(E.DESURV_E_TIME, fn, [1.0, -2.0, 3.0, 4.0], e, *extra)
        assert isinstance(err, desurv.InputError) and "time[1]" in err.message
        _raises(E.DESURV_E_TIME, fn, [1.0, np.inf, 3.0, 4.0], e, *extra)
        err = _raises(E.DESURV_E_EVENT, fn, t, [1, 2, 0, 1], *extra)
        assert "event[1]" in err.message
        _raises(E.DESURV_E_DIM, fn, t, e[:3], *extra)
        _raises(E.DESURV_E_EVENT, fn, t, [1.0, 0.5, 0.0, 1.0], *extra)
    err = _raises(E.DESURV_E_NONFINITE, desurv.cox_univariate, t, e, [0.1, np.nan, 0.2, 0.3])
    assert "x[1]" in err.message
    _raises(E.DESURV_E_NO_EVENTS, desurv.cox_univariate, t, [0, 0, 0, 0], x)
    _raises(E.DESURV_E_NO_EVENTS, desurv.logrank_test, t, [0, 0, 0, 0], g)
    err = _raises(E.DESURV_E_DIM, desurv.logrank_test, t, e, ["a", "a", "a", "a"])
    assert "2 groups" in err.message
    _raises(E.DESURV_E_DIM, desurv.logrank_test, t, e, g[:3])
    _raises(E.DESURV_E_NONFINITE, desurv.logrank_test, t, e, [0.0, np.nan, 1.0, 1.0])
    _raises(E.DESURV_E_RANGE, desurv.cox_univariate, t, e, x, ties="exact")
    _raises(E.DESURV_E_DIM, desurv.kaplan_meier, [], [])
    # no events is valid for Kaplan-Meier: S = 1 throughout
    km = desurv.kaplan_meier(t, [0, 0, 0, 0])
    assert np.all(km.surv == 1)
