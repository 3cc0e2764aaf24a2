/* cox.h - Cox partial likelihood on a fixed (time, event) design.
 *
 * Internal to libdesurv.  The design is prepared once (one sort by time);
 * every evaluation afterwards is O(n).  eta, gradients and Hessian
 * diagonals are in the caller's (original) sample order.
 */
#ifndef DESURV_COX_H
#define DESURV_COX_H

#include <stdint.h>

typedef struct dsv_cox {
    int64_t n;          /* samples */
    int64_t n_events;   /* sum of event */
    int ties;           /* 0 Breslow, 1 Efron */
    int64_t *order;     /* sample indices sorted by ascending time (ties: events first? see cox.c) */
    double *time;       /* time[order[i]], ascending */
    int32_t *event;     /* event[order[i]] */
    /* private precomputed tie-group structure and scratch; see cox.c */
    int64_t n_groups;   /* distinct times */
    int64_t *group_end; /* one past the last sorted position of each time group */
    int64_t *group_nev; /* events in each time group (they come first in it) */
    /* 0 after dsv_cox_init.  Nonzero: always take the running-maximum
     * (log-sum-exp) path instead of plain sums of exp(eta - max eta) with
     * that path as fallback; for tests comparing the two. */
    int robust_only;
} dsv_cox;

/* Prepare the design.  Inputs must already be validated (finite time >= 0,
 * event 0/1, at least one event).  ties: 0 Breslow, 1 Efron.
 * Returns 0 or DESURV_E_NOMEM.  The arrays are copied. */
int dsv_cox_init(dsv_cox *c, const double *time, const int32_t *event, int64_t n, int ties);
void dsv_cox_free(dsv_cox *c); /* NULL-safe, idempotent */

/* Log partial likelihood l(eta).  Optional outputs (NULL to skip):
 *   grad[i]  = dl/deta_i
 *   hdiag[i] = -d2l/deta_i^2 (exact diagonal of the negative Hessian)
 * Plain sums of exp(eta - max eta); when a risk set underflows (eta
 * spread beyond ~670) the evaluation is redone with running-maximum
 * log-sum-exp sums, which are stable for |eta| up to ~700.
 * Returns 0, or DESURV_E_NUMERIC if the result is not finite. */
int dsv_cox_eval(const dsv_cox *c, const double *eta, double *loglik, double *grad,
                 double *hdiag, double *work);

/* Doubles of workspace that dsv_cox_eval and dsv_cox_hess_gram need (the
 * design is read-only during evaluation, so one design can be shared by
 * threads that each bring their own workspace). */
int64_t dsv_cox_work_size(const dsv_cox *c, int64_t k);

/* Exact negative Hessian projected on k columns: out = Z^T (-d2l/deta2) Z
 * (k x k, full symmetric, leading dimension k), Z n x k with leading
 * dimension ldz, in original sample order.  O(n k^2), as two dsyrk calls
 * (the diagonal part and one or two rows per event group).  Also returns the
 * gradient Z^T dl/deta in zgrad (length k) and l in *loglik (either may be
 * NULL).  Returns 0 or DESURV_E_NUMERIC. */
int dsv_cox_hess_gram(const dsv_cox *c, const double *eta, const double *Z, int64_t ldz,
                      int64_t k, double *loglik, double *zgrad, double *out, double *work);

/* Difference l(eta + deta) - l(eta), computed from expm1(deta): its error
 * is of order eps * n_e * max|deta|, not eps * |l|, so it stays accurate
 * when the difference is far below the rounding level of l itself (a line
 * search near the optimum compares such differences).
 * Meant for small steps: max |deta| <= ~1 (larger steps are fine for
 * accuracy but should simply difference two dsv_cox_eval results, since
 * expm1 of a large deta may overflow: DESURV_E_NUMERIC).  Needs no
 * workspace.  Returns 0 or DESURV_E_NUMERIC. */
int dsv_cox_delta(const dsv_cox *c, const double *eta, const double *deta, double *dl);

#endif
