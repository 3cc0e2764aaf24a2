#!/usr/bin/python3
"""make_golden_nnls.py - reference solutions for tests/test_bpp.c.

Run by hand from the repository root with Debian's python (numpy only):
    /usr/bin/python3 tests/golden/make_golden_nnls.py
It rewrites tests/golden/nnls_*.tsv; the output is committed, so the tests
need no python.

Problem (lib/linalg/nnls_bpp.h): for every column c of C, minimise
1/2 h^T G h - c^T h over h >= 0, with G = W^T W and C = W^T X.

The reference is the classical Lawson-Hanson active-set method (Lawson &
Hanson 1974, "Solving Least Squares Problems", ch. 23) written here on the
normal equations, one column at a time: a different algorithm from block
principal pivoting (one variable enters at a time, the iterate stays
feasible, and the passive systems are solved by LU with partial pivoting,
numpy.linalg.solve, not by Cholesky).  Its answer is checked against the
KKT conditions before it is written.

Each file nnls_<case>.tsv has the columns kind, j, v1..vk: kind 0 rows are
the columns of G, kind 1 the columns of C, kind 2 the columns of the
reference H, j the column index (0-based).

Cases: k = 1, 3, 8, 20 with W (500 x k) uniform; k = 8 has two
near-collinear column pairs (1% perturbations, so the minimiser is still
unique); X nonnegative for k = 3, with negative entries elsewhere so that
the solutions have many zeros (k = 20 mostly zeros).
"""

import os
import sys

import numpy as np

OUT = "tests/golden"


def lawson_hanson(G, c, tol):
    """argmin 1/2 h'Gh - c'h, h >= 0, for positive definite G."""
    k = len(c)
    P = np.zeros(k, dtype=bool)
    x = np.zeros(k)
    w = c - G @ x  # the negative gradient
    for _ in range(30 * k + 30):
        cand = ~P & (w > tol)
        if not cand.any():
            return x
        t = int(np.argmax(np.where(cand, w, -np.inf)))
        P[t] = True
        while True:
            z = np.zeros(k)
            z[P] = np.linalg.solve(G[np.ix_(P, P)], c[P])
            if (z[P] > 0).all():
                x = z
                break
            # step back to the boundary of the feasible set along x -> z
            q = P & (z <= 0)
            alpha = np.min(x[q] / (x[q] - z[q]))
            x = x + alpha * (z - x)
            P &= x > 0
            x[~P] = 0.0
        w = c - G @ x
    sys.exit("Lawson-Hanson did not converge")


def check_kkt(G, c, h):
    g = G @ h - c
    scale = np.abs(c).max() + np.diag(G).max() * np.abs(h).sum()
    assert (h >= 0).all()
    assert (g[h == 0] >= -1e-12 * scale).all(), g[h == 0].min() / scale
    assert (np.abs(g[h > 0]) <= 1e-12 * scale).all(), np.abs(g[h > 0]).max() / scale


def make_case(name, rng, k, n, negative, collinear=()):
    W = rng.uniform(size=(500, k))
    for a, b in collinear:
        W[:, b] = W[:, a] + 0.01 * rng.standard_normal(500)
    H0 = rng.uniform(size=(k, n)) * (rng.uniform(size=(k, n)) < 0.6)
    X = W @ H0 + 0.1 * rng.standard_normal((500, n))
    if negative:
        X -= negative * rng.uniform(size=(500, n))
    else:
        X = np.abs(X)
    G = W.T @ W
    C = W.T @ X
    H = np.zeros((k, n))
    for j in range(n):
        tol = 1e-13 * (np.abs(C[:, j]).max() + np.diag(G).max())
        H[:, j] = lawson_hanson(G, C[:, j], tol)
        check_kkt(G, C[:, j], H[:, j])
    zeros = (H == 0).mean()
    print(f"{name}: k={k} n={n} zero fraction {zeros:.2f} cond(G) {np.linalg.cond(G):.3g}",
          file=sys.stderr)
    with open(os.path.join(OUT, f"nnls_{name}.tsv"), "w") as f:
        f.write("\t".join(["kind", "j"] + [f"v{r + 1}" for r in range(k)]) + "\n")
        for kind, M in enumerate((G, C, H)):
            for j in range(M.shape[1]):
                f.write("\t".join([str(kind), str(j)] + ["%.17g" % v for v in M[:, j]]) + "\n")


def main():
    if not os.path.isdir(OUT):
        sys.exit("run from the repository root")
    rng = np.random.default_rng(20250311)
    make_case("k1", rng, 1, 60, negative=0.4)
    make_case("k3", rng, 3, 120, negative=0.0)
    make_case("k8", rng, 8, 150, negative=1.5, collinear=((0, 1), (4, 5)))
    make_case("k20", rng, 20, 100, negative=4.0)


if __name__ == "__main__":
    main()
