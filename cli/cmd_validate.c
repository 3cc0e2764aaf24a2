/* cmd_validate.c - validate: a saved model on a new cohort with survival.
 *
 * The linear predictor is computed exactly as 'desurv predict' computes it
 * (model_lp after model_data), for the samples present in both --expr and
 * --surv.  Then:
 *  - Harrell's C (desurv_cindex) with a 95% normal-approximation interval
 *    whose variance is the infinitesimal jackknife one of R's
 *    survival::concordance: var = sum_a ((N_a - C D_a) / D)^2, where D_a
 *    counts the comparable pairs sample a belongs to, N_a those concordant
 *    (ties in risk 1/2) and D the comparable pairs (the derivative of C with
 *    respect to a's case weight);
 *  - a Cox fit (Efron ties, desurv_cox1) of the lp standardised to mean 0
 *    and sample SD 1 (n - 1 denominator, as R's sd) in this cohort;
 *  - risk groups (median, tertile or z cut), a Cox fit on the group index,
 *    the log-rank test over the groups and a Kaplan-Meier curve per group.
 * Outputs: risk.tsv, km.tsv, validation.json (doc/desurv.1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

#define META_LP_MEDIAN "train.lp_median" /* written by fit / tune (results.c) */
#define Z975 1.959963984540054
#define MAX_GROUPS 3

static const opt_spec validate_opts[] = {
    {"model", "FILE", "model file written by fit or tune (DIR/model.desurv)"},
    {"expr", "FILE", "expression of the validation cohort (TSV/CSV, .gz ok, - = stdin)"},
    {"surv", "FILE", "survival table of the cohort: sample, time, event columns"},
    {"groups", "G", "risk groups: median (default), tertile or z=VALUE"},
    {"out", "DIR", "output directory"},
    {"transpose", NULL, "the expression table has samples in rows, genes in columns"},
    {"sample-col", "NAME", "sample id column of --surv (default: sample, id, ...)"},
    {"time-col", "NAME", "time column of --surv (default: time, OS.time, ...)"},
    {"event-col", "NAME", "event column of --surv, 1 = event (default: event, OS, ...)"},
    {"select", "COL=VALUE", "use only the --surv rows whose COL equals VALUE"},
    {"cohort-col", "NAME", "cohort column of --surv (only reported: all samples are validated)"},
    {"na", "MODE", "missing expression values: error (default), zero, drop-gene"},
    {"missing", "MODE", "model genes absent from --expr: error (default) or zero"},
    CLI_COMMON_OPTS,
    {NULL, NULL, NULL}};

static const cmd_doc validate_doc = {
    "validate", "--model FILE --expr FILE --surv FILE [--groups G] --out DIR",
    "Validate a saved model on a new cohort: scores the samples as predict\n"
    "does, then writes risk.tsv (sample, lp, risk, group), km.tsv (Kaplan-Meier\n"
    "curve per risk group) and validation.json: C-index with a 95% CI, Cox HR\n"
    "(Efron ties) per SD of lp, HR between the risk groups, log-rank test.\n"
    "Groups: median (high when lp is above the training median stored in the\n"
    "model, else the cohort's median), tertile (the cohort's tertiles; the\n"
    "group HR is per step low -> mid -> high), z=VALUE (high when the lp\n"
    "standardised in the cohort exceeds VALUE)."};

enum { G_MEDIAN = 0, G_TERTILE, G_Z };

typedef struct grouping {
    int kind;
    double zcut;        /* G_Z */
    const char *spec;   /* as given */
} grouping;

