/* nmf.c - the H-step: Lee-Seung multiplicative update with ridge.
 *
 * H appears only in the reconstruction block of L (the Cox model is attached
 * to W through Z = X^T W), so the classical auxiliary-function argument
 * applies unchanged and the step cannot increase L.  W^T X is Z^T, which the
 * W-step left behind: no product with X is needed here.
 */
#include <math.h>

#include <cblas.h>

#include "desurv/desurv.h"
#include "fit.h"

int dsv_h_step(const dsv_problem *pr, dsv_state *s)
{
    int64_t n = pr->n, k = pr->k;
    double ridge = pr->lambda_h * (double)pr->p / (double)k;
    /* A (n x (k+1), used as k x n scratch) = W^T W H; Zs keeps the old H */
    double *D = s->A, *Hold = s->Zs;
    for (int64_t i = 0; i < k * n; i++)
        Hold[i] = s->H[i];
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)k, (int)n, (int)k, 1.0, s->WtW,
                (int)k, s->H, (int)k, 0.0, D, (int)k);
    for (int64_t j = 0; j < n; j++) {
        double *h = s->H + j * k;
        const double *d = D + j * k;
        for (int64_t r = 0; r < k; r++) {
            double num = s->Z[j + r * n];
            double den = d[r] + ridge * h[r] + pr->eps_h;
            double hn = h[r] * num / den;
            h[r] = hn > pr->eps_h ? hn : pr->eps_h; /* fmax would be a libm call */
        }
    }
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)k, (int)k, (int)n, 1.0, s->H,
                (int)k, s->H, (int)k, 0.0, s->HHt, (int)k);
    /* Only the reconstruction and H-ridge terms changed. */
    dsv_terms t = s->cur;
    double np = (double)n * (double)pr->p;
    double rec = pr->xnorm2 + dsv_rec_inner(s, s->WtW, s->HHt, s->H, s->Z);
    t.rec = (rec > 0 ? rec : 0) / (2.0 * np);
    double hp = 0;
    for (int64_t r = 0; r < k; r++)
        hp += s->HHt[r + r * k];
    t.hpen = hp / (2.0 * (double)n * (double)k);
    t.loss = dsv_terms_total(pr, &t);
    if (!isfinite(t.loss))
        return DESURV_E_NUMERIC;
    if (t.loss > s->cur.loss) {
        /* In exact arithmetic impossible; in floating point a last-digit
         * increase near convergence.  Keep the trace monotone. */
        for (int64_t i = 0; i < k * n; i++)
            s->H[i] = Hold[i];
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)k, (int)k, (int)n, 1.0, s->H,
                    (int)k, s->H, (int)k, 0.0, s->HHt, (int)k);
        return DESURV_OK;
    }
    s->cur = t;
    return DESURV_OK;
}
