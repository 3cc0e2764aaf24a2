"""Every error family is reachable from Python, maps to its class and carries
the library's detailed message; use after close() never crashes."""
import ctypes
import zlib

import numpy as np
import pytest

import desurv
from desurv import _core
from desurv import _errors as E
from desurv._lib import lib


@pytest.fixture(scope="module")
def data():
    return desurv.simulate("R0", 7, n_genes=100, n_samples=40, k=2)


@pytest.fixture(scope="module")
def model_bytes(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("m") / "ok.model"
    with desurv.DeSurv(2, maxit=5, n_init=1) as m:
        m.fit(data.X, data.time, data.event)
        m.save(path)
    return path.read_bytes()


def fit_error(data, X=None, time=None, event=None, **params):
    args = dict(maxit=5, n_init=1)
    args.update(params)
    k = args.pop("k", 2)
    with desurv.DeSurv(k, **args) as m:
        with pytest.raises(desurv.DesurvError) as ei:
            m.fit(data.X if X is None else X, data.time if time is None else time,
                  data.event if event is None else event)
    return ei.value


def test_nan_names_row_and_column(data):
    X = data.X.copy()
    X[6, 3] = np.nan
    e = fit_error(data, X=X)
    assert type(e) is desurv.InputError and e.code == E.DESURV_E_NONFINITE
    assert str(e) == "X[3, 6] (gene 4, sample 7) is NaN"


@pytest.mark.parametrize("case, code, text", [
    ("negative_time", E.DESURV_E_TIME, "time[5] = -1 is negative (sample 6)"),
    ("event_2", E.DESURV_E_EVENT, "event[3] = 2 is not 0 or 1 (sample 4)"),
    ("no_events", E.DESURV_E_NO_EVENTS, "no events among 40 samples"),
    ("negative_X", E.DESURV_E_NEGATIVE, "is negative"),
    ("rank", E.DESURV_E_RANK, "k = 50 exceeds min(p, n) = 40"),
    ("empty", E.DESURV_E_DIM, "both dimensions must be >= 1"),
    ("length", E.DESURV_E_DIM, "time has length 10, expected 40"),
])
def test_input_errors(data, case, code, text):
    kw = {}
    if case == "negative_time":
        t = data.time.copy()
        t[5] = -1
        kw = dict(time=t)
    elif case == "event_2":
        ev = data.event.copy()
        ev[3] = 2
        kw = dict(event=ev)
    elif case == "no_events":
        kw = dict(event=np.zeros(40, dtype=int))
    elif case == "negative_X":
        kw = dict(X=-data.X)
    elif case == "rank":
        kw = dict(k=50)
    elif case == "empty":
        kw = dict(X=np.zeros((0, 5)), time=[], event=[])
    elif case == "length":
        kw = dict(time=data.time[:10])
    e = fit_error(data, **kw)
    assert type(e) is desurv.InputError and e.code == code
    assert text in str(e) and e.message == str(e)
    assert isinstance(e, ValueError)


def test_option_errors(data):
    e = fit_error(data, tol=-1)
    assert type(e) is desurv.OptionError and e.code == E.DESURV_E_RANGE
    assert "tol=-1" in str(e) and "[0, 1]" in str(e)
    e = fit_error(data, ties="exact")
    assert type(e) is desurv.OptionError and "breslow" in str(e)


def tuner_error(data, **kw):
    args = dict(n_folds=2, n_starts=1, n_init_points=1, n_iter=0,
                estimator=desurv.DeSurv(2, maxit=5, n_init=1))
    args.update(kw)
    with desurv.DeSurvTuner(**args) as t:
        with pytest.raises(desurv.DesurvError) as ei:
            t.fit(data.X, data.time, data.event)
    return ei.value


@pytest.mark.parametrize("kw, cls, text", [
    (dict(bounds={"alpha": (0, 0.5)}), desurv.OptionError, "log-odds scale"),
    (dict(bounds={"k": (5, 2)}), desurv.OptionError, "k range [5, 2] is empty"),
    (dict(bounds={"lambda_": (0, 1)}), desurv.OptionError, "lower bound must be > 0"),
    (dict(bounds={"k": (2, 60)}), desurv.InputError, "k up to 60"),
    (dict(bounds={"gamma": (0, 1)}), desurv.OptionError, "unknown hyperparameter 'gamma'"),
    (dict(bounds={"k": (1, 2, 3)}), desurv.OptionError, "expected (lo, hi)"),
    (dict(n_folds=1), desurv.OptionError, "n_folds=1: tuner option folds = 1"),
    (dict(method="grid", grid={"alpha": [1.5]}), desurv.OptionError, "outside the option"),
    (dict(method="grid", rule="lcb"), desurv.OptionError, "rule lcb needs"),
    (dict(folds=np.full(40, 7)), desurv.OptionError, "fold 0 is empty"),
    (dict(method="annealing"), desurv.OptionError, "method='annealing'"),
    (dict(xi="big"), desurv.OptionError, "xi='big' is not a number"),
])
def test_tuner_errors(data, kw, cls, text):
    e = tuner_error(data, **kw)
    assert type(e) is cls, (type(e), str(e))
    assert text in str(e)


def test_tuner_input_error_message(data):
    X = data.X.copy()
    X[0, 3] = np.inf
    with desurv.DeSurvTuner(n_folds=2) as t:
        with pytest.raises(desurv.InputError) as ei:
            t.fit(X, data.time, data.event)
    assert ei.value.code == E.DESURV_E_NONFINITE and "X[3, 0]" in str(ei.value)


def test_not_fitted_and_use_after_close(data, tmp_path):
    m = desurv.DeSurv(2, maxit=5, n_init=1)
    calls = [lambda: m.predict(data.X), lambda: m.predict_risk(data.X),
             lambda: m.score(data.X, data.time, data.event), lambda: m.save(tmp_path / "x"),
             lambda: desurv.top_genes(m, 3), lambda: m.predict(data.X, ntop=3)]
    for f in calls:
        with pytest.raises(desurv.NotFittedError) as ei:
            f()
        assert ei.value.code == E.DESURV_E_NOT_FITTED and "fit" in str(ei.value)
    m.fit(data.X, data.time, data.event)
    m.close()
    for f in calls:
        with pytest.raises(desurv.NotFittedError):
            f()
    m.close()
    m.fit(data.X, data.time, data.event)
    assert m.predict(data.X).shape == (40,)
    m.close()
    t = desurv.DeSurvTuner()
    for f in (lambda: t.predict(data.X), lambda: t.score(data.X, data.time, data.event),
              lambda: desurv.top_genes(t, 3)):
        with pytest.raises(desurv.NotFittedError):
            f()
    t.close()
    t.close()


def test_model_file_errors(tmp_path, model_bytes):
    bad = tmp_path / "garbage.model"
    bad.write_bytes(b"not a model file at all")
    with pytest.raises(desurv.FileFormatError) as ei:
        desurv.DeSurv.load(bad)
    assert ei.value.code == E.DESURV_E_FORMAT and str(bad) in str(ei.value)

    trunc = tmp_path / "trunc.model"
    trunc.write_bytes(model_bytes[:100])
    with pytest.raises(desurv.FileFormatError) as ei:
        desurv.DeSurv.load(trunc)
    assert ei.value.code == E.DESURV_E_FORMAT and "truncated: 100 bytes" in str(ei.value)

    damaged = bytearray(model_bytes)
    damaged[len(damaged) // 2] ^= 0xFF
    path = tmp_path / "damaged.model"
    path.write_bytes(bytes(damaged))
    with pytest.raises(desurv.FileFormatError) as ei:
        desurv.DeSurv.load(path)
    assert ei.value.code == E.DESURV_E_CHECKSUM and "checksum mismatch" in str(ei.value)

    newer = bytearray(model_bytes)
    newer[8:12] = (3).to_bytes(4, "little")  # format version 3, after this library's
    newer[28:32] = zlib.crc32(bytes(newer[:28])).to_bytes(4, "little")
    path = tmp_path / "newer.model"
    path.write_bytes(bytes(newer))
    with pytest.raises(desurv.FileFormatError) as ei:
        desurv.DeSurv.load(path)
    assert ei.value.code == E.DESURV_E_VERSION and "format version 3" in str(ei.value)


def test_io_errors(tmp_path, data):
    with pytest.raises(desurv.ResourceError) as ei:
        desurv.DeSurv.load(tmp_path / "missing.model")
    assert ei.value.code == E.DESURV_E_IO and isinstance(ei.value, OSError)
    with desurv.DeSurv(2, maxit=5, n_init=1) as m:
        m.fit(data.X, data.time, data.event)
        with pytest.raises(desurv.ResourceError) as ei:
            m.save(tmp_path / "no" / "such" / "dir.model")
        assert ei.value.code == E.DESURV_E_IO and "No such file" in str(ei.value)


def test_cancelled_error(data):
    with desurv.DeSurv(2, maxit=20, n_init=2) as m:
        with pytest.raises(desurv.CancelledError) as ei:
            m.fit(data.X, data.time, data.event, progress=lambda *a: False)
        assert ei.value.code == E.DESURV_E_CANCELLED
        assert str(ei.value) == "desurv_fit cancelled by the progress callback"


def test_raw_c_cancellation(data):
    """A C-level callback returning nonzero: the status maps to CancelledError."""
    h = ctypes.c_void_p()
    _core._check(lib.desurv_model_new(ctypes.byref(h)))
    try:
        stop = desurv._lib.PROGRESS_FN(lambda *a: 1)
        lib.desurv_set_progress(h, stop, None)
        lib.desurv_set_option(h, E.DESURV_OPT_K, 2)
        X = data.X
        st = lib.desurv_fit(h, _core._dptr(X), 100, 40, 100, _core._dptr(data.time),
                            _core._iptr(np.ascontiguousarray(data.event, dtype=np.int32)))
        assert st == E.DESURV_E_CANCELLED
        with pytest.raises(desurv.CancelledError) as ei:
            _core._check(st, h)
        assert "cancelled" in str(ei.value)
    finally:
        lib.desurv_model_free(h)


def test_init_error_via_raw_option(data):
    """init = user without desurv_set_init: InitError with the library's message."""
    h = ctypes.c_void_p()
    _core._check(lib.desurv_model_new(ctypes.byref(h)))
    try:
        lib.desurv_set_option(h, E.DESURV_OPT_K, 2)
        lib.desurv_set_option(h, E.DESURV_OPT_INIT, 2)
        st = lib.desurv_fit(h, _core._dptr(data.X), 100, 40, 100, _core._dptr(data.time),
                            _core._iptr(np.ascontiguousarray(data.event, dtype=np.int32)))
        with pytest.raises(desurv.InitError) as ei:
            _core._check(st, h)
        assert ei.value.code == E.DESURV_E_INIT and str(ei.value)
    finally:
        lib.desurv_model_free(h)


def test_predict_errors(data):
    with desurv.DeSurv(2, maxit=5, n_init=1) as m:
        m.fit(data.X, data.time, data.event)
        with pytest.raises(desurv.InputError) as ei:
            m.predict(data.X[:, :50])
        assert ei.value.code == E.DESURV_E_MISMATCH and "50 genes" in str(ei.value)
        X = data.X.copy()
        X[2, 9] = np.nan
        with pytest.raises(desurv.InputError) as ei:
            m.predict(X)
        assert "X[2, 9]" in str(ei.value)


def test_every_status_has_its_class():
    families = {
        desurv.InputError: ["NULL", "DIM", "LD", "NONFINITE", "NEGATIVE", "TIME", "EVENT",
                            "NO_EVENTS", "RANK", "MISMATCH"],
        desurv.OptionError: ["OPTION", "RANGE"],
        desurv.NotFittedError: ["NOT_FITTED"],
        desurv.NumericError: ["NUMERIC", "LAPACK"],
        desurv.CancelledError: ["CANCELLED"],
        desurv.FileFormatError: ["FORMAT", "VERSION", "CHECKSUM"],
        desurv.ResourceError: ["NOMEM", "OVERFLOW", "BUFFER", "THREAD", "IO"],
        desurv.InitError: ["INIT"],
    }
    seen = set()
    for cls, names in families.items():
        for name in names:
            code = getattr(E, "DESURV_E_" + name)
            seen.add(code)
            with pytest.raises(cls) as ei:
                _core._check(code)
            assert ei.value.code == code
            # without a handle: the static description
            assert str(ei.value) == lib.desurv_strerror(code).decode()
    codes = {v for k, v in vars(E).items() if k.startswith("DESURV_E_")}
    assert seen == codes
