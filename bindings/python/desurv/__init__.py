"""Python binding of libdesurv (survival-supervised NMF) over its C ABI."""

from ._version import __version__
from ._errors import (DesurvError, InputError, OptionError, NotFittedError, NumericError,
                      CancelledError, FileFormatError, ResourceError, InitError)
from ._core import DeSurv, concordance_index, simulate, SimulatedData
from ._tune import DeSurvTuner
from ._topgenes import top_genes
from ._survival import kaplan_meier, logrank_test, cox_univariate
from ._preprocess import log2p1, gene_filter, rank_transform, quantile_target, quantile_normalise
from ._io import read_cohort, Cohort

__all__ = ["__version__", "DeSurv", "DeSurvTuner", "concordance_index", "simulate",
           "SimulatedData", "top_genes", "kaplan_meier", "logrank_test", "cox_univariate",
           "log2p1", "gene_filter", "rank_transform", "quantile_target", "quantile_normalise",
           "read_cohort", "Cohort",
           "DesurvError", "InputError", "OptionError", "NotFittedError", "NumericError",
           "CancelledError", "FileFormatError", "ResourceError", "InitError"]
