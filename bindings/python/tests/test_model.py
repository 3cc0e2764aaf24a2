import ctypes
import gc
import tracemalloc

import numpy as np
import pytest

import desurv
from desurv import _core


def test_simulate_shapes(small_data):
    d = small_data
    assert d.X.shape == (60, 300) and d.X.flags.c_contiguous
    assert d.time.shape == (60,) and d.event.shape == (60,)
    assert d.W_true.shape == (300, 2)
    assert d.split.dtype == bool and d.split.sum() == round(0.7 * 60)
    assert set(np.unique(d.event)) <= {0, 1} and d.event.sum() > 0
    again = desurv.simulate("R0", 7, n_genes=300, n_samples=60, k=2)
    assert np.array_equal(again.X, d.X)
    assert d["X"] is d.X


def test_fit_attributes(fitted, small_data):
    m, d = fitted, small_data
    assert m.W_.shape == (300, 2) and m.H_.shape == (2, 60) and m.beta_.shape == (2,)
    assert np.all(np.isfinite(m.W_)) and np.all(np.isfinite(m.beta_))
    assert np.all(m.W_ >= 0)
    np.testing.assert_allclose(np.linalg.norm(m.W_, axis=0), 1.0, atol=1e-12)
    assert 1 <= m.n_iter_ <= 50
    assert len(m.loss_trace_) == m.n_iter_ + 1
    assert np.all(np.diff(m.loss_trace_) <= 1e-12 * np.abs(m.loss_trace_[:-1]))
    assert isinstance(m.converged_, bool)


