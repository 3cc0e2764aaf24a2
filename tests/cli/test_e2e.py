"""End to end through the built desurv binary: simulate -> fit / cv / tune ->
predict / top-genes / info, checking the files' contents, determinism, the
input variants (gzip, CSV, transposed, stdin), and that an interrupted tune
leaves nothing behind."""
import gzip
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import zlib

from clitest import DESURV, WRAPPER, main, numbers, read_json, read_tsv, run

GENES, SAMPLES, K = 300, 80, 3
FIT = ["--k", "3", "--maxit", "100", "--starts", "3", "--quiet"]
TUNE = ["--k", "2:3", "--folds", "3", "--starts", "2", "--init-points", "3",
        "--iterations", "2", "--maxit", "60", "--quiet"]


class Shared:
    """One simulated data set and one fit, made once for all tests."""
    tmp = None

    @classmethod
    def setup(cls):
        if cls.tmp:
            return
        cls._td = tempfile.TemporaryDirectory(prefix="desurv-e2e-")
        cls.tmp = cls._td.name
        cls.sim = os.path.join(cls.tmp, "sim")
        rc, _, err = run("simulate", "--genes", GENES, "--samples", SAMPLES, "--k", K,
                         "--seed", 7, "--out", cls.sim)
        assert rc == 0, err
        cls.expr = os.path.join(cls.sim, "expression.tsv")
        cls.surv = os.path.join(cls.sim, "survival.tsv")
        cls.fit = os.path.join(cls.tmp, "fit")
        rc, _, err = run("fit", "--expr", cls.expr, "--surv", cls.surv, "--select",
                         "split=train", "--transform", "rank", "--genes", 200, *FIT,
                         "--out", cls.fit)
        assert rc == 0, err


def setUpModule():
    Shared.setup()


def tearDownModule():
    Shared._td.cleanup()


def files_of(d):
    return sorted(f for f in os.listdir(d))


class Simulate(unittest.TestCase):
    def test_files(self):
        self.assertEqual(files_of(Shared.sim), ["expression.tsv", "survival.tsv",
                                                "truth_W.tsv", "truth_genes.tsv"])

    def test_expression(self):
        hdr, rows = read_tsv(Shared.expr)
        self.assertEqual(hdr[0], "gene")
        self.assertEqual(len(hdr), SAMPLES + 1)
        self.assertEqual(len(rows), GENES)
        for r in rows:
            self.assertEqual(len(r), SAMPLES + 1)
            self.assertTrue(all(v >= 0 for v in numbers(r[1:])))
        self.assertEqual(len({r[0] for r in rows}), GENES)

    def test_survival(self):
        hdr, rows = read_tsv(Shared.surv)
        self.assertEqual(hdr, ["sample", "time", "event", "split"])
        self.assertEqual(len(rows), SAMPLES)
        self.assertTrue(all(float(r[1]) >= 0 and r[2] in ("0", "1") for r in rows))
        ntrain = sum(r[3] == "train" for r in rows)
        self.assertEqual(ntrain, round(0.7 * SAMPLES))
        self.assertEqual({r[3] for r in rows}, {"train", "test"})

    def test_truth(self):
        hdr, rows = read_tsv(os.path.join(Shared.sim, "truth_W.tsv"))
        self.assertEqual(hdr, ["gene", "factor1", "factor2", "factor3"])
        self.assertEqual(len(rows), GENES)
        for q in range(1, 4):  # unit-norm columns
            self.assertAlmostEqual(sum(float(r[q]) ** 2 for r in rows), 1.0, places=9)
        hdr, rows = read_tsv(os.path.join(Shared.sim, "truth_genes.tsv"))
        self.assertEqual(hdr, ["gene", "class", "survival_factor"])
        self.assertIn("marker1", {r[1] for r in rows})

    def test_same_seed_same_files(self):
        with tempfile.TemporaryDirectory() as d:
            rc, _, err = run("simulate", "--genes", GENES, "--samples", SAMPLES, "--seed", 7,
                             "--out", d, "--quiet")
            self.assertEqual(rc, 0, err)
            for f in files_of(Shared.sim):
                with open(os.path.join(d, f), "rb") as a, \
                        open(os.path.join(Shared.sim, f), "rb") as b:
                    self.assertEqual(a.read(), b.read(), f)


