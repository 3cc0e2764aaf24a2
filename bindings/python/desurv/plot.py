"""desurv.plot: matplotlib figures of fits, tuning and survival.

Every function returns a matplotlib Figure; those taking ``ax`` draw into
that Axes when given (and return its figure).  matplotlib is imported only
when a function is called, so ``import desurv`` and ``import desurv.plot``
work without it.

    bo_surface(tuner)                      GP-predicted C-index over (k, alpha)
    loss_trace(model)                      the loss per outer iteration, by term
    km_risk_groups(time, event, risk)      Kaplan-Meier curves of risk groups
    top_gene_heatmap(model, X)             expression of each factor's top genes
    selected_k_hist(selected, true_k)      the k chosen across replicates
"""

import ctypes

import numpy as np

from . import _errors as E
from ._core import _check, _dptr, _raise
from ._lib import lib, c_int64_p
from ._survival import kaplan_meier, logrank_test

#: Columns of desurv_model_trace_terms, in the order of their DESURV_TRACE_* numbers.
TRACE_TERMS = tuple(name for _, name in sorted(
    [(E.DESURV_TRACE_REC, "rec"), (E.DESURV_TRACE_LOGLIK, "loglik"),
     (E.DESURV_TRACE_PEN_BETA, "pen_beta"), (E.DESURV_TRACE_PEN_H, "pen_h"),
     (E.DESURV_TRACE_PEN_W, "pen_w")]))


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the system
        raise ImportError("desurv.plot needs matplotlib (Debian: apt install "
                          "python3-matplotlib)") from e
    return plt


def _figure_axes(ax, **subplots):
    """(figure, axes): the given Axes' figure, or a new figure."""
    if ax is not None:
        return ax.figure, ax
    fig, ax = _pyplot().subplots(**subplots)
    return fig, ax


# ---------------------------------------------------------------------------
# Loss trace by term
# ---------------------------------------------------------------------------

def _model_value(h, fn, what):
    v = ctypes.c_double()
    _check(fn(h, what, ctypes.byref(v)), h)
    return v.value


def _trace_terms(model):
    """The loss trace of a fitted DeSurv by term (desurv_model_trace_terms).

    Returns a dict of float arrays, one entry per element of
    ``model.loss_trace_``: "loss" (the total L), the unweighted terms "rec"
    (||X - WH||^2 / (2np)), "loglik" (Cox log partial likelihood, NaN when
    alpha = 0), "pen_beta" (P(beta), NaN when alpha = 0), "pen_h"
    (||H||^2 / (2nk)), "pen_w" (||W||^2 / (2pk)); and their weighted
    contributions to L, which add up to "loss": "c_rec" = (1 - alpha) /
    sigma2 * rec, "c_pen_h" = (1 - alpha) / sigma2 * lambda_h * pen_h,
    "c_pen_w" = lambda_w * pen_w, "c_cox" = -2 alpha loglik / n_events,
    "c_pen_beta" = alpha * pen_beta (the last two 0 when alpha = 0).
    For a model read from a file (which stores only the total) the term
    arrays are empty.  The weights use the options held by the handle:
    those of the fit, unless a later fit with other options failed.
    """
    h = model._fitted_handle()
    ln = ctypes.c_int64()
    _check(lib.desurv_model_trace(h, None, 0, ctypes.byref(ln)), h)
    loss = np.empty(ln.value)
    _check(lib.desurv_model_trace(h, _dptr(loss), ln.value, ctypes.byref(ln)), h)
    _check(lib.desurv_model_trace_terms(h, None, 0, 0, ctypes.byref(ln)), h)
    rows = ln.value
    T = np.empty((len(TRACE_TERMS), rows))  # column-major rows x TERMS, ld = rows
    if rows:
        _check(lib.desurv_model_trace_terms(h, _dptr(T), rows, rows, ctypes.byref(ln)), h)
    out = {"loss": loss}
    out.update({name: T[j] for j, name in enumerate(TRACE_TERMS)})
    opt = {name: _model_value(h, lib.desurv_get_option, code) for name, code in
           (("alpha", E.DESURV_OPT_ALPHA), ("lambda_w", E.DESURV_OPT_LAMBDA_W),
            ("lambda_h", E.DESURV_OPT_LAMBDA_H))}
    sigma2 = _model_value(h, lib.desurv_model_stat, E.DESURV_STAT_SIGMA2)
    n_ev = _model_value(h, lib.desurv_model_stat, E.DESURV_STAT_N_EVENTS)
    a = opt["alpha"]
    c = (1.0 - a) / sigma2
    out["c_rec"] = c * out["rec"]
    out["c_pen_h"] = c * opt["lambda_h"] * out["pen_h"]
    out["c_pen_w"] = opt["lambda_w"] * out["pen_w"]
    cox = a > 0
    out["c_cox"] = -2.0 * a / n_ev * out["loglik"] if cox else np.zeros(rows)
    out["c_pen_beta"] = a * out["pen_beta"] if cox else np.zeros(rows)
    return out