/* Everything validation.json, risk.tsv and km.tsv hold. */
typedef struct validation {
    const char *model_path;
    const dataset *d;
    const grouping *g;
    double *lp;
    int32_t *group;
    int ngroups;
    const char *const *labels;
    double cuts[2];
    int ncuts;
    const char *cut_source;
    double risk_ref; /* risk = exp(lp - risk_ref): the training (else cohort) median lp */
    int64_t gn[MAX_GROUPS], gev[MAX_GROUPS];
    double cindex, cindex_se, lp_mean, lp_sd;
    double hr_sd[4], hr_grp[4]; /* hr, lo, hi, p */
    double lr_chisq, lr_p;
    int64_t lr_df;
    /* Kaplan-Meier rows of every group, concatenated. */
    int64_t km_len, km_start[MAX_GROUPS + 1];
    double *km_t, *km_s, *km_se, *km_lo, *km_hi;
    int64_t *km_nr, *km_ne, *km_nc;
    char warn[4][200];
    int nwarn;
} validation;

static const char *const labels2[] = {"low", "high"};
static const char *const labels3[] = {"low", "mid", "high"};

static void warn(validation *v, const cli_common *c, const char *msg)
{
    if (v->nwarn < 4)
        snprintf(v->warn[v->nwarn++], sizeof v->warn[0], "%s", msg);
    cli_note(c, "warning: %s", msg);
}

/* ---- options ---- */