class Fit(unittest.TestCase):
    def test_files(self):
        self.assertEqual(files_of(Shared.fit), ["H.tsv", "W.tsv", "beta.tsv", "model.desurv",
                                                "offset.tsv", "risk.tsv", "summary.json",
                                                "top_genes.tsv"])

    def test_offset(self):
        # the fitted per-gene baseline: one nonnegative value per gene, in
        # W.tsv's gene order, and the summary says which model was fitted
        hdr, rows = read_tsv(os.path.join(Shared.fit, "offset.tsv"))
        self.assertEqual(hdr, ["gene", "offset"])
        _, wrows = read_tsv(os.path.join(Shared.fit, "W.tsv"))
        self.assertEqual([r[0] for r in rows], [r[0] for r in wrows])
        b = numbers([r[1] for r in rows])
        self.assertTrue(all(v >= 0 for v in b))
        self.assertGreater(sum(b), 0)
        s = read_json(os.path.join(Shared.fit, "summary.json"))
        self.assertEqual(s["fit"]["offset"], "gene")
        self.assertEqual(s["fit"]["hstep"], "exact")
        self.assertEqual(s["fit"]["wstep"], "hals")

    def test_W_H_beta(self):
        hdr, rows = read_tsv(os.path.join(Shared.fit, "W.tsv"))
        self.assertEqual(hdr, ["gene", "factor1", "factor2", "factor3"])
        self.assertEqual(len(rows), 200)
        for q in range(1, 4):
            self.assertAlmostEqual(sum(float(r[q]) ** 2 for r in rows), 1.0, places=9)
        hdr, rows = read_tsv(os.path.join(Shared.fit, "H.tsv"))
        self.assertEqual(hdr[0], "factor")
        self.assertEqual(len(hdr), round(0.7 * SAMPLES) + 1)
        self.assertEqual([r[0] for r in rows], ["factor1", "factor2", "factor3"])
        hdr, rows = read_tsv(os.path.join(Shared.fit, "beta.tsv"))
        self.assertEqual(hdr, ["factor", "beta"])
        self.assertEqual(len(numbers([r[1] for r in rows])), 3)

    def test_risk(self):
        hdr, rows = read_tsv(os.path.join(Shared.fit, "risk.tsv"))
        self.assertEqual(hdr, ["sample", "lp", "risk", "group"])
        self.assertEqual(len(rows), round(0.7 * SAMPLES))
        # risk is relative to the median training patient: exp(lp - median lp)
        lps = sorted(float(r[1]) for r in rows)
        n = len(lps)
        med = lps[n // 2] if n % 2 else 0.5 * (lps[n // 2 - 1] + lps[n // 2])
        for r in rows:
            lp, risk = float(r[1]), float(r[2])
            self.assertTrue(math.isclose(risk, math.exp(lp - med), rel_tol=1e-12))
        self.assertEqual(sum(r[3] == "high" for r in rows), len(rows) // 2)

    def test_top_genes(self):
        hdr, rows = read_tsv(os.path.join(Shared.fit, "top_genes.tsv"))
        self.assertEqual(hdr, ["factor", "rank", "gene", "score"])
        self.assertEqual(len(rows), 3 * 50)
        self.assertEqual(rows[0][:2], ["factor1", "1"])

    def test_summary(self):
        s = read_json(os.path.join(Shared.fit, "summary.json"))
        for key in ("k", "alpha", "lambda", "nu", "train_cindex", "iterations", "converged",
                    "desurv_version"):
            self.assertIn(key, s)
        self.assertEqual(s["k"], 3)
        self.assertTrue(0 <= s["train_cindex"] <= 1)
        self.assertEqual(s["data"]["genes"], 200)
        self.assertEqual(s["data"]["genes_in_input"], GENES)
        self.assertEqual(s["data"]["transform"], "rank")
        with open(Shared.expr, "rb") as f:
            data = f.read()
        e = s["data"]["inputs"]["expression"]
        self.assertEqual(e["crc32"], "%08x" % zlib.crc32(data))
        self.assertEqual(e["bytes"], len(data))

    def test_identical_rerun(self):
        with tempfile.TemporaryDirectory() as d:
            rc, _, err = run("fit", "--expr", Shared.expr, "--surv", Shared.surv, "--select",
                             "split=train", "--transform", "rank", "--genes", 200, *FIT,
                             "--out", d)
            self.assertEqual(rc, 0, err)
            for f in files_of(Shared.fit):
                with open(os.path.join(d, f), "rb") as a, \
                        open(os.path.join(Shared.fit, f), "rb") as b:
                    self.assertEqual(a.read(), b.read(), f)


class InputVariants(unittest.TestCase):
    """gzip, CSV, transposed and stdin input give the very same fit."""

    def fit_W(self, expr, *extra, stdin=None):
        with tempfile.TemporaryDirectory() as d:
            rc, _, err = run("fit", "--expr", expr, "--surv", Shared.surv, *FIT, *extra,
                             "--out", d, stdin=stdin)
            self.assertEqual(rc, 0, err)
            with open(os.path.join(d, "W.tsv"), "rb") as f:
                return f.read()

    def test_variants(self):
        with open(Shared.expr, "rb") as f:
            raw = f.read()
        ref = self.fit_W(Shared.expr)
        with tempfile.TemporaryDirectory() as d:
            gz = os.path.join(d, "e.tsv.gz")
            with gzip.open(gz, "wb") as f:
                f.write(raw)
            self.assertEqual(self.fit_W(gz), ref)
            csvp = os.path.join(d, "e.csv")
            with open(csvp, "wb") as f:
                f.write(raw.replace(b"\t", b","))
            self.assertEqual(self.fit_W(csvp), ref)
            hdr, rows = read_tsv(Shared.expr)
            tp = os.path.join(d, "t.tsv")
            with open(tp, "w") as f:
                f.write("\t".join(["sample"] + [r[0] for r in rows]) + "\n")
                for j, s in enumerate(hdr[1:]):
                    f.write("\t".join([s] + [r[j + 1] for r in rows]) + "\n")
            self.assertEqual(self.fit_W(tp, "--transpose"), ref)
        self.assertEqual(self.fit_W("-", stdin=raw), ref)


class Predict(unittest.TestCase):
    def predict(self, model, expr, *extra):
        rc, out, err = run("predict", "--model", model, "--expr", expr, *extra)
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], "sample\tlp\trisk\tgroup")
        return {r.split("\t")[0]: r.split("\t") for r in lines[1:]}

    def test_matches_training_risk(self):
        # predict repeats the training preprocessing (gene subset, ranks):
        # the training samples must get exactly the fit's lp.
        pred = self.predict(os.path.join(Shared.fit, "model.desurv"), Shared.expr)
        self.assertEqual(len(pred), SAMPLES)
        _, rows = read_tsv(os.path.join(Shared.fit, "risk.tsv"))
        for r in rows:
            self.assertEqual(pred[r[0]][1:], r[1:])

    def test_quantile_model(self):
        with tempfile.TemporaryDirectory() as d:
            rc, _, err = run("fit", "--expr", Shared.expr, "--surv", Shared.surv, "--select",
                             "split=train", "--transform", "quantile", "--log2p1", *FIT,
                             "--out", d)
            self.assertEqual(rc, 0, err)
            pred = self.predict(os.path.join(d, "model.desurv"), Shared.expr, "--out", "-")
            _, rows = read_tsv(os.path.join(d, "risk.tsv"))
            for r in rows:
                self.assertEqual(pred[r[0]][1:], r[1:])

    def test_to_file_and_top_genes_info(self):
        model = os.path.join(Shared.fit, "model.desurv")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "risk.tsv")
            rc, _, err = run("predict", "--model", model, "--expr", Shared.expr, "--out", out)
            self.assertEqual(rc, 0, err)
            self.assertEqual(len(read_tsv(out)[1]), SAMPLES)
        rc, out, err = run("top-genes", "--model", model, "--ntop", 5)
        self.assertEqual(rc, 0, err)
        _, rows = read_tsv(os.path.join(Shared.fit, "top_genes.tsv"))
        want = [r for r in rows if int(r[1]) <= 5]
        got = [line.split("\t") for line in out.splitlines()[1:]]
        self.assertEqual(got, want)
        rc, out, err = run("info", "--model", model)
        self.assertEqual(rc, 0, err)
        self.assertIn("preprocess.transform rank", " ".join(out.split()))


