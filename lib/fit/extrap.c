/* extrap.c - safeguarded extrapolation between outer iterations.
 *
 * After an outer iteration (H-, W- and beta-step) at X_k = (W, H, beta),
 * with X_{k-1} the point the previous iteration ended at, we try
 *
 *   W_e = max(W + t (W - W_prev), eps_W), normalised to unit columns,
 *   H_e = max(H + t (H - H_prev), eps_H),  beta_e = beta + t (beta - beta_prev)
 *
 * (Ang and Gillis 2019, "Accelerating nonnegative matrix factorization
 * algorithms using extrapolation", Neural Computation 31) and keep it only
 * if its loss is below that of X_k, so the recorded trace stays monotone.
 * t adapts: times 1.05 (up to tbar) after a success, tbar grows by 1.02 up
 * to 1; after a failure tbar = t and t is divided by 1.5.
 *
 * No product with X: Z_e = X^T W_e is Z + t (Z - Z_prev) (linear in W) plus,
 * for each entry that the floor clips, that entry's correction times its
 * row of X (O(n) each; measured: a few entries in the first iterations,
 * then none).  The normalisation is a diagonal rescale of Z_e.  So a trial
 * costs O(p k^2 + n k^2) for the Grams plus O(n k) for the Cox term.
 * Everything is per state, so dsv_iterate_batch gets the same numbers.
 */
#include <math.h>
#include <string.h>

#include <cblas.h>

#include "desurv/desurv.h"
#include "fit/fit.h"

#define EXT_T0 0.5
#define EXT_GROW 1.05
#define EXT_TBAR_GROW 1.02
#define EXT_SHRINK 1.5

static void keep_previous(const dsv_problem *pr, dsv_state *s)
{
    int64_t p = pr->p, n = pr->n, k = pr->k;
    memcpy(s->Wp, s->W, (size_t)(p * k) * sizeof *s->W);
    memcpy(s->Hp, s->H, (size_t)(k * n) * sizeof *s->H);
    memcpy(s->Zp, s->Z, (size_t)(n * k) * sizeof *s->Z);
    memcpy(s->bp, s->beta, (size_t)k * sizeof *s->beta);
    if (!s->ext_have) {
        s->ext_have = 1;
        s->ext_t = EXT_T0;
        s->ext_tbar = 1.0;
    }
}

/* The b-step of the trial (W_e, H_e) into s->bold, W_e^T b_e into Wtbe
 * and H_e 1 into bwork[2k..3k); returns ||X - b_e 1^T||^2.  O(p k + n k). */
static double trial_offset(const dsv_problem *pr, dsv_state *s, const double *We,
                           const double *He, double *Wtbe)
{
    int64_t p = pr->p, n = pr->n, k = pr->k;
    double *hs = s->bwork + 2 * k, *hbar = s->bwork + 3 * k;
    for (int64_t r = 0; r < k; r++) {
        double acc = 0;
        for (int64_t j = 0; j < n; j++)
            acc += He[r + j * k];
        hs[r] = acc;
        hbar[r] = acc / (double)n;
    }
    double *be = s->bold;
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)p, (int)k, -1.0, We, (int)p, hbar, 1, 0.0, be,
                1);
    double acc = 0;
    for (int64_t g = 0; g < p; g++) {
        double v = pr->xbar[g] + be[g];
        be[g] = v > 0 ? v : 0;
        double d = pr->xbar[g] - be[g];
        acc += d * d;
    }
    cblas_dgemv(CblasColMajor, CblasTrans, (int)p, (int)k, 1.0, We, (int)p, be, 1, 0.0, Wtbe, 1);
    return pr->xcnorm2 + (double)n * acc;
}

