#!/usr/bin/python3
"""Fit DeSurv on the bundled TCGA-PAAD cohort and validate it on held-out
patients: the Python counterpart of `desurv fit` + `desurv validate`.

    /usr/bin/python3 bindings/python/examples/fit_validate.py [--data DIR] [--out DIR]

Steps: read the cohort (genes x samples table + survival table), keep the
paper's 1000 genes (mean + variance rank filter, chosen on the training
patients only), rank-transform each sample, split 70/30 stratified by event
(seeded), fit k = 3, alpha = 0.5 on the training part, then on the test
part: the C-index of the linear predictor, the hazard ratio per standard
deviation (univariate Cox), and high vs low risk at the training median
(log-rank test; Kaplan-Meier figure when matplotlib is installed).  The
model is saved in the desurv command's format (`desurv info` reads it).
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # run from the source tree without installing
import desurv  # noqa: E402

REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def split(event, fraction, seed):
    """Seeded train/test split, stratified by event."""
    rng = np.random.default_rng(seed)
    train = np.zeros(len(event), dtype=bool)
    for e in (0, 1):
        idx = np.flatnonzero(event == e)
        rng.shuffle(idx)
        train[idx[:int(round(fraction * len(idx)))]] = True
    return train


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.join(REPO, "data", "tcga_paad"))
    ap.add_argument("--out", default="desurv-python-example")
    ap.add_argument("--maxit", type=int, default=1000)
    ap.add_argument("--n-init", type=int, default=10)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    cohort = desurv.read_cohort(os.path.join(args.data, "expression_log2p1.tsv.gz"),
                                os.path.join(args.data, "survival.tsv.gz"), as_frame=False)
    X, time, event = cohort.X, cohort.time, cohort.event
    genes = np.asarray(cohort.genes, dtype=object)
    print(f"{args.data}: {X.shape[1]} genes x {X.shape[0]} patients, {event.sum()} deaths")

    train = split(event, 0.7, seed=1)
    keep = desurv.gene_filter(X[train], 1000)           # chosen on training patients only
    Xr = desurv.rank_transform(X[:, keep])               # each sample on its own: no leakage
    print(f"kept {len(keep)} genes; {train.sum()} training / {(~train).sum()} test patients")

    model = desurv.DeSurv(k=3, alpha=0.5, lambda_=0.1, nu=0.5, n_init=args.n_init,
                          maxit=args.maxit, random_state=1)
    model.fit(Xr[train], time[train], event[train])
    print(f"fit: {model.n_iter_} iterations, converged: {model.converged_}, "
          f"beta = {np.array2string(model.beta_, precision=4)}")
    tops = desurv.top_genes(model, 5)
    for r in range(model.beta_.shape[0]):
        names = ", ".join(genes[keep][tops.index[:, r]])
        print(f"  factor {r + 1} (beta {model.beta_[r]:+.4f}): {names}")

    lp_train = model.predict(Xr[train])
    lp = model.predict(Xr[~train])
    t, e = time[~train], event[~train]
    c = desurv.concordance_index(t, e, lp)
    cox = desurv.cox_univariate(t, e, (lp - lp_train.mean()) / lp_train.std())
    high = lp > np.median(lp_train)
    lr = desurv.logrank_test(t, e, high)
    print(f"test C-index {c:.3f}; HR per training sd {cox.hr:.2f} "
          f"[{cox.hr_lower:.2f}, {cox.hr_upper:.2f}], p = {cox.p_value:.3g}; "
          f"high vs low risk log-rank p = {lr.p_value:.3g}")

    path = os.path.join(args.out, "model.desurv")
    model.save(path)
    print(f"model written to {path} (inspect with: desurv info --model {path})")
    try:
        import matplotlib
        matplotlib.use("Agg")
    except ImportError:
        print("matplotlib not installed: no figure")
        return 0
    import desurv.plot as dplot
    fig = dplot.km_risk_groups(t, e, lp, groups=[np.median(lp_train)],
                               labels=["low risk", "high risk"])
    fig.savefig(os.path.join(args.out, "km_test.png"), dpi=100)
    fig = dplot.loss_trace(model)
    fig.savefig(os.path.join(args.out, "loss_trace.png"), dpi=100)
    print(f"figures: {args.out}/km_test.png, {args.out}/loss_trace.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
