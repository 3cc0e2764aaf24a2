"""DeSurvTuner: cross-validated model selection over libdesurv's
desurv_tune() (Bayesian optimisation or grid search, rules max / 1se /
lcb / 1se-recon / 1se-parsimony, refit on all samples)."""

import ctypes
import math
import numbers

import numpy as np

from . import _errors as E
from ._core import (DeSurv, HandleOwner, _F8, _as_event, _as_f8_vector, _check, _dptr,
                    _iptr, _raise, as_library_matrix, frame_parts)
from ._lib import lib, c_int32_p
from ._progress import ProgressBridge

#: hyperparameters in desurv_param order, by their DeSurv keyword names
PARAM_NAMES = ("k", "alpha", "lambda_", "nu", "lambda_w", "lambda_h", "ntop")
_INTEGRAL = {"k", "ntop"}
_ALIASES = {"lambda": "lambda_"}

_RULES = {"max": 0, "1se": 1, "lcb": 2, "1se-recon": 3, "1se-parsimony": 4}
_START_MODES = {"average": 0, "best": 1}
_METHODS = {"bo": 0, "grid": 1}
_ALPHA_SCALES = {"logodds": 0, "linear": 1}


def _param_id(name):
    """desurv_param of a keyword name ("lambda_" -> C "lambda")."""
    key = _ALIASES.get(name, name)
    if key not in PARAM_NAMES:
        raise E.OptionError(E.DESURV_E_OPTION,
                            f"unknown hyperparameter {name!r}; expected one of "
                            f"{', '.join(PARAM_NAMES)}")
    par = ctypes.c_int()
    cname = "lambda" if key == "lambda_" else key
    st = lib.desurv_param_by_name(cname.encode(), ctypes.byref(par))
    if st != E.DESURV_OK:
        _raise(st, f"hyperparameter {name!r}: {lib.desurv_strerror(st).decode()}")
    return key, par.value


def _choice(name, value, table):
    """Code of a string choice; an int is passed through (the library
    checks it), so values added to the library work without a binding
    change."""
    if isinstance(value, str):
        if value not in table:
            raise E.OptionError(E.DESURV_E_RANGE,
                                f"{name}={value!r}: expected one of {', '.join(table)} "
                                f"(or an integer code)")
        return table[value]
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    raise E.OptionError(E.DESURV_E_RANGE,
                        f"{name}={value!r}: expected one of {', '.join(table)} "
                        f"(or an integer code)")


def _pandas():
    try:
        import pandas
    except ImportError:  # pragma: no cover - pandas is optional
        return None
    return pandas


