/* test_tune.c - contract tests of model selection (desurv_tuner_*,
 * desurv_tune) and of progress reporting and cancellation (public ABI only).
 *
 * Links only libdesurv.so.  The runs use a small simulated data set and
 * tiny budgets (3 folds, 2-3 starts, maxit 50) so that a run takes about a
 * tenth of a second natively; what is checked is the contract, not the
 * quality of the choice: the documented history order and summaries
 * (recomputed here from the per-fold C-indices), the selection rules
 * (recomputed here from the history), determinism across threads and
 * batch sizes, user and stratified folds, warm starts, the progress
 * protocol and that cancellation at any callback leaves the model as it
 * was.  Under `meson test --setup=valgrind` the same runs are checked for
 * leaks; the exhaustive cancellation sweeps are tagged "slow". */
#define _POSIX_C_SOURCE 200809L
#include "desurv/desurv.h"

#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"

#define NP DESURV_PARAM_COUNT

/* The data set of most runs (genes x samples) and the iteration budget of
 * every fit: small, so that the suite stays quick under valgrind. */
#ifndef SMALL_P
#define SMALL_P 120
#define SMALL_N 36
#endif
#ifndef MAXIT
#define MAXIT 30
#endif

static void *xcalloc(size_t n, size_t size)
{
    void *v = calloc(n ? n : 1, size);
    ck_assert_ptr_nonnull(v);
    return v;
}

/* ---- data ---- */

typedef struct data {
    int64_t p, n;
    double *X, *time;
    int32_t *event;
} data;

/* Scenario R0 with two true factors. */
static data data_new(int64_t p, int64_t n, uint64_t seed)
{
    data d = {p, n, NULL, NULL, NULL};
    desurv_sim *s = NULL;
    ck_assert_int_eq(desurv_simulate(DESURV_SCENARIO_R0, p, n, 2, seed, &s), DESURV_OK);
    d.X = xcalloc((size_t)(p * n), sizeof *d.X);
    d.time = xcalloc((size_t)n, sizeof *d.time);
    d.event = xcalloc((size_t)n, sizeof *d.event);
    ck_assert_int_eq(desurv_sim_data(s, d.X, p, d.time, d.event), DESURV_OK);
    desurv_sim_free(s);
    return d;
}

/* The data set of most runs. */
static data small_data(void)
{
    return data_new(SMALL_P, SMALL_N, 7);
}

static void data_free(data *d)
{
    free(d->X), free(d->time), free(d->event);
    memset(d, 0, sizeof *d);
}

static int tune(desurv_tuner *t, desurv_model *m, const data *d)
{
    return desurv_tune(t, m, d->X, d->p, d->n, d->p, d->time, d->event);
}

static void tune_ok(desurv_tuner *t, desurv_model *m, const data *d)
{
    int rc = tune(t, m, d);
    ck_assert_msg(rc == DESURV_OK, "desurv_tune: %d (%s) %s", rc, desurv_strerror(rc),
                  desurv_tuner_errmsg(t));
}

/* ---- handles with small budgets ---- */

static desurv_model *small_model(void)
{
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_MAXIT, MAXIT), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_NINIT, 2), DESURV_OK);
    return m;
}

static void tset(desurv_tuner *t, desurv_tuner_option o, double v)
{
    int rc = desurv_tuner_set(t, o, v);
    ck_assert_msg(rc == DESURV_OK, "tuner option %s = %g: %d", desurv_tuner_option_name(o), v,
                  rc);
}

static void tbounds(desurv_tuner *t, desurv_param par, double lo, double hi)
{
    int rc = desurv_tuner_set_bounds(t, par, lo, hi);
    ck_assert_msg(rc == DESURV_OK, "bounds of %s [%g, %g]: %d %s", desurv_param_name(par), lo,
                  hi, rc, desurv_tuner_errmsg(t));
}

/* Bayesian optimisation over k in [2, 3] and alpha in [0.3, 0.7] (log-odds),
 * lambda fixed at 0.1, nu taken from the model; 4 design points, 2 steps,
 * 3 folds of 2 starts. */
static desurv_tuner *small_bo(void)
{
    desurv_tuner *t = NULL;
    ck_assert_int_eq(desurv_tuner_new(&t), DESURV_OK);
    ck_assert_ptr_nonnull(t);
    tset(t, DESURV_TOPT_FOLDS, 3);
    tset(t, DESURV_TOPT_STARTS, 2);
    tset(t, DESURV_TOPT_INIT_POINTS, 4);
    tset(t, DESURV_TOPT_ITERATIONS, 2);
    tbounds(t, DESURV_PARAM_K, 2, 3);
    tbounds(t, DESURV_PARAM_ALPHA, 0.3, 0.7);
    tbounds(t, DESURV_PARAM_LAMBDA, 0.1, 0.1);
    tbounds(t, DESURV_PARAM_NU, NAN, NAN);
    return t;
}

/* Grid search over k {2, 3} x alpha {0, 0.5}. */
static desurv_tuner *small_grid(void)
{
    desurv_tuner *t = NULL;
    ck_assert_int_eq(desurv_tuner_new(&t), DESURV_OK);
    tset(t, DESURV_TOPT_METHOD, 1);
    tset(t, DESURV_TOPT_FOLDS, 3);
    tset(t, DESURV_TOPT_STARTS, 2);
    const double ks[] = {2, 3}, as[] = {0, 0.5};
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_K, ks, 2), DESURV_OK);
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_ALPHA, as, 2), DESURV_OK);
    return t;
}

/* A one-point grid (k = 2, alpha 0.5), one start: the cheapest run. */
static desurv_tuner *tiny_grid(void)
{
    desurv_tuner *t = NULL;
    ck_assert_int_eq(desurv_tuner_new(&t), DESURV_OK);
    tset(t, DESURV_TOPT_METHOD, 1);
    tset(t, DESURV_TOPT_FOLDS, 3);
    tset(t, DESURV_TOPT_STARTS, 1);
    const double ks[] = {2};
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_K, ks, 1), DESURV_OK);
    return t;
}

/* ---- history snapshots ---- */

typedef struct hist {
    int64_t len, folds;
    double *par, *mean, *se, *pooled, *fc;
    double *rec, *rec_se; /* held-out reconstruction error and its se */
} hist;

static hist hist_get(const desurv_tuner *t)
{
    hist h;
    memset(&h, 0, sizeof h);
    ck_assert_int_eq(desurv_tuner_history_len(t, &h.len, &h.folds), DESURV_OK);
    h.par = xcalloc((size_t)(h.len * NP), sizeof *h.par);
    h.mean = xcalloc((size_t)h.len, sizeof *h.mean);
    h.se = xcalloc((size_t)h.len, sizeof *h.se);
    h.pooled = xcalloc((size_t)h.len, sizeof *h.pooled);
    h.fc = xcalloc((size_t)(h.len * h.folds), sizeof *h.fc);
    h.rec = xcalloc((size_t)h.len, sizeof *h.rec);
    h.rec_se = xcalloc((size_t)h.len, sizeof *h.rec_se);
    for (int64_t i = 0; i < h.len; i++) {
        ck_assert_int_eq(desurv_tuner_history(t, i, h.par + i * NP, &h.mean[i], &h.se[i],
                                              &h.pooled[i], h.fc + i * h.folds),
                         DESURV_OK);
        ck_assert_int_eq(desurv_tuner_history_recon(t, i, &h.rec[i], &h.rec_se[i]), DESURV_OK);
    }
    return h;
}

static void hist_free(hist *h)
{
    free(h->par), free(h->mean), free(h->se), free(h->pooled), free(h->fc);
    free(h->rec), free(h->rec_se);
    memset(h, 0, sizeof *h);
}

/* Entries 0 .. len-1 of a and b are bit-identical. */
static int hist_prefix_equal(const hist *a, const hist *b, int64_t len)
{
    if (a->folds != b->folds || a->len < len || b->len < len)
        return 0;
    size_t d = sizeof(double);
    return memcmp(a->par, b->par, (size_t)(len * NP) * d) == 0 &&
           memcmp(a->mean, b->mean, (size_t)len * d) == 0 &&
           memcmp(a->se, b->se, (size_t)len * d) == 0 &&
           memcmp(a->pooled, b->pooled, (size_t)len * d) == 0 &&
           memcmp(a->fc, b->fc, (size_t)(len * a->folds) * d) == 0 &&
           memcmp(a->rec, b->rec, (size_t)len * d) == 0 &&
           memcmp(a->rec_se, b->rec_se, (size_t)len * d) == 0;
}

static int hist_equal(const hist *a, const hist *b)
{
    return a->len == b->len && hist_prefix_equal(a, b, a->len);
}

/* As hist_equal, except that the reconstruction errors need only agree to
 * a relative 1e-9: batched and one-by-one starts give the same fits up to
 * the last bits of a wide versus a skinny GEMM, which a rank statistic
 * (the C-index) absorbs but a squared error does not. */
static int hist_equal_recon_tol(const hist *a, const hist *b)
{
    if (a->len != b->len || a->folds != b->folds)
        return 0;
    hist c = *b;
    c.rec = a->rec, c.rec_se = a->rec_se;
    if (!hist_equal(a, &c))
        return 0;
    for (int64_t i = 0; i < a->len; i++)
        if (!(fabs(a->rec[i] - b->rec[i]) <= 1e-9 * fabs(a->rec[i])) ||
            !(fabs(a->rec_se[i] - b->rec_se[i]) <= 1e-6 * fabs(a->rec_se[i]) + 1e-15))
            return 0;
    return 1;
}

/* Per-fold C in [0, 1] or NaN, pooled too; mean = average of the finite
 * per-fold values; se = sd / sqrt(K) over them. */
static void check_summaries(const hist *h)
{
    for (int64_t i = 0; i < h->len; i++) {
        const double *fc = h->fc + i * h->folds;
        double s = 0;
        int64_t c = 0;
        for (int64_t f = 0; f < h->folds; f++) {
            ck_assert_msg(isnan(fc[f]) || (fc[f] >= 0 && fc[f] <= 1), "entry %lld fold %lld C %g",
                          (long long)i, (long long)f, fc[f]);
            if (isfinite(fc[f]))
                s += fc[f], c++;
        }
        ck_assert(isnan(h->pooled[i]) || (h->pooled[i] >= 0 && h->pooled[i] <= 1));
        if (c == 0) {
            ck_assert(isnan(h->mean[i]));
            continue;
        }
        double mean = s / (double)c;
        ck_assert_msg(fabs(h->mean[i] - mean) <= 1e-12, "entry %lld mean %.17g, expected %.17g",
                      (long long)i, h->mean[i], mean);
        if (c < 2) {
            ck_assert(isnan(h->se[i]));
            continue;
        }
        double ss = 0;
        for (int64_t f = 0; f < h->folds; f++)
            if (isfinite(fc[f]))
                ss += (fc[f] - mean) * (fc[f] - mean);
        double se = sqrt(ss / (double)(c - 1)) / sqrt((double)c);
        ck_assert_msg(fabs(h->se[i] - se) <= 1e-12, "entry %lld se %.17g, expected %.17g",
                      (long long)i, h->se[i], se);
    }
}

static void check_no_duplicates(const hist *h)
{
    for (int64_t i = 0; i < h->len; i++)
        for (int64_t j = 0; j < i; j++)
            ck_assert_msg(memcmp(h->par + i * NP, h->par + j * NP, NP * sizeof(double)) != 0,
                          "history entries %lld and %lld are the same point", (long long)j,
                          (long long)i);
}

/* ---- the selection rules, written out from the documentation ---- */

/* -1/0/1 comparison of a and b. */
static int cmp3(double a, double b)
{
    return a < b ? -1 : a > b;
}

/* Is entry i preferred to entry j at equal means: the simpler model
 * (smaller k, smaller alpha, larger lambda, smaller nu), then the earlier
 * evaluation. */
static int simpler(const hist *h, int64_t i, int64_t j)
{
    const double *a = h->par + i * NP, *b = h->par + j * NP;
    int c = cmp3(a[DESURV_PARAM_K], b[DESURV_PARAM_K]);
    if (!c)
        c = cmp3(a[DESURV_PARAM_ALPHA], b[DESURV_PARAM_ALPHA]);
    if (!c)
        c = -cmp3(a[DESURV_PARAM_LAMBDA], b[DESURV_PARAM_LAMBDA]);
    if (!c)
        c = cmp3(a[DESURV_PARAM_NU], b[DESURV_PARAM_NU]);
    return c ? c < 0 : i < j;
}

