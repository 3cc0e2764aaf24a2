"""desurv validate through the built binary: simulate -> fit on the train
split -> validate on the test split; the files' contents, the risk groups,
determinism, the errors, and (when Rscript with the survival package is
installed) R's coxph / survdiff / concordance / survfit on the same data."""
import math
import os
import shutil
import subprocess
import tempfile
import unittest

from clitest import main, numbers, read_json, read_tsv, run

GENES, SAMPLES = 300, 120
KEYS = ["n", "events", "cindex", "cindex_ci", "hr_per_sd", "hr_per_sd_ci", "hr_per_sd_p",
        "hr_groups", "hr_groups_ci", "logrank_chisq", "logrank_p"]
OUTPUTS = ["km.tsv", "risk.tsv", "validation.json"]


class Shared:
    """One simulated data set (scenario r0), one fit, three validations."""
    tmp = None

    @classmethod
    def setup(cls):
        cls._td = tempfile.TemporaryDirectory(prefix="desurv-val-")
        cls.tmp = cls._td.name
        sim = os.path.join(cls.tmp, "sim")
        rc, _, err = run("simulate", "--scenario", "r0", "--genes", GENES, "--samples", SAMPLES,
                         "--k", 3, "--seed", 7, "--out", sim, "--quiet")
        assert rc == 0, err
        cls.expr = os.path.join(sim, "expression.tsv")
        cls.surv = os.path.join(sim, "survival.tsv")
        fit = os.path.join(cls.tmp, "fit")
        rc, _, err = run("fit", "--expr", cls.expr, "--surv", cls.surv, "--select", "split=train",
                         "--transform", "rank", "--genes", 200, "--k", 3, "--maxit", 100,
                         "--starts", 3, "--quiet", "--out", fit)
        assert rc == 0, err
        cls.model = os.path.join(fit, "model.desurv")
        cls.out = {g: cls.validate(g) for g in ("median", "tertile", "z=0.5")}

    @classmethod
    def validate(cls, groups, name=None):
        d = os.path.join(cls.tmp, name or "val-" + groups)
        rc, _, err = run(*cls.args(groups), "--out", d)
        assert rc == 0, err
        return d

    @classmethod
    def args(cls, groups="median"):
        return ["validate", "--model", cls.model, "--expr", cls.expr, "--surv", cls.surv,
                "--select", "split=test", "--groups", groups, "--quiet"]


def setUpModule():
    Shared.setup()


def tearDownModule():
    Shared._td.cleanup()


def test_samples():
    """(sample, time, event) of the test split, in file order."""
    _, rows = read_tsv(Shared.surv)
    return [(r[0], float(r[1]), int(r[2])) for r in rows if r[3] == "test"]


def risk_table(d):
    hdr, rows = read_tsv(os.path.join(d, "risk.tsv"))
    return hdr, rows


def km_by_group(d):
    hdr, rows = read_tsv(os.path.join(d, "km.tsv"))
    groups = {}
    for r in rows:
        groups.setdefault(r[0], []).append(r)
    return hdr, groups


