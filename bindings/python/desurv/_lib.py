"""ctypes loader for libdesurv.

Search order:
  1. the ``DESURV_LIBRARY`` environment variable (a path to the shared
     library);
  2. the in-tree build directories of the source checkout this package lives
     in (``<repo>/build*/lib/libdesurv.so.0``, most recently modified first);
  3. ``ctypes.util.find_library("desurv")``.

The library's major.minor version must equal the package's.
"""

import ctypes
import ctypes.util
import glob
import os

from ._version import __version__

_c = ctypes
c_double_p = _c.POINTER(_c.c_double)
c_int32_p = _c.POINTER(_c.c_int32)
c_int64_p = _c.POINTER(_c.c_int64)
c_model_p = _c.c_void_p
c_sim_p = _c.c_void_p
c_tuner_p = _c.c_void_p

# Progress callback type (desurv_progress_fn).
PROGRESS_FN = _c.CFUNCTYPE(_c.c_int, _c.c_int, _c.c_int64, _c.c_int64, _c.c_double,
                           _c.c_void_p)

# name: (restype, argtypes)
_SIGNATURES = {
    "desurv_version": (_c.c_int, []),
    "desurv_version_string": (_c.c_char_p, []),
    "desurv_strerror": (_c.c_char_p, [_c.c_int]),
    "desurv_errmsg": (_c.c_char_p, [c_model_p]),
    "desurv_model_new": (_c.c_int, [_c.POINTER(c_model_p)]),
    "desurv_model_free": (None, [c_model_p]),
    "desurv_set_option": (_c.c_int, [c_model_p, _c.c_int, _c.c_double]),
    "desurv_get_option": (_c.c_int, [c_model_p, _c.c_int, c_double_p]),
    "desurv_set_progress": (_c.c_int, [c_model_p, PROGRESS_FN, _c.c_void_p]),
    "desurv_fit": (_c.c_int, [c_model_p, c_double_p, _c.c_int64, _c.c_int64, _c.c_int64,
                              c_double_p, c_int32_p]),
    "desurv_predict": (_c.c_int, [c_model_p, c_double_p, _c.c_int64, _c.c_int64,
                                  _c.c_int64, c_double_p]),
    "desurv_cindex": (_c.c_int, [c_double_p, c_int32_p, c_double_p, _c.c_int64, c_double_p]),
    "desurv_model_dims": (_c.c_int, [c_model_p, c_int64_p, c_int64_p, c_int64_p]),
    "desurv_model_W": (_c.c_int, [c_model_p, c_double_p, _c.c_int64]),
    "desurv_model_H": (_c.c_int, [c_model_p, c_double_p, _c.c_int64]),
    "desurv_model_beta": (_c.c_int, [c_model_p, c_double_p]),
    "desurv_model_offset": (_c.c_int, [c_model_p, c_double_p]),
    "desurv_model_stat": (_c.c_int, [c_model_p, _c.c_int, c_double_p]),
    "desurv_model_trace": (_c.c_int, [c_model_p, c_double_p, _c.c_int64, c_int64_p]),
    "desurv_model_trace_terms": (_c.c_int, [c_model_p, c_double_p, _c.c_int64, _c.c_int64,
                                            c_int64_p]),
    "desurv_model_save_file": (_c.c_int, [c_model_p, _c.c_char_p, _c.c_char_p, _c.c_int64]),
    "desurv_model_load_file": (_c.c_int, [_c.POINTER(c_model_p), _c.c_char_p, _c.c_char_p,
                                          _c.c_int64]),
    "desurv_simulate": (_c.c_int, [_c.c_int, _c.c_int64, _c.c_int64, _c.c_int64,
                                   _c.c_uint64, _c.POINTER(c_sim_p)]),
    "desurv_sim_free": (None, [c_sim_p]),
    "desurv_sim_dims": (_c.c_int, [c_sim_p, c_int64_p, c_int64_p, c_int64_p]),
    "desurv_sim_data": (_c.c_int, [c_sim_p, c_double_p, _c.c_int64, c_double_p, c_int32_p]),
    "desurv_sim_truth": (_c.c_int, [c_sim_p, c_double_p, _c.c_int64, c_double_p, _c.c_int64,
                                    c_double_p, c_int32_p, c_int32_p, _c.c_int64]),
    "desurv_sim_split": (_c.c_int, [c_sim_p, _c.c_double, c_int32_p]),
    # top genes
    "desurv_model_top_genes": (_c.c_int, [c_model_p, _c.c_int64, c_int64_p, c_double_p]),
    "desurv_predict_ntop": (_c.c_int, [c_model_p, c_double_p, _c.c_int64, _c.c_int64,
                                       _c.c_int64, _c.c_int64, c_double_p]),
    # annotations
    "desurv_model_set_names": (_c.c_int, [c_model_p, _c.c_int, _c.POINTER(_c.c_char_p),
                                          _c.c_int64]),
    "desurv_model_names_count": (_c.c_int64, [c_model_p, _c.c_int]),
    "desurv_model_name": (_c.c_char_p, [c_model_p, _c.c_int, _c.c_int64]),
    "desurv_model_set_meta": (_c.c_int, [c_model_p, _c.c_char_p, c_double_p, _c.c_int64]),
    "desurv_model_get_meta": (_c.c_int, [c_model_p, _c.c_char_p, c_double_p, _c.c_int64,
                                         c_int64_p]),
    "desurv_model_set_meta_string": (_c.c_int, [c_model_p, _c.c_char_p, _c.c_char_p]),
    "desurv_model_get_meta_string": (_c.c_char_p, [c_model_p, _c.c_char_p]),
    "desurv_model_meta_count": (_c.c_int64, [c_model_p]),
    "desurv_model_meta_key": (_c.c_char_p, [c_model_p, _c.c_int64]),
    # preprocessing
    "desurv_log2p1": (_c.c_int, [c_double_p, _c.c_int64, _c.c_int64, _c.c_int64]),
    "desurv_gene_filter": (_c.c_int, [c_double_p, _c.c_int64, _c.c_int64, _c.c_int64,
                                      _c.c_int64, c_int64_p]),
    "desurv_transform_rank": (_c.c_int, [c_double_p, _c.c_int64, _c.c_int64, _c.c_int64]),
    "desurv_quantile_target": (_c.c_int, [c_double_p, _c.c_int64, _c.c_int64, _c.c_int64,
                                          c_double_p]),
    "desurv_transform_quantile": (_c.c_int, [c_double_p, _c.c_int64, _c.c_int64, _c.c_int64,
                                             c_double_p]),
    # model selection
    "desurv_tuner_new": (_c.c_int, [_c.POINTER(c_tuner_p)]),
    "desurv_tuner_free": (None, [c_tuner_p]),
    "desurv_tuner_set": (_c.c_int, [c_tuner_p, _c.c_int, _c.c_double]),
    "desurv_tuner_get": (_c.c_int, [c_tuner_p, _c.c_int, c_double_p]),
    "desurv_tuner_option_by_name": (_c.c_int, [_c.c_char_p, _c.POINTER(_c.c_int)]),
    "desurv_tuner_option_name": (_c.c_char_p, [_c.c_int]),
    "desurv_param_by_name": (_c.c_int, [_c.c_char_p, _c.POINTER(_c.c_int)]),
    "desurv_param_name": (_c.c_char_p, [_c.c_int]),
    "desurv_tuner_set_bounds": (_c.c_int, [c_tuner_p, _c.c_int, _c.c_double, _c.c_double]),
    "desurv_tuner_get_bounds": (_c.c_int, [c_tuner_p, _c.c_int, c_double_p, c_double_p]),
    "desurv_tuner_set_grid": (_c.c_int, [c_tuner_p, _c.c_int, c_double_p, _c.c_int64]),
    "desurv_tuner_set_folds": (_c.c_int, [c_tuner_p, c_int32_p, _c.c_int64]),
    "desurv_tuner_set_strata": (_c.c_int, [c_tuner_p, c_int32_p, _c.c_int64]),
    "desurv_tuner_set_progress": (_c.c_int, [c_tuner_p, PROGRESS_FN, _c.c_void_p]),
    "desurv_tuner_add_history": (_c.c_int, [c_tuner_p, c_double_p, _c.c_double, _c.c_double,
                                            c_double_p, _c.c_int64]),
    "desurv_tune": (_c.c_int, [c_tuner_p, c_model_p, c_double_p, _c.c_int64, _c.c_int64,
                               _c.c_int64, c_double_p, c_int32_p]),
    "desurv_tuner_history_len": (_c.c_int, [c_tuner_p, c_int64_p, c_int64_p]),
    "desurv_tuner_history": (_c.c_int, [c_tuner_p, _c.c_int64, c_double_p, c_double_p,
                                        c_double_p, c_double_p, c_double_p]),
    "desurv_tuner_history_recon": (_c.c_int, [c_tuner_p, _c.c_int64, c_double_p, c_double_p]),
    "desurv_tuner_choice": (_c.c_int, [c_tuner_p, c_double_p, c_int64_p]),
    "desurv_tuner_surface": (_c.c_int, [c_tuner_p, c_double_p, c_double_p, c_double_p,
                                        c_double_p, _c.c_int64, c_int64_p]),
    "desurv_tuner_folds": (_c.c_int, [c_tuner_p, c_int32_p, _c.c_int64]),
    "desurv_tuner_warnings": (_c.c_char_p, [c_tuner_p]),
    "desurv_tuner_errmsg": (_c.c_char_p, [c_tuner_p]),
    # survival summaries
    "desurv_km": (_c.c_int, [c_double_p, c_int32_p, _c.c_int64, c_double_p, c_double_p,
                             c_double_p, c_double_p, c_double_p, c_int64_p, c_int64_p,
                             c_int64_p, _c.c_int64, c_int64_p]),
    "desurv_logrank": (_c.c_int, [c_double_p, c_int32_p, c_int32_p, _c.c_int64, c_double_p,
                                  c_int64_p, c_double_p, c_int32_p, c_double_p, c_double_p,
                                  _c.c_int64, c_int64_p]),
    "desurv_cox1": (_c.c_int, [c_double_p, c_int32_p, c_double_p, _c.c_int64, _c.c_int,
                               c_double_p, c_double_p, c_double_p, c_double_p, c_double_p,
                               c_double_p, c_double_p, c_double_p]),
}