/* Best entry by mean (finite only), restricted to k == konly unless NaN. */
static int64_t best_entry(const hist *h, double konly)
{
    int64_t best = -1;
    for (int64_t i = 0; i < h->len; i++) {
        if (!isfinite(h->mean[i]) || (!isnan(konly) && h->par[i * NP + DESURV_PARAM_K] != konly))
            continue;
        if (best < 0 || h->mean[i] > h->mean[best] ||
            (h->mean[i] == h->mean[best] && simpler(h, i, best)))
            best = i;
    }
    return best;
}

/* rule 0: the best mean; rule 1: the smallest k having a point within one
 * standard error of the best, then that k's best point. */
static int64_t ref_choice(const hist *h, int rule)
{
    int64_t best = best_entry(h, NAN);
    if (rule == 0 || best < 0)
        return best;
    double thr = h->mean[best] - (isnan(h->se[best]) ? 0 : h->se[best]);
    double kmin = INFINITY;
    for (int64_t i = 0; i < h->len; i++)
        if (isfinite(h->mean[i]) && h->mean[i] >= thr && h->par[i * NP + DESURV_PARAM_K] < kmin)
            kmin = h->par[i * NP + DESURV_PARAM_K];
    return best_entry(h, kmin);
}

/* rule 3 (1se-recon): among the entries whose mean reaches best mean -
 * best se, the lowest held-out reconstruction error (NaN last); equal
 * errors: the better entry by mean and tie-break. */
static int64_t ref_recon_choice(const hist *h)
{
    int64_t best = best_entry(h, NAN), pick = -1;
    double thr = h->mean[best] - (isnan(h->se[best]) ? 0 : h->se[best]);
    for (int64_t i = 0; i < h->len; i++) {
        if (!isfinite(h->mean[i]) || h->mean[i] < thr)
            continue;
        if (pick < 0 || (isnan(h->rec[pick]) && !isnan(h->rec[i])) ||
            h->rec[i] < h->rec[pick] ||
            (h->rec[i] == h->rec[pick] &&
             (h->mean[i] > h->mean[pick] || (h->mean[i] == h->mean[pick] && simpler(h, i, pick)))))
            pick = i;
    }
    return pick;
}

/* rule 4 (1se-parsimony): r = rule 3's entry; the smallest k having an
 * entry within one se of the best mean whose error is at most r's + r's
 * se; at that k, among its entries within one se of its best mean, the
 * smallest alpha, larger lambda, smaller nu, earlier; the mean no longer
 * ranks them.  Without a finite error on the plateau: rule 1. */
static int64_t ref_parsimony_choice(const hist *h)
{
    int64_t best = best_entry(h, NAN), r = ref_recon_choice(h), pick = -1;
    if (r < 0 || !isfinite(h->rec[r]))
        return ref_choice(h, 1);
    double thr = h->mean[best] - (isnan(h->se[best]) ? 0 : h->se[best]);
    double rthr = h->rec[r] + (isnan(h->rec_se[r]) ? 0 : h->rec_se[r]), k = INFINITY;
    for (int64_t i = 0; i < h->len; i++)
        if (isfinite(h->mean[i]) && h->mean[i] >= thr && isfinite(h->rec[i]) &&
            h->rec[i] <= rthr && h->par[i * NP + DESURV_PARAM_K] < k)
            k = h->par[i * NP + DESURV_PARAM_K];
    int64_t kb = best_entry(h, k);
    double kthr = h->mean[kb] - (isnan(h->se[kb]) ? 0 : h->se[kb]);
    for (int64_t i = 0; i < h->len; i++)
        if (isfinite(h->mean[i]) && h->par[i * NP + DESURV_PARAM_K] == k &&
            h->mean[i] >= kthr && (pick < 0 || simpler(h, i, pick)))
            pick = i;
    return pick;
}

/* The choice is a valid history entry, and the one rule picks. */
static void check_choice(const desurv_tuner *t, const hist *h, int rule)
{
    double par[NP];
    int64_t idx = -1;
    ck_assert_int_eq(desurv_tuner_choice(t, par, &idx), DESURV_OK);
    ck_assert(idx >= 0 && idx < h->len);
    ck_assert(memcmp(par, h->par + idx * NP, sizeof par) == 0);
    ck_assert(isfinite(h->mean[idx]));
    if (rule == 0 || rule == 1 || rule == 3 || rule == 4) {
        int64_t want = rule == 4   ? ref_parsimony_choice(h)
                       : rule == 3 ? ref_recon_choice(h)
                                   : ref_choice(h, rule);
        ck_assert_msg(idx == want, "rule %d chose entry %lld, expected %lld", rule,
                      (long long)idx, (long long)want);
    }
    ck_assert_int_eq(desurv_tuner_choice(t, NULL, NULL), DESURV_OK);
}

/* The model was refitted at the choice: its options hold the chosen
 * hyperparameters and it is fitted on all samples. */
static void check_refit(const desurv_tuner *t, const desurv_model *m, const data *d)
{
    double par[NP], v;
    ck_assert_int_eq(desurv_tuner_choice(t, par, NULL), DESURV_OK);
    static const desurv_option opt[] = {DESURV_OPT_K,  DESURV_OPT_ALPHA,    DESURV_OPT_LAMBDA,
                                        DESURV_OPT_NU, DESURV_OPT_LAMBDA_W, DESURV_OPT_LAMBDA_H};
    for (int q = 0; q < 6; q++) {
        ck_assert_int_eq(desurv_get_option(m, opt[q], &v), DESURV_OK);
        ck_assert_msg(v == par[q], "option %s = %.17g, chosen %.17g", desurv_option_name(opt[q]),
                      v, par[q]);
    }
    int64_t p = 0, n = 0, k = 0;
    ck_assert_int_eq(desurv_model_dims(m, &p, &n, &k), DESURV_OK);
    ck_assert_int_eq(p, d->p);
    ck_assert_int_eq(n, d->n);
    ck_assert_int_eq(k, (int64_t)par[DESURV_PARAM_K]);
}

/* ---- model snapshots ---- */

typedef struct msnap {
    double opt[DESURV_OPT_COUNT];
    int fitted;
    int64_t p, n, k;
    double *W, *beta, loss;
} msnap;

static msnap msnap_get(const desurv_model *m)
{
    msnap s;
    memset(&s, 0, sizeof s);
    for (int o = 0; o < DESURV_OPT_COUNT; o++)
        ck_assert_int_eq(desurv_get_option(m, (desurv_option)o, &s.opt[o]), DESURV_OK);
    int rc = desurv_model_dims(m, &s.p, &s.n, &s.k);
    ck_assert(rc == DESURV_OK || rc == DESURV_E_NOT_FITTED);
    s.fitted = rc == DESURV_OK;
    if (s.fitted) {
        s.W = xcalloc((size_t)(s.p * s.k), sizeof *s.W);
        s.beta = xcalloc((size_t)s.k, sizeof *s.beta);
        ck_assert_int_eq(desurv_model_W(m, s.W, s.p), DESURV_OK);
        ck_assert_int_eq(desurv_model_beta(m, s.beta), DESURV_OK);
        ck_assert_int_eq(desurv_model_stat(m, DESURV_STAT_LOSS, &s.loss), DESURV_OK);
    }
    return s;
}

static void msnap_free(msnap *s)
{
    free(s->W), free(s->beta);
    memset(s, 0, sizeof *s);
}

static void assert_model_unchanged(const desurv_model *m, const msnap *s)
{
    msnap now = msnap_get(m);
    for (int o = 0; o < DESURV_OPT_COUNT; o++)
        ck_assert_msg(memcmp(&now.opt[o], &s->opt[o], sizeof(double)) == 0,
                      "option %s changed: %.17g -> %.17g", desurv_option_name((desurv_option)o),
                      s->opt[o], now.opt[o]);
    ck_assert_int_eq(now.fitted, s->fitted);
    if (s->fitted) {
        ck_assert(now.p == s->p && now.n == s->n && now.k == s->k);
        ck_assert(memcmp(now.W, s->W, (size_t)(s->p * s->k) * sizeof *s->W) == 0);
        ck_assert(memcmp(now.beta, s->beta, (size_t)s->k * sizeof *s->beta) == 0);
        ck_assert(memcmp(&now.loss, &s->loss, sizeof s->loss) == 0);
    }
    msnap_free(&now);
}

/* ---- progress recorder ---- */

#define MAXREC 8192

typedef struct rec {
    int64_t calls, cancel_at; /* cancel_at > 0: return 1 at that call */
    int stage[MAXREC];
    int64_t step[MAXREC], total[MAXREC];
    double best[MAXREC];
    pthread_t caller;
    int64_t off_thread, overlap;
    atomic_int inside;
} rec;

static rec *rec_new(int64_t cancel_at)
{
    rec *r = xcalloc(1, sizeof *r);
    r->cancel_at = cancel_at;
    r->caller = pthread_self();
    atomic_init(&r->inside, 0);
    return r;
}

static int rec_cb(int stage, int64_t step, int64_t total, double best, void *user)
{
    rec *r = user;
    if (atomic_fetch_add(&r->inside, 1) != 0)
        r->overlap++;
    if (!pthread_equal(pthread_self(), r->caller))
        r->off_thread++;
    if (r->calls < MAXREC) {
        r->stage[r->calls] = stage;
        r->step[r->calls] = step;
        r->total[r->calls] = total;
        r->best[r->calls] = best;
    }
    r->calls++;
    int stop = r->cancel_at > 0 && r->calls == r->cancel_at;
    atomic_fetch_sub(&r->inside, 1);
    return stop;
}

/* ====================================================================== */
/*  Options, bounds, grids, argument errors (no runs)                      */
/* ====================================================================== */

typedef struct topt_expect {
    const char *name;
    double def;
    double good[3]; /* valid values (NaN: unused) */
    double bad[4];  /* invalid values (NaN slots unused; NaN itself is tested separately) */
} topt_expect;

#define U NAN
static const topt_expect texp[DESURV_TOPT_COUNT] = {
    {"folds", 5, {2, 100, 7}, {1, 101, 2.5, -INFINITY}},
    {"starts", 30, {1, 3, 1000}, {0, -1, 1.5, INFINITY}},
    {"start_mode", 0, {0, 1, U}, {-1, 2, 0.5, INFINITY}},
    {"method", 0, {0, 1, U}, {-1, 2, 0.5, INFINITY}},
    {"init_points", 0, {0, 12, 1}, {-1, 0.5, INFINITY, U}},
    {"iterations", 20, {0, 3, 100}, {-1, 2.5, INFINITY, U}},
    {"rule", 1, {0, 2, 4}, {-1, 5, 1.5, INFINITY}},
    {"xi", 0, {0, 0.01, 0.5}, {-1e-9, -1, -INFINITY, U}},
    {"lcb_z", 1.645, {1, 2.5, 0.5}, {-1, -1e-9, -INFINITY, U}},
    {"pool", 0, {0, 500, 2000}, {-1, 0.5, INFINITY, U}},
    {"alpha_scale", 0, {0, 1, U}, {-1, 2, 0.5, INFINITY}},
    {"seed", 1, {0, 9007199254740992.0, 12345}, {-1, 0.5, 18014398509481984.0, INFINITY}},
    {"threads", 1, {1, 256, 4}, {0, 257, 1.5, INFINITY}},
    {"batch", 10, {1, 7, 100}, {0, -1, 1.5, INFINITY}},
    {"refit", 1, {0, 1, U}, {-1, 2, 0.5, INFINITY}},
};
#undef U

START_TEST(topt_default_and_name)
{
    desurv_tuner *t = NULL;
    ck_assert_int_eq(desurv_tuner_new(&t), DESURV_OK);
    desurv_tuner_option id = (desurv_tuner_option)_i;
    double v = -99;
    ck_assert_int_eq(desurv_tuner_get(t, id, &v), DESURV_OK);
    ck_assert_msg(v == texp[_i].def, "%s default %g, expected %g", texp[_i].name, v,
                  texp[_i].def);
    ck_assert_str_eq(desurv_tuner_option_name(id), texp[_i].name);
    desurv_tuner_option back = (desurv_tuner_option)-1;
    ck_assert_int_eq(desurv_tuner_option_by_name(texp[_i].name, &back), DESURV_OK);
    ck_assert_int_eq((int)back, _i);
    desurv_tuner_free(t);
}
END_TEST

