/* cmd_fit.c - desurv fit: one fit at given hyperparameters. */
#include <string.h>

#include "commands.h"

static const opt_spec fit_opts[] = {
    CLI_DATA_OPTS,
    {"out", "DIR", "output directory (created if needed)"},
    {"k", "K", "rank: number of factors (required)"},
    {"alpha", "A", "supervision weight in [0, 1) (default 0.5; 0 = NMF then Cox)"},
    {"lambda", "L", "elastic-net strength on beta (default 0.1)"},
    {"nu", "V", "elastic-net mix, 1 = lasso (default 0.5)"},
    {"lambda-w", "L", "ridge penalty on W (default 0)"},
    {"lambda-h", "L", "ridge penalty on H (default 0)"},
    {"starts", "N", "random starts; the best after --imaxit iterations is kept (default 20)"},
    {"init", "I", "initialisation: random (default) or nndsvd"},
    {"ntop", "N", "score samples with each factor's N top genes only (default 0 = all)"},
    CLI_FIT_CONTROL_OPTS,
    CLI_COMMON_OPTS,
    {NULL, NULL, NULL}};

static const cmd_doc fit_doc = {
    "fit", "--expr FILE --surv FILE --k K [options] --out DIR",
    "Fit DeSurv with the given hyperparameters and write W.tsv, H.tsv, beta.tsv,\n"
    "risk.tsv, top_genes.tsv, summary.json and model.desurv into DIR."};

typedef struct hyper {
    const char *flag;
    desurv_option opt;
} hyper;

static const hyper hypers[] = {
    {"k", DESURV_OPT_K},           {"alpha", DESURV_OPT_ALPHA},
    {"lambda", DESURV_OPT_LAMBDA}, {"nu", DESURV_OPT_NU},
    {"lambda-w", DESURV_OPT_LAMBDA_W}, {"lambda-h", DESURV_OPT_LAMBDA_H},
    {"starts", DESURV_OPT_NINIT}};

static int set_hyper(const args *a, desurv_model *m, const hyper *h)
{
    double v, lo, hi;
    if (!arg_given(a, h->flag))
        return CLI_OK;
    desurv_option_bounds(h->opt, &lo, &hi);
    int rc = arg_num(a, h->flag, lo, hi, &v);
    if (rc != CLI_OK)
        return rc;
    int st = desurv_set_option(m, h->opt, v);
    if (st != DESURV_OK) {
        cli_err("--%s %s: %s", h->flag, arg_str(a, h->flag, ""), desurv_strerror(st));
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int configure(const args *a, const cli_common *c, desurv_model *m, int64_t *ntop)
{
    static const char *const inits[] = {"random", "nndsvd"};
    int init = 0;
    if (!arg_need(a, "k"))
        return CLI_USAGE;
    int rc = fit_control(a, c, m);
    for (size_t i = 0; rc == CLI_OK && i < sizeof hypers / sizeof hypers[0]; i++)
        rc = set_hyper(a, m, &hypers[i]);
    if (rc == CLI_OK)
        rc = arg_choice(a, "init", inits, 2, &init);
    if (rc == CLI_OK && desurv_set_option(m, DESURV_OPT_INIT, init) != DESURV_OK)
        rc = CLI_FAILURE;
    if (rc == CLI_OK)
        rc = arg_int(a, "ntop", 0, INT64_MAX / 2, ntop);
    return rc;
}

/* Fits m to d with a progress display. */
static int run_fit(desurv_model *m, const dataset *d, const cli_common *c)
{
    progress pr;
    progress_start(&pr, c, "fit");
    desurv_set_progress(m, progress_cb, &pr);
    int st = desurv_fit(m, d->X, d->p, d->n, d->p, d->time, d->event);
    progress_finish(&pr);
    desurv_set_progress(m, NULL, NULL);
    if (st != DESURV_OK)
        return lib_error(st, "fit", desurv_errmsg(m));
    return CLI_OK;
}

static void report(const results *r, const char *dir, const cli_common *c)
{
    double it = 0, conv = 0;
    desurv_model_stat(r->m, DESURV_STAT_ITERATIONS, &it);
    desurv_model_stat(r->m, DESURV_STAT_CONVERGED, &conv);
    cli_note(c, "fit: k = %lld, %.0f iterations (%s), training C-index %.4f", (long long)r->k,
             it, conv == 1 ? "converged" : "not converged", r->train_c);
    cli_note(c, "wrote %s/{W,H,beta,risk,top_genes}.tsv, summary.json, model.desurv", dir);
}

static int fit_and_write(desurv_model *m, const dataset *d, const cli_common *c, outdir *o,
                         int64_t ntop, int64_t ntop_report)
{
    results r;
    memset(&r, 0, sizeof r);
    r.command = "fit", r.c = c;
    if (ntop > d->p) {
        cli_err("--ntop %lld: the data have only %lld genes", (long long)ntop, (long long)d->p);
        outdir_abort(o);
        return CLI_USAGE;
    }
    int rc = run_fit(m, d, c);
    if (rc == CLI_OK)
        rc = prep_store(m, d);
    if (rc == CLI_OK)
        rc = results_compute(&r, m, d, ntop, ntop_report);
    if (rc == CLI_OK)
        rc = results_write(o, &r); /* aborts the directory itself on failure */
    else
        outdir_abort(o);
    if (rc == CLI_OK)
        report(&r, o->dir, c);
    results_free(&r);
    return rc;
}

int cmd_fit(int argc, char **argv)
{
    args a;
    cli_common c;
    dataset d;
    outdir o;
    desurv_model *m = NULL;
    int64_t ntop = 0, ntop_report = 50;
    int rc = args_parse(&a, &fit_doc, fit_opts, argc, argv, &c);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    const char *dir = arg_need(&a, "out");
    if (!dir)
        return CLI_USAGE;
    if (desurv_model_new(&m) != DESURV_OK)
        return CLI_FAILURE;
    rc = configure(&a, &c, m, &ntop);
    if (rc == CLI_OK)
        rc = arg_int(&a, "top-genes", 1, INT64_MAX / 2, &ntop_report);
    if (rc == CLI_OK)
        rc = load_training(&a, &c, &d);
    if (rc == CLI_OK) {
        if ((rc = outdir_prepare(&o, dir)) == CLI_OK) {
            install_signal_handlers();
            rc = fit_and_write(m, &d, &c, &o, ntop, ntop_report);
        }
        dataset_free(&d);
    }
    desurv_model_free(m);
    return rc;
}
