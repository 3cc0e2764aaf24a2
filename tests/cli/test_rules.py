"""--rule of cv and tune through the built binary: the point each rule
chooses is recomputed here from history.tsv with the rule's definition
(man desurv, RULES; lib/tune/select.h), summary.json and the printed note name
the rule actually applied, and the default of cv is 1se (as for tune).
history.tsv holds every value to 17 significant digits when needed, so the
recomputation is exact.  The grid is one on which the rules choose
different points, so a rule applied under another's name would fail."""
import math
import os
import tempfile
import unittest

from clitest import main, read_json, read_tsv, run

CV_RULES = ("max", "1se", "1se-recon", "1se-parsimony")
# Simulation seed 5 with this grid: max and 1se-parsimony choose eval 8,
# 1se eval 4, 1se-recon eval 16 (checked by test_rules_differ).  The model is
# pinned to the papers' (no offset, multiplicative H-step), whose fits do not
# move when the default solver's last bits do: this file tests the rules.
GRID = ["--k", "2,3,4,5", "--alpha", "0.1,0.4,0.7,0.95", "--folds", 3, "--starts", 2,
        "--maxit", 60, "--offset", "none", "--hstep", "mu", "--wstep", "mu"]
TUNE = ["--k", "2:4", "--folds", "3", "--starts", "2", "--init-points", "4",
        "--iterations", "2", "--maxit", "60", "--quiet"]


# ---- the rules, written out from their documentation ----

def load_history(path):
    hdr, rows = read_tsv(path)
    col = {h: i for i, h in enumerate(hdr)}

    def num(r, name):
        return float("nan") if r[col[name]] == "NA" else float(r[col[name]])

    pts = [dict(k=num(r, "k"), alpha=num(r, "alpha"), lam=num(r, "lambda"), nu=num(r, "nu"),
                mean=num(r, "cv_cindex"), se=num(r, "cv_cindex_se"),
                rec=num(r, "recon_error"), rec_se=num(r, "recon_error_se"))
           for r in rows]
    chosen = [i for i, r in enumerate(rows) if r[col["chosen"]] == "1"]
    return pts, chosen, [r[:col["chosen"]] for r in rows]


def nan0(x):
    return 0.0 if math.isnan(x) else x


def tiebreak(p):
    """Smaller k, smaller alpha, larger lambda, smaller nu."""
    return (p["k"], p["alpha"], -p["lam"], p["nu"])


def choose(pts, rule):
    """0-based index of the evaluation rule chooses (None: nothing scored)."""
    idx = [i for i, p in enumerate(pts) if math.isfinite(p["mean"])]
    if not idx:
        return None

    def by_mean(i):
        return (-pts[i]["mean"],) + tiebreak(pts[i]) + (i,)

    best = min(idx, key=by_mean)
    if rule == "max":
        return best
    plateau = [i for i in idx if pts[i]["mean"] >= pts[best]["mean"] - nan0(pts[best]["se"])]

    def best_at(k):
        return min((i for i in idx if pts[i]["k"] == k), key=by_mean)

    if rule == "1se":
        return best_at(min(pts[i]["k"] for i in plateau))
    with_rec = [i for i in plateau if math.isfinite(pts[i]["rec"])]
    if rule == "1se-recon":
        return min(with_rec or plateau, key=lambda i: (nan0(pts[i]["rec"]),) + by_mean(i))
    if rule == "1se-parsimony":
        if not with_rec:
            return choose(pts, "1se")
        r = pts[min(with_rec, key=lambda i: (pts[i]["rec"],) + by_mean(i))]
        k = min(pts[i]["k"] for i in with_rec if pts[i]["rec"] <= r["rec"] + nan0(r["rec_se"]))
        kb = pts[best_at(k)]
        kthr = kb["mean"] - nan0(kb["se"])
        band = [i for i in idx if pts[i]["k"] == k and pts[i]["mean"] >= kthr]
        return min(band, key=lambda i: tiebreak(pts[i]) + (i,))
    raise ValueError(rule)


class Shared:
    tmp = None
    runs = {}  # rule (None: no --rule) -> (output dir, stderr)

    @classmethod
    def setup(cls):
        cls._td = tempfile.TemporaryDirectory(prefix="desurv-rules-")
        cls.tmp = cls._td.name
        sim = os.path.join(cls.tmp, "sim")
        rc, _, err = run("simulate", "--genes", 200, "--samples", 80, "--k", 3, "--seed", 5,
                         "--out", sim, "--quiet")
        assert rc == 0, err
        cls.expr = os.path.join(sim, "expression.tsv")
        cls.surv = os.path.join(sim, "survival.tsv")
        for rule in CV_RULES + (None,):
            d = os.path.join(cls.tmp, "cv-" + (rule or "default"))
            extra = ["--rule", rule] if rule else []
            rc, _, err = run("cv", "--expr", cls.expr, "--surv", cls.surv, *GRID, *extra,
                             "--out", d)
            assert rc == 0, err
            cls.runs[rule] = (d, err)


