"""Kaplan-Meier curve, log-rank test and univariate Cox fit (desurv_km,
desurv_logrank, desurv_cox1).

The downstream summaries of a risk score, e.g. "high vs low risk at the
median".  They equal R's survival package (survfit, survdiff, coxph with
default settings) on the same data, except that times are compared exactly
(survival merges times within ~1e-8 relative).  Inputs are converted like
DeSurv.fit's: float64 times, 0/1 (or boolean) events.
"""

import ctypes
import warnings
from dataclasses import dataclass

import numpy as np

from . import _errors as E
from ._core import _as_event, _as_f8_vector, _dptr, _iptr, _raise
from ._lib import lib, c_int64_p

_TIES = {"breslow": E.DESURV_TIES_BRESLOW, "efron": E.DESURV_TIES_EFRON}


def _i64ptr(a):
    return a.ctypes.data_as(c_int64_p)


def _first(mask):
    return int(np.flatnonzero(mask)[0])


def _input_error(code, time, event, x=None, xname="x"):
    """Raise the error of a failed call with a message naming the first
    offending entry (the C functions have no handle, hence no message)."""
    msg = None
    if code == E.DESURV_E_TIME:
        bad = ~np.isfinite(time) | (time < 0)
        if bad.any():
            i = _first(bad)
            msg = f"time[{i}] = {time[i]!r}: times must be finite and >= 0"
    elif code == E.DESURV_E_EVENT:
        bad = (event != 0) & (event != 1)
        if bad.any():
            i = _first(bad)
            msg = f"event[{i}] = {int(event[i])}: events must be 0 (censored) or 1"
    elif code == E.DESURV_E_NONFINITE and x is not None:
        bad = ~np.isfinite(x)
        if bad.any():
            i = _first(bad)
            msg = f"{xname}[{i}] = {x[i]!r} is not finite"
    elif code == E.DESURV_E_NO_EVENTS:
        msg = "no events (every sample is censored)"
    elif code == E.DESURV_E_DIM and time.shape[0] < 1:
        msg = "no samples"
    _raise(code, msg)


def _survival_inputs(time, event):
    t = _as_f8_vector(time, "time")
    return t, _as_event(event, t.shape[0])


# ---------------------------------------------------------------------------
# Kaplan-Meier
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class KaplanMeierResult:
    """Kaplan-Meier estimate (R's ``survfit(Surv(time, event) ~ 1)``), one
    entry per distinct time (event or censoring), ascending.

    Attributes (numpy arrays of equal length):
      ``time``      the distinct times;
      ``surv``      S(t), the survival probability just after t;
      ``std_err``   Greenwood standard error of log S(t) (survfit's
                    ``$std.err``; the standard error of S is
                    ``surv * std_err``); inf once S reaches 0;
      ``lower``, ``upper``  95% confidence limits on the log scale
                    (survfit's default), upper capped at 1; NaN where S = 0;
      ``n_risk``, ``n_event``, ``n_censor``  (int64) samples at risk at t
                    (time >= t), deaths at t, censorings at t.
    """
    time: np.ndarray
    surv: np.ndarray
    std_err: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray
    n_censor: np.ndarray

    def __len__(self):
        return self.time.shape[0]

    def step(self, at):
        """S(t) at the given times (right-continuous step function; 1 before
        the first time)."""
        i = np.searchsorted(self.time, np.asarray(at, dtype=float), side="right")
        return np.concatenate(([1.0], self.surv))[i]


def kaplan_meier(time, event):
    """Kaplan-Meier estimate of the survival function.

    >>> km = kaplan_meier([1, 2, 2, 3], [1, 0, 1, 1])
    >>> km.time, km.surv
    (array([1., 2., 3.]), array([0.75, 0.5 , 0.  ]))

    Returns a :class:`KaplanMeierResult`.  Raises InputError for times that
    are negative or not finite, events other than 0/1, or no samples.
    """
    t, ev = _survival_inputs(time, event)
    n = t.shape[0]
    ln = ctypes.c_int64()
    null8 = [None] * 8
    st = lib.desurv_km(_dptr(t), _iptr(ev), n, *null8, 0, ctypes.byref(ln))
    if st != E.DESURV_OK:
        _input_error(st, t, ev)
    rows = ln.value
    f = [np.empty(rows, dtype=np.float64) for _ in range(5)]
    i = [np.empty(rows, dtype=np.int64) for _ in range(3)]
    st = lib.desurv_km(_dptr(t), _iptr(ev), n, *[_dptr(a) for a in f],
                       *[_i64ptr(a) for a in i], rows, ctypes.byref(ln))
    if st != E.DESURV_OK:
        _input_error(st, t, ev)
    return KaplanMeierResult(*f, *i)


# ---------------------------------------------------------------------------
# Log-rank
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LogRankResult:
    """k-group log-rank test (R's ``survdiff(Surv(time, event) ~ group)``).

    Attributes:
      ``statistic`` the chi-square statistic;
      ``df``        its degrees of freedom (int; 0 when fewer than two groups
                    have expected deaths, then statistic 0 and p 1);
      ``p_value``   upper-tail p-value, accurate far into the tail;
      ``groups``    the distinct labels of ``group``, ascending (the order of
                    the per-group arrays); they keep the input's type
                    (strings, booleans, numbers);
      ``observed``, ``expected``  deaths and expected deaths per group;
      ``n``         samples per group (int64).
    """
    statistic: float
    df: int
    p_value: float
    groups: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    n: np.ndarray