static int parse_groups(const args *a, grouping *g)
{
    const char *s = arg_str(a, "groups", "median");
    memset(g, 0, sizeof *g);
    g->spec = s;
    if (strcmp(s, "median") == 0) {
        g->kind = G_MEDIAN;
    } else if (strcmp(s, "tertile") == 0) {
        g->kind = G_TERTILE;
    } else if (strncmp(s, "z=", 2) == 0 && parse_double(s + 2, &g->zcut) == 0) {
        g->kind = G_Z;
    } else {
        cli_err("--groups %s: expected median, tertile or z=VALUE (e.g. z=0.5)", s);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* ---- data: the model's view of --expr, matched with --surv ---- */

static int match_cohort(dataset *d, const char *surv_path, const surv_opts *so,
                        const cli_common *c)
{
    surv s;
    matched mt;
    int rc = surv_read(surv_path, so, c, &s);
    if (rc != CLI_OK)
        return rc;
    int64_t ev = 0;
    for (int64_t i = 0; i < s.n; i++)
        ev += s.event[i];
    if (ev == 0) {
        cli_err("%s: no events among its %lld sample%s%s%s: validation needs at least one "
                "event (1 in the event column)", s.info.path, (long long)s.n,
                s.n == 1 ? "" : "s", so->select ? " selected by --select " : "",
                so->select ? so->select : "");
        surv_free(&s);
        return CLI_INPUT;
    }
    /* The matrix is already the model's (aligned, preprocessed per sample),
     * so matching only drops and reorders columns. */
    expr e;
    memset(&e, 0, sizeof e);
    e.p = d->p, e.n = d->n, e.X = d->X, e.sample = d->sample, e.info = d->expr_info;
    rc = match_samples(&e, &s, c, &mt);
    d->n = e.n; /* the dropped ids are freed */
    d->surv_info = s.info;
    surv_free(&s);
    d->time = mt.time, d->event = mt.event, d->events = mt.events;
    mt.time = NULL, mt.event = NULL;
    if (rc == CLI_OK)
        rc = dataset_take_cohorts(d, &mt);
    if (rc == CLI_OK)
        cohort_note(d, c); /* reported only: validation is over all samples */
    matched_free(&mt);
    return rc;
}

/* ---- C-index and its infinitesimal jackknife variance ---- */

typedef struct keyed {
    double key;
    int64_t idx;
} keyed;

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key ? 1 : (x->idx > y->idx) - (x->idx < y->idx);
}

/* The permutation that sorts key ascending (ties by index), or NULL. */
static int64_t *order_by(const double *key, int64_t n)
{
    keyed *k = cli_alloc((size_t)n, sizeof *k);
    int64_t *o = k ? cli_alloc((size_t)n, sizeof *o) : NULL;
    if (o) {
        for (int64_t i = 0; i < n; i++)
            k[i].key = key[i], k[i].idx = i;
        qsort(k, (size_t)n, sizeof *k, by_key);
        for (int64_t i = 0; i < n; i++)
            o[i] = k[i].idx;
    }
    free(k);
    return o;
}

static void bit_add(int64_t *bit, int64_t m, int64_t at)
{
    for (; at <= m; at += at & -at)
        bit[at]++;
}

static int64_t bit_sum(const int64_t *bit, int64_t at)
{
    int64_t s = 0;
    for (; at > 0; at -= at & -at)
        s += bit[at];
    return s;
}

/* Pairs with the samples in bit: cnt[0] += partners of lower risk, cnt[1]
 * of equal risk, cnt[2] of higher risk. */
static void count_pairs(const int64_t *bit, int64_t total, int64_t rank, int64_t *cnt)
{
    int64_t less = bit_sum(bit, rank - 1), leq = bit_sum(bit, rank);
    cnt[0] += less, cnt[1] += leq - less, cnt[2] += total - leq;
}

/* For every sample a: cnt[3a + 0/1/2] = its comparable pairs in which it
 * is concordant / tied in risk / discordant.  A pair (i, j) is comparable
 * when event_i = 1 and (t_i < t_j, or t_i = t_j and event_j = 0). */
static void pair_counts(const dataset *d, const int64_t *ot, const int64_t *rank, int64_t m,
                        int64_t *bit, int64_t *cnt)
{
    int64_t n = d->n, total = 0;
    /* a as the earlier event: partners later, or censored at a's time;
     * concordant when the partner's risk is lower. */
    for (int64_t hi = n; hi > 0;) {
        int64_t lo = hi - 1;
        while (lo > 0 && d->time[ot[lo - 1]] == d->time[ot[hi - 1]])
            lo--;
        for (int64_t q = lo; q < hi; q++)
            if (!d->event[ot[q]])
                bit_add(bit, m, rank[ot[q]]), total++;
        for (int64_t q = lo; q < hi; q++)
            if (d->event[ot[q]])
                count_pairs(bit, total, rank[ot[q]], cnt + 3 * ot[q]);
        for (int64_t q = lo; q < hi; q++)
            if (d->event[ot[q]])
                bit_add(bit, m, rank[ot[q]]), total++;
        hi = lo;
    }
    memset(bit, 0, (size_t)(m + 1) * sizeof *bit);
    total = 0;
    /* a as the later one: earlier events (and same-time events when a is
     * censored); concordant when the partner's risk is higher. */
    for (int64_t lo = 0; lo < n;) {
        int64_t hi = lo + 1;
        while (hi < n && d->time[ot[hi]] == d->time[ot[lo]])
            hi++;
        for (int pass = 0; pass < 2; pass++) {
            for (int64_t q = lo; q < hi; q++) {
                int64_t a = ot[q], c3[3] = {0, 0, 0};
                if (d->event[a] != (pass == 0))
                    continue;
                count_pairs(bit, total, rank[a], c3);
                cnt[3 * a] += c3[2], cnt[3 * a + 1] += c3[1], cnt[3 * a + 2] += c3[0];
            }
            for (int64_t q = lo; pass == 0 && q < hi; q++)
                if (d->event[ot[q]])
                    bit_add(bit, m, rank[ot[q]]), total++;
        }
        lo = hi;
    }
}

/* Dense ranks 1..m of the risks. */
static int64_t risk_ranks(const double *lp, int64_t n, const int64_t *orr, int64_t *rank)
{
    int64_t m = 0;
    for (int64_t q = 0; q < n; q++) {
        if (q == 0 || lp[orr[q]] != lp[orr[q - 1]])
            m++;
        rank[orr[q]] = m;
    }
    return m;
}

static int cindex_se(const dataset *d, const double *lp, double cidx, double *se)
{
    int64_t n = d->n;
    int64_t *ot = order_by(d->time, n), *orr = order_by(lp, n);
    int64_t *rank = cli_alloc((size_t)n, sizeof *rank);
    int64_t *bit = cli_alloc((size_t)n + 1, sizeof *bit);
    int64_t *cnt = cli_alloc((size_t)n * 3, sizeof *cnt);
    int rc = ot && orr && rank && bit && cnt ? CLI_OK : CLI_FAILURE;
    *se = NAN;
    if (rc == CLI_OK) {
        int64_t m = risk_ranks(lp, n, orr, rank);
        memset(bit, 0, (size_t)(n + 1) * sizeof *bit);
        memset(cnt, 0, (size_t)n * 3 * sizeof *cnt);
        pair_counts(d, ot, rank, m, bit, cnt);
        double pairs = 0, var = 0;
        for (int64_t a = 0; a < n; a++)
            pairs += (double)(cnt[3 * a] + cnt[3 * a + 1] + cnt[3 * a + 2]);
        pairs /= 2; /* every pair counted at both of its samples */
        for (int64_t a = 0; pairs > 0 && a < n; a++) {
            double na = (double)cnt[3 * a] + 0.5 * (double)cnt[3 * a + 1];
            double da = (double)(cnt[3 * a] + cnt[3 * a + 1] + cnt[3 * a + 2]);
            double inf = (na - cidx * da) / pairs;
            var += inf * inf;
        }
        if (pairs > 0)
            *se = sqrt(var);
    }
    free(ot), free(orr), free(rank), free(bit), free(cnt);
    return rc;
}

/* ---- groups ---- */

/* Quantile of the sorted x[0 .. n-1] at probability p, R's type 7. */
static double quantile7(const double *x, int64_t n, double p)
{
    double h = (double)(n - 1) * p;
    int64_t lo = (int64_t)floor(h);
    if (lo >= n - 1)
        return x[n - 1];
    return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

static int make_groups(validation *v, const desurv_model *m, const double *z)
{
    const dataset *d = v->d;
    double train_med = NAN;
    int64_t len = 0;
    if (desurv_model_get_meta(m, META_LP_MEDIAN, &train_med, 1, &len) != DESURV_OK || len != 1)
        train_med = NAN;
    double *s = cli_alloc((size_t)d->n, sizeof *s);
    int64_t *o = s ? order_by(v->lp, d->n) : NULL;
    if (!o) {
        free(s);
        return CLI_FAILURE;
    }
    for (int64_t i = 0; i < d->n; i++)
        s[i] = v->lp[o[i]]; /* sorted */
    free(o);
    v->ngroups = v->g->kind == G_TERTILE ? 3 : 2;
    v->labels = v->ngroups == 3 ? labels3 : labels2;
    v->cut_source = "validation";
    v->risk_ref = isfinite(train_med) ? train_med : quantile7(s, d->n, 0.5);
    if (v->g->kind == G_MEDIAN) {
        v->ncuts = 1;
        if (isfinite(train_med))
            v->cuts[0] = train_med, v->cut_source = "training";
        else
            v->cuts[0] = quantile7(s, d->n, 0.5);
    } else if (v->g->kind == G_TERTILE) {
        v->ncuts = 2;
        v->cuts[0] = quantile7(s, d->n, 1.0 / 3), v->cuts[1] = quantile7(s, d->n, 2.0 / 3);
    } else {
        v->ncuts = 1;
        v->cuts[0] = v->lp_mean + v->g->zcut * v->lp_sd; /* for the record; z decides */
    }
    free(s);
    for (int64_t j = 0; j < d->n; j++) {
        int32_t g;
        if (v->g->kind == G_Z)
            g = z[j] > v->g->zcut;
        else if (v->g->kind == G_MEDIAN)
            g = v->lp[j] > v->cuts[0];
        else
            g = (v->lp[j] > v->cuts[0]) + (v->lp[j] > v->cuts[1]);
        v->group[j] = g;
        v->gn[g]++, v->gev[g] += d->event[j];
    }
    return CLI_OK;
}

/* ---- statistics ---- */

/* Cox fit of x; out = hr, lo, hi, p (NaN with a warning when the estimate
 * does not exist). */
static int cox(validation *v, const cli_common *c, const double *x, double *out,
               const char *what)
{
    const dataset *d = v->d;
    int st = desurv_cox1(d->time, d->event, x, d->n, DESURV_TIES_EFRON, NULL, NULL, &out[0],
                         &out[1], &out[2], &out[3], NULL, NULL);
    if (st == DESURV_E_NUMERIC || st == DESURV_E_NONFINITE) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s: the Cox estimate does not exist (%s); written as null",
                 what, desurv_strerror(st));
        out[0] = out[1] = out[2] = out[3] = NAN;
        warn(v, c, msg);
        return CLI_OK;
    }
    return st == DESURV_OK ? CLI_OK : lib_error(st, what, NULL);
}

