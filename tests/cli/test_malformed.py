"""A corpus of malformed (and tricky but valid) inputs for the desurv command.

Every case runs the binary and checks the documented exit code (0 ok, 1 bad
input, 2 usage, 4 I/O) and that stderr names the problem (and where it is);
a crash (death by a signal) always fails.  Valid tricky inputs (BOM, CRLF,
quoted fields, R-style headers, other column names) must give the very same
W.tsv as the clean files."""
import struct
import zlib
import gzip
import os
import random
import re
import unittest

from clitest import TempDirCase, main, run

GENES = ["TP53", "KRAS", "CDKN2A", "SMAD4", "GATA6", "KRT17", "MYC", "EGFR"]
SAMPLES = ["P%02d" % j for j in range(1, 11)]
RNG = random.Random(4)
VALUES = [[round(RNG.uniform(0.5, 9.0), 3) for _ in SAMPLES] for _ in GENES]
TIMES = [3.5, 12.0, 7.25, 30.0, 1.0, 18.5, 9.0, 22.0, 15.5, 0.0]
EVENTS = [1, 0, 1, 0, 1, 1, 0, 1, 0, 1]
FIT = ["--k", "2", "--maxit", "5", "--starts", "1", "--quiet"]


def expression(values=None, genes=None, samples=None, sep="\t", first="gene", eol="\n"):
    values = values or VALUES
    genes = genes or GENES
    samples = samples or SAMPLES
    lines = [sep.join([first] + samples)]
    lines += [sep.join([g] + [str(v) for v in row]) for g, row in zip(genes, values)]
    return eol.join(lines) + eol


def survival(times=None, events=None, samples=None, header=("sample", "time", "event")):
    times = times or TIMES
    events = events if events is not None else EVENTS
    samples = samples or SAMPLES
    rows = ["\t".join(header)]
    rows += ["%s\t%s\t%s" % (s, t, e) for s, t, e in zip(samples, times, events)]
    return "\n".join(rows) + "\n"


def with_cell(g, j, text):
    """VALUES with cell (gene g, sample j) replaced by text."""
    v = [list(r) for r in VALUES]
    v[g][j] = text
    return v


class Corpus(TempDirCase):
    def write(self, name, content):
        p = self.path(name)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(p, mode, newline="" if mode == "w" else None) as f:
            f.write(content)
        return p

    def fit(self, expr, surv=None, *extra, out="out"):
        e = self.write("e.tsv", expr) if not isinstance(expr, tuple) else self.write(*expr)
        s = self.write("s.tsv", surv if surv is not None else survival())
        return run("fit", "--expr", e, "--surv", s, *FIT, *extra, "--out", self.path(out))

    def expect(self, result, code, pattern):
        rc, out, err = result
        self.assertGreaterEqual(rc, 0, "killed by signal %d: %s" % (-rc, err))
        self.assertEqual(rc, code, err)
        if pattern:
            self.assertRegex(err, pattern)
        self.assertNotIn("desurv: internal error", err)

    def W(self, out="out"):
        with open(self.path(out, "W.tsv"), "rb") as f:
            return f.read()

    def reference_W(self):
        self.expect(self.fit(expression(), None, out="ref"), 0, None)
        return self.W("ref")