def _repo_root():
    # bindings/python/desurv/_lib.py -> repository root
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", ".."))


def _resolve_override(path):
    """DESURV_LIBRARY as given; a relative path that does not exist from the
    current directory is tried from $OLDPWD too (scripts/run-python-tests.sh
    receives the build-relative path from meson, then changes directory)."""
    if os.path.isabs(path) or os.path.exists(path):
        return os.path.abspath(path)
    old = os.environ.get("OLDPWD")
    if old and os.path.exists(os.path.join(old, path)):
        return os.path.join(old, path)
    return path


def _candidates():
    env = os.environ.get("DESURV_LIBRARY")
    if env:
        yield _resolve_override(env)
        return  # an explicit override is never second-guessed
    tree = glob.glob(os.path.join(_repo_root(), "build*", "lib", "libdesurv.so.0"))
    tree.sort(key=lambda p: os.path.getmtime(p), reverse=True)
    yield from tree
    found = ctypes.util.find_library("desurv")
    if found:
        yield found


def _version_tuple(s):
    return tuple(int(x) for x in s.split(".")[:2])


def load_library():
    errors = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            errors.append(f"{path}: {e}")
            continue
        for name, (res, args) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype = res
            fn.argtypes = args
        v = lib.desurv_version()
        have = (v // 10000, (v // 100) % 100)
        want = _version_tuple(__version__)
        if have != want:
            errors.append(
                f"{path} is version {lib.desurv_version_string().decode()}, "
                f"the desurv package {__version__} needs {want[0]}.{want[1]}.x")
            continue
        lib._desurv_path = path
        return lib
    raise ImportError("libdesurv not found (set DESURV_LIBRARY to its path); tried: "
                      + ("; ".join(errors) or "nothing"))


lib = load_library()