static int per_sd(validation *v, const cli_common *c, double *z)
{
    const dataset *d = v->d;
    double mean = 0, ss = 0;
    for (int64_t j = 0; j < d->n; j++)
        mean += v->lp[j];
    mean /= (double)d->n;
    for (int64_t j = 0; j < d->n; j++)
        ss += (v->lp[j] - mean) * (v->lp[j] - mean);
    v->lp_mean = mean, v->lp_sd = sqrt(ss / (double)(d->n - 1));
    for (int i = 0; i < 4; i++)
        v->hr_sd[i] = NAN;
    if (!(v->lp_sd > 0)) {
        for (int64_t j = 0; j < d->n; j++)
            z[j] = 0;
        warn(v, c, "the linear predictor is constant in this cohort: no HR per SD");
        return CLI_OK;
    }
    for (int64_t j = 0; j < d->n; j++)
        z[j] = (v->lp[j] - mean) / v->lp_sd;
    return cox(v, c, z, v->hr_sd, "Cox fit of the standardised lp");
}

static int group_tests(validation *v, const cli_common *c)
{
    const dataset *d = v->d;
    int populated = 0;
    for (int q = 0; q < v->ngroups; q++)
        populated += v->gn[q] > 0;
    v->lr_chisq = v->lr_p = NAN, v->lr_df = 0;
    for (int i = 0; i < 4; i++)
        v->hr_grp[i] = NAN;
    if (populated < 2) {
        warn(v, c, "only one risk group is populated: no group HR or log-rank test");
        return CLI_OK;
    }
    double *x = cli_alloc((size_t)d->n, sizeof *x);
    if (!x)
        return CLI_FAILURE;
    for (int64_t j = 0; j < d->n; j++)
        x[j] = v->group[j];
    int rc = cox(v, c, x, v->hr_grp, "Cox fit of the risk groups");
    free(x);
    if (rc != CLI_OK)
        return rc;
    int64_t ng = 0;
    int st = desurv_logrank(d->time, d->event, v->group, d->n, &v->lr_chisq, &v->lr_df,
                            &v->lr_p, NULL, NULL, NULL, 0, &ng);
    return st == DESURV_OK ? CLI_OK : lib_error(st, "log-rank test", NULL);
}

