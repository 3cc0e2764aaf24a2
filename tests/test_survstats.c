/* test_survstats.c - desurv_km, desurv_logrank, desurv_cox1 (public ABI).
 *
 * Golden values from R's survival package (tests/golden/
 * make_golden_survstats.R): survfit, survdiff and coxph on three data sets
 * (heavily tied integer times; the TCGA-PAAD cohort with KRT17 expression;
 * six strongly different groups with p ~ 1e-39).  Then invariances
 * (monotone transforms of time, permutations, relabelling, affine maps of
 * x), the degenerate cases (no events, one group, constant x, monotone
 * likelihood, a singular log-rank variance) and the argument contract
 * (NULL, sizes, the NULL-length and BUFFER protocol).
 *
 * Tolerances: 1e-8 relative against R (p-values: 1e-8 relative or 1e-12
 * absolute); the measured maxima are printed on stderr. */
#include "desurv/desurv.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define TOL 1e-8
#define PABS 1e-12

static const char *const dsets[] = {"tied", "tcga", "multi"};
#define N_DSETS 3

/* ---- helpers ---- */

/* Relative error, with the non-finite cases exact: NaN matches NaN, Inf the
 * same Inf; 0 expected: absolute error. */
static double rel(double got, double want)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got) ? 0.0 : INFINITY;
    if (isinf(want) || isinf(got))
        return got == want ? 0.0 : INFINITY;
    double d = fabs(got - want);
    return want != 0 ? d / fabs(want) : d;
}

/* p-values: relative 1e-8 or absolute 1e-12 -> 0 when within either. */
static int p_close(double got, double want)
{
    return rel(got, want) <= TOL || fabs(got - want) <= PABS;
}

typedef struct dset {
    int64_t n;
    double *time, *x;
    int32_t *event, *g[3]; /* g2, g3, g6 (NULL when absent) */
} dset;

static tu_table read_golden(const char *name)
{
    char path[1024];
    tu_table t;
    tu_golden_path(name, path, sizeof path);
    ck_assert_msg(tu_read_tsv(path, &t) == 0, "cannot read %s", path);
    ck_assert_int_gt(t.rows, 0);
    return t;
}

static double *col(const tu_table *t, const char *name)
{
    int64_t j = tu_col(t, name);
    ck_assert_msg(j >= 0, "no column %s", name);
    return tu_colp(t, j);
}

static int32_t *int_col(const tu_table *t, const char *name)
{
    if (tu_col(t, name) < 0)
        return NULL;
    double *c = col(t, name);
    int32_t *v = malloc((size_t)t->rows * sizeof *v);
    for (int64_t i = 0; i < t->rows; i++)
        v[i] = (int32_t)c[i];
    return v;
}

static dset load(const char *name)
{
    char file[256];
    snprintf(file, sizeof file, "survstats_data_%s.tsv", name);
    tu_table t = read_golden(file);
    dset d;
    d.n = t.rows;
    d.time = malloc((size_t)d.n * sizeof *d.time);
    d.x = malloc((size_t)d.n * sizeof *d.x);
    memcpy(d.time, col(&t, "time"), (size_t)d.n * sizeof *d.time);
    memcpy(d.x, col(&t, "x"), (size_t)d.n * sizeof *d.x);
    d.event = int_col(&t, "event");
    d.g[0] = int_col(&t, "g2");
    d.g[1] = int_col(&t, "g3");
    d.g[2] = int_col(&t, "g6");
    tu_table_free(&t);
    return d;
}

static void dset_free(dset *d)
{
    free(d->time);
    free(d->x);
    free(d->event);
    for (int j = 0; j < 3; j++)
        free(d->g[j]);
}

/* 0/1 indicator of the largest label (the golden's covariate 2). */
static double *indicator_of_max(const int32_t *g, int64_t n)
{
    int32_t mx = g[0];
    for (int64_t i = 1; i < n; i++)
        if (g[i] > mx)
            mx = g[i];
    double *z = malloc((size_t)n * sizeof *z);
    for (int64_t i = 0; i < n; i++)
        z[i] = g[i] == mx;
    return z;
}

typedef struct km_res {
    int64_t len;
    double *t, *s, *se, *lo, *hi;
    int64_t *nr, *ne, *nc;
} km_res;

static km_res km_run(const double *time, const int32_t *event, int64_t n)
{
    km_res r;
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(desurv_km(time, event, n, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                               0, &r.len),
                     DESURV_OK);
    ck_assert_int_ge(r.len, 1);
    ck_assert_int_le(r.len, n);
    size_t L = (size_t)r.len;
    r.t = malloc(L * sizeof *r.t);
    r.s = malloc(L * sizeof *r.s);
    r.se = malloc(L * sizeof *r.se);
    r.lo = malloc(L * sizeof *r.lo);
    r.hi = malloc(L * sizeof *r.hi);
    r.nr = malloc(L * sizeof *r.nr);
    r.ne = malloc(L * sizeof *r.ne);
    r.nc = malloc(L * sizeof *r.nc);
    int64_t len2 = -1;
    ck_assert_int_eq(desurv_km(time, event, n, r.t, r.s, r.se, r.lo, r.hi, r.nr, r.ne, r.nc,
                               r.len, &len2),
                     DESURV_OK);
    ck_assert_int_eq(len2, r.len);
    return r;
}

