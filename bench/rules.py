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
        for name, rule in RULES.items():
            ks = [int(rule(read(f))["k"]) for f in files]
            hit = sum(k == true_k for k in ks) / len(ks)
            dist = ", ".join("k=%d: %d" % kv for kv in sorted(Counter(ks).items()))
            print("  %-10s true k %3.0f%%   %s" % (name, 100 * hit, dist))


if __name__ == "__main__":
    main()