_TRACE_LINES = (("c_rec", "reconstruction (1-\u03b1)/\u03c3\u00b2\u00b7rec"),
                ("c_cox", "Cox deviance \u22122\u03b1\u2113/n\u2091"),
                ("c_pen_beta", "penalty \u03b1\u00b7P(\u03b2)"),
                ("c_pen_h", "H ridge"),
                ("c_pen_w", "W ridge"))


def loss_trace(model, ax=None):
    """Plot the loss of a fitted DeSurv per outer iteration, total and by
    term (each term's weighted contribution to L, so the lines add up to
    the total), on a log scale (terms that are 0 throughout, e.g. a ridge
    with lambda 0, are left out).  Iteration 0 is the selected start.

    A model read from a model file has only the total (files do not store
    the terms).

    Example::

        m = desurv.DeSurv(3).fit(X, time, event)
        fig = desurv.plot.loss_trace(m)
        fig.savefig("trace.png")
    """
    terms = _trace_terms(model)
    fig, ax = _figure_axes(ax, figsize=(6.4, 4.2))
    it = np.arange(len(terms["loss"]))
    ax.plot(it, terms["loss"], color="black", lw=2, label="total L")
    if len(terms["rec"]):
        for key, label in _TRACE_LINES:
            v = terms[key]
            if np.all(np.isfinite(v)) and np.any(v > 0):
                ax.plot(it, np.where(v > 0, v, np.nan), lw=1.2, label=label)
    if np.all(terms["loss"] > 0):
        ax.set_yscale("log")
    ax.set_xlabel("outer iteration")
    ax.set_ylabel("contribution to the loss L")
    ax.set_title("Loss trace by term")
    ax.legend(fontsize="small")
    return fig


# ---------------------------------------------------------------------------
# Bayesian-optimisation surface
# ---------------------------------------------------------------------------

def _column(table, name):
    """A column of a pandas DataFrame or a dict of arrays."""
    return np.asarray(table[name])


def _logit(a):
    a = np.clip(np.asarray(a, dtype=float), 1e-9, 1 - 1e-9)
    return np.log(a / (1 - a))


def _edges(c):
    """Cell edges around ascending centres c (the midpoints; half a step
    beyond the ends)."""
    c = np.asarray(c, dtype=float)
    if len(c) == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = (c[1:] + c[:-1]) / 2
    return np.concatenate(([c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]))


def _surface_from_history(k, alpha, mean):
    """The best mean C-index per (k, alpha) cell of a grid search."""
    ku, ki = np.unique(k, return_inverse=True)
    au, ai = np.unique(alpha, return_inverse=True)
    M = np.full((len(ku), len(au)), np.nan)
    for i, j, v in zip(ki, ai, mean):
        if np.isfinite(v) and not v <= M[i, j]:
            M[i, j] = v
    return ku, au, M