START_TEST(topt_round_trip)
{
    desurv_tuner *t = NULL;
    ck_assert_int_eq(desurv_tuner_new(&t), DESURV_OK);
    desurv_tuner_option id;
    ck_assert_int_eq(desurv_tuner_option_by_name(texp[_i].name, &id), DESURV_OK);
    for (int j = 0; j < 3; j++) {
        double want = texp[_i].good[j];
        if (isnan(want))
            continue;
        ck_assert_msg(desurv_tuner_set(t, id, want) == DESURV_OK, "%s = %g rejected: %s",
                      texp[_i].name, want, desurv_tuner_errmsg(t));
        double v = NAN;
        ck_assert_int_eq(desurv_tuner_get(t, id, &v), DESURV_OK);
        ck_assert_msg(v == want, "%s: set %g, got %g", texp[_i].name, want, v);
    }
    desurv_tuner_free(t);
}
END_TEST

START_TEST(topt_range_errors)
{
    desurv_tuner *t = NULL;
    ck_assert_int_eq(desurv_tuner_new(&t), DESURV_OK);
    desurv_tuner_option id = (desurv_tuner_option)_i;
    double before;
    ck_assert_int_eq(desurv_tuner_get(t, id, &before), DESURV_OK);
    double bad[5];
    memcpy(bad, texp[_i].bad, sizeof texp[_i].bad);
    bad[4] = NAN;
    for (int j = 0; j < 5; j++) {
        if (j < 4 && isnan(bad[j]))
            continue;
        ck_assert_msg(desurv_tuner_set(t, id, bad[j]) == DESURV_E_RANGE, "%s = %g accepted",
                      texp[_i].name, bad[j]);
        const char *msg = desurv_tuner_errmsg(t);
        ck_assert_ptr_nonnull(msg);
        ck_assert_msg(strstr(msg, texp[_i].name) != NULL, "message \"%s\" lacks \"%s\"", msg,
                      texp[_i].name);
        double v;
        ck_assert_int_eq(desurv_tuner_get(t, id, &v), DESURV_OK);
        ck_assert_msg(memcmp(&v, &before, sizeof v) == 0, "%s changed by a refused set",
                      texp[_i].name);
    }
    desurv_tuner_free(t);
}
END_TEST

START_TEST(topt_unknown_and_null)
{
    desurv_tuner *t = NULL;
    ck_assert_int_eq(desurv_tuner_new(NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_new(&t), DESURV_OK);
    ck_assert_str_eq(desurv_tuner_errmsg(t), "");
    ck_assert_str_eq(desurv_tuner_warnings(t), "");
    double v;
    const int badid[] = {-1, DESURV_TOPT_COUNT, 1000};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(desurv_tuner_set(t, (desurv_tuner_option)badid[i], 1), DESURV_E_OPTION);
        ck_assert_int_eq(desurv_tuner_get(t, (desurv_tuner_option)badid[i], &v), DESURV_E_OPTION);
        ck_assert_ptr_null(desurv_tuner_option_name((desurv_tuner_option)badid[i]));
        ck_assert_ptr_null(desurv_param_name((desurv_param)badid[i]));
    }
    ck_assert_ptr_null(desurv_param_name((desurv_param)DESURV_PARAM_COUNT));
    desurv_tuner_option o;
    desurv_param par;
    ck_assert_int_eq(desurv_tuner_option_by_name("Folds", &o), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_tuner_option_by_name("", &o), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_tuner_option_by_name(NULL, &o), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_option_by_name("folds", NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_param_by_name("K", &par), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_param_by_name("tol", &par), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_param_by_name(NULL, &par), DESURV_E_NULL);
    ck_assert_int_eq(desurv_param_by_name("k", NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_set(NULL, DESURV_TOPT_FOLDS, 3), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_get(NULL, DESURV_TOPT_FOLDS, &v), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_get(t, DESURV_TOPT_FOLDS, NULL), DESURV_E_NULL);
    ck_assert_ptr_nonnull(desurv_tuner_errmsg(NULL));
    ck_assert_str_eq(desurv_tuner_warnings(NULL), "");
    desurv_tuner_free(t);
    desurv_tuner_free(NULL);
}
END_TEST

static const char *const pnames[NP] = {"k", "alpha", "lambda", "nu", "lambda_w", "lambda_h",
                                       "ntop"};

START_TEST(param_names_and_default_bounds)
{
    desurv_tuner *t = NULL;
    ck_assert_int_eq(desurv_tuner_new(&t), DESURV_OK);
    static const double lo[NP] = {2, 1e-4, 1e-5, 0, NAN, NAN, NAN};
    static const double hi[NP] = {12, 0.9999, 1e5, 1, NAN, NAN, NAN};
    for (int q = 0; q < NP; q++) {
        ck_assert_str_eq(desurv_param_name((desurv_param)q), pnames[q]);
        desurv_param back = (desurv_param)-1;
        ck_assert_int_eq(desurv_param_by_name(pnames[q], &back), DESURV_OK);
        ck_assert_int_eq((int)back, q);
        double a = -1, b = -1;
        ck_assert_int_eq(desurv_tuner_get_bounds(t, (desurv_param)q, &a, &b), DESURV_OK);
        if (isnan(lo[q]))
            ck_assert_msg(isnan(a) && isnan(b), "%s bounds [%g, %g], expected NaN", pnames[q], a,
                          b);
        else
            ck_assert_msg(a == lo[q] && b == hi[q], "%s bounds [%g, %g]", pnames[q], a, b);
    }
    double a, b;
    ck_assert_int_eq(desurv_tuner_get_bounds(t, (desurv_param)NP, &a, &b), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_tuner_get_bounds(t, (desurv_param)-1, &a, &b), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_tuner_get_bounds(NULL, DESURV_PARAM_K, &a, &b), DESURV_E_NULL);
    desurv_tuner_free(t);
}
END_TEST

static void expect_bounds(const desurv_tuner *t, desurv_param par, double lo, double hi)
{
    double a, b;
    ck_assert_int_eq(desurv_tuner_get_bounds(t, par, &a, &b), DESURV_OK);
    ck_assert_msg((a == lo || (isnan(a) && isnan(lo))) && (b == hi || (isnan(b) && isnan(hi))),
                  "%s bounds [%g, %g], expected [%g, %g]", desurv_param_name(par), a, b, lo, hi);
}

static void bounds_refused(desurv_tuner *t, desurv_param par, double lo, double hi)
{
    double a0, b0;
    ck_assert_int_eq(desurv_tuner_get_bounds(t, par, &a0, &b0), DESURV_OK);
    int rc = desurv_tuner_set_bounds(t, par, lo, hi);
    ck_assert_msg(rc == DESURV_E_RANGE, "%s [%g, %g]: %d", desurv_param_name(par), lo, hi, rc);
    ck_assert_msg(strlen(desurv_tuner_errmsg(t)) > 0, "no message for %s [%g, %g]",
                  desurv_param_name(par), lo, hi);
    expect_bounds(t, par, a0, b0); /* unchanged */
}

START_TEST(set_bounds_contract)
{
    desurv_tuner *t = NULL;
    ck_assert_int_eq(desurv_tuner_new(&t), DESURV_OK);
    /* valid ranges round-trip */
    tbounds(t, DESURV_PARAM_K, 3, 5);
    expect_bounds(t, DESURV_PARAM_K, 3, 5);
    tbounds(t, DESURV_PARAM_LAMBDA, 1e-3, 10);
    expect_bounds(t, DESURV_PARAM_LAMBDA, 1e-3, 10);
    tbounds(t, DESURV_PARAM_LAMBDA_W, 0.5, 2);
    expect_bounds(t, DESURV_PARAM_LAMBDA_W, 0.5, 2);
    tbounds(t, DESURV_PARAM_NTOP, 10, 50);
    expect_bounds(t, DESURV_PARAM_NTOP, 10, 50);
    /* lo == hi fixes a parameter, also at 0 on a log scale */
    tbounds(t, DESURV_PARAM_LAMBDA, 0, 0);
    expect_bounds(t, DESURV_PARAM_LAMBDA, 0, 0);
    tbounds(t, DESURV_PARAM_ALPHA, 0, 0);
    expect_bounds(t, DESURV_PARAM_ALPHA, 0, 0);
    /* NaN, NaN: not searched */
    tbounds(t, DESURV_PARAM_NU, NAN, NAN);
    expect_bounds(t, DESURV_PARAM_NU, NAN, NAN);
    tbounds(t, DESURV_PARAM_NU, 0.2, 0.8);
    expect_bounds(t, DESURV_PARAM_NU, 0.2, 0.8);

    /* errors leave the range as it was */
    bounds_refused(t, DESURV_PARAM_K, 5, 3);           /* lo > hi */
    bounds_refused(t, DESURV_PARAM_NU, 0.9, 0.1);
    bounds_refused(t, DESURV_PARAM_LAMBDA, 0, 1);      /* log scale, lo <= 0 */
    bounds_refused(t, DESURV_PARAM_LAMBDA, -1, 1);
    bounds_refused(t, DESURV_PARAM_LAMBDA_H, 0, 1);
    bounds_refused(t, DESURV_PARAM_K, 0, 3);           /* k >= 1 */
    bounds_refused(t, DESURV_PARAM_K, 2, 3.5);         /* k integral */
    bounds_refused(t, DESURV_PARAM_NTOP, 1.5, 4);
    bounds_refused(t, DESURV_PARAM_NTOP, -1, 4);
    bounds_refused(t, DESURV_PARAM_NU, 0, 1.5);        /* outside the option's bounds */
    bounds_refused(t, DESURV_PARAM_ALPHA, 0.1, 1.0);
    bounds_refused(t, DESURV_PARAM_ALPHA, -0.1, 0.5);
    bounds_refused(t, DESURV_PARAM_K, NAN, 3);         /* one NaN */
    bounds_refused(t, DESURV_PARAM_K, 2, NAN);
    bounds_refused(t, DESURV_PARAM_LAMBDA, 1, INFINITY);
    ck_assert_int_eq(desurv_tuner_set_bounds(t, (desurv_param)NP, 1, 2), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_tuner_set_bounds(t, (desurv_param)-1, 1, 2), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_tuner_set_bounds(NULL, DESURV_PARAM_K, 2, 3), DESURV_E_NULL);
    desurv_tuner_free(t);
}
END_TEST

START_TEST(set_grid_contract)
{
    desurv_tuner *t = NULL;
    ck_assert_int_eq(desurv_tuner_new(&t), DESURV_OK);
    const double ks[] = {2, 3, 4}, as[] = {0, 0.5, 0.9}, lam[] = {0, 1e-3, 1e3};
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_K, ks, 3), DESURV_OK);
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_ALPHA, as, 3), DESURV_OK);
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_LAMBDA, lam, 3), DESURV_OK);
    const double badk[] = {2, 0}, bada[] = {0.5, 1.0}, badn[] = {-0.1}, badnt[] = {2.5};
    const double nan1[] = {NAN}, badk2[] = {2.5};
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_K, badk, 2), DESURV_E_RANGE);
    ck_assert(strlen(desurv_tuner_errmsg(t)) > 0);
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_K, badk2, 1), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_ALPHA, bada, 2), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_NU, badn, 1), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_NTOP, badnt, 1), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_LAMBDA, nan1, 1), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_tuner_set_grid(t, (desurv_param)NP, ks, 1), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_tuner_set_grid(NULL, DESURV_PARAM_K, ks, 1), DESURV_E_NULL);
    /* clearing */
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_K, NULL, 3), DESURV_OK);
    ck_assert_int_eq(desurv_tuner_set_grid(t, DESURV_PARAM_ALPHA, as, 0), DESURV_OK);
    desurv_tuner_free(t);
}
END_TEST

