"""Status codes, option identifiers and the exception hierarchy.

The numeric values mirror include/desurv/desurv.h; tests/test_enums.py
parses the header and checks that they are identical.
"""

# enum desurv_status
DESURV_OK = 0
DESURV_E_NULL = -1
DESURV_E_DIM = -2
DESURV_E_LD = -3
DESURV_E_NONFINITE = -4
DESURV_E_NEGATIVE = -5
DESURV_E_TIME = -6
DESURV_E_EVENT = -7
DESURV_E_NO_EVENTS = -8
DESURV_E_RANK = -9
DESURV_E_OPTION = -10
DESURV_E_RANGE = -11
DESURV_E_NOT_FITTED = -12
DESURV_E_MISMATCH = -13
DESURV_E_NOMEM = -14
DESURV_E_NUMERIC = -15
DESURV_E_OVERFLOW = -16
DESURV_E_LAPACK = -17
DESURV_E_CANCELLED = -18
DESURV_E_BUFFER = -19
DESURV_E_INIT = -20
DESURV_E_THREAD = -21
DESURV_E_FORMAT = -22
DESURV_E_VERSION = -23
DESURV_E_IO = -24
DESURV_E_CHECKSUM = -25

# enum desurv_option
DESURV_OPT_K = 0
DESURV_OPT_ALPHA = 1
DESURV_OPT_LAMBDA = 2
DESURV_OPT_NU = 3
DESURV_OPT_LAMBDA_W = 4
DESURV_OPT_LAMBDA_H = 5
DESURV_OPT_TOL = 6
DESURV_OPT_MAXIT = 7
DESURV_OPT_NINIT = 8
DESURV_OPT_IMAXIT = 9
DESURV_OPT_TOL_INIT = 10
DESURV_OPT_SEED = 11
DESURV_OPT_THREADS = 12
DESURV_OPT_TIES = 13
DESURV_OPT_INIT = 14
DESURV_OPT_INIT_SELECT = 15
DESURV_OPT_ALPHA_SCALE = 16
DESURV_OPT_OFFSET = 17
DESURV_OPT_HSTEP = 18
DESURV_OPT_WSTEP = 19
DESURV_OPT_COUNT = 20

# values of DESURV_OPT_OFFSET and DESURV_OPT_HSTEP
DESURV_OFFSET_NONE = 0
DESURV_OFFSET_GENE = 1
DESURV_HSTEP_EXACT = 0
DESURV_HSTEP_HALS = 1
DESURV_HSTEP_MU = 2
DESURV_WSTEP_HALS = 0
DESURV_WSTEP_MU = 1

# enum desurv_stat
DESURV_STAT_LOSS = 0
DESURV_STAT_NMF_LOSS = 1
DESURV_STAT_COX_LOGLIK = 2
DESURV_STAT_PENALTY_BETA = 3
DESURV_STAT_ITERATIONS = 4
DESURV_STAT_CONVERGED = 5
DESURV_STAT_TRAIN_CINDEX = 6
DESURV_STAT_SIGMA2 = 7
DESURV_STAT_W_ACCEPT_RATE = 8
DESURV_STAT_BEST_START = 9
DESURV_STAT_N_EVENTS = 10
DESURV_STAT_COUNT = 11

# enum desurv_scenario
DESURV_SCENARIO_R0 = 0
DESURV_SCENARIO_NULL = 1
DESURV_SCENARIO_MIXED = 2

# desurv_cox1 ties (DESURV_TIES_*) and the columns of desurv_model_trace_terms
DESURV_TIES_BRESLOW = 0
DESURV_TIES_EFRON = 1
DESURV_TRACE_REC = 0
DESURV_TRACE_LOGLIK = 1
DESURV_TRACE_PEN_BETA = 2
DESURV_TRACE_PEN_H = 3
DESURV_TRACE_PEN_W = 4
DESURV_TRACE_TERMS = 5


