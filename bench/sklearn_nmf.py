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

The BLAS floor of bench_iter.c (cblas_dgemm X H^T, cblas_dgemm X^T W,
cblas_dgemv X g: the same calls with the same arguments, through ctypes on
the BLAS numpy loaded) is timed in the same repetition rounds as the fits, so
the ratio sklearn / floor can be set against bench_iter's libdesurv / floor
even when the machine's speed drifts between the two programs (on the
shared reference VM it moved scikit-learn's M time from 4.0 to 6.1 ms/it
between runs a minute apart).
"""
import ctypes
import argparse
import os
import sys
import time
import warnings

import numpy as np

import sklearn
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning

SHAPES = {  # name: (p, n, k, a, b, default reps, floor reps), as in bench_iter.c
    "S": (2000, 300, 6, 20, 220, 5, 200),
    "M": (5000, 500, 10, 10, 60, 5, 100),
    "L": (20000, 1000, 10, 5, 25, 5, 30),
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


class Floor:
    """bench_iter.c's floor: one iteration's three BLAS calls on X (p x n
    column-major, the memory of the C-ordered (n, p) array), each time the
    minimum over repetitions."""
    COL_MAJOR, NO_TRANS, TRANS = 102, 111, 112

    def __init__(self, X, p, n, k):
        self.blas = ctypes.CDLL("libblas.so.3")  # numpy's, already loaded
        for name in ("cblas_dgemm", "cblas_dgemv"):
            getattr(self.blas, name).restype = None
        self.X, self.p, self.n, self.k = X, p, n, k
        self.H = unif(99, 1, k * n)          # k x n
        self.W = unif(99, 2, p * k)          # p x k
        self.g = unif(99, 3, n) - 0.5
        self.XHt = np.empty(p * k)
        self.XtW = np.empty(n * k)
        self.Xg = np.empty(p)
        self.best = float("inf")

    @staticmethod
    def _ptr(a):
        return a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))

    def run(self, reps):
        b, P, NT, T = self.blas, self._ptr, self.NO_TRANS, self.TRANS
        p, n, k, one, zero = self.p, self.n, self.k, ctypes.c_double(1.0), ctypes.c_double(0.0)
        X, H, W, g, XHt, XtW, Xg = (P(a) for a in (self.X, self.H, self.W, self.g, self.XHt,
                                                    self.XtW, self.Xg))
        cm = self.COL_MAJOR
        for _ in range(reps):  # arguments converted once: the loop is the three calls
            t0 = time.perf_counter()
            b.cblas_dgemm(cm, NT, T, p, k, n, one, X, p, H, k, zero, XHt, p)
            b.cblas_dgemm(cm, T, NT, n, k, p, one, X, p, W, p, zero, XtW, n)
            b.cblas_dgemv(cm, NT, p, n, one, X, p, g, 1, zero, Xg, 1)
            self.best = min(self.best, time.perf_counter() - t0)


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
        p, n, k, a, b, reps, floor_reps = SHAPES[name]
        reps = args.reps or reps
        start = time.perf_counter()
        X = make_data(p, n, k)
        start0 = None if args.plain_init else nndsvd_start(X, k)
        floor = Floor(X, p, n, k)
        floor.run(2)
        time_fit(X, k, a, start0)  # warm-up
        floor.best = float("inf")
        ta = tb = float("inf")
        for _ in range(reps):  # rounds interleave the floor and the fits
            floor.run(-(-floor_reps // reps))
            ta = min(ta, time_fit(X, k, a, start0))
            tb = min(tb, time_fit(X, k, b, start0))
        rows.append((name, p, n, k, a, b, reps, ta, tb, (tb - ta) / (b - a), floor.best))
        print(f"[{name} done in {time.perf_counter() - start:.1f} s]", file=sys.stderr)

    how = "init='nndsvd' in every fit" if args.plain_init else "NNDSVD start precomputed"
    print("scikit-learn NMF(solver='mu', frobenius, nndsvd, tol=0) marginal time per "
          f"iteration (min over reps; {how})\n")
    print(f"{'shape':<5} {'p x n, k':<17} {'floor ms':>8} {'sklearn ms/it':>13} {'/floor':>7} | "
          f"{'reps':>4} {'a..b':>9} {'t_a ms':>9} {'t_b ms':>9}")
    for name, p, n, k, a, b, reps, ta, tb, per, fl in rows:
        dims = f"{p}x{n}, {k}"
        print(f"{name:<5} {dims:<17} {fl * 1e3:8.3f} {per * 1e3:13.3f} {per / fl:7.2f} | "
              f"{reps:4d} {f'{a}..{b}':>9} {ta * 1e3:9.1f} {tb * 1e3:9.1f}")


if __name__ == "__main__":
    main()