static void km_free(km_res *r)
{
    free(r->t);
    free(r->s);
    free(r->se);
    free(r->lo);
    free(r->hi);
    free(r->nr);
    free(r->ne);
    free(r->nc);
}

typedef struct lr_res {
    double chisq, p, obs[16], expd[16];
    int64_t df, g;
    int32_t lab[16];
} lr_res;

static lr_res lr_run(const double *time, const int32_t *event, const int32_t *group, int64_t n)
{
    lr_res r;
    int rc = desurv_logrank(time, event, group, n, &r.chisq, &r.df, &r.p, r.lab, r.obs, r.expd,
                            16, &r.g);
    ck_assert_int_eq(rc, DESURV_OK);
    return r;
}

typedef struct cox_res {
    double coef, se, hr, lo, hi, p, l0, l;
} cox_res;

static int cox_run(const double *time, const int32_t *event, const double *x, int64_t n,
                   int ties, cox_res *r)
{
    return desurv_cox1(time, event, x, n, ties, &r->coef, &r->se, &r->hr, &r->lo, &r->hi, &r->p,
                       &r->l0, &r->l);
}

/* ---- golden: Kaplan-Meier ---- */

START_TEST(golden_km)
{
    const char *name = dsets[_i];
    dset d = load(name);
    char file[256];
    snprintf(file, sizeof file, "survstats_km_%s.tsv", name);
    tu_table t = read_golden(file);
    km_res r = km_run(d.time, d.event, d.n);
    ck_assert_int_eq(r.len, t.rows);
    double *gt = col(&t, "time"), *gs = col(&t, "surv"), *gse = col(&t, "std_err");
    double *glo = col(&t, "lower"), *ghi = col(&t, "upper"), *gses = col(&t, "se_surv");
    double *gnr = col(&t, "n_risk"), *gne = col(&t, "n_event"), *gnc = col(&t, "n_censor");
    double e_s = 0, e_se = 0, e_ci = 0, e_ses = 0;
    for (int64_t i = 0; i < r.len; i++) {
        ck_assert_double_eq(r.t[i], gt[i]);
        ck_assert_int_eq(r.nr[i], (int64_t)gnr[i]);
        ck_assert_int_eq(r.ne[i], (int64_t)gne[i]);
        ck_assert_int_eq(r.nc[i], (int64_t)gnc[i]);
        e_s = fmax(e_s, rel(r.s[i], gs[i]));
        e_se = fmax(e_se, rel(r.se[i], gse[i]));
        e_ci = fmax(e_ci, fmax(rel(r.lo[i], glo[i]), rel(r.hi[i], ghi[i])));
        e_ses = fmax(e_ses, rel(r.s[i] * r.se[i], gses[i]));
    }
    fprintf(stderr, "km %-5s rows %3lld  max rel err: surv %.2e std.err %.2e CI %.2e "
            "se(S) %.2e\n", name, (long long)r.len, e_s, e_se, e_ci, e_ses);
    ck_assert_double_le(e_s, TOL);
    ck_assert_double_le(e_se, TOL);
    ck_assert_double_le(e_ci, TOL);
    ck_assert_double_le(e_ses, TOL);
    km_free(&r);
    tu_table_free(&t);
    dset_free(&d);
}
END_TEST

/* ---- golden: log-rank ---- */