# enum desurv_stage (progress reports)
DESURV_STAGE_STARTS = 0
DESURV_STAGE_FIT = 1
DESURV_STAGE_DESIGN = 2
DESURV_STAGE_SEARCH = 3
DESURV_STAGE_REFIT = 4

# which names (desurv_model_set_names)
DESURV_NAMES_GENES = 0
DESURV_NAMES_SAMPLES = 1

# enum desurv_param (tuner hyperparameters)
DESURV_PARAM_K = 0
DESURV_PARAM_ALPHA = 1
DESURV_PARAM_LAMBDA = 2
DESURV_PARAM_NU = 3
DESURV_PARAM_LAMBDA_W = 4
DESURV_PARAM_LAMBDA_H = 5
DESURV_PARAM_NTOP = 6
DESURV_PARAM_COUNT = 7

# enum desurv_tuner_option
DESURV_TOPT_FOLDS = 0
DESURV_TOPT_STARTS = 1
DESURV_TOPT_START_MODE = 2
DESURV_TOPT_METHOD = 3
DESURV_TOPT_INIT_POINTS = 4
DESURV_TOPT_ITERATIONS = 5
DESURV_TOPT_RULE = 6
DESURV_TOPT_XI = 7
DESURV_TOPT_LCB_Z = 8
DESURV_TOPT_POOL = 9
DESURV_TOPT_ALPHA_SCALE = 10
DESURV_TOPT_SEED = 11
DESURV_TOPT_THREADS = 12
DESURV_TOPT_BATCH = 13
DESURV_TOPT_REFIT = 14
DESURV_TOPT_COUNT = 15


class DesurvError(Exception):
    """A libdesurv call failed.  ``code`` is the DESURV_E_* status,
    ``message`` the library's detailed message (or its static description)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class InputError(DesurvError, ValueError):
    """Invalid input data: NULL, dimensions, NaN/Inf, negative entries,
    times, events, rank, or data not matching the model."""


class OptionError(DesurvError, ValueError):
    """Unknown option or value outside its bounds."""


class NotFittedError(DesurvError, RuntimeError):
    """The model has not been fitted."""


class NumericError(DesurvError, ArithmeticError):
    """Non-finite values arose during fitting, or LAPACK failed."""


class CancelledError(DesurvError):
    """A progress callback asked the library to stop."""


class FileFormatError(DesurvError, ValueError):
    """Not a model file, a damaged one, or one needing a newer library."""


class ResourceError(DesurvError, OSError):
    """Memory, threads, file I/O, sizes or buffers."""


class InitError(DesurvError, ValueError):
    """init = user without a valid initial W."""


_CLASS_OF = {
    DESURV_E_NULL: InputError, DESURV_E_DIM: InputError, DESURV_E_LD: InputError,
    DESURV_E_NONFINITE: InputError, DESURV_E_NEGATIVE: InputError,
    DESURV_E_TIME: InputError, DESURV_E_EVENT: InputError,
    DESURV_E_NO_EVENTS: InputError, DESURV_E_RANK: InputError,
    DESURV_E_MISMATCH: InputError,
    DESURV_E_OPTION: OptionError, DESURV_E_RANGE: OptionError,
    DESURV_E_NOT_FITTED: NotFittedError,
    DESURV_E_NUMERIC: NumericError, DESURV_E_LAPACK: NumericError,
    DESURV_E_CANCELLED: CancelledError,
    DESURV_E_FORMAT: FileFormatError, DESURV_E_VERSION: FileFormatError,
    DESURV_E_CHECKSUM: FileFormatError,
    DESURV_E_NOMEM: ResourceError, DESURV_E_OVERFLOW: ResourceError,
    DESURV_E_BUFFER: ResourceError, DESURV_E_THREAD: ResourceError,
    DESURV_E_IO: ResourceError,
    DESURV_E_INIT: InitError,
}


def error_class(code):
    return _CLASS_OF.get(code, DesurvError)
