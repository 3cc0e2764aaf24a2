/* prep.c - preprocessing of training and new data, and its record in the
 * model's metadata.
 *
 * Order (as the DeSurv R package): log2(x + 1) on every gene, then the
 * gene filter, then the per-sample transformation of the kept genes.  New
 * data are first reduced to the model's genes, so a rank or quantile
 * transform sees the same gene set in both cases. */
#include "prep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const transform_names[3] = {"none", "rank", "quantile"};

/* Metadata keys (documented in doc/desurv.1, FILES). */
#define META_LOG2P1 "preprocess.log2p1"
#define META_NGENE "preprocess.ngene"
#define META_PINPUT "preprocess.p_input"
#define META_TRANSFORM "preprocess.transform"
#define META_QTARGET "preprocess.quantile_target"

void dataset_free(dataset *d)
{
    free(d->X);
    cli_free_strings(d->gene, d->p);
    cli_free_strings(d->sample, d->n);
    free(d->time), free(d->event), free(d->qtarget);
    free(d->cohort), free(d->cohort_n);
    cli_free_strings(d->cohort_name, d->ncohort);
    memset(d, 0, sizeof *d);
}

static int lib_fail(int st, const char *what)
{
    cli_err("%s: %s", what, desurv_strerror(st));
    return cli_exit_for(st) == CLI_INPUT ? CLI_INPUT : CLI_FAILURE;
}

/* Keeps the rows keep[0 .. m-1] (ascending) of X and their gene ids. */
static int keep_rows(dataset *d, const int64_t *keep, int64_t m)
{
    char **g = cli_alloc((size_t)m, sizeof *g);
    if (!g)
        return CLI_FAILURE;
    for (int64_t j = 0; j < d->n; j++)
        for (int64_t i = 0; i < m; i++)
            d->X[i + j * m] = d->X[keep[i] + j * d->p]; /* forward: never overwrites unread */
    for (int64_t i = 0; i < m; i++) {
        g[i] = d->gene[keep[i]];
        d->gene[keep[i]] = NULL;
    }
    cli_free_strings(d->gene, d->p); /* the dropped ids */
    d->gene = g;
    d->p = m;
    return CLI_OK;
}

/* The gene filter within each cohort: sel[g] counts the cohorts whose m
 * best genes include g; keep[0 .. *kept-1] = the genes selected in every
 * cohort, in file order. */
static int filter_by_cohort(const dataset *d, int64_t m, int64_t *keep, int64_t *kept)
{
    int64_t *sel = cli_alloc((size_t)d->p, sizeof *sel);
    int64_t *idx = cli_alloc((size_t)m, sizeof *idx);
    double *Xc = cli_alloc((size_t)d->p * (size_t)d->n, sizeof *Xc);
    int st = sel && idx && Xc ? DESURV_OK : DESURV_E_NOMEM;
    for (int64_t q = 0; st == DESURV_OK && q < d->ncohort; q++) {
        int64_t nc = 0;
        for (int64_t j = 0; j < d->n; j++)
            if (d->cohort[j] == q)
                memcpy(Xc + nc++ * d->p, d->X + j * d->p, (size_t)d->p * sizeof *Xc);
        st = desurv_gene_filter(Xc, d->p, nc, d->p, m, idx);
        for (int64_t i = 0; st == DESURV_OK && i < m; i++)
            sel[idx[i]]++;
    }
    *kept = 0;
    for (int64_t g = 0; st == DESURV_OK && g < d->p; g++)
        if (sel[g] == d->ncohort)
            keep[(*kept)++] = g;
    free(sel), free(idx), free(Xc);
    return st == DESURV_OK ? CLI_OK : st == DESURV_E_NOMEM ? CLI_FAILURE
                                                           : lib_fail(st, "gene filter");
}