START_TEST(golden_logrank)
{
    const char *name = dsets[_i];
    dset d = load(name);
    char file[256];
    snprintf(file, sizeof file, "survstats_logrank_%s.tsv", name);
    tu_table t = read_golden(file);
    double *gg = col(&t, "grouping"), *glab = col(&t, "label"), *gobs = col(&t, "obs");
    double *gexp = col(&t, "exp"), *gchi = col(&t, "chisq"), *gdf = col(&t, "df");
    double *gp = col(&t, "p");
    int64_t row = 0, tested = 0;
    double e_exp = 0, e_chi = 0, e_p = 0;
    for (int j = 0; j < 3; j++) {
        if (!d.g[j])
            continue;
        lr_res r = lr_run(d.time, d.event, d.g[j], d.n);
        ck_assert_int_le(row + r.g, t.rows);
        ck_assert_int_eq(r.g, (int64_t)gg[row]);
        ck_assert_int_eq(r.df, (int64_t)gdf[row]);
        e_chi = fmax(e_chi, rel(r.chisq, gchi[row]));
        ck_assert_msg(p_close(r.p, gp[row]), "%s g%d: p %.17g vs R %.17g", name, j, r.p,
                      gp[row]);
        e_p = fmax(e_p, rel(r.p, gp[row]));
        for (int64_t k = 0; k < r.g; k++, row++) {
            ck_assert_int_eq(r.lab[k], (int32_t)glab[row]);
            ck_assert_double_eq(r.obs[k], gobs[row]);
            e_exp = fmax(e_exp, rel(r.expd[k], gexp[row]));
        }
        tested++;
    }
    ck_assert_int_eq(row, t.rows);
    ck_assert_int_ge(tested, 2);
    fprintf(stderr, "logrank %-5s max rel err: expected %.2e chisq %.2e p %.2e\n", name, e_exp,
            e_chi, e_p);
    ck_assert_double_le(e_exp, TOL);
    ck_assert_double_le(e_chi, TOL);
    tu_table_free(&t);
    dset_free(&d);
}
END_TEST

/* ---- golden: Cox ---- */

START_TEST(golden_cox)
{
    const char *name = dsets[_i];
    dset d = load(name);
    char file[256];
    snprintf(file, sizeof file, "survstats_cox_%s.tsv", name);
    tu_table t = read_golden(file);
    double *gcv = col(&t, "covariate"), *gties = col(&t, "ties");
    const char *qn[8] = {"coef", "se", "hr", "lo", "hi", "p", "loglik0", "loglik"};
    double *gq[8], emax[8] = {0};
    for (int q = 0; q < 8; q++)
        gq[q] = col(&t, qn[q]);
    double *z01 = indicator_of_max(d.g[0], d.n);
    for (int64_t i = 0; i < t.rows; i++) {
        const double *x = gcv[i] == 1 ? d.x : z01;
        cox_res r;
        ck_assert_int_eq(cox_run(d.time, d.event, x, d.n, (int)gties[i], &r), DESURV_OK);
        double got[8] = {r.coef, r.se, r.hr, r.lo, r.hi, r.p, r.l0, r.l};
        for (int q = 0; q < 8; q++) {
            double e = rel(got[q], gq[q][i]);
            if (q == 5)
                ck_assert_msg(p_close(got[q], gq[q][i]), "%s row %lld p %.17g vs %.17g", name,
                              (long long)i, got[q], gq[q][i]);
            else
                ck_assert_msg(e <= TOL, "%s row %lld %s %.17g vs R %.17g (rel %.2e)", name,
                              (long long)i, qn[q], got[q], gq[q][i], e);
            emax[q] = fmax(emax[q], e);
        }
    }
    fprintf(stderr, "cox %-5s max rel err:", name);
    for (int q = 0; q < 8; q++)
        fprintf(stderr, " %s %.1e", qn[q], emax[q]);
    fprintf(stderr, "\n");
    free(z01);
    tu_table_free(&t);
    dset_free(&d);
}
END_TEST

/* ---- invariances ---- */

START_TEST(monotone_time_transform)
{
    dset d = load(dsets[_i]);
    double *t2 = malloc((size_t)d.n * sizeof *t2);
    for (int64_t i = 0; i < d.n; i++)
        t2[i] = 3.0 * exp(d.time[i] / 7.0) + 0.5; /* strictly increasing */
    for (int j = 0; j < 3; j++) {
        if (!d.g[j])
            continue;
        lr_res a = lr_run(d.time, d.event, d.g[j], d.n), b = lr_run(t2, d.event, d.g[j], d.n);
        ck_assert_double_eq(a.chisq, b.chisq);
        ck_assert_double_eq(a.p, b.p);
        for (int64_t k = 0; k < a.g; k++)
            ck_assert_double_eq(a.expd[k], b.expd[k]);
    }
    for (int ties = 0; ties <= 1; ties++) {
        cox_res a, b;
        ck_assert_int_eq(cox_run(d.time, d.event, d.x, d.n, ties, &a), DESURV_OK);
        ck_assert_int_eq(cox_run(t2, d.event, d.x, d.n, ties, &b), DESURV_OK);
        ck_assert_double_eq(a.coef, b.coef);
        ck_assert_double_eq(a.se, b.se);
        ck_assert_double_eq(a.l, b.l);
    }
    /* The KM curve is the same at the mapped times. */
    km_res a = km_run(d.time, d.event, d.n), b = km_run(t2, d.event, d.n);
    ck_assert_int_eq(a.len, b.len);
    for (int64_t i = 0; i < a.len; i++) {
        ck_assert_double_eq(a.s[i], b.s[i]);
        ck_assert_double_eq(a.se[i], b.se[i]);
        ck_assert_int_eq(a.nr[i], b.nr[i]);
    }
    km_free(&a);
    km_free(&b);
    free(t2);
    dset_free(&d);
}
END_TEST

