"""The Python constants equal the header's enums, so they cannot drift."""
import re

import pytest

import desurv._errors as E


def _header_enum(path, prefix):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    found = dict(re.findall(r"\b(" + prefix + r"[A-Z0-9_]+)\s*=\s*(-?\d+)", text))
    found.update(re.findall(r"#define\s+(" + prefix + r"[A-Z0-9_]+)\s+(-?\d+)", text))
    return {k: int(v) for k, v in found.items()}


def _check(path, prefix, expected_min):
    hdr = _header_enum(path, prefix)
    assert len(hdr) >= expected_min
    py = {k: v for k, v in vars(E).items() if k.startswith(prefix)}
    missing = sorted(set(hdr) - set(py))
    extra = sorted(set(py) - set(hdr))
    assert not missing, f"in desurv.h but not in _errors.py: {missing}"
    assert not extra, f"in _errors.py but not in desurv.h: {extra}"
    diff = {k: (hdr[k], py[k]) for k in hdr if hdr[k] != py[k]}
    assert not diff, f"values differ (header, python): {diff}"


# (prefix, at least this many constants in the header)
PREFIXES = [("DESURV_E_", 25), ("DESURV_OPT_", 18), ("DESURV_STAT_", 12),
            ("DESURV_SCENARIO_", 3), ("DESURV_STAGE_", 5), ("DESURV_NAMES_", 2),
            ("DESURV_PARAM_", 8), ("DESURV_TOPT_", 16), ("DESURV_TIES_", 2),
            ("DESURV_TRACE_", 6), ("DESURV_OFFSET_", 2), ("DESURV_HSTEP_", 3),
            ("DESURV_WSTEP_", 2)]


@pytest.mark.parametrize("prefix,at_least", PREFIXES)
def test_constants_equal_the_header(header_path, prefix, at_least):
    _check(header_path, prefix, at_least)


def test_every_error_code_has_a_class():
    for name, code in vars(E).items():
        if name.startswith("DESURV_E_"):
            assert E.error_class(code) is not E.DesurvError, name