def _alpha_ticks(ax, lo, hi):
    """alpha labels at round values on a logit x axis."""
    cand = np.array([1e-4, 1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999,
                     0.9999])
    z = _logit(cand)
    keep = (z >= lo) & (z <= hi)
    last = -np.inf
    for i in np.flatnonzero(keep):  # thin them: at least 1/10 of the axis apart
        if z[i] - last < (hi - lo) / 10:
            keep[i] = False
        else:
            last = z[i]
    if keep.sum() < 2:
        keep = np.ones(len(cand), bool)
        z = np.linspace(lo, hi, 4)
        cand = 1 / (1 + np.exp(-z))
    ax.set_xticks(z[keep])
    ax.set_xticklabels([f"{a:g}" for a in cand[keep]])


def bo_surface(tuner=None, ax=None, *, k=None, alpha=None, mean=None, points=None, best=None,
               alpha_scale=None):
    """Heat map of the GP-predicted mean cross-validated C-index over (k,
    alpha) (the DeSurv paper's figure 2D), with the evaluated points
    overlaid (circles coloured by their mean C-index) and the chosen point
    marked with a star.

    From a fitted DeSurvTuner: ``bo_surface(tuner)`` uses
    ``tuner.surface_`` ({"k", "alpha", "mean", "sd"}), ``tuner.history_``
    (columns k, alpha, mean), ``tuner.best_params_`` and
    ``tuner.alpha_scale``.  After a grid search (``surface_`` None) the
    cells show the best evaluated mean C-index instead.

    From arrays: ``bo_surface(k=ks, alpha=alphas, mean=M, points=(pk, pa,
    pmean), best=(k, alpha), alpha_scale="logodds")`` with M of shape
    (len(k), len(alpha)); ``points`` and ``best`` are optional.

    With ``alpha_scale="logodds"`` (the tuner's default) the x axis is
    the logit of alpha, labelled with alpha values.

    Example::

        tuner = desurv.DeSurvTuner(k=(2, 5)).fit(X, time, event)
        fig = desurv.plot.bo_surface(tuner)
    """
    title = "GP-predicted mean C-index"
    if tuner is not None:
        hist = getattr(tuner, "history_", None)
        if hist is not None and points is None:
            points = (_column(hist, "k"), _column(hist, "alpha"), _column(hist, "mean"))
        bp = getattr(tuner, "best_params_", None)
        if bp is not None and best is None:
            best = (bp["k"], bp["alpha"])
        if alpha_scale is None:
            alpha_scale = getattr(tuner, "alpha_scale", "logodds")
        surf = getattr(tuner, "surface_", None)
        if surf is not None:
            k, alpha, mean = surf["k"], surf["alpha"], surf["mean"]
        elif points is not None:
            k, alpha, mean = _surface_from_history(*points)
            title = "best cross-validated C-index (grid)"
    if k is None or alpha is None or mean is None:
        raise ValueError("bo_surface needs a tuner or the k, alpha and mean arrays")
    alpha_scale = alpha_scale or "logodds"
    if alpha_scale not in ("logodds", "linear"):
        raise ValueError(f"alpha_scale={alpha_scale!r}: expected 'logodds' or 'linear'")
    k = np.asarray(k, dtype=float)
    alpha = np.asarray(alpha, dtype=float)
    M = np.asarray(mean, dtype=float)
    if M.shape != (len(k), len(alpha)):
        raise ValueError(f"mean has shape {M.shape}, expected ({len(k)}, {len(alpha)})")
    xs = _logit if alpha_scale == "logodds" else (lambda a: np.asarray(a, dtype=float))

    fig, ax = _figure_axes(ax, figsize=(6.4, 4.6))
    finite = M[np.isfinite(M)]
    vmin, vmax = (finite.min(), finite.max()) if finite.size else (0.5, 1.0)
    if points is not None:
        pm = np.asarray(points[2], dtype=float)
        pm = pm[np.isfinite(pm)]
        if pm.size:
            vmin, vmax = min(vmin, pm.min()), max(vmax, pm.max())
    mesh = ax.pcolormesh(_edges(xs(alpha)), _edges(k), np.ma.masked_invalid(M),
                         cmap="viridis", vmin=vmin, vmax=vmax, shading="flat")
    cbar = fig.colorbar(mesh, ax=ax)
    cbar.set_label("predicted C-index")
    if points is not None:
        pk, pa, pmean = (np.asarray(v, dtype=float) for v in points)
        ax.scatter(xs(pa), pk, c=pmean, cmap="viridis", vmin=vmin, vmax=vmax, s=28,
                   edgecolors="white", linewidths=0.8, label="evaluated", zorder=3)
    if best is not None:
        ax.scatter(xs([best[1]]), [best[0]], marker="*", s=260, c="red", edgecolors="black",
                   linewidths=0.8, label="chosen", zorder=4)
    ax.set_yticks(k)
    ax.set_yticklabels([str(int(v)) for v in k])
    ax.set_ylabel("k (rank)")
    if alpha_scale == "logodds":
        e = _edges(xs(alpha))
        _alpha_ticks(ax, e[0], e[-1])
        ax.set_xlabel("\u03b1 (log-odds scale)")
    else:
        ax.set_xlabel("\u03b1")
    ax.set_title(title)
    if points is not None or best is not None:
        ax.legend(loc="best", fontsize="small")
    return fig