static int filter_genes(dataset *d, const cli_common *c)
{
    int64_t m = d->prep.ngene, kept = m;
    if (m <= 0 || m >= d->p) {
        if (m > d->p)
            cli_note(c, "--genes %lld: the data have only %lld genes; all are kept",
                     (long long)m, (long long)d->p);
        return CLI_OK;
    }
    int64_t *keep = cli_alloc((size_t)m, sizeof *keep);
    if (!keep)
        return CLI_FAILURE;
    int rc;
    if (d->cohort) {
        rc = filter_by_cohort(d, m, keep, &kept);
        if (rc == CLI_OK && kept == 0) {
            cli_err("--genes %lld with %lld cohorts: no gene is among the %lld best (mean + "
                    "variance rank) of every cohort; raise --genes", (long long)m,
                    (long long)d->ncohort, (long long)m);
            rc = CLI_INPUT;
        }
        if (rc == CLI_OK)
            cli_note(c, "gene filter per cohort: %lld of the %lld best genes of each of the "
                     "%lld cohorts are common to all and kept", (long long)kept, (long long)m,
                     (long long)d->ncohort);
    } else {
        int st = desurv_gene_filter(d->X, d->p, d->n, d->p, m, keep);
        rc = st == DESURV_OK ? CLI_OK : lib_fail(st, "gene filter");
    }
    if (rc == CLI_OK)
        rc = keep_rows(d, keep, kept);
    free(keep);
    return rc;
}

/* for_model: new data for a fitted model, whose quantile target is in
 * d->qtarget already. */
static int transform(dataset *d, int for_model)
{
    int st = DESURV_OK;
    if (d->prep.transform == TR_RANK) {
        st = desurv_transform_rank(d->X, d->p, d->n, d->p);
    } else if (d->prep.transform == TR_QUANTILE) {
        if (!for_model) {
            d->qtarget = cli_alloc((size_t)d->p, sizeof *d->qtarget);
            if (!d->qtarget)
                return CLI_FAILURE;
            st = desurv_quantile_target(d->X, d->p, d->n, d->p, d->qtarget);
        }
        if (st == DESURV_OK)
            st = desurv_transform_quantile(d->X, d->p, d->n, d->p, d->qtarget);
    }
    return st == DESURV_OK ? CLI_OK : lib_fail(st, "transformation");
}

static int preprocess(dataset *d, const cli_common *c, int for_model)
{
    if (d->prep.log2p1) {
        int st = desurv_log2p1(d->X, d->p, d->n, d->p);
        if (st != DESURV_OK)
            return lib_fail(st, "log2(x + 1)");
    }
    int rc = for_model ? CLI_OK : filter_genes(d, c);
    return rc == CLI_OK ? transform(d, for_model) : rc;
}

int dataset_take_cohorts(dataset *d, matched *m)
{
    d->cohort = m->cohort, d->cohort_name = m->cohort_name, d->ncohort = m->ncohort;
    m->cohort = NULL, m->cohort_name = NULL, m->ncohort = 0;
    if (!d->cohort)
        return CLI_OK;
    d->cohort_n = cli_alloc((size_t)d->ncohort, sizeof *d->cohort_n);
    if (!d->cohort_n)
        return CLI_FAILURE;
    for (int64_t j = 0; j < d->n; j++)
        d->cohort_n[d->cohort[j]]++;
    return CLI_OK;
}

void cohort_note(const dataset *d, const cli_common *c)
{
    char list[600] = "";
    for (int64_t q = 0; q < d->ncohort && strlen(list) < 500; q++) {
        char one[64];
        snprintf(one, sizeof one, "%s%.40s %lld", q ? ", " : "", d->cohort_name[q],
                 (long long)d->cohort_n[q]);
        strncat(list, one, sizeof list - strlen(list) - 1);
    }
    if (d->cohort)
        cli_note(c, "%lld cohort%s (samples): %s%s", (long long)d->ncohort,
                 d->ncohort == 1 ? "" : "s", list, strlen(list) >= 500 ? ", ..." : "");
}

/* Moves the matrix and ids of e into d. */
static void take_expr(dataset *d, expr *e)
{
    d->p = d->p_input = e->p, d->n = e->n;
    d->X = e->X, d->gene = e->gene, d->sample = e->sample;
    d->expr_info = e->info;
    e->X = NULL, e->gene = e->sample = NULL, e->p = e->n = 0;
}

