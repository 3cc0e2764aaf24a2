"""top_genes(model, ntop): each factor's top genes (desurv_model_top_genes)."""

import numbers

import numpy as np

from . import _errors as E
from ._core import _F8, _check, _dptr, _raise
from ._lib import lib, c_int64_p
from ._tune import DeSurvTuner


class TopGenes:
    """Each factor's ``ntop`` top genes, best first.

    Attributes
    ----------
    index : numpy int64 array (ntop, k)
        0-based gene indices (columns of X); column r is factor r + 1.
    score : numpy float64 array (ntop, k)
        w_gr - max_{r' != r} w_gr' with each column of W scaled to maximum 1
        (w_gr itself when k = 1); ties: lower gene index first.
    names : numpy object array (ntop, k) or None
        Gene names (the model's ``feature_names_in_``), None when the model
        has no gene names.
    """

    def __init__(self, index, score, names):
        self.index = index
        self.score = score
        self.names = names

    @property
    def ntop(self):
        return self.index.shape[0]

    @property
    def k(self):
        return self.index.shape[1]

    def to_frame(self):
        """A long pandas DataFrame, one row per (factor, rank): columns
        ``factor`` (1-based), ``rank`` (1 = best), ``gene`` (0-based
        index), ``name`` (None without gene names) and ``score``.

        :raises ImportError: pandas is not installed."""
        import pandas as pd
        ntop, k = self.index.shape
        names = (self.names.T.ravel() if self.names is not None
                 else np.full(ntop * k, None, dtype=object))
        return pd.DataFrame({
            "factor": np.repeat(np.arange(1, k + 1), ntop),
            "rank": np.tile(np.arange(1, ntop + 1), k),
            "gene": self.index.T.ravel(),
            "name": names,
            "score": self.score.T.ravel(),
        })

    def __repr__(self):
        return f"TopGenes(ntop={self.ntop}, k={self.k}, names={self.names is not None})"


def top_genes(model, ntop):
    """Each factor's ``ntop`` top genes of a fitted model.

    :param model: a fitted :class:`DeSurv` (or a fitted :class:`DeSurvTuner`:
        its ``best_model_``).
    :param ntop: genes per factor, an integer in 1 .. n_genes.
    :returns: :class:`TopGenes` with ``index``, ``score``, ``names`` and
        ``to_frame()``.
    :raises InputError: ntop is not an integer in 1 .. n_genes.
    :raises NotFittedError: the model is not fitted or was closed.

    Example::

        tg = desurv.top_genes(model, 20)
        tg.names[:, 0]          # factor 1's 20 top genes, best first
        tg.to_frame().head()
    """
    if isinstance(model, DeSurvTuner):
        model = model._model()
    h = model._fitted_handle()
    if isinstance(ntop, (bool, np.bool_)) or not isinstance(ntop, numbers.Integral):
        raise E.InputError(E.DESURV_E_DIM, f"ntop={ntop!r} must be an integer")
    ntop = int(ntop)
    p = int(model.n_features_in_)
    if not 1 <= ntop <= p:
        raise E.InputError(E.DESURV_E_DIM,
                           f"ntop={ntop} is outside 1 .. {p} (the model's genes)")
    k = int(np.shape(model.beta_)[0])
    idx = np.empty((k, ntop), dtype=np.int64)  # column-major ntop x k
    sc = np.empty((k, ntop), dtype=_F8)
    st = lib.desurv_model_top_genes(h, ntop, idx.ctypes.data_as(c_int64_p), _dptr(sc))
    if st != E.DESURV_OK:
        _check(st, h)
        _raise(st)
    index = idx.T
    names = getattr(model, "feature_names_in_", None)
    name_arr = None
    if names is not None:
        name_arr = np.asarray(names, dtype=object)[index]
    return TopGenes(np.ascontiguousarray(index), np.ascontiguousarray(sc.T), name_arr)
