"""Model files round-trip between the Python binding and the `desurv`
command-line tool (the binary next to the library under test:
<build>/cli/desurv for <build>/lib/libdesurv.so.0)."""
import csv
import os
import subprocess

import numpy as np
import pytest

import desurv
from desurv import _lib

pd = pytest.importorskip("pandas")

_BUILD = os.path.dirname(os.path.dirname(os.path.abspath(_lib.lib._desurv_path)))
CLI = os.path.join(_BUILD, "cli", "desurv")

pytestmark = pytest.mark.skipif(
    not os.access(CLI, os.X_OK),
    reason=f"the desurv command-line tool is not built next to the library ({CLI} absent; "
           f"build the 'desurv' target of the same build directory)")


def run(*args):
    # Same environment as this process: in particular the same BLAS threading
    # (OPENBLAS_NUM_THREADS), on which the last bits of BLAS results depend.
    r = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"desurv {' '.join(map(str, args))}: {r.returncode}\n{r.stderr}"
    return r.stdout


def read_tsv(path_or_text, is_text=False):
    lines = path_or_text.splitlines() if is_text else open(path_or_text).read().splitlines()
    rows = list(csv.reader(lines, delimiter="\t"))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def cohort():
    d = desurv.simulate("R0", 21, n_genes=200, n_samples=60, k=2)
    genes = [f"ENSG{g:05d}" for g in range(200)]
    samples = [f"P{j:03d}" for j in range(60)]
    return d, pd.DataFrame(d.X, index=samples, columns=genes)


def test_cli_reads_python_model(tmp_path, cohort):
    d, frame = cohort
    path = tmp_path / "py.model"
    with desurv.DeSurv(2, maxit=30, n_init=2, alpha=0.4) as m:
        m.fit(frame, d.time, d.event)
        m.save(path)
        tg = desurv.top_genes(m, 4)
    info = run("info", "--model", path)
    fields = dict(line.split(None, 1) for line in info.splitlines()
                  if line.strip() and not line.startswith("#") and len(line.split()) >= 2)
    assert fields["factors"].strip() == "2" and fields["k"].strip() == "2"
    assert fields["genes"].strip() == "200" and fields["gene_ids"].strip() == "200"
    assert fields["alpha"].strip() == "0.4"
    # the gene names travel with the model: the CLI lists them as top genes
    header, rows = read_tsv(run("top-genes", "--model", path, "--ntop", 4), is_text=True)
    assert header[:3] == ["factor", "rank", "gene"]
    cli_names = {(r[0], int(r[1])): r[2] for r in rows}
    for f in range(2):
        for rank in range(4):
            assert cli_names[(f"factor{f + 1}", rank + 1)] == tg.names[rank, f]


def test_python_reads_cli_model(tmp_path, cohort):
    d, frame = cohort
    expr = tmp_path / "expression.tsv"
    frame.T.to_csv(expr, sep="\t", index_label="gene", float_format="%.17g")
    surv = tmp_path / "survival.tsv"
    pd.DataFrame({"sample": frame.index, "time": [repr(float(t)) for t in d.time],
                  "event": d.event}).to_csv(surv, sep="\t", index=False)
    out = tmp_path / "fit"
    run("fit", "--expr", expr, "--surv", surv, "--k", 2, "--starts", 3, "--maxit", 40,
        "--quiet", "--out", out)
    with desurv.DeSurv.load(out / "model.desurv") as m:
        assert list(m.feature_names_in_) == list(frame.columns)
        assert list(m.H_.columns) == list(frame.index)
        assert m.k == 2 and m.n_init == 3 and m.maxit == 40
        # predictions equal the CLI's, bit for bit
        header, rows = read_tsv(run("predict", "--model", out / "model.desurv", "--expr",
                                    expr, "--quiet"), is_text=True)
        assert header[:2] == ["sample", "lp"]
        cli_lp = np.array([float(r[1]) for r in rows])
        assert [r[0] for r in rows] == list(frame.index)
        assert np.array_equal(m.predict(frame), cli_lp)
        assert np.array_equal(m.predict(frame[frame.columns[::-1]]), cli_lp)
        # W.tsv is the loaded W
        wh, wrows = read_tsv(out / "W.tsv")
        W = np.array([[float(x) for x in r[1:]] for r in wrows])
        assert [r[0] for r in wrows] == list(frame.columns)
        assert np.array_equal(m.W_.to_numpy(), W)
        # and the same fit in Python gives the same model
        with desurv.DeSurv(2, maxit=40, n_init=3) as py:
            py.fit(frame, d.time, d.event)
            assert np.array_equal(py.W_.to_numpy(), m.W_.to_numpy())
            assert np.array_equal(py.beta_, m.beta_)