static int km_alloc(validation *v, int64_t rows)
{
    size_t r = (size_t)(rows > 0 ? rows : 1);
    v->km_t = cli_alloc(r, sizeof(double)), v->km_s = cli_alloc(r, sizeof(double));
    v->km_se = cli_alloc(r, sizeof(double)), v->km_lo = cli_alloc(r, sizeof(double));
    v->km_hi = cli_alloc(r, sizeof(double)), v->km_nr = cli_alloc(r, sizeof(int64_t));
    v->km_ne = cli_alloc(r, sizeof(int64_t)), v->km_nc = cli_alloc(r, sizeof(int64_t));
    return v->km_t && v->km_s && v->km_se && v->km_lo && v->km_hi && v->km_nr && v->km_ne &&
                   v->km_nc ? CLI_OK : CLI_FAILURE;
}

static int km_curves(validation *v)
{
    const dataset *d = v->d;
    double *t = cli_alloc((size_t)d->n, sizeof *t);
    int32_t *e = cli_alloc((size_t)d->n, sizeof *e);
    int rc = t && e ? km_alloc(v, d->n) : CLI_FAILURE;
    for (int q = 0; rc == CLI_OK && q < v->ngroups; q++) {
        int64_t ng = 0, len = 0, at = v->km_len;
        for (int64_t j = 0; j < d->n; j++)
            if (v->group[j] == q)
                t[ng] = d->time[j], e[ng++] = d->event[j];
        v->km_start[q] = at;
        if (ng == 0)
            continue;
        int st = desurv_km(t, e, ng, v->km_t + at, v->km_s + at, v->km_se + at, v->km_lo + at,
                           v->km_hi + at, v->km_nr + at, v->km_ne + at, v->km_nc + at,
                           d->n - at, &len);
        if (st != DESURV_OK)
            rc = lib_error(st, "Kaplan-Meier curve", NULL);
        v->km_len += len;
    }
    v->km_start[v->ngroups] = v->km_len;
    free(t), free(e);
    return rc;
}

