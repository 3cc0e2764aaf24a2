"""pandas input (gene and sample names through W_, H_, model files), top genes
and factor-restricted prediction."""
import ctypes

import numpy as np
import pytest

import desurv
from desurv import _core
from desurv import _errors as E
from desurv._lib import lib

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def data():
    return desurv.simulate("R0", 13, n_genes=250, n_samples=60, k=2)


@pytest.fixture(scope="module")
def frame(data):
    genes = [f"GENE{g:03d}" for g in range(250)]
    samples = [f"TCGA-{j:02d}" for j in range(60)]
    return pd.DataFrame(data.X, index=samples, columns=genes)


@pytest.fixture(scope="module")
def pdfit(frame, data):
    m = desurv.DeSurv(2, maxit=40, n_init=3).fit(frame, data.time, data.event)
    yield m
    m.close()


def test_dataframe_fit_keeps_names(pdfit, frame, data):
    m = pdfit
    assert isinstance(m.W_, pd.DataFrame) and isinstance(m.H_, pd.DataFrame)
    assert list(m.W_.index) == list(frame.columns)
    assert list(m.W_.columns) == ["factor_1", "factor_2"]
    assert list(m.H_.index) == ["factor_1", "factor_2"]
    assert list(m.H_.columns) == list(frame.index)
    assert m.feature_names_in_.dtype == object
    assert list(m.feature_names_in_) == list(frame.columns)
    # names are stored in the model itself
    h = m._handle
    assert lib.desurv_model_names_count(h, E.DESURV_NAMES_GENES) == 250
    assert lib.desurv_model_name(h, E.DESURV_NAMES_GENES, 7) == b"GENE007"
    assert lib.desurv_model_name(h, E.DESURV_NAMES_SAMPLES, 59) == b"TCGA-59"
    # same numbers as the array fit, bit for bit
    with desurv.DeSurv(2, maxit=40, n_init=3) as a:
        a.fit(data.X, data.time, data.event)
        assert isinstance(a.W_, np.ndarray) and not hasattr(a, "feature_names_in_")
        assert np.array_equal(m.W_.to_numpy(), a.W_)
        assert np.array_equal(m.H_.to_numpy(), a.H_)
        assert np.array_equal(m.beta_, a.beta_)
        assert np.array_equal(m.predict(frame), a.predict(data.X))


def test_dataframe_zero_copy(monkeypatch, frame, data):
    values, genes, samples = _core.frame_parts(frame)
    assert np.shares_memory(values, data.X)
    arr, n, p, ldx = _core.as_library_matrix(values)
    assert arr.ctypes.data == data.X.ctypes.data and (n, p, ldx) == (60, 250, 250)
    seen = []
    real = _core.lib.desurv_fit

    class Proxy:
        def __getattr__(self, name):
            if name == "desurv_fit":
                return lambda *a: (seen.append(ctypes.cast(a[1], ctypes.c_void_p).value),
                                   real(*a))[1]
            return getattr(lib, name)

    monkeypatch.setattr(_core, "lib", Proxy())
    with desurv.DeSurv(2, maxit=3, n_init=1) as m:
        m.fit(frame, data.time, data.event)
    assert seen == [data.X.ctypes.data]
    # a frame built column by column holds each gene contiguously: copied once
    by_column = pd.DataFrame({g: frame[g].to_numpy().copy() for g in frame.columns})
    v2 = _core.frame_parts(by_column)[0]
    arr2 = _core.as_library_matrix(v2)[0]
    assert arr2.flags.c_contiguous and not np.shares_memory(arr2, v2)


def test_predict_reorders_by_name(pdfit, frame):
    lp = pdfit.predict(frame)
    shuffled = frame[list(reversed(frame.columns))]
    assert np.array_equal(pdfit.predict(shuffled), lp)
    with pytest.raises(desurv.InputError) as ei:
        pdfit.predict(frame.drop(columns=["GENE010", "GENE020"]))
    assert "GENE010" in str(ei.value)
    renamed = frame.rename(columns={"GENE005": "OTHER"})
    with pytest.raises(desurv.InputError) as ei:
        pdfit.predict(renamed)
    assert "GENE005" in str(ei.value)
    extra = frame.assign(EXTRA=1.0)
    with pytest.raises(desurv.InputError) as ei:
        pdfit.predict(extra)
    assert "EXTRA" in str(ei.value)
    # an array is taken in the model's order
    assert np.array_equal(pdfit.predict(frame.to_numpy()), lp)