class Tuning(unittest.TestCase):
    def test_tune(self):
        outs = []
        for _ in range(2):
            d = tempfile.mkdtemp(prefix="desurv-tune-")
            outs.append(d)
            rc, _, err = run("tune", "--expr", Shared.expr, "--surv", Shared.surv, *TUNE,
                             "--baseline", "--out", d)
            self.assertEqual(rc, 0, err)
        d = outs[0]
        self.assertEqual(files_of(d), ["H.tsv", "W.tsv", "beta.tsv", "fits.tsv", "history.tsv",
                                       "model.desurv", "offset.tsv", "risk.tsv", "summary.json",
                                       "surface.tsv", "top_genes.tsv"])
        # fits.tsv: every fold fit of every evaluation, with its iterations;
        # history.tsv's fits_converged is the fraction of them that met tol
        hdr, fits = read_tsv(os.path.join(d, "fits.tsv"))
        self.assertEqual(hdr, ["eval", "fold", "start", "iterations", "converged"])
        hh, hist = read_tsv(os.path.join(d, "history.tsv"))
        folds = [c for c in hh if c.startswith("fold")]
        self.assertEqual(len(fits) % (len(hist) * len(folds)), 0)
        conv = hh.index("fits_converged")
        for row in hist:
            mine = [f for f in fits if f[0] == row[0]]
            self.assertTrue(mine)
            for f in mine:
                self.assertGreaterEqual(int(f[3]), 1)
                self.assertLessEqual(int(f[3]), 60)  # --maxit 60 in TUNE
                self.assertEqual(f[4] == "1", int(f[3]) < 60 or f[4] == "1")
            frac = sum(f[4] == "1" for f in mine) / len(mine)
            self.assertAlmostEqual(float(row[conv]), frac, places=12)
        s = read_json(os.path.join(d, "summary.json"))
        for key in ("k", "alpha", "lambda", "nu", "train_cindex", "cv_cindex", "cv_cindex_se",
                    "cv_cindex_alpha0"):
            self.assertIn(key, s)
        hdr, rows = read_tsv(os.path.join(d, "history.tsv"))
        self.assertEqual(hdr[:3], ["eval", "k", "alpha"])
        self.assertEqual(hdr[-4:], ["fold1", "fold2", "fold3", "chosen"])
        self.assertEqual(hdr[hdr.index("pooled_cindex") + 1:][:2], ["recon_error", "recon_error_se"])
        self.assertTrue(all(float(r[hdr.index("recon_error")]) >= 0 for r in rows))
        self.assertEqual(len(rows), s["tuning"]["evaluations"])
        self.assertEqual(sum(r[-1] == "1" for r in rows), 1)
        chosen = [r for r in rows if r[-1] == "1"][0]
        self.assertEqual(float(chosen[hdr.index("cv_cindex")]), s["cv_cindex"])
        for r in rows:
            numbers(r)
        hdr, rows = read_tsv(os.path.join(d, "surface.tsv"))
        self.assertEqual(hdr, ["k", "alpha", "cv_cindex_mean", "cv_cindex_sd"])
        self.assertEqual(len(rows), 2 * 41)
        for f in files_of(d):  # the same run twice: the same bytes
            with open(os.path.join(d, f), "rb") as a, open(os.path.join(outs[1], f), "rb") as b:
                self.assertEqual(a.read(), b.read(), f)
        for o in outs:
            shutil.rmtree(o)

    def test_cv_grid(self):
        with tempfile.TemporaryDirectory() as d:
            rc, _, err = run("cv", "--expr", Shared.expr, "--surv", Shared.surv, "--k", "2,3",
                             "--alpha", "0,0.5", "--folds", 3, "--starts", 2, "--maxit", 60,
                             "--quiet", "--out", d)
            self.assertEqual(rc, 0, err)
            hdr, rows = read_tsv(os.path.join(d, "history.tsv"))
            self.assertEqual(len(rows), 4)
            self.assertEqual(sorted((r[1], r[2]) for r in rows),
                             [("2", "0"), ("2", "0.5"), ("3", "0"), ("3", "0.5")])
            self.assertNotIn("surface.tsv", files_of(d))
            self.assertIn("cv_cindex_se", read_json(os.path.join(d, "summary.json")))

    def test_sigint_leaves_nothing(self):
        d = os.path.join(Shared.tmp, "interrupted")
        p = subprocess.Popen(WRAPPER + [DESURV, "tune", "--expr", Shared.expr, "--surv",
                                        Shared.surv, "--k", "2:6", "--folds", "5", "--starts",
                                        "20", "--init-points", "30", "--out", d],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # Interrupt once the search runs (its first progress line), not
        # while the data are read, before the handler is installed.
        seen = b""
        for line in p.stderr:
            seen += line
            if b"tune:" in line:
                break
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=120)
        err = seen + err
        self.assertEqual(p.returncode, 3, err)
        self.assertIn(b"nothing was written", err)
        self.assertTrue(not os.path.exists(d) or os.listdir(d) == [], os.listdir(d)
                        if os.path.exists(d) else "")