def _group_codes(group, n):
    """int32 codes 0..g-1 of the labels in ascending order, and the labels."""
    g = np.asarray(group)
    if g.ndim != 1:
        raise E.InputError(E.DESURV_E_DIM, f"group must be one-dimensional, got shape {g.shape}")
    if g.shape[0] != n:
        raise E.InputError(E.DESURV_E_DIM, f"group has length {g.shape[0]}, expected {n}")
    if g.dtype.kind in "fc" and not np.all(np.isfinite(g)):
        i = _first(~np.isfinite(g))
        raise E.InputError(E.DESURV_E_NONFINITE, f"group[{i}] = {g[i]!r} is not a label")
    try:
        labels, codes = np.unique(g, return_inverse=True)
    except TypeError:
        raise E.InputError(E.DESURV_E_DIM,
                           "group labels cannot be sorted (mixed types?)") from None
    return labels, np.ascontiguousarray(codes.reshape(-1), dtype=np.int32)


def logrank_test(time, event, group):
    """Log-rank test of equal survival across the groups given by ``group``
    (any sortable labels: strings, booleans, integers ...).

    >>> r = logrank_test([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1],
    ...                  ["high", "high", "low", "high", "low", "low"])
    >>> r.groups, r.observed, round(r.statistic, 4), r.df
    (array(['high', 'low'], dtype='<U4'), array([3., 2.]), 2.5567, 1)

    Returns a :class:`LogRankResult`.  Raises InputError for invalid
    times/events, no events, or fewer than two distinct groups.
    """
    t, ev = _survival_inputs(time, event)
    n = t.shape[0]
    labels, codes = _group_codes(group, n)
    g = len(labels)
    chisq, df, p = ctypes.c_double(), ctypes.c_int64(), ctypes.c_double()
    lab = np.empty(max(g, 1), dtype=np.int32)
    obs = np.empty(max(g, 1), dtype=np.float64)
    exp = np.empty(max(g, 1), dtype=np.float64)
    ng = ctypes.c_int64()
    st = lib.desurv_logrank(_dptr(t), _iptr(ev), _iptr(codes), n, ctypes.byref(chisq),
                            ctypes.byref(df), ctypes.byref(p), _iptr(lab), _dptr(obs),
                            _dptr(exp), g, ctypes.byref(ng))
    if st == E.DESURV_E_DIM and n >= 1:
        _raise(st, f"the log-rank test needs at least 2 groups, got {g}")
    if st != E.DESURV_OK:
        _input_error(st, t, ev)
    # the library returns the codes ascending, i.e. the labels' order
    return LogRankResult(statistic=chisq.value, df=int(df.value), p_value=p.value,
                         groups=labels[lab], observed=obs, expected=exp,
                         n=np.bincount(codes, minlength=g).astype(np.int64))


# ---------------------------------------------------------------------------
# Univariate Cox
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CoxResult:
    """Univariate Cox fit (R's ``coxph(Surv(time, event) ~ x)``).

    Attributes (floats):
      ``coef``      the log hazard ratio per unit of x;
      ``se``        its standard error, sqrt(1 / information);
      ``hr``        exp(coef); ``hr_lower``, ``hr_upper`` its 95% Wald limits;
      ``p_value``   two-sided Wald p-value;
      ``loglik0``, ``loglik``  log partial likelihood at 0 and at coef;
      ``ties``      "efron" or "breslow";
      ``converged`` False when the estimate does not exist (see
                    cox_univariate) or the iterations did not converge.
    """
    coef: float
    se: float
    hr: float
    hr_lower: float
    hr_upper: float
    p_value: float
    loglik0: float
    loglik: float
    ties: str
    converged: bool = True


def _numeric_reason(coef):
    if np.isnan(coef):
        return ("x is constant within the risk set of every event: the data carry no "
                "information about the coefficient (coef is NaN)")
    if np.isinf(coef):
        side = "largest" if coef > 0 else "smallest"
        return (f"monotone likelihood: every event has the {side} x of its risk set "
                f"(e.g. a group without events), so the estimate is infinite "
                f"(coef = {coef}); R's coxph stops at a large finite value with a warning")
    return "the Newton-Raphson iterations did not converge within 50 steps"


def cox_univariate(time, event, x, ties="efron"):
    """Cox proportional-hazards fit of one covariate x (a score, or a 0/1
    group indicator: hr is then the hazard ratio of group 1 vs 0).

    >>> r = cox_univariate(time, event, risk_score)
    >>> r.hr, (r.hr_lower, r.hr_upper), r.p_value

    ``ties``: "efron" (coxph's default) or "breslow".  When the estimate
    does not exist (x constant within every event's risk set: coef NaN; a
    monotone likelihood: coef = +/-inf, hr = inf or 0, se and loglik NaN)
    or does not converge, the result is still returned, with
    ``converged = False`` and a RuntimeWarning saying why.  Invalid inputs
    raise InputError (times, events, non-finite x, no events); an unknown
    ``ties`` raises OptionError.
    """
    if ties not in _TIES:
        raise E.OptionError(E.DESURV_E_RANGE,
                            f"ties={ties!r}: expected one of {sorted(_TIES)}")
    t, ev = _survival_inputs(time, event)
    n = t.shape[0]
    xv = _as_f8_vector(x, "x", n)
    out = [ctypes.c_double() for _ in range(8)]
    st = lib.desurv_cox1(_dptr(t), _iptr(ev), _dptr(xv), n, _TIES[ties],
                         *[ctypes.byref(v) for v in out])
    if st not in (E.DESURV_OK, E.DESURV_E_NUMERIC):
        _input_error(st, t, ev, xv, "x")
    vals = [v.value for v in out]
    if st == E.DESURV_E_NUMERIC:
        warnings.warn(f"cox_univariate: {_numeric_reason(vals[0])}", RuntimeWarning,
                      stacklevel=2)
    return CoxResult(*vals, ties=ties, converged=st == E.DESURV_OK)