def test_predict(fitted, small_data):
    m, d = fitted, small_data
    lp = m.predict(d.X)
    np.testing.assert_allclose(lp, d.X @ m.W_ @ m.beta_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(m.predict_risk(d.X), np.exp(lp))
    assert m.score(d.X, d.time, d.event) == desurv.concordance_index(d.time, d.event, lp)
    # other layouts give the same answer
    assert np.array_equal(m.predict(np.asfortranarray(d.X)), lp)
    np.testing.assert_allclose(m.predict(d.X.astype(np.float32)), lp, rtol=1e-6)
    assert np.array_equal(m.predict(d.X.tolist()), lp)


def test_fit_is_deterministic_and_layout_independent(small_data):
    d = small_data
    with desurv.DeSurv(2, maxit=20, n_init=2) as a, desurv.DeSurv(2, maxit=20, n_init=2) as b:
        a.fit(d.X, d.time, d.event)
        b.fit(np.asfortranarray(d.X), d.time.tolist(), d.event.astype(bool))
        assert np.array_equal(a.W_, b.W_) and np.array_equal(a.beta_, b.beta_)


def _capture_pointer(monkeypatch, name):
    seen = []
    real = getattr(_core.lib, name)

    class Spy:
        def __call__(self, *args):
            seen.append(ctypes.cast(args[1], ctypes.c_void_p).value)
            return real(*args)

    monkeypatch.setattr(_core, "lib", _LibProxy(_core.lib, name, Spy()))
    return seen


class _LibProxy:
    def __init__(self, lib, name, fn):
        self._lib, self._name, self._fn = lib, name, fn

    def __getattr__(self, attr):
        return self._fn if attr == self._name else getattr(self._lib, attr)


def test_zero_copy_pointer(monkeypatch, small_data):
    d = small_data
    seen = _capture_pointer(monkeypatch, "desurv_fit")
    with desurv.DeSurv(2, maxit=5, n_init=1) as m:
        m.fit(d.X, d.time, d.event)
    assert seen == [d.X.ctypes.data]


def test_zero_copy_column_slice(monkeypatch, small_data):
    d = small_data
    wide = np.zeros((60, 310))
    wide[:, 5:305] = d.X
    view = wide[:, 5:305]
    assert not view.flags.c_contiguous
    arr, n, p, ldx = _core.as_library_matrix(view)
    assert arr.ctypes.data == wide.ctypes.data + 5 * 8 and (n, p, ldx) == (60, 300, 310)
    with desurv.DeSurv(2, maxit=10, n_init=1) as a, desurv.DeSurv(2, maxit=10, n_init=1) as b:
        a.fit(view, d.time, d.event)
        b.fit(d.X, d.time, d.event)
        assert np.array_equal(a.W_, b.W_)


def test_zero_copy_tracemalloc(small_data):
    d = small_data
    X = np.ascontiguousarray(np.tile(d.X, (1, 20)))  # 60 x 6000: 2.9 MB
    m = desurv.DeSurv(2, maxit=2, n_init=1)
    tracemalloc.start()
    try:
        m.fit(X, d.time, d.event)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        m.close()
    assert peak < X.nbytes / 4, (peak, X.nbytes)


def test_converted_layouts_copy(small_data):
    d = small_data
    for X in (np.asfortranarray(d.X), d.X.astype(np.float32), d.X.astype(">f8"),
              d.X[:, ::2], d.X.tolist()):
        arr, n, p, ldx = _core.as_library_matrix(X)
        assert arr.flags.c_contiguous and arr.dtype == np.float64 and ldx == p
        assert arr.ctypes.data != d.X.ctypes.data
    # every other sample: rows still contiguous, passed with ldx = 2 p
    arr, n, p, ldx = _core.as_library_matrix(d.X[::2])
    assert arr.ctypes.data == d.X.ctypes.data and (n, p, ldx) == (30, 300, 600)


def test_nan_in_X(small_data):
    d = small_data
    X = d.X.copy()
    X[4, 17] = np.nan
    with desurv.DeSurv(2, maxit=5) as m:
        with pytest.raises(desurv.InputError) as ei:
            m.fit(X, d.time, d.event)
    assert ei.value.code == desurv._errors.DESURV_E_NONFINITE
    msg = str(ei.value)
    assert "17" in msg and "4" in msg and "NaN" in msg, msg


def test_rank_too_large(small_data):
    d = small_data
    with desurv.DeSurv(61, maxit=5) as m:
        with pytest.raises(desurv.InputError) as ei:
            m.fit(d.X, d.time, d.event)
    assert ei.value.code == desurv._errors.DESURV_E_RANK
    assert "61" in str(ei.value)


def test_other_input_errors(small_data):
    d = small_data
    with desurv.DeSurv(2, maxit=5) as m:
        with pytest.raises(desurv.InputError):
            m.fit(-d.X, d.time, d.event)
        with pytest.raises(desurv.InputError):
            m.fit(d.X, d.time, np.zeros(60, dtype=int))
        with pytest.raises(desurv.InputError):
            m.fit(d.X, d.time[:10], d.event)


def test_option_errors(small_data):
    d = small_data
    for bad in (dict(alpha=1.0), dict(maxit=0), dict(ties="exact"), dict(n_jobs=1000)):
        with desurv.DeSurv(2, **bad) as m:
            with pytest.raises(desurv.OptionError) as ei:
                m.fit(d.X, d.time, d.event)
            assert list(bad)[0] in str(ei.value)


def test_not_fitted_and_closed(small_data):
    d = small_data
    m = desurv.DeSurv(2)
    with pytest.raises(desurv.NotFittedError):
        m.predict(d.X)
    m.set_params(maxit=5, n_init=1).fit(d.X, d.time, d.event)
    lp = m.predict(d.X)
    m.close()
    m.close()
    with pytest.raises(desurv.NotFittedError):
        m.predict(d.X)
    m.fit(d.X, d.time, d.event)  # usable again
    assert np.array_equal(m.predict(d.X), lp)
    del m
    gc.collect()


def test_predict_mismatch(fitted, small_data):
    with pytest.raises(desurv.InputError):
        fitted.predict(small_data.X[:, :100])
    X = small_data.X.copy()
    X[2, 3] = np.inf
    with pytest.raises(desurv.InputError) as ei:
        fitted.predict(X)
    assert "X[2, 3]" in str(ei.value)


def test_save_load_roundtrip(tmp_path, fitted, small_data):
    path = tmp_path / "model.dsv"
    fitted.save(path)
    with desurv.DeSurv.load(path) as m2:
        assert np.array_equal(m2.predict(small_data.X), fitted.predict(small_data.X))
        assert np.array_equal(m2.W_, fitted.W_) and np.array_equal(m2.beta_, fitted.beta_)
        assert m2.get_params() == fitted.get_params()


def test_load_errors(tmp_path):
    bad = tmp_path / "bad.dsv"
    bad.write_bytes(b"not a model file at all")
    with pytest.raises(desurv.FileFormatError) as ei:
        desurv.DeSurv.load(bad)
    assert str(bad) in str(ei.value)
    with pytest.raises(desurv.ResourceError):
        desurv.DeSurv.load(tmp_path / "missing.dsv")


def test_params_roundtrip():
    m = desurv.DeSurv(3, alpha=0.2, ties="efron", init="nndsvd", random_state=5)
    p = m.get_params()
    assert p["k"] == 3 and p["alpha"] == 0.2 and p["ties"] == "efron"
    assert p["lambda_"] == 0.1 and p["n_init"] == 20 and p["n_jobs"] == 1
    m2 = desurv.DeSurv(1).set_params(**p)
    assert m2.get_params() == p
    assert desurv.DeSurv(**p).get_params() == p
    with pytest.raises(ValueError):
        m.set_params(lambda_x=1)


def test_offset_and_hstep(small_data):
    """offset_ is the per-gene baseline the library fitted: nonnegative,
    one per gene, zeros for offset="none"; the options round-trip through
    get_params and unknown values are refused."""
    import numpy as np
    import desurv
    d = small_data
    with desurv.DeSurv(2, maxit=30, n_init=2) as m:
        assert m.get_params()["offset"] == "gene" and m.get_params()["hstep"] == "exact"
        m.fit(d.X, d.time, d.event)
        assert m.offset_.shape == (d.X.shape[1],)
        assert np.all(m.offset_ >= 0) and m.offset_.sum() > 0
        assert np.all(np.diff(m.loss_trace_) <= 0)
    for hstep, wstep in (("hals", "hals"), ("mu", "mu")):
        with desurv.DeSurv(2, maxit=30, n_init=2, offset="none", hstep=hstep, wstep=wstep) as m:
            m.fit(d.X, d.time, d.event)
            assert np.all(m.offset_ == 0)
            assert np.all(np.diff(m.loss_trace_) <= 0)
    with pytest.raises(ValueError):
        desurv.DeSurv(2, offset="row").fit(d.X, d.time, d.event)