START_TEST(getters_before_run)
{
    desurv_tuner *t = NULL;
    ck_assert_int_eq(desurv_tuner_new(&t), DESURV_OK);
    int64_t len = -1, folds = -1;
    ck_assert_int_eq(desurv_tuner_history_len(t, &len, &folds), DESURV_OK);
    ck_assert_int_eq(len, 0);
    ck_assert_int_eq(desurv_tuner_history_len(t, &len, NULL), DESURV_OK);
    ck_assert_int_eq(desurv_tuner_history_len(t, NULL, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_history_len(NULL, &len, NULL), DESURV_E_NULL);
    double par[NP], mean;
    ck_assert_int_eq(desurv_tuner_history(t, 0, par, &mean, NULL, NULL, NULL), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_tuner_history(t, -1, par, &mean, NULL, NULL, NULL), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_tuner_history(NULL, 0, par, NULL, NULL, NULL, NULL), DESURV_E_NULL);
    int64_t idx;
    ck_assert_int_eq(desurv_tuner_choice(t, par, &idx), DESURV_E_NOT_FITTED);
    ck_assert_int_eq(desurv_tuner_choice(NULL, par, &idx), DESURV_E_NULL);
    double k[4], a[4], mu[4], sd[4];
    ck_assert_int_eq(desurv_tuner_surface(t, k, a, mu, sd, 4, &len), DESURV_E_NOT_FITTED);
    ck_assert_int_eq(desurv_tuner_surface(t, k, a, mu, sd, 4, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_surface(NULL, k, a, mu, sd, 4, &len), DESURV_E_NULL);
    int32_t f[10];
    ck_assert_int_eq(desurv_tuner_folds(t, f, 10), DESURV_E_NOT_FITTED);
    ck_assert_int_eq(desurv_tuner_folds(t, NULL, 10), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_folds(NULL, f, 10), DESURV_E_NULL);
    desurv_tuner_free(t);
}
END_TEST

START_TEST(labels_and_history_arguments)
{
    desurv_tuner *t = NULL;
    ck_assert_int_eq(desurv_tuner_new(&t), DESURV_OK);
    const int32_t lab[4] = {0, 1, 0, 1};
    ck_assert_int_eq(desurv_tuner_set_folds(NULL, lab, 4), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_set_folds(t, lab, 0), DESURV_E_DIM);
    ck_assert_int_eq(desurv_tuner_set_folds(t, lab, -3), DESURV_E_DIM);
    ck_assert_int_eq(desurv_tuner_set_folds(t, lab, 4), DESURV_OK);
    ck_assert_int_eq(desurv_tuner_set_folds(t, NULL, 0), DESURV_OK); /* clears */
    ck_assert_int_eq(desurv_tuner_set_strata(NULL, lab, 4), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_set_strata(t, lab, 0), DESURV_E_DIM);
    ck_assert_int_eq(desurv_tuner_set_strata(t, lab, 4), DESURV_OK);
    ck_assert_int_eq(desurv_tuner_set_strata(t, NULL, 0), DESURV_OK);
    ck_assert_int_eq(desurv_tuner_set_progress(NULL, rec_cb, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_set_progress(t, rec_cb, NULL), DESURV_OK);
    ck_assert_int_eq(desurv_tuner_set_progress(t, NULL, NULL), DESURV_OK);
    ck_assert_int_eq(desurv_set_progress(NULL, rec_cb, NULL), DESURV_E_NULL);

    double par[NP] = {2, 0.5, 0.1, 0.5, 0, 0, 0}, fc[3] = {0.6, 0.7, 0.8};
    ck_assert_int_eq(desurv_tuner_add_history(NULL, par, 0.7, 0.05, fc, 3), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_add_history(t, NULL, 0.7, 0.05, fc, 3), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_add_history(t, par, NAN, 0.05, fc, 3), DESURV_E_NONFINITE);
    ck_assert_int_eq(desurv_tuner_add_history(t, par, INFINITY, 0.05, fc, 3),
                     DESURV_E_NONFINITE);
    ck_assert_int_eq(desurv_tuner_add_history(t, par, 0.7, NAN, fc, 3), DESURV_E_NONFINITE);
    par[DESURV_PARAM_ALPHA] = NAN;
    ck_assert_int_eq(desurv_tuner_add_history(t, par, 0.7, 0.05, fc, 3), DESURV_E_NONFINITE);
    ck_assert(strlen(desurv_tuner_errmsg(t)) > 0);
    par[DESURV_PARAM_ALPHA] = 0.5;
    ck_assert_int_eq(desurv_tuner_add_history(t, par, 0.7, 0.05, fc, 3), DESURV_OK);
    /* the history of the last run is not touched by add_history */
    int64_t len = -1;
    ck_assert_int_eq(desurv_tuner_history_len(t, &len, NULL), DESURV_OK);
    ck_assert_int_eq(len, 0);
    desurv_tuner_free(t); /* frees the pending warm-start points */
}
END_TEST

/* ====================================================================== */
/*  Grid search                                                            */
/* ====================================================================== */

START_TEST(grid_search)
{
    data d = small_data();
    desurv_model *m = small_model();
    desurv_tuner *t = small_grid();
    /* nu and lambda are not on the grid: the model's values are used */
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_NU, 0.25), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_LAMBDA, 0.05), DESURV_OK);
    tune_ok(t, m, &d);
    hist h = hist_get(t);
    ck_assert_int_eq(h.len, 4);
    ck_assert_int_eq(h.folds, 3);
    /* the documented order: the Cartesian product with k varying slowest */
    const double want_k[] = {2, 2, 3, 3}, want_a[] = {0, 0.5, 0, 0.5};
    for (int64_t i = 0; i < 4; i++) {
        const double *p = h.par + i * NP;
        ck_assert_msg(p[DESURV_PARAM_K] == want_k[i] && p[DESURV_PARAM_ALPHA] == want_a[i],
                      "entry %lld is (k %g, alpha %g)", (long long)i, p[DESURV_PARAM_K],
                      p[DESURV_PARAM_ALPHA]);
        ck_assert(p[DESURV_PARAM_NU] == 0.25);
        ck_assert(p[DESURV_PARAM_LAMBDA] == 0.05);
        ck_assert(p[DESURV_PARAM_LAMBDA_W] == 0 && p[DESURV_PARAM_LAMBDA_H] == 0);
        ck_assert(p[DESURV_PARAM_NTOP] == 0);
        ck_assert(isfinite(h.mean[i]));
    }
    check_summaries(&h);
    check_choice(t, &h, 1);
    check_refit(t, m, &d);
    double v;
    ck_assert_int_eq(desurv_get_option(m, DESURV_OPT_MAXIT, &v), DESURV_OK);
    ck_assert(v == MAXIT); /* options that are not hyperparameters are kept */
    ck_assert_int_eq(desurv_get_option(m, DESURV_OPT_NINIT, &v), DESURV_OK);
    ck_assert(v == 2);
    /* the surface is a Bayesian-optimisation product */
    int64_t len;
    ck_assert_int_eq(desurv_tuner_surface(t, NULL, NULL, NULL, NULL, 0, &len),
                     DESURV_E_NOT_FITTED);
    ck_assert_str_eq(desurv_tuner_warnings(t), "");

    /* rule max on the same setting: the same history, the best mean */
    tset(t, DESURV_TOPT_RULE, 0);
    desurv_model *m2 = small_model();
    ck_assert_int_eq(desurv_set_option(m2, DESURV_OPT_NU, 0.25), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m2, DESURV_OPT_LAMBDA, 0.05), DESURV_OK);
    tune_ok(t, m2, &d);
    hist h2 = hist_get(t);
    ck_assert(hist_equal(&h, &h2));
    check_choice(t, &h2, 0);
    check_refit(t, m2, &d);

    /* refit = 0: options set to the choice, the model left unfitted */
    tset(t, DESURV_TOPT_REFIT, 0);
    desurv_model *m3 = small_model();
    ck_assert_int_eq(desurv_set_option(m3, DESURV_OPT_NU, 0.25), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m3, DESURV_OPT_LAMBDA, 0.05), DESURV_OK);
    tune_ok(t, m3, &d);
    ck_assert_int_eq(desurv_model_dims(m3, NULL, NULL, NULL), DESURV_E_NOT_FITTED);
    double par[NP];
    ck_assert_int_eq(desurv_tuner_choice(t, par, NULL), DESURV_OK);
    ck_assert_int_eq(desurv_get_option(m3, DESURV_OPT_K, &v), DESURV_OK);
    ck_assert(v == par[DESURV_PARAM_K]);
    ck_assert_int_eq(desurv_get_option(m3, DESURV_OPT_ALPHA, &v), DESURV_OK);
    ck_assert(v == par[DESURV_PARAM_ALPHA]);

    hist_free(&h), hist_free(&h2);
    desurv_model_free(m), desurv_model_free(m2), desurv_model_free(m3);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

/* ====================================================================== */
/*  Bayesian optimisation                                                  */
/* ====================================================================== */

static void check_bo_history(const hist *h, double klo, double khi, double alo, double ahi)
{
    for (int64_t i = 0; i < h->len; i++) {
        const double *p = h->par + i * NP;
        ck_assert_msg(p[DESURV_PARAM_K] == floor(p[DESURV_PARAM_K]) &&
                          p[DESURV_PARAM_K] >= klo && p[DESURV_PARAM_K] <= khi,
                      "entry %lld: k = %.17g", (long long)i, p[DESURV_PARAM_K]);
        ck_assert_msg(p[DESURV_PARAM_ALPHA] >= alo - 1e-12 && p[DESURV_PARAM_ALPHA] <= ahi + 1e-12,
                      "entry %lld: alpha = %.17g", (long long)i, p[DESURV_PARAM_ALPHA]);
    }
    check_no_duplicates(h);
    check_summaries(h);
}

START_TEST(bo_search)
{
    data d = small_data();
    desurv_model *m = small_model();
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_NU, 0.3), DESURV_OK);
    desurv_tuner *t = small_bo();
    tune_ok(t, m, &d);
    hist h = hist_get(t);
    ck_assert_int_eq(h.len, 4 + 2);
    ck_assert_int_eq(h.folds, 3);
    check_bo_history(&h, 2, 3, 0.3, 0.7);
    for (int64_t i = 0; i < h.len; i++) {
        const double *p = h.par + i * NP;
        ck_assert(p[DESURV_PARAM_LAMBDA] == 0.1); /* fixed: lo == hi */
        ck_assert(p[DESURV_PARAM_NU] == 0.3);     /* not searched: the model's value */
        ck_assert(p[DESURV_PARAM_NTOP] == 0);
    }
    check_choice(t, &h, 1);
    check_refit(t, m, &d);

    /* the surface: 2 k values x 41 alphas, k-major, alpha over its range */
    int64_t len = -1;
    ck_assert_int_eq(desurv_tuner_surface(t, NULL, NULL, NULL, NULL, 0, &len), DESURV_OK);
    ck_assert_int_eq(len, 2 * 41);
    double *ks = xcalloc((size_t)len, sizeof *ks), *as = xcalloc((size_t)len, sizeof *as);
    double *mu = xcalloc((size_t)len, sizeof *mu), *sd = xcalloc((size_t)len, sizeof *sd);
    int64_t len2 = -1;
    ck_assert_int_eq(desurv_tuner_surface(t, ks, as, mu, sd, len - 1, &len2), DESURV_E_BUFFER);
    ck_assert_int_eq(len2, len);
    ck_assert_int_eq(desurv_tuner_surface(t, ks, as, mu, sd, len, &len2), DESURV_OK);
    for (int64_t r = 0; r < len; r++) {
        ck_assert(ks[r] == (r < 41 ? 2 : 3));
        ck_assert(isfinite(mu[r]));
        ck_assert(isfinite(sd[r]) && sd[r] >= 0);
        ck_assert(as[r] >= 0.3 - 1e-12 && as[r] <= 0.7 + 1e-12);
        if (r % 41)
            ck_assert(as[r] > as[r - 1]);
        else
            ck_assert(fabs(as[r] - 0.3) < 1e-12);
        if (r % 41 == 40)
            ck_assert(fabs(as[r] - 0.7) < 1e-12);
    }
    free(ks), free(as), free(mu), free(sd);
    hist_free(&h);
    desurv_model_free(m);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

