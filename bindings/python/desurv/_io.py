"""Reading a cohort in the desurv command's file layout.

expression: a tab-separated table, genes x samples -- a header line whose
first cell names the gene column (any text) followed by the sample ids, then
one line per gene: its name and one number per sample.  survival: a
tab-separated table with the columns sample, time, event (header line
first; extra columns are ignored).  Either file may be gzip-compressed
(".gz").  This is the layout of the bundled data (data/tcga_paad) and of
`desurv simulate`'s output.
"""

import gzip
import os

import numpy as np

from . import _errors as E

_F8 = np.dtype("=f8")


def _open(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, "rt", encoding="utf-8", newline="")


def _bad(path, line, msg):
    return E.InputError(E.DESURV_E_RANGE, f"{path}:{line}: {msg}")


def _number(path, line, col, cell, what=None):
    try:
        v = float(cell)
    except ValueError:
        where = f"field {col}" + (f" ({what})" if what else "")
        raise _bad(path, line, f"{where}: {cell!r} is not a number") from None
    return v


def _read_expression(path):
    genes, rows = [], []
    with _open(path) as f:
        header = f.readline().rstrip("\r\n").split("\t")
        if len(header) < 2:
            raise _bad(path, 1, "the header needs a gene column and at least one sample id")
        samples = header[1:]
        for ln, text in enumerate(f, start=2):
            text = text.rstrip("\r\n")
            if not text:
                continue
            cells = text.split("\t")
            if len(cells) != len(header):
                raise _bad(path, ln, f"{len(cells)} fields, the header has {len(header)}")
            genes.append(cells[0])
            rows.append([_number(path, ln, c + 1, v, f"gene {cells[0]!r}, sample {samples[c - 1]!r}")
                         for c, v in enumerate(cells[1:], start=1)])
    if not rows:
        raise _bad(path, 1, "no gene lines")
    return genes, samples, np.asarray(rows, dtype=_F8)


def _read_survival(path):
    out = {}
    with _open(path) as f:
        header = f.readline().rstrip("\r\n").split("\t")
        try:
            cs, ct, ce = (header.index(c) for c in ("sample", "time", "event"))
        except ValueError:
            raise _bad(path, 1, "the header must name the columns sample, time and event") \
                from None
        for ln, text in enumerate(f, start=2):
            text = text.rstrip("\r\n")
            if not text:
                continue
            cells = text.split("\t")
            if len(cells) <= max(cs, ct, ce):
                raise _bad(path, ln, f"{len(cells)} fields, expected at least "
                                     f"{max(cs, ct, ce) + 1}")
            sid = cells[cs]
            if sid in out:
                raise _bad(path, ln, f"sample {sid!r} appears twice")
            t = _number(path, ln, ct + 1, cells[ct])
            e = _number(path, ln, ce + 1, cells[ce])
            if e not in (0.0, 1.0):
                raise _bad(path, ln, f"event {cells[ce]!r} is not 0 or 1")
            out[sid] = (t, int(e))
    return out


class Cohort:
    """A cohort read by read_cohort: ``X`` (n_samples, n_genes) float64,
    C-ordered (the library's layout, passed without a copy), or a pandas
    DataFrame with gene names as columns and sample ids as index when
    as_frame is true; ``time`` (float64), ``event`` (int32), ``genes`` and
    ``samples`` (lists of str, the order of X's columns and rows)."""

    def __init__(self, X, time, event, genes, samples):
        self.X, self.time, self.event = X, time, event
        self.genes, self.samples = genes, samples

    def __repr__(self):
        return (f"Cohort(n_samples={len(self.samples)}, n_genes={len(self.genes)}, "
                f"events={int(np.sum(self.event))})")


def read_cohort(expression, survival, as_frame=None):
    """Read an expression table and a survival table (the desurv command's
    input layout, see the module docstring) and match the samples by id.

    Samples keep the expression table's column order.  A sample of the
    expression table missing from the survival table is an error (naming
    it); survival rows for samples without expression are ignored.
    as_frame: True returns X as a pandas DataFrame, False as a numpy array,
    None (default) a DataFrame when pandas is importable.

    Raises InputError naming the file and line of the first problem, or
    OSError when a file cannot be read.

    Example::

        c = desurv.read_cohort("data/tcga_paad/expression_log2p1.tsv.gz",
                               "data/tcga_paad/survival.tsv.gz")
        model = desurv.DeSurv(k=3).fit(c.X, c.time, c.event)
    """
    genes, samples, table = _read_expression(os.fspath(expression))
    surv = _read_survival(os.fspath(survival))
    missing = [s for s in samples if s not in surv]
    if missing:
        raise E.InputError(E.DESURV_E_MISMATCH,
                           f"{os.fspath(survival)}: no survival for sample {missing[0]!r} "
                           f"of {os.fspath(expression)} ({len(missing)} missing in all)")
    time = np.array([surv[s][0] for s in samples], dtype=_F8)
    event = np.array([surv[s][1] for s in samples], dtype=np.int32)
    X = np.ascontiguousarray(table.T)
    if as_frame is None or as_frame:
        try:
            import pandas as pd
        except ImportError:
            if as_frame:
                raise
        else:
            X = pd.DataFrame(X, index=list(samples), columns=list(genes), copy=False)
    return Cohort(X, time, event, list(genes), list(samples))
