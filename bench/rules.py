#!/usr/bin/python3
"""Compare final-choice rules on the histories written by bench_sim --history.

For each replicate history (hist_<seed>_<method>.tsv) apply each rule and
report how often it selects the true k (3) and the distribution of k.  Only
the choice is re-made here; the test C-index needs a refit and comes from
bench_sim itself for the rule it ran.

Rules:
  max        largest mean fold C-index
  1se        smallest k whose best mean >= best mean - se(best)   (paper, PDAC)
  paired1se  as 1se, but the se of the per-fold DIFFERENCES between the
             candidate and the best point (the folds are shared, so the
             fold-to-fold variation that dominates se(best) cancels)
  0.5se      as 1se with half the standard error
Rules that also use the held-out reconstruction error ("recon", the
bi-cross-validated relative error recorded by the tuner, lower is better;
histories from before it was recorded lack the column and skip these):
  1se-recon  the paper's plateau S = {mean >= best mean - se(best)}, then
             the point of S with the lowest recon        (library rule 3)
  1se-recon-k  as 1se-recon, then the smallest k of S having a point with
             recon <= min recon + its se, and that k's lowest-recon point
  kbest-recon  each k's best-mean point; the k whose point has the lowest
             recon, then that point
  recon-min  the lowest recon of the whole history (NMF-side choice only)
Ties go to smaller k, then smaller alpha, larger lambda, smaller nu.

usage: /usr/bin/python3 bench/rules.py DIR [true_k]
"""
import glob
import math
import os
import sys
from collections import Counter


def read(path):
    rows = []
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            v = [float(x) for x in line.rstrip("\n").split("\t")]
            r = dict(zip(head, v))
            r["folds"] = [r[h] for h in head if h.startswith("fold")]
            rows.append(r)
    return rows


def key(r):
    return (r["k"], r["alpha"], -r["lambda"], r["nu"])


def best_point(rows):
    ok = [r for r in rows if not math.isnan(r["mean"])]
    return max(ok, key=lambda r: (r["mean"], tuple(-x for x in key(r)))) if ok else None


def smallest_k_within(rows, threshold_of):
    b = best_point(rows)
    cands = [r for r in rows if not math.isnan(r["mean"]) and r["mean"] >= threshold_of(r, b)]
    k = min(r["k"] for r in cands)
    return best_point([r for r in cands if r["k"] == k])


def paired_se(r, b):
    d = [x - y for x, y in zip(b["folds"], r["folds"]) if not (math.isnan(x) or math.isnan(y))]
    if len(d) < 2:
        return 0.0
    m = sum(d) / len(d)
    return math.sqrt(sum((x - m) ** 2 for x in d) / (len(d) - 1)) / math.sqrt(len(d))


def plateau(rows, mult=1.0):
    b = best_point(rows)
    return [r for r in rows if not math.isnan(r["mean"]) and r["mean"] >= b["mean"] - mult * b["se"]]


def lowest_recon(rows):
    ok = [r for r in rows if not math.isnan(r["recon"])]
    if not ok:
        return best_point(rows)
    return min(ok, key=lambda r: (r["recon"], -r["mean"], key(r)))


def recon_k(rows):
    s = plateau(rows)
    lo = lowest_recon(s)
    thr = lo["recon"] + (0 if math.isnan(lo["recon_se"]) else lo["recon_se"])
    k = min(r["k"] for r in s if r["recon"] <= thr)
    return lowest_recon([r for r in s if r["k"] == k])


def kbest_recon(rows):
    ks = sorted(set(r["k"] for r in rows))
    bests = [b for b in (best_point([r for r in rows if r["k"] == k]) for k in ks) if b]
    return lowest_recon(bests)


def parsimony(rows):
    """Rule 1se-parsimony (lib/tune/select.h): the smallest k of the plateau whose
    recon is within one se of the plateau's lowest; at that k, among its
    points within one se of its best mean, the smallest alpha, then the
    largest lambda."""
    s = plateau(rows)
    if not any(not math.isnan(r["recon"]) for r in s):
        return smallest_k_within(rows, lambda r, b: b["mean"] - b["se"])
    lo = lowest_recon(s)
    thr = lo["recon"] + (0 if math.isnan(lo["recon_se"]) else lo["recon_se"])
    k = min(r["k"] for r in s if not math.isnan(r["recon"]) and r["recon"] <= thr)
    atk = [r for r in rows if r["k"] == k and not math.isnan(r["mean"])]
    kb = best_point(atk)
    band = [r for r in atk if r["mean"] >= kb["mean"] - (0 if math.isnan(kb["se"]) else kb["se"])]
    return min(band, key=lambda r: (r["alpha"], -r["lambda"], r["nu"]))


RECON_RULES = {
    "1se-parsimony": parsimony,
    "1se-recon": lambda rows: lowest_recon(plateau(rows)),
    "1se-recon-k": recon_k,
    "kbest-recon": kbest_recon,
    "recon-min": lambda rows: lowest_recon([r for r in rows if not math.isnan(r["mean"])]),
}

RULES = {
    "max": lambda rows: best_point(rows),
    "1se": lambda rows: smallest_k_within(rows, lambda r, b: b["mean"] - b["se"]),
    "0.5se": lambda rows: smallest_k_within(rows, lambda r, b: b["mean"] - 0.5 * b["se"]),
    "paired1se": lambda rows: smallest_k_within(rows, lambda r, b: b["mean"] - paired_se(r, b)),
}


def main():
    d = sys.argv[1]
    true_k = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for method in ("desurv", "alpha0"):
        files = sorted(glob.glob(os.path.join(d, "hist_*_%s.tsv" % method)))
        if not files:
            continue
        print("%s (%d replicates)" % (method, len(files)))
        hists = [read(f) for f in files]
        rules = dict(RULES)
        if all("recon" in h[0] for h in hists):
            rules.update(RECON_RULES)
        for name, rule in rules.items():
            ks = [int(rule(h)["k"]) for h in hists]
            hit = sum(k == true_k for k in ks) / len(ks)
            dist = ", ".join("k=%d: %d" % kv for kv in sorted(Counter(ks).items()))
            print("  %-12s true k %3.0f%%   %s" % (name, 100 * hit, dist))


if __name__ == "__main__":
    main()
