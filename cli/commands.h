/* commands.h - the subcommands and what several of them share. */
#ifndef DESURV_CLI_COMMANDS_H
#define DESURV_CLI_COMMANDS_H

#include <stdint.h>

#include <desurv/desurv.h>

#include "args.h"
#include "cli.h"
#include "out.h"
#include "prep.h"
#include "progress.h"

/* Each takes the words after its name and returns an exit code. */
int cmd_simulate(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_cv(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_top_genes(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
/* The demo's default --threads: the number of online cores, at most 8. */
long demo_default_threads(void);

/* ---- shared by fit, tune, cv (common.c) ---- */

/* Input and preprocessing options of the commands that read training data. */
#define CLI_DATA_OPTS                                                                   \
    {"expr", "FILE", "expression table, genes x samples (TSV/CSV, .gz ok, - = stdin)"}, \
    {"surv", "FILE", "survival table: sample, time, event columns"},                    \
    {"transpose", NULL, "the expression table has samples in rows, genes in columns"},  \
    {"sample-col", "NAME", "sample id column of --surv (default: sample, id, ...)"},    \
    {"time-col", "NAME", "time column of --surv (default: time, OS.time, ...)"},        \
    {"event-col", "NAME", "event column of --surv, 1 = event (default: event, OS, ...)"}, \
    {"select", "COL=VALUE", "use only the --surv rows whose COL equals VALUE"},         \
    {"cohort-col", "NAME", "cohort column of --surv: per-cohort gene filter, folds by cohort"}, \
    {"na", "MODE", "missing expression values: error (default), zero, drop-gene"},      \
    {"log2p1", NULL, "transform the expression by log2(x + 1) first"},                  \
    {"genes", "N", "keep the N genes of best mean + variance rank (default: all)"},     \
    {"transform", "T", "per-sample transform: none (default), rank, quantile"}

/* Options of the fit itself (not searched). */
#define CLI_FIT_CONTROL_OPTS                                                     \
    {"maxit", "N", "outer iterations of the final fit (default 1000)"},          \
    {"tol", "T", "relative loss change that stops a fit (default 1e-6)"},        \
    {"imaxit", "N", "iterations per start before the best is kept (default 30)"}, \
    {"ties", "T", "Cox ties: breslow (default) or efron"},                       \
    {"offset", "O", "per-gene baseline: gene (default; fitted, offset.tsv) or none"}, \
    {"hstep", "S", "H-step: exact (default), hals, or mu (the papers' update)"},  \
    {"wstep", "S", "W-step majoriser: hals (default) or mu (the papers' bound)"}, \
    {"top-genes", "N", "rows per factor in top_genes.tsv (default 50)"}

/* Reads --expr/--surv and the preprocessing options, then the data. */
int load_training(const args *a, const cli_common *c, dataset *d);
/* --sample-col, --time-col, --event-col, --select, --cohort-col of the
 * survival table; CLI_USAGE on a malformed --select. */
int surv_options(const args *a, surv_opts *so);
/* Expression options only (predict). */
int expr_options(const args *a, expr_opts *eo, int transform);
/* Applies --maxit, --tol, --imaxit, --ties, --offset, --hstep, --wstep, --seed,
 * --threads to m. */
int fit_control(const args *a, const cli_common *c, desurv_model *m);
/* Prints a library failure ("what: sentence (detail)") and maps it. */
int lib_error(int status, const char *what, const char *detail);

/* Signal handling for long work: SIGINT / SIGTERM set cli_interrupted;
 * a second signal kills as usual. */
void install_signal_handlers(void);

/* ---- shared by predict and validate (cmd_model.c) ---- */

/* Loads a model file; prints the library's message on failure and returns
 * its exit code (a missing or unreadable file is bad input too). */
int load_model(const char *path, desurv_model **m);
/* --missing error|zero: *zero = 1 for zero. */
int missing_option(const args *a, int *zero);
/* Reads --expr for m as predict does: --transpose and --na, genes aligned
 * to the model's, then the model's stored preprocessing. */
int model_data(const args *a, const cli_common *c, const desurv_model *m, const char *expr_path,
               int missing_zero, dataset *d);
/* The linear predictor of d's samples as predict computes it (restricted
 * to the model's predict.ntop top genes when set). */
int model_lp(const desurv_model *m, const dataset *d, double *lp);

/* ---- results of a fit (results.c) ---- */

typedef struct tune_info {
    const desurv_tuner *t;
    int method;       /* 0 BO, 1 grid */
    const char *rule; /* "1se", ... */
    int64_t chosen;   /* index in the history */
    double cv_c, cv_se;
    int has_baseline; /* the alpha = 0 comparison was run */
    double base_c, base_se;
} tune_info;

typedef struct results {
    const char *command;
    const cli_common *c;
    const dataset *d;
    const desurv_model *m;
    const tune_info *tune; /* NULL for fit */
    int64_t p, n, k, ntop_pred, ntop_report;
    double *W, *H, *beta, *b, *lp, lp_median, train_c;
    int64_t *top_idx;
    double *top_score;
    double opt[DESURV_OPT_COUNT];
} results;

/* Reads everything out of the fitted m; records the median training risk
 * and ntop in m's metadata (for predict). */
int results_compute(results *r, desurv_model *m, const dataset *d, int64_t ntop_pred,
                    int64_t ntop_report);
void results_free(results *r);
/* W.tsv, H.tsv, beta.tsv, offset.tsv, risk.tsv, top_genes.tsv, summary.json,
 * model.desurv, and for tuning history.tsv (+ surface.tsv for BO), then
 * commits them. */
int results_write(outdir *o, const results *r);

#endif
