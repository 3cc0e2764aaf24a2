#!/usr/bin/python3
"""Marginal per-iteration time of scikit-learn's plain multiplicative-update
NMF, the reference point for libdesurv at alpha = 0 (bench/bench_iter.c).

    /usr/bin/python3 bench/sklearn_nmf.py [--shapes S,M,L] [--reps N]

NMF(solver='mu', beta_loss='frobenius', init='nndsvd', tol=0) is timed at
max_iter = a and max_iter = b; the per-iteration time is
(t_b - t_a) / (b - a), each time the minimum over --reps repetitions, so the
input checks and the final reconstruction error cancel.  With tol = 0
scikit-learn never evaluates the loss inside the loop (it does every 10
iterations when tol > 0), so every iteration is exactly one W update and one
H update.

The NNDSVD start is computed once, with scikit-learn's own initialiser (the
one init='nndsvd' calls), and passed to every fit as init='custom' (a fresh
copy each time: MU updates in place).  The iterations are then exactly those
of init='nndsvd', but the randomized SVD (about a second at L, and noisy:
+-0.2 s between runs) is not inside the timed region, where it would drown
the 20-iteration difference at L.  --plain-init times init='nndsvd' itself.

The data are those of bench_iter.c, generated with the same counter-based
splitmix64 uniforms: X (genes x samples, p x n column-major) is the memory
of a C-ordered (n, p) numpy array, which is what scikit-learn receives
(samples x features).  BLAS threading is left alone: run with
OPENBLAS_NUM_THREADS unset to use all cores (bench/run.sh does so).
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np

import sklearn
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning

SHAPES = {  # name: (p, n, k, a, b, default reps), as in bench_iter.c
    "S": (2000, 300, 6, 20, 220, 5),
    "M": (5000, 500, 10, 10, 60, 5),
    "L": (20000, 1000, 10, 5, 25, 5),
}
SEED = 20260101

M64 = np.uint64


def unif(seed, stream, count):
    """Draws 0 .. count-1 of stream `stream`: bench_iter.c's unif()."""
    with np.errstate(over="ignore"):
        base = M64(seed) * M64(0x100000001B3) + M64(stream) * M64(0xD1B54A32D192ED03)
        z = base + (np.arange(count, dtype=np.uint64) + M64(1)) * M64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> M64(30))) * M64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> M64(27))) * M64(0x94D049BB133111EB)
        z ^= z >> M64(31)
    return ((z >> M64(11)).astype(np.float64) + 0.5) * 2.0**-53


def make_data(p, n, k, seed=SEED):
    """X as an (n, p) C-ordered array (= p x n column-major), nonnegative."""
    # Column-major p x k with index g + r p  ==  C-ordered (k, p).
    W0t = (-np.log(unif(seed, 1, p * k)) - np.log(unif(seed, 2, p * k))).reshape(k, p)
    # Column-major k x n with index r + j k  ==  C-ordered (n, k).
    H0t = unif(seed, 3, k * n).reshape(n, k)
    X = 0.5 * unif(seed, 4, p * n).reshape(n, p)
    X += H0t @ W0t
    return np.ascontiguousarray(X)


def nndsvd_start(X, k):
    """scikit-learn's NNDSVD factors (private helper; None if it moved)."""
    try:
        from sklearn.decomposition._nmf import _initialize_nmf
    except ImportError:
        return None
    return _initialize_nmf(X, k, init="nndsvd", random_state=0)


def time_fit(X, k, max_iter, start=None):
    if start is None:
        model = NMF(n_components=k, solver="mu", beta_loss="frobenius", init="nndsvd",
                    max_iter=max_iter, tol=0, random_state=0)
        kwargs = {}
    else:
        model = NMF(n_components=k, solver="mu", beta_loss="frobenius", init="custom",
                    max_iter=max_iter, tol=0, random_state=0)
        kwargs = {"W": start[0].copy(), "H": start[1].copy()}
    t0 = time.perf_counter()
    model.fit_transform(X, **kwargs)
    t1 = time.perf_counter()
    if model.n_iter_ != max_iter:
        sys.exit(f"sklearn_nmf: stopped after {model.n_iter_} of {max_iter} iterations")
    return t1 - t0


def blas_info():
    env = os.environ.get("OPENBLAS_NUM_THREADS")
    line = f"OPENBLAS_NUM_THREADS={env if env is not None else '(unset)'}"
    try:
        from threadpoolctl import threadpool_info
        for info in threadpool_info():
            if info.get("user_api") == "blas":
                line += (f"; {info.get('internal_api')} {info.get('version')} threads "
                         f"{info.get('num_threads')} (kernel {info.get('architecture')})")
    except ImportError:
        pass
    print(line)
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shapes", default="S,M,L", help="comma-separated subset of S,M,L")
    ap.add_argument("--reps", type=int, default=0,
                    help="repetitions, minimum taken (default 5)")
    ap.add_argument("--plain-init", action="store_true",
                    help="time init='nndsvd' inside every fit instead of a precomputed start")
    args = ap.parse_args()
    names = [s.strip() for s in args.shapes.split(",") if s.strip()]
    for s in names:
        if s not in SHAPES:
            ap.error(f"unknown shape {s!r}")
    if args.reps < 0:
        ap.error("--reps must be >= 1")
    warnings.simplefilter("ignore", ConvergenceWarning)
    # init='nndsvd' leaves exact zeros that MU cannot move; scikit-learn warns
    # about it on every fit.  Harmless for timing (the update is dense).
    warnings.filterwarnings("ignore", message=".*cannot update zeros.*", category=UserWarning)
    blas_info()

    rows = []
    for name in SHAPES:
        if name not in names:
            continue
        p, n, k, a, b, reps = SHAPES[name]
        reps = args.reps or reps
        start = time.perf_counter()
        X = make_data(p, n, k)
        start0 = None if args.plain_init else nndsvd_start(X, k)
        time_fit(X, k, a, start0)  # warm-up
        ta = tb = float("inf")
        for _ in range(reps):
            ta = min(ta, time_fit(X, k, a, start0))
            tb = min(tb, time_fit(X, k, b, start0))
        rows.append((name, p, n, k, a, b, reps, ta, tb, (tb - ta) / (b - a)))
        print(f"[{name} done in {time.perf_counter() - start:.1f} s]", file=sys.stderr)

    how = "init='nndsvd' in every fit" if args.plain_init else "NNDSVD start precomputed"
    print("scikit-learn NMF(solver='mu', frobenius, nndsvd, tol=0) marginal time per "
          f"iteration (min over reps; {how})\n")
    print(f"{'shape':<5} {'p x n, k':<17} {'sklearn ms/it':>13} | {'reps':>4} {'a..b':>9} "
          f"{'t_a ms':>9} {'t_b ms':>9}")
    for name, p, n, k, a, b, reps, ta, tb, per in rows:
        dims = f"{p}x{n}, {k}"
        print(f"{name:<5} {dims:<17} {per * 1e3:13.3f} | {reps:4d} {f'{a}..{b}':>9} "
              f"{ta * 1e3:9.1f} {tb * 1e3:9.1f}")


if __name__ == "__main__":
    main()
