"""Python binding of libdesurv (survival-supervised NMF) over its C ABI."""

from ._version import __version__
from ._errors import (DesurvError, InputError, OptionError, NotFittedError, NumericError,
                      CancelledError, FileFormatError, ResourceError, InitError)
from ._core import DeSurv, concordance_index, simulate, SimulatedData
from ._tune import DeSurvTuner
from ._topgenes import top_genes, TopGenes
from ._survival import (kaplan_meier, logrank_test, cox_univariate, KaplanMeierResult,
                        LogRankResult, CoxResult)
from ._preprocess import log2p1, gene_filter, rank_transform, quantile_target, quantile_normalise
from ._io import read_cohort, Cohort

__all__ = ["__version__", "DeSurv", "DeSurvTuner", "concordance_index", "simulate",
           "SimulatedData", "top_genes", "TopGenes", "kaplan_meier", "logrank_test", "cox_univariate",
           "KaplanMeierResult", "LogRankResult", "CoxResult",
           "log2p1", "gene_filter", "rank_transform", "quantile_target", "quantile_normalise",
           "read_cohort", "Cohort",
           "DesurvError", "InputError", "OptionError", "NotFittedError", "NumericError",
           "CancelledError", "FileFormatError", "ResourceError", "InitError"]