START_TEST(bo_exhausted_space)
{
    /* k in {2, 3}, everything else fixed: two points exist; 4 design
     * points + 2 steps cannot all be new */
    data d = small_data();
    desurv_model *m = small_model();
    desurv_tuner *t = small_bo();
    tbounds(t, DESURV_PARAM_ALPHA, 0.5, 0.5);
    tune_ok(t, m, &d);
    hist h = hist_get(t);
    ck_assert_int_eq(h.len, 2);
    check_bo_history(&h, 2, 3, 0.5, 0.5);
    const char *w = desurv_tuner_warnings(t);
    ck_assert_msg(strstr(w, "exhausted") != NULL, "warnings: \"%s\"", w);
    check_choice(t, &h, 1);
    check_refit(t, m, &d);
    int64_t len = -1;
    ck_assert_int_eq(desurv_tuner_surface(t, NULL, NULL, NULL, NULL, 0, &len), DESURV_OK);
    ck_assert_int_eq(len, 2); /* alpha not searched: one value per k */
    hist_free(&h);
    desurv_model_free(m);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

START_TEST(bo_rule_lcb)
{
    data d = small_data();
    desurv_model *m = small_model();
    desurv_tuner *t = small_bo();
    tset(t, DESURV_TOPT_RULE, 2);
    tset(t, DESURV_TOPT_LCB_Z, 1.0);
    tune_ok(t, m, &d);
    hist h = hist_get(t);
    ck_assert_int_eq(h.len, 6);
    check_choice(t, &h, 2);
    check_refit(t, m, &d);
    hist_free(&h);
    desurv_model_free(m);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

/* Every evaluation records a held-out reconstruction error: a relative
 * squared error in (0, 1) with a finite se; rule 3 picks by it, on a grid
 * too (it needs no Gaussian process). */
START_TEST(rule_1se_recon)
{
    data d = small_data();
    desurv_model *m = small_model();
    desurv_tuner *t = small_bo();
    tset(t, DESURV_TOPT_RULE, 3);
    tune_ok(t, m, &d);
    hist h = hist_get(t);
    ck_assert_int_eq(h.len, 6);
    for (int64_t i = 0; i < h.len; i++) {
        ck_assert_msg(h.rec[i] > 0 && h.rec[i] < 1, "entry %lld recon %g", (long long)i,
                      h.rec[i]);
        ck_assert(isfinite(h.rec_se[i]) && h.rec_se[i] >= 0);
    }
    check_choice(t, &h, 3);
    check_refit(t, m, &d);
    double a, b;
    ck_assert_int_eq(desurv_tuner_history_recon(t, h.len, &a, &b), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_tuner_history_recon(t, -1, &a, &b), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_tuner_history_recon(NULL, 0, &a, &b), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_history_recon(t, 0, NULL, NULL), DESURV_OK);
    hist_free(&h);

    desurv_tuner *g = small_grid();
    tset(g, DESURV_TOPT_RULE, 3);
    desurv_model *m2 = small_model();
    tune_ok(g, m2, &d);
    hist hg = hist_get(g);
    for (int64_t i = 0; i < hg.len; i++)
        ck_assert(hg.rec[i] > 0 && hg.rec[i] < 1);
    check_choice(g, &hg, 3);
    hist_free(&hg);
    desurv_model_free(m), desurv_model_free(m2);
    desurv_tuner_free(t), desurv_tuner_free(g);
    data_free(&d);
}
END_TEST

/* rule 4 (1se-parsimony) through desurv_tune, by BO and on a grid. */
START_TEST(rule_1se_parsimony)
{
    data d = small_data();
    desurv_model *m = small_model(), *m2 = small_model();
    desurv_tuner *t = small_bo(), *g = small_grid();
    tset(t, DESURV_TOPT_RULE, 4);
    tset(g, DESURV_TOPT_RULE, 4);
    tune_ok(t, m, &d);
    tune_ok(g, m2, &d);
    hist h = hist_get(t), hg = hist_get(g);
    check_choice(t, &h, 4);
    check_refit(t, m, &d);
    check_choice(g, &hg, 4);
    hist_free(&h), hist_free(&hg);
    desurv_model_free(m), desurv_model_free(m2);
    desurv_tuner_free(t), desurv_tuner_free(g);
    data_free(&d);
}
END_TEST

START_TEST(bo_alpha_scale)
{
    data d = small_data();
    /* linear alpha scale: the range may include 0 */
    desurv_model *m = small_model();
    desurv_tuner *t = small_bo();
    tset(t, DESURV_TOPT_ALPHA_SCALE, 1);
    tbounds(t, DESURV_PARAM_ALPHA, 0, 0.9);
    tbounds(t, DESURV_PARAM_K, 2, 2);
    tune_ok(t, m, &d);
    hist h = hist_get(t);
    ck_assert_int_eq(h.len, 6);
    check_bo_history(&h, 2, 2, 0, 0.9);
    check_choice(t, &h, 1);
    int64_t len;
    ck_assert_int_eq(desurv_tuner_surface(t, NULL, NULL, NULL, NULL, 0, &len), DESURV_OK);
    ck_assert_int_eq(len, 41);
    double ks[41], as[41], mu[41], sd[41];
    ck_assert_int_eq(desurv_tuner_surface(t, ks, as, mu, sd, 41, &len), DESURV_OK);
    for (int r = 0; r < 41; r++) {
        ck_assert(ks[r] == 2);
        ck_assert_msg(fabs(as[r] - 0.9 * r / 40.0) < 1e-12, "alpha[%d] = %.17g", r, as[r]);
    }
    hist_free(&h);
    desurv_model_free(m);
    desurv_tuner_free(t);

    /* log-odds scale with lo = 0: refused by desurv_tune, model untouched */
    m = small_model();
    t = small_bo();
    tbounds(t, DESURV_PARAM_ALPHA, 0, 0.9);
    msnap s = msnap_get(m);
    ck_assert_int_eq(tune(t, m, &d), DESURV_E_RANGE);
    ck_assert_msg(strstr(desurv_tuner_errmsg(t), "alpha") != NULL, "message: %s",
                  desurv_tuner_errmsg(t));
    assert_model_unchanged(m, &s);
    ck_assert_int_eq(desurv_tuner_choice(t, NULL, NULL), DESURV_E_NOT_FITTED);
    msnap_free(&s);
    desurv_model_free(m);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

START_TEST(bo_nothing_searched)
{
    /* every range fixed or unset: a single evaluation at that point */
    data d = small_data();
    desurv_model *m = small_model();
    desurv_tuner *t = small_bo();
    tbounds(t, DESURV_PARAM_K, 2, 2);
    tbounds(t, DESURV_PARAM_ALPHA, 0.4, 0.4);
    tune_ok(t, m, &d);
    hist h = hist_get(t);
    ck_assert_int_eq(h.len, 1);
    ck_assert(h.par[DESURV_PARAM_K] == 2 && h.par[DESURV_PARAM_ALPHA] == 0.4);
    check_summaries(&h);
    check_choice(t, &h, 1);
    check_refit(t, m, &d);
    hist_free(&h);
    desurv_model_free(m);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

/* ====================================================================== */
/*  Determinism: threads, batches, start modes                             */
/* ====================================================================== */

typedef struct outcome {
    hist h;
    double par[NP];
    int64_t idx;
    double *W, *beta;
    int64_t p, k;
    char *warnings;
} outcome;

static outcome run_outcome(desurv_tuner *t, const data *d)
{
    outcome o;
    memset(&o, 0, sizeof o);
    desurv_model *m = small_model();
    tune_ok(t, m, d);
    o.h = hist_get(t);
    ck_assert_int_eq(desurv_tuner_choice(t, o.par, &o.idx), DESURV_OK);
    ck_assert_int_eq(desurv_model_dims(m, &o.p, NULL, &o.k), DESURV_OK);
    o.W = xcalloc((size_t)(o.p * o.k), sizeof *o.W);
    o.beta = xcalloc((size_t)o.k, sizeof *o.beta);
    ck_assert_int_eq(desurv_model_W(m, o.W, o.p), DESURV_OK);
    ck_assert_int_eq(desurv_model_beta(m, o.beta), DESURV_OK);
    const char *w = desurv_tuner_warnings(t);
    o.warnings = xcalloc(strlen(w) + 1, 1);
    memcpy(o.warnings, w, strlen(w));
    desurv_model_free(m);
    return o;
}

static void outcome_free(outcome *o)
{
    hist_free(&o->h);
    free(o->W), free(o->beta), free(o->warnings);
}

static void assert_same_outcome(const outcome *a, const outcome *b)
{
    ck_assert_msg(hist_equal(&a->h, &b->h), "histories differ");
    ck_assert(memcmp(a->par, b->par, sizeof a->par) == 0);
    ck_assert_int_eq(a->idx, b->idx);
    ck_assert(a->p == b->p && a->k == b->k);
    ck_assert_msg(memcmp(a->W, b->W, (size_t)(a->p * a->k) * sizeof *a->W) == 0,
                  "final W differs");
    ck_assert_msg(memcmp(a->beta, b->beta, (size_t)a->k * sizeof *a->beta) == 0,
                  "final beta differs");
}

/* Batched against one-by-one starts: the same choice and final model, the
 * same history with the reconstruction errors to a relative 1e-9. */
static void assert_same_batched(const outcome *a, const outcome *b)
{
    ck_assert_msg(hist_equal_recon_tol(&a->h, &b->h), "histories differ");
    outcome c = *b;
    c.h = a->h;
    assert_same_outcome(a, &c);
}

/* With a sequential BLAS (main() makes sure of it) the worker threads are
 * really used: no "oversubscribe" warning. */
static void assert_threads_used(const outcome *o)
{
    const char *env = getenv("OPENBLAS_NUM_THREADS");
    if (env && strcmp(env, "1") == 0)
        ck_assert_msg(strstr(o->warnings, "thread") == NULL, "warnings: \"%s\"", o->warnings);
}

START_TEST(threads_give_identical_results)
{
    data d = small_data();
    desurv_tuner *t = small_bo();
    tset(t, DESURV_TOPT_THREADS, 1);
    outcome a = run_outcome(t, &d);
    tset(t, DESURV_TOPT_THREADS, 2);
    outcome b = run_outcome(t, &d);
    assert_threads_used(&b);
    assert_same_outcome(&a, &b);
    tset(t, DESURV_TOPT_THREADS, 3);
    outcome c = run_outcome(t, &d);
    assert_same_outcome(&a, &c);
    outcome_free(&a), outcome_free(&b), outcome_free(&c);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

START_TEST(start_mode_best)
{
    data d = small_data();
    desurv_tuner *t = small_grid();
    tset(t, DESURV_TOPT_START_MODE, 1);
    tset(t, DESURV_TOPT_STARTS, 3);
    tset(t, DESURV_TOPT_THREADS, 1);
    outcome a = run_outcome(t, &d);
    ck_assert_int_eq(a.h.len, 4);
    check_summaries(&a.h);
    check_choice(t, &a.h, 1);
    tset(t, DESURV_TOPT_THREADS, 2);
    outcome b = run_outcome(t, &d);
    assert_same_outcome(&a, &b);
    /* the start mode matters: averaging over starts differs */
    tset(t, DESURV_TOPT_START_MODE, 0);
    outcome c = run_outcome(t, &d);
    ck_assert(!hist_equal(&a.h, &c.h));
    outcome_free(&a), outcome_free(&b), outcome_free(&c);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

START_TEST(batch_gives_identical_results)
{
    data d = small_data();
    desurv_tuner *t = small_bo();
    tset(t, DESURV_TOPT_STARTS, 3);
    tset(t, DESURV_TOPT_BATCH, 1);
    outcome a = run_outcome(t, &d);
    tset(t, DESURV_TOPT_BATCH, 3);
    outcome b = run_outcome(t, &d);
    assert_same_batched(&a, &b);
    tset(t, DESURV_TOPT_BATCH, 2); /* blocks of 2 + 1, on two threads */
    tset(t, DESURV_TOPT_THREADS, 2);
    outcome c = run_outcome(t, &d);
    assert_same_batched(&a, &c);
    outcome_free(&a), outcome_free(&b), outcome_free(&c);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

START_TEST(seed_changes_results)
{
    data d = small_data();
    desurv_tuner *t = small_bo();
    outcome a = run_outcome(t, &d); /* the same seed gives the same: see above */
    tset(t, DESURV_TOPT_SEED, 2);
    outcome c = run_outcome(t, &d);
    ck_assert(!hist_equal(&a.h, &c.h));
    outcome_free(&a), outcome_free(&c);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

/* ====================================================================== */
/*  Folds                                                                  */
/* ====================================================================== */

static int32_t *folds_of(const desurv_tuner *t, int64_t n)
{
    int32_t *f = xcalloc((size_t)n, sizeof *f);
    ck_assert_int_eq(desurv_tuner_folds(t, f, n), DESURV_OK);
    return f;
}

START_TEST(user_folds_honoured)
{
    data d = small_data();
    desurv_model *m = small_model();
    desurv_tuner *t = tiny_grid();
    tset(t, DESURV_TOPT_FOLDS, 5); /* ignored: the user folds define K = 4 */
    int32_t *uf = xcalloc((size_t)d.n, sizeof *uf);
    for (int64_t i = 0; i < d.n; i++)
        uf[i] = (int32_t)((i * 7) % 4);
    ck_assert_int_eq(desurv_tuner_set_folds(t, uf, d.n), DESURV_OK);
    tune_ok(t, m, &d);
    int32_t *got = folds_of(t, d.n);
    ck_assert(memcmp(got, uf, (size_t)d.n * sizeof *uf) == 0);
    int64_t len, folds;
    ck_assert_int_eq(desurv_tuner_history_len(t, &len, &folds), DESURV_OK);
    ck_assert_int_eq(folds, 4);
    ck_assert_int_eq(len, 1);
    int32_t small[3];
    ck_assert_int_eq(desurv_tuner_folds(t, small, 3), DESURV_E_DIM);
    /* the fold vector is copied: changing ours does not matter */
    for (int64_t i = 0; i < d.n; i++)
        uf[i] = 0;
    tune_ok(t, m, &d);
    free(got);
    got = folds_of(t, d.n);
    ck_assert_int_eq(got[1], 3);
    free(got), free(uf);
    desurv_model_free(m);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

static void bad_folds(const data *d, const int32_t *fold, int64_t n, int want)
{
    desurv_model *m = small_model();
    desurv_tuner *t = tiny_grid();
    ck_assert_int_eq(desurv_tuner_set_folds(t, fold, n), DESURV_OK);
    msnap s = msnap_get(m);
    int rc = tune(t, m, d);
    ck_assert_msg(rc == want, "bad folds: %d, expected %d", rc, want);
    ck_assert_msg(strlen(desurv_tuner_errmsg(t)) > 0, "no message");
    assert_model_unchanged(m, &s);
    ck_assert_int_eq(desurv_tuner_choice(t, NULL, NULL), DESURV_E_NOT_FITTED);
    int64_t len;
    ck_assert_int_eq(desurv_tuner_history_len(t, &len, NULL), DESURV_OK);
    ck_assert_int_eq(len, 0);
    msnap_free(&s);
    desurv_model_free(m);
    desurv_tuner_free(t);
}

START_TEST(user_folds_invalid)
{
    data d = small_data();
    int32_t *f = xcalloc((size_t)d.n, sizeof *f);
    for (int64_t i = 0; i < d.n; i++)
        f[i] = (int32_t)(i % 3);
    f[5] = -1; /* negative label */
    bad_folds(&d, f, d.n, DESURV_E_RANGE);
    f[5] = (int32_t)d.n; /* beyond any K */
    bad_folds(&d, f, d.n, DESURV_E_RANGE);
    for (int64_t i = 0; i < d.n; i++) /* labels 0 and 2: fold 1 empty */
        f[i] = (int32_t)(2 * (i % 2));
    bad_folds(&d, f, d.n, DESURV_E_RANGE);
    for (int64_t i = 0; i < d.n; i++) /* one fold */
        f[i] = 0;
    bad_folds(&d, f, d.n, DESURV_E_RANGE);
    for (int64_t i = 0; i < d.n; i++)
        f[i] = (int32_t)(i % 3);
    bad_folds(&d, f, d.n - 1, DESURV_E_DIM); /* other length */
    free(f);
    data_free(&d);
}
END_TEST

static void check_stratified(const int32_t *f, const int32_t *event, const int32_t *strata,
                             int64_t n, int64_t K)
{
    int64_t cnt[2][2][100];
    memset(cnt, 0, sizeof cnt);
    for (int64_t i = 0; i < n; i++) {
        ck_assert(f[i] >= 0 && f[i] < K);
        cnt[strata ? strata[i] : 0][event[i]][f[i]]++;
    }
    for (int s = 0; s < 2; s++)
        for (int e = 0; e < 2; e++) {
            int64_t lo = INT64_MAX, hi = 0;
            for (int64_t k = 0; k < K; k++) {
                lo = cnt[s][e][k] < lo ? cnt[s][e][k] : lo;
                hi = cnt[s][e][k] > hi ? cnt[s][e][k] : hi;
            }
            ck_assert_msg(hi - lo <= 1, "stratum %d, event %d: fold counts %lld .. %lld", s, e,
                          (long long)lo, (long long)hi);
        }
    int64_t size[100] = {0};
    for (int64_t i = 0; i < n; i++)
        size[f[i]]++;
    for (int64_t k = 0; k < K; k++)
        ck_assert(size[k] >= n / K && size[k] <= n / K + 1);
}

START_TEST(stratified_folds)
{
    data d = small_data();
    desurv_model *m = small_model();
    const int64_t Ks[] = {3, 5};
    for (int c = 0; c < 2; c++) {
        desurv_tuner *t = tiny_grid();
        tset(t, DESURV_TOPT_FOLDS, (double)Ks[c]);
        tune_ok(t, m, &d);
        int32_t *f = folds_of(t, d.n);
        check_stratified(f, d.event, NULL, d.n, Ks[c]);
        int64_t folds;
        int64_t len;
        ck_assert_int_eq(desurv_tuner_history_len(t, &len, &folds), DESURV_OK);
        ck_assert_int_eq(folds, Ks[c]);
        /* by (cohort, event) when strata are given */
        int32_t *st = xcalloc((size_t)d.n, sizeof *st);
        for (int64_t i = 0; i < d.n; i++)
            st[i] = (int32_t)(i < d.n / 3);
        ck_assert_int_eq(desurv_tuner_set_strata(t, st, d.n), DESURV_OK);
        tune_ok(t, m, &d);
        free(f);
        f = folds_of(t, d.n);
        check_stratified(f, d.event, st, d.n, Ks[c]);
        /* strata of the wrong length */
        ck_assert_int_eq(desurv_tuner_set_strata(t, st, d.n - 1), DESURV_OK);
        ck_assert_int_eq(tune(t, m, &d), DESURV_E_DIM);
        free(f), free(st);
        desurv_tuner_free(t);
    }
    desurv_model_free(m);
    data_free(&d);
}
END_TEST

START_TEST(fold_without_events)
{
    data d = small_data();
    desurv_model *m = small_model();
    desurv_tuner *t = tiny_grid();
    int32_t *f = xcalloc((size_t)d.n, sizeof *f);
    int64_t ev = 0, cens = 0;
    for (int64_t i = 0; i < d.n; i++)
        f[i] = d.event[i] ? (int32_t)(ev++ % 2) : (int32_t)(cens++ % 3);
    ck_assert(cens >= 3);
    ck_assert_int_eq(desurv_tuner_set_folds(t, f, d.n), DESURV_OK);
    tune_ok(t, m, &d);
    const char *w = desurv_tuner_warnings(t);
    ck_assert_msg(strstr(w, "fold 2") != NULL, "warnings: \"%s\"", w);
    ck_assert_msg(strstr(w, "fold 0") == NULL && strstr(w, "fold 1") == NULL, "warnings: \"%s\"",
                  w);
    hist h = hist_get(t);
    ck_assert_int_eq(h.len, 1);
    ck_assert(isnan(h.fc[2]));
    ck_assert(isfinite(h.fc[0]) && isfinite(h.fc[1]));
    check_summaries(&h);
    check_choice(t, &h, 1);
    check_refit(t, m, &d);
    hist_free(&h);
    free(f);
    desurv_model_free(m);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

/* ====================================================================== */
/*  Warm start                                                             */
/* ====================================================================== */

/* desurv_tuner_history_iters: entries before `first` were given by the
 * caller (no fits); every later one has one count per fold and start (3
 * folds x 2 starts here), each within 1..MAXIT, negative only at MAXIT. */
static void check_fit_iterations(const desurv_tuner *t, int64_t first, int64_t len)
{
    double buf[64];
    int64_t n = -1;
    for (int64_t i = 0; i < len; i++) {
        ck_assert_int_eq(desurv_tuner_history_iters(t, i, NULL, 0, &n), DESURV_OK);
        if (i < first) {
            ck_assert_int_eq(n, 0);
            continue;
        }
        ck_assert_int_eq(n, 3 * 2);
        ck_assert_int_eq(desurv_tuner_history_iters(t, i, buf, 64, &n), DESURV_OK);
        for (int64_t j = 0; j < n; j++) {
            double v = buf[j];
            ck_assert_msg(fabs(v) >= 1 && fabs(v) <= MAXIT, "entry %lld fit %lld: %g",
                          (long long)i, (long long)j, v);
            ck_assert(v > 0 || v == -(double)MAXIT);
        }
        ck_assert_int_eq(desurv_tuner_history_iters(t, i, buf, 2, &n), DESURV_E_BUFFER);
        ck_assert_int_eq(n, 6);
    }
    ck_assert_int_eq(desurv_tuner_history_iters(t, len, NULL, 0, &n), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_tuner_history_iters(t, 0, NULL, 0, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tuner_history_iters(NULL, 0, NULL, 0, &n), DESURV_E_NULL);
}

START_TEST(warm_start)
{
    data d = small_data();
    desurv_model *m = small_model();
    desurv_tuner *t = small_bo();
    tune_ok(t, m, &d);
    hist old = hist_get(t);
    ck_assert_int_eq(old.len, 6);

    desurv_tuner *t2 = small_bo();
    tset(t2, DESURV_TOPT_ITERATIONS, 1);
    for (int64_t i = 0; i < old.len; i++)
        ck_assert_int_eq(desurv_tuner_add_history(t2, old.par + i * NP, old.mean[i], old.se[i],
                                                  old.fc + i * old.folds, old.folds),
                         DESURV_OK);
    desurv_model *m2 = small_model();
    tune_ok(t2, m2, &d);
    hist h = hist_get(t2);
    ck_assert_int_eq(h.len, old.len + 1); /* no new design points: 6 >= init_points */
    ck_assert_int_eq(h.folds, old.folds);
    for (int64_t i = 0; i < old.len; i++) {
        ck_assert(memcmp(h.par + i * NP, old.par + i * NP, NP * sizeof(double)) == 0);
        ck_assert(memcmp(&h.mean[i], &old.mean[i], sizeof(double)) == 0);
        ck_assert(memcmp(&h.se[i], &old.se[i], sizeof(double)) == 0);
        ck_assert(memcmp(h.fc + i * h.folds, old.fc + i * old.folds,
                         (size_t)old.folds * sizeof(double)) == 0);
        ck_assert(isnan(h.rec[i]) && isnan(h.rec_se[i])); /* not measured by the caller */
    }
    ck_assert(isfinite(h.rec[old.len]));
    check_fit_iterations(t2, old.len, old.len + 1);
    check_no_duplicates(&h);
    check_bo_history(&h, 2, 3, 0.3, 0.7);
    check_choice(t2, &h, 1);
    check_refit(t2, m2, &d);

    /* warm-start points with another number of folds are refused */
    desurv_tuner *t3 = small_bo();
    double fc4[4] = {0.6, 0.6, 0.6, 0.6};
    ck_assert_int_eq(desurv_tuner_add_history(t3, old.par, 0.6, 0.01, fc4, 4), DESURV_OK);
    ck_assert_int_eq(desurv_tuner_add_history(t3, old.par + NP, 0.6, 0.01, old.fc, 3),
                     DESURV_E_DIM);
    desurv_model *m3 = small_model();
    msnap s = msnap_get(m3);
    ck_assert_int_eq(tune(t3, m3, &d), DESURV_E_DIM);
    ck_assert(strlen(desurv_tuner_errmsg(t3)) > 0);
    assert_model_unchanged(m3, &s);
    msnap_free(&s);

    hist_free(&old), hist_free(&h);
    desurv_model_free(m), desurv_model_free(m2), desurv_model_free(m3);
    desurv_tuner_free(t), desurv_tuner_free(t2), desurv_tuner_free(t3);
    data_free(&d);
}
END_TEST

/* ====================================================================== */
/*  Progress and cancellation                                              */
/* ====================================================================== */

/* DESIGN then SEARCH then REFIT; within DESIGN and SEARCH the steps
 * increase up to the stage total; REFIT is reported once as (0, 1); every
 * call on the calling thread, never two at once.
 *
 * strict: every fold fit is reported, the steps count 1, 2, .. and end at
 * the total (with worker threads too: the coordinator reports every
 * completion before it returns). */
static void check_tune_progress(const rec *r, int strict)
{
    ck_assert(r->calls > 0 && r->calls <= MAXREC);
    ck_assert_int_eq(r->off_thread, 0);
    ck_assert_int_eq(r->overlap, 0);
    int seen[5] = {0};
    for (int64_t i = 0; i < r->calls; i++) {
        int st = r->stage[i];
        ck_assert_msg(st >= DESURV_STAGE_DESIGN && st <= DESURV_STAGE_REFIT, "stage %d", st);
        if (i > 0)
            ck_assert_msg(st >= r->stage[i - 1], "stage %d after %d", st, r->stage[i - 1]);
        int first = i == 0 || r->stage[i - 1] != st;
        seen[st]++;
        if (st == DESURV_STAGE_REFIT) {
            ck_assert(r->step[i] == 0 && r->total[i] == 1);
            continue;
        }
        if (strict)
            ck_assert_int_eq(r->step[i], first ? 1 : r->step[i - 1] + 1);
        else
            ck_assert(r->step[i] >= 1 && (first || r->step[i] > r->step[i - 1]));
        ck_assert(r->step[i] <= r->total[i]);
        if (!first)
            ck_assert_int_eq(r->total[i], r->total[i - 1]);
        int last = i + 1 == r->calls || r->stage[i + 1] != st;
        if (last && strict)
            ck_assert_int_eq(r->step[i], r->total[i]);
        /* best: NaN until a point is scored, then never decreasing */
        if (i > 0 && !isnan(r->best[i - 1]))
            ck_assert(r->best[i] >= r->best[i - 1]);
    }
    ck_assert_int_eq(seen[DESURV_STAGE_REFIT], 1);
    ck_assert(isfinite(r->best[r->calls - 1]));
}

START_TEST(tune_progress_stages)
{
    data d = small_data();
    const int threads[] = {1, 2};
    for (int c = 0; c < 2; c++) {
        desurv_model *m = small_model();
        desurv_tuner *t = small_bo();
        tset(t, DESURV_TOPT_THREADS, threads[c]);
        rec *r = rec_new(0);
        ck_assert_int_eq(desurv_tuner_set_progress(t, rec_cb, r), DESURV_OK);
        tune_ok(t, m, &d);
        check_tune_progress(r, 1);
        /* 4 design points and 2 steps, 3 folds, one block of 2 starts */
        int64_t nd = 0, ns = 0;
        for (int64_t i = 0; i < r->calls; i++) {
            nd += r->stage[i] == DESURV_STAGE_DESIGN;
            ns += r->stage[i] == DESURV_STAGE_SEARCH;
        }
        ck_assert_int_eq(nd, 4 * 3);
        ck_assert_int_eq(ns, 2 * 3);
        ck_assert_int_eq(r->stage[0], DESURV_STAGE_DESIGN);
        ck_assert_int_eq(r->stage[r->calls - 1], DESURV_STAGE_REFIT);
        /* removing the callback: no more calls */
        int64_t calls = r->calls;
        ck_assert_int_eq(desurv_tuner_set_progress(t, NULL, r), DESURV_OK);
        tune_ok(t, m, &d);
        ck_assert_int_eq(r->calls, calls);
        free(r);
        desurv_model_free(m);
        desurv_tuner_free(t);
    }
    /* grid search reports DESIGN then REFIT */
    desurv_model *m = small_model();
    desurv_tuner *t = small_grid();
    rec *r = rec_new(0);
    ck_assert_int_eq(desurv_tuner_set_progress(t, rec_cb, r), DESURV_OK);
    tune_ok(t, m, &d);
    check_tune_progress(r, 1);
    ck_assert_int_eq(r->calls, 4 * 3 + 1);
    free(r);
    desurv_model_free(m);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

/* Full run first (calls C and the full history), then cancel at call j. */
typedef struct cancel_case {
    desurv_tuner *(*make)(void);
    int threads;
    int prefit; /* the model holds an earlier fit */
} cancel_case;

static desurv_model *cancel_model(const data *d, int prefit)
{
    desurv_model *m = small_model();
    if (prefit) {
        ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, 2), DESURV_OK);
        ck_assert_int_eq(tu_fit(m, d->X, d->p, d->n, d->p, d->time, d->event), DESURV_OK);
    }
    return m;
}

static desurv_tuner *cancel_tuner(const cancel_case *cc)
{
    desurv_tuner *t = cc->make();
    tset(t, DESURV_TOPT_THREADS, cc->threads);
    return t;
}

static void cancel_at(const cancel_case *cc, const data *d, const hist *full, int64_t j)
{
    desurv_model *m = cancel_model(d, cc->prefit);
    desurv_tuner *t = cancel_tuner(cc);
    rec *r = rec_new(j);
    ck_assert_int_eq(desurv_tuner_set_progress(t, rec_cb, r), DESURV_OK);
    msnap s = msnap_get(m);
    int rc = tune(t, m, d);
    if (cc->threads > 1 && r->calls < j) {
        /* worker threads: reports may be skipped (see check_tune_progress),
         * so the callback may never reach call j; then nothing asked to
         * stop and the run completes */
        ck_assert_msg(rc == DESURV_OK, "%d although the callback never said stop", rc);
        ck_assert_int_eq(desurv_tuner_choice(t, NULL, NULL), DESURV_OK);
        hist h = hist_get(t);
        ck_assert(hist_equal(&h, full));
        hist_free(&h);
        msnap_free(&s);
        free(r);
        desurv_model_free(m);
        desurv_tuner_free(t);
        return;
    }
    if (rc != DESURV_E_CANCELLED) {
        char calls[2048] = "";
        for (int64_t i = 0; i < r->calls && i < MAXREC && strlen(calls) < 2000; i++)
            snprintf(calls + strlen(calls), sizeof calls - strlen(calls), " %d:%lld/%lld",
                     r->stage[i], (long long)r->step[i], (long long)r->total[i]);
        hist h = hist_get(t);
        ck_abort_msg("cancel at call %lld: %d after %lld calls (%s); history %lld entries, "
                     "the full run %lld", (long long)j, rc, (long long)r->calls, calls,
                     (long long)h.len, (long long)full->len);
    }
    /* No call after the one that cancelled when the work runs on the
     * calling thread.  With worker threads the library still reports the
     * fold fits that were running when the callback said stop (a known
     * deviation, see the report of this suite), so only >= is asserted. */
    ck_assert_int_eq(r->calls, j); /* never called again after "stop" */
    ck_assert_msg(strstr(desurv_tuner_errmsg(t), "cancel") != NULL, "message: %s",
                  desurv_tuner_errmsg(t));
    assert_model_unchanged(m, &s);
    ck_assert_int_eq(desurv_tuner_choice(t, NULL, NULL), DESURV_E_NOT_FITTED);
    /* the history holds what was evaluated before: a prefix of the full run */
    hist h = hist_get(t);
    ck_assert(h.len <= full->len);
    ck_assert(h.len == 0 || hist_prefix_equal(&h, full, h.len));
    /* the tuner is usable again */
    if (j == 1) {
        ck_assert_int_eq(desurv_tuner_set_progress(t, NULL, NULL), DESURV_OK);
        tune_ok(t, m, d);
        hist again = hist_get(t);
        ck_assert(hist_equal(&again, full));
        hist_free(&again);
    }
    hist_free(&h);
    msnap_free(&s);
    free(r);
    desurv_model_free(m);
    desurv_tuner_free(t);
}

/* Runs the full case; returns C and the stage of each call. */
static int64_t full_run(const cancel_case *cc, const data *d, hist *full, int *stages)
{
    desurv_model *m = cancel_model(d, cc->prefit);
    desurv_tuner *t = cancel_tuner(cc);
    rec *r = rec_new(0);
    ck_assert_int_eq(desurv_tuner_set_progress(t, rec_cb, r), DESURV_OK);
    tune_ok(t, m, d);
    check_tune_progress(r, 1);
    *full = hist_get(t);
    int64_t C = r->calls;
    ck_assert(C < 256);
    for (int64_t i = 0; i < C; i++)
        stages[i] = r->stage[i];
    free(r);
    desurv_model_free(m);
    desurv_tuner_free(t);
    return C;
}

/* The first call, the middle and the last call of each stage, the refit. */
static void cancel_spread(const cancel_case *cc)
{
    data d = small_data();
    hist full;
    int stages[256];
    int64_t C = full_run(cc, &d, &full, stages);
    int64_t js[16], nj = 0;
    for (int64_t i = 0; i < C;) {
        int64_t e = i;
        while (e + 1 < C && stages[e + 1] == stages[i])
            e++;
        js[nj++] = i + 1;                 /* first of the stage */
        if (e - i >= 2)
            js[nj++] = (i + e) / 2 + 1;   /* middle */
        if (e > i)
            js[nj++] = e + 1;             /* last */
        i = e + 1;
    }
    for (int64_t q = 0; q < nj; q++)
        cancel_at(cc, &d, &full, js[q]);
    hist_free(&full);
    data_free(&d);
}

static void cancel_every(const cancel_case *cc)
{
    data d = small_data();
    hist full;
    int stages[256];
    int64_t C = full_run(cc, &d, &full, stages);
    for (int64_t j = 1; j <= C; j++)
        cancel_at(cc, &d, &full, j);
    hist_free(&full);
    data_free(&d);
}

START_TEST(tune_cancel_spread_bo)
{
    cancel_case cc = {small_bo, 1, 0};
    cancel_spread(&cc);
}
END_TEST

START_TEST(tune_cancel_spread_bo_threads_prefit)
{
    cancel_case cc = {small_bo, 2, 1};
    cancel_spread(&cc);
}
END_TEST

START_TEST(tune_cancel_spread_grid)
{
    cancel_case cc = {small_grid, 2, 0};
    cancel_spread(&cc);
}
END_TEST

START_TEST(tune_cancel_every)
{
    const cancel_case cases[] = {{small_bo, 1, 0}, {small_bo, 2, 1}, {small_grid, 1, 1},
                                 {small_grid, 2, 0}};
    cancel_every(&cases[_i]);
}
END_TEST

/* The final refit is a desurv_fit on the model: the model's own callback
 * can cancel it; the model keeps its earlier fit and options. */
START_TEST(tune_refit_cancelled_by_model_callback)
{
    data d = small_data();
    desurv_model *m = cancel_model(&d, 1);
    desurv_tuner *t = small_grid();
    rec *tr = rec_new(0);
    ck_assert_int_eq(desurv_tuner_set_progress(t, rec_cb, tr), DESURV_OK);
    rec *mr = rec_new(1);
    ck_assert_int_eq(desurv_set_progress(m, rec_cb, mr), DESURV_OK);
    msnap s = msnap_get(m);
    ck_assert_int_eq(tune(t, m, &d), DESURV_E_CANCELLED);
    ck_assert_int_eq(mr->calls, 1); /* never called again after "stop" */
    ck_assert_int_eq(mr->stage[0], DESURV_STAGE_STARTS);
    ck_assert_int_eq(tr->stage[tr->calls - 1], DESURV_STAGE_REFIT);
    assert_model_unchanged(m, &s);
    ck_assert_int_eq(desurv_tuner_choice(t, NULL, NULL), DESURV_E_NOT_FITTED);
    msnap_free(&s);
    free(tr), free(mr);
    desurv_model_free(m);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

START_TEST(fit_progress_stages)
{
    data d = small_data();
    const int threads[] = {1, 2};
    for (int c = 0; c < 2; c++) {
        desurv_model *m = small_model();
        ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, 2), DESURV_OK);
        ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_MAXIT, 50), DESURV_OK);
        ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_NINIT, 3), DESURV_OK);
        ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_IMAXIT, 10), DESURV_OK);
        ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_THREADS, threads[c]), DESURV_OK);
        rec *r = rec_new(0);
        ck_assert_int_eq(desurv_set_progress(m, rec_cb, r), DESURV_OK);
        ck_assert_int_eq(tu_fit(m, d.X, d.p, d.n, d.p, d.time, d.event), DESURV_OK);
        ck_assert(r->calls > 0 && r->calls < MAXREC);
        ck_assert_int_eq(r->off_thread, 0);
        ck_assert_int_eq(r->overlap, 0);
        ck_assert_int_eq(r->stage[0], DESURV_STAGE_STARTS);
        ck_assert_int_eq(r->stage[r->calls - 1], DESURV_STAGE_FIT);
        int64_t nfit = 0;
        for (int64_t i = 0; i < r->calls; i++) {
            int st = r->stage[i];
            ck_assert(st == DESURV_STAGE_STARTS || st == DESURV_STAGE_FIT);
            if (i > 0)
                ck_assert(st >= r->stage[i - 1]);
            ck_assert(r->step[i] >= 0 && r->step[i] <= r->total[i]);
            ck_assert_int_eq(r->total[i], st == DESURV_STAGE_STARTS ? 10 : 50);
            if (st == DESURV_STAGE_FIT) {
                if (nfit++ > 0)
                    ck_assert(r->step[i] > r->step[i - 1]);
                ck_assert(isfinite(r->best[i]));
            }
        }
        ck_assert(nfit > 0);
        free(r);
        desurv_model_free(m);
    }
    data_free(&d);
}
END_TEST

START_TEST(fit_cancel_keeps_previous_fit)
{
    data d = small_data();
    /* maxit 50 > imaxit 30: the final run has iterations of its own */
    desurv_model *m = small_model();
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, 2), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_MAXIT, 50), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, d.X, d.p, d.n, d.p, d.time, d.event), DESURV_OK);
    msnap s = msnap_get(m);
    /* count the calls of a refit with other options */
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_SEED, 5), DESURV_OK);
    msnap s5 = msnap_get(m);
    desurv_model *m2 = small_model();
    ck_assert_int_eq(desurv_set_option(m2, DESURV_OPT_K, 2), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m2, DESURV_OPT_MAXIT, 50), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m2, DESURV_OPT_SEED, 5), DESURV_OK);
    rec *r = rec_new(0);
    ck_assert_int_eq(desurv_set_progress(m2, rec_cb, r), DESURV_OK);
    ck_assert_int_eq(tu_fit(m2, d.X, d.p, d.n, d.p, d.time, d.event), DESURV_OK);
    int64_t C = r->calls, firstfit = 0;
    while (firstfit < C && r->stage[firstfit] != DESURV_STAGE_FIT)
        firstfit++;
    ck_assert(firstfit > 0 && firstfit < C);
    free(r);
    desurv_model_free(m2);
    /* cancel at the first call, in the selection phase, at the first and
     * the last call of the final run */
    const int64_t js[] = {1, firstfit / 2 + 1, firstfit + 1, C};
    for (int q = 0; q < 4; q++) {
        r = rec_new(js[q]);
        ck_assert_int_eq(desurv_set_progress(m, rec_cb, r), DESURV_OK);
        int rc = tu_fit(m, d.X, d.p, d.n, d.p, d.time, d.event);
        ck_assert_msg(rc == DESURV_E_CANCELLED, "cancel at %lld of %lld: %d", (long long)js[q],
                      (long long)C, rc);
        ck_assert_int_eq(r->calls, js[q]); /* never called again after "stop" */
        ck_assert_msg(strstr(desurv_errmsg(m), "cancel") != NULL, "errmsg: %s",
                      desurv_errmsg(m));
        assert_model_unchanged(m, &s5); /* the first fit, the options as set */
        free(r);
    }
    /* without the callback the refit goes through */
    ck_assert_int_eq(desurv_set_progress(m, NULL, NULL), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, d.X, d.p, d.n, d.p, d.time, d.event), DESURV_OK);
    /* an unfitted model stays unfitted */
    desurv_model *u = small_model();
    ck_assert_int_eq(desurv_set_option(u, DESURV_OPT_K, 2), DESURV_OK);
    r = rec_new(3);
    ck_assert_int_eq(desurv_set_progress(u, rec_cb, r), DESURV_OK);
    ck_assert_int_eq(tu_fit(u, d.X, d.p, d.n, d.p, d.time, d.event), DESURV_E_CANCELLED);
    ck_assert_int_eq(desurv_model_dims(u, NULL, NULL, NULL), DESURV_E_NOT_FITTED);
    free(r);
    desurv_model_free(u);
    msnap_free(&s), msnap_free(&s5);
    desurv_model_free(m);
    data_free(&d);
}
END_TEST

