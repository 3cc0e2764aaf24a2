/* iterate.c - the DeSurv engine's driver pieces: the problem from an
 * option array, the outer iterations of one start, and finishing a start.
 *
 * One outer iteration is H-step, W-step, beta-step (doc/model.md section
 * 4); each block leaves L non-increasing, so the recorded trace is
 * monotone.  The public desurv_fit() (model/fit.c) runs these.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "desurv/desurv.h"
#include "base/msg.h"
#include "fit/fit.h"

#include <cblas.h>

int dsv_check_stop(const dsv_problem *pr, int64_t iter, double loss)
{
    if (pr->cancel && atomic_load(pr->cancel))
        return DESURV_E_CANCELLED;
    if (pr->poll && pr->poll(pr->poll_ctx, iter, loss) != 0)
        return DESURV_E_CANCELLED;
    return DESURV_OK;
}

int dsv_iterate(const dsv_problem *pr, dsv_state *s, int64_t maxit, double tol)
{
    int rc = DESURV_OK;
    s->converged = 0;
    if (s->trace_len == 0)
        rc = dsv_trace_push(pr, s);
    while (rc == DESURV_OK && s->iters < maxit &&
           (rc = dsv_check_stop(pr, s->iters, s->cur.loss)) == DESURV_OK) {
        double prev = s->cur.loss;
        rc = dsv_h_step(pr, s);
        if (rc == DESURV_OK)
            rc = dsv_w_step(pr, s);
        if (rc == DESURV_OK && pr->alpha > 0)
            rc = dsv_beta_step(pr, s, pr->beta_maxit);
        if (rc == DESURV_OK && pr->extrapolate)
            rc = dsv_extrapolate(pr, s);
        if (rc != DESURV_OK)
            break;
        s->iters++;
        rc = dsv_trace_push(pr, s);
        double rel = (prev - s->cur.loss) / fmax(fabs(prev), 1e-300);
        if (rel < tol) {
            s->converged = 1;
            break;
        }
    }
    return rc;
}

/* ---- the problem of a fit ------------------------------------------- */

static void data_moments(const double *X, int64_t p, int64_t n, int64_t ldx, double *norm2,
                         double *mean)
{
    double ss = 0, s = 0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < p; i++) {
            double v = X[i + j * ldx];
            ss += v * v;
            s += v;
        }
    *norm2 = ss;
    *mean = s / ((double)n * (double)p);
}

/* Row means of X and ||X - xbar 1^T||_F^2 (two passes: the centred sum is
 * accumulated directly, never as ||X||^2 - n ||xbar||^2, which cancels on
 * expression data with large baselines). */
static int row_moments(dsv_problem *pr)
{
    int64_t p = pr->p, n = pr->n, ldx = pr->ldx;
    const double *X = pr->X;
    pr->xbar = calloc((size_t)p, sizeof *pr->xbar);
    if (!pr->xbar)
        return DESURV_E_NOMEM;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < p; i++)
            pr->xbar[i] += X[i + j * ldx];
    for (int64_t i = 0; i < p; i++)
        pr->xbar[i] /= (double)n;
    double ss = 0, sa = 0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < p; i++) {
            double d = X[i + j * ldx] - pr->xbar[i];
            ss += d * d;
            sa += fabs(d);
        }
    pr->xcnorm2 = ss;
    /* Random starts with an offset: W H models the deviations from the
     * baseline, so its scale is theirs (see dsv_init_random). */
    if (sa > 0)
        pr->init_mean = sa / ((double)n * (double)p);
    return DESURV_OK;
}

void dsv_problem_free(dsv_problem *pr)
{
    free(pr->xbar);
    pr->xbar = NULL;
}

int dsv_setup_problem(const double *o, dsv_problem *pr, const double *X, int64_t p, int64_t n,
                      int64_t ldx, const dsv_cox *cox, char *msg, size_t cap)
{
    memset(pr, 0, sizeof *pr);
    pr->X = X, pr->p = p, pr->n = n, pr->ldx = ldx, pr->k = (int64_t)o[DESURV_OPT_K];
    pr->cox = cox;
    pr->n_events = cox->n_events;
    data_moments(X, p, n, ldx, &pr->xnorm2, &pr->xmean);
    pr->init_mean = pr->xmean;
    if (pr->xnorm2 <= 0) {
        dsv_msg(msg, cap, "X is all zeros");
        return DESURV_E_NUMERIC;
    }
    pr->alpha = o[DESURV_OPT_ALPHA];
    pr->offset = (int)o[DESURV_OPT_OFFSET];
    pr->hstep = (int)o[DESURV_OPT_HSTEP];
    pr->wstep = (int)o[DESURV_OPT_WSTEP];
    pr->sigma2 = 1.0;
    pr->xc_top = 0;
    if (pr->offset && row_moments(pr) != DESURV_OK) {
        dsv_msg(msg, cap, "out of memory computing the row means of X");
        return DESURV_E_NOMEM;
    }
    int raw = o[DESURV_OPT_ALPHA_SCALE] != 0;
    if (!raw || pr->alpha > 0) {
        double *s2 = raw ? NULL : &pr->sigma2, *top = pr->alpha > 0 ? &pr->xc_top : NULL;
        int rc = pr->offset ? dsv_data_scales_centred(X, p, n, ldx, pr->k, pr->xcnorm2, s2, top)
                            : dsv_data_scales(X, p, n, ldx, pr->k, pr->xnorm2, s2, top);
        if (rc != DESURV_OK) {
            dsv_problem_free(pr);
            dsv_msg(msg, cap, "computing sigma2 and the curvature bound: %s",
                    rc == DESURV_E_NOMEM ? "out of memory" : "the eigen-solver failed");
            return rc;
        }
    }
    pr->lambda = o[DESURV_OPT_LAMBDA];
    pr->nu = o[DESURV_OPT_NU];
    pr->lambda_w = o[DESURV_OPT_LAMBDA_W];
    pr->lambda_h = o[DESURV_OPT_LAMBDA_H];
    pr->c_rec = (1.0 - pr->alpha) / pr->sigma2;
    pr->eps_w = 1e-16;
    /* H carries the scale of X (W has unit columns): a relative floor keeps
     * fit(c X) = c fit(X) exact. */
    pr->eps_h = 1e-16 * sqrt(pr->xnorm2 / ((double)n * (double)p));
    /* doc/model.md section 4: beta solved to 1e-6 (KKT and step), warm-started */
    pr->tol_beta = 1e-6;
    pr->beta_maxit = 100;
    /* off: see doc/algorithm.md, "Extrapolation between outer iterations" */
    pr->extrapolate = 0;
    return DESURV_OK;
}

int dsv_finish_start(const dsv_problem *pr, dsv_state *s, int64_t maxit, double tol)
{
    int rc = dsv_state_ensure_scratch(s, pr);
    if (rc == DESURV_OK)
        rc = dsv_refresh(pr, s);
    if (rc == DESURV_OK)
        rc = dsv_iterate(pr, s, maxit, tol);
    if (rc == DESURV_OK)
        rc = dsv_polish_beta(pr, s);
    return rc;
}

int dsv_polish_beta(const dsv_problem *pr, dsv_state *s)
{
    /* alpha = 0: the "NMF, then Cox" baseline fits beta once on the final W;
     * otherwise a last, longer beta solve polishes the returned beta. */
    return dsv_beta_step(pr, s, 500);
}