class Demo(unittest.TestCase):
    def test_demo_on_a_small_cohort(self):
        # The demo's pipeline on simulated data laid out as data/tcga_paad
        # (the real cohort takes too long for this suite).
        with tempfile.TemporaryDirectory() as d:
            data = os.path.join(d, "cohort")
            os.mkdir(data)
            for src, dst in ((Shared.expr, "expression_log2p1.tsv.gz"),
                             (Shared.surv, "survival.tsv.gz")):
                with open(src, "rb") as f, gzip.open(os.path.join(data, dst), "wb") as g:
                    g.write(f.read())
            out = os.path.join(d, "demo-out")
            rc, text, err = run("demo", "--data", data, "--out", out, "--threads", 2, "--quiet")
            self.assertEqual(rc, 0, err)
            self.assertRegex(text, r"k = \d+, alpha = ")
            self.assertRegex(text, r"cross-validated C-index +0\.\d+ \(SE")
            self.assertRegex(text, r"alpha = 0 +0\.\d+")
            # the hazard ratio per sd of each factor's score: > 1 exactly
            # where beta > 0 (beta.tsv), = 1 where beta = 0
            hrs = [float(h) for h in re.findall(r"factor \d+ \(HR ([0-9.e+-]+)\)", text)]
            _, rows = read_tsv(os.path.join(out, "beta.tsv"))
            betas = [float(r[-1]) for r in rows]
            self.assertEqual(len(hrs), len(betas))
            for hr, b in zip(hrs, betas):
                self.assertEqual(hr > 1, b > 0, (hr, b))
                self.assertEqual(hr < 1, b < 0, (hr, b))
            self.assertIn(out, text)
            self.assertIn("surface.tsv", files_of(out))
            s = read_json(os.path.join(out, "summary.json"))
            self.assertIn("cv_cindex_alpha0", s)
        rc, _, err = run("demo", "--data", "/nonexistent", "--quiet")
        self.assertEqual(rc, 1)
        self.assertIn("--data", err)


class Usage(unittest.TestCase):
    def test_help_everywhere(self):
        for cmd in ("simulate", "fit", "tune", "cv", "predict", "info", "top-genes", "demo"):
            rc, out, _ = run(cmd, "--help")
            self.assertEqual(rc, 0, cmd)
            self.assertTrue(out.startswith("usage: desurv " + cmd), out[:80])
            self.assertIn("--threads", out)
        rc, out, _ = run("--version")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^desurv \d+\.\d+\.\d+")
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)


if __name__ == "__main__":
    main()
