/* cmd_tune.c - desurv tune (Bayesian optimisation) and desurv cv (grid
 * search): choose the hyperparameters by cross-validated C-index and a
 * selection rule (--rule), refit on all samples, write the fit outputs
 * plus the search history. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "search.h"

#define TUNE_DATA_AND_BUDGET                                                             \
    CLI_DATA_OPTS, {"out", "DIR", "output directory (created if needed)"},              \
        {"folds", "K", "cross-validation folds (default 5)"},                           \
        {"starts", "N", "random starts of every fold fit and of the final refit (default 30)"}, \
        {"baseline", NULL, "also cross-validate alpha = 0 (NMF, then Cox) at the choice"}

static const opt_spec tune_opts[] = {
    TUNE_DATA_AND_BUDGET,
    {"k", "LO:HI", "rank range (default 2:12); a single value fixes it"},
    {"alpha", "LO:HI", "supervision weight range (default 1e-4:0.9999); 0 fixes alpha = 0"},
    {"alpha-scale", "S", "alpha search scale: log-odds (default) or linear"},
    {"lambda", "LO:HI", "elastic-net strength range, log scale (default 1e-5:1e5)"},
    {"nu", "LO:HI", "elastic-net mix range (default 0:1)"},
    {"lambda-w", "LO:HI", "ridge on W, log scale (default: not searched, 0)"},
    {"lambda-h", "LO:HI", "ridge on H, log scale (default: not searched, 0)"},
    {"ntop", "LO:HI", "top genes per factor used for scoring (default: all genes)"},
    {"init-points", "N", "Latin-hypercube points before the BO steps (default max(5, 3 d))"},
    {"iterations", "N", "Bayesian-optimisation steps after them (default 20)"},
    {"rule", "R", "final choice: 1se (default), max, lcb, 1se-recon, 1se-parsimony (man desurv)"},
    CLI_FIT_CONTROL_OPTS,
    CLI_COMMON_OPTS,
    {NULL, NULL, NULL}};

static const cmd_doc tune_doc = {
    "tune", "--expr FILE --surv FILE [ranges] [budget] --out DIR",
    "Choose k, alpha, lambda and nu by cross-validated C-index with Bayesian\n"
    "optimisation (a Gaussian-process surrogate) and a final rule (--rule,\n"
    "default 1se), refit on all samples at the choice, and write the outputs\n"
    "of 'desurv fit' plus history.tsv (every evaluation with its per-fold\n"
    "C-indices) and surface.tsv (the surrogate's predicted C over k x alpha).\n"
    "Ranges are LO:HI; a single value fixes a hyperparameter.  Ctrl-C stops\n"
    "cleanly and writes nothing (exit 3)."};

static const opt_spec cv_opts[] = {
    TUNE_DATA_AND_BUDGET,
    {"k", "LIST", "ranks to try, e.g. 2,3,4 or 2:6 (required)"},
    {"alpha", "LIST", "alpha values, e.g. 0,0.5,0.9 (default 0.5)"},
    {"lambda", "LIST", "lambda values (default 0.1)"},
    {"nu", "LIST", "nu values (default 0.5)"},
    {"lambda-w", "LIST", "lambda_w values (default 0)"},
    {"lambda-h", "LIST", "lambda_h values (default 0)"},
    {"ntop", "LIST", "top genes per factor used for scoring (default 0 = all)"},
    {"rule", "R", "final choice: 1se (default), max, 1se-recon, 1se-parsimony (man desurv)"},
    CLI_FIT_CONTROL_OPTS,
    CLI_COMMON_OPTS,
    {NULL, NULL, NULL}};

static const cmd_doc cv_doc = {
    "cv", "--expr FILE --surv FILE --k LIST [grids] [budget] --out DIR",
    "Grid search: cross-validate every combination of the given values (comma\n"
    "lists), choose a point by --rule (default 1se: the smallest k within one\n"
    "standard error of the best mean C-index, then that k's best), refit on\n"
    "all samples there, and write the outputs of 'desurv fit' plus history.tsv.\n"
    "Ctrl-C stops cleanly and writes nothing (exit 3)."};

typedef struct param_flag {
    const char *flag;
    desurv_param par;
    int integral;
} param_flag;

static const param_flag params[] = {
    {"k", DESURV_PARAM_K, 1},           {"alpha", DESURV_PARAM_ALPHA, 0},
    {"lambda", DESURV_PARAM_LAMBDA, 0}, {"nu", DESURV_PARAM_NU, 0},
    {"lambda-w", DESURV_PARAM_LAMBDA_W, 0}, {"lambda-h", DESURV_PARAM_LAMBDA_H, 0},
    {"ntop", DESURV_PARAM_NTOP, 1}};
#define NPARAMS (sizeof params / sizeof params[0])

static int tuner_fail(int st, const desurv_tuner *t, const char *flag)
{
    cli_err("--%s: %s (%s)", flag, desurv_strerror(st), desurv_tuner_errmsg(t));
    return st == DESURV_E_RANGE || st == DESURV_E_OPTION ? CLI_USAGE : cli_exit_for(st);
}

static int set_topt(desurv_tuner *t, desurv_tuner_option o, double v, const char *flag)
{
    int st = desurv_tuner_set(t, o, v);
    return st == DESURV_OK ? CLI_OK : tuner_fail(st, t, flag);
}

/* --folds, --starts (also the refit's ninit), --seed, --threads. */
static int budget(const args *a, const cli_common *c, desurv_tuner *t, desurv_model *m)
{
    int64_t folds = 5, starts = 30;
    int rc = arg_int(a, "folds", 2, 100, &folds);
    if (rc == CLI_OK)
        rc = arg_int(a, "starts", 1, 100000, &starts);
    if (rc == CLI_OK)
        rc = set_topt(t, DESURV_TOPT_FOLDS, (double)folds, "folds");
    if (rc == CLI_OK)
        rc = set_topt(t, DESURV_TOPT_STARTS, (double)starts, "starts");
    if (rc == CLI_OK)
        rc = set_topt(t, DESURV_TOPT_SEED, (double)c->seed, "seed");
    if (rc == CLI_OK)
        rc = set_topt(t, DESURV_TOPT_THREADS, c->threads, "threads");
    if (rc == CLI_OK && desurv_set_option(m, DESURV_OPT_NINIT, (double)starts) != DESURV_OK)
        rc = CLI_USAGE;
    return rc;
}

