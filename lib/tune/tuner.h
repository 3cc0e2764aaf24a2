/* tuner.h - the desurv_tuner handle (internal layout). */
#ifndef DESURV_TUNER_H
#define DESURV_TUNER_H

#include <stdint.h>

#include "desurv/desurv.h"
#include "model/model.h"
#include "tune/select.h"

/* One evaluated point: the selection record, the pooled C and per-fold C. */
typedef struct dsv_history {
    dsv_eval *e;
    double *pooled;
    double *fold_c;      /* len x folds, ld folds */
    /* outer iterations of every fold fit of point i: fit_it[fit_off[i] ..
     * fit_off[i + 1] - 1], negated for a fit that stopped at maxit (see
     * desurv_tuner_history_iters); fit_off has cap + 1 entries */
    double *fit_it;
    int64_t *fit_off, fit_cap;
    int64_t len, cap, folds;
} dsv_history;

struct desurv_tuner {
    double opt[DESURV_TOPT_COUNT];
    double lo[DSV_NPAR], hi[DSV_NPAR];   /* search ranges; NaN: not searched */
    double *grid[DSV_NPAR];
    int64_t grid_len[DSV_NPAR];
    int32_t *user_fold, *strata;
    int64_t user_fold_n, strata_n;
    desurv_progress_fn progress;
    void *progress_user;

    dsv_history warm;    /* added by desurv_tuner_add_history, used by the next run */
    dsv_history hist;    /* the last run */

    int chosen_valid;
    int64_t chosen;
    double chosen_par[DSV_NPAR];
    double *surface;     /* 4 x surface_len: k, alpha, mean, sd */
    int64_t surface_len;
    int32_t *fold;
    int64_t fold_n;
    char *warnings;
    char errmsg[DSV_ERRMSG_CAP];
};

int dsv_history_push(dsv_history *h, const dsv_eval *e, double pooled, const double *fit_it,
                     int64_t nfit, const double *fold_c,
                     int64_t folds);
void dsv_history_free(dsv_history *h);
int dsv_history_copy(dsv_history *dst, const dsv_history *src);

/* Record a formatted message on t and return code. */
int dsv_tfail(desurv_tuner *t, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Is parameter `par` on a log scale (given the alpha scale option)? */
int dsv_param_log(int par, int alpha_linear);
int dsv_param_integral(int par);
/* The model option a hyperparameter sets; -1 for ntop (scoring only). */
int dsv_param_to_option(int par);

#endif