class Outputs(unittest.TestCase):
    def test_files(self):
        for d in Shared.out.values():
            self.assertEqual(sorted(os.listdir(d)), OUTPUTS)

    def test_json_keys_finite(self):
        for g, d in Shared.out.items():
            j = read_json(os.path.join(d, "validation.json"))
            for k in KEYS:
                self.assertIn(k, j, (g, k))
                vals = j[k] if isinstance(j[k], list) else [j[k]]
                self.assertTrue(vals and all(isinstance(v, (int, float)) and math.isfinite(v)
                                             for v in vals), (g, k, j[k]))
            self.assertEqual(len(j["cindex_ci"]), 2)
            lo, hi = j["cindex_ci"]
            self.assertTrue(0 <= lo <= j["cindex"] <= hi <= 1)
            lo, hi = j["hr_per_sd_ci"]
            self.assertTrue(lo < j["hr_per_sd"] < hi)
            lo, hi = j["hr_groups_ci"]
            self.assertTrue(lo < j["hr_groups"] < hi)
            self.assertTrue(0 <= j["hr_per_sd_p"] <= 1 and 0 <= j["logrank_p"] <= 1)
            self.assertEqual(j["groups"], g)
            self.assertEqual(j["ties"], "efron")
            self.assertEqual(j["warnings"], [])

    def test_version(self):
        rc, out, _ = run("--version")
        self.assertEqual(rc, 0)
        j = read_json(os.path.join(Shared.out["median"], "validation.json"))
        self.assertIn("(libdesurv %s)" % j["desurv_version"], out)

    def test_r0_signal(self):
        j = read_json(os.path.join(Shared.out["median"], "validation.json"))
        self.assertGreater(j["hr_per_sd"], 1)
        self.assertGreater(j["hr_per_sd_ci"][0], 1)
        self.assertGreater(j["cindex"], 0.5)
        self.assertGreater(j["hr_groups"], 1)

    def test_n_events(self):
        s = test_samples()
        for d in Shared.out.values():
            j = read_json(os.path.join(d, "validation.json"))
            self.assertEqual(j["n"], len(s))
            self.assertEqual(j["events"], sum(e for _, _, e in s))
            self.assertEqual(sum(j["group_n"]), len(s))
            self.assertEqual(sum(j["group_events"]), j["events"])

    def test_risk_as_predict(self):
        """lp is predict's, for the test samples, in the expression's order."""
        p = os.path.join(Shared.tmp, "pred.tsv")
        rc, _, err = run("predict", "--model", Shared.model, "--expr", Shared.expr, "--out", p)
        self.assertEqual(rc, 0, err)
        _, pred = read_tsv(p)
        want = {r[0]: r for r in pred}
        hdr, rows = risk_table(Shared.out["median"])
        self.assertEqual(hdr, ["sample", "lp", "risk", "group"])
        test = {s for s, _, _ in test_samples()}
        self.assertEqual([r[0] for r in rows], [r[0] for r in pred if r[0] in test])
        j = read_json(os.path.join(Shared.out["median"], "validation.json"))
        self.assertEqual(j["group_cut_source"], "training")
        m = j["group_cuts"][0]  # the training median lp
        for r in rows:  # the median groups use the training median, as predict
            self.assertEqual(r, want[r[0]])
            # risk relative to the median training patient
            self.assertAlmostEqual(float(r[2]) / math.exp(float(r[1]) - m), 1, places=12)

    def test_groups_median(self):
        j = read_json(os.path.join(Shared.out["median"], "validation.json"))
        self.assertEqual(j["group_cut_source"], "training")
        self.assertEqual(j["group_labels"], ["low", "high"])
        self.assertEqual(j["hr_groups_contrast"], "high vs low")
        self.assertEqual(j["logrank_df"], 1)
        summary = read_json(os.path.join(os.path.dirname(Shared.model), "summary.json"))
        self.assertEqual(j["group_cuts"], [summary["fit"]["train_lp_median"]])
        _, rows = risk_table(Shared.out["median"])
        for r in rows:
            self.assertEqual(r[3], "high" if float(r[1]) > j["group_cuts"][0] else "low")
        self.assertEqual([sum(r[3] == g for r in rows) for g in ("low", "high")], j["group_n"])

    def test_groups_tertile(self):
        j = read_json(os.path.join(Shared.out["tertile"], "validation.json"))
        self.assertEqual(j["group_cut_source"], "validation")
        self.assertEqual(j["group_labels"], ["low", "mid", "high"])
        self.assertEqual(j["logrank_df"], 2)
        self.assertIn("per step", j["hr_groups_contrast"])
        _, rows = risk_table(Shared.out["tertile"])
        lo, hi = j["group_cuts"]
        for r in rows:
            lp = float(r[1])
            self.assertEqual(r[3], "low" if lp <= lo else "mid" if lp <= hi else "high")
        n = len(rows)
        for size in j["group_n"]:
            self.assertLessEqual(abs(size - n / 3), 1)

    def test_groups_z(self):
        j = read_json(os.path.join(Shared.out["z=0.5"], "validation.json"))
        self.assertEqual(j["group_cut_source"], "validation")
        _, rows = risk_table(Shared.out["z=0.5"])
        lp = numbers([r[1] for r in rows])
        mean = sum(lp) / len(lp)
        sd = math.sqrt(sum((x - mean) ** 2 for x in lp) / (len(lp) - 1))
        self.assertAlmostEqual(j["lp_mean"], mean, places=9)
        self.assertAlmostEqual(j["lp_sd"], sd, places=9)
        for r, x in zip(rows, lp):
            z = (x - mean) / sd
            if abs(z - 0.5) > 1e-9:
                self.assertEqual(r[3], "high" if z > 0.5 else "low")

    def test_km(self):
        for g, d in Shared.out.items():
            j = read_json(os.path.join(d, "validation.json"))
            hdr, groups = km_by_group(d)
            self.assertEqual(hdr, ["group", "time", "n_risk", "n_event", "n_censor", "surv",
                                   "std_err", "lower", "upper"])
            self.assertEqual(sorted(groups), sorted(j["group_labels"]))
            for q, label in enumerate(j["group_labels"]):
                rows = groups[label]
                t = numbers([r[1] for r in rows])
                s = numbers([r[5] for r in rows])
                self.assertEqual(t, sorted(t))
                self.assertLessEqual(s[0], 1)
                self.assertTrue(all(b <= a for a, b in zip(s, s[1:])), (g, label))
                self.assertEqual(int(rows[0][2]), j["group_n"][q])
                self.assertEqual(sum(int(r[3]) for r in rows), j["group_events"][q])
                self.assertEqual(sum(int(r[3]) + int(r[4]) for r in rows), j["group_n"][q])

    def test_same_run_same_bytes(self):
        d = Shared.validate("median", "again")
        for f in OUTPUTS:
            with open(os.path.join(d, f), "rb") as a, \
                    open(os.path.join(Shared.out["median"], f), "rb") as b:
                self.assertEqual(a.read(), b.read(), f)