/* ====================================================================== */
/*  Argument and data errors of desurv_tune                                */
/* ====================================================================== */

static void tune_fails(desurv_tuner *t, desurv_model *m, const data *d, int want,
                       const char *needle)
{
    msnap s = msnap_get(m);
    int rc = tune(t, m, d);
    ck_assert_msg(rc == want, "desurv_tune: %d (%s), expected %d; %s", rc, desurv_strerror(rc),
                  want, desurv_tuner_errmsg(t));
    if (needle)
        ck_assert_msg(strstr(desurv_tuner_errmsg(t), needle) != NULL,
                      "message \"%s\" lacks \"%s\"", desurv_tuner_errmsg(t), needle);
    assert_model_unchanged(m, &s);
    ck_assert_int_eq(desurv_tuner_choice(t, NULL, NULL), DESURV_E_NOT_FITTED);
    msnap_free(&s);
}

START_TEST(tune_errors)
{
    data d = small_data();
    desurv_model *m = small_model();
    desurv_tuner *t = small_bo();
    /* NULL arguments */
    ck_assert_int_eq(desurv_tune(NULL, m, d.X, d.p, d.n, d.p, d.time, d.event), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tune(t, NULL, d.X, d.p, d.n, d.p, d.time, d.event), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tune(t, m, NULL, d.p, d.n, d.p, d.time, d.event), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tune(t, m, d.X, d.p, d.n, d.p, NULL, d.event), DESURV_E_NULL);
    ck_assert_int_eq(desurv_tune(t, m, d.X, d.p, d.n, d.p, d.time, NULL), DESURV_E_NULL);
    /* dimensions */
    ck_assert_int_eq(desurv_tune(t, m, d.X, 0, d.n, 1, d.time, d.event), DESURV_E_DIM);
    ck_assert_int_eq(desurv_tune(t, m, d.X, d.p, 0, d.p, d.time, d.event), DESURV_E_DIM);
    ck_assert_int_eq(desurv_tune(t, m, d.X, d.p, d.n, d.p - 1, d.time, d.event), DESURV_E_LD);

    /* data errors of desurv_fit */
    double save = d.X[17];
    d.X[17] = NAN;
    tune_fails(t, m, &d, DESURV_E_NONFINITE, NULL);
    d.X[17] = INFINITY;
    tune_fails(t, m, &d, DESURV_E_NONFINITE, NULL);
    d.X[17] = -1;
    tune_fails(t, m, &d, DESURV_E_NEGATIVE, NULL);
    d.X[17] = save;
    double tsave = d.time[3];
    d.time[3] = -1;
    tune_fails(t, m, &d, DESURV_E_TIME, NULL);
    d.time[3] = tsave;
    int32_t esave = d.event[4];
    d.event[4] = 2;
    tune_fails(t, m, &d, DESURV_E_EVENT, NULL);
    d.event[4] = esave;
    int32_t *ev = xcalloc((size_t)d.n, sizeof *ev);
    int32_t *keep = d.event;
    d.event = ev;
    tune_fails(t, m, &d, DESURV_E_NO_EVENTS, NULL);
    d.event = keep;
    free(ev);

    /* k: an upper bound beyond the samples; unset and not searched */
    tbounds(t, DESURV_PARAM_K, 2, 50);
    tune_fails(t, m, &d, DESURV_E_RANK, "k");
    tbounds(t, DESURV_PARAM_K, NAN, NAN);
    tune_fails(t, m, &d, DESURV_E_RANK, "k");
    desurv_tuner *g = small_grid();
    ck_assert_int_eq(desurv_tuner_set_grid(g, DESURV_PARAM_K, NULL, 0), DESURV_OK);
    tune_fails(g, m, &d, DESURV_E_RANK, "k");
    /* with k set on the model, not searching it is fine */
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, 2), DESURV_OK);
    tbounds(t, DESURV_PARAM_ALPHA, 0.5, 0.5);
    tune_ok(t, m, &d);
    hist h = hist_get(t);
    ck_assert_int_eq(h.len, 1);
    ck_assert(h.par[DESURV_PARAM_K] == 2);
    hist_free(&h);
    /* a k grid value beyond the training parts */
    const double bigk[] = {2, 40};
    ck_assert_int_eq(desurv_tuner_set_grid(g, DESURV_PARAM_K, bigk, 2), DESURV_OK);
    tune_fails(g, m, &d, DESURV_E_RANK, "k");

    /* rule lcb needs the GP: not with grid search */
    const double ks[] = {2};
    ck_assert_int_eq(desurv_tuner_set_grid(g, DESURV_PARAM_K, ks, 1), DESURV_OK);
    tset(g, DESURV_TOPT_RULE, 2);
    tune_fails(g, m, &d, DESURV_E_RANGE, "lcb");
    tset(g, DESURV_TOPT_RULE, 1);
    /* more folds than samples; ntop beyond the genes */
    tset(g, DESURV_TOPT_FOLDS, 100);
    tune_fails(g, m, &d, DESURV_E_RANGE, NULL);
    tset(g, DESURV_TOPT_FOLDS, 3);
    const double nt[] = {(double)d.p + 1};
    ck_assert_int_eq(desurv_tuner_set_grid(g, DESURV_PARAM_NTOP, nt, 1), DESURV_OK);
    tune_fails(g, m, &d, DESURV_E_RANGE, "ntop");
    const double nt2[] = {10};
    ck_assert_int_eq(desurv_tuner_set_grid(g, DESURV_PARAM_NTOP, nt2, 1), DESURV_OK);
    tune_ok(g, m, &d);
    h = hist_get(g);
    ck_assert_int_eq(h.len, 2); /* k {2} x alpha {0, 0.5} */
    for (int64_t i = 0; i < h.len; i++)
        ck_assert(h.par[i * NP + DESURV_PARAM_NTOP] == 10);
    check_summaries(&h);
    hist_free(&h);

    desurv_tuner_free(g);
    desurv_model_free(m);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

