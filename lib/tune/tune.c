/* tune.c - desurv_tune(): cross-validated model selection by grid search or
 * Gaussian-process Bayesian optimisation (doc/model.md section 7), then a refit.
 *
 * Work is cut into tasks (point, fold, block of starts); a task's random
 * streams depend only on (seed, history index, fold, start), and results
 * are combined in a fixed order, so the outcome never depends on the number
 * of threads.  Failures of a single fit (a numerical breakdown at an extreme
 * alpha, say) make that fit's C-index NaN instead of stopping the search.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/blasinfo.h"
#include "tune/bo.h"
#include "surv/cindex.h"
#include "tune/cv.h"
#include "tune/folds.h"
#include "tune/gp.h"
#include "base/pool.h"
#include "tune/tuner.h"
#include "base/validate.h"

#define LHS_STREAM 0x4C4853u      /* "LHS" */
#define BO_STREAM 0x424F000000u   /* "BO" + step */
#define SURFACE_ALPHAS 41

/* ---- the search space: searched parameters <-> unit cube -------------- */

typedef struct space {
    int64_t d;
    int dims[DSV_NPAR];          /* searched parameters */
    double lo[DSV_NPAR], hi[DSV_NPAR]; /* bounds on the search scale */
    double fixed[DSV_NPAR];      /* values of the parameters not searched */
    int alpha_linear;
} space;

static double to_scale(const space *sp, int par, double v)
{
    if (par == DSV_P_ALPHA && !sp->alpha_linear)
        return log10(v / (1 - v));
    return dsv_param_log(par, 1) ? log10(v) : v;
}

static double from_scale(const space *sp, int par, double s)
{
    if (par == DSV_P_ALPHA && !sp->alpha_linear)
        return 1 / (1 + pow(10, -s));
    return dsv_param_log(par, 1) ? pow(10, s) : s;
}

static void unit_to_par(const space *sp, const double *u, double *par)
{
    memcpy(par, sp->fixed, sizeof sp->fixed);
    for (int64_t i = 0; i < sp->d; i++) {
        int q = sp->dims[i];
        double s = sp->lo[q] + u[i] * (sp->hi[q] - sp->lo[q]);
        par[q] = dsv_param_integral(q) ? round(s) : from_scale(sp, q, s);
    }
}

