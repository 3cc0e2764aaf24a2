"""Python binding of libdesurv (survival-supervised NMF) over its C ABI."""

from ._version import __version__
from ._errors import (DesurvError, InputError, OptionError, NotFittedError, NumericError,
                      CancelledError, FileFormatError, ResourceError, InitError)
from ._core import DeSurv, concordance_index, simulate, SimulatedData
from ._tune import DeSurvTuner
from ._topgenes import top_genes
from ._survival import kaplan_meier, logrank_test, cox_univariate

__all__ = ["__version__", "DeSurv", "DeSurvTuner", "concordance_index", "simulate",
           "SimulatedData", "top_genes", "kaplan_meier", "logrank_test", "cox_univariate",
           "DesurvError", "InputError", "OptionError", "NotFittedError", "NumericError",
           "CancelledError", "FileFormatError", "ResourceError", "InitError"]
