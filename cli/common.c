/* common.c - option handling shared by fit, tune, cv and predict. */
#include <signal.h>
#include <string.h>

#include "commands.h"

static const char *const na_modes[] = {"error", "zero", "drop-gene"};

int expr_options(const args *a, expr_opts *eo, int transform)
{
    memset(eo, 0, sizeof *eo);
    eo->transpose = arg_given(a, "transpose");
    /* Ranks are defined for any finite values; everything else feeds the
     * NMF, which needs nonnegative data. */
    eo->allow_negative = transform == TR_RANK && !arg_given(a, "log2p1");
    return arg_choice(a, "na", na_modes, 3, &eo->na_mode);
}

static int prep_options(const args *a, prep_opts *po)
{
    memset(po, 0, sizeof *po);
    po->log2p1 = arg_given(a, "log2p1");
    int rc = arg_int(a, "genes", 1, INT64_MAX / 2, &po->ngene);
    if (rc == CLI_OK)
        rc = arg_choice(a, "transform", transform_names, 3, &po->transform);
    return rc;
}

int surv_options(const args *a, surv_opts *so)
{
    memset(so, 0, sizeof *so);
    so->sample_col = arg_str(a, "sample-col", NULL);
    so->time_col = arg_str(a, "time-col", NULL);
    so->event_col = arg_str(a, "event-col", NULL);
    so->select = arg_str(a, "select", NULL);
    so->cohort_col = arg_str(a, "cohort-col", NULL);
    if (so->select && (!strchr(so->select, '=') || so->select[0] == '=')) {
        cli_err("--select %s: expected COLUMN=VALUE", so->select);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int load_training(const args *a, const cli_common *c, dataset *d)
{
    prep_opts po;
    expr_opts eo;
    surv_opts so;
    memset(d, 0, sizeof *d);
    const char *ep = arg_need(a, "expr"), *sp = ep ? arg_need(a, "surv") : NULL;
    if (!ep || !sp)
        return CLI_USAGE;
    if (strcmp(ep, "-") == 0 && strcmp(sp, "-") == 0) {
        cli_err("--expr and --surv cannot both be read from standard input");
        return CLI_USAGE;
    }
    int rc = prep_options(a, &po);
    if (rc == CLI_OK)
        rc = expr_options(a, &eo, po.transform);
    if (rc == CLI_OK)
        rc = surv_options(a, &so);
    if (rc == CLI_OK)
        rc = dataset_load(ep, sp, &eo, &so, &po, c, d);
    return rc;
}

int lib_error(int status, const char *what, const char *detail)
{
    if (status == DESURV_E_CANCELLED) {
        cli_err("%s: cancelled", what);
    } else if (detail && *detail) {
        cli_err("%s: %s (%s)", what, desurv_strerror(status), detail);
    } else {
        cli_err("%s: %s", what, desurv_strerror(status));
    }
    return cli_exit_for(status);
}

static int set_opt(desurv_model *m, desurv_option o, double v, const char *flag)
{
    int st = desurv_set_option(m, o, v);
    if (st == DESURV_OK)
        return CLI_OK;
    double lo = 0, hi = 0;
    desurv_option_bounds(o, &lo, &hi);
    cli_err("--%s %g: %s (allowed [%g, %g])", flag, v, desurv_strerror(st), lo, hi);
    return CLI_USAGE;
}

int fit_control(const args *a, const cli_common *c, desurv_model *m)
{
    static const char *const ties[] = {"breslow", "efron"};
    static const char *const offsets[] = {"none", "gene"};      /* DESURV_OFFSET_* */
    static const char *const hsteps[] = {"exact", "hals", "mu"}; /* DESURV_HSTEP_* */
    static const char *const wsteps[] = {"hals", "mu"};          /* DESURV_WSTEP_* */
    int64_t maxit = 1000, imaxit = 30;
    double tol = 1e-6;
    int tie = 0, offset = DESURV_OFFSET_GENE, hstep = DESURV_HSTEP_EXACT, wstep = DESURV_WSTEP_HALS;
    int rc = arg_int(a, "maxit", 1, 100000000, &maxit);
    if (rc == CLI_OK)
        rc = arg_int(a, "imaxit", 0, 100000000, &imaxit);
    if (rc == CLI_OK)
        rc = arg_num(a, "tol", 0, 1, &tol);
    if (rc == CLI_OK)
        rc = arg_choice(a, "ties", ties, 2, &tie);
    if (rc == CLI_OK)
        rc = arg_choice(a, "offset", offsets, 2, &offset);
    if (rc == CLI_OK)
        rc = arg_choice(a, "hstep", hsteps, 3, &hstep);
    if (rc == CLI_OK)
        rc = set_opt(m, DESURV_OPT_OFFSET, offset, "offset");
    if (rc == CLI_OK)
        rc = arg_choice(a, "wstep", wsteps, 2, &wstep);
    if (rc == CLI_OK)
        rc = set_opt(m, DESURV_OPT_HSTEP, hstep, "hstep");
    if (rc == CLI_OK)
        rc = set_opt(m, DESURV_OPT_WSTEP, wstep, "wstep");
    if (rc == CLI_OK)
        rc = set_opt(m, DESURV_OPT_MAXIT, (double)maxit, "maxit");
    if (rc == CLI_OK)
        rc = set_opt(m, DESURV_OPT_IMAXIT, (double)imaxit, "imaxit");
    if (rc == CLI_OK)
        rc = set_opt(m, DESURV_OPT_TOL, tol, "tol");
    if (rc == CLI_OK)
        rc = set_opt(m, DESURV_OPT_TIES, tie, "ties");
    if (rc == CLI_OK)
        rc = set_opt(m, DESURV_OPT_SEED, (double)c->seed, "seed");
    if (rc == CLI_OK)
        rc = set_opt(m, DESURV_OPT_THREADS, c->threads, "threads");
    return rc;
}

static void on_signal(int sig)
{
    (void)sig;
    cli_interrupted = 1;
}

void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* One-shot: a second Ctrl-C gets the default action (terminate) for a
     * user who does not want to wait for the library to notice. */
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
