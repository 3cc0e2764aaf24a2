#!/usr/bin/python3
"""make_golden_gp.py - golden values for tests/test_gp.c from scikit-learn.

Run by hand from the repository root with Debian's python (numpy, sklearn):
    /usr/bin/python3 tests/golden/make_golden_gp.py
It rewrites tests/golden/gp_*.tsv; the output is committed, so the tests
need neither python nor sklearn.  The versions used are written to
tests/golden/gp_versions.tsv.

Model (lib/tune/gp.h):  y ~ N(m 1, K),  K = s2 Matern52(ls) + c0 + g I.
sklearn equivalent: GaussianProcessRegressor(kernel=ConstantKernel(s2) *
Matern(ls, nu=2.5) + ConstantKernel(c0) + WhiteKernel(g), alpha=0,
normalize_y=False) fitted to y - m, predictions shifted back by m.
alpha=0 matters: sklearn's default alpha=1e-10 would add to the nugget.

1. Fixed hyperparameters (gp_train_a.tsv, gp_hyper.tsv, gp_pred.tsv):
   predictive mean, sd and log marginal likelihood.  sklearn's predictive
   std includes the WhiteKernel noise (kernel_.diag(X*) contains g: the
   white kernel is g on the diagonal of k(X*, X*) and 0 in k(X*, X)), i.e.
   it is the sd of a new noisy observation; dsv_gp_predict returns the sd
   of the latent function, without g.  The file stores sklearn's std as is
   (column sd_noisy) and the test compares it with sqrt(sd^2 + g); column
   sd_latent = sqrt(sd_noisy^2 - g) is informative only.

2. Estimation (gp_fit.tsv; cases a: n=25, d=3 and b: n=40, d=5 with two
   irrelevant inputs): sklearn's own optimiser (L-BFGS-B,
   n_restarts_optimizer=10, random_state=0) over log s2, log ls, log c0,
   log g with the bounds of lib/tune/gp.h (variances relative to v = np.var(y),
   the population variance), fitted to y - mean(y), i.e. with the mean
   FIXED at mean(y) and c0 estimated.  The test requires
     - dsv_gp_fit_ex(fixed_mean = mean(y), fit_c0 = 1): lml >= sklearn - 1e-6
       (same model, same parameterisation, same bounds);
     - dsv_gp_fit (profiled mean, c0 = 0): lml >= sklearn - 1e-6; the
       profile likelihood maximises over m as well and is decreasing in c0,
       so its optimum is at least sklearn's.
"""

import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

OUT = "tests/golden"

# Bounds of lib/tune/gp.h (keep in sync; recorded in gp_fit.tsv and checked by
# the test against the header constants).
S2_LO, S2_HI = 1e-3, 1e3
LS_LO, LS_HI = 1e-2, 1e2
G_LO, G_HI = 1e-8, 1e1
C0_LO, C0_HI = 1e-6, 1e2


def fmt(v):
    return "NA" if v is None or (isinstance(v, float) and np.isnan(v)) else repr(float(v))


def write_tsv(name, header, rows):
    with open(os.path.join(OUT, name), "w") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(fmt(v) for v in r) + "\n")


def cindex_like(X, rng, noise):
    """A smooth function of the inputs on the scale of C-indices (0.6-0.8);
    inputs beyond the third do not matter."""
    f = (0.70 + 0.05 * np.sin(3.0 * X[:, 0]) - 0.04 * (X[:, 1] - 0.4) ** 2
         + 0.03 * np.cos(4.0 * X[:, 2]) * X[:, 0])
    return f + noise * rng.standard_normal(X.shape[0])


def kernel(s2, ls, c0, g, bounds=None):
    if bounds is None:
        return (ConstantKernel(s2, "fixed") * Matern(ls, "fixed", nu=2.5)
                + ConstantKernel(c0, "fixed") + WhiteKernel(g, "fixed"))
    v = bounds
    return (ConstantKernel(s2, (S2_LO * v, S2_HI * v))
            * Matern(ls, (LS_LO, LS_HI), nu=2.5)
            + ConstantKernel(c0, (C0_LO * v, C0_HI * v))
            + WhiteKernel(g, (G_LO * v, G_HI * v)))


