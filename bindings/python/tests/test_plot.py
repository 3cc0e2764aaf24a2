"""desurv.plot renders every figure (Agg backend) to a plausible PNG with
the expected labels, legends and tables.  (That desurv.plot imports without
matplotlib is checked in test_trace.py, which runs without it.)"""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import desurv  # noqa: E402
from desurv import plot  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _png(fig, tmp_path, name):
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=60)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5000
    w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert 200 <= w <= 2000 and 150 <= h <= 2000
    return path


def _texts(fig):
    out = []
    for ax in fig.get_axes():
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        leg = ax.get_legend()
        if leg is not None:
            out += [leg.get_title().get_text()] + [t.get_text() for t in leg.get_texts()]
    return out


class _Tuner:
    """Stand-in carrying the DeSurvTuner attributes bo_surface reads."""

    def __init__(self, alpha_scale="logodds", surface=True):
        ks = np.array([2, 3, 4, 5])
        al = np.array([0.05, 0.2, 0.5, 0.8, 0.95, 0.99])
        mean = 0.6 + 0.05 * np.outer(np.cos(ks), np.ones(len(al))) + 0.1 * al
        self.surface_ = ({"k": ks, "alpha": al, "mean": mean, "sd": 0.02 + 0 * mean}
                         if surface else None)
        rng = np.random.default_rng(1)
        n = 12
        self.history_ = {"k": rng.choice(ks, n), "alpha": rng.choice(al, n),
                         "lambda_": np.full(n, 0.1), "nu": np.full(n, 0.5),
                         "lambda_w": np.zeros(n), "lambda_h": np.zeros(n),
                         "ntop": np.zeros(n, int), "mean": rng.uniform(0.6, 0.75, n),
                         "se": np.full(n, 0.01), "pooled": rng.uniform(0.6, 0.75, n),
                         "fold_0": rng.uniform(0.6, 0.75, n)}
        self.best_params_ = {"k": 3, "alpha": 0.8, "lambda_": 0.1, "nu": 0.5, "lambda_w": 0.0,
                             "lambda_h": 0.0, "ntop": 0}
        self.alpha_scale = alpha_scale


@pytest.mark.parametrize("scale", ["logodds", "linear"])
def test_bo_surface(tmp_path, scale):
    fig = plot.bo_surface(_Tuner(scale))
    _png(fig, tmp_path, "bo")
    texts = _texts(fig)
    assert "predicted C-index" in texts  # the colour bar's label
    assert "chosen" in texts and "evaluated" in texts
    assert "k (rank)" in texts and any(t.startswith("\u03b1") for t in texts)
    ylabels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ylabels == ["2", "3", "4", "5"]
    if scale == "logodds":
        assert "log-odds" in fig.axes[0].get_xlabel()
        assert "0.5" in [t.get_text() for t in fig.axes[0].get_xticklabels()]


def test_bo_surface_grid_and_arrays(tmp_path):
    pd = pytest.importorskip("pandas")
    t = _Tuner(surface=False)
    t.history_ = pd.DataFrame(t.history_)  # the tuner's type when pandas is there
    fig = plot.bo_surface(t)
    assert "grid" in fig.axes[0].get_title()
    _png(fig, tmp_path, "grid")
    fig, ax = plt.subplots()
    t = _Tuner()
    out = plot.bo_surface(None, ax=ax, k=t.surface_["k"], alpha=t.surface_["alpha"],
                          mean=t.surface_["mean"], best=(4, 0.5))
    assert out is fig
    _png(fig, tmp_path, "arrays")
    with pytest.raises(ValueError):
        plot.bo_surface(None, k=[2, 3], alpha=[0.1], mean=np.zeros((3, 1)))


def test_loss_trace(fitted, tmp_path):
    fig = plot.loss_trace(fitted)
    _png(fig, tmp_path, "trace")
    ax = fig.axes[0]
    texts = _texts(fig)
    assert "Loss trace by term" in texts and "outer iteration" in texts
    assert "total L" in texts and any(t.startswith("reconstruction") for t in texts)
    assert any(t.startswith("Cox deviance") for t in texts)
    assert ax.get_yscale() == "log"
    assert len(ax.lines[0].get_xdata()) == len(fitted.loss_trace_)


def test_km_risk_groups(small_data, fitted, tmp_path):
    d = small_data
    lp = fitted.predict(d.X)
    fig = plot.km_risk_groups(d.time, d.event, lp)
    _png(fig, tmp_path, "km2")
    texts = _texts(fig)
    lr = desurv.logrank_test(d.time, d.event, lp > np.median(lp))
    assert "numbers at risk" in texts
    assert any(t.startswith("log-rank p = ") for t in texts)
    p_text = [t for t in texts if t.startswith("log-rank p = ")][0]
    assert abs(float(p_text.split("= ")[1]) - lr.p_value) <= 0.051 * lr.p_value
    assert "low risk (n = 30)" in texts and "high risk (n = 30)" in texts
    assert str(len(d.time) // 2) in texts  # n at risk at time 0 of each group
    fig = plot.km_risk_groups(d.time, d.event, lp, groups=3,
                              labels=["good", "middle", "poor"])
    _png(fig, tmp_path, "km3")
    assert any(t.startswith("middle (n = ") for t in _texts(fig))
    fig, (a1, a2) = plt.subplots(1, 2)
    out = plot.km_risk_groups(d.time, d.event, lp, groups=[np.quantile(lp, 0.25)], ax=a2)
    assert out is fig and a1.get_legend() is None
    assert any(t.startswith("high risk (n = 45)") for t in _texts(fig))


def test_top_gene_heatmap(fitted, small_data, tmp_path):
    d = small_data
    fig = plot.top_gene_heatmap(fitted, d.X, ntop=5)
    _png(fig, tmp_path, "heat")
    texts = _texts(fig)
    assert "factor 1" in texts and "factor 2" in texts
    assert "expression (z-score)" in texts
    assert "samples (ordered by the linear predictor)" in texts
    idx = plot._top_gene_index(fitted, 5)
    assert idx.shape == (5, 2)
    ylab = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ylab[:5] == [f"gene {g}" for g in idx[:, 0]]
    names = np.array([f"G{j}" for j in range(d.X.shape[1])], dtype=object)
    fig = plot.top_gene_heatmap(fitted, d.X, ntop=3, gene_names=names, order=1)
    ylab = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ylab == [f"G{g}" for g in plot._top_gene_index(fitted, 3).T.reshape(-1)]
    assert "factor 2 score" in fig.axes[0].get_xlabel()


def test_selected_k_hist(tmp_path):
    fig = plot.selected_k_hist([2, 3, 3, 3, 4, 3], true_k=3)
    _png(fig, tmp_path, "k1")
    ax = fig.axes[0]
    assert [round(p.get_height()) for p in ax.patches] == [1, 4, 1]
    assert "true k = 3" in _texts(fig) and "selected k" in _texts(fig)
    fig = plot.selected_k_hist({"DeSurv": [3, 3, 4], "NMF": [2, 5, 5]}, true_k=3)
    _png(fig, tmp_path, "k2")
    texts = _texts(fig)
    assert "DeSurv" in texts and "NMF" in texts
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2", "3", "4", "5"]