START_TEST(permutation_and_relabel)
{
    dset d = load(dsets[_i]);
    int64_t n = d.n;
    double *t2 = malloc((size_t)n * sizeof *t2), *x2 = malloc((size_t)n * sizeof *x2);
    int32_t *e2 = malloc((size_t)n * sizeof *e2), *g2 = malloc((size_t)n * sizeof *g2);
    int32_t *gr = malloc((size_t)n * sizeof *gr);
    /* Reverse order with a stride: a permutation when gcd(7, n) = 1. */
    int64_t step = n % 7 ? 7 : 11;
    for (int64_t i = 0; i < n; i++) {
        int64_t s = (n - 1 - i * step % n + n) % n;
        t2[i] = d.time[s];
        x2[i] = d.x[s];
        e2[i] = d.event[s];
        g2[i] = d.g[1][s];
        gr[i] = -3 * d.g[1][s] + 5; /* order-reversing relabelling */
    }
    lr_res a = lr_run(d.time, d.event, d.g[1], n), b = lr_run(t2, e2, g2, n);
    lr_res c = lr_run(t2, e2, gr, n);
    ck_assert_int_eq(a.g, c.g);
    ck_assert_double_le(rel(b.chisq, a.chisq), 1e-12);
    ck_assert_double_le(rel(c.chisq, a.chisq), 1e-12);
    ck_assert_int_eq(c.df, a.df);
    for (int64_t k = 0; k < a.g; k++) {
        ck_assert_int_eq(c.lab[a.g - 1 - k], -3 * a.lab[k] + 5);
        ck_assert_double_eq(c.obs[a.g - 1 - k], a.obs[k]);
        ck_assert_double_le(rel(c.expd[a.g - 1 - k], a.expd[k]), 1e-12);
    }
    cox_res ca, cb, cc;
    ck_assert_int_eq(cox_run(d.time, d.event, d.x, n, 1, &ca), DESURV_OK);
    ck_assert_int_eq(cox_run(t2, e2, x2, n, 1, &cb), DESURV_OK);
    ck_assert_double_le(rel(cb.coef, ca.coef), 1e-10);
    ck_assert_double_le(rel(cb.l, ca.l), 1e-12);
    /* x -> -x / 1000 + 1e4: coef -> -1000 coef, same se ratio, same l, p. */
    for (int64_t i = 0; i < n; i++)
        x2[i] = -d.x[i] / 1000.0 + 1e4;
    ck_assert_int_eq(cox_run(d.time, d.event, x2, n, 1, &cc), DESURV_OK);
    ck_assert_double_le(rel(cc.coef, -1000.0 * ca.coef), 1e-8);
    ck_assert_double_le(rel(cc.se, 1000.0 * ca.se), 1e-8);
    ck_assert_double_le(rel(cc.l, ca.l), 1e-11);
    ck_assert(p_close(cc.p, ca.p));
    free(t2);
    free(x2);
    free(e2);
    free(g2);
    free(gr);
    dset_free(&d);
}
END_TEST

START_TEST(km_consistency)
{
    dset d = load(dsets[_i]);
    km_res r = km_run(d.time, d.event, d.n);
    int64_t ev = 0, tot = 0;
    ck_assert_int_eq(r.nr[0], d.n);
    for (int64_t i = 0; i < r.len; i++) {
        if (i) {
            ck_assert_double_gt(r.t[i], r.t[i - 1]);
            ck_assert_int_eq(r.nr[i], r.nr[i - 1] - r.ne[i - 1] - r.nc[i - 1]);
            ck_assert_double_le(r.s[i], r.s[i - 1]);
        }
        ck_assert_double_le(r.lo[i], r.s[i]);
        ck_assert_double_ge(r.hi[i], r.s[i]);
        ck_assert_double_le(r.hi[i], 1.0);
        ev += r.ne[i];
        tot += r.ne[i] + r.nc[i];
    }
    int64_t ev_true = 0;
    for (int64_t i = 0; i < d.n; i++)
        ev_true += d.event[i];
    ck_assert_int_eq(ev, ev_true);
    ck_assert_int_eq(tot, d.n);
    km_free(&r);
    dset_free(&d);
}
END_TEST

/* ---- degenerate data ---- */

