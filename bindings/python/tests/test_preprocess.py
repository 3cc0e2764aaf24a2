"""Preprocessing and cohort reading against independent numpy/pandas
references (R's rank(), order(), log2(x + 1) and preprocessCore's quantile
normalisation, written out here) on the bundled TCGA-PAAD data."""
import gzip
import math
import os

import numpy as np
import pytest

import desurv

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PAAD = os.path.join(REPO, "data", "tcga_paad")


@pytest.fixture(scope="module")
def paad():
    return desurv.read_cohort(os.path.join(PAAD, "expression_log2p1.tsv.gz"),
                              os.path.join(PAAD, "survival.tsv.gz"), as_frame=False)


def _tie_runs(v):
    """(order, [(a, b), ...]): the stable sort order of v and its runs of
    equal sorted values, positions a .. b inclusive."""
    order = np.argsort(v, kind="stable")
    sv = v[order]
    runs, a = [], 0
    while a < len(sv):
        b = a
        while b + 1 < len(sv) and sv[b + 1] == sv[a]:
            b += 1
        runs.append((a, b))
        a = b + 1
    return order, runs


def _avg_rank(v):
    """R's rank(v, ties.method = "average")."""
    order, runs = _tie_runs(v)
    ranks = np.empty(len(v))
    for a, b in runs:
        ranks[order[a:b + 1]] = 0.5 * (a + 1 + b + 1)
    return ranks


def test_read_cohort_matches_the_files(paad):
    assert paad.X.shape == (130, 3018) and paad.X.flags.c_contiguous
    assert paad.genes[0] == "NRG1" and paad.samples[0] == "TCGA_PAAD_pdacR_row1"
    assert int(paad.event.sum()) == 69
    assert paad.time[0] == 22.47282 and paad.X[1, 0] == 3.34307
    with gzip.open(os.path.join(PAAD, "expression_log2p1.tsv.gz"), "rt") as f:
        f.readline()
        last = None
        for last in f:
            pass
    cells = last.rstrip("\n").split("\t")
    assert paad.genes[-1] == cells[0]
    np.testing.assert_array_equal(paad.X[:, -1], np.array(cells[1:], dtype=float))


def test_read_cohort_frame_keeps_names(paad):
    pd = pytest.importorskip("pandas")
    c = desurv.read_cohort(os.path.join(PAAD, "expression_log2p1.tsv.gz"),
                           os.path.join(PAAD, "survival.tsv.gz"))
    assert isinstance(c.X, pd.DataFrame)
    assert list(c.X.columns[:2]) == paad.genes[:2] and c.X.index[0] == paad.samples[0]
    np.testing.assert_array_equal(c.X.to_numpy(), paad.X)


def test_read_cohort_errors_name_file_and_line(tmp_path):
    e = tmp_path / "e.tsv"
    s = tmp_path / "s.tsv"
    e.write_text("gene\ta\tb\nG1\t1\t2\nG2\t3\tx\n")
    s.write_text("sample\ttime\tevent\na\t1\t1\nb\t2\t0\n")
    with pytest.raises(desurv.InputError, match=r"e.tsv:3: field 3 \(gene 'G2', sample 'b'\): 'x' is not a number"):
        desurv.read_cohort(e, s)
    e.write_text("gene\ta\tb\nG1\t1\t2\n")
    s.write_text("sample\ttime\tevent\na\t1\t1\n")
    with pytest.raises(desurv.InputError, match=r"no survival for sample 'b'"):
        desurv.read_cohort(e, s)
    s.write_text("sample\ttime\tevent\na\t1\t2\nb\t1\t0\n")
    with pytest.raises(desurv.InputError, match=r"s.tsv:2: event '2' is not 0 or 1"):
        desurv.read_cohort(e, s)


def test_log2p1_equals_numpy():
    rng = np.random.default_rng(1)
    X = rng.gamma(0.5, 100.0, size=(7, 11))
    X[0, 0] = 0.0
    # C's log2(x + 1) literally, as R's log2(x + 1) (numpy's own log2 may
    # differ in the last bit, so the reference is math.log2, i.e. libm's)
    ref = np.vectorize(math.log2)(X + 1.0)
    np.testing.assert_array_equal(desurv.log2p1(X), ref)
    Xn = X.copy()
    Xn[3, 4] = -1.0
    with pytest.raises(desurv.DesurvError, match=r"X\[3, 4\] \(sample 3, gene 4\) = -1.0 is negative"):
        desurv.log2p1(Xn)
    Xn[3, 4] = np.nan
    with pytest.raises(desurv.DesurvError, match=r"X\[3, 4\].*not finite"):
        desurv.log2p1(Xn)


def test_gene_filter_equals_the_paper_rule(paad):
    X = paad.X
    mean_rank = _avg_rank(-X.mean(axis=0))
    var_rank = _avg_rank(-X.var(axis=0, ddof=1))
    total = mean_rank + var_rank
    ref = np.sort(np.lexsort((np.arange(X.shape[1]), total))[:1000])
    got = desurv.gene_filter(X, 1000)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, ref)
    with pytest.raises(desurv.InputError, match=r"n_genes = 0 must be in \[1, 3018\]"):
        desurv.gene_filter(X, 0)


def test_rank_transform_equals_r_rank(paad):
    X = paad.X[:, :500]
    got = desurv.rank_transform(X)
    ref = np.vstack([_avg_rank(row) for row in X])
    np.testing.assert_array_equal(got, ref)
    assert not np.shares_memory(got, X)


def test_quantile_normalise_equals_preprocesscore(paad):
    X = paad.X[:40, :300]
    target = np.mean(np.sort(X, axis=1), axis=0)
    np.testing.assert_allclose(desurv.quantile_target(X), target, rtol=1e-15, atol=0)
    ref = np.empty_like(X)
    for i, row in enumerate(X):
        order, runs = _tie_runs(row)
        for a, b in runs:
            ref[i, order[a:b + 1]] = target[a:b + 1].mean()
    np.testing.assert_allclose(desurv.quantile_normalise(X), ref, rtol=1e-14, atol=0)
    np.testing.assert_allclose(desurv.quantile_normalise(X, target), ref, rtol=1e-14, atol=0)
    with pytest.raises(desurv.InputError, match="nondecreasing"):
        desurv.quantile_normalise(X, target[::-1])
    with pytest.raises(desurv.InputError, match=r"target has shape"):
        desurv.quantile_normalise(X, target[:-1])


def test_frames_in_frames_out(paad):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(paad.X[:5, :20], index=paad.samples[:5], columns=paad.genes[:20])
    out = desurv.rank_transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == paad.genes[:20] and list(out.index) == paad.samples[:5]
    np.testing.assert_array_equal(out.to_numpy(), desurv.rank_transform(paad.X[:5, :20]))
    keep = desurv.gene_filter(df, 5)
    assert keep.shape == (5,)