int dsv_extrapolate(const dsv_problem *pr, dsv_state *s)
{
    int64_t p = pr->p, n = pr->n, k = pr->k;
    if (!s->ext_have) {
        keep_previous(pr, s);
        return DESURV_OK;
    }
    double t = s->ext_t;
    double *We = s->Wt, *Ze = s->Zt, *He = s->A, *be = s->bwork, *d = s->bwork + k;
    double *Ge = s->G1, *HHe = s->G2;
    for (int64_t i = 0; i < n * k; i++)
        Ze[i] = s->Z[i] + t * (s->Z[i] - s->Zp[i]);
    for (int64_t r = 0; r < k; r++)
        for (int64_t g = 0; g < p; g++) {
            int64_t i = g + r * p;
            double w = s->W[i] + t * (s->W[i] - s->Wp[i]);
            if (w < pr->eps_w) {
                /* the floor: Z_e gets (eps - w) times row g of X */
                cblas_daxpy((int)n, pr->eps_w - w, pr->X + g, (int)pr->ldx, Ze + r * n, 1);
                w = pr->eps_w;
            }
            We[i] = w;
        }
    for (int64_t i = 0; i < k * n; i++) {
        double h = s->H[i] + t * (s->H[i] - s->Hp[i]);
        He[i] = h > pr->eps_h ? h : pr->eps_h;
    }
    for (int64_t r = 0; r < k; r++)
        be[r] = s->beta[r] + t * (s->beta[r] - s->bp[r]);
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)k, (int)k, (int)p, 1.0, We, (int)p,
                We, (int)p, 0.0, Ge, (int)k);
    for (int64_t r = 0; r < k; r++)
        d[r] = sqrt(Ge[r + r * k]);
    for (int64_t r = 0; r < k; r++) {
        double inv = 1.0 / d[r];
        for (int64_t g = 0; g < p; g++)
            We[g + r * p] *= inv;
        for (int64_t j = 0; j < n; j++)
            Ze[j + r * n] *= inv;
        for (int64_t j = 0; j < n; j++)
            He[r + j * k] *= d[r];
        be[r] *= d[r];
    }
    for (int64_t r = 0; r < k; r++)
        for (int64_t q = 0; q < k; q++)
            Ge[q + r * k] /= d[q] * d[r];
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)k, (int)k, (int)n, 1.0, He, (int)k,
                He, (int)k, 0.0, HHe, (int)k);
    double h_sq = 0;
    for (int64_t r = 0; r < k; r++)
        h_sq += HHe[r + r * k];
    /* The offset is not extrapolated: the trial gets the exact b-step of
     * (W_e, H_e), so it competes with its best baseline (trial b in s->bold,
     * free between H-steps; its W^T b in Wtb[k..2k), x0 on the side). */
    double *Wtbe = s->Wtb + k, x0e = s->x0;
    if (pr->offset)
        x0e = trial_offset(pr, s, We, He, Wtbe);
    double x0_cur = s->x0;
    s->x0 = x0e;
    dsv_terms te;
    double inner = dsv_rec_inner(s, Ge, HHe, He, Ze, pr->offset ? Wtbe : NULL);
    int rc = dsv_eval_terms(pr, s, Ze, be, inner, h_sq, (double)k, pr->alpha > 0, &te);
    s->x0 = x0_cur;
    if (rc == DESURV_E_NUMERIC)
        rc = DESURV_OK, te.loss = INFINITY; /* a wild trial is a failed trial */
    if (rc != DESURV_OK)
        return rc;
    if (te.loss < s->cur.loss) {
        if (pr->offset) {
            memcpy(s->b, s->bold, (size_t)p * sizeof *s->b);
            memcpy(s->Wtb, Wtbe, (size_t)k * sizeof *s->Wtb);
            for (int64_t r = 0; r < k; r++)
                s->hsum[r] = s->bwork[2 * k + r];
            s->x0 = x0e;
        }
        memcpy(s->W, We, (size_t)(p * k) * sizeof *We);
        memcpy(s->Z, Ze, (size_t)(n * k) * sizeof *Ze);
        memcpy(s->H, He, (size_t)(k * n) * sizeof *He);
        memcpy(s->beta, be, (size_t)k * sizeof *be);
        memcpy(s->WtW, Ge, (size_t)(k * k) * sizeof *Ge);
        memcpy(s->HHt, HHe, (size_t)(k * k) * sizeof *HHe);
        s->cur = te;
        s->ext_t = fmin(s->ext_tbar, t * EXT_GROW);
        s->ext_tbar = fmin(1.0, s->ext_tbar * EXT_TBAR_GROW);
        s->ext_accepted++;
    } else {
        s->ext_tbar = t;
        s->ext_t = t / EXT_SHRINK;
    }
    keep_previous(pr, s);
    return DESURV_OK;
}