int dataset_load(const char *expr_path, const char *surv_path, const expr_opts *eo,
                 const surv_opts *so, const prep_opts *po, const cli_common *c, dataset *d)
{
    expr e;
    surv s;
    matched m;
    memset(d, 0, sizeof *d);
    memset(&m, 0, sizeof m);
    d->prep = *po;
    int rc = expr_read(expr_path, eo, c, &e);
    if (rc != CLI_OK)
        return rc;
    rc = surv_read(surv_path, so, c, &s);
    if (rc == CLI_OK) {
        d->surv_info = s.info;
        rc = match_samples(&e, &s, c, &m);
        surv_free(&s);
    }
    if (rc == CLI_OK) {
        take_expr(d, &e);
        d->time = m.time, d->event = m.event, d->events = m.events;
        m.time = NULL, m.event = NULL;
        rc = dataset_take_cohorts(d, &m);
    }
    if (rc == CLI_OK) {
        cohort_note(d, c);
        rc = preprocess(d, c, 0);
    }
    expr_free(&e);
    matched_free(&m);
    if (rc == CLI_OK)
        cli_note(c, "data: %lld genes (of %lld) x %lld samples, %lld events; log2(x + 1): %s, "
                 "transform: %s", (long long)d->p, (long long)d->p_input, (long long)d->n,
                 (long long)d->events, po->log2p1 ? "yes" : "no",
                 transform_names[po->transform]);
    else
        dataset_free(d);
    return rc;
}

/* ---- the record in the model ---- */

int prep_store(desurv_model *m, const dataset *d)
{
    double log2p1 = d->prep.log2p1, ngene = (double)d->prep.ngene, pin = (double)d->p_input;
    int st = desurv_model_set_names(m, DESURV_NAMES_GENES, (const char *const *)d->gene, d->p);
    if (st == DESURV_OK)
        st = desurv_model_set_names(m, DESURV_NAMES_SAMPLES, (const char *const *)d->sample,
                                    d->n);
    if (st == DESURV_OK)
        st = desurv_model_set_meta(m, META_LOG2P1, &log2p1, 1);
    if (st == DESURV_OK)
        st = desurv_model_set_meta(m, META_NGENE, &ngene, 1);
    if (st == DESURV_OK)
        st = desurv_model_set_meta(m, META_PINPUT, &pin, 1);
    if (st == DESURV_OK)
        st = desurv_model_set_meta_string(m, META_TRANSFORM, transform_names[d->prep.transform]);
    if (st == DESURV_OK && d->qtarget)
        st = desurv_model_set_meta(m, META_QTARGET, d->qtarget, d->p);
    if (st != DESURV_OK)
        return lib_fail(st, "storing the preprocessing in the model");
    return CLI_OK;
}

static double meta_scalar(const desurv_model *m, const char *key, double def)
{
    double v;
    int64_t len;
    if (desurv_model_get_meta(m, key, &v, 1, &len) != DESURV_OK || len != 1)
        return def;
    return v;
}

void prep_read(const desurv_model *m, prep_opts *po)
{
    memset(po, 0, sizeof *po);
    po->log2p1 = meta_scalar(m, META_LOG2P1, 0) != 0;
    po->ngene = (int64_t)meta_scalar(m, META_NGENE, 0);
    const char *tr = desurv_model_get_meta_string(m, META_TRANSFORM);
    for (int i = 0; tr && i < 3; i++)
        if (strcmp(tr, transform_names[i]) == 0)
            po->transform = i;
}

/* ---- new data for a model ---- */

/* The model's genes (p ids); an error when it has none. */
static int model_genes(const desurv_model *m, int64_t p, const char ***out)
{
    if (desurv_model_names_count(m, DESURV_NAMES_GENES) != p) {
        cli_err("the model has no gene ids (it was not made by 'desurv fit' or 'desurv "
                "tune'); cannot align new data to it");
        return CLI_INPUT;
    }
    const char **g = cli_alloc((size_t)p, sizeof *g);
    if (!g)
        return CLI_FAILURE;
    for (int64_t i = 0; i < p; i++)
        g[i] = desurv_model_name(m, DESURV_NAMES_GENES, i);
    *out = g;
    return CLI_OK;
}

