"""DeSurv estimator, concordance index and simulation over libdesurv."""

import ctypes
import os
import sys

import numpy as np

from . import _errors as E
from ._lib import lib, c_double_p, c_int32_p
from ._progress import ProgressBridge

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
_OFFSET = {"none": E.DESURV_OFFSET_NONE, "gene": E.DESURV_OFFSET_GENE}
_HSTEP = {"exact": E.DESURV_HSTEP_EXACT, "hals": E.DESURV_HSTEP_HALS, "mu": E.DESURV_HSTEP_MU}
_WSTEP = {"hals": E.DESURV_WSTEP_HALS, "mu": E.DESURV_WSTEP_MU}

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
    "offset": E.DESURV_OPT_OFFSET,
    "hstep": E.DESURV_OPT_HSTEP,
    "wstep": E.DESURV_OPT_WSTEP,
}
_CHOICES = {"ties": _TIES, "init": _INIT, "init_select": _INIT_SELECT, "offset": _OFFSET,
            "hstep": _HSTEP, "wstep": _WSTEP}
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


_UNSET = object()
_META_NTOP = b"predict.ntop"


def _pandas_frame(X):
    """X when it is a pandas DataFrame, else None (pandas is not imported
    here: a DataFrame can only exist once the caller imported pandas)."""
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(X, pd.DataFrame):
        return X
    return None


def frame_parts(X):
    """Split a pandas DataFrame (rows samples, columns genes) into its
    values and the str() of its column and index labels; any other input is
    returned as is with names None.

    ``X.to_numpy()`` is a view, not a copy, when the frame holds a single
    float64 block, e.g. ``DataFrame(array)`` of a C-ordered array: then the
    library reads the frame's own memory (see :func:`as_library_matrix`).
    Frames built column by column (or with mixed dtypes) store each gene
    contiguously, so their values are copied once into C order."""
    df = _pandas_frame(X)
    if df is None:
        return X, None, None
    genes = [str(c) for c in df.columns]
    samples = [str(i) for i in df.index]
    return df.to_numpy(), genes, samples


def _encode_names(names, what):
    out = []
    for i, s in enumerate(names):
        b = s.encode("utf-8", "surrogateescape")
        if b"\0" in b:
            raise E.InputError(E.DESURV_E_RANGE, f"{what} name {i} ({s!r}) contains a NUL byte")
        out.append(b)
    return out


def set_model_names(h, which, names):
    """Attach names (a list of str, or None to remove them) to handle h."""
    if names is None:
        _check(lib.desurv_model_set_names(h, which, None, 0), h)
        return
    enc = _encode_names(names, "gene" if which == E.DESURV_NAMES_GENES else "sample")
    arr = (ctypes.c_char_p * len(enc))(*enc)
    _check(lib.desurv_model_set_names(h, which, arr, len(enc)), h)


def model_names(h, which):
    """The names of kind `which` in effect on handle h (list of str) or None."""
    cnt = lib.desurv_model_names_count(h, which)
    if cnt <= 0:
        return None
    get = lib.desurv_model_name
    return [get(h, which, i).decode("utf-8", "surrogateescape") for i in range(cnt)]


def _meta_scalar(h, key):
    """The first value of numeric metadata `key` of handle h, or None."""
    v, ln = ctypes.c_double(), ctypes.c_int64()
    st = lib.desurv_model_get_meta(h, key, ctypes.byref(v), 1, ctypes.byref(ln))
    if st in (E.DESURV_OK, E.DESURV_E_BUFFER) and ln.value >= 1:
        return v.value
    return None


