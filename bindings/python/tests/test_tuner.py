"""DeSurvTuner: attributes, options, bit-identity with the C API, determinism."""
import ctypes

import numpy as np
import pytest

import desurv
from desurv import _errors as E
from desurv import _tune
from desurv._lib import lib, c_double_p, c_int32_p
from helpers import check_history_type, column, columns, matrix, nrows, run_python

COLS = ["k", "alpha", "lambda_", "nu", "lambda_w", "lambda_h", "ntop", "mean", "se", "pooled"]


@pytest.fixture(scope="module")
def data():
    return desurv.simulate("R0", 5, n_genes=300, n_samples=70, k=2)


def small_tuner(**kw):
    args = dict(bounds={"k": (2, 3)}, n_folds=3, n_starts=2, n_init_points=4, n_iter=2,
                estimator=desurv.DeSurv(2, maxit=30, n_init=2))
    args.update(kw)
    return desurv.DeSurvTuner(**args)


@pytest.fixture(scope="module")
def _tuned_by_mode():
    fitted = {}
    yield fitted
    for t in fitted.values():
        t.close()


@pytest.fixture
def tuned(data, history_mode, _tuned_by_mode):
    """small_tuner() fitted once per history mode (history_ is made by fit)."""
    if history_mode not in _tuned_by_mode:
        _tuned_by_mode[history_mode] = small_tuner().fit(data.X, data.time, data.event)
    return _tuned_by_mode[history_mode]


def test_attributes(tuned, data, history_mode):
    t = tuned
    h = t.history_
    check_history_type(h, history_mode)
    assert columns(h) == COLS + ["fold_0", "fold_1", "fold_2", "recon", "recon_se"]
    assert nrows(h) == 6  # 4 design points + 2 BO steps, in evaluation order
    assert column(h, "k").dtype == np.int64 and column(h, "ntop").dtype == np.int64
    assert set(column(h, "k")) <= {2, 3}
    assert list(t.best_params_) == ["k", "alpha", "lambda_", "nu", "lambda_w", "lambda_h",
                                    "ntop"]
    assert isinstance(t.best_params_["k"], int) and isinstance(t.best_params_["ntop"], int)
    assert isinstance(t.best_index_, int) and 0 <= t.best_index_ < nrows(h)
    assert t.best_score_ == column(h, "mean")[t.best_index_]
    for name in ("k", "alpha", "lambda_", "nu"):
        assert t.best_params_[name] == column(h, name)[t.best_index_]
    m = t.best_model_
    assert isinstance(m, desurv.DeSurv)
    k = t.best_params_["k"]
    assert m.W_.shape == (300, k) and m.beta_.shape == (k,)
    assert m.k == k and m.alpha == t.best_params_["alpha"]
    assert m.maxit == 30  # from the estimator
    s = t.surface_
    assert s["k"].dtype == np.int64 and list(s["k"]) == [2, 3]
    assert s["alpha"].ndim == 1 and np.all(np.diff(s["alpha"]) > 0) and len(s["alpha"]) == 41
    assert s["mean"].shape == s["sd"].shape == (2, 41)
    assert np.all(np.isfinite(s["mean"])) and np.all(s["sd"] >= 0)
    assert t.folds_.shape == (70,) and set(t.folds_) == {0, 1, 2}
    assert isinstance(t.warnings_, list)
    assert t.alpha_scale == "logodds"
    # predict / score delegate to the refitted model
    assert np.array_equal(t.predict(data.X), m.predict(data.X))
    assert t.score(data.X, data.time, data.event) == m.score(data.X, data.time, data.event)