class Expression(Corpus):
    def test_ragged_rows(self):
        short = expression().replace("\t" + str(VALUES[2][9]) + "\n", "\n", 1)
        self.expect(self.fit(short), 1, r"e\.tsv:4: 10 fields, expected 11")
        lines = expression().splitlines(True)
        lines[2] = lines[2].replace("\n", "\t1.0\n")
        self.expect(self.fit("".join(lines)), 1, r"e\.tsv:3: 12 fields, expected 11")

    def test_empty_and_header_only(self):
        self.expect(self.fit(""), 1, r"e\.tsv: empty file")
        self.expect(self.fit("\n\n"), 1, r"empty file")
        self.expect(self.fit(expression().splitlines()[0] + "\n"), 1, r"no data rows")
        self.expect(self.fit("gene\nTP53\n"), 1, r"no sample ids")

    def test_duplicated_ids(self):
        genes = GENES[:5] + ["TP53"] + GENES[6:]
        self.expect(self.fit(expression(genes=genes)), 1,
                    r"e\.tsv:7:1: duplicated gene id 'TP53' \(also line 2\)")
        samples = SAMPLES[:3] + ["P01"] + SAMPLES[4:]
        self.expect(self.fit(expression(samples=samples)), 1,
                    r"e\.tsv:1:5: duplicated sample id 'P01' \(also column 2\)")
        self.expect(self.fit(expression(samples=[""] + SAMPLES[1:])), 1,
                    r"e\.tsv:1:2: empty sample id")
        self.expect(self.fit(expression(genes=[""] + GENES[1:])), 1, r"e\.tsv:2:1: empty gene id")

    def test_missing_value_spellings(self):
        for na in ("NA", "NaN", "nan", "", "N/A", "null", "-", "."):
            self.expect(self.fit(expression(with_cell(3, 4, na))), 1,
                        r"e\.tsv:5:6: .* is a missing value .*gene SMAD4, sample P05")

    def test_na_modes(self):
        v = with_cell(3, 4, "NA")
        self.expect(self.fit(expression(v), None, "--na", "zero"), 0, None)
        self.expect(self.fit(expression(v), None, "--na", "drop-gene", "--verbose"), 0, None)
        with open(self.path("out", "W.tsv")) as f:
            genes = [line.split("\t")[0] for line in f.read().splitlines()[1:]]
        self.assertNotIn("SMAD4", genes)
        self.assertEqual(len(genes), len(GENES) - 1)
        self.expect(self.fit(expression(v), None, "--na", "maybe"), 2, r"--na maybe")

    def test_non_finite_and_text(self):
        for bad in ("Inf", "-inf", "Infinity", "1e999"):
            self.expect(self.fit(expression(with_cell(1, 0, bad))), 1,
                        r"e\.tsv:3:2: \"%s\" is not finite \(gene KRAS, sample P01\)"
                        % re.escape(bad))
        for bad in ("abc", "1,5", "0x", "1.2.3", "12abc"):
            self.expect(self.fit(expression(with_cell(0, 9, bad))), 1,
                        r"e\.tsv:2:11: \"%s\" is not a number" % re.escape(bad))

    def test_negative(self):
        v = with_cell(5, 2, "-0.5")
        self.expect(self.fit(expression(v)), 1, r"e\.tsv:7:4: \"-0.5\" is negative")
        self.expect(self.fit(expression(v), None, "--log2p1"), 1, r"is negative")
        self.expect(self.fit(expression(v), None, "--transform", "rank"), 0, None)

    def test_bom_crlf_quotes_are_fine(self):
        ref = self.reference_W()
        self.expect(self.fit(("e.tsv", b"\xef\xbb\xbf" + expression().encode())), 0, None)
        self.assertEqual(self.W(), ref)
        self.expect(self.fit(expression(eol="\r\n")), 0, None)
        self.assertEqual(self.W(), ref)
        self.expect(self.fit(expression(eol="\r")), 0, None)
        self.assertEqual(self.W(), ref)
        quoted = expression(genes=['"%s"' % g for g in GENES],
                            samples=['"%s"' % s for s in SAMPLES])
        self.expect(self.fit(quoted), 0, None)
        self.assertEqual(self.W(), ref)
        csv = expression(sep=",", genes=['"%s"' % g for g in GENES])
        self.expect(self.fit(("e.csv", csv)), 0, None)
        self.assertEqual(self.W(), ref)
        rstyle = expression(first="").replace("\t", "", 1)  # R write.table: no corner cell
        self.expect(self.fit(rstyle), 0, None)
        self.assertEqual(self.W(), ref)
        blank = expression().replace("\n", "\n\n", 2)  # empty lines are skipped
        self.expect(self.fit(blank), 0, None)
        self.assertEqual(self.W(), ref)

    def test_quote_errors(self):
        self.expect(self.fit(expression(genes=['"TP53'] + GENES[1:])), 1,
                    r"e\.tsv:2:1: unterminated quoted field")
        self.expect(self.fit(expression(genes=['"TP"53'] + GENES[1:])), 1,
                    r"e\.tsv:2:1: unexpected '5' after a closing quote")

    def test_binary_and_encodings(self):
        self.expect(self.fit(("e.tsv", b"gene\tP01\nTP53\t1\x00\n")), 1, r"e\.tsv:2: NUL byte")
        utf16 = expression().encode("utf-16")
        self.expect(self.fit(("e.tsv", utf16)), 1, r"UTF-16")

    def test_gzip_damage(self):
        data = gzip.compress(expression().encode())
        self.expect(self.fit(("e.tsv.gz", data)), 0, None)
        self.expect(self.fit(("e.tsv.gz", data[: len(data) // 2])), 1,
                    r"e\.tsv\.gz: truncated gzip file")
        self.expect(self.fit(("e.tsv.gz", data[:-4])), 1, r"truncated gzip file")
        bad = bytearray(data)
        bad[len(bad) // 2] ^= 0x55
        self.expect(self.fit(("e.tsv.gz", bytes(bad))), 1, r"corrupt gzip data")
        self.expect(self.fit(("e.tsv.gz", data + b"garbage")), 1, r"after the end of the gzip")
        # two members are one stream: the second header is read as a data row
        self.expect(self.fit(("e.tsv.gz", data + data)), 1,
                    r"e\.tsv\.gz:10:2: \"P01\" is not a number")

    def test_files_missing(self):
        s = self.write("s.tsv", survival())
        self.expect(run("fit", "--expr", self.path("nope.tsv"), "--surv", s, *FIT, "--out",
                        self.path("o")), 1, r"cannot open .*nope\.tsv")
        self.expect(run("fit", "--expr", self.tmp, "--surv", s, *FIT, "--out", self.path("o")),
                    1, r"Is a directory")


class Survival(Corpus):
    def test_times(self):
        for bad, msg in (("-1", "is a negative time"), ("NA", "is a missing survival time"),
                         ("Inf", "is not a finite time"), ("soon", "is not a number")):
            t = list(TIMES)
            t[6] = bad
            self.expect(self.fit(expression(), survival(times=t)), 1,
                        r"s\.tsv:8:2: \"%s\" %s \(sample P07\)" % (bad, msg))

    def test_time_zero_is_valid(self):
        self.expect(self.fit(expression(), survival()), 0, None)  # P10 has time 0

    def test_events(self):
        for bad in ("2", "yes", "0.5", "-1"):
            e = list(EVENTS)
            e[2] = bad
            self.expect(self.fit(expression(), survival(events=e)), 1,
                        r"s\.tsv:4:3: \"%s\" is not an event indicator" % re.escape(bad))
        e = list(EVENTS)
        e[2] = "NA"
        self.expect(self.fit(expression(), survival(events=e)), 1, r"missing event indicator")

    def test_zero_events(self):
        self.expect(self.fit(expression(), survival(events=[0] * 10)), 1,
                    r"no events among the 10 matched samples")

    def test_duplicates_and_ragged(self):
        s = survival(samples=SAMPLES[:4] + ["P02"] + SAMPLES[5:])
        self.expect(self.fit(expression(), s), 1,
                    r"s\.tsv:6:1: duplicated sample id 'P02' \(also line 3\)")
        ragged = survival().replace("\t0\n", "\n", 1)
        self.expect(self.fit(expression(), ragged), 1, r"s\.tsv:3: 2 fields, expected 3")

    def test_column_names(self):
        ref = self.reference_W()
        self.expect(self.fit(expression(), survival(header=("ID", "OS.time", "OS"))), 0, None)
        self.assertEqual(self.W(), ref)
        s = survival(header=("patient", "months", "dead"))
        self.expect(self.fit(expression(), s), 1,
                    r"s\.tsv:1: no survival time column .*--time-col")
        self.expect(self.fit(expression(), s, "--time-col", "months"), 0, None)
        self.assertEqual(self.W(), ref)
        self.expect(self.fit(expression(), s, "--time-col", "nope"), 1,
                    r"no column named 'nope'")
        self.expect(self.fit(expression(), survival(header=("x", "time", "event"))), 1,
                    r"no sample id column")

    def test_sample_matching(self):
        self.expect(self.fit(expression(), survival(samples=["Q%02d" % j for j in range(10)])),
                    1, r"0 samples in common")
        partial = survival(samples=SAMPLES[:7] + ["X1", "X2", "X3"])
        self.expect(self.fit(expression(), partial, "--verbose"), 0, None)
        rc, _, err = self.fit(expression(), partial, out="o2")
        self.assertEqual(rc, 0)  # --quiet: no notes
        s = self.write("s.tsv", partial)
        rc, _, err = run("fit", "--expr", self.path("e.tsv"), "--surv", s, "--k", "2", "--maxit",
                         5, "--starts", 1, "--verbose", "--out", self.path("o3"))
        self.assertEqual(rc, 0, err)
        self.assertRegex(err, r"3 samples of .*e\.tsv are not in .*s\.tsv and are dropped")
        self.assertRegex(err, r"3 samples of .*s\.tsv are not in .*e\.tsv")
        self.assertIn("P08", err)
        self.assertIn("X2", err)


class Usage(Corpus):
    def test_usage_errors(self):
        e, s = self.write("e.tsv", expression()), self.write("s.tsv", survival())
        o = self.path("o")
        cases = [
            (["fit", "--expr", e, "--surv", s, "--out", o], r"'--k' is required"),
            (["fit", "--expr", e, "--surv", s, "--k", "two", "--out", o], r"--k two: not a"),
            (["fit", "--expr", e, "--surv", s, "--k", "2", "--alpha", "1.5", "--out", o],
             r"--alpha 1\.5: must be in"),
            (["fit", "--expr", e, "--surv", s, "--k", "2", "--bogus", "--out", o],
             r"unknown option '--bogus'"),
            (["fit", "--expr", e, "--surv", s, "--k", "2", "--transform", "log", "--out", o],
             r"must be one of none, rank, quantile"),
            (["fit", "--expr", e, "--surv", s, "--k", "2", "--offset", "row", "--out", o],
             r"must be one of none, gene"),
            (["tune", "--expr", e, "--surv", s, "--hstep", "anls", "--out", o],
             r"must be one of exact, hals, mu"),
            (["fit", "--expr", e, "--surv", s, "--k", "2", "--wstep", "pg", "--out", o],
             r"must be one of hals, mu"),
            (["fit", "--expr", e, "--surv", s, "--k", "2", "--out"], r"needs a value"),
            (["fit", "--expr", e, "--surv", s, "--k", "2", "stray", "--out", o],
             r"unexpected argument 'stray'"),
            (["fit", "--expr", "-", "--surv", "-", "--k", "2", "--out", o], r"both"),
            (["fit", "--expr", e, "--surv", s, "--k", "2", "--select", "split", "--out", o],
             r"COLUMN=VALUE"),
            (["frobnicate"], r"unknown command"),
            ([], r"usage"),
            (["tune", "--expr", e, "--surv", s, "--k", "5:2", "--out", o], r"range is empty"),
            (["tune", "--expr", e, "--surv", s, "--alpha", "0:0.9", "--out", o],
             r"--alpha-scale linear"),
            (["tune", "--expr", e, "--surv", s, "--rule", "best", "--out", o], r"--rule best"),
            (["cv", "--expr", e, "--surv", s, "--out", o], r"'--k' is required"),
            (["cv", "--expr", e, "--surv", s, "--k", "2,x", "--out", o], r"expected integers"),
            (["simulate", "--scenario", "r7", "--out", o], r"--scenario r7"),
            (["simulate", "--genes", "2", "--out", o], r"simulate: "),
            (["fit", "--expr", e, "--surv", s, "--k", "2", "--threads", "0", "--out", o],
             r"--threads 0"),
        ]
        for args, pattern in cases:
            with self.subTest(args=args):
                self.expect(run(*args), 2, pattern)
        self.assertFalse(os.path.exists(o))

    def test_rank_too_large(self):
        self.expect(self.fit(expression(), None, "--k", "50"), 1, r"fit: the rank k")

    def test_output_dir_is_a_file(self):
        self.write("o", "x")
        self.expect(self.fit(expression(), None, out="o"), 4, r"not a directory")


class Models(Corpus):
    def make_model(self):
        self.expect(self.fit(expression()), 0, None)
        with open(self.path("out", "model.desurv"), "rb") as f:
            return f.read()

    def test_damaged_models(self):
        good = self.make_model()
        e = self.path("e.tsv")
        cases = [(b"", r"model|empty|truncated"), (b"hello world\n", r"not a|model|format"),
                 (good[:64], r"truncated|model"), (good[: len(good) - 1], r"truncated|model")]
        flipped = bytearray(good)
        flipped[len(good) // 2] ^= 1
        cases.append((bytes(flipped), r"checksum|damaged|corrupt|model"))
        for i, (data, pattern) in enumerate(cases):
            m = self.write("m%d.desurv" % i, data)
            self.expect(run("predict", "--model", m, "--expr", e), 1, pattern)
            self.expect(run("info", "--model", m), 1, pattern)
        self.expect(run("info", "--model", self.path("nope.desurv")), 1, r"nope\.desurv")

    def test_model_truncated_everywhere(self):
        # every 64-byte boundary (doc/model-format.md): a specific message,
        # exit 1, never a crash
        good = self.make_model()
        for cut in range(0, len(good), 64):
            m = self.write("t.desurv", good[:cut])
            self.expect(run("info", "--model", m), 1, r"truncated|empty|model")

    def test_model_bit_flips(self):
        good = self.make_model()
        for pos in range(0, len(good), max(1, len(good) // 24)):
            for bit in (0, 7):
                flipped = bytearray(good)
                flipped[pos] ^= 1 << bit
                m = self.write("f.desurv", bytes(flipped))
                self.expect(run("info", "--model", m), 1,
                            r"checksum|damaged|corrupt|not a|model")

    def test_model_future_version(self):
        # format version (u32 at offset 8) raised, both CRCs made valid again:
        # a newer format, not damage
        good = bytearray(self.make_model())
        struct.pack_into("<I", good, 8, struct.unpack_from("<I", good, 8)[0] + 1)
        struct.pack_into("<I", good, 28, zlib.crc32(bytes(good[:28])))
        struct.pack_into("<I", good, len(good) - 4, zlib.crc32(bytes(good[:-4])))
        m = self.write("v.desurv", bytes(good))
        self.expect(run("info", "--model", m), 1, r"version|newer")

    def test_predict_missing_genes(self):
        self.make_model()
        m = self.path("out", "model.desurv")
        fewer = self.write("f.tsv", expression(values=VALUES[:6], genes=GENES[:6]))
        self.expect(run("predict", "--model", m, "--expr", fewer), 1,
                    r"2 of the model's 8 genes are missing: MYC, EGFR")
        rc, out, err = run("predict", "--model", m, "--expr", fewer, "--missing", "zero")
        self.assertEqual(rc, 0, err)
        self.assertRegex(err, r"set to 0: MYC, EGFR")
        self.assertEqual(len(out.splitlines()), len(SAMPLES) + 1)


if __name__ == "__main__":
    main()