# ---------------------------------------------------------------------------
# Kaplan-Meier curves of risk groups
# ---------------------------------------------------------------------------

def _risk_groups(risk, groups):
    """Group index of each sample (0 = lowest risk) and the cut points."""
    if np.ndim(groups) == 0:
        g = int(groups)
        if g < 2:
            raise ValueError(f"groups={groups!r}: at least 2 groups")
        cuts = np.quantile(risk, np.arange(1, g) / g)
    else:
        cuts = np.sort(np.asarray(groups, dtype=float))
    # risk <= cut falls in the lower group (the median split of survminer)
    return np.searchsorted(cuts, risk, side="left"), cuts


def _default_labels(g):
    if g == 2:
        return ["low risk", "high risk"]
    if g == 3:
        return ["low risk", "intermediate risk", "high risk"]
    return [f"risk group {i + 1}" for i in range(g)]


def _format_p(p):
    return f"{p:.2g}" if p >= 1e-3 else f"{p:.1e}"


def _at_risk_table(ax, times, curves, colours, labels):
    """'numbers at risk' rows under the axes, at the given times."""
    import matplotlib.transforms as mt
    tr = mt.blended_transform_factory(ax.transData, ax.transAxes)
    lab = mt.blended_transform_factory(ax.transAxes, ax.transAxes)
    ax.text(0.0, -0.2, "numbers at risk", transform=lab, ha="left", va="top",
            fontsize="small", fontweight="bold")
    for r, (t, col, name) in enumerate(zip(curves, colours, labels)):
        y = -0.28 - 0.08 * r
        ax.text(-0.05, y, name, transform=lab, ha="right", va="top", fontsize="small",
                color=col)
        for x in times:
            ax.text(x, y, str(int(np.sum(t >= x))), transform=tr, ha="center", va="top",
                    fontsize="small", color=col)