static int compute(validation *v, const desurv_model *m, const cli_common *c)
{
    const dataset *d = v->d;
    double *z = cli_alloc((size_t)d->n, sizeof *z);
    v->group = cli_alloc((size_t)d->n, sizeof *v->group);
    int rc = z && v->group ? model_lp(m, d, v->lp) : CLI_FAILURE;
    int st = rc == CLI_OK ? desurv_cindex(d->time, d->event, v->lp, d->n, &v->cindex) : DESURV_OK;
    if (st != DESURV_OK)
        rc = lib_error(st, "C-index", NULL);
    if (rc == CLI_OK)
        rc = cindex_se(d, v->lp, v->cindex, &v->cindex_se);
    if (rc == CLI_OK && !isfinite(v->cindex))
        warn(v, c, "no comparable pair of samples: no C-index");
    if (rc == CLI_OK)
        rc = per_sd(v, c, z);
    if (rc == CLI_OK)
        rc = make_groups(v, m, z);
    if (rc == CLI_OK)
        rc = group_tests(v, c);
    if (rc == CLI_OK)
        rc = km_curves(v);
    free(z);
    return rc;
}

static void validation_free(validation *v)
{
    free(v->lp), free(v->group);
    free(v->km_t), free(v->km_s), free(v->km_se), free(v->km_lo), free(v->km_hi);
    free(v->km_nr), free(v->km_ne), free(v->km_nc);
}

/* ---- files ---- */

static int write_risk(FILE *f, const void *ctx)
{
    const validation *v = ctx;
    fputs("sample\tlp\trisk\tgroup\n", f);
    for (int64_t j = 0; j < v->d->n; j++) {
        tsv_text(f, v->d->sample[j]);
        fputc('\t', f), tsv_num(f, v->lp[j]);
        fputc('\t', f), tsv_num(f, exp(v->lp[j] - v->risk_ref));
        fprintf(f, "\t%s\n", v->labels[v->group[j]]);
    }
    return CLI_OK;
}

static int write_km(FILE *f, const void *ctx)
{
    const validation *v = ctx;
    fputs("group\ttime\tn_risk\tn_event\tn_censor\tsurv\tstd_err\tlower\tupper\n", f);
    for (int q = 0; q < v->ngroups; q++)
        for (int64_t r = v->km_start[q]; r < v->km_start[q + 1]; r++) {
            fprintf(f, "%s\t", v->labels[q]);
            tsv_num(f, v->km_t[r]);
            fprintf(f, "\t%lld\t%lld\t%lld\t", (long long)v->km_nr[r], (long long)v->km_ne[r],
                    (long long)v->km_nc[r]);
            tsv_num(f, v->km_s[r]), fputc('\t', f), tsv_num(f, v->km_se[r]), fputc('\t', f);
            tsv_num(f, v->km_lo[r]), fputc('\t', f), tsv_num(f, v->km_hi[r]), fputc('\n', f);
        }
    return CLI_OK;
}

