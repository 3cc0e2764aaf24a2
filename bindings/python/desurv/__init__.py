"""Python binding of libdesurv (survival-supervised NMF) over its C ABI."""

from ._version import __version__
from ._errors import (DesurvError, InputError, OptionError, NotFittedError, NumericError,
                      CancelledError, FileFormatError, ResourceError, InitError)
from ._core import DeSurv, concordance_index, simulate, SimulatedData

__all__ = ["__version__", "DeSurv", "concordance_index", "simulate", "SimulatedData",
           "DesurvError", "InputError", "OptionError", "NotFittedError", "NumericError",
           "CancelledError", "FileFormatError", "ResourceError", "InitError"]
