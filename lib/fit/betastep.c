/* betastep.c - the beta-step: elastic-net Cox on standardised scores.
 *
 * With W and H fixed, L depends on beta through alpha * (-(2/n_e) l + P),
 * and P acts on b = s * beta: exactly the problem dsv_enet_cox solves on the
 * standardised scores (Z - mean) / s.  (Centring does not change l: the
 * partial likelihood is invariant to adding a constant to eta.)
 */
#include <math.h>
#include <stddef.h>

#include "desurv/desurv.h"
#include "surv/enet.h"
#include "fit/fit.h"

int dsv_beta_step(const dsv_problem *pr, dsv_state *s, int maxit)
{
    int64_t n = pr->n, k = pr->k;
    dsv_score_moments(s->Z, n, k, s->zmean, s->zsd, NULL);
    for (int64_t r = 0; r < k; r++) {
        double mu = s->zmean[r], inv = 1.0 / s->zsd[r];
        for (int64_t j = 0; j < n; j++)
            s->Zs[j + r * n] = (s->Z[j + r * n] - mu) * inv;
    }
    double *b = s->bwork + 3 * k;
    for (int64_t r = 0; r < k; r++)
        b[r] = s->zsd[r] * s->beta[r];
    dsv_enet_info info;
    int rc = dsv_enet_cox(pr->cox, s->Zs, n, k, pr->lambda, pr->nu, pr->tol_beta, maxit, b, &info);
    if (rc != DESURV_OK)
        return rc;
    dsv_terms t = s->cur;
    double l1 = 0, l2 = 0;
    for (int64_t r = 0; r < k; r++) {
        l1 += fabs(b[r]);
        l2 += b[r] * b[r];
    }
    t.loglik = info.loglik;
    t.pen = pr->lambda * (pr->nu * l1 + 0.5 * (1.0 - pr->nu) * l2);
    t.loss = dsv_terms_total(pr, &t);
    if (!isfinite(t.loss))
        return DESURV_E_NUMERIC;
    /* The solver never increases its objective from the warm start; the
     * comparison guards the last digit so the trace stays monotone.  With
     * alpha = 0 the beta terms are not part of L and the fit is taken. */
    if (pr->alpha > 0 && t.loss > s->cur.loss)
        return DESURV_OK;
    for (int64_t r = 0; r < k; r++)
        s->beta[r] = b[r] / s->zsd[r];
    s->cur = t;
    return DESURV_OK;
}