def km_risk_groups(time, event, risk, groups=2, labels=None, ax=None):
    """Kaplan-Meier curves of risk groups with censoring ticks, a table of
    the numbers at risk under the axes, and the log-rank p-value in the
    legend title.

    ``groups``: 2 splits at the median of ``risk`` (risk <= median is the
    low-risk group), 3 at the tertiles, g at the g-quantiles; or a sequence
    of explicit cut points.  ``labels``: one per group, lowest risk first
    (default "low risk", "high risk", ...).  Empty groups are left out.

    Example::

        lp = model.predict(X_test)
        fig = desurv.plot.km_risk_groups(time_test, event_test, lp)
    """
    t = np.asarray(time, dtype=float)
    ev = np.asarray(event)
    r = np.asarray(risk, dtype=float)
    if not (t.shape == ev.shape == r.shape) or t.ndim != 1:
        raise ValueError("time, event and risk must be 1-D arrays of one length")
    idx, cuts = _risk_groups(r, groups)
    g = len(cuts) + 1
    labels = list(labels) if labels is not None else _default_labels(g)
    if len(labels) != g:
        raise ValueError(f"{len(labels)} labels for {g} groups")
    present = [i for i in range(g) if np.any(idx == i)]
    lr = logrank_test(t, ev, idx) if len(present) >= 2 else None

    own = ax is None
    fig, ax = _figure_axes(ax, figsize=(6.4, 4.8 + 0.25 * g))
    if own:  # room for the table; a caller's Axes keeps its layout
        fig.subplots_adjust(bottom=0.2 + 0.06 * g, left=0.2)
    colours = [f"C{i}" for i in range(g)]
    curves = []
    for i in present:
        sel = idx == i
        km = kaplan_meier(t[sel], ev[sel])
        x = np.concatenate(([0.0], km.time))
        y = np.concatenate(([1.0], km.surv))
        ax.step(x, y, where="post", color=colours[i], label=f"{labels[i]} (n = {sel.sum()})")
        cens = km.n_censor > 0
        ax.plot(km.time[cens], km.surv[cens], "|", color=colours[i], ms=8, mew=1.2)
        curves.append(t[sel])
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel("time")
    ax.set_ylabel("survival probability")
    ptext = f"log-rank p = {_format_p(lr.p_value)}" if lr is not None else "log-rank: one group"
    ax.legend(title=ptext, loc="upper right", fontsize="small", title_fontsize="small")
    ax.set_title("Kaplan\u2013Meier by risk group")
    ticks = [x for x in ax.get_xticks() if 0 <= x <= t.max()]
    _at_risk_table(ax, ticks, curves, [colours[i] for i in present],
                   [labels[i] for i in present])
    return fig


# ---------------------------------------------------------------------------
# Top-gene heat map
# ---------------------------------------------------------------------------

def _top_gene_index(model, ntop):
    """(ntop, k) 0-based gene indices, best first: desurv.top_genes when
    available, else desurv_model_top_genes directly."""
    from ._topgenes import top_genes
    try:
        return np.asarray(top_genes(model, ntop).index, dtype=np.int64)
    except NotImplementedError:
        pass
    h = model._fitted_handle()
    k = ctypes.c_int64()
    _check(lib.desurv_model_dims(h, None, None, ctypes.byref(k)), h)
    idx = np.empty((k.value, ntop), dtype=np.int64)  # column-major ntop x k
    st = lib.desurv_model_top_genes(h, int(ntop), idx.ctypes.data_as(c_int64_p), None)
    if st != E.DESURV_OK:
        _raise(st, f"ntop = {ntop}: {lib.desurv_strerror(st).decode()}")
    return idx.T