static void par_to_unit(const space *sp, const double *par, double *u)
{
    for (int64_t i = 0; i < sp->d; i++) {
        int q = sp->dims[i];
        double w = sp->hi[q] - sp->lo[q];
        double v = (to_scale(sp, q, par[q]) - sp->lo[q]) / w;
        u[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
}

/* Integer dimensions take only their representable values. */
static void snap_unit(double *u, int64_t d, void *ctx)
{
    const space *sp = ctx;
    for (int64_t i = 0; i < d; i++) {
        int q = sp->dims[i];
        if (dsv_param_integral(q)) {
            double w = sp->hi[q] - sp->lo[q];
            u[i] = (round(sp->lo[q] + u[i] * w) - sp->lo[q]) / w;
        }
    }
}

/* Value of a parameter that is not searched: its fixed bound, else the
 * model's option (ntop: 0, all genes). */
static double unsearched_value(const desurv_tuner *t, const desurv_model *m, int q, int grid)
{
    if (!grid && !isnan(t->lo[q]) && t->lo[q] == t->hi[q])
        return t->lo[q];
    int o = dsv_param_to_option(q);
    return o < 0 ? 0.0 : m->opt[o];
}

static int build_space(desurv_tuner *t, const desurv_model *m, space *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->alpha_linear = t->opt[DESURV_TOPT_ALPHA_SCALE] != 0;
    int grid = t->opt[DESURV_TOPT_METHOD] != 0;
    for (int q = 0; q < DSV_NPAR; q++) {
        sp->fixed[q] = unsearched_value(t, m, q, grid);
        if (grid || isnan(t->lo[q]) || t->lo[q] == t->hi[q])
            continue;
        if (q == DSV_P_ALPHA && !sp->alpha_linear && !(t->lo[q] > 0 && t->hi[q] < 1))
            return dsv_tfail(t, DESURV_E_RANGE,
                             "alpha is searched on the log-odds scale: its range [%g, %g] must "
                             "lie strictly inside (0, 1) (use alpha_scale = 1 for a linear "
                             "search that includes 0)", t->lo[q], t->hi[q]);
        sp->dims[sp->d++] = q;
        sp->lo[q] = to_scale(sp, q, t->lo[q]);
        sp->hi[q] = to_scale(sp, q, t->hi[q]);
    }
    if (sp->fixed[DSV_P_K] < 1 && !(grid ? t->grid_len[DSV_P_K] : !isnan(t->lo[DSV_P_K])))
        return dsv_tfail(t, DESURV_E_RANK, "k is neither searched nor set on the model");
    return DESURV_OK;
}

/* ---- one run ----------------------------------------------------------- */

typedef struct run {
    desurv_tuner *t;
    const desurv_model *m;
    const space *sp;
    dsv_cv cv;
    int64_t n, K, nstarts, batch, nblocks, nres;  /* nres: results per fold */
    int best_mode, threads;
    /* the points being evaluated: history entries first .. first + npts - 1 */
    const dsv_eval *pts;
    int64_t npts, first;
    double *c;    /* npts x K x nres held-out C-indices */
    double *rec;  /* npts x K x nres held-out reconstruction errors */
    double *it;   /* npts x K x nres outer iterations of the fits (cv.h) */
    double *lp;   /* npts x nres x n held-out linear predictors */
    atomic_int cancel;
    int stage;
    int64_t done_base, stage_total;
    double best;
    char msg[DSV_ERRMSG_CAP];
} run;

static void point_options(const run *r, const double *par, double *opt)
{
    memcpy(opt, r->m->opt, sizeof r->m->opt);
    for (int q = 0; q < DSV_NPAR; q++) {
        int o = dsv_param_to_option(q);
        if (o >= 0)
            opt[o] = par[q];
    }
}

static int task(void *ctx, int64_t i)
{
    run *r = ctx;
    int64_t per_point = r->K * r->nblocks;
    int64_t pt = i / per_point, f = (i % per_point) / r->nblocks, b = i % r->nblocks;
    int64_t s0 = b * r->batch, s1 = s0 + r->batch < r->nstarts ? s0 + r->batch : r->nstarts;
    int64_t m = r->best_mode ? 1 : s1 - s0;
    const dsv_fold *fd = &r->cv.f[f];
    double opt[DESURV_OPT_COUNT];
    point_options(r, r->pts[pt].par, opt);
    dsv_cv_job job = {opt, (int64_t)r->pts[pt].par[DSV_P_NTOP], r->best_mode,
                      (int64_t)r->t->opt[DESURV_TOPT_BATCH],
                      (uint64_t)r->t->opt[DESURV_TOPT_SEED], (uint64_t)(r->first + pt),
                      &r->cancel};
    double *lp = malloc((size_t)(m * (fd->nva > 0 ? fd->nva : 1)) * sizeof *lp);
    if (!lp)
        return DESURV_E_NOMEM;
    char msg[DSV_ERRMSG_CAP] = "";
    int64_t off = (pt * r->K + f) * r->nres + (r->best_mode ? 0 : s0);
    int rc = dsv_cv_task(&r->cv, &job, f, s0, s1, r->nstarts, r->c + off, r->rec + off,
                         r->it + off, lp, msg, sizeof msg);
    for (int64_t s = 0; rc == DESURV_OK && s < m; s++) {
        double *dst = r->lp + (pt * r->nres + (r->best_mode ? 0 : s0) + s) * r->n;
        for (int64_t j = 0; j < fd->nva; j++)
            dst[fd->va[j]] = lp[s * fd->nva + j];
    }
    free(lp);
    return rc;
}

static int tick(void *ctx, int64_t done, int64_t total)
{
    run *r = ctx;
    (void)total;
    desurv_tuner *t = r->t;
    if (!t->progress)
        return 0;
    return t->progress(r->stage, r->done_base + done, r->stage_total, r->best, t->progress_user);
}

/* Mean of the finite values (NaN when none); *cnt receives their number. */
static double finite_mean(const double *v, int64_t len, int64_t stride, int64_t *cnt)
{
    double s = 0;
    int64_t c = 0;
    for (int64_t i = 0; i < len; i++)
        if (isfinite(v[i * stride]))
            s += v[i * stride], c++;
    if (cnt)
        *cnt = c;
    return c ? s / (double)c : NAN;
}

/* Per-fold means over the starts of v (npts x K x nres) at point pt, and
 * the mean of those over the folds with its standard error sd / sqrt(K). */
static void fold_summary(const run *r, const double *v, int64_t pt, double *fold_v,
                         double *mean, double *se)
{
    int64_t K = r->K, kf = 0;
    for (int64_t f = 0; f < K; f++)
        fold_v[f] = finite_mean(v + (pt * K + f) * r->nres, r->nres, 1, NULL);
    *mean = finite_mean(fold_v, K, 1, &kf);
    double ss = 0;
    for (int64_t f = 0; f < K; f++)
        if (isfinite(fold_v[f]))
            ss += (fold_v[f] - *mean) * (fold_v[f] - *mean);
    *se = kf > 1 ? sqrt(ss / (double)(kf - 1)) / sqrt((double)kf) : NAN;
}

/* Fold C-indices, their mean and standard error, the same for the
 * held-out reconstruction error, and the pooled C of the start-averaged
 * out-of-fold linear predictor. */
static int summarise(run *r, int64_t pt, const double *time, const int32_t *event,
                     double *fold_c, dsv_eval *e, double *pooled)
{
    int64_t n = r->n;
    fold_summary(r, r->rec, pt, fold_c, &e->recon, &e->recon_se);
    fold_summary(r, r->c, pt, fold_c, &e->mean, &e->se);
    double *lp = malloc((size_t)n * sizeof *lp), *tt = malloc((size_t)n * sizeof *tt);
    int32_t *ee = malloc((size_t)n * sizeof *ee);
    int rc = lp && tt && ee ? DESURV_OK : DESURV_E_NOMEM;
    int64_t m = 0;
    for (int64_t j = 0; rc == DESURV_OK && j < n; j++) {
        double v = finite_mean(r->lp + pt * r->nres * n + j, r->nres, n, NULL);
        if (isfinite(v))
            lp[m] = v, tt[m] = time[j], ee[m] = event[j], m++;
    }
    *pooled = NAN;
    if (rc == DESURV_OK && m > 1)
        rc = dsv_cindex(tt, ee, lp, m, pooled, NULL, NULL, NULL);
    free(lp), free(tt), free(ee);
    return rc;
}

/* Evaluate npts points (appended to the history in order). */
static int evaluate(run *r, const dsv_eval *pts, int64_t npts, const double *time,
                    const int32_t *event)
{
    desurv_tuner *t = r->t;
    r->pts = pts, r->npts = npts, r->first = t->hist.len;
    r->c = malloc((size_t)(npts * r->K * r->nres) * sizeof *r->c);
    r->rec = malloc((size_t)(npts * r->K * r->nres) * sizeof *r->rec);
    r->it = malloc((size_t)(npts * r->K * r->nres) * sizeof *r->it);
    r->lp = malloc((size_t)(npts * r->nres * r->n) * sizeof *r->lp);
    double *fold_c = malloc((size_t)r->K * sizeof *fold_c);
    int rc = r->c && r->rec && r->it && r->lp && fold_c ? DESURV_OK : DESURV_E_NOMEM;
    for (int64_t i = 0; rc == DESURV_OK && i < npts * r->nres * r->n; i++)
        r->lp[i] = NAN;
    int64_t ntasks = npts * r->K * r->nblocks;
    if (rc == DESURV_OK)
        rc = dsv_pool_run(ntasks, r->threads, task, tick, r, &r->cancel);
    for (int64_t pt = 0; rc == DESURV_OK && pt < npts; pt++) {
        dsv_eval e = pts[pt];
        double pooled;
        rc = summarise(r, pt, time, event, fold_c, &e, &pooled);
        if (rc == DESURV_OK)
            rc = dsv_history_push(&t->hist, &e, pooled, r->it + pt * r->K * r->nres,
                                  r->K * r->nres, fold_c, r->K);
        if (rc == DESURV_OK && isfinite(e.mean) && !(e.mean <= r->best))
            r->best = e.mean;
    }
    r->done_base += ntasks;
    free(r->c), free(r->rec), free(r->it), free(r->lp), free(fold_c);
    r->c = r->rec = r->it = r->lp = NULL;
    return rc;
}

/* ---- folds and warnings ------------------------------------------------ */

static int add_warning(desurv_tuner *t, const char *text)
{
    size_t old = t->warnings ? strlen(t->warnings) : 0, add = strlen(text);
    char *w = realloc(t->warnings, old + add + 2);
    if (!w)
        return DESURV_E_NOMEM;
    memcpy(w + old, text, add);
    w[old + add] = '\n', w[old + add + 1] = '\0';
    t->warnings = w;
    return DESURV_OK;
}

static int assign_folds(desurv_tuner *t, int64_t n, const int32_t *event, int64_t *K)
{
    t->fold = malloc((size_t)n * sizeof *t->fold);
    if (!t->fold)
        return DESURV_E_NOMEM;
    t->fold_n = n;
    int rc;
    if (t->user_fold) {
        if (t->user_fold_n != n)
            return dsv_tfail(t, DESURV_E_DIM, "the fold vector has %lld entries but the data "
                             "have %lld samples", (long long)t->user_fold_n, (long long)n);
        rc = dsv_check_folds(t->user_fold, n, K, t->errmsg, sizeof t->errmsg);
        if (rc == DESURV_OK)
            memcpy(t->fold, t->user_fold, (size_t)n * sizeof *t->fold);
        return rc;
    }
    if (t->strata && t->strata_n != n)
        return dsv_tfail(t, DESURV_E_DIM, "the strata vector has %lld entries but the data "
                         "have %lld samples", (long long)t->strata_n, (long long)n);
    *K = (int64_t)t->opt[DESURV_TOPT_FOLDS];
    if (*K > n)
        return dsv_tfail(t, DESURV_E_RANGE, "%lld folds for %lld samples", (long long)*K,
                         (long long)n);
    rc = dsv_make_folds(n, event, t->strata, *K, (uint64_t)t->opt[DESURV_TOPT_SEED], t->fold);
    return rc;
}

static int make_folds(desurv_tuner *t, int64_t n, const int32_t *event, int64_t *K)
{
    int rc = assign_folds(t, n, event, K);
    if (rc != DESURV_OK) {
        free(t->fold); /* a failed run leaves no fold vector to read */
        t->fold = NULL, t->fold_n = 0;
    }
    return rc;
}

static int fold_warnings(desurv_tuner *t, const dsv_cv *cv)
{
    char buf[160];
    for (int64_t f = 0; f < cv->K; f++) {
        int64_t ev = 0;
        for (int64_t j = 0; j < cv->f[f].nva; j++)
            ev += cv->f[f].eva[j] != 0;
        if (ev > 0)
            continue;
        snprintf(buf, sizeof buf, "fold %lld (0-based) has no events in its held-out part: its "
                 "C-index is undefined and left out of the mean", (long long)f);
        int rc = add_warning(t, buf);
        if (rc != DESURV_OK)
            return rc;
    }
    return DESURV_OK;
}

static int thread_warning(desurv_tuner *t, run *r)
{
    int want = (int)t->opt[DESURV_TOPT_THREADS];
    r->threads = dsv_worker_threads(want);
    if (r->threads == want)
        return DESURV_OK;
    char buf[256];
    snprintf(buf, sizeof buf, "the BLAS runs %d threads itself: the %d worker threads asked for "
             "would oversubscribe the cores, so one is used (set OPENBLAS_NUM_THREADS=1 to use "
             "worker threads; results are the same either way)", dsv_blas_threads(), want);
    return add_warning(t, buf);
}

/* The largest rank the search may ask for must fit every training part. */
static int check_k_range(desurv_tuner *t, const space *sp, const dsv_cv *cv, int64_t p)
{
    int grid = t->opt[DESURV_TOPT_METHOD] != 0;
    double kmax = sp->fixed[DSV_P_K];
    if (grid)
        for (int64_t i = 0; i < t->grid_len[DSV_P_K]; i++)
            kmax = fmax(kmax, t->grid[DSV_P_K][i]);
    else if (!isnan(t->lo[DSV_P_K]))
        kmax = t->hi[DSV_P_K];
    int64_t lim = p;
    for (int64_t f = 0; f < cv->K; f++)
        lim = cv->f[f].ntr < lim ? cv->f[f].ntr : lim;
    if (kmax > (double)lim)
        return dsv_tfail(t, DESURV_E_RANK, "k up to %g is asked for, but the smallest training "
                         "part allows at most min(p, n_train) = %lld", kmax, (long long)lim);
    double ntmax = grid && t->grid_len[DSV_P_NTOP] ? 0 : sp->fixed[DSV_P_NTOP];
    for (int64_t i = 0; grid && i < t->grid_len[DSV_P_NTOP]; i++)
        ntmax = fmax(ntmax, t->grid[DSV_P_NTOP][i]);
    if (!grid && !isnan(t->lo[DSV_P_NTOP]))
        ntmax = fmax(ntmax, t->hi[DSV_P_NTOP]);
    if (ntmax > (double)p)
        return dsv_tfail(t, DESURV_E_RANGE, "ntop up to %g exceeds the %lld genes", ntmax,
                         (long long)p);
    return DESURV_OK;
}

/* ---- grid search ------------------------------------------------------- */

static int run_grid(run *r, const double *time, const int32_t *event)
{
    desurv_tuner *t = r->t;
    int64_t total = 1;
    for (int q = 0; q < DSV_NPAR; q++)
        total *= t->grid_len[q] ? t->grid_len[q] : 1;
    dsv_eval *pts = calloc((size_t)total, sizeof *pts);
    if (!pts)
        return DESURV_E_NOMEM;
    for (int64_t i = 0; i < total; i++) {
        int64_t rest = i;
        /* the last parameter varies fastest: k is the slowest index */
        for (int q = DSV_NPAR - 1; q >= 0; q--) {
            int64_t len = t->grid_len[q];
            pts[i].par[q] = len ? t->grid[q][rest % len] : r->sp->fixed[q];
            rest /= len ? len : 1;
        }
    }
    r->stage = DESURV_STAGE_DESIGN;
    r->stage_total = total * r->K * r->nblocks;
    int rc = evaluate(r, pts, total, time, event);
    free(pts);
    return rc;
}

/* ---- Bayesian optimisation ------------------------------------------- */

static int same_point(const double *a, const double *b)
{
    return memcmp(a, b, DSV_NPAR * sizeof *a) == 0;
}

static int known_point(const dsv_history *h, const dsv_eval *pts, int64_t npts, const double *par)
{
    for (int64_t i = 0; i < h->len; i++)
        if (same_point(h->e[i].par, par))
            return 1;
    for (int64_t i = 0; i < npts; i++)
        if (same_point(pts[i].par, par))
            return 1;
    return 0;
}

/* Unit coordinates and GP targets of the history.  Unscorable points get
 * the worst observed mean (or 0.5, chance) so the GP steers away from them
 * and they are never proposed again. */
static void history_xy(const run *r, double *U, double *y)
{
    const dsv_history *h = &r->t->hist;
    double worst = 0.5;
    for (int64_t i = 0; i < h->len; i++)
        if (isfinite(h->e[i].mean) && h->e[i].mean < worst)
            worst = h->e[i].mean;
    double u[DSV_NPAR];
    for (int64_t i = 0; i < h->len; i++) {
        par_to_unit(r->sp, h->e[i].par, u);
        for (int64_t j = 0; j < r->sp->d; j++)
            U[i + j * h->len] = u[j];
        y[i] = isfinite(h->e[i].mean) ? h->e[i].mean : worst;
    }
}

static int run_design(run *r, const double *time, const int32_t *event)
{
    desurv_tuner *t = r->t;
    const space *sp = r->sp;
    int64_t d = sp->d, want = (int64_t)t->opt[DESURV_TOPT_INIT_POINTS];
    if (want == 0)
        want = 3 * d > 5 ? 3 * d : 5;
    int64_t m = d == 0 ? (t->hist.len ? 0 : 1) : want - t->hist.len;
    if (m <= 0)
        return DESURV_OK;
    double *U = malloc((size_t)(m * (d ? d : 1)) * sizeof *U), u[DSV_NPAR];
    dsv_eval *pts = calloc((size_t)m, sizeof *pts);
    int rc = U && pts ? DESURV_OK : DESURV_E_NOMEM;
    int64_t np = 0;
    if (rc == DESURV_OK && d > 0)
        dsv_lhs(m, d, (uint64_t)t->opt[DESURV_TOPT_SEED], LHS_STREAM, U, m);
    for (int64_t i = 0; rc == DESURV_OK && i < m; i++) {
        for (int64_t j = 0; j < d; j++)
            u[j] = U[i + j * m];
        snap_unit(u, d, (void *)sp);
        dsv_eval e = {{0}, NAN, NAN, NAN, NAN};
        unit_to_par(sp, u, e.par);
        if (!known_point(&t->hist, pts, np, e.par)) /* integer rounding can collide */
            pts[np++] = e;
    }
    r->stage = DESURV_STAGE_DESIGN;
    r->stage_total = np * r->K * r->nblocks;
    if (rc == DESURV_OK)
        rc = evaluate(r, pts, np, time, event);
    free(U), free(pts);
    return rc;
}

static dsv_bo_config bo_config(const run *r)
{
    const desurv_tuner *t = r->t;
    dsv_bo_config cfg = {r->sp->d, (int64_t)t->opt[DESURV_TOPT_POOL], t->opt[DESURV_TOPT_XI], 1,
                         4, snap_unit, (void *)r->sp};
    return cfg;
}

/* Index of the history entry at par, or -1. */
static int64_t history_index(const dsv_history *h, const double *par)
{
    for (int64_t i = 0; i < h->len; i++)
        if (same_point(h->e[i].par, par))
            return i;
    return -1;
}

/* Propose the next point into e.  The BO skips candidates equal to a row
 * of U, but a history point's unit coordinates (par_to_unit) may differ in
 * the last bit from a candidate that maps back to the same parameters (the
 * log scales do not round-trip exactly); so a proposal that lands on an
 * evaluated point gets that point's row replaced by the candidate itself
 * and is made again.  *dup = 1 when every retry still collided. */
static int propose_new(const run *r, const dsv_bo_config *cfg, double *U, const double *y,
                       int64_t nh, int64_t it, dsv_eval *e, int *dup)
{
    const desurv_tuner *t = r->t;
    int64_t d = r->sp->d;
    double u[DSV_NPAR];
    *dup = 0;
    for (int tries = 0; tries < 8; tries++) {
        int rc = dsv_bo_propose(cfg, U, nh, y, nh, (uint64_t)t->opt[DESURV_TOPT_SEED],
                                BO_STREAM + (uint64_t)it, u, NULL);
        if (rc != DESURV_OK)
            return rc;
        unit_to_par(r->sp, u, e->par);
        int64_t i = history_index(&t->hist, e->par);
        if (i < 0)
            return DESURV_OK;
        for (int64_t j = 0; j < d; j++)
            U[i + j * nh] = u[j];
    }
    *dup = 1;
    return DESURV_OK;
}

static int run_search(run *r, const double *time, const int32_t *event)
{
    desurv_tuner *t = r->t;
    int64_t d = r->sp->d, iters = d ? (int64_t)t->opt[DESURV_TOPT_ITERATIONS] : 0;
    dsv_bo_config cfg = bo_config(r);
    r->stage = DESURV_STAGE_SEARCH;
    r->stage_total = iters * r->K * r->nblocks;
    r->done_base = 0;
    int rc = DESURV_OK;
    for (int64_t it = 0; rc == DESURV_OK && it < iters; it++) {
        int64_t nh = t->hist.len;
        double *U = malloc((size_t)(nh * d) * sizeof *U), *y = malloc((size_t)nh * sizeof *y);
        dsv_eval e = {{0}, NAN, NAN, NAN, NAN};
        int dup = 0;
        rc = U && y ? DESURV_OK : DESURV_E_NOMEM;
        if (rc == DESURV_OK) {
            history_xy(r, U, y);
            rc = propose_new(r, &cfg, U, y, nh, it, &e, &dup);
        }
        free(U), free(y);
        if (rc == DESURV_E_RANGE || (rc == DESURV_OK && dup)) /* nothing new to evaluate */
            return add_warning(t, "the search space is exhausted: every point was evaluated");
        if (rc == DESURV_E_LAPACK || rc == DESURV_E_NUMERIC)
            return dsv_tfail(t, rc, "fitting the Gaussian process failed at step %lld",
                             (long long)it);
        if (rc == DESURV_OK)
            rc = evaluate(r, &e, 1, time, event);
    }
    return rc;
}

/* ---- the final choice and the surface --------------------------------- */

/* The surrogate fitted to the whole history (BO with d >= 1 only). */
static int final_gp(const run *r, dsv_gp *gp)
{
    int64_t nh = r->t->hist.len, d = r->sp->d;
    double *U = malloc((size_t)(nh * d) * sizeof *U), *y = malloc((size_t)nh * sizeof *y);
    int rc = U && y ? DESURV_OK : DESURV_E_NOMEM;
    if (rc == DESURV_OK) {
        history_xy(r, U, y);
        rc = dsv_gp_fit(gp, U, nh, y, nh, d, (uint64_t)r->t->opt[DESURV_TOPT_SEED], 4);
    }
    free(U), free(y);
    return rc;
}

static int choose(run *r, const dsv_gp *gp)
{
    desurv_tuner *t = r->t;
    const dsv_history *h = &t->hist;
    int rule = (int)t->opt[DESURV_TOPT_RULE];
    double *mu = NULL, *sd = NULL;
    int rc = DESURV_OK;
    if (rule == DSV_RULE_LCB) {
        int64_t d = r->sp->d;
        mu = malloc((size_t)h->len * sizeof *mu), sd = malloc((size_t)h->len * sizeof *sd);
        double *U = malloc((size_t)(h->len * (d ? d : 1)) * sizeof *U);
        double *y = malloc((size_t)h->len * sizeof *y);
        rc = mu && sd && U && y ? DESURV_OK : DESURV_E_NOMEM;
        if (rc == DESURV_OK)
            history_xy(r, U, y);
        if (rc == DESURV_OK)
            rc = dsv_gp_predict(gp, U, h->len, h->len, mu, sd);
        free(U), free(y);
    }
    int64_t c = rc == DESURV_OK ? dsv_select(rule, h->e, h->len, mu, sd,
                                             t->opt[DESURV_TOPT_LCB_Z])
                                : -1;
    free(mu), free(sd);
    if (rc != DESURV_OK)
        return rc;
    if (c < 0)
        return dsv_tfail(t, DESURV_E_NUMERIC, "no evaluated point could be scored (every fit "
                         "failed or no held-out part had comparable pairs)");
    t->chosen = c, t->chosen_valid = 1;
    memcpy(t->chosen_par, h->e[c].par, sizeof t->chosen_par);
    return DESURV_OK;
}

/* GP mean and sd over k x alpha, the other parameters at the choice. */
static int make_surface(run *r, const dsv_gp *gp)
{
    desurv_tuner *t = r->t;
    const space *sp = r->sp;
    int ks = 0, as = 0;
    for (int64_t i = 0; i < sp->d; i++)
        ks |= sp->dims[i] == DSV_P_K, as |= sp->dims[i] == DSV_P_ALPHA;
    int64_t klo = ks ? (int64_t)t->lo[DSV_P_K] : (int64_t)t->chosen_par[DSV_P_K];
    int64_t nk = ks ? (int64_t)t->hi[DSV_P_K] - klo + 1 : 1, na = as ? SURFACE_ALPHAS : 1;
    int64_t m = nk * na, d = sp->d;
    double *Us = malloc((size_t)(m * d) * sizeof *Us), *s = malloc((size_t)(4 * m) * sizeof *s);
    if (!Us || !s) {
        free(Us), free(s);
        return DESURV_E_NOMEM;
    }
    for (int64_t a = 0, row = 0; a < nk; a++)
        for (int64_t b = 0; b < na; b++, row++) {
            double par[DSV_NPAR], u[DSV_NPAR];
            memcpy(par, t->chosen_par, sizeof par);
            par[DSV_P_K] = (double)(klo + a);
            if (as)
                par[DSV_P_ALPHA] = from_scale(sp, DSV_P_ALPHA,
                                              sp->lo[DSV_P_ALPHA] + (double)b / (double)(na - 1) *
                                                  (sp->hi[DSV_P_ALPHA] - sp->lo[DSV_P_ALPHA]));
            par_to_unit(sp, par, u);
            for (int64_t j = 0; j < d; j++)
                Us[row + j * m] = u[j];
            s[4 * row] = par[DSV_P_K], s[4 * row + 1] = par[DSV_P_ALPHA];
        }
    double *mu = malloc((size_t)m * sizeof *mu), *sd = malloc((size_t)m * sizeof *sd);
    int rc = mu && sd ? dsv_gp_predict(gp, Us, m, m, mu, sd) : DESURV_E_NOMEM;
    for (int64_t row = 0; rc == DESURV_OK && row < m; row++)
        s[4 * row + 2] = mu[row], s[4 * row + 3] = sd[row];
    free(Us), free(mu), free(sd);
    if (rc != DESURV_OK) {
        free(s);
        return rc;
    }
    t->surface = s, t->surface_len = m;
    return DESURV_OK;
}

/* Fit m on all samples at the chosen point; m's options are restored if
 * the fit fails. */
static int refit(desurv_tuner *t, desurv_model *m, const run *r, const double *X, int64_t p,
                 int64_t n, int64_t ldx, const double *time, const int32_t *event)
{
    if (t->progress &&
        t->progress(DESURV_STAGE_REFIT, 0, 1, r->best, t->progress_user) != 0)
        return dsv_tfail(t, DESURV_E_CANCELLED, "cancelled by the progress callback");
    double saved[DESURV_OPT_COUNT];
    memcpy(saved, m->opt, sizeof saved);
    point_options(r, t->chosen_par, m->opt);
    if (!t->opt[DESURV_TOPT_REFIT])
        return DESURV_OK;
    int rc = desurv_fit(m, X, p, n, ldx, time, event);
    if (rc != DESURV_OK) {
        memcpy(m->opt, saved, sizeof saved);
        return dsv_tfail(t, rc, "the final refit failed: %s", desurv_errmsg(m));
    }
    return DESURV_OK;
}

/* ---- desurv_tune ------------------------------------------------------- */

static void reset_results(desurv_tuner *t)
{
    dsv_history_free(&t->hist);
    free(t->surface), free(t->fold), free(t->warnings);
    t->surface = NULL, t->fold = NULL, t->warnings = NULL;
    t->surface_len = t->fold_n = 0;
    t->chosen_valid = 0;
    t->errmsg[0] = '\0';
}

static int check_inputs(desurv_tuner *t, const desurv_model *m, const double *X, int64_t p,
                        int64_t n, int64_t ldx, const double *time, const int32_t *event)
{
    if (!m || !X || !time || !event)
        return dsv_tfail(t, DESURV_E_NULL, "desurv_tune: %s is NULL",
                         !m ? "the model" : !X ? "X" : !time ? "time" : "event");
    int64_t n_events = 0;
    int rc = dsv_check_matrix(t->errmsg, sizeof t->errmsg, "X", X, p, n, ldx, 1);
    if (rc == DESURV_OK)
        rc = dsv_check_survival(t->errmsg, sizeof t->errmsg, time, event, n, &n_events);
    if (rc == DESURV_OK && t->opt[DESURV_TOPT_METHOD] != 0 &&
        (int)t->opt[DESURV_TOPT_RULE] == DSV_RULE_LCB)
        rc = dsv_tfail(t, DESURV_E_RANGE, "rule lcb needs the Gaussian process of Bayesian "
                       "optimisation; grid search supports max, 1se, 1se-recon and "
                       "1se-parsimony");
    return rc;
}

static int search(run *r, const double *time, const int32_t *event)
{
    desurv_tuner *t = r->t;
    int grid = t->opt[DESURV_TOPT_METHOD] != 0;
    int rc = grid ? run_grid(r, time, event) : run_design(r, time, event);
    if (rc == DESURV_OK && !grid)
        rc = run_search(r, time, event);
    if (rc == DESURV_E_CANCELLED)
        return dsv_tfail(t, rc, "cancelled by the progress callback");
    if (rc != DESURV_OK)
        return rc;
    dsv_gp gp = {0};
    int with_gp = !grid && r->sp->d > 0 && t->hist.len > 0;
    if (with_gp && (rc = final_gp(r, &gp)) != DESURV_OK)
        return dsv_tfail(t, rc, "fitting the final Gaussian process failed");
    rc = choose(r, with_gp ? &gp : NULL);
    if (rc == DESURV_OK && with_gp)
        rc = make_surface(r, &gp);
    dsv_gp_free(&gp);
    return rc;
}

int desurv_tune(desurv_tuner *t, desurv_model *m, const double *X, int64_t p, int64_t n,
                int64_t ldx, const double *time, const int32_t *event)
{
    if (!t)
        return DESURV_E_NULL;
    reset_results(t);
    int rc = check_inputs(t, m, X, p, n, ldx, time, event);
    space sp;
    if (rc == DESURV_OK)
        rc = build_space(t, m, &sp);
    int64_t K = 0;
    if (rc == DESURV_OK)
        rc = make_folds(t, n, event, &K);
    /* the warm-start points become the start of this run's history */
    if (rc == DESURV_OK && (rc = dsv_history_copy(&t->hist, &t->warm)) == DESURV_OK &&
        t->hist.len && t->hist.folds != K) {
        rc = dsv_tfail(t, DESURV_E_DIM, "warm-start points have %lld folds, the run %lld",
                       (long long)t->hist.folds, (long long)K);
    }
    run r = {.t = t, .m = m, .sp = &sp, .n = n, .K = K, .best = NAN};
    if (rc == DESURV_OK)
        rc = dsv_cv_prepare(&r.cv, X, p, n, ldx, time, event, t->fold, K,
                            (int)m->opt[DESURV_OPT_TIES], (uint64_t)t->opt[DESURV_TOPT_SEED]);
    if (rc == DESURV_OK)
        rc = check_k_range(t, &sp, &r.cv, p);
    if (rc == DESURV_OK)
        rc = fold_warnings(t, &r.cv);
    if (rc == DESURV_OK)
        rc = thread_warning(t, &r);
    if (rc == DESURV_OK) {
        r.best_mode = t->opt[DESURV_TOPT_START_MODE] != 0;
        r.nstarts = (int64_t)t->opt[DESURV_TOPT_STARTS];
        r.batch = r.best_mode ? r.nstarts : (int64_t)t->opt[DESURV_TOPT_BATCH];
        r.nblocks = (r.nstarts + r.batch - 1) / r.batch;
        r.nres = r.best_mode ? 1 : r.nstarts;
        for (int64_t i = 0; i < t->hist.len; i++)
            if (isfinite(t->hist.e[i].mean) && !(t->hist.e[i].mean <= r.best))
                r.best = t->hist.e[i].mean;
        rc = search(&r, time, event);
    }
    if (rc == DESURV_OK) {
        dsv_history_free(&t->warm);
        rc = refit(t, m, &r, X, p, n, ldx, time, event);
    }
    dsv_cv_free(&r.cv);
    if (rc == DESURV_E_NOMEM && !t->errmsg[0])
        dsv_tfail(t, rc, "out of memory");
    if (rc != DESURV_OK)
        t->chosen_valid = 0;
    return rc;
}