/* The rules by their library number (DESURV_TOPT_RULE). */
static const char *const rule_names[] = {"max", "1se", "lcb", "1se-recon", "1se-parsimony"};
/* cv offers all but lcb, which needs the Gaussian process of tune. */
static const char *const cv_rule_names[] = {"max", "1se", "1se-recon", "1se-parsimony"};
static const int cv_rule_values[] = {0, 1, 3, 4};

/* --rule; the default is set explicitly (1se, the library's) so that
 * ti->rule always names the rule the tuner will apply. */
static int rule_option(const args *a, int grid, desurv_tuner *t, tune_info *ti)
{
    int i = 1; /* 1se in both lists */
    int rc = grid ? arg_choice(a, "rule", cv_rule_names, 4, &i)
                  : arg_choice(a, "rule", rule_names, 5, &i);
    int rule = grid ? cv_rule_values[i] : i;
    if (rc == CLI_OK)
        rc = set_topt(t, DESURV_TOPT_RULE, rule, "rule");
    ti->rule = rule_names[rule];
    return rc;
}

static int bo_budget(const args *a, desurv_tuner *t)
{
    static const char *const scales[] = {"log-odds", "linear"};
    int64_t init = 0, iter = 20;
    int scale = 0;
    int rc = arg_int(a, "init-points", 0, 100000, &init);
    if (rc == CLI_OK)
        rc = arg_int(a, "iterations", 0, 100000, &iter);
    if (rc == CLI_OK)
        rc = arg_choice(a, "alpha-scale", scales, 2, &scale);
    if (rc == CLI_OK)
        rc = set_topt(t, DESURV_TOPT_INIT_POINTS, (double)init, "init-points");
    if (rc == CLI_OK)
        rc = set_topt(t, DESURV_TOPT_ITERATIONS, (double)iter, "iterations");
    if (rc == CLI_OK)
        rc = set_topt(t, DESURV_TOPT_ALPHA_SCALE, scale, "alpha-scale");
    return rc;
}

static int one_bound(const args *a, desurv_tuner *t, const param_flag *pf, int linear)
{
    double lo, hi;
    int given;
    int rc = arg_range(a, pf->flag, &lo, &hi, &given);
    if (rc != CLI_OK || !given)
        return rc;
    if ((pf->integral && (lo != floor(lo) || hi != floor(hi)))) {
        cli_err("--%s %s: expected integers", pf->flag, arg_str(a, pf->flag, ""));
        return CLI_USAGE;
    }
    if (pf->par == DESURV_PARAM_ALPHA && !linear && lo < hi && (lo <= 0 || hi >= 1)) {
        cli_err("--alpha %s: on the log-odds scale the range must lie strictly inside (0, 1); "
                "use --alpha-scale linear to search from 0, or --alpha 0 to fix alpha = 0",
                arg_str(a, "alpha", ""));
        return CLI_USAGE;
    }
    int st = desurv_tuner_set_bounds(t, pf->par, lo, hi);
    return st == DESURV_OK ? CLI_OK : tuner_fail(st, t, pf->flag);
}

static int bounds(const args *a, desurv_tuner *t)
{
    double scale = 0;
    desurv_tuner_get(t, DESURV_TOPT_ALPHA_SCALE, &scale);
    int rc = CLI_OK;
    for (size_t i = 0; rc == CLI_OK && i < NPARAMS; i++)
        rc = one_bound(a, t, &params[i], scale != 0);
    return rc;
}

