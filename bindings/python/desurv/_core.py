"""DeSurv estimator, concordance index and simulation over libdesurv."""

import ctypes
import os

import numpy as np

from . import _errors as E
from ._lib import lib, c_double_p, c_int32_p

_F8 = np.dtype("=f8")


def _raise(code, message=None):
    """Raise the DesurvError subclass of a status code."""
    if not message:
        message = lib.desurv_strerror(code).decode("utf-8", "replace")
    raise E.error_class(code)(code, message)


def _check(code, handle=None):
    if code != E.DESURV_OK:
        msg = None
        if handle is not None:
            msg = lib.desurv_errmsg(handle).decode("utf-8", "replace")
        _raise(code, msg)


def _dptr(a):
    return a.ctypes.data_as(c_double_p)


def _iptr(a):
    return a.ctypes.data_as(c_int32_p)


def _as_f8_vector(x, name, n=None):
    a = np.ascontiguousarray(x, dtype=_F8)
    if a.ndim != 1:
        raise E.InputError(E.DESURV_E_DIM, f"{name} must be one-dimensional, got shape {a.shape}")
    if n is not None and a.shape[0] != n:
        raise E.InputError(E.DESURV_E_DIM, f"{name} has length {a.shape[0]}, expected {n}")
    return a


def _as_event(x, n=None):
    a = np.asarray(x)
    if a.ndim != 1:
        raise E.InputError(E.DESURV_E_DIM, f"event must be one-dimensional, got shape {a.shape}")
    if a.dtype == np.bool_:
        a = a.astype(np.int32)
    elif a.dtype.kind == "f":
        bad = ~np.isin(a, (0.0, 1.0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise E.InputError(E.DESURV_E_EVENT, f"event[{i}] = {a[i]!r} is not 0 or 1")
    # integers are passed through; the library checks 0/1
    if a.dtype.kind in "iu" and a.size and (a.min() < np.iinfo(np.int32).min
                                            or a.max() > np.iinfo(np.int32).max):
        i = int(np.flatnonzero((a < 0) | (a > 1))[0])
        raise E.InputError(E.DESURV_E_EVENT, f"event[{i}] = {a[i]!r} is not 0 or 1")
    a = np.ascontiguousarray(a, dtype=np.int32)
    if n is not None and a.shape[0] != n:
        raise E.InputError(E.DESURV_E_DIM, f"event has length {a.shape[0]}, expected {n}")
    return a


def as_library_matrix(X):
    """Return (array, n_samples, n_genes, ldx) for an (n_samples, n_genes)
    input, such that the array's memory is the library's column-major
    genes x samples matrix with leading dimension ldx.

    A float64 array whose rows are contiguous (C-contiguous, or a column
    slice of a C-contiguous array) is used as is, without a copy; anything
    else (other dtypes, Fortran order, lists, ...) is converted once with
    np.ascontiguousarray(X, dtype=float64)."""
    a = np.asarray(X)
    if a.ndim != 2:
        raise E.InputError(E.DESURV_E_DIM,
                           f"X must be two-dimensional (n_samples, n_genes), got shape {a.shape}")
    n, p = a.shape
    if a.dtype == _F8 and a.flags.aligned and n >= 1 and p >= 1:
        if a.flags.c_contiguous:
            return a, n, p, p
        s0, s1 = a.strides
        if s1 == 8 and s0 > 0 and s0 % 8 == 0 and s0 // 8 >= p:
            return a, n, p, s0 // 8
    a = np.ascontiguousarray(a, dtype=_F8)
    return a, n, p, p


def concordance_index(time, event, risk):
    """Harrell's C of a risk score (higher risk = shorter survival); NaN when
    no pair is comparable.  Same definition as the C function desurv_cindex."""
    t = _as_f8_vector(time, "time")
    n = t.shape[0]
    ev = _as_event(event, n)
    r = _as_f8_vector(risk, "risk", n)
    c = ctypes.c_double()
    _check(lib.desurv_cindex(_dptr(t), _iptr(ev), _dptr(r), n, ctypes.byref(c)))
    return c.value


_TIES = {"breslow": 0, "efron": 1}
_INIT = {"random": 0, "nndsvd": 1}
_INIT_SELECT = {"loss": 0, "cindex": 1}

# Python keyword -> (option id, encoder, decoder)
_OPTIONS = {
    "k": E.DESURV_OPT_K,
    "alpha": E.DESURV_OPT_ALPHA,
    "lambda_": E.DESURV_OPT_LAMBDA,
    "nu": E.DESURV_OPT_NU,
    "lambda_w": E.DESURV_OPT_LAMBDA_W,
    "lambda_h": E.DESURV_OPT_LAMBDA_H,
    "tol": E.DESURV_OPT_TOL,
    "maxit": E.DESURV_OPT_MAXIT,
    "n_init": E.DESURV_OPT_NINIT,
    "imaxit": E.DESURV_OPT_IMAXIT,
    "tol_init": E.DESURV_OPT_TOL_INIT,
    "ties": E.DESURV_OPT_TIES,
    "init": E.DESURV_OPT_INIT,
    "init_select": E.DESURV_OPT_INIT_SELECT,
    "random_state": E.DESURV_OPT_SEED,
    "n_jobs": E.DESURV_OPT_THREADS,
}
_CHOICES = {"ties": _TIES, "init": _INIT, "init_select": _INIT_SELECT}
_INTEGER = {"k", "maxit", "n_init", "imaxit", "random_state", "n_jobs"}


def _encode(name, value):
    if name in _CHOICES:
        table = _CHOICES[name]
        if value not in table:
            raise E.OptionError(E.DESURV_E_RANGE,
                                f"{name}={value!r}: expected one of {sorted(table)}")
        return float(table[value])
    try:
        return float(value)
    except (TypeError, ValueError):
        raise E.OptionError(E.DESURV_E_RANGE, f"{name}={value!r} is not a number") from None


def _decode(name, value):
    if name in _CHOICES:
        inv = {v: k for k, v in _CHOICES[name].items()}
        return inv.get(int(value), int(value))
    if name in _INTEGER:
        return int(value)
    return value


class DeSurv:
    """Survival-supervised NMF: X (n_samples x n_genes, nonnegative) is
    factorised as X^T ~ W H (W: n_genes x k, H: k x n_samples) while a Cox
    model on the factor scores X W beta is fitted.

    Parameters mirror the C options (desurv.h): ``k``, ``alpha``,
    ``lambda_`` (C "lambda"), ``nu``, ``lambda_w``, ``lambda_h``, ``tol``,
    ``maxit``, ``n_init`` ("ninit"), ``imaxit``, ``tol_init``, ``ties``
    ("breslow"/"efron"), ``init`` ("random"/"nndsvd"), ``init_select``
    ("loss"/"cindex"), ``random_state`` ("seed", an integer) and ``n_jobs``
    ("threads").  Values are checked by the library at ``fit``.

    Fitted attributes: ``W_`` (n_genes, k, unit-norm columns), ``H_`` (k,
    n_samples), ``beta_`` (k,), ``loss_trace_``, ``n_iter_``,
    ``converged_``.

    The object owns a C handle: ``close()`` (or a ``with`` block, or garbage
    collection) frees it.  One object must not be used from two threads at
    once; distinct objects may.  ctypes releases the GIL during C calls.
    """

    _param_names = ("k", "alpha", "lambda_", "nu", "lambda_w", "lambda_h", "tol", "maxit",
                    "n_init", "imaxit", "tol_init", "ties", "init", "init_select",
                    "random_state", "n_jobs")

    def __init__(self, k, alpha=0.5, lambda_=0.1, nu=0.5, lambda_w=0.0, lambda_h=0.0,
                 tol=1e-6, maxit=1000, n_init=20, imaxit=30, tol_init=1e-4, ties="breslow",
                 init="random", init_select="loss", random_state=1, n_jobs=1):
        self._handle = None
        self.k = k
        self.alpha = alpha
        self.lambda_ = lambda_
        self.nu = nu
        self.lambda_w = lambda_w
        self.lambda_h = lambda_h
        self.tol = tol
        self.maxit = maxit
        self.n_init = n_init
        self.imaxit = imaxit
        self.tol_init = tol_init
        self.ties = ties
        self.init = init
        self.init_select = init_select
        self.random_state = random_state
        self.n_jobs = n_jobs

    # -- scikit-learn parameter protocol ---------------------------------
    def get_params(self, deep=True):
        return {name: getattr(self, name) for name in self._param_names}

    def set_params(self, **params):
        for name, value in params.items():
            if name not in self._param_names:
                raise ValueError(f"invalid parameter {name!r} for DeSurv; "
                                 f"valid: {', '.join(self._param_names)}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"DeSurv({args})"

    # -- handle ----------------------------------------------------------
    def _new_handle(self):
        h = ctypes.c_void_p()
        _check(lib.desurv_model_new(ctypes.byref(h)))
        return h

    def close(self):
        """Free the C handle (idempotent).  The fitted attributes stay; the
        object can be fitted again, but predict needs a new fit."""
        h, self._handle = self._handle, None
        if h is not None and h.value:
            lib.desurv_model_free(h)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _fitted_handle(self):
        if self._handle is None:
            _raise(E.DESURV_E_NOT_FITTED,
                   "this DeSurv object is not fitted (or was closed): call fit() first")
        return self._handle

    def _apply_params(self, h):
        for name, opt in _OPTIONS.items():
            value = getattr(self, name)
            if name == "random_state" and value is None:
                value = int(np.random.randint(0, 2**31 - 1))
            st = lib.desurv_set_option(h, opt, _encode(name, value))
            if st != E.DESURV_OK:
                msg = lib.desurv_errmsg(h).decode("utf-8", "replace")
                _raise(st, f"{name}={value!r}: {msg or lib.desurv_strerror(st).decode()}")

    # -- fitting ---------------------------------------------------------
    def fit(self, X, time, event):
        """Fit to X (n_samples, n_genes), survival times and event indicators
        (0 censored / 1 event).  A float64 array with contiguous rows is
        passed to the library without a copy."""
        Xa, n, p, ldx = as_library_matrix(X)
        t = _as_f8_vector(time, "time", n)
        ev = _as_event(event, n)
        h = self._handle if self._handle is not None else self._new_handle()
        self._handle = h
        self._apply_params(h)
        _check(lib.desurv_fit(h, _dptr(Xa), p, n, ldx, _dptr(t), _iptr(ev)), h)
        self._read_fit()
        return self

    def _read_fit(self):
        h = self._handle
        p, n, k = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int64()
        _check(lib.desurv_model_dims(h, ctypes.byref(p), ctypes.byref(n), ctypes.byref(k)), h)
        p, n, k = p.value, n.value, k.value
        W = np.empty((k, p), dtype=_F8)  # column-major p x k
        _check(lib.desurv_model_W(h, _dptr(W), p), h)
        H = np.empty((n, k), dtype=_F8)  # column-major k x n
        _check(lib.desurv_model_H(h, _dptr(H), k), h)
        beta = np.empty(k, dtype=_F8)
        _check(lib.desurv_model_beta(h, _dptr(beta)), h)
        ln = ctypes.c_int64()
        _check(lib.desurv_model_trace(h, None, 0, ctypes.byref(ln)), h)
        trace = np.empty(ln.value, dtype=_F8)
        _check(lib.desurv_model_trace(h, _dptr(trace), ln.value, ctypes.byref(ln)), h)
        self.W_ = W.T
        self.H_ = H.T
        self.beta_ = beta
        self.loss_trace_ = trace
        self.n_iter_ = int(self._stat(E.DESURV_STAT_ITERATIONS))
        self.converged_ = bool(self._stat(E.DESURV_STAT_CONVERGED))
        self.n_features_in_ = p

    def _stat(self, what):
        v = ctypes.c_double()
        h = self._fitted_handle()
        _check(lib.desurv_model_stat(h, what, ctypes.byref(v)), h)
        return v.value

    # -- prediction ------------------------------------------------------
    def predict(self, X):
        """Linear predictor X W beta (higher = worse prognosis), one value
        per row of X (n_samples, n_genes)."""
        h = self._fitted_handle()
        Xa, n, p, ldx = as_library_matrix(X)
        lp = np.empty(n, dtype=_F8)
        st = lib.desurv_predict(h, _dptr(Xa), p, n, ldx, _dptr(lp))
        if st != E.DESURV_OK:
            msg = None
            if st == E.DESURV_E_MISMATCH:
                msg = f"X has {p} genes, the model was fitted on {self.W_.shape[0]}"
            elif st == E.DESURV_E_NONFINITE:
                bad = np.argwhere(~np.isfinite(np.asarray(Xa)))[0]
                msg = f"X[{bad[0]}, {bad[1]}] (sample {bad[0]}, gene {bad[1]}) is not finite"
            _raise(st, msg)
        return lp

    def predict_risk(self, X):
        """Relative risk exp(X W beta)."""
        return np.exp(self.predict(X))

    def score(self, X, time, event):
        """Harrell's C-index of the linear predictor on (X, time, event)."""
        return concordance_index(time, event, self.predict(X))

    # -- model files -----------------------------------------------------
    def save(self, path):
        """Write the model file (the command line's format) atomically."""
        h = self._fitted_handle()
        err = ctypes.create_string_buffer(1024)
        st = lib.desurv_model_save_file(h, os.fsencode(path), err, len(err))
        if st != E.DESURV_OK:
            _raise(st, err.value.decode("utf-8", "replace"))

    @classmethod
    def load(cls, path):
        """Read a model file written by save() or the command line."""
        h = ctypes.c_void_p()
        err = ctypes.create_string_buffer(1024)
        st = lib.desurv_model_load_file(ctypes.byref(h), os.fsencode(path), err, len(err))
        if st != E.DESURV_OK:
            _raise(st, err.value.decode("utf-8", "replace"))
        obj = cls.__new__(cls)
        obj._handle = h
        for name, opt in _OPTIONS.items():
            v = ctypes.c_double()
            _check(lib.desurv_get_option(h, opt, ctypes.byref(v)), h)
            setattr(obj, name, _decode(name, v.value))
        p = ctypes.c_int64()
        if lib.desurv_model_dims(h, ctypes.byref(p), None, None) == E.DESURV_OK:
            obj._read_fit()
        return obj


class SimulatedData:
    """A simulated cohort: X (n_samples, n_genes), time, event (int32),
    W_true (n_genes, k), H_true (k, n_samples), lp_true, gene_class
    (0 noise, 1 background, 2 + r marker of factor r), surv_gene (n_genes, k,
    bool), split (bool, True = training sample)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __getitem__(self, key):
        return self.__dict__[key]

    def keys(self):
        return self.__dict__.keys()

    def __repr__(self):
        return (f"SimulatedData(n_samples={self.X.shape[0]}, n_genes={self.X.shape[1]}, "
                f"k={self.W_true.shape[1]}, scenario={self.scenario!r}, seed={self.seed})")


_SCENARIOS = {"R0": E.DESURV_SCENARIO_R0, "NULL": E.DESURV_SCENARIO_NULL,
              "MIXED": E.DESURV_SCENARIO_MIXED}


def simulate(scenario, seed, n_genes=3000, n_samples=200, k=3, train_fraction=0.7):
    """Draw a data set of the DeSurv paper's design (desurv_simulate).
    scenario: "R0", "NULL" or "MIXED" (case-insensitive) or its number."""
    if isinstance(scenario, str):
        key = scenario.upper()
        if key not in _SCENARIOS:
            raise E.OptionError(E.DESURV_E_OPTION,
                                f"unknown scenario {scenario!r}; expected R0, NULL or MIXED")
        code = _SCENARIOS[key]
    else:
        code = int(scenario)
    s = ctypes.c_void_p()
    _check(lib.desurv_simulate(code, int(n_genes), int(n_samples), int(k), int(seed),
                               ctypes.byref(s)))
    try:
        p, n, kk = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int64()
        _check(lib.desurv_sim_dims(s, ctypes.byref(p), ctypes.byref(n), ctypes.byref(kk)))
        p, n, kk = p.value, n.value, kk.value
        X = np.empty((n, p), dtype=_F8)
        time = np.empty(n, dtype=_F8)
        event = np.empty(n, dtype=np.int32)
        _check(lib.desurv_sim_data(s, _dptr(X), p, _dptr(time), _iptr(event)))
        W = np.empty((kk, p), dtype=_F8)
        H = np.empty((n, kk), dtype=_F8)
        lp = np.empty(n, dtype=_F8)
        cls_ = np.empty(p, dtype=np.int32)
        surv = np.empty((kk, p), dtype=np.int32)
        _check(lib.desurv_sim_truth(s, _dptr(W), p, _dptr(H), kk, _dptr(lp), _iptr(cls_),
                                    _iptr(surv), p))
        split = np.empty(n, dtype=np.int32)
        _check(lib.desurv_sim_split(s, float(train_fraction), _iptr(split)))
    finally:
        lib.desurv_sim_free(s)
    return SimulatedData(X=X, time=time, event=event, W_true=W.T, H_true=H.T, lp_true=lp,
                         gene_class=cls_, surv_gene=surv.T.astype(bool),
                         split=split.astype(bool), scenario=scenario, seed=seed)