/* The usage of the brief: 300 genes x 60 samples, BO over (k, alpha). */
START_TEST(bo_search_larger)
{
    data d = data_new(300, 60, 2026);
    desurv_model *m = small_model();
    desurv_tuner *t = small_bo();
    tset(t, DESURV_TOPT_ITERATIONS, 3);
    tset(t, DESURV_TOPT_STARTS, 3);
    tbounds(t, DESURV_PARAM_LAMBDA, 1e-2, 1);
    tune_ok(t, m, &d);
    hist h = hist_get(t);
    ck_assert_int_eq(h.len, 7);
    check_bo_history(&h, 2, 3, 0.3, 0.7);
    for (int64_t i = 0; i < h.len; i++)
        ck_assert(h.par[i * NP + DESURV_PARAM_LAMBDA] >= 1e-2 - 1e-15 &&
                  h.par[i * NP + DESURV_PARAM_LAMBDA] <= 1 + 1e-12);
    check_choice(t, &h, 1);
    check_refit(t, m, &d);
    hist_free(&h);
    desurv_model_free(m);
    desurv_tuner_free(t);
    data_free(&d);
}
END_TEST

/* ---- suite ---- */

static Suite *tune_suite(void)
{
    Suite *s = suite_create("tune");
    TCase *opt = tcase_create("options");
    tcase_add_loop_test(opt, topt_default_and_name, 0, DESURV_TOPT_COUNT);
    tcase_add_loop_test(opt, topt_round_trip, 0, DESURV_TOPT_COUNT);
    tcase_add_loop_test(opt, topt_range_errors, 0, DESURV_TOPT_COUNT);
    tcase_add_test(opt, topt_unknown_and_null);
    tcase_add_test(opt, param_names_and_default_bounds);
    tcase_add_test(opt, set_bounds_contract);
    tcase_add_test(opt, set_grid_contract);
    tcase_add_test(opt, getters_before_run);
    tcase_add_test(opt, labels_and_history_arguments);
    suite_add_tcase(s, opt);

    TCase *run = tcase_create("runs");
    tcase_set_timeout(run, 600);
    tcase_add_test(run, grid_search);
    tcase_add_test(run, bo_search);
    tcase_add_test(run, bo_exhausted_space);
    tcase_add_test(run, bo_rule_lcb);
    tcase_add_test(run, rule_1se_recon);
    tcase_add_test(run, rule_1se_parsimony);
    tcase_add_test(run, bo_alpha_scale);
    tcase_add_test(run, bo_nothing_searched);
    tcase_add_test(run, user_folds_honoured);
    tcase_add_test(run, user_folds_invalid);
    tcase_add_test(run, stratified_folds);
    tcase_add_test(run, fold_without_events);
    tcase_add_test(run, warm_start);
    tcase_add_test(run, tune_errors);
    suite_add_tcase(s, run);

    TCase *det = tcase_create("determinism");
    tcase_set_timeout(det, 600);
    tcase_add_test(det, threads_give_identical_results);
    tcase_add_test(det, start_mode_best);
    tcase_add_test(det, batch_gives_identical_results);
    tcase_add_test(det, seed_changes_results);
    suite_add_tcase(s, det);

    TCase *prog = tcase_create("progress");
    tcase_set_timeout(prog, 600);
    tcase_add_test(prog, tune_progress_stages);
    tcase_add_test(prog, tune_cancel_spread_bo);
    tcase_add_test(prog, tune_cancel_spread_bo_threads_prefit);
    tcase_add_test(prog, tune_refit_cancelled_by_model_callback);
    tcase_add_test(prog, fit_progress_stages);
    tcase_add_test(prog, fit_cancel_keeps_previous_fit);
    suite_add_tcase(s, prog);

    TCase *slow = tcase_create("slow");
    tcase_set_tags(slow, "slow");
    tcase_set_timeout(slow, 1200);
    tcase_add_loop_test(slow, tune_cancel_every, 0, 4);
    tcase_add_test(slow, tune_cancel_spread_grid);
    tcase_add_test(slow, bo_search_larger);
    suite_add_tcase(s, slow);
    return s;
}

int main(int argc, char **argv)
{
    (void)argc;
    /* The library runs its worker threads only when the BLAS is sequential
     * (with a threaded OpenBLAS it falls back to one thread and warns), so
     * the thread tests need OPENBLAS_NUM_THREADS=1.  OpenBLAS reads it when
     * it is loaded: set it and run this program again. */
    if (!getenv("OPENBLAS_NUM_THREADS") && setenv("OPENBLAS_NUM_THREADS", "1", 1) == 0)
        execv("/proc/self/exe", argv);
    return tu_run_suite(tune_suite());
}