def _raw_tune(d, threads=1):
    """The same tuning through the C functions directly."""
    X = d.X
    n, p = X.shape
    th, mh = ctypes.c_void_p(), ctypes.c_void_p()
    assert lib.desurv_tuner_new(ctypes.byref(th)) == 0
    assert lib.desurv_model_new(ctypes.byref(mh)) == 0
    try:
        for opt, v in ((E.DESURV_TOPT_FOLDS, 3), (E.DESURV_TOPT_STARTS, 2),
                       (E.DESURV_TOPT_INIT_POINTS, 4), (E.DESURV_TOPT_ITERATIONS, 2),
                       (E.DESURV_TOPT_THREADS, threads)):
            assert lib.desurv_tuner_set(th, opt, v) == 0
        assert lib.desurv_tuner_set_bounds(th, E.DESURV_PARAM_K, 2, 3) == 0
        for opt, v in ((E.DESURV_OPT_K, 2), (E.DESURV_OPT_MAXIT, 30), (E.DESURV_OPT_NINIT, 2)):
            assert lib.desurv_set_option(mh, opt, v) == 0
        t = np.ascontiguousarray(d.time)
        ev = np.ascontiguousarray(d.event, dtype=np.int32)
        st = lib.desurv_tune(th, mh, X.ctypes.data_as(c_double_p), p, n, p,
                             t.ctypes.data_as(c_double_p), ev.ctypes.data_as(c_int32_p))
        assert st == 0, lib.desurv_tuner_errmsg(th)
        ln, K = ctypes.c_int64(), ctypes.c_int64()
        lib.desurv_tuner_history_len(th, ctypes.byref(ln), ctypes.byref(K))
        rows = []
        for i in range(ln.value):
            par = np.empty(7)
            mean, se, pooled = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
            fc = np.empty(K.value)
            lib.desurv_tuner_history(th, i, par.ctypes.data_as(c_double_p), ctypes.byref(mean),
                                     ctypes.byref(se), ctypes.byref(pooled),
                                     fc.ctypes.data_as(c_double_p))
            rm, rs = ctypes.c_double(), ctypes.c_double()
            lib.desurv_tuner_history_recon(th, i, ctypes.byref(rm), ctypes.byref(rs))
            rows.append(np.concatenate([par, [mean.value, se.value, pooled.value], fc,
                                        [rm.value, rs.value]]))
        idx = ctypes.c_int64()
        lib.desurv_tuner_choice(th, None, ctypes.byref(idx))
        k = ctypes.c_int64()
        lib.desurv_model_dims(mh, None, None, ctypes.byref(k))
        W = np.empty((k.value, p))
        beta = np.empty(k.value)
        lib.desurv_model_W(mh, W.ctypes.data_as(c_double_p), p)
        lib.desurv_model_beta(mh, beta.ctypes.data_as(c_double_p))
        return np.array(rows), idx.value, W.T, beta
    finally:
        lib.desurv_model_free(mh)
        lib.desurv_tuner_free(th)


def test_bit_identical_to_c_api(tuned, data):
    hist, idx, W, beta = _raw_tune(data)
    ours = matrix(tuned.history_)
    assert ours.shape == hist.shape
    assert np.array_equal(ours, hist, equal_nan=True)
    assert tuned.best_index_ == idx
    assert np.array_equal(tuned.best_model_.W_, W)
    assert np.array_equal(tuned.best_model_.beta_, beta)


def test_n_jobs_in_process(tuned, data):
    """n_jobs=2 in this process, whatever the BLAS: with a multi-threaded
    OpenBLAS the library runs one worker and says so in warnings_ (the real
    comparison of thread counts is test_deterministic_across_threads)."""
    with small_tuner(n_jobs=2) as t2:
        t2.fit(data.X, data.time, data.event)
        assert np.array_equal(matrix(t2.history_), matrix(tuned.history_), equal_nan=True)
        assert t2.best_params_ == tuned.best_params_
        assert np.array_equal(t2.best_model_.W_, tuned.best_model_.W_)
        assert np.array_equal(t2.best_model_.beta_, tuned.best_model_.beta_)
        fell_back = [w for w in t2.warnings_ if "oversubscribe" in w]
        try:
            blas_threads = lib.openblas_get_num_threads()
        except AttributeError:  # a BLAS that does not say (reference): sequential
            blas_threads = 1
        assert bool(fell_back) == (blas_threads > 1), t2.warnings_
        # refit with the same object: same answer
        t2.fit(data.X, data.time, data.event)
        assert np.array_equal(t2.best_model_.W_, tuned.best_model_.W_)


