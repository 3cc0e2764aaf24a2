/* search.c - tuning runs and the alpha = 0 baseline. */
#include "search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void show_warnings(const desurv_tuner *t, const cli_common *c)
{
    const char *w = desurv_tuner_warnings(t);
    while (w && *w) {
        size_t n = strcspn(w, "\n");
        cli_note(c, "warning: %.*s", (int)n, w);
        w += n + (w[n] == '\n');
    }
}

static int search(desurv_tuner *t, desurv_model *m, const dataset *d, const cli_common *c,
                  const char *label)
{
    progress pr;
    progress_start(&pr, c, label);
    desurv_tuner_set_progress(t, progress_cb, &pr);
    int st = desurv_tune(t, m, d->X, d->p, d->n, d->p, d->time, d->event);
    progress_finish(&pr);
    desurv_tuner_set_progress(t, NULL, NULL);
    if (st != DESURV_OK)
        return lib_error(st, label, desurv_tuner_errmsg(t));
    return CLI_OK;
}

/* A tuner with t's options, for one grid point on t's folds, no refit. */
static int baseline_tuner(const desurv_tuner *t, int64_t n, const double *par, desurv_tuner *b)
{
    int32_t *fold = cli_alloc((size_t)n, sizeof *fold);
    if (!fold)
        return CLI_FAILURE;
    int st = DESURV_OK;
    for (int o = 0; st == DESURV_OK && o < DESURV_TOPT_COUNT; o++) {
        double v;
        st = desurv_tuner_get(t, (desurv_tuner_option)o, &v);
        if (st == DESURV_OK)
            st = desurv_tuner_set(b, (desurv_tuner_option)o, v);
    }
    if (st == DESURV_OK)
        st = desurv_tuner_set(b, DESURV_TOPT_METHOD, 1);
    if (st == DESURV_OK)
        st = desurv_tuner_set(b, DESURV_TOPT_REFIT, 0);
    if (st == DESURV_OK)
        st = desurv_tuner_folds(t, fold, n);
    if (st == DESURV_OK)
        st = desurv_tuner_set_folds(b, fold, n);
    for (int q = 0; st == DESURV_OK && q < DESURV_PARAM_COUNT; q++) {
        double v = q == DESURV_PARAM_ALPHA ? 0.0 : par[q];
        st = desurv_tuner_set_grid(b, (desurv_param)q, &v, 1);
    }
    free(fold);
    return st == DESURV_OK ? CLI_OK : lib_error(st, "baseline", desurv_tuner_errmsg(b));
}

/* The model options (tol, maxit, ties, ...) of m on a fresh model. */
static int clone_options(const desurv_model *m, desurv_model **out)
{
    if (desurv_model_new(out) != DESURV_OK)
        return CLI_FAILURE;
    for (int o = 0; o < DESURV_OPT_COUNT; o++) {
        double v;
        if (desurv_get_option(m, (desurv_option)o, &v) == DESURV_OK && !(o == DESURV_OPT_K && v == 0))
            desurv_set_option(*out, (desurv_option)o, v);
    }
    return CLI_OK;
}

static int baseline(const desurv_tuner *t, const desurv_model *m, const dataset *d,
                    const cli_common *c, tune_info *ti)
{
    double par[DESURV_PARAM_COUNT];
    desurv_tuner *b = NULL;
    desurv_model *m0 = NULL;
    if (desurv_tuner_choice(t, par, NULL) != DESURV_OK || desurv_tuner_new(&b) != DESURV_OK)
        return CLI_FAILURE;
    int rc = baseline_tuner(t, d->n, par, b);
    if (rc == CLI_OK)
        rc = clone_options(m, &m0);
    if (rc == CLI_OK)
        rc = search(b, m0, d, c, "baseline alpha = 0");
    if (rc == CLI_OK)
        desurv_tuner_history(b, 0, NULL, &ti->base_c, &ti->base_se, NULL, NULL);
    ti->has_baseline = rc == CLI_OK;
    desurv_model_free(m0);
    desurv_tuner_free(b);
    return rc;
}

int tune_run(desurv_tuner *t, desurv_model *m, const dataset *d, const cli_common *c,
             int with_baseline, tune_info *ti)
{
    ti->t = t;
    if (d->cohort) { /* folds stratified by (cohort, event) */
        int st = desurv_tuner_set_strata(t, d->cohort, d->n);
        if (st != DESURV_OK)
            return lib_error(st, "cohort strata", desurv_tuner_errmsg(t));
    }
    int rc = search(t, m, d, c, ti->method ? "cv" : "tune");
    if (rc != CLI_OK)
        return rc;
    show_warnings(t, c);
    if (desurv_tuner_choice(t, NULL, &ti->chosen) != DESURV_OK)
        return CLI_FAILURE;
    desurv_tuner_history(t, ti->chosen, NULL, &ti->cv_c, &ti->cv_se, NULL, NULL);
    return with_baseline ? baseline(t, m, d, c, ti) : CLI_OK;
}

int tune_outputs(const desurv_tuner *t, desurv_model *m, const dataset *d, int64_t top,
                 const tune_info *ti, results *r, outdir *o)
{
    double par[DESURV_PARAM_COUNT];
    (void)ti;
    if (desurv_tuner_choice(t, par, NULL) != DESURV_OK)
        return CLI_FAILURE;
    int64_t ntop = isfinite(par[DESURV_PARAM_NTOP]) ? (int64_t)par[DESURV_PARAM_NTOP] : 0;
    int rc = prep_store(m, d);
    if (rc == CLI_OK)
        rc = results_compute(r, m, d, ntop, top);
    if (rc == CLI_OK)
        return results_write(o, r);
    outdir_abort(o);
    return rc;
}
