/* loss.c - the DeSurv objective L evaluated without touching X.
 *
 * ||X - W H||^2 = ||X||^2 - 2 <H^T, X^T W> + <W^T W, H H^T>, so with the
 * scores Z = X^T W at hand the reconstruction term costs O(n k + k^2), and
 * with the offset, ||X - W H - b 1^T||^2 = ||X - b 1^T||^2 - 2 <H^T, Z> +
 * <W^T W, H H^T> + 2 <W^T b, H 1>: one more O(n k + p k) term, and
 * the Cox and penalty terms need only Z and beta.  This is what makes the
 * W-step's trial evaluation cheap (doc/model.md section 4, "Efficient evaluation").
 */
#include <math.h>
#include <string.h>

#include <cblas.h>

#include "desurv/desurv.h"
#include "fit/fit.h"

/* Population mean and sd of each column of Z.  A column whose sd is ~0
 * relative to its size gets sd 1, as doc/model.md prescribes (the penalty then
 * does not depend on that column's scale). */
void dsv_score_moments(const double *Z, int64_t n, int64_t k, double *mean, double *sd,
                       double *floored)
{
    for (int64_t r = 0; r < k; r++) {
        const double *z = Z + r * n;
        double m = 0, v = 0, amax = 0;
        for (int64_t j = 0; j < n; j++) {
            double a = fabs(z[j]);
            m += z[j];
            amax = a > amax ? a : amax; /* fmax is a libm call here */
        }
        m /= (double)n;
        for (int64_t j = 0; j < n; j++) {
            double d = z[j] - m;
            v += d * d;
        }
        double s = sqrt(v / (double)n);
        mean[r] = m;
        int ok = s > 1e-12 * amax && s > 0;
        sd[r] = ok ? s : 1.0;
        if (floored)
            floored[r] = ok ? 0.0 : 1.0;
    }
}

/* <H^T, Z>: the cross term of the reconstruction error. */
static double cross_term(const double *H, const double *Z, int64_t n, int64_t k)
{
    double acc = 0;
    for (int64_t r = 0; r < k; r++)
        acc += cblas_ddot((int)n, H + r, (int)k, Z + r * n, 1);
    return acc;
}

static double frob_inner(const double *A, const double *B, int64_t k)
{
    double acc = 0;
    for (int64_t i = 0; i < k * k; i++)
        acc += A[i] * B[i];
    return acc;
}

static double trace_of(const double *A, int64_t k)
{
    double acc = 0;
    for (int64_t r = 0; r < k; r++)
        acc += A[r + r * k];
    return acc;
}

/* P(beta) on the standardised scale of the scores Z. */
static double penalty(const dsv_problem *pr, const double *sd, const double *beta)
{
    double l1 = 0, l2 = 0;
    for (int64_t r = 0; r < pr->k; r++) {
        double b = sd[r] * beta[r];
        l1 += fabs(b);
        l2 += b * b;
    }
    return pr->lambda * (pr->nu * l1 + 0.5 * (1.0 - pr->nu) * l2);
}

/* Terms of L at (W, H, beta) given Z = X^T W, rec_inner = <W^T W, H H^T>
 * - 2 <H^T, Z>, h_sq = ||H||^2 and w_sq = ||W||^2; with_cox = 0 skips the
 * Cox and penalty terms (alpha = 0).  Uses s->eta, s->zmean, s->zsd and
 * s->coxwork as scratch. */
int dsv_eval_terms(const dsv_problem *pr, dsv_state *s, const double *Z, const double *beta,
                   double rec_inner, double h_sq, double w_sq, int with_cox, dsv_terms *t)
{
    int64_t n = pr->n, p = pr->p, k = pr->k;
    double np = (double)n * (double)p;
    double rec = s->x0 + rec_inner;
    t->rec = (rec > 0 ? rec : 0) / (2.0 * np);
    t->hpen = h_sq / (2.0 * (double)n * (double)k);
    t->wpen = w_sq / (2.0 * (double)p * (double)k);
    t->loglik = 0;
    t->pen = 0;
    if (with_cox) {
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)k, 1.0, Z, (int)n, beta, 1, 0.0,
                    s->eta, 1);
        int rc = dsv_cox_eval(pr->cox, s->eta, &t->loglik, NULL, NULL, s->coxwork);
        if (rc != DESURV_OK)
            return rc;
        dsv_score_moments(Z, n, k, s->zmean, s->zsd, NULL);
        t->pen = penalty(pr, s->zsd, beta);
    }
    t->loss = dsv_terms_total(pr, t);
    return isfinite(t->loss) ? DESURV_OK : DESURV_E_NUMERIC;
}

double dsv_terms_total(const dsv_problem *pr, const dsv_terms *t)
{
    double loss = pr->c_rec * (t->rec + pr->lambda_h * t->hpen) + pr->lambda_w * t->wpen;
    if (pr->alpha > 0)
        loss += pr->alpha * (-2.0 / (double)pr->n_events * t->loglik + t->pen);
    return loss;
}

static double offset_term(const double *H, int64_t n, int64_t k, const double *Wtb)
{
    double acc = 0;
    for (int64_t r = 0; r < k; r++) {
        double hs = 0;
        for (int64_t j = 0; j < n; j++)
            hs += H[r + j * k];
        acc += Wtb[r] * hs;
    }
    return 2.0 * acc;
}

/* The offset of the current point: a start gets the b-step of its (W, H)
 * (a fresh start has b = 0, which would waste its first iterations on the
 * baseline); a continued start keeps its b.  Then W^T b, H 1 and x0. */
static void refresh_offset(const dsv_problem *pr, dsv_state *s)
{
    int64_t p = pr->p, n = pr->n, k = pr->k;
    if (!pr->offset) {
        dsv_set_x0(pr, s);
        return;
    }
    for (int64_t r = 0; r < k; r++) {
        double hs = 0;
        for (int64_t j = 0; j < n; j++)
            hs += s->H[r + j * k];
        s->hsum[r] = hs;
    }
    if (!s->b_set) {
        dsv_b_step(pr, s);
        return;
    }
    cblas_dgemv(CblasColMajor, CblasTrans, (int)p, (int)k, 1.0, s->W, (int)p, s->b, 1, 0.0,
                s->Wtb, 1);
    dsv_set_x0(pr, s);
}

/* Recompute Z = X^T W, both Grams, the offset terms and the loss of the
 * current point. */
int dsv_refresh(const dsv_problem *pr, dsv_state *s)
{
    int p = (int)pr->p, n = (int)pr->n, k = (int)pr->k;
    dsv_xt_times(pr, s->W, k, s->Z);
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, k, k, p, 1.0, s->W, p, s->W, p, 0.0,
                s->WtW, k);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, k, k, n, 1.0, s->H, k, s->H, k, 0.0,
                s->HHt, k);
    refresh_offset(pr, s);
    double inner = frob_inner(s->WtW, s->HHt, k) - 2.0 * cross_term(s->H, s->Z, n, k);
    if (pr->offset)
        inner += offset_term(s->H, n, k, s->Wtb);
    return dsv_eval_terms(pr, s, s->Z, s->beta, inner, trace_of(s->HHt, k), trace_of(s->WtW, k),
                          pr->alpha > 0, &s->cur);
}

double dsv_rec_inner(const dsv_state *s, const double *WtW, const double *HHt, const double *H,
                     const double *Z, const double *Wtb)
{
    double v = frob_inner(WtW, HHt, s->k) - 2.0 * cross_term(H, Z, s->n, s->k);
    return Wtb ? v + offset_term(H, s->n, s->k, Wtb) : v;
}