# Run by test_deterministic_across_threads in a new interpreter started with
# OPENBLAS_NUM_THREADS=1: the library runs its worker threads only when the
# BLAS is sequential, and OpenBLAS reads the variable once, when it is loaded
# (by numpy, before this code runs).  A fit and a tuning run, each with 1 and
# 2 worker threads; a progress callback (on the calling thread, while the
# workers run) records the most threads the process had.
_THREADS_CHILD = """
import os
import numpy as np
import desurv
from desurv._lib import lib

try:
    blas = lib.openblas_get_num_threads()
except AttributeError:  # a BLAS that does not say (reference): sequential
    blas = 1
out = {"blas_threads": np.array(blas)}
d = desurv.simulate("R0", 5, n_genes=300, n_samples=70, k=2)
for jobs in (1, 2):
    most = [0]

    def seen(stage, step, total, best):
        most[0] = max(most[0], len(os.listdir("/proc/self/task")))

    with desurv.DeSurv(2, maxit=60, n_init=6, n_jobs=jobs, progress=seen) as m:
        m.fit(d.X, d.time, d.event)
        out[f"fit{jobs}_W"], out[f"fit{jobs}_H"] = m.W_, m.H_
        out[f"fit{jobs}_beta"] = m.beta_
    out[f"fit{jobs}_threads"], most[0] = np.array(most[0]), 0
    with desurv.DeSurvTuner(bounds={"k": (2, 3)}, n_folds=3, n_starts=2, n_init_points=4,
                            n_iter=2, estimator=desurv.DeSurv(2, maxit=30, n_init=2),
                            n_jobs=jobs, progress=seen) as t:
        t.fit(d.X, d.time, d.event)
        h = t.history_
        cols = list(h.columns) if hasattr(h, "columns") else list(h)
        out[f"tune{jobs}_history"] = np.column_stack(
            [np.asarray(h[c], dtype=float) for c in cols])
        out[f"tune{jobs}_W"] = t.best_model_.W_
        out[f"tune{jobs}_beta"] = t.best_model_.beta_
        out[f"tune{jobs}_index"] = np.array(t.best_index_)
        out[f"tune{jobs}_warnings"] = np.array(t.warnings_, dtype=str)
    out[f"tune{jobs}_threads"] = np.array(most[0])
np.savez(OUT, **out)
"""


def test_deterministic_across_threads(tmp_path):
    """1 and 2 worker threads give bitwise the same fit and tuning run, with
    a second worker thread really running (not the one-worker fallback)."""
    r = run_python(_THREADS_CHILD, tmp_path / "threads.npz", env={"OPENBLAS_NUM_THREADS": "1"})
    assert r["blas_threads"] == 1
    for what in ("fit", "tune"):
        assert r[f"{what}2_threads"] > r[f"{what}1_threads"], (
            f"{what}: {r[what + '2_threads']} threads with n_jobs=2, "
            f"{r[what + '1_threads']} with n_jobs=1")
    assert not any("oversubscribe" in w for w in r["tune2_warnings"]), r["tune2_warnings"]
    for name in ("fit_W", "fit_H", "fit_beta", "tune_W", "tune_beta", "tune_index"):
        a, b = r[name.replace("_", "1_", 1)], r[name.replace("_", "2_", 1)]
        assert a.shape == b.shape and np.array_equal(a, b), name
    h1, h2 = r["tune1_history"], r["tune2_history"]
    assert h1.shape == h2.shape == (6, 15)
    # bitwise, NaNs included (a fold without events has no C-index)
    assert h1.tobytes() == h2.tobytes()


def test_rule_int_passthrough(tuned, data):
    with small_tuner(rule=1) as t:  # 1 == "1se"
        t.fit(data.X, data.time, data.event)
        assert t.best_index_ == tuned.best_index_
    with small_tuner(rule="max") as t:
        t.fit(data.X, data.time, data.event)
        h = t.history_
        assert t.best_score_ == np.nanmax(h["mean"])
    with pytest.raises(desurv.OptionError) as ei:
        small_tuner(rule=99).fit(data.X, data.time, data.event)
    assert "rule=99" in str(ei.value)
    with pytest.raises(desurv.OptionError):
        small_tuner(rule="best").fit(data.X, data.time, data.event)


def test_grid_search(data, history_mode):
    with small_tuner(method="grid", grid={"k": [2, 3], "alpha": [0.3, 0.6]}, bounds=None) as t:
        t.fit(data.X, data.time, data.event)
        h = t.history_
        check_history_type(h, history_mode)
        assert nrows(h) == 4 and t.surface_ is None
        assert sorted(zip(column(h, "k"), column(h, "alpha"))) == [(2, 0.3), (2, 0.6), (3, 0.3),
                                                                  (3, 0.6)]
        assert np.all(column(h, "lambda_") == 0.1)  # the estimator's value
    with pytest.raises(desurv.OptionError) as ei:
        small_tuner(method="grid", grid={"k": [2]}, rule="lcb").fit(data.X, data.time,
                                                                      data.event)
    assert "lcb" in str(ei.value)


def test_fixed_and_unsearched_bounds(data, history_mode):
    est = desurv.DeSurv(2, maxit=30, n_init=2, nu=0.25)
    with small_tuner(bounds={"k": 2, "nu": None, "lambda": (0.01, 1.0)}, estimator=est,
                     alpha_scale="linear", n_init_points=3, n_iter=1) as t:
        t.fit(data.X, data.time, data.event)
        h = t.history_
        check_history_type(h, history_mode)
        assert np.all(column(h, "k") == 2) and np.all(column(h, "nu") == 0.25)
        lam = column(h, "lambda_")
        assert np.all((lam >= 0.01) & (lam <= 1.0))
        assert list(t.surface_["k"]) == [2]
        assert t.best_model_.nu == 0.25
    assert est.get_params()["k"] == 2 and est._handle is None  # estimator untouched