/* The 95% interval of C, NaN when C or its se is not available. */
static void cindex_ci(const validation *v, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (isfinite(v->cindex) && isfinite(v->cindex_se)) {
        *lo = fmax(0, v->cindex - Z975 * v->cindex_se);
        *hi = fmin(1, v->cindex + Z975 * v->cindex_se);
    }
}

static void json_pair(json *j, const char *key, double a, double b)
{
    json_arr(j, key, 1);
    json_num(j, NULL, a), json_num(j, NULL, b);
    json_close(j);
}

static void json_file(json *j, const char *key, const file_info *fi)
{
    char crc[16];
    snprintf(crc, sizeof crc, "%08lx", (unsigned long)fi->crc32);
    json_obj(j, key);
    json_str(j, "path", fi->path);
    json_int(j, "bytes", fi->bytes);
    json_str(j, "crc32", crc);
    json_bool(j, "gzip", fi->gzip);
    json_close(j);
}

static void json_groups(json *j, const validation *v)
{
    json_str(j, "groups", v->g->spec);
    json_str(j, "group_cut_source", v->cut_source);
    json_arr(j, "group_cuts", 1);
    for (int i = 0; i < v->ncuts; i++)
        json_num(j, NULL, v->cuts[i]);
    json_close(j);
    json_arr(j, "group_labels", 1);
    for (int q = 0; q < v->ngroups; q++)
        json_str(j, NULL, v->labels[q]);
    json_close(j);
    json_arr(j, "group_n", 1);
    for (int q = 0; q < v->ngroups; q++)
        json_int(j, NULL, v->gn[q]);
    json_close(j);
    json_arr(j, "group_events", 1);
    for (int q = 0; q < v->ngroups; q++)
        json_int(j, NULL, v->gev[q]);
    json_close(j);
    json_num(j, "hr_groups", v->hr_grp[0]);
    json_pair(j, "hr_groups_ci", v->hr_grp[1], v->hr_grp[2]);
    json_num(j, "hr_groups_p", v->hr_grp[3]);
    json_str(j, "hr_groups_contrast", v->ngroups == 3 ? "per step low -> mid -> high (trend "
                                                        "over group index 0, 1, 2)"
                                                      : "high vs low");
    json_num(j, "logrank_chisq", v->lr_chisq);
    json_int(j, "logrank_df", v->lr_df);
    json_num(j, "logrank_p", v->lr_p);
}

static int write_json(FILE *f, const void *ctx)
{
    const validation *v = ctx;
    json j;
    json_begin(&j, f);
    json_str(&j, "command", "validate");
    json_str(&j, "desurv_version", desurv_version_string());
    json_str(&j, "model", v->model_path);
    json_int(&j, "n", v->d->n);
    json_int(&j, "events", v->d->events);
    json_num(&j, "cindex", v->cindex);
    json_num(&j, "cindex_se", v->cindex_se);
    double lo, hi;
    cindex_ci(v, &lo, &hi);
    json_pair(&j, "cindex_ci", lo, hi);
    json_str(&j, "cindex_ci_method", "normal approximation C +- 1.96 se, clipped to [0, 1]; "
             "se from the infinitesimal jackknife variance (as R survival::concordance)");
    json_num(&j, "lp_mean", v->lp_mean);
    json_num(&j, "lp_sd", v->lp_sd);
    json_num(&j, "hr_per_sd", v->hr_sd[0]);
    json_pair(&j, "hr_per_sd_ci", v->hr_sd[1], v->hr_sd[2]);
    json_num(&j, "hr_per_sd_p", v->hr_sd[3]);
    json_groups(&j, v);
    json_str(&j, "ties", "efron");
    json_arr(&j, "warnings", 0);
    for (int i = 0; i < v->nwarn; i++)
        json_str(&j, NULL, v->warn[i]);
    json_close(&j);
    json_obj(&j, "inputs");
    json_file(&j, "expression", &v->d->expr_info);
    json_file(&j, "survival", &v->d->surv_info);
    json_close(&j);
    json_end(&j);
    return CLI_OK;
}