def setUpModule():
    Shared.setup()


def tearDownModule():
    Shared._td.cleanup()


class Cv(unittest.TestCase):
    def history(self, rule):
        return load_history(os.path.join(Shared.runs[rule][0], "history.tsv"))

    def test_chosen_point_follows_the_rule(self):
        for rule in CV_RULES:
            with self.subTest(rule=rule):
                pts, chosen, _ = self.history(rule)
                self.assertEqual(len(pts), 16)
                self.assertEqual(chosen, [choose(pts, rule)])
                s = read_json(os.path.join(Shared.runs[rule][0], "summary.json"))
                self.assertEqual(s["tuning"]["rule"], rule)
                self.assertEqual(s["tuning"]["method"], "grid")
                self.assertEqual(s["tuning"]["chosen_evaluation"], chosen[0] + 1)
                p = pts[chosen[0]]
                self.assertEqual((s["k"], s["alpha"], s["cv_cindex"]),
                                 (p["k"], p["alpha"], p["mean"]))
                self.assertIn("cv: rule %s chose k = %d," % (rule, p["k"]),
                              Shared.runs[rule][1])

    def test_rules_differ(self):
        """The grid separates the rules (else the test above proves little)."""
        pts, _, _ = self.history("max")
        picks = {rule: choose(pts, rule) for rule in CV_RULES}
        self.assertGreaterEqual(len(set(picks.values())), 3, picks)
        self.assertNotEqual(picks["max"], picks["1se"])
        self.assertNotEqual(picks["1se"], picks["1se-recon"])
        self.assertNotEqual(picks["1se-recon"], picks["1se-parsimony"])

    def test_rule_changes_only_the_choice(self):
        ref = self.history("max")[2]
        for rule in CV_RULES[1:] + (None,):
            self.assertEqual(self.history(rule)[2], ref, rule)

    def test_default_is_1se(self):
        pts, chosen, _ = self.history(None)
        self.assertEqual(chosen, [choose(pts, "1se")])
        self.assertNotEqual(chosen, [choose(pts, "max")])
        s = read_json(os.path.join(Shared.runs[None][0], "summary.json"))
        self.assertEqual(s["tuning"]["rule"], "1se")
        self.assertIn("cv: rule 1se chose", Shared.runs[None][1])

    def test_bad_rules(self):
        for rule in ("lcb", "best", ""):
            with self.subTest(rule=rule), tempfile.TemporaryDirectory() as d:
                out = os.path.join(d, "o")
                rc, _, err = run("cv", "--expr", Shared.expr, "--surv", Shared.surv, "--k", 2,
                                 "--rule", rule, "--quiet", "--out", out)
                self.assertEqual(rc, 2, err)
                self.assertIn("--rule", err)
                self.assertIn("1se-parsimony", err)
                self.assertFalse(os.path.exists(out))

    def test_help(self):
        rc, out, _ = run("cv", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("--rule", out)
        self.assertNotIn("best mean C-index is refitted", out)


class Tune(unittest.TestCase):
    def test_parsimony_and_recon(self):
        for rule in ("1se-parsimony", "1se-recon"):
            with self.subTest(rule=rule), tempfile.TemporaryDirectory() as d:
                rc, _, err = run("tune", "--expr", Shared.expr, "--surv", Shared.surv, *TUNE,
                                 "--rule", rule, "--out", d)
                self.assertEqual(rc, 0, err)
                pts, chosen, _ = load_history(os.path.join(d, "history.tsv"))
                self.assertEqual(chosen, [choose(pts, rule)])
                s = read_json(os.path.join(d, "summary.json"))
                self.assertEqual(s["tuning"]["rule"], rule)
                self.assertEqual(s["tuning"]["method"], "bayesian-optimisation")

    def test_bad_rule(self):
        with tempfile.TemporaryDirectory() as d:
            rc, _, err = run("tune", "--expr", Shared.expr, "--surv", Shared.surv, *TUNE,
                             "--rule", "1se-pars", "--out", os.path.join(d, "o"))
            self.assertEqual(rc, 2, err)
            self.assertIn("lcb", err)


if __name__ == "__main__":
    main()
