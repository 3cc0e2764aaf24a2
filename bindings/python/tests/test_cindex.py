import numpy as np
import pytest

import desurv


def brute_cindex(time, event, risk):
    num = den = 0.0
    n = len(time)
    for i in range(n):
        if not event[i]:
            continue
        for j in range(n):
            if time[i] < time[j] or (time[i] == time[j] and event[j] == 0 and i != j):
                den += 1
                if risk[i] > risk[j]:
                    num += 1
                elif risk[i] == risk[j]:
                    num += 0.5
    return num / den if den else float("nan")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cindex_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = 80
    time = rng.integers(1, 30, n).astype(float)  # ties in time
    event = rng.integers(0, 2, n)
    risk = np.round(rng.normal(size=n), 1)  # ties in risk
    c = desurv.concordance_index(time, event, risk)
    assert c == pytest.approx(brute_cindex(time, event, risk), abs=1e-12)


def test_cindex_no_events_is_nan():
    assert np.isnan(desurv.concordance_index([1, 2, 3], [0, 0, 0], [0.1, 0.2, 0.3]))


def test_cindex_errors():
    with pytest.raises(desurv.InputError):
        desurv.concordance_index([1, -2, 3], [1, 0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(desurv.InputError):
        desurv.concordance_index([1, 2, 3], [1, 2, 1], [0.1, 0.2, 0.3])
    with pytest.raises(desurv.InputError):
        desurv.concordance_index([1, 2, 3], [1, 0, 1], [0.1, np.nan, 0.3])