START_TEST(km_edge_cases)
{
    /* Everyone at risk dies at the last time: S = 0, se = Inf, CI NaN (R:
     * std.err Inf, lower/upper NA). */
    double t[5] = {1, 2, 2, 3, 3};
    int32_t e[5] = {1, 0, 1, 1, 1};
    km_res r = km_run(t, e, 5);
    ck_assert_int_eq(r.len, 3);
    ck_assert_double_eq(r.s[2], 0.0);
    ck_assert(isinf(r.se[2]) && r.se[2] > 0);
    ck_assert(isnan(r.lo[2]) && isnan(r.hi[2]));
    ck_assert_double_eq_tol(r.s[1], 0.8 * 0.75, 1e-15);
    km_free(&r);
    /* No events: S = 1, se = 0, CI [1, 1]. */
    int32_t none[5] = {0, 0, 0, 0, 0};
    r = km_run(t, none, 5);
    for (int64_t i = 0; i < r.len; i++) {
        ck_assert_double_eq(r.s[i], 1.0);
        ck_assert_double_eq(r.se[i], 0.0);
        ck_assert_double_eq(r.lo[i], 1.0);
        ck_assert_double_eq(r.hi[i], 1.0);
        ck_assert_int_eq(r.ne[i], 0);
    }
    km_free(&r);
    /* One sample; time 0. */
    double t0 = 0;
    int32_t e1 = 1;
    r = km_run(&t0, &e1, 1);
    ck_assert_int_eq(r.len, 1);
    ck_assert_double_eq(r.t[0], 0.0);
    ck_assert_double_eq(r.s[0], 0.0);
    km_free(&r);
}
END_TEST