class DeSurvTuner(HandleOwner):
    """Choose DeSurv's hyperparameters by cross-validated C-index
    (desurv_tune): Bayesian optimisation with a Gaussian-process surrogate
    (``method="bo"``) or grid search (``method="grid"``), a final choice by
    ``rule``, then a refit on all samples (``best_model_``).

    Parameters
    ----------
    bounds : dict or None
        Search ranges by keyword name ("k", "alpha", "lambda_", "nu",
        "lambda_w", "lambda_h", "ntop"; "lambda" is accepted too): a pair
        ``(lo, hi)``, a single value (fixed at that value), or None (not
        searched: the estimator's value is used).  Names not given keep the
        library's default space (k 2..12, alpha 1e-4..0.9999 on the log-odds
        scale, lambda 1e-5..1e5 log scale, nu 0..1; lambda_w, lambda_h and
        ntop not searched).  None: the default space.
    n_folds, n_starts, n_init_points, n_iter : int
        CV folds (2..100), random starts per fold fit (and of the refit),
        Latin-hypercube design points (0: max(5, 3 d)), BO steps after them.
    rule : {"max", "1se", "lcb", "1se-recon", "1se-parsimony"} or int
        Final choice: the best mean C, the smallest k within one standard
        error of it (default), the best lower confidence bound of the
        surrogate (BO only), or, within one standard error of the best,
        the lowest held-out reconstruction error ("1se-recon"), or the
        smallest k whose reconstruction error is within one standard error
        of that lowest one, then at that k the smallest alpha (then the
        largest lambda) within one standard error of the k's best C
        ("1se-parsimony"; 1se when no reconstruction error is known).  See
        doc/algorithm.md.  An integer is passed to the library as is.
    method : {"bo", "grid"} or int
    grid : dict or None
        For ``method="grid"``: values per keyword name; the grid is their
        Cartesian product, other hyperparameters take the estimator's values.
    start_mode : {"average", "best"} or int
        Average the held-out C over the starts (the paper), or keep the
        start that is best by the training criterion.
    alpha_scale : {"logodds", "linear"} or int
        Scale on which alpha is searched.
    xi, lcb_z, pool, batch : float, float, int, int
        Expected-improvement margin, z of the lcb rule, EI candidate pool
        (0: automatic), starts of a fold fit advanced together (one wider
        matrix product).  With the reference BLAS the results are bitwise
        those of ``batch=1``; with OpenBLAS the wider product can differ in
        the last bits, which the fits amplify, so the history (possibly
        the choice) may differ slightly.  A given ``batch`` is reproducible.
    random_state : int or None
        Seed of folds, design and starts (None: a random seed).
    n_jobs : int
        Worker threads; results do not depend on it.
    estimator : DeSurv or None
        Supplies every option that is not searched (tol, maxit, imaxit,
        ties, fixed hyperparameters, ...); its n_init is used for the refit
        only.  Default: ``DeSurv(k=2)``.  It is not modified.
    folds : array-like of int or None
        Fold of each sample (0 .. K-1, every fold used) instead of the
        stratified random assignment.
    strata : array-like or None
        Cohort label of each sample (any hashable values): folds are then
        stratified by (cohort, event).
    progress : None, True or callable
        As for :meth:`DeSurv.fit`: stages "design", "search" (fold fits done
        of total), "refit", then "starts"/"fit" of the refit.  A callable
        returning False cancels (:class:`CancelledError`); Ctrl-C raises
        KeyboardInterrupt.  The tuner stays usable.

    A fit that fails once the search has started (an error, a
    cancellation, Ctrl-C) leaves only ``history_``, holding the evaluations
    done before the stop; the other result attributes of an earlier run are
    removed (an earlier ``best_model_`` is not closed: it stays usable
    wherever it is still referenced).

    Attributes (after fit)
    ----------------------
    best_params_ : dict
        The chosen point, keyword names (ints for k and ntop).
    best_index_ : int
        Its row in ``history_``.
    best_score_ : float
        Its mean cross-validated C-index.
    best_model_ : DeSurv
        Fitted on all samples at ``best_params_`` (owns its handle).
    history_ : pandas.DataFrame (dict of numpy arrays without pandas)
        One row per evaluation in evaluation order, columns k, alpha,
        lambda_, nu, lambda_w, lambda_h, ntop, mean, se, pooled, fold_0 ..
        fold_{K-1}, recon, recon_se (the held-out reconstruction error used
        by rules "1se-recon" and "1se-parsimony" and its standard error;
        unscorable values NaN).
    surface_ : dict or None
        The surrogate over (k, alpha) at the other chosen values: "k"
        (ascending ints), "alpha" (ascending), "mean" and "sd" of shape
        (len(k), len(alpha)).  None after grid search.
    folds_ : numpy int32 array
        The fold of each sample.
    warnings_ : list of str
        e.g. "fold 3 has no events".
    feature_names_in_ : numpy object array
        Gene names, when fitted on a DataFrame.

    Thread safety: one tuner must not be used from two threads at once;
    distinct tuners (and models) may run concurrently.  The GIL is released
    during the C calls (ctypes CDLL), so other Python threads keep running.

    Example::

        d = desurv.simulate("R0", 1, n_genes=400, n_samples=80, k=2)
        with DeSurvTuner(bounds={"k": (2, 4)}, n_folds=3, n_starts=2,
                         n_iter=5, estimator=DeSurv(2, maxit=100)) as tuner:
            tuner.fit(d.X, d.time, d.event)
            print(tuner.best_params_, tuner.best_score_)
            lp = tuner.predict(d.X)
    """

    _param_names = ("bounds", "n_folds", "n_starts", "n_init_points", "n_iter", "rule",
                    "method", "grid", "start_mode", "alpha_scale", "xi", "lcb_z", "pool",
                    "batch", "random_state", "n_jobs", "estimator", "folds", "strata",
                    "progress")

    def __init__(self, bounds=None, n_folds=5, n_starts=30, n_init_points=0, n_iter=20,
                 rule="1se", method="bo", grid=None, start_mode="average",
                 alpha_scale="logodds", xi=0.0, lcb_z=1.645, pool=0, batch=10,
                 random_state=1, n_jobs=1, estimator=None, folds=None, strata=None,
                 progress=None):
        self._handle = None
        self.bounds = bounds
        self.n_folds = n_folds
        self.n_starts = n_starts
        self.n_init_points = n_init_points
        self.n_iter = n_iter
        self.rule = rule
        self.method = method
        self.grid = grid
        self.start_mode = start_mode
        self.alpha_scale = alpha_scale
        self.xi = xi
        self.lcb_z = lcb_z
        self.pool = pool
        self.batch = batch
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.estimator = estimator
        self.folds = folds
        self.strata = strata
        self.progress = progress

    # -- scikit-learn parameter protocol ---------------------------------
    def get_params(self, deep=True):
        """Constructor parameters as a dict (with ``deep``, also the
        estimator's as ``estimator__name``)."""
        out = {name: getattr(self, name) for name in self._param_names}
        if deep and self.estimator is not None:
            for k, v in self.estimator.get_params().items():
                out[f"estimator__{k}"] = v
        return out

    def set_params(self, **params):
        """Set constructor parameters (``estimator__name`` sets the
        estimator's); returns self.

        :raises ValueError: an unknown parameter name."""
        nested = {}
        for name, value in params.items():
            if name.startswith("estimator__"):
                nested[name[len("estimator__"):]] = value
            elif name in self._param_names:
                setattr(self, name, value)
            else:
                raise ValueError(f"invalid parameter {name!r} for DeSurvTuner; "
                                 f"valid: {', '.join(self._param_names)}")
        if nested:
            if self.estimator is None:
                self.estimator = DeSurv(2)
            self.estimator.set_params(**nested)
        return self

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params(deep=False).items())
        return f"DeSurvTuner({args})"

    # -- handle ----------------------------------------------------------
    def close(self):
        """Free the tuner's C handle and close ``best_model_`` (idempotent).
        The result attributes stay, but predict needs a new fit.  To keep
        the model, take it out first (``m = tuner.best_model_;
        tuner.best_model_ = None``).  Garbage collection frees the tuner's
        handle only; the model is freed when no longer referenced."""
        self._free_handle()
        m = getattr(self, "best_model_", None)
        if m is not None:
            m.close()

    def _free_handle(self):
        h, self._handle = getattr(self, "_handle", None), None
        if h is not None and h.value:
            lib.desurv_tuner_free(h)

    _finalise = _free_handle  # collection frees the tuner only, not best_model_

    def _fail(self, st, what=None):
        msg = lib.desurv_tuner_errmsg(self._handle).decode("utf-8", "replace")
        if not msg:
            msg = lib.desurv_strerror(st).decode()
        _raise(st, f"{what}: {msg}" if what else msg)

    # -- configuration ---------------------------------------------------
    def _configure(self, t, n):
        seed = self.random_state
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        opts = [
            ("n_folds", E.DESURV_TOPT_FOLDS, self.n_folds),
            ("n_starts", E.DESURV_TOPT_STARTS, self.n_starts),
            ("start_mode", E.DESURV_TOPT_START_MODE,
             _choice("start_mode", self.start_mode, _START_MODES)),
            ("method", E.DESURV_TOPT_METHOD, _choice("method", self.method, _METHODS)),
            ("n_init_points", E.DESURV_TOPT_INIT_POINTS, self.n_init_points),
            ("n_iter", E.DESURV_TOPT_ITERATIONS, self.n_iter),
            ("rule", E.DESURV_TOPT_RULE, _choice("rule", self.rule, _RULES)),
            ("xi", E.DESURV_TOPT_XI, self.xi),
            ("lcb_z", E.DESURV_TOPT_LCB_Z, self.lcb_z),
            ("pool", E.DESURV_TOPT_POOL, self.pool),
            ("alpha_scale", E.DESURV_TOPT_ALPHA_SCALE,
             _choice("alpha_scale", self.alpha_scale, _ALPHA_SCALES)),
            ("random_state", E.DESURV_TOPT_SEED, seed),
            ("n_jobs", E.DESURV_TOPT_THREADS, self.n_jobs),
            ("batch", E.DESURV_TOPT_BATCH, self.batch),
            ("refit", E.DESURV_TOPT_REFIT, 1),
        ]
        for name, opt, value in opts:
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise E.OptionError(E.DESURV_E_RANGE,
                                    f"{name}={value!r} is not a number") from None
            st = lib.desurv_tuner_set(t, opt, v)
            if st != E.DESURV_OK:
                self._fail(st, f"{name}={value!r}")
        for name, value in (self.bounds or {}).items():
            key, par = _param_id(name)
            if value is None:
                lo = hi = math.nan
            elif isinstance(value, (tuple, list, np.ndarray)):
                if len(value) != 2:
                    raise E.OptionError(E.DESURV_E_RANGE,
                                        f"bounds[{name!r}] = {value!r}: expected (lo, hi), "
                                        f"a single value or None")
                lo, hi = float(value[0]), float(value[1])
            else:
                lo = hi = float(value)
            st = lib.desurv_tuner_set_bounds(t, par, lo, hi)
            if st != E.DESURV_OK:
                self._fail(st, f"bounds[{name!r}] = {value!r}")
        for name, values in (self.grid or {}).items():
            key, par = _param_id(name)
            arr = np.ascontiguousarray(np.atleast_1d(np.asarray(values, dtype=_F8)))
            if arr.ndim != 1:
                raise E.OptionError(E.DESURV_E_RANGE,
                                    f"grid[{name!r}] must be a list of values")
            st = lib.desurv_tuner_set_grid(t, par, _dptr(arr), arr.shape[0])
            if st != E.DESURV_OK:
                self._fail(st, f"grid[{name!r}]")
        if self.folds is not None:
            f = np.asarray(self.folds)
            if f.ndim != 1 or f.shape[0] != n or (f.size and f.dtype.kind not in "iu"):
                raise E.InputError(E.DESURV_E_DIM,
                                   f"folds must be {n} integers (one per sample), got "
                                   f"shape {f.shape} dtype {f.dtype}")
            f = np.ascontiguousarray(f, dtype=np.int32)
            st = lib.desurv_tuner_set_folds(t, _iptr(f), n)
            if st != E.DESURV_OK:
                self._fail(st, "folds")
        if self.strata is not None:
            s = np.asarray(self.strata)
            if s.ndim != 1 or s.shape[0] != n:
                raise E.InputError(E.DESURV_E_DIM,
                                   f"strata must have one label per sample ({n}), got "
                                   f"shape {s.shape}")
            codes = np.ascontiguousarray(np.unique(s, return_inverse=True)[1], dtype=np.int32)
            st = lib.desurv_tuner_set_strata(t, _iptr(codes), n)
            if st != E.DESURV_OK:
                self._fail(st, "strata")

    # -- fitting ---------------------------------------------------------
    def fit(self, X, time, event):
        """Run the search on (X, time, event) and refit at the choice.

        :param X: (n_samples, n_genes) array or pandas DataFrame, as for
            :meth:`DeSurv.fit` (zero-copy for float64 with contiguous rows;
            a DataFrame's gene and sample names go into ``best_model_``).
        :param time: (n_samples,) finite times >= 0.
        :param event: (n_samples,) 0/1 indicators.
        :returns: self.
        :raises InputError: bad data (message from the library).
        :raises OptionError: a bad option, bound or grid (the library's
            detailed message, desurv_tuner_errmsg).
        :raises CancelledError: the progress callable returned False.
        :raises KeyboardInterrupt: Ctrl-C; exceptions of the progress
            callable propagate as is.
        """
        Xv, genes, samples = frame_parts(X)
        Xa, n, p, ldx = as_library_matrix(Xv)
        t = _as_f8_vector(time, "time", n)
        ev = _as_event(event, n)
        est = self.estimator if self.estimator is not None else DeSurv(2)

        self._free_handle()
        th = ctypes.c_void_p()
        _check(lib.desurv_tuner_new(ctypes.byref(th)))
        self._handle = th
        self._configure(th, n)

        mh = ctypes.c_void_p()
        _check(lib.desurv_model_new(ctypes.byref(mh)))
        model = DeSurv._from_handle(mh)  # owns mh from here on
        est._apply_params(mh)

        self._clear_results()
        bridge = ProgressBridge()
        lib.desurv_tuner_set_progress(th, bridge.cfunc, None)
        lib.desurv_set_progress(mh, bridge.cfunc, None)  # progress of the refit
        try:
            st = bridge.call(self.progress, lib.desurv_tune, th, mh, _dptr(Xa), p, n, ldx,
                             _dptr(t), _iptr(ev))
        finally:
            lib.desurv_tuner_set_progress(th, type(bridge.cfunc)(), None)
            lib.desurv_set_progress(mh, model._bridge.cfunc, None)
        try:
            self._read_history()
            if st == E.DESURV_OK:
                self._read_results(n)
                model._after_fit(genes, samples, ntop=self.best_params_["ntop"])
                self._refresh_model_params(model)
        except BaseException:
            model.close()
            raise
        if st != E.DESURV_OK:
            model.close()
            bridge.raise_pending()
            msg = lib.desurv_tuner_errmsg(th).decode("utf-8", "replace")
            if not msg:
                msg = lib.desurv_errmsg(mh).decode("utf-8", "replace") if mh else ""
            _raise(st, msg or None)
        self.best_model_ = model
        if genes is not None:
            self.feature_names_in_ = np.array(genes, dtype=object)
        elif "feature_names_in_" in self.__dict__:
            del self.feature_names_in_
        self.n_features_in_ = p
        bridge.raise_pending()
        return self

    _RESULTS = ("best_params_", "best_index_", "best_score_", "best_model_", "history_",
                "surface_", "folds_", "warnings_", "feature_names_in_", "n_features_in_")

    def _clear_results(self):
        """Forget the previous run's results (a previous best_model_ is not
        closed: it may still be in use; it is freed when unreferenced)."""
        for name in self._RESULTS:
            self.__dict__.pop(name, None)

    @staticmethod
    def _refresh_model_params(model):
        """Read the chosen options back into the model's parameters."""
        from ._core import _OPTIONS, _decode
        h = model._handle
        for name, opt in _OPTIONS.items():
            v = ctypes.c_double()
            _check(lib.desurv_get_option(h, opt, ctypes.byref(v)), h)
            setattr(model, name, _decode(name, v.value))

    def _read_history(self):
        t = self._handle
        ln, K = ctypes.c_int64(), ctypes.c_int64()
        _check(lib.desurv_tuner_history_len(t, ctypes.byref(ln), ctypes.byref(K)))
        ln, K = ln.value, K.value
        P = E.DESURV_PARAM_COUNT
        params = np.empty((ln, P), dtype=_F8)
        mean = np.empty(ln, dtype=_F8)
        se = np.empty(ln, dtype=_F8)
        pooled = np.empty(ln, dtype=_F8)
        fold_c = np.empty((ln, max(K, 1)), dtype=_F8)
        for i in range(ln):
            st = lib.desurv_tuner_history(
                t, i, _dptr(params[i]), _dptr(mean[i:]), _dptr(se[i:]), _dptr(pooled[i:]),
                _dptr(fold_c[i]))
            if st != E.DESURV_OK:
                self._fail(st, f"history row {i}")
        cols = {}
        for j, name in enumerate(PARAM_NAMES):
            col = params[:, j].copy()
            if name in _INTEGRAL and np.all(np.isfinite(col)):
                col = col.astype(np.int64)
            cols[name] = col
        cols["mean"], cols["se"], cols["pooled"] = mean, se, pooled
        for f in range(K):
            cols[f"fold_{f}"] = fold_c[:, f].copy()
        recon = np.empty((2, ln), dtype=_F8)
        for i in range(ln):
            st = lib.desurv_tuner_history_recon(t, i, _dptr(recon[0, i:]), _dptr(recon[1, i:]))
            if st != E.DESURV_OK:
                self._fail(st, f"history row {i}")
        cols["recon"], cols["recon_se"] = recon[0], recon[1]
        pd = _pandas()
        self.history_ = pd.DataFrame(cols) if pd is not None else cols
        self._history_params = params
        self._history_mean = mean

    def _read_results(self, n):
        t = self._handle
        P = E.DESURV_PARAM_COUNT
        par = np.empty(P, dtype=_F8)
        idx = ctypes.c_int64()
        st = lib.desurv_tuner_choice(t, _dptr(par), ctypes.byref(idx))
        if st != E.DESURV_OK:
            self._fail(st, "choice")
        best = {}
        for j, name in enumerate(PARAM_NAMES):
            v = float(par[j])
            best[name] = int(v) if name in _INTEGRAL and math.isfinite(v) else v
        self.best_params_ = best
        self.best_index_ = int(idx.value)
        self.best_score_ = float(self._history_mean[self.best_index_])
        # surface (BO only)
        ln = ctypes.c_int64()
        st = lib.desurv_tuner_surface(t, None, None, None, None, 0, ctypes.byref(ln))
        if st == E.DESURV_OK and ln.value > 0:
            m = ln.value
            kk, aa, mu, sd = (np.empty(m, dtype=_F8) for _ in range(4))
            st = lib.desurv_tuner_surface(t, _dptr(kk), _dptr(aa), _dptr(mu), _dptr(sd), m,
                                          ctypes.byref(ln))
            if st != E.DESURV_OK:
                self._fail(st, "surface")
            ku, ki = np.unique(kk, return_inverse=True)
            au, ai = np.unique(aa, return_inverse=True)
            M = np.full((len(ku), len(au)), np.nan)
            S = np.full((len(ku), len(au)), np.nan)
            M[ki, ai] = mu
            S[ki, ai] = sd
            self.surface_ = {"k": ku.astype(np.int64), "alpha": au, "mean": M, "sd": S}
        elif st in (E.DESURV_OK, E.DESURV_E_NOT_FITTED):
            self.surface_ = None
        else:
            self._fail(st, "surface")
        folds = np.empty(n, dtype=np.int32)
        st = lib.desurv_tuner_folds(t, folds.ctypes.data_as(c_int32_p), n)
        if st != E.DESURV_OK:
            self._fail(st, "folds")
        self.folds_ = folds
        w = lib.desurv_tuner_warnings(t)
        w = w.decode("utf-8", "replace") if w else ""
        self.warnings_ = [line for line in w.splitlines() if line.strip()]

    # -- delegation ------------------------------------------------------
    def _model(self):
        m = getattr(self, "best_model_", None)
        if m is None:
            _raise(E.DESURV_E_NOT_FITTED,
                   "this DeSurvTuner is not fitted (or was closed): call fit() first")
        return m

    def predict(self, X, ntop=None):
        """``best_model_.predict(X, ntop)``.

        :raises NotFittedError: before fit, or after close()."""
        return self._model().predict(X, ntop=ntop)

    def score(self, X, time, event):
        """``best_model_.score(X, time, event)`` (Harrell's C).

        :raises NotFittedError: before fit, or after close()."""
        return self._model().score(X, time, event)
