"""Preprocessing: the transformations the desurv command applies before
fitting (doc/model.md section 9), so Python code prepares data exactly the same way.

Every function takes X as (n_samples, n_genes) -- a numpy array or a
pandas DataFrame -- and returns a new object (the input is never modified);
DataFrames come back as DataFrames with the same index and columns.
"""

import ctypes

import numpy as np

from . import _errors as E
from ._core import _raise, _dptr, _F8
from ._lib import lib


def _copy_for_library(X, name="X"):
    """(frame or None, C-ordered float64 copy).  A C-ordered (n_samples,
    n_genes) array is the library's column-major genes x samples matrix."""
    frame = X if _is_frame(X) else None
    a = np.array(X.to_numpy() if frame is not None else X, dtype=_F8, order="C", copy=True)
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise E.InputError(E.DESURV_E_DIM,
                           f"{name} must be a non-empty (n_samples, n_genes) matrix, "
                           f"got shape {a.shape}")
    return frame, a


def _is_frame(X):
    return type(X).__name__ == "DataFrame" and hasattr(X, "to_numpy")


def _explain(code, a, what):
    """The library's preprocessing functions have no handle, so no detailed
    message: point at the first offending entry ourselves."""
    if code == E.DESURV_E_NONFINITE:
        i, j = np.argwhere(~np.isfinite(a))[0]
        return f"{what}: X[{i}, {j}] (sample {i}, gene {j}) = {a[i, j]!r} is not finite"
    if code == E.DESURV_E_NEGATIVE:
        i, j = np.argwhere(a < 0)[0]
        return f"{what}: X[{i}, {j}] (sample {i}, gene {j}) = {a[i, j]!r} is negative"
    return None


def _call(fn, a, what, *extra):
    n, p = a.shape
    code = fn(_dptr(a), p, n, p, *extra)
    if code != E.DESURV_OK:
        _raise(code, _explain(code, a, what))  # no detail: the status's sentence


def _wrap(frame, a):
    if frame is None:
        return a
    return type(frame)(a, index=frame.index, columns=frame.columns)


def log2p1(X):
    """log2(X + 1) entrywise, as R's log2(x + 1) (desurv_log2p1).

    Raises InputError (NumericError family codes) naming the first negative
    or non-finite entry.

    Example::

        Xl = desurv.log2p1(counts)          # counts: (n_samples, n_genes) >= 0
    """
    frame, a = _copy_for_library(X)
    _call(lib.desurv_log2p1, a, "log2p1")
    return _wrap(frame, a)


def gene_filter(X, n_genes):
    """Indices (ascending, 0-based, int64) of the n_genes genes kept by the
    DeSurv paper's filter: genes ranked by mean and by variance (both
    descending, average ranks for ties), smallest rank sum kept, ties to the
    lower index (desurv_gene_filter).

    Example::

        keep = desurv.gene_filter(X, 1000)
        X_kept = X[:, keep]                 # or X.iloc[:, keep] for a DataFrame
    """
    frame, a = _copy_for_library(X)
    n, p = a.shape
    n_genes = int(n_genes)
    if not 1 <= n_genes <= p:
        raise E.InputError(E.DESURV_E_DIM, f"n_genes = {n_genes} must be in [1, {p}]")
    keep = np.empty(n_genes, dtype=np.int64)
    _call(lib.desurv_gene_filter, a, "gene_filter", n_genes,
          keep.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)))
    return keep


def rank_transform(X):
    """Replace each sample (row) by the ranks 1 .. n_genes of its values,
    ties averaged: R's apply(X, 2, rank) on the genes x samples matrix
    (desurv_transform_rank).  Negative values are allowed.

    Example::

        R = desurv.rank_transform(X[:, keep])
    """
    frame, a = _copy_for_library(X)
    _call(lib.desurv_transform_rank, a, "rank_transform")
    return _wrap(frame, a)


def quantile_target(X):
    """Target distribution of quantile normalisation (n_genes values,
    nondecreasing): the mean over samples of each sample's sorted values
    (desurv_quantile_target).  Keep it to normalise new data the same way.

    Example::

        target = desurv.quantile_target(X_train)
        Xq_test = desurv.quantile_normalise(X_test, target)
    """
    frame, a = _copy_for_library(X)
    target = np.empty(a.shape[1], dtype=_F8)
    _call(lib.desurv_quantile_target, a, "quantile_target", _dptr(target))
    return target


def quantile_normalise(X, target=None):
    """Quantile-normalise each sample (row) to `target` (n_genes values,
    nondecreasing; default: quantile_target(X) itself), ties getting the
    mean of their target values (desurv_transform_quantile).

    Example::

        Xq = desurv.quantile_normalise(X)
    """
    frame, a = _copy_for_library(X)
    if target is None:
        target = quantile_target(a)
    t = np.ascontiguousarray(target, dtype=_F8)
    if t.ndim != 1 or t.shape[0] != a.shape[1]:
        raise E.InputError(E.DESURV_E_DIM,
                           f"target has shape {t.shape}, expected ({a.shape[1]},)")
    if not np.all(np.isfinite(t)):
        i = int(np.flatnonzero(~np.isfinite(t))[0])
        raise E.InputError(E.DESURV_E_NONFINITE, f"target[{i}] = {t[i]!r} is not finite")
    if np.any(np.diff(t) < 0):
        i = int(np.flatnonzero(np.diff(t) < 0)[0])
        raise E.InputError(E.DESURV_E_RANGE,
                           f"target must be nondecreasing: target[{i + 1}] < target[{i}]")
    _call(lib.desurv_transform_quantile, a, "quantile_normalise", _dptr(t))
    return _wrap(frame, a)
