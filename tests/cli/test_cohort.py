"""The cohort column of the survival table (--cohort-col) through the built
binary: the gene filter run within each cohort and intersected (checked
against the same filter recomputed here from the expression table), the
cohorts in summary.json, tune / cv with folds stratified by cohort, validate
accepting the option, and the errors (missing column, empty cell, empty
intersection)."""
import os
import tempfile
import unittest

from clitest import TempDirCase, main, read_json, read_tsv, run

GENES, SAMPLES, NGENE = 400, 120, 200
TUNE = ["--k", "2:3", "--folds", "3", "--starts", "2", "--init-points", "3",
        "--iterations", "2", "--maxit", "60", "--quiet"]


class Shared:
    tmp = None

    @classmethod
    def setup(cls):
        cls._td = tempfile.TemporaryDirectory(prefix="desurv-coh-")
        cls.tmp = cls._td.name
        sim = os.path.join(cls.tmp, "sim")
        rc, _, err = run("simulate", "--scenario", "r0", "--genes", GENES, "--samples", SAMPLES,
                         "--k", 3, "--seed", 11, "--out", sim, "--quiet")
        assert rc == 0, err
        cls.expr = os.path.join(sim, "expression.tsv")
        # Cohorts A / B: every third sample in B (so B has its first
        # appearance second), written as a new column "cohort".
        with open(os.path.join(sim, "survival.tsv")) as f:
            lines = f.read().splitlines()
        cls.cohort = {}
        out = [lines[0] + "\tcohort"]
        for i, line in enumerate(lines[1:]):
            c = "B" if i % 3 == 1 else "A"
            cls.cohort[line.split("\t")[0]] = c
            out.append(line + "\t" + c)
        cls.surv = os.path.join(cls.tmp, "surv_cohort.tsv")
        with open(cls.surv, "w") as f:
            f.write("\n".join(out) + "\n")


def setUpModule():
    Shared.setup()


def tearDownModule():
    Shared._td.cleanup()


# ---- desurv_gene_filter (lib/prep/preprocess.c) recomputed ----

def desc_ranks(v):
    """R's rank(-v): descending, ties get their average rank."""
    order = sorted(range(len(v)), key=lambda g: (-v[g], g))
    r = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for q in range(i, j + 1):
            r[order[q]] = (i + j) / 2 + 1
        i = j + 1
    return r


def gene_filter(rows, ngene):
    """Indices of the ngene genes of smallest (mean rank + sample-variance
    rank), as the library computes mean and two-pass variance."""
    mean, var = [], []
    for x in rows:
        s = 0.0
        for v in x:
            s += v
        s /= len(x)
        ss = 0.0
        for v in x:
            ss += (v - s) * (v - s)
        mean.append(s)
        var.append(ss / (len(x) - 1) if len(x) > 1 else 0.0)
    rm, rv = desc_ranks(mean), desc_ranks(var)
    total = [a + b for a, b in zip(rm, rv)]
    best = sorted(range(len(rows)), key=lambda g: (total[g], g))[:ngene]
    return set(best)


def read_expr(path):
    header, rows = read_tsv(path)
    return header[1:], [r[0] for r in rows], [[float(v) for v in r[1:]] for r in rows]


