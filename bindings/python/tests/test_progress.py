"""Progress callbacks, cancellation, exceptions in callbacks and Ctrl-C."""
import os
import signal
import threading
import time
import traceback

import numpy as np
import pytest

import desurv
from desurv import _errors as E
from desurv import _progress
from helpers import check_history_type, matrix, nrows


@pytest.fixture(scope="module")
def data():
    return desurv.simulate("R0", 11, n_genes=200, n_samples=60, k=2)


def fresh_fit(d, **kw):
    with desurv.DeSurv(2, maxit=40, n_init=3, **kw) as m:
        m.fit(d.X, d.time, d.event)
        return m.W_.copy(), m.beta_.copy(), m.loss_trace_.copy()


def test_callback_reports(data):
    seen = []
    m = desurv.DeSurv(2, maxit=40, n_init=3, tol=0)
    m.fit(data.X, data.time, data.event, progress=lambda *a: seen.append(a))
    stages = [s for s, *_ in seen]
    assert set(stages) == {"starts", "fit"} and stages[0] == "starts"
    fit = [(step, total) for s, step, total, _ in seen if s == "fit"]
    assert all(total == 40 for _, total in fit)
    steps = [step for step, _ in fit]
    assert steps == sorted(steps) and steps[-1] >= 39
    assert all(isinstance(b, float) for *_, b in seen)
    # the callback does not change the result
    W, beta, _ = fresh_fit(data, tol=0)
    assert np.array_equal(m.W_, W) and np.array_equal(m.beta_, beta)
    # the constructor's progress is the default of fit
    seen.clear()
    m.set_params(progress=lambda *a: seen.append(a)).fit(data.X, data.time, data.event)
    assert seen
    m.close()


def test_return_false_cancels(data):
    m = desurv.DeSurv(2, maxit=40, n_init=3)
    m.fit(data.X, data.time, data.event)
    W0 = m.W_.copy()
    lp0 = m.predict(data.X)
    with pytest.raises(desurv.CancelledError) as ei:
        m.fit(data.X[:, :150], data.time, data.event,
              progress=lambda s, step, total, best: step < 5)
    assert ei.value.code == E.DESURV_E_CANCELLED
    assert "cancel" in str(ei.value)
    # the model is as before the call
    assert np.array_equal(m.W_, W0) and np.array_equal(m.predict(data.X), lp0)
    # None / True continue
    m.fit(data.X, data.time, data.event, progress=lambda *a: True)
    assert np.array_equal(m.W_, W0)
    m.close()


@pytest.mark.parametrize("stop_at", [1, 7])
def test_keyboard_interrupt_in_callback(data, stop_at):
    calls = []

    def cb(stage, step, total, best):
        calls.append(stage)
        if len(calls) == stop_at:
            raise KeyboardInterrupt

    m = desurv.DeSurv(2, maxit=40, n_init=3)
    with pytest.raises(KeyboardInterrupt):
        m.fit(data.X, data.time, data.event, progress=cb)
    assert len(calls) == stop_at  # never called again after the exception
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(desurv.NotFittedError):
        m.predict(data.X)  # never fitted: still unfitted
    m.fit(data.X, data.time, data.event)  # usable, and bit-identical to a fresh fit
    W, beta, trace = fresh_fit(data)
    assert np.array_equal(m.W_, W) and np.array_equal(m.beta_, beta)
    assert np.array_equal(m.loss_trace_, trace)
    m.close()


def test_other_exception_propagates_with_traceback(data):
    def broken_callback(stage, step, total, best):
        if step == 3:
            raise ValueError("boom at 3")

    with desurv.DeSurv(2, maxit=40, n_init=3) as m:
        with pytest.raises(ValueError, match="boom at 3") as ei:
            m.fit(data.X, data.time, data.event, progress=broken_callback)
        tb = "".join(traceback.format_tb(ei.value.__traceback__))
        assert "broken_callback" in tb
        m.fit(data.X, data.time, data.event)
        assert np.isfinite(m.beta_).all()


def _interrupted_within(seconds, call, *args):
    """A real SIGINT 0.3 s into call(*args) raises KeyboardInterrupt there,
    within `seconds`."""
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    t0 = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            call(*args)
    finally:
        timer.cancel()
    assert time.monotonic() - t0 < seconds


def test_real_sigint_stops_a_long_fit():
    d = desurv.simulate("R0", 3, n_genes=1000, n_samples=150, k=3)
    m = desurv.DeSurv(3, maxit=100000, tol=0, n_init=1)
    _interrupted_within(10, m.fit, d.X, d.time, d.event)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    m.set_params(maxit=5).fit(d.X, d.time, d.event)  # usable afterwards
    assert m.n_iter_ == 5
    m.close()


def test_real_sigint_stops_tuning():
    d = desurv.simulate("R0", 3, n_genes=400, n_samples=80, k=2)
    t = desurv.DeSurvTuner(bounds={"k": (2, 4)}, n_folds=3, n_starts=3, n_iter=200,
                           estimator=desurv.DeSurv(2, maxit=100))
    _interrupted_within(10, t.fit, d.X, d.time, d.event)
    assert not hasattr(t, "best_model_")
    assert nrows(t.history_) < 200  # what was evaluated before the stop
    t.close()