def test_folds_and_strata(data):
    folds = np.arange(70) % 3
    with small_tuner(folds=folds, n_iter=0) as t:
        t.fit(data.X, data.time, data.event)
        assert np.array_equal(t.folds_, folds)
    strata = np.where(np.arange(70) < 35, "cohortA", "cohortB")
    with small_tuner(strata=strata, n_iter=0) as t:
        t.fit(data.X, data.time, data.event)
        assert t.folds_.shape == (70,)
    with pytest.raises(desurv.InputError):
        small_tuner(folds=folds[:10]).fit(data.X, data.time, data.event)


def test_params_protocol():
    t = desurv.DeSurvTuner(n_folds=4, rule="max")
    p = t.get_params(deep=False)
    assert p["n_folds"] == 4 and p["rule"] == "max" and p["estimator"] is None
    assert list(p) == ["bounds", "n_folds", "n_starts", "n_init_points", "n_iter", "rule",
                       "method", "grid", "start_mode", "alpha_scale", "xi", "lcb_z", "pool",
                       "batch", "random_state", "n_jobs", "estimator", "folds", "strata",
                       "progress"]
    t2 = desurv.DeSurvTuner(**p)
    assert t2.get_params(deep=False) == p
    t.set_params(n_iter=3, estimator__maxit=7)
    assert t.n_iter == 3 and t.estimator.maxit == 7
    assert t.get_params()["estimator__maxit"] == 7
    assert repr(t).startswith("DeSurvTuner(bounds=None, n_folds=4")
    with pytest.raises(ValueError):
        t.set_params(n_fold=3)


def test_history_without_pandas_matches_dataframe(monkeypatch, data):
    """Without pandas history_ is a dict with the DataFrame's columns, in
    order, each the column's values (bitwise) and dtype as a numpy array."""
    pd = pytest.importorskip("pandas")
    with small_tuner(n_init_points=3, n_iter=1) as t:
        t.fit(data.X, data.time, data.event)
        df = t.history_
        monkeypatch.setattr(_tune, "_pandas", lambda: None)
        t.fit(data.X, data.time, data.event)
        h = t.history_
    assert isinstance(df, pd.DataFrame) and isinstance(h, dict)
    assert list(h) == list(df.columns) == COLS + ["fold_0", "fold_1", "fold_2", "recon",
                                                  "recon_se"]
    for name in df.columns:
        v = h[name]
        assert isinstance(v, np.ndarray) and v.shape == (4,), name
        assert v.dtype == df[name].dtype, name
        assert v.tobytes() == df[name].to_numpy().tobytes(), name


_NO_PANDAS_CHILD = """
import numpy as np
import desurv

d = desurv.simulate("R0", 5, n_genes=300, n_samples=70, k=2)
with desurv.DeSurvTuner(bounds={"k": (2, 3)}, n_folds=3, n_starts=2, n_init_points=3,
                        n_iter=1, estimator=desurv.DeSurv(2, maxit=30, n_init=2)) as t:
    t.fit(d.X, d.time, d.event)
    h = t.history_
    assert isinstance(h, dict), type(h)
    assert all(isinstance(v, np.ndarray) for v in h.values())
    np.savez(OUT, __columns__=np.array(list(h)), **h)
"""


def test_history_without_pandas_installed(tmp_path, data):
    """The real case: `import pandas` fails (in a new interpreter, where it
    is hidden before the binding loads), and history_ is the same dict the
    patched tests check, with the values of a run in this process."""
    r = run_python(_NO_PANDAS_CHILD, tmp_path / "h.npz", hide_pandas=True)
    cols = list(r.pop("__columns__"))
    assert cols == COLS + ["fold_0", "fold_1", "fold_2", "recon", "recon_se"]
    assert column(r, "k").dtype == np.int64 and column(r, "ntop").dtype == np.int64
    with small_tuner(n_init_points=3, n_iter=1) as t:
        t.fit(data.X, data.time, data.event)
        # same environment, BLAS and thread count as the child: bitwise equal
        assert np.array_equal(matrix(t.history_), np.column_stack(
            [r[c].astype(float) for c in cols]), equal_nan=True)