class CohortFilter(TempDirCase):
    @classmethod
    def setUpClass(cls):
        cls.samples, cls.genes, cls.X = read_expr(Shared.expr)
        cols = {c: [j for j, s in enumerate(cls.samples) if Shared.cohort[s] == c]
                for c in ("A", "B")}
        sets = [gene_filter([[x[j] for j in cols[c]] for x in cls.X], NGENE) for c in "AB"]
        cls.expected = [cls.genes[g] for g in sorted(sets[0] & sets[1])]
        cls.global_set = [cls.genes[g] for g in sorted(gene_filter(cls.X, NGENE))]
        cls.counts = {c: len(cols[c]) for c in "AB"}

    def fit(self, *extra):
        d = self.path("fit")
        rc, _, err = run("fit", "--expr", Shared.expr, "--surv", Shared.surv, "--genes", NGENE,
                         "--k", 3, "--maxit", 50, "--starts", 2, *extra, "--out", d)
        self.assertEqual(rc, 0, err)
        return d, err

    def test_intersection(self):
        # The check is only meaningful if the cohorts change the gene set.
        self.assertLess(len(self.expected), NGENE)
        self.assertGreater(len(self.expected), 0)
        self.assertNotEqual(self.expected, self.global_set)
        d, err = self.fit("--cohort-col", "cohort")
        _, rows = read_tsv(os.path.join(d, "W.tsv"))
        self.assertEqual([r[0] for r in rows], self.expected)  # the set, in file order
        s = read_json(os.path.join(d, "summary.json"))
        self.assertEqual(s["genes_after_filter"], len(self.expected))
        self.assertEqual(s["cohorts"], self.counts)
        self.assertEqual(list(s["cohorts"]), ["A", "B"])  # order of first appearance
        self.assertEqual(s["data"]["genes"], len(self.expected))
        self.assertIn("%d of the %d best genes" % (len(self.expected), NGENE), err)

    def test_without_cohort(self):
        d, err = self.fit()
        _, rows = read_tsv(os.path.join(d, "W.tsv"))
        self.assertEqual([r[0] for r in rows], self.global_set)
        s = read_json(os.path.join(d, "summary.json"))
        self.assertIsNone(s["cohorts"])
        self.assertEqual(s["genes_after_filter"], NGENE)
        # The column is not used automatically, but pointed out.
        self.assertIn("--cohort-col cohort", err)

    def test_one_cohort_is_the_global_filter(self):
        d, _ = self.fit("--cohort-col", "split", "--select", "split=train", "--quiet")
        train = [j for j, s in enumerate(self.samples)
                 if s in self.train_ids()]
        want = sorted(gene_filter([[x[j] for j in train] for x in self.X], NGENE))
        _, rows = read_tsv(os.path.join(d, "W.tsv"))
        self.assertEqual([r[0] for r in rows], [self.genes[g] for g in want])
        self.assertEqual(read_json(os.path.join(d, "summary.json"))["cohorts"],
                         {"train": len(train)})

    def train_ids(self):
        header, rows = read_tsv(Shared.surv)
        return {r[0] for r in rows if r[header.index("split")] == "train"}

    def test_predict_and_validate(self):
        d, _ = self.fit("--cohort-col", "cohort", "--quiet")
        model = os.path.join(d, "model.desurv")
        v = self.path("val")
        rc, _, err = run("validate", "--model", model, "--expr", Shared.expr, "--surv",
                         Shared.surv, "--cohort-col", "cohort", "--out", v)
        self.assertEqual(rc, 0, err)
        self.assertIn("2 cohorts (samples): A %d, B %d" % (self.counts["A"], self.counts["B"]),
                      err)
        self.assertEqual(read_json(os.path.join(v, "validation.json"))["n"], SAMPLES)
        rc, _, err = run("validate", "--model", model, "--expr", Shared.expr, "--surv",
                         Shared.surv, "--cohort-col", "nope", "--out", self.path("val2"))
        self.assertEqual(rc, 1)
        self.assertIn("'nope'", err)


class CohortTuning(TempDirCase):
    def test_tune(self):
        outs = []
        for i in range(2):
            d = self.path("tune%d" % i)
            rc, _, err = run("tune", "--expr", Shared.expr, "--surv", Shared.surv,
                             "--genes", NGENE, "--cohort-col", "cohort", *TUNE, "--out", d)
            self.assertEqual(rc, 0, err)
            outs.append(d)
        s = read_json(os.path.join(outs[0], "summary.json"))
        self.assertEqual(sum(s["cohorts"].values()), SAMPLES)
        self.assertEqual(set(s["cohorts"]), {"A", "B"})
        self.assertIn("cv_cindex", s)
        for f in ("history.tsv", "W.tsv", "risk.tsv"):  # deterministic
            with open(os.path.join(outs[0], f)) as a, open(os.path.join(outs[1], f)) as b:
                self.assertEqual(a.read(), b.read(), f)

    def test_cv(self):
        d = self.path("cv")
        rc, _, err = run("cv", "--expr", Shared.expr, "--surv", Shared.surv, "--cohort-col",
                         "cohort", "--k", "2,3", "--alpha", "0.5", "--folds", 3, "--starts", 2,
                         "--maxit", 40, "--quiet", "--out", d)
        self.assertEqual(rc, 0, err)
        s = read_json(os.path.join(d, "summary.json"))
        self.assertEqual(list(s["cohorts"]), ["A", "B"])
        self.assertEqual(s["genes_after_filter"], GENES)  # no --genes: all kept