static int write_outputs(outdir *o, const validation *v)
{
    int rc = outdir_add(o, "risk.tsv", write_risk, v);
    if (rc == CLI_OK)
        rc = outdir_add(o, "km.tsv", write_km, v);
    if (rc == CLI_OK)
        rc = outdir_add(o, "validation.json", write_json, v);
    if (rc == CLI_OK && cli_interrupted)
        rc = CLI_CANCELLED;
    if (rc == CLI_OK)
        return outdir_commit(o);
    outdir_abort(o);
    return rc;
}

static void report(const validation *v, const char *dir, const cli_common *c)
{
    double lo, hi;
    cindex_ci(v, &lo, &hi);
    cli_note(c, "validate: n = %lld, %lld events; C-index %.4f (95%% CI %.4f-%.4f); HR per SD "
             "%.3g (p = %.3g); log-rank p = %.3g", (long long)v->d->n, (long long)v->d->events,
             v->cindex, lo, hi, v->hr_sd[0], v->hr_sd[3], v->lr_p);
    cli_note(c, "wrote %s/{risk,km}.tsv, validation.json", dir);
}

static int run(const args *a, const cli_common *c, const grouping *g, int miss,
               const surv_opts *so, const char *mp, const char *dir)
{
    desurv_model *m = NULL;
    dataset d;
    validation v;
    outdir o;
    memset(&v, 0, sizeof v);
    int rc = load_model(mp, &m);
    if (rc != CLI_OK)
        return rc;
    rc = model_data(a, c, m, arg_str(a, "expr", NULL), miss, &d);
    if (rc == CLI_OK) {
        rc = match_cohort(&d, arg_str(a, "surv", NULL), so, c);
        v.model_path = mp, v.d = &d, v.g = g;
        v.lp = rc == CLI_OK ? cli_alloc((size_t)d.n, sizeof *v.lp) : NULL;
        if (rc == CLI_OK)
            rc = v.lp ? compute(&v, m, c) : CLI_FAILURE;
        if (rc == CLI_OK && (rc = outdir_prepare(&o, dir)) == CLI_OK)
            rc = write_outputs(&o, &v);
        if (rc == CLI_OK)
            report(&v, dir, c);
        validation_free(&v);
        dataset_free(&d);
    }
    desurv_model_free(m);
    return rc;
}

int cmd_validate(int argc, char **argv)
{
    args a;
    cli_common c;
    grouping g;
    surv_opts so;
    int miss = 0;
    int rc = args_parse(&a, &validate_doc, validate_opts, argc, argv, &c);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    const char *mp = arg_need(&a, "model"), *ep = mp ? arg_need(&a, "expr") : NULL;
    const char *sp = ep ? arg_need(&a, "surv") : NULL, *dir = sp ? arg_need(&a, "out") : NULL;
    if (!dir)
        return CLI_USAGE;
    if (strcmp(ep, "-") == 0 && strcmp(sp, "-") == 0) {
        cli_err("--expr and --surv cannot both be read from standard input");
        return CLI_USAGE;
    }
    if ((rc = parse_groups(&a, &g)) != CLI_OK || (rc = missing_option(&a, &miss)) != CLI_OK ||
        (rc = surv_options(&a, &so)) != CLI_OK)
        return rc;
    install_signal_handlers();
    return run(&a, &c, &g, miss, &so, mp, dir);
}