def test_save_load_restores_names(tmp_path, pdfit, frame):
    path = tmp_path / "named.model"
    pdfit.save(path)
    with desurv.DeSurv.load(path) as m:
        assert list(m.feature_names_in_) == list(frame.columns)
        assert isinstance(m.W_, pd.DataFrame) and m.W_.equals(pdfit.W_)
        assert isinstance(m.H_, pd.DataFrame) and list(m.H_.columns) == list(frame.index)
        assert np.array_equal(m.predict(frame[frame.columns[::-1]]), pdfit.predict(frame))


def test_array_refit_drops_names(tmp_path, frame, data):
    with desurv.DeSurv(2, maxit=10, n_init=1) as m:
        m.fit(frame, data.time, data.event)
        assert hasattr(m, "feature_names_in_")
        m.fit(data.X, data.time, data.event)
        assert not hasattr(m, "feature_names_in_") and isinstance(m.W_, np.ndarray)
        assert lib.desurv_model_names_count(m._handle, E.DESURV_NAMES_GENES) == 0
        m.save(tmp_path / "plain.model")
    with desurv.DeSurv.load(tmp_path / "plain.model") as m2:
        assert not hasattr(m2, "feature_names_in_") and isinstance(m2.W_, np.ndarray)


def test_non_string_labels_and_unicode(data):
    df = pd.DataFrame(data.X[:, :50], columns=list(range(50)))
    df.columns = [f"ß{c}" if c % 2 else c for c in range(50)]
    with desurv.DeSurv(2, maxit=5, n_init=1) as m:
        m.fit(df, data.time, data.event)
        assert m.feature_names_in_[0] == "0" and m.feature_names_in_[1] == "ß1"
        assert list(m.H_.columns) == [str(i) for i in range(60)]


def test_tuner_on_dataframe(frame, data):
    t = desurv.DeSurvTuner(bounds={"k": 2}, n_folds=3, n_starts=1, n_init_points=2, n_iter=0,
                           estimator=desurv.DeSurv(2, maxit=20, n_init=1))
    with t:
        t.fit(frame, data.time, data.event)
        assert list(t.feature_names_in_) == list(frame.columns)
        assert isinstance(t.best_model_.W_, pd.DataFrame)
        assert list(t.best_model_.W_.index) == list(frame.columns)
        assert np.array_equal(t.predict(frame[frame.columns[::-1]]), t.predict(data.X))
        tg = desurv.top_genes(t, 3)
        assert tg.names.shape == (3, 2)


def test_top_genes(pdfit):
    tg = desurv.top_genes(pdfit, 10)
    assert tg.index.shape == (10, 2) and tg.index.dtype == np.int64
    assert tg.score.shape == (10, 2) and tg.score.dtype == np.float64
    assert np.all(np.diff(tg.score, axis=0) <= 0)  # best first
    # definition: columns scaled to max 1, w_gr - max of the other factor
    W = pdfit.W_.to_numpy()
    Ws = W / W.max(axis=0)
    s0 = Ws[:, 0] - Ws[:, 1]
    assert list(tg.index[:, 0]) == list(np.argsort(-s0, kind="stable")[:10])
    np.testing.assert_allclose(tg.score[:, 0], s0[tg.index[:, 0]], rtol=0, atol=1e-12)
    assert tg.names[3, 1] == pdfit.feature_names_in_[tg.index[3, 1]]
    f = tg.to_frame()
    assert list(f.columns) == ["factor", "rank", "gene", "name", "score"] and len(f) == 20
    assert f.iloc[0].tolist() == [1, 1, tg.index[0, 0], tg.names[0, 0], tg.score[0, 0]]
    assert f.iloc[10]["factor"] == 2 and f.iloc[10]["rank"] == 1


def test_top_genes_without_names_and_errors(data):
    with desurv.DeSurv(2, maxit=10, n_init=1) as m:
        with pytest.raises(desurv.NotFittedError):
            desurv.top_genes(m, 5)
        m.fit(data.X, data.time, data.event)
        tg = desurv.top_genes(m, 5)
        assert tg.names is None and tg.to_frame()["name"].isna().all()
        for bad in (0, -1, 251, 2.5, "3", True):
            with pytest.raises(desurv.InputError) as ei:
                desurv.top_genes(m, bad)
            assert "ntop" in str(ei.value)
        assert desurv.top_genes(m, 250).index.shape == (250, 2)


def test_predict_ntop(pdfit, frame, data):
    W = pdfit.W_.to_numpy()
    tg = desurv.top_genes(pdfit, 15)
    X = data.X
    want = sum(pdfit.beta_[r] * (X[:, tg.index[:, r]] @ W[tg.index[:, r], r]) for r in range(2))
    got = pdfit.predict(frame, ntop=15)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert np.array_equal(pdfit.predict(frame, ntop=0), pdfit.predict(frame))
    for bad in (-1, 251, 1.5):
        with pytest.raises(desurv.InputError):
            pdfit.predict(frame, ntop=bad)