class CohortErrors(TempDirCase):
    def write(self, name, text):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def test_missing_column(self):
        for cmd in ("fit", "tune", "cv"):
            extra = ["--k", "2"] if cmd != "tune" else ["--k", "2:3"]
            rc, _, err = run(cmd, "--expr", Shared.expr, "--surv", Shared.surv, *extra,
                             "--cohort-col", "batch", "--out", self.path(cmd))
            self.assertEqual(rc, 1, cmd + ": " + err)
            self.assertIn(Shared.surv, err)
            self.assertIn("no column named 'batch'", err)
            self.assertFalse(os.path.exists(self.path(cmd)))

    def test_empty_cell(self):
        with open(Shared.surv) as f:
            lines = f.read().splitlines()
        fields = lines[5].split("\t")
        sample = fields[0]
        lines[5] = "\t".join(fields[:-1] + [""])
        surv = self.write("surv.tsv", "\n".join(lines) + "\n")
        rc, _, err = run("fit", "--expr", Shared.expr, "--surv", surv, "--k", 2,
                         "--cohort-col", "cohort", "--out", self.path("o"))
        self.assertEqual(rc, 1, err)
        self.assertIn("%s:6:" % surv, err)
        self.assertIn("empty cell in the cohort column 'cohort' (sample %s)" % sample, err)
        # Without --cohort-col the column is not read: no error.
        rc, _, err = run("fit", "--expr", Shared.expr, "--surv", surv, "--k", 2, "--maxit", 20,
                         "--starts", 1, "--quiet", "--out", self.path("o2"))
        self.assertEqual(rc, 0, err)

    def test_empty_intersection(self):
        # Gene g1 is the best of cohort A only, g2 of cohort B only.
        expr = self.write("expr.tsv", "gene\ts1\ts2\ts3\ts4\n"
                                      "g1\t10\t20\t0\t0.1\n"
                                      "g2\t0\t0.1\t10\t20\n"
                                      "g3\t1\t1.1\t1\t1.1\n"
                                      "g4\t2\t2.1\t2\t2.1\n")
        surv = self.write("surv.tsv", "sample\ttime\tevent\tcohort\n"
                                      "s1\t1\t1\tA\ns2\t2\t0\tA\ns3\t3\t1\tB\ns4\t4\t0\tB\n")
        rc, _, err = run("fit", "--expr", expr, "--surv", surv, "--k", 1, "--genes", 1,
                         "--cohort-col", "cohort", "--out", self.path("o"))
        self.assertEqual(rc, 1, err)
        self.assertIn("no gene is among the 1 best", err)
        self.assertFalse(os.path.exists(self.path("o")))
        rc, _, err = run("fit", "--expr", expr, "--surv", surv, "--k", 1, "--genes", 2,
                         "--cohort-col", "cohort", "--maxit", 20, "--starts", 1, "--quiet",
                         "--out", self.path("o2"))
        self.assertEqual(rc, 0, err)
        _, rows = read_tsv(self.path("o2", "W.tsv"))
        # Rank sums in A: g1 1+1, g4 2+3, g3 3+3, g2 4+3; in B g1 and g2
        # swap, so the two best are {g1, g4} and {g2, g4}: only g4 is kept.
        cols = {"A": [0, 1], "B": [2, 3]}
        X = [[10, 20, 0, 0.1], [0, 0.1, 10, 20], [1, 1.1, 1, 1.1], [2, 2.1, 2, 2.1]]
        sets = [gene_filter([[x[j] for j in cols[c]] for x in X], 2) for c in "AB"]
        self.assertEqual(sets[0] & sets[1], {3})
        self.assertEqual([r[0] for r in rows], ["g4"])


if __name__ == "__main__":
    main()