class Errors(unittest.TestCase):
    def out(self, name):
        return os.path.join(Shared.tmp, "err-" + name)

    def test_bad_groups(self):
        for bad in ("quartile", "z=", "z=abc", "z=inf", "Median"):
            rc, _, err = run(*Shared.args(bad), "--out", self.out("groups"))
            self.assertEqual(rc, 2, bad)
            self.assertIn("--groups", err)
            self.assertFalse(os.path.exists(self.out("groups")))

    def test_missing_required(self):
        rc, _, err = run("validate", "--model", Shared.model, "--expr", Shared.expr,
                         "--out", self.out("req"))
        self.assertEqual(rc, 2)
        self.assertIn("--surv", err)

    def test_missing_model(self):
        a = Shared.args()
        a[a.index("--model") + 1] = os.path.join(Shared.tmp, "nowhere", "model.desurv")
        rc, _, err = run(*a, "--out", self.out("model"))
        self.assertEqual(rc, 1)
        self.assertIn("nowhere", err)
        self.assertFalse(os.path.exists(self.out("model")))

    def test_damaged_model(self):
        bad = os.path.join(Shared.tmp, "truncated.desurv")
        with open(Shared.model, "rb") as f, open(bad, "wb") as g:
            g.write(f.read()[:200])
        a = Shared.args()
        a[a.index("--model") + 1] = bad
        rc, _, err = run(*a, "--out", self.out("damaged"))
        self.assertEqual(rc, 1)
        self.assertIn("truncated", err)

    def test_no_events(self):
        surv = os.path.join(Shared.tmp, "no_events.tsv")
        hdr, rows = read_tsv(Shared.surv)
        with open(surv, "w") as f:
            f.write("\t".join(hdr) + "\n")
            for r in rows:
                f.write("\t".join([r[0], r[1], "0" if r[3] == "test" else r[2], r[3]]) + "\n")
        a = Shared.args()
        a[a.index("--surv") + 1] = surv
        rc, _, err = run(*a, "--out", self.out("events"))
        self.assertEqual(rc, 1)
        self.assertIn("no_events.tsv", err)
        self.assertIn("no events", err)
        self.assertFalse(os.path.exists(self.out("events")))

    def test_help(self):
        rc, out, _ = run("validate", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("--groups", out)
        rc, out, _ = run("--help")
        self.assertIn("validate", out)


R_SCRIPT = r"""
suppressMessages(library(survival))
a <- commandArgs(TRUE)
r <- read.delim(a[1], colClasses = c(sample = "character", group = "character"))
s <- read.delim(a[2], colClasses = c(sample = "character"))
d <- merge(r, s, by = "sample", sort = FALSE)
z <- (d$lp - mean(d$lp)) / sd(d$lp)
f <- coxph(Surv(time, event) ~ z, data = d, ties = "efron")
g <- match(d$group, c("low", "mid", "high"))
g <- as.integer(factor(g)) - 1
fg <- coxph(Surv(time, event) ~ g, data = d, ties = "efron")
lr <- survdiff(Surv(time, event) ~ group, data = d)
cc <- concordance(Surv(time, event) ~ lp, data = d, reverse = TRUE)
out <- c(exp(coef(f)), summary(f)$coefficients[, 5], exp(confint(f)), exp(coef(fg)),
         lr$chisq, cc$concordance, sqrt(cc$var))
cat(sprintf("%.17g", out), "\n")
for (lab in unique(d$group)) {
  k <- survfit(Surv(time, event) ~ 1, data = d[d$group == lab, ])
  cat(lab, sprintf("%.17g", k$surv), "\n")
  cat(lab, sprintf("%.17g", k$std.err), "\n")
}
"""


@unittest.skipUnless(shutil.which("Rscript"), "Rscript not found: no comparison with R")
class GoldenR(unittest.TestCase):
    def r(self, d):
        script = os.path.join(Shared.tmp, "golden.R")
        with open(script, "w") as f:
            f.write(R_SCRIPT)
        p = subprocess.run(["Rscript", script, os.path.join(d, "risk.tsv"), Shared.surv],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0 and "survival" in p.stderr:
            self.skipTest("R package survival not installed")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        km = {}
        for line in lines[1:]:
            w = line.split()
            km.setdefault(w[0], []).append(numbers(w[1:]))
        return numbers(lines[0].split()), km

    def close(self, a, b, what):
        self.assertTrue(math.isclose(a, b, rel_tol=1e-8, abs_tol=1e-12), (what, a, b))

    def test_against_r(self):
        for g in ("median", "tertile"):
            d = Shared.out[g]
            j = read_json(os.path.join(d, "validation.json"))
            (hr, p, lo, hi, hrg, chisq, c, cse), km = self.r(d)
            self.close(j["hr_per_sd"], hr, "hr_per_sd")
            self.close(j["hr_per_sd_p"], p, "hr_per_sd_p")
            self.close(j["hr_per_sd_ci"][0], lo, "hr_per_sd_ci")
            self.close(j["hr_per_sd_ci"][1], hi, "hr_per_sd_ci")
            self.close(j["hr_groups"], hrg, "hr_groups")
            self.close(j["logrank_chisq"], chisq, "logrank_chisq")
            self.close(j["cindex"], c, "cindex")
            self.close(j["cindex_se"], cse, "cindex_se (concordance()$var)")
            _, groups = km_by_group(d)
            for label, rows in groups.items():
                surv, se = km[label]
                self.assertEqual(len(rows), len(surv), label)
                for r, s, e in zip(rows, surv, se):
                    self.close(float(r[5]), s, "km surv " + label)
                    if math.isfinite(e):
                        self.close(float(r[6]), e, "km std_err " + label)


if __name__ == "__main__":
    main()