static int report_missing(const expr *e, const char **genes, const int64_t *row, int64_t p,
                           int missing_zero, const cli_common *c)
{
    int64_t k = 0;
    for (int64_t i = 0; i < p; i++)
        k += row[i] < 0;
    if (k == 0)
        return CLI_OK;
    char list[600] = "";
    for (int64_t i = 0, shown = 0; i < p && shown < 20; i++)
        if (row[i] < 0) {
            strncat(list, shown++ ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, genes[i], sizeof list - strlen(list) - 1);
        }
    if (!missing_zero) {
        cli_err("%s: %lld of the model's %lld genes are missing: %s%s (--missing zero "
                "scores them as 0)", e->info.path, (long long)k, (long long)p, list,
                k > 20 ? ", ..." : "");
        return CLI_INPUT;
    }
    cli_note(c, "%s: %lld of the model's %lld genes are missing and set to 0: %s%s",
             e->info.path, (long long)k, (long long)p, list, k > 20 ? ", ..." : "");
    return CLI_OK;
}

/* d->X (p x n) = rows of e in the model's gene order (0 for missing). */
static int align(expr *e, const char **genes, int64_t p, int missing_zero,
                 const cli_common *c, dataset *d)
{
    strmap idx;
    int64_t *row = cli_alloc((size_t)p, sizeof *row);
    if (!row || strmap_init(&idx, e->p) != 0) {
        free(row);
        return CLI_FAILURE;
    }
    for (int64_t g = 0; g < e->p; g++)
        strmap_put(&idx, e->gene[g], g, NULL);
    for (int64_t i = 0; i < p; i++)
        row[i] = strmap_get(&idx, genes[i]);
    strmap_free(&idx);
    int rc = report_missing(e, genes, row, p, missing_zero, c);
    d->X = rc == CLI_OK ? cli_alloc((size_t)(p * e->n), sizeof *d->X) : NULL;
    for (int64_t j = 0; d->X && j < e->n; j++)
        for (int64_t i = 0; i < p; i++)
            d->X[i + j * p] = row[i] >= 0 ? e->X[row[i] + j * e->p] : 0.0;
    free(row);
    return rc != CLI_OK ? rc : d->X ? CLI_OK : CLI_FAILURE;
}

static int read_target(const desurv_model *m, dataset *d)
{
    int64_t len = 0;
    if (desurv_model_get_meta(m, META_QTARGET, NULL, 0, &len) != DESURV_OK || len != d->p) {
        cli_err("the model says quantile transform but holds no target of %lld values",
                (long long)d->p);
        return CLI_INPUT;
    }
    d->qtarget = cli_alloc((size_t)len, sizeof *d->qtarget);
    if (!d->qtarget)
        return CLI_FAILURE;
    desurv_model_get_meta(m, META_QTARGET, d->qtarget, len, &len);
    return CLI_OK;
}

int dataset_for_model(const char *expr_path, const expr_opts *eo, const desurv_model *m,
                      int missing_zero, const cli_common *c, dataset *d)
{
    expr e;
    const char **genes = NULL;
    int64_t p;
    memset(d, 0, sizeof *d);
    prep_read(m, &d->prep);
    int st = desurv_model_dims(m, &p, NULL, NULL);
    if (st != DESURV_OK)
        return lib_fail(st, "model");
    int rc = model_genes(m, p, &genes);
    if (rc == CLI_OK)
        rc = expr_read(expr_path, eo, c, &e);
    if (rc != CLI_OK) {
        free(genes);
        return rc;
    }
    d->p = p, d->n = e.n, d->p_input = e.p, d->expr_info = e.info;
    rc = align(&e, genes, p, missing_zero, c, d);
    d->sample = e.sample, e.sample = NULL;
    expr_free(&e);
    d->gene = NULL; /* the ids stay in the model */
    free(genes);
    if (rc == CLI_OK && d->prep.transform == TR_QUANTILE)
        rc = read_target(m, d);
    if (rc == CLI_OK)
        rc = preprocess(d, c, 1);
    if (rc != CLI_OK)
        dataset_free(d);
    return rc;
}
