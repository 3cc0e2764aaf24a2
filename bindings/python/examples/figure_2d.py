#!/usr/bin/python3
"""Reproduce the DeSurv paper's figure 2D on a simulated cohort: the
Gaussian-process surface of the cross-validated C-index over (k, alpha),
with the evaluated points and the chosen one.

    /usr/bin/python3 bindings/python/examples/figure_2d.py [--out DIR] [--quick]

Notebook-style: each step prints what it did.  The paper's budget is 20
Latin-hypercube points + 40 BO steps, 5 folds, 30 starts; the default here
is a reduced one (about a minute on 2 cores), --quick a smaller one still.
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # run from the source tree without installing
import desurv  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="desurv-python-example")
    ap.add_argument("--quick", action="store_true", help="tiny budget (a few seconds)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    # 1. A cohort of the paper's design (scenario R0: 3 true programs, the
    #    first one prognostic), split 70/30.
    genes, samples = (600, 120) if args.quick else (2000, 200)
    sim = desurv.simulate("R0", seed=1, n_genes=genes, n_samples=samples, k=3)
    tr = sim.split
    print(f"simulated R0: {genes} genes x {samples} samples, {tr.sum()} for training")

    # 2. Tune k, alpha (log-odds scale), lambda and nu by 5-fold CV C-index.
    budget = dict(n_init_points=6, n_iter=4, n_starts=2) if args.quick else \
        dict(n_init_points=10, n_iter=10, n_starts=3)
    tuner = desurv.DeSurvTuner(
        bounds={"k": (2, 6), "alpha": (1e-4, 0.9999), "lambda_": (1e-2, 1e2), "nu": (0.0, 1.0)},
        n_folds=5, rule="1se", random_state=1, n_jobs=args.jobs,
        estimator=desurv.DeSurv(k=2, maxit=100 if args.quick else 300), **budget)
    tuner.fit(sim.X[tr], sim.time[tr], sim.event[tr])
    print(f"evaluated {len(tuner.history_['k'])} points; chosen: "
          + ", ".join(f"{k} = {v:.4g}" for k, v in tuner.best_params_.items()))

    # 3. Test C-index of the refitted model on the held-out 30%.
    c = tuner.best_model_.score(sim.X[~tr], sim.time[~tr], sim.event[~tr])
    print(f"test C-index {c:.3f} (true linear predictor: "
          f"{desurv.concordance_index(sim.time[~tr], sim.event[~tr], sim.lp_true[~tr]):.3f})")

    # 4. The figure.
    import matplotlib
    matplotlib.use("Agg")
    import desurv.plot as dplot
    fig = dplot.bo_surface(tuner)
    path = os.path.join(args.out, "figure_2d.png")
    fig.savefig(path, dpi=120)
    print(f"figure: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
