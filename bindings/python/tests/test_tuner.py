"""DeSurvTuner: attributes, options, bit-identity with the C API, determinism."""
import ctypes

import numpy as np
import pytest

import desurv
from desurv import _errors as E
from desurv import _tune
from desurv._lib import lib, c_double_p, c_int32_p

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
def tuned(data):
    t = small_tuner().fit(data.X, data.time, data.event)
    yield t
    t.close()


def test_attributes(tuned, data):
    t = tuned
    h = t.history_
    assert list(h.columns) == COLS + ["fold_0", "fold_1", "fold_2", "recon", "recon_se"]
    assert len(h) == 6  # 4 design points + 2 BO steps, in evaluation order
    assert h["k"].dtype == np.int64 and h["ntop"].dtype == np.int64
    assert set(h["k"]) <= {2, 3}
    assert list(t.best_params_) == ["k", "alpha", "lambda_", "nu", "lambda_w", "lambda_h",
                                    "ntop"]
    assert isinstance(t.best_params_["k"], int) and isinstance(t.best_params_["ntop"], int)
    assert isinstance(t.best_index_, int) and 0 <= t.best_index_ < len(h)
    row = h.iloc[t.best_index_]
    assert t.best_score_ == row["mean"]
    for name in ("k", "alpha", "lambda_", "nu"):
        assert t.best_params_[name] == row[name]
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
    ours = tuned.history_.to_numpy(dtype=float)
    assert ours.shape == hist.shape
    assert np.array_equal(ours, hist, equal_nan=True)
    assert tuned.best_index_ == idx
    assert np.array_equal(tuned.best_model_.W_, W)
    assert np.array_equal(tuned.best_model_.beta_, beta)


def test_deterministic_across_threads(tuned, data):
    with small_tuner(n_jobs=2) as t2:
        t2.fit(data.X, data.time, data.event)
        assert np.array_equal(t2.history_.to_numpy(dtype=float),
                              tuned.history_.to_numpy(dtype=float), equal_nan=True)
        assert t2.best_params_ == tuned.best_params_
        assert np.array_equal(t2.best_model_.W_, tuned.best_model_.W_)
        assert np.array_equal(t2.best_model_.beta_, tuned.best_model_.beta_)
        # refit with the same object: same answer
        t2.fit(data.X, data.time, data.event)
        assert np.array_equal(t2.best_model_.W_, tuned.best_model_.W_)


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


def test_grid_search(data):
    with small_tuner(method="grid", grid={"k": [2, 3], "alpha": [0.3, 0.6]}, bounds=None) as t:
        t.fit(data.X, data.time, data.event)
        h = t.history_
        assert len(h) == 4 and t.surface_ is None
        assert sorted(zip(h["k"], h["alpha"])) == [(2, 0.3), (2, 0.6), (3, 0.3), (3, 0.6)]
        assert (h["lambda_"] == 0.1).all()  # the estimator's value
    with pytest.raises(desurv.OptionError) as ei:
        small_tuner(method="grid", grid={"k": [2]}, rule="lcb").fit(data.X, data.time,
                                                                      data.event)
    assert "lcb" in str(ei.value)


def test_fixed_and_unsearched_bounds(data):
    est = desurv.DeSurv(2, maxit=30, n_init=2, nu=0.25)
    with small_tuner(bounds={"k": 2, "nu": None, "lambda": (0.01, 1.0)}, estimator=est,
                     alpha_scale="linear", n_init_points=3, n_iter=1) as t:
        t.fit(data.X, data.time, data.event)
        h = t.history_
        assert (h["k"] == 2).all() and (h["nu"] == 0.25).all()
        assert h["lambda_"].between(0.01, 1.0).all()
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


def test_history_without_pandas(monkeypatch, data):
    monkeypatch.setattr(_tune, "_pandas", lambda: None)
    with small_tuner(n_init_points=3, n_iter=0) as t:
        t.fit(data.X, data.time, data.event)
        h = t.history_
        assert isinstance(h, dict) and list(h) == COLS + ["fold_0", "fold_1", "fold_2", "recon", "recon_se"]
        assert all(isinstance(v, np.ndarray) and v.shape == (3,) for v in h.values())


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


def test_ntop_search_sets_model_default(tmp_path, data):
    with small_tuner(bounds={"k": 2, "ntop": (5, 50)}, n_init_points=3, n_iter=0) as t:
        t.fit(data.X, data.time, data.event)
        ntop = t.best_params_["ntop"]
        assert isinstance(ntop, int) and 5 <= ntop <= 50
        assert t.history_["ntop"].between(5, 50).all()
        m = t.best_model_
        lp = m.predict(data.X)
        assert np.array_equal(lp, m.predict(data.X, ntop=ntop))
        assert not np.array_equal(lp, m.predict(data.X, ntop=0))
        m.save(tmp_path / "ntop.model")
    with desurv.DeSurv.load(tmp_path / "ntop.model") as m2:
        assert np.array_equal(m2.predict(data.X), lp)
        m2.fit(data.X, data.time, data.event)  # a new fit drops the tuned default
        assert np.array_equal(m2.predict(data.X), m2.predict(data.X, ntop=0))


def test_rule_1se_recon_chooses_the_lowest_reconstruction_on_the_plateau(data):
    with small_tuner(rule="1se-recon") as t:
        t.fit(data.X, data.time, data.event)
        h = t.history_
        best = h["mean"].idxmax()
        plateau = h[h["mean"] >= h["mean"][best] - h["se"][best]]
        assert np.isfinite(h["recon"]).all() and (h["recon"] >= 0).all()
        assert t.best_index_ in plateau.index
        assert h["recon"][t.best_index_] == plateau["recon"].min()


def _parsimony_choice(h):
    """Rule 1se-parsimony written out from its documentation (finite
    values only, as the tuner records them here)."""
    def simpler(i):  # smaller alpha, larger lambda, smaller nu, earlier
        return (h["alpha"][i], -h["lambda_"][i], h["nu"][i], i)

    def by_mean(i):
        return (-h["mean"][i], h["k"][i]) + simpler(i)

    idx = list(range(len(h)))
    best = min(idx, key=by_mean)
    plateau = [i for i in idx if h["mean"][i] >= h["mean"][best] - h["se"][best]]
    r = min(plateau, key=lambda i: (h["recon"][i],) + by_mean(i))
    k = min(h["k"][i] for i in plateau if h["recon"][i] <= h["recon"][r] + h["recon_se"][r])
    kb = min((i for i in idx if h["k"][i] == k), key=by_mean)
    band = [i for i in idx if h["k"][i] == k and h["mean"][i] >= h["mean"][kb] - h["se"][kb]]
    return min(band, key=simpler)


def test_rule_1se_parsimony(data):
    grid = {"k": [2, 3], "alpha": [0.2, 0.5, 0.9]}
    with small_tuner(method="grid", grid=grid, bounds=None, rule="1se-parsimony") as t:
        t.fit(data.X, data.time, data.event)
        h = t.history_.reset_index(drop=True)
        assert len(h) == 6 and np.isfinite(h[["mean", "se", "recon", "recon_se"]]).all().all()
        assert t.best_index_ == _parsimony_choice(h)
        chosen = t.best_index_
    with small_tuner(method="grid", grid=grid, bounds=None, rule=4) as t:
        t.fit(data.X, data.time, data.event)
        assert t.best_index_ == chosen