def test_close_and_context(data):
    t = small_tuner(n_init_points=3, n_iter=0)
    with pytest.raises(desurv.NotFittedError):
        t.predict(data.X)
    with t:
        t.fit(data.X, data.time, data.event)
        model = t.best_model_
    with pytest.raises(desurv.NotFittedError):
        t.predict(data.X)
    with pytest.raises(desurv.NotFittedError):
        model.predict(data.X)
    t.close()
    t.fit(data.X, data.time, data.event)  # usable again
    assert t.predict(data.X).shape == (70,)
    keep = t.best_model_
    t.best_model_ = None
    t.close()
    assert keep.predict(data.X).shape == (70,)  # taken out before close: still usable
    keep.close()


def test_zero_copy(monkeypatch, data):
    seen = []
    real = _tune.lib.desurv_tune

    class Proxy:
        def __getattr__(self, name):
            if name == "desurv_tune":
                return lambda *a: (seen.append(ctypes.cast(a[2], ctypes.c_void_p).value),
                                   real(*a))[1]
            return getattr(lib, name)

    monkeypatch.setattr(_tune, "lib", Proxy())
    with small_tuner(n_init_points=2, n_iter=0) as t:
        t.fit(data.X, data.time, data.event)
    assert seen == [data.X.ctypes.data]


def test_ntop_search_sets_model_default(tmp_path, data, history_mode):
    with small_tuner(bounds={"k": 2, "ntop": (5, 50)}, n_init_points=3, n_iter=0) as t:
        t.fit(data.X, data.time, data.event)
        ntop = t.best_params_["ntop"]
        assert isinstance(ntop, int) and 5 <= ntop <= 50
        check_history_type(t.history_, history_mode)
        nt = column(t.history_, "ntop")
        assert np.all((nt >= 5) & (nt <= 50))
        m = t.best_model_
        lp = m.predict(data.X)
        assert np.array_equal(lp, m.predict(data.X, ntop=ntop))
        assert not np.array_equal(lp, m.predict(data.X, ntop=0))
        m.save(tmp_path / "ntop.model")
    with desurv.DeSurv.load(tmp_path / "ntop.model") as m2:
        assert np.array_equal(m2.predict(data.X), lp)
        m2.fit(data.X, data.time, data.event)  # a new fit drops the tuned default
        assert np.array_equal(m2.predict(data.X), m2.predict(data.X, ntop=0))


def test_rule_1se_recon_chooses_the_lowest_reconstruction_on_the_plateau(data, history_mode):
    with small_tuner(rule="1se-recon") as t:
        t.fit(data.X, data.time, data.event)
        h = t.history_
        check_history_type(h, history_mode)
        mean, se, recon = column(h, "mean"), column(h, "se"), column(h, "recon")
        best = np.nanargmax(mean)
        plateau = mean >= mean[best] - se[best]
        assert np.isfinite(recon).all() and (recon >= 0).all()
        assert plateau[t.best_index_]
        assert recon[t.best_index_] == recon[plateau].min()


def _parsimony_choice(h):
    """Rule 1se-parsimony written out from its documentation (finite
    values only, as the tuner records them here); h: name -> numpy column."""
    def simpler(i):  # smaller alpha, larger lambda, smaller nu, earlier
        return (h["alpha"][i], -h["lambda_"][i], h["nu"][i], i)

    def by_mean(i):
        return (-h["mean"][i], h["k"][i]) + simpler(i)

    idx = list(range(len(h["mean"])))
    best = min(idx, key=by_mean)
    plateau = [i for i in idx if h["mean"][i] >= h["mean"][best] - h["se"][best]]
    r = min(plateau, key=lambda i: (h["recon"][i],) + by_mean(i))
    k = min(h["k"][i] for i in plateau if h["recon"][i] <= h["recon"][r] + h["recon_se"][r])
    kb = min((i for i in idx if h["k"][i] == k), key=by_mean)
    band = [i for i in idx if h["k"][i] == k and h["mean"][i] >= h["mean"][kb] - h["se"][kb]]
    return min(band, key=simpler)


def test_rule_1se_parsimony(data, history_mode):
    grid = {"k": [2, 3], "alpha": [0.2, 0.5, 0.9]}
    with small_tuner(method="grid", grid=grid, bounds=None, rule="1se-parsimony") as t:
        t.fit(data.X, data.time, data.event)
        check_history_type(t.history_, history_mode)
        h = {c: column(t.history_, c) for c in columns(t.history_)}
        assert nrows(t.history_) == 6
        assert all(np.isfinite(h[c]).all() for c in ("mean", "se", "recon", "recon_se"))
        assert t.best_index_ == _parsimony_choice(h)
        chosen = t.best_index_
    with small_tuner(method="grid", grid=grid, bounds=None, rule=4) as t:
        t.fit(data.X, data.time, data.event)
        assert t.best_index_ == chosen