def fixed_case(X, y, Xs):
    m, s2, ls, c0, g = 0.7, 2e-3, np.array([0.3, 0.6, 1.2]), 5e-4, 2.5e-5
    gp = GaussianProcessRegressor(kernel(s2, ls, c0, g), alpha=0.0, optimizer=None,
                                  normalize_y=False)
    gp.fit(X, y - m)
    mu, sd = gp.predict(Xs, return_std=True)
    lml = gp.log_marginal_likelihood_value_
    write_tsv("gp_hyper.tsv", ["m", "s2", "ls1", "ls2", "ls3", "c0", "g", "lml"],
              [[m, s2, *ls, c0, g, lml]])
    write_tsv("gp_pred.tsv", ["x1", "x2", "x3", "mean", "sd_noisy", "sd_latent"],
              [[*Xs[i], mu[i] + m, sd[i], np.sqrt(sd[i] ** 2 - g)] for i in range(len(mu))])


def fit_case(X, y, maxd=5):
    d = X.shape[1]
    ybar, v = float(np.mean(y)), float(np.var(y))
    k0 = kernel(v, np.full(d, 0.5), 0.1 * v, 0.01 * v, bounds=v)
    gp = GaussianProcessRegressor(k0, alpha=0.0, normalize_y=False,
                                  n_restarts_optimizer=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at bounds
        gp.fit(X, y - ybar)
    p = gp.kernel_.get_params()
    s2 = p["k1__k1__k1__constant_value"]
    ls = np.atleast_1d(p["k1__k1__k2__length_scale"])
    c0 = p["k1__k2__constant_value"]
    g = p["k2__noise_level"]
    lml = gp.log_marginal_likelihood_value_
    print(f"fit d={d}: lml {lml:.10g} s2 {s2:.4g} ls {ls} c0 {c0:.4g} g {g:.4g}", file=sys.stderr)
    return [X.shape[0], d, ybar, v, lml, s2, *ls, *([float("nan")] * (maxd - d)), c0, g,
            S2_LO, S2_HI, LS_LO, LS_HI, G_LO, G_HI, C0_LO, C0_HI]


def main():
    if not os.path.isdir(OUT):
        sys.exit("run from the repository root")
    rng = np.random.default_rng(20240601)
    Xa = rng.uniform(size=(25, 3))
    ya = cindex_like(Xa, rng, 0.005)
    Xs = rng.uniform(size=(20, 3))
    Xb = rng.uniform(size=(40, 5))
    yb = cindex_like(Xb, rng, 0.01)

    write_tsv("gp_train_a.tsv", ["x1", "x2", "x3", "y"], [[*Xa[i], ya[i]] for i in range(25)])
    write_tsv("gp_train_b.tsv", ["x1", "x2", "x3", "x4", "x5", "y"],
              [[*Xb[i], yb[i]] for i in range(40)])
    fixed_case(Xa, ya, Xs)
    write_tsv("gp_fit.tsv",
              ["n", "d", "ybar", "var", "lml", "s2", "ls1", "ls2", "ls3", "ls4", "ls5", "c0",
               "g", "s2_lo", "s2_hi", "ls_lo", "ls_hi", "g_lo", "g_hi", "c0_lo", "c0_hi"],
              [fit_case(Xa, ya), fit_case(Xb, yb)])
    with open(os.path.join(OUT, "gp_versions.tsv"), "w") as f:
        f.write("item\tvalue\n")
        f.write("generator\ttests/golden/make_golden_gp.py\n")
        f.write(f"python\t{sys.version.split()[0]}\n")
        f.write(f"numpy\t{np.__version__}\n")
        f.write(f"sklearn\t{sklearn.__version__}\n")
        f.write("note\tprovenance only; not read by the tests\n")


if __name__ == "__main__":
    main()