static int grids(const args *a, desurv_tuner *t)
{
    double vals[256];
    int len, rc = CLI_OK;
    if (!arg_need(a, "k"))
        return CLI_USAGE;
    for (size_t i = 0; rc == CLI_OK && i < NPARAMS; i++) {
        rc = arg_list(a, params[i].flag, params[i].integral, vals, 256, &len);
        if (rc != CLI_OK || len == 0)
            continue;
        int st = desurv_tuner_set_grid(t, params[i].par, vals, len);
        if (st != DESURV_OK)
            rc = tuner_fail(st, t, params[i].flag);
    }
    return rc;
}

typedef struct job {
    const cmd_doc *doc;
    const opt_spec *spec;
    int grid;
} job;

static int configure(const job *jb, const args *a, const cli_common *c, desurv_tuner *t,
                     desurv_model *m, tune_info *ti)
{
    ti->method = jb->grid;
    int rc = fit_control(a, c, m);
    if (rc == CLI_OK)
        rc = budget(a, c, t, m);
    if (rc == CLI_OK)
        rc = set_topt(t, DESURV_TOPT_METHOD, jb->grid, "method");
    if (rc == CLI_OK)
        rc = rule_option(a, jb->grid, t, ti);
    if (rc == CLI_OK && !jb->grid)
        rc = bo_budget(a, t);
    if (rc == CLI_OK)
        rc = jb->grid ? grids(a, t) : bounds(a, t);
    return rc;
}

static void report(const tune_info *ti, const results *r, const cli_common *c, const char *dir)
{
    cli_note(c, "%s: rule %s chose k = %lld, alpha = %.4g, lambda = %.4g, nu = %.3g: CV C-index "
             "%.4f (SE %.4f), training C-index %.4f", r->command, ti->rule, (long long)r->k,
             r->opt[DESURV_OPT_ALPHA], r->opt[DESURV_OPT_LAMBDA], r->opt[DESURV_OPT_NU],
             ti->cv_c, ti->cv_se, r->train_c);
    if (ti->has_baseline)
        cli_note(c, "%s: alpha = 0 at the same point: CV C-index %.4f (SE %.4f)", r->command,
                 ti->base_c, ti->base_se);
    cli_note(c, "wrote %s/{W,H,beta,risk,top_genes,history%s}.tsv, summary.json, model.desurv",
             dir, ti->method ? "" : ",surface");
}

static int run_job(const job *jb, const args *a, const cli_common *c, const dataset *d,
                   outdir *o)
{
    desurv_tuner *t = NULL;
    desurv_model *m = NULL;
    tune_info ti;
    results r;
    int64_t top = 50;
    memset(&ti, 0, sizeof ti);
    memset(&r, 0, sizeof r);
    if (desurv_tuner_new(&t) != DESURV_OK || desurv_model_new(&m) != DESURV_OK) {
        desurv_tuner_free(t);
        return CLI_FAILURE;
    }
    int rc = configure(jb, a, c, t, m, &ti);
    if (rc == CLI_OK)
        rc = arg_int(a, "top-genes", 1, INT64_MAX / 2, &top);
    if (rc == CLI_OK)
        rc = tune_run(t, m, d, c, arg_given(a, "baseline"), &ti);
    r.command = jb->doc->name, r.c = c, r.tune = &ti;
    if (rc == CLI_OK)
        rc = tune_outputs(t, m, d, top, &ti, &r, o);
    else
        outdir_abort(o);
    if (rc == CLI_OK)
        report(&ti, &r, c, o->dir);
    results_free(&r);
    desurv_model_free(m);
    desurv_tuner_free(t);
    return rc;
}

static int main_of(const job *jb, int argc, char **argv)
{
    args a;
    cli_common c;
    dataset d;
    outdir o;
    int rc = args_parse(&a, jb->doc, jb->spec, argc, argv, &c);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    const char *dir = arg_need(&a, "out");
    if (!dir)
        return CLI_USAGE;
    if (jb->grid && !arg_need(&a, "k"))
        return CLI_USAGE;
    if ((rc = load_training(&a, &c, &d)) != CLI_OK)
        return rc;
    if ((rc = outdir_prepare(&o, dir)) == CLI_OK) {
        install_signal_handlers();
        rc = run_job(jb, &a, &c, &d, &o);
    }
    if (rc == CLI_CANCELLED)
        cli_err("interrupted: nothing was written to %s", dir);
    dataset_free(&d);
    return rc;
}

int cmd_tune(int argc, char **argv)
{
    static const job jb = {&tune_doc, tune_opts, 0};
    return main_of(&jb, argc, argv);
}

int cmd_cv(int argc, char **argv)
{
    static const job jb = {&cv_doc, cv_opts, 1};
    return main_of(&jb, argc, argv);
}