def _zscore(A):
    sd = A.std(axis=0)
    return (A - A.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def top_gene_heatmap(model, X, ntop=10, ax=None, gene_names=None, order="lp"):
    """Heat map of the expression of each factor's ``ntop`` top genes
    (standardised per gene over the samples, clipped to +/-3), rows grouped
    by factor with separators and factor labels, samples (columns) ordered
    by the linear predictor (``order="lp"``, lowest risk left) or by the
    score of factor r (``order=r``, 0-based).

    ``X`` is (n_samples, n_genes) with the model's genes, as for predict
    (a pandas DataFrame works too).  Gene names label the rows when known:
    ``gene_names`` or else ``model.feature_names_in_``.

    Example::

        fig = desurv.plot.top_gene_heatmap(model, X, ntop=15)
    """
    idx = _top_gene_index(model, ntop)
    k = idx.shape[1]
    if gene_names is None:
        gene_names = getattr(model, "feature_names_in_", None)
        if gene_names is not None and hasattr(X, "columns"):
            X = X[list(gene_names)]  # a DataFrame in the model's gene order
    Xa = np.asarray(getattr(X, "values", X), dtype=float)
    if Xa.ndim != 2 or Xa.shape[1] != model.W_.shape[0]:
        raise ValueError(f"X must be (n_samples, {model.W_.shape[0]}), got {Xa.shape}")
    if order == "lp":
        key, what = model.predict(X), "linear predictor"
    else:
        r = int(order)
        key, what = Xa @ model.W_[:, r], f"factor {r + 1} score"
    cols = np.argsort(key, kind="stable")
    genes = idx.T.reshape(-1)  # factor 1's genes, then factor 2's ...
    Z = np.clip(_zscore(Xa[:, genes][cols]).T, -3, 3)

    fig, ax = _figure_axes(ax, figsize=(7.5, 1.5 + 0.16 * len(genes)))
    im = ax.imshow(Z, aspect="auto", cmap="RdBu_r", vmin=-3, vmax=3, interpolation="nearest")
    cbar = fig.colorbar(im, ax=ax, pad=0.12)
    cbar.set_label("expression (z-score)")
    for r in range(1, k):
        ax.axhline(r * ntop - 0.5, color="black", lw=1.5)
    ax.set_yticks(np.arange(len(genes)))
    if gene_names is not None:
        names = np.asarray(gene_names, dtype=object)
        ax.set_yticklabels([str(names[g]) for g in genes], fontsize="x-small")
    else:
        ax.set_yticklabels([f"gene {g}" for g in genes], fontsize="x-small")
    import matplotlib.transforms as mt
    tr = mt.blended_transform_factory(ax.transAxes, ax.transData)
    for r in range(k):
        ax.text(1.01, r * ntop + (ntop - 1) / 2, f"factor {r + 1}", transform=tr,
                rotation=90, ha="left", va="center", fontsize="small")
    ax.set_xticks([])
    ax.set_xlabel(f"samples (ordered by the {what})")
    ax.set_title(f"Top {ntop} genes per factor")
    return fig


# ---------------------------------------------------------------------------
# Selected k across replicates
# ---------------------------------------------------------------------------

def selected_k_hist(selected, true_k=None, ax=None):
    """Bar chart of how often each k was selected across the replicates of
    a simulation study.  ``selected``: an array of k, or a dict method name
    -> array (grouped bars, one colour per method).  ``true_k`` is marked
    by a dashed line.

    Example::

        fig = desurv.plot.selected_k_hist({"DeSurv": k1, "NMF": k2}, true_k=3)
    """
    data = selected if isinstance(selected, dict) else {None: selected}
    data = {name: np.asarray(v).astype(np.int64).reshape(-1) for name, v in data.items()}
    allk = np.concatenate([v for v in data.values()] + ([np.array([true_k])]
                                                        if true_k is not None else []))
    ks = np.arange(allk.min(), allk.max() + 1) if allk.size else np.arange(1, 2)
    fig, ax = _figure_axes(ax, figsize=(6.4, 4.0))
    m = len(data)
    width = 0.8 / m
    for j, (name, v) in enumerate(data.items()):
        counts = np.array([np.sum(v == kk) for kk in ks])
        ax.bar(ks + (j - (m - 1) / 2) * width, counts, width=width, color=f"C{j}",
               label=name if name is not None else None)
    if true_k is not None:
        ax.axvline(true_k, color="black", ls="--", lw=1.2, label=f"true k = {true_k}")
    ax.set_xticks(ks)
    ax.set_xlabel("selected k")
    ax.set_ylabel("replicates")
    ax.set_title("Selected rank across replicates")
    if m > 1 or true_k is not None:
        ax.legend(fontsize="small")
    return fig