START_TEST(logrank_edge_cases)
{
    double t[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    int32_t e[8] = {1, 1, 0, 1, 1, 0, 1, 0};
    int32_t g1[8] = {4, 4, 4, 4, 4, 4, 4, 4};
    int64_t g = -1;
    double chi = -1;
    /* One group: DESURV_E_DIM with the group count. */
    ck_assert_int_eq(desurv_logrank(t, e, g1, 8, &chi, NULL, NULL, NULL, NULL, NULL, 0, &g),
                     DESURV_E_DIM);
    ck_assert_int_eq(g, 1);
    ck_assert_double_eq(chi, -1);
    /* No events. */
    int32_t none[8] = {0};
    int32_t g2[8] = {0, 1, 0, 1, 0, 1, 0, 1};
    ck_assert_int_eq(desurv_logrank(t, none, g2, 8, &chi, NULL, NULL, NULL, NULL, NULL, 0, &g),
                     DESURV_E_NO_EVENTS);
    /* A group whose samples all leave before the first event has expected
     * 0: it is left out of the test (df 1), and the statistic equals the
     * test without those samples. */
    double t3[10] = {0.1, 0.2, 1, 2, 3, 4, 5, 6, 7, 8};
    int32_t e3[10] = {0, 0, 1, 1, 0, 1, 1, 0, 1, 0};
    int32_t g3[10] = {9, 9, 0, 1, 0, 1, 0, 1, 0, 1};
    lr_res a = lr_run(t3, e3, g3, 10), b = lr_run(t3 + 2, e3 + 2, g3 + 2, 8);
    ck_assert_int_eq(a.g, 3);
    ck_assert_int_eq(a.df, 1);
    ck_assert_double_eq(a.expd[2], 0.0);
    ck_assert_double_le(rel(a.chisq, b.chisq), 1e-14);
    ck_assert_double_le(rel(a.p, b.p), 1e-14);
    /* Only one group with expected > 0: chisq 0 on 0 df, p 1 (survdiff). */
    int32_t g4[10] = {9, 9, 0, 0, 0, 0, 0, 0, 0, 0};
    a = lr_run(t3, e3, g4, 10);
    ck_assert_double_eq(a.chisq, 0.0);
    ck_assert_int_eq(a.df, 0);
    ck_assert_double_eq(a.p, 1.0);
    /* Singular variance: every death at one time where all at risk die. */
    double t5[6] = {1, 2, 3, 3, 3, 3};
    int32_t e5[6] = {0, 0, 1, 1, 1, 1};
    int32_t g5[6] = {0, 1, 0, 1, 0, 1};
    a = lr_run(t5, e5, g5, 6);
    ck_assert_double_eq(a.chisq, 0.0);
    ck_assert_int_eq(a.df, 0);
    ck_assert_double_eq(a.p, 1.0);
    ck_assert_double_eq(a.expd[0], 2.0);
    /* Two groups by hand: deaths at 1..4 in groups A B A B.  A is at risk
     * 2 of 4, 1 of 3, 1 of 2, 0 of 1: E_A = 1/2 + 1/3 + 1/2, V_A = 1/4 +
     * 2/9 + 1/4 (the last death has n = 1: no variance), and with two
     * groups chisq = (O_A - E_A)^2 / V_A. */
    double t6[4] = {1, 2, 3, 4};
    int32_t e6[4] = {1, 1, 1, 1}, g6[4] = {0, 1, 0, 1};
    a = lr_run(t6, e6, g6, 4);
    double EA = 2.0 / 4 + 1.0 / 3 + 1.0 / 2, VA = 0.25 + 2.0 / 9 + 0.25;
    ck_assert_double_le(rel(a.expd[0], EA), 1e-15);
    ck_assert_double_le(rel(a.chisq, (2 - EA) * (2 - EA) / VA), 1e-14);
    ck_assert_double_le(rel(a.p, erfc(sqrt(a.chisq / 2))), 1e-14);
}
END_TEST

START_TEST(cox_edge_cases)
{
    double t[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    int32_t e[8] = {1, 1, 0, 1, 1, 0, 1, 0};
    cox_res r;
    /* Constant x: no information, coef NaN. */
    double xc[8] = {2, 2, 2, 2, 2, 2, 2, 2};
    ck_assert_int_eq(cox_run(t, e, xc, 8, 1, &r), DESURV_E_NUMERIC);
    ck_assert(isnan(r.coef) && isnan(r.se) && isnan(r.p) && isnan(r.l));
    /* Constant over every event's risk set (x differs only before the
     * first event): still no information. */
    double t2[8] = {0.5, 0.6, 3, 4, 5, 6, 7, 8};
    double xb[8] = {-1, 7, 2, 2, 2, 2, 2, 2};
    int32_t eb[8] = {0, 0, 0, 1, 1, 0, 1, 0};
    ck_assert_int_eq(cox_run(t2, eb, xb, 8, 0, &r), DESURV_E_NUMERIC);
    ck_assert(isnan(r.coef));
    /* Monotone likelihood: group 1 has no events -> coef = -Inf, hr = 0. */
    double x01[8] = {0, 0, 1, 0, 0, 1, 0, 1};
    ck_assert_int_eq(cox_run(t, e, x01, 8, 1, &r), DESURV_E_NUMERIC);
    ck_assert(isinf(r.coef) && r.coef < 0);
    ck_assert_double_eq(r.hr, 0.0);
    ck_assert(isfinite(r.l0) && isnan(r.l) && isnan(r.se));
    /* Every event has the largest x of its risk set -> +Inf. */
    double xd[8] = {8, 7, 0, 5, 4, 0, 2, 1};
    ck_assert_int_eq(cox_run(t, e, xd, 8, 0, &r), DESURV_E_NUMERIC);
    ck_assert(isinf(r.coef) && r.coef > 0);
    ck_assert(isinf(r.hr));
    /* Nearly monotone: one event breaks the order -> finite, converges. */
    xd[6] = 9;
    ck_assert_int_eq(cox_run(t, e, xd, 8, 1, &r), DESURV_OK);
    ck_assert(isfinite(r.coef) && r.coef > 0 && isfinite(r.se));
    ck_assert_double_ge(r.l, r.l0);
    /* Single event with the other samples at risk: finite. */
    int32_t one[8] = {0, 0, 1, 0, 0, 0, 0, 0};
    double xs[8] = {1, 2, 3, 5, 1, 4, 2, 6};
    ck_assert_int_eq(cox_run(t, one, xs, 8, 1, &r), DESURV_OK);
    ck_assert(isfinite(r.coef));
    /* No events. */
    int32_t none[8] = {0};
    ck_assert_int_eq(cox_run(t, none, xs, 8, 1, &r), DESURV_E_NO_EVENTS);
    /* Large offsets and scales of x do not matter (x is centred). */
    cox_res a, b;
    double xl[8];
    for (int i = 0; i < 8; i++)
        xl[i] = 1e9 + 1e3 * xs[i];
    int32_t e2[8] = {1, 0, 1, 1, 0, 1, 1, 0};
    ck_assert_int_eq(cox_run(t, e2, xs, 8, 1, &a), DESURV_OK);
    ck_assert_int_eq(cox_run(t, e2, xl, 8, 1, &b), DESURV_OK);
    ck_assert_double_le(rel(b.coef * 1e3, a.coef), 1e-6);
    ck_assert_double_le(rel(b.l, a.l), 1e-9);
    /* All outputs NULL is fine. */
    ck_assert_int_eq(desurv_cox1(t, e2, xs, 8, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     DESURV_OK);
}
END_TEST

/* ---- argument contract ---- */

START_TEST(km_contract)
{
    double t[6] = {3, 1, 2, 2, 5, 4}, buf[8];
    int32_t e[6] = {1, 1, 0, 1, 0, 1};
    int64_t len = -1, ib[8];
    ck_assert_int_eq(desurv_km(NULL, e, 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0,
                               &len),
                     DESURV_E_NULL);
    ck_assert_int_eq(desurv_km(t, NULL, 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0,
                               &len),
                     DESURV_E_NULL);
    ck_assert_int_eq(desurv_km(t, e, 6, buf, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 8, NULL),
                     DESURV_E_NULL);
    ck_assert_int_eq(desurv_km(t, e, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, &len),
                     DESURV_E_DIM);
    ck_assert_int_eq(desurv_km(t, e, -3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0,
                               &len),
                     DESURV_E_DIM);
    ck_assert_int_eq(len, -1);
    /* Size query. */
    ck_assert_int_eq(desurv_km(t, e, 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, &len),
                     DESURV_OK);
    ck_assert_int_eq(len, 5);
    /* Too small: the first cap rows are written, the rest untouched. */
    for (int i = 0; i < 8; i++) {
        buf[i] = -7;
        ib[i] = -7;
    }
    len = 0;
    ck_assert_int_eq(desurv_km(t, e, 6, NULL, buf, NULL, NULL, NULL, ib, NULL, NULL, 3, &len),
                     DESURV_E_BUFFER);
    ck_assert_int_eq(len, 5);
    ck_assert_double_eq(buf[0], 5.0 / 6.0);
    ck_assert_int_eq(ib[2], 3);
    ck_assert_double_eq(buf[3], -7);
    ck_assert_int_eq(ib[3], -7);
    ck_assert_int_eq(desurv_km(t, e, 6, buf, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, &len),
                     DESURV_E_BUFFER);
    ck_assert_int_eq(desurv_km(t, e, 6, buf, NULL, NULL, NULL, NULL, NULL, NULL, NULL, -1, &len),
                     DESURV_E_BUFFER);
    /* Larger than needed: rows beyond len untouched. */
    ck_assert_int_eq(desurv_km(t, e, 6, buf, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 8, &len),
                     DESURV_OK);
    ck_assert_double_eq(buf[4], 5.0);
    ck_assert_double_eq(buf[5], -7);
    /* Bad data. */
    t[2] = -1;
    ck_assert_int_eq(desurv_km(t, e, 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, &len),
                     DESURV_E_TIME);
    t[2] = NAN;
    ck_assert_int_eq(desurv_km(t, e, 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, &len),
                     DESURV_E_TIME);
    t[2] = INFINITY;
    ck_assert_int_eq(desurv_km(t, e, 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, &len),
                     DESURV_E_TIME);
    t[2] = 2;
    e[4] = 2;
    ck_assert_int_eq(desurv_km(t, e, 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, &len),
                     DESURV_E_EVENT);
    e[4] = -1;
    ck_assert_int_eq(desurv_km(t, e, 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, &len),
                     DESURV_E_EVENT);
}
END_TEST

START_TEST(logrank_contract)
{
    double t[6] = {3, 1, 2, 2, 5, 4}, chi, p, obs[4], ex[4];
    int32_t e[6] = {1, 1, 0, 1, 0, 1}, g[6] = {5, -2, 5, 8, -2, 8}, lab[4];
    int64_t ng = -1, df;
    ck_assert_int_eq(desurv_logrank(NULL, e, g, 6, &chi, &df, &p, lab, obs, ex, 4, &ng),
                     DESURV_E_NULL);
    ck_assert_int_eq(desurv_logrank(t, NULL, g, 6, &chi, &df, &p, lab, obs, ex, 4, &ng),
                     DESURV_E_NULL);
    ck_assert_int_eq(desurv_logrank(t, e, NULL, 6, &chi, &df, &p, lab, obs, ex, 4, &ng),
                     DESURV_E_NULL);
    ck_assert_int_eq(desurv_logrank(t, e, g, 6, &chi, &df, &p, lab, obs, ex, 4, NULL),
                     DESURV_E_NULL);
    ck_assert_int_eq(desurv_logrank(t, e, g, 0, &chi, &df, &p, lab, obs, ex, 4, &ng),
                     DESURV_E_DIM);
    ck_assert_int_eq(ng, -1);
    /* Scalars only, group count learnt. */
    chi = p = -1;
    ck_assert_int_eq(desurv_logrank(t, e, g, 6, &chi, &df, &p, NULL, NULL, NULL, 0, &ng),
                     DESURV_OK);
    ck_assert_int_eq(ng, 3);
    ck_assert_int_eq(df, 2);
    ck_assert_double_ge(chi, 0);
    ck_assert(p > 0 && p <= 1);
    /* Too small: scalars set, first cap groups written. */
    double chi2 = -1;
    for (int i = 0; i < 4; i++) {
        lab[i] = -99;
        obs[i] = ex[i] = -99;
    }
    ck_assert_int_eq(desurv_logrank(t, e, g, 6, &chi2, NULL, NULL, lab, obs, NULL, 2, &ng),
                     DESURV_E_BUFFER);
    ck_assert_int_eq(ng, 3);
    ck_assert_double_eq(chi2, chi);
    ck_assert_int_eq(lab[0], -2);
    ck_assert_int_eq(lab[1], 5);
    ck_assert_int_eq(lab[2], -99);
    ck_assert_double_eq(obs[0], 1.0);
    ck_assert_double_eq(obs[2], -99);
    ck_assert_double_eq(ex[0], -99);
    ck_assert_int_eq(desurv_logrank(t, e, g, 6, NULL, NULL, NULL, NULL, NULL, ex, -5, &ng),
                     DESURV_E_BUFFER);
    /* Exact size. */
    ck_assert_int_eq(desurv_logrank(t, e, g, 6, NULL, NULL, NULL, lab, obs, ex, 3, &ng),
                     DESURV_OK);
    ck_assert_int_eq(lab[2], 8);
    ck_assert_double_eq(obs[0] + obs[1] + obs[2], 4.0);
    ck_assert_double_le(fabs(ex[0] + ex[1] + ex[2] - 4.0), 1e-14);
    /* Bad data. */
    t[0] = -0.5;
    ck_assert_int_eq(desurv_logrank(t, e, g, 6, &chi, &df, &p, NULL, NULL, NULL, 0, &ng),
                     DESURV_E_TIME);
    t[0] = 3;
    e[0] = 3;
    ck_assert_int_eq(desurv_logrank(t, e, g, 6, &chi, &df, &p, NULL, NULL, NULL, 0, &ng),
                     DESURV_E_EVENT);
}
END_TEST

START_TEST(cox_contract)
{
    double t[6] = {3, 1, 2, 2, 5, 4}, x[6] = {0.5, 1.5, -1, 0.2, 0.3, 2}, c = 42;
    int32_t e[6] = {1, 1, 0, 1, 0, 1};
    ck_assert_int_eq(desurv_cox1(NULL, e, x, 6, 1, &c, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     DESURV_E_NULL);
    ck_assert_int_eq(desurv_cox1(t, NULL, x, 6, 1, &c, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     DESURV_E_NULL);
    ck_assert_int_eq(desurv_cox1(t, e, NULL, 6, 1, &c, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     DESURV_E_NULL);
    ck_assert_int_eq(desurv_cox1(t, e, x, 0, 1, &c, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     DESURV_E_DIM);
    ck_assert_int_eq(desurv_cox1(t, e, x, 6, 2, &c, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     DESURV_E_RANGE);
    ck_assert_int_eq(desurv_cox1(t, e, x, 6, -1, &c, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     DESURV_E_RANGE);
    ck_assert_double_eq(c, 42);
    x[3] = NAN;
    ck_assert_int_eq(desurv_cox1(t, e, x, 6, 1, &c, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     DESURV_E_NONFINITE);
    x[3] = -INFINITY;
    ck_assert_int_eq(desurv_cox1(t, e, x, 6, 1, &c, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     DESURV_E_NONFINITE);
    x[3] = 0.2;
    t[5] = INFINITY;
    ck_assert_int_eq(desurv_cox1(t, e, x, 6, 1, &c, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     DESURV_E_TIME);
    t[5] = 4;
    e[5] = 7;
    ck_assert_int_eq(desurv_cox1(t, e, x, 6, 1, &c, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     DESURV_E_EVENT);
    e[5] = 1;
    ck_assert_int_eq(desurv_cox1(t, e, x, 6, DESURV_TIES_BRESLOW, &c, NULL, NULL, NULL, NULL,
                                 NULL, NULL, NULL),
                     DESURV_OK);
    ck_assert(isfinite(c));
    /* No ties in these data except at time 2 with one event: Breslow =
     * Efron exactly. */
    double c2;
    ck_assert_int_eq(desurv_cox1(t, e, x, 6, DESURV_TIES_EFRON, &c2, NULL, NULL, NULL, NULL,
                                 NULL, NULL, NULL),
                     DESURV_OK);
    ck_assert_double_le(rel(c2, c), 1e-14);
}
END_TEST

static Suite *survstats_suite(void)
{
    Suite *s = suite_create("survstats");
    TCase *gold = tcase_create("golden");
    tcase_add_loop_test(gold, golden_km, 0, N_DSETS);
    tcase_add_loop_test(gold, golden_logrank, 0, N_DSETS);
    tcase_add_loop_test(gold, golden_cox, 0, N_DSETS);
    suite_add_tcase(s, gold);

    TCase *inv = tcase_create("invariance");
    tcase_add_loop_test(inv, monotone_time_transform, 0, N_DSETS);
    tcase_add_loop_test(inv, permutation_and_relabel, 0, N_DSETS);
    tcase_add_loop_test(inv, km_consistency, 0, N_DSETS);
    suite_add_tcase(s, inv);

    TCase *edge = tcase_create("edge");
    tcase_add_test(edge, km_edge_cases);
    tcase_add_test(edge, logrank_edge_cases);
    tcase_add_test(edge, cox_edge_cases);
    suite_add_tcase(s, edge);

    TCase *api = tcase_create("contract");
    tcase_add_test(api, km_contract);
    tcase_add_test(api, logrank_contract);
    tcase_add_test(api, cox_contract);
    suite_add_tcase(s, api);
    return s;
}

int main(void)
{
    return tu_run_suite(survstats_suite());
}
