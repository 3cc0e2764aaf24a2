"""bench/converge.py OUTDIR - summarise bench/converge.sh: per data set and
algorithm, the outer iterations of every fold fit of the tuning run (median,
95th percentile, fraction that met tol, by alpha band), the wall time and
the choice; writes OUTDIR/summary.md and the histogram figure
OUTDIR/converge.png (copied to bench/converge.png by hand when the README
is updated).  Debian's /usr/bin/python3 (numpy, matplotlib)."""
import csv
import os
import sys

import numpy as np

DATA = ["r0", "mixed", "paad", "imvigor"]
ALGOS = ["papers", "muW", "default"]
BANDS = [("alpha < 0.1", 0, 0.1), ("0.1 - 0.9", 0.1, 0.9), ("> 0.9", 0.9, 1.0)]


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def load(d):
    fits, hist = read(os.path.join(d, "fits.tsv")), read(os.path.join(d, "history.tsv"))
    alpha = {r["eval"]: float(r["alpha"]) for r in hist}
    it = np.array([float(r["iterations"]) for r in fits if r["iterations"] != "NA"])
    conv = np.array([r["converged"] == "1" for r in fits if r["iterations"] != "NA"])
    a = np.array([alpha[r["eval"]] for r in fits if r["iterations"] != "NA"])
    chosen = [r for r in hist if r["chosen"] == "1"][0]
    return it, conv, a, chosen


def main(out):
    times = {}
    if os.path.exists(os.path.join(out, "times.txt")):
        for line in open(os.path.join(out, "times.txt")):
            name, sec = line.split(":")
            times[name.strip()] = sec.strip()
    rows = ["| data | algorithm | fold fits | median | 95th pct | met tol | "
            + " | ".join(f"met tol, {b[0]}" for b in BANDS) + " | wall | chosen k, alpha | CV C (SE) |",
            "|" + "---|" * (9 + len(BANDS) - 1)]
    series = {}
    for dname in DATA:
        for algo in ALGOS:
            d = os.path.join(out, f"{dname}-{algo}")
            if not os.path.exists(os.path.join(d, "fits.tsv")):
                continue
            it, conv, a, ch = load(d)
            series[(dname, algo)] = it
            band = []
            for _, lo, hi in BANDS:
                sel = (a >= lo) & (a < hi)
                band.append(f"{conv[sel].mean():.0%} of {sel.sum()}" if sel.any() else "-")
            rows.append(f"| {dname} | {algo} | {len(it)} | {np.median(it):.0f} | "
                        f"{np.percentile(it, 95):.0f} | {conv.mean():.0%} | " + " | ".join(band)
                        + f" | {times.get(f'{dname}-{algo}', '?')} | {float(ch['k']):.0f}, "
                        f"{float(ch['alpha']):.3g} | {float(ch['cv_cindex']):.3f} "
                        f"({float(ch['cv_cindex_se']):.3f}) |")
    text = "\n".join(rows) + "\n"
    open(os.path.join(out, "summary.md"), "w").write(text)
    print(text)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    present = [d for d in DATA if any((d, a) in series for a in ALGOS)]
    fig, axes = plt.subplots(1, len(present), figsize=(4 * len(present), 3.2), squeeze=False)
    bins = np.linspace(0, 1000, 41)
    for ax, dname in zip(axes[0], present):
        for algo in ALGOS:
            if (dname, algo) in series:
                ax.hist(series[(dname, algo)], bins=bins, histtype="step", label=algo)
        ax.set_title(dname)
        ax.set_xlabel("outer iterations (1000 = maxit)")
    axes[0][0].set_ylabel("fold fits")
    axes[0][0].legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "converge.png"), dpi=90)


if __name__ == "__main__":
    main(sys.argv[1])