def test_trampoline_runs_without_progress(data):
    """progress=None still installs the (no-op) trampoline: Ctrl-C works."""
    with desurv.DeSurv(2, maxit=20, n_init=2, tol=0) as m:
        m.fit(data.X, data.time, data.event)
        assert m._bridge.calls >= 20  # once per outer iteration at least


def test_tuner_progress_and_cancel(data, history_mode):
    seen = []
    t = desurv.DeSurvTuner(bounds={"k": (2, 3)}, n_folds=3, n_starts=2, n_init_points=3,
                           n_iter=1, estimator=desurv.DeSurv(2, maxit=20, n_init=2),
                           progress=lambda *a: seen.append(a))
    t.fit(data.X, data.time, data.event)
    stages = [s for s, *_ in seen]
    assert stages.index("design") < stages.index("search") < stages.index("refit")
    assert {"starts", "fit"} & set(stages)  # the refit's own reports
    design = [(step, total) for s, step, total, _ in seen if s == "design"]
    assert design[-1] == (9, 9)  # 3 points x 3 folds
    best_model = t.best_model_
    W = best_model.W_.copy()

    t.set_params(progress=lambda s, step, total, best: s != "search")
    with pytest.raises(desurv.CancelledError):
        t.fit(data.X, data.time, data.event)
    check_history_type(t.history_, history_mode)
    assert nrows(t.history_) == 3  # the design was evaluated
    assert not hasattr(t, "best_model_") and not hasattr(t, "best_params_")
    with pytest.raises(desurv.NotFittedError):
        t.predict(data.X)
    assert np.array_equal(best_model.W_, W)  # an earlier model is not closed
    assert best_model.predict(data.X).shape == (60,)
    t.set_params(progress=None).fit(data.X, data.time, data.event)
    assert np.array_equal(t.best_model_.W_, W)
    best_model.close()
    t.close()


def test_progress_true_tqdm_and_text(data, capsys, monkeypatch):
    pytest.importorskip("tqdm")
    with desurv.DeSurv(2, maxit=20, n_init=2, imaxit=5, tol=0) as m:
        m.fit(data.X, data.time, data.event, progress=True)
        err = capsys.readouterr().err
        assert "desurv fit" in err or "desurv starts" in err

        def no_tqdm():
            raise ImportError("no tqdm")

        monkeypatch.setattr(_progress, "TqdmProgress", no_tqdm)
        m.fit(data.X, data.time, data.event, progress=True)
        err = capsys.readouterr().err
        assert "desurv: starts 5/5" in err and "desurv: fit" in err and "/20" in err


def test_text_progress_throttles(capsys):
    r = _progress.TextProgress(interval=3600)
    for step in range(100):
        r("fit", step, 100, 1.5)
    r("fit", 100, 100, 1.25)
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["desurv: fit 0/100  best 1.5", "desurv: fit 100/100  best 1.25"]


def test_bad_progress_argument(data):
    with desurv.DeSurv(2, maxit=5) as m:
        with pytest.raises(TypeError):
            m.fit(data.X, data.time, data.event, progress="yes")


def test_fits_in_threads(data):
    """Distinct objects in distinct threads: no SIGINT handler is touched
    off the main thread, callbacks run on the calling thread, and the
    results equal the sequential ones."""
    W, beta, _ = fresh_fit(data)
    results, threads_seen = {}, {}

    def work(i):
        m = desurv.DeSurv(2, maxit=40, n_init=3)
        ident = []
        m.fit(data.X, data.time, data.event,
              progress=lambda *a: ident.append(threading.get_ident()))
        results[i] = (m.W_, m.beta_)
        threads_seen[i] = (set(ident), threading.get_ident())
        m.close()

    ts = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    for i in range(3):
        assert np.array_equal(results[i][0], W) and np.array_equal(results[i][1], beta)
        seen, own = threads_seen[i]
        assert seen == {own}


def test_tuner_callback_exceptions(data, history_mode):
    def make(exc):
        def cb(stage, step, total, best):
            if stage == "search":
                raise exc
        return cb

    kw = dict(bounds={"k": (2, 3)}, n_folds=3, n_starts=1, n_init_points=3, n_iter=1,
              estimator=desurv.DeSurv(2, maxit=20, n_init=1))
    with desurv.DeSurvTuner(**kw) as ref:
        ref.fit(data.X, data.time, data.event)
        with desurv.DeSurvTuner(progress=make(KeyboardInterrupt), **kw) as t:
            with pytest.raises(KeyboardInterrupt):
                t.fit(data.X, data.time, data.event)
            check_history_type(t.history_, history_mode)
            assert nrows(t.history_) == 3
            t.set_params(progress=make(LookupError("no such thing")))
            with pytest.raises(LookupError, match="no such thing"):
                t.fit(data.X, data.time, data.event)
            t.set_params(progress=True).fit(data.X, data.time, data.event)
            assert np.array_equal(matrix(t.history_), matrix(ref.history_), equal_nan=True)
            assert np.array_equal(t.best_model_.W_, ref.best_model_.W_)