class HandleOwner:
    """Context-manager protocol and finaliser of an object that owns a C
    handle: ``with`` calls close(); garbage collection calls _finalise()
    (close() unless the class frees less on collection), never raising."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self._finalise()
        except Exception:
            pass

    def _finalise(self):
        self.close()


class DeSurv(HandleOwner):
    """Survival-supervised NMF: X (n_samples x n_genes, nonnegative) is
    factorised as X^T ~ W H (W: n_genes x k, H: k x n_samples) while a Cox
    model on the factor scores X W beta is fitted.

    Parameters mirror the C options (desurv.h): ``k``, ``alpha``,
    ``lambda_`` (C "lambda"), ``nu``, ``lambda_w``, ``lambda_h``, ``tol``,
    ``maxit``, ``n_init`` ("ninit"), ``imaxit``, ``tol_init``, ``ties``
    ("breslow"/"efron"), ``init`` ("random"/"nndsvd"), ``init_select``
    ("loss"/"cindex"), ``random_state`` ("seed", an integer), ``n_jobs``
    ("threads"), ``offset`` ("gene", the default: X^T ~ W H + b 1^T with a
    fitted per-gene baseline b >= 0; "none": the papers' model) and
    ``hstep`` ("exact", the default; "hals"; "mu", the papers'
    multiplicative update) and ``wstep`` ("hals", the default; "mu", the
    papers' Lee-Seung bound).  Values are checked by the library at ``fit``.
    ``progress`` (not a library option) is the default progress reporting
    of :meth:`fit`: None, True (a tqdm bar, or text on stderr without
    tqdm) or a callable ``f(stage, step, total, best)`` returning False to
    cancel (see :mod:`desurv._progress`).

    Fitted attributes: ``W_`` (n_genes, k, unit-norm columns), ``H_`` (k,
    n_samples), ``beta_`` (k,), ``offset_`` (n_genes,; zeros with
    offset="none"), ``loss_trace_``, ``n_iter_``,
    ``converged_``, ``n_features_in_``.  When the model has gene names
    (fitted on a pandas DataFrame, or loaded from a file that has them):
    ``feature_names_in_`` (numpy object array of str) and ``W_`` is a
    DataFrame indexed by gene name with columns ``factor_1`` ..
    ``factor_k``; with sample names ``H_`` is a DataFrame with index
    ``factor_1`` .. and the sample names as columns.  Without pandas both
    stay numpy arrays.

    Ctrl-C during :meth:`fit` stops the library within one outer
    iteration and raises KeyboardInterrupt; the object keeps its previous
    fit (if any) and stays usable.

    The object owns a C handle: ``close()`` (or a ``with`` block, or garbage
    collection) frees it.  One object must not be used from two threads at
    once; distinct objects may.  ctypes releases the GIL during C calls.

    Example::

        d = desurv.simulate("R0", 1, n_genes=500, n_samples=100, k=2)
        with desurv.DeSurv(2, maxit=200) as m:
            m.fit(d.X, d.time, d.event)
            lp = m.predict(d.X)
    """

    _param_names = ("k", "alpha", "lambda_", "nu", "lambda_w", "lambda_h", "tol", "maxit",
                    "n_init", "imaxit", "tol_init", "ties", "init", "init_select",
                    "random_state", "n_jobs", "offset", "hstep", "wstep", "progress")

    def __init__(self, k, alpha=0.5, lambda_=0.1, nu=0.5, lambda_w=0.0, lambda_h=0.0,
                 tol=1e-6, maxit=1000, n_init=20, imaxit=30, tol_init=1e-4, ties="breslow",
                 init="random", init_select="loss", random_state=1, n_jobs=1, offset="gene",
                 hstep="exact", wstep="hals", progress=None):
        self._handle = None
        self._bridge = None
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
        self.offset = offset
        self.hstep = hstep
        self.wstep = wstep
        self.progress = progress

    # -- scikit-learn parameter protocol ---------------------------------
    def get_params(self, deep=True):
        """The constructor parameters as a dict."""
        return {name: getattr(self, name) for name in self._param_names}

    def set_params(self, **params):
        """Set constructor parameters; returns self.

        :raises ValueError: an unknown parameter name."""
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

    def _adopt_handle(self, h):
        """Own handle h and install the progress trampoline on it (kept
        alive in self._bridge as long as the handle lives)."""
        self._handle = h
        self._bridge = ProgressBridge()
        lib.desurv_set_progress(h, self._bridge.cfunc, None)

    @classmethod
    def _from_handle(cls, h):
        """A DeSurv owning handle h (fitted or not): options read back from
        the handle, fitted attributes read when it is fitted.  Used by
        load() and DeSurvTuner."""
        obj = cls.__new__(cls)
        obj._handle = None
        obj._bridge = None
        try:
            obj._adopt_handle(h)
        except BaseException:
            lib.desurv_model_free(h)
            raise
        for name, opt in _OPTIONS.items():
            v = ctypes.c_double()
            _check(lib.desurv_get_option(h, opt, ctypes.byref(v)), h)
            setattr(obj, name, _decode(name, v.value))
        obj.progress = None
        if lib.desurv_model_dims(h, None, None, None) == E.DESURV_OK:
            obj._read_fit()
        return obj

    def close(self):
        """Free the C handle (idempotent).  The fitted attributes stay; the
        object can be fitted again, but predict needs a new fit."""
        h, self._handle = getattr(self, "_handle", None), None
        if h is not None and h.value:
            lib.desurv_model_free(h)
        self._bridge = None  # after the handle: its trampoline is gone

    def _fitted_handle(self):
        if getattr(self, "_handle", None) is None:
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
    def fit(self, X, time, event, progress=_UNSET):
        """Fit to X, survival times and event indicators.

        :param X: (n_samples, n_genes) nonnegative expression: a numpy
            array (or anything np.asarray accepts) or a pandas DataFrame
            (rows samples, columns genes).  A float64 array with contiguous
            rows, or a DataFrame holding one such block, is passed to the
            library without a copy; other inputs are converted once.
            A DataFrame's column labels (str()) become the model's gene
            names and its index the sample names: they are stored in the
            model (and in saved model files), and give ``feature_names_in_``
            and DataFrame ``W_`` / ``H_``.
        :param time: (n_samples,) times, finite and >= 0.
        :param event: (n_samples,) 0 (censored) / 1 (event), at least one 1.
        :param progress: overrides the ``progress`` parameter for this call
            (None, True or a callable; see the class docstring).
        :returns: self.
        :raises InputError: bad data (the message names the offending
            entry, e.g. ``X[17, 3] is NaN``).
        :raises OptionError: a parameter outside its bounds.
        :raises CancelledError: the progress callable returned False.
        :raises KeyboardInterrupt: Ctrl-C (or raised by the callable); any
            other exception of the callable propagates as is.  After a
            cancellation the object keeps its previous fit and stays usable.

        Example::

            m = DeSurv(2, maxit=100).fit(X, time, event, progress=True)
        """
        prog = self.progress if progress is _UNSET else progress
        Xv, genes, samples = frame_parts(X)
        Xa, n, p, ldx = as_library_matrix(Xv)
        t = _as_f8_vector(time, "time", n)
        ev = _as_event(event, n)
        if getattr(self, "_handle", None) is None:
            self._adopt_handle(self._new_handle())
        h, bridge = self._handle, self._bridge
        self._apply_params(h)
        st = bridge.call(prog, lib.desurv_fit, h, _dptr(Xa), p, n, ldx, _dptr(t), _iptr(ev))
        if st == E.DESURV_OK:
            self._after_fit(genes, samples)
        bridge.raise_pending()
        _check(st, h)
        return self

    def _after_fit(self, genes, samples, ntop=None):
        """Bookkeeping after a successful fit of the handle: names (a fit on
        a plain array removes stale ones), the predict.ntop default, then
        the fitted attributes."""
        h = self._handle
        set_model_names(h, E.DESURV_NAMES_GENES, genes)
        set_model_names(h, E.DESURV_NAMES_SAMPLES, samples)
        if ntop:
            v = ctypes.c_double(float(ntop))
            _check(lib.desurv_model_set_meta(h, _META_NTOP, ctypes.byref(v), 1), h)
        else:
            _check(lib.desurv_model_set_meta(h, _META_NTOP, None, 0), h)
        self._read_fit(genes, samples)

    def _read_fit(self, genes=_UNSET, samples=_UNSET):
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
        offset = np.empty(p, dtype=_F8)
        _check(lib.desurv_model_offset(h, _dptr(offset)), h)
        ln = ctypes.c_int64()
        _check(lib.desurv_model_trace(h, None, 0, ctypes.byref(ln)), h)
        trace = np.empty(ln.value, dtype=_F8)
        _check(lib.desurv_model_trace(h, _dptr(trace), ln.value, ctypes.byref(ln)), h)
        if genes is _UNSET:
            genes = model_names(h, E.DESURV_NAMES_GENES)
        if samples is _UNSET:
            samples = model_names(h, E.DESURV_NAMES_SAMPLES)
        self.W_ = W.T
        self.H_ = H.T
        if genes is not None:
            self.feature_names_in_ = np.array(genes, dtype=object)
        elif "feature_names_in_" in self.__dict__:
            del self.feature_names_in_
        if genes is not None or samples is not None:
            try:
                import pandas as pd
            except ImportError:
                pd = None
            if pd is not None:
                factors = [f"factor_{r + 1}" for r in range(k)]
                if genes is not None:
                    self.W_ = pd.DataFrame(self.W_, index=pd.Index(genes, dtype=object),
                                           columns=factors, copy=False)
                if samples is not None:
                    self.H_ = pd.DataFrame(self.H_, index=factors,
                                           columns=pd.Index(samples, dtype=object), copy=False)
        self.beta_ = beta
        self.offset_ = offset
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
    def _aligned(self, X):
        """X's values in the model's gene order (a DataFrame is reordered by
        column name when its genes are the model's in another order)."""
        df = _pandas_frame(X)
        if df is None:
            return X
        names = getattr(self, "feature_names_in_", None)
        cols = [str(c) for c in df.columns]
        if names is None or list(names) == cols:
            return df.to_numpy()
        want = list(names)
        have = set(cols)
        missing = [g for g in want if g not in have]
        if missing:
            raise E.InputError(
                E.DESURV_E_MISMATCH,
                f"X lacks gene {missing[0]!r} of the model ({len(missing)} of its "
                f"{len(want)} genes missing)")
        if len(set(want)) != len(want) or len(have) != len(cols):
            raise E.InputError(
                E.DESURV_E_MISMATCH,
                "the model's gene names or X's columns are not unique, so X cannot be "
                "aligned by name: pass the columns in the model's order")
        extra = [c for c in cols if c not in set(want)]
        if extra:
            raise E.InputError(
                E.DESURV_E_MISMATCH,
                f"X has column {extra[0]!r}, not a gene of the model ({len(extra)} extra "
                f"columns); select the model's genes: X[model.feature_names_in_]")
        pos = {c: i for i, c in enumerate(cols)}
        return df.to_numpy()[:, [pos[g] for g in want]]

    def predict(self, X, ntop=None):
        """Linear predictor X W beta (higher = worse prognosis).

        :param X: (n_samples, n_genes) array or DataFrame.  A DataFrame
            whose columns are the model's genes in another order is
            reordered by name (``feature_names_in_``).
        :param ntop: use only each factor's ``ntop`` top genes
            (desurv_predict_ntop; 0 = all genes).  None: the model's default,
            the ``predict.ntop`` of the model (set by DeSurvTuner when it
            chose ntop, or by ``desurv fit --ntop``), else all genes.
        :returns: (n_samples,) float64 array.
        :raises NotFittedError: not fitted, or closed.
        :raises InputError: other genes, a non-finite entry, bad ntop.

        Example::

            lp = model.predict(X_test, ntop=50)
        """
        h = self._fitted_handle()
        Xa, n, p, ldx = as_library_matrix(self._aligned(X))
        if ntop is None:
            v = _meta_scalar(h, _META_NTOP)
            ntop = int(v) if v is not None and v > 0 else 0
        else:
            try:
                ok = not isinstance(ntop, (bool, np.bool_, str)) and int(ntop) == ntop
            except (TypeError, ValueError, OverflowError):
                ok = False
            if not ok:
                raise E.InputError(E.DESURV_E_DIM, f"ntop={ntop!r} is not an integer")
            ntop = int(ntop)
            if not 0 <= ntop <= self.n_features_in_:
                raise E.InputError(E.DESURV_E_DIM, f"ntop={ntop} is outside 0 .. "
                                   f"{self.n_features_in_} (the model's genes)")
        lp = np.empty(n, dtype=_F8)
        if ntop:
            st = lib.desurv_predict_ntop(h, _dptr(Xa), p, n, ldx, ntop, _dptr(lp))
        else:
            st = lib.desurv_predict(h, _dptr(Xa), p, n, ldx, _dptr(lp))
        if st != E.DESURV_OK:
            msg = None
            if st == E.DESURV_E_MISMATCH:
                msg = f"X has {p} genes, the model was fitted on {self.n_features_in_}"
            elif st == E.DESURV_E_NONFINITE:
                bad = np.argwhere(~np.isfinite(np.asarray(Xa)))[0]
                msg = f"X[{bad[0]}, {bad[1]}] (sample {bad[0]}, gene {bad[1]}) is not finite"
            _raise(st, msg)
        return lp

    def predict_risk(self, X, ntop=None):
        """Relative risk exp(X W beta) (see :meth:`predict`)."""
        return np.exp(self.predict(X, ntop=ntop))

    def score(self, X, time, event):
        """Harrell's C-index of the linear predictor on (X, time, event)."""
        return concordance_index(time, event, self.predict(X))

    # -- model files -----------------------------------------------------
    def save(self, path):
        """Write the model file (the command line's format) atomically;
        gene and sample names are included.

        :raises NotFittedError: not fitted or closed.
        :raises ResourceError: the file could not be written."""
        h = self._fitted_handle()
        err = ctypes.create_string_buffer(1024)
        st = lib.desurv_model_save_file(h, os.fsencode(path), err, len(err))
        if st != E.DESURV_OK:
            _raise(st, err.value.decode("utf-8", "replace"))

    @classmethod
    def load(cls, path):
        """Read a model file written by save() or the command line; gene
        names in the file restore ``feature_names_in_`` and a DataFrame
        ``W_``.

        :raises FileFormatError: not a model file, damaged (checksum), or
            of a later format version; the message names the path.
        :raises ResourceError: the file cannot be read."""
        h = ctypes.c_void_p()
        err = ctypes.create_string_buffer(1024)
        st = lib.desurv_model_load_file(ctypes.byref(h), os.fsencode(path), err, len(err))
        if st != E.DESURV_OK:
            _raise(st, err.value.decode("utf-8", "replace"))
        return cls._from_handle(h)


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
