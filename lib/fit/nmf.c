/* nmf.c - the H-step and the b-step (doc/model.md section 4).
 *
 * H appears only in the reconstruction block of L (the Cox model is attached
 * to W through Z = X^T W), and with W and b fixed that block separates over
 * samples: column j of H minimises 1/2 h^T G h - c_j^T h over h >= 0, with
 * G = W^T W + lambda_H (p/k) I and c_j = W^T (x_j - b) = Z^T e_j - W^T b.
 * W^T X is Z^T, which the W-step left behind, so no product with X is
 * needed here.  Three solvers of that problem (option hstep):
 *  - exact: every column's NNLS solved exactly by block principal pivoting
 *    (lib/linalg/nnls_bpp.c), warm-started from the last iteration's passive sets;
 *  - hals: one sweep of exact coordinate minimisation over the rows of H;
 *  - mu:   the Lee-Seung multiplicative update (the papers'), floored at
 *          eps_H; with b = 0 exactly libdesurv 0.2's step.
 * None of them can increase L.  The b-step follows: with W and H fixed, the
 * offset of gene g minimises sum_j (x_gj - (W H)_gj - b_g)^2 over b_g >= 0,
 * i.e. b = max(0, xbar - W H 1 / n).
 */
#include <math.h>
#include <string.h>

#include <cblas.h>

#include "desurv/desurv.h"
#include "fit/fit.h"
#include "linalg/nnls_bpp.h"

/* c_r of column j: Z[j, r] - (W^T b)_r (Wtb NULL: no offset). */
static double rhs_entry(const dsv_state *s, const double *Wtb, int64_t j, int64_t r)
{
    double c = s->Z[j + r * s->n];
    return Wtb ? c - Wtb[r] : c;
}

static void h_step_mu(const dsv_problem *pr, dsv_state *s, const double *Wtb, double ridge)
{
    int64_t n = pr->n, k = pr->k;
    double *D = s->A; /* A (n x (k+1)) as k x n scratch: W^T W H */
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)k, (int)n, (int)k, 1.0, s->WtW,
                (int)k, s->H, (int)k, 0.0, D, (int)k);
    for (int64_t j = 0; j < n; j++) {
        double *h = s->H + j * k;
        const double *d = D + j * k;
        for (int64_t r = 0; r < k; r++) {
            double num = rhs_entry(s, Wtb, j, r);
            double den = d[r] + ridge * h[r] + pr->eps_h;
            double hn = h[r] * num / den;
            h[r] = hn > pr->eps_h ? hn : pr->eps_h; /* fmax would be a libm call */
        }
    }
}

/* One HALS sweep: for r = 1..k, row r of H set to its exact minimiser with
 * the other rows fixed (Cichocki & Phan 2009).  G h is kept up to date per
 * column so that the sweep costs O(n k^2). */
static void h_step_hals(const dsv_problem *pr, dsv_state *s, const double *Wtb, double ridge)
{
    int64_t n = pr->n, k = pr->k;
    double *GH = s->A; /* k x n: (W^T W) H */
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)k, (int)n, (int)k, 1.0, s->WtW,
                (int)k, s->H, (int)k, 0.0, GH, (int)k);
    for (int64_t j = 0; j < n; j++) {
        double *h = s->H + j * k, *gh = GH + j * k;
        for (int64_t r = 0; r < k; r++) {
            double grr = s->WtW[r + r * k] + ridge;
            if (!(grr > 0))
                continue;
            double g = gh[r] + ridge * h[r] - rhs_entry(s, Wtb, j, r);
            double hn = h[r] - g / grr;
            hn = hn > 0 ? hn : 0;
            double dh = hn - h[r];
            if (dh != 0) {
                for (int64_t q = 0; q < k; q++)
                    gh[q] += s->WtW[q + r * k] * dh;
                h[r] = hn;
            }
        }
    }
}

static int h_step_exact(const dsv_problem *pr, dsv_state *s, const double *Wtb, double ridge)
{
    int64_t n = pr->n, k = pr->k;
    double *C = s->A, *G = s->G1; /* C: k x n right-hand sides (A has n (k+1) doubles) */
    for (int64_t j = 0; j < n; j++)
        for (int64_t r = 0; r < k; r++)
            C[r + j * k] = rhs_entry(s, Wtb, j, r);
    memcpy(G, s->WtW, (size_t)(k * k) * sizeof *G);
    for (int64_t r = 0; r < k; r++)
        G[r + r * k] += ridge;
    return dsv_nnls_bpp(G, k, C, k, n, s->H, k, s->passive, s->hwork, s->hiwork);
}

static void row_sums(const double *H, int64_t k, int64_t n, double *out)
{
    for (int64_t r = 0; r < k; r++)
        out[r] = 0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t r = 0; r < k; r++)
            out[r] += H[r + j * k];
}

void dsv_set_x0(const dsv_problem *pr, dsv_state *s)
{
    if (!pr->offset) {
        s->x0 = pr->xnorm2;
        return;
    }
    /* ||X - b 1^T||^2 = ||X - xbar 1^T||^2 + n ||xbar - b||^2, exactly, and
     * without the cancellation of ||X||^2 - 2 b^T X 1 + n ||b||^2 */
    double acc = 0;
    for (int64_t g = 0; g < pr->p; g++) {
        double d = pr->xbar[g] - s->b[g];
        acc += d * d;
    }
    s->x0 = pr->xcnorm2 + (double)pr->n * acc;
}

void dsv_b_step(const dsv_problem *pr, dsv_state *s)
{
    int64_t p = pr->p, k = pr->k;
    double *hbar = s->Wtb + k; /* scratch until Wtb is recomputed below */
    for (int64_t r = 0; r < k; r++)
        hbar[r] = s->hsum[r] / (double)pr->n;
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)p, (int)k, -1.0, s->W, (int)p, hbar, 1, 0.0,
                s->b, 1);
    for (int64_t g = 0; g < p; g++) {
        double v = pr->xbar[g] + s->b[g];
        s->b[g] = v > 0 ? v : 0;
    }
    cblas_dgemv(CblasColMajor, CblasTrans, (int)p, (int)k, 1.0, s->W, (int)p, s->b, 1, 0.0,
                s->Wtb, 1);
    dsv_set_x0(pr, s);
    s->b_set = 1;
}

/* The reconstruction and H-ridge terms after H (and b) changed. */
static int update_terms(const dsv_problem *pr, dsv_state *s, dsv_terms *t)
{
    int64_t n = pr->n, k = pr->k;
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)k, (int)k, (int)n, 1.0, s->H,
                (int)k, s->H, (int)k, 0.0, s->HHt, (int)k);
    *t = s->cur;
    double np = (double)n * (double)pr->p;
    double rec = s->x0 + dsv_rec_inner(s, s->WtW, s->HHt, s->H, s->Z,
                                       pr->offset ? s->Wtb : NULL);
    t->rec = (rec > 0 ? rec : 0) / (2.0 * np);
    double hp = 0;
    for (int64_t r = 0; r < k; r++)
        hp += s->HHt[r + r * k];
    t->hpen = hp / (2.0 * (double)n * (double)k);
    t->loss = dsv_terms_total(pr, t);
    return isfinite(t->loss) ? DESURV_OK : DESURV_E_NUMERIC;
}

int dsv_h_step(const dsv_problem *pr, dsv_state *s)
{
    int64_t n = pr->n, k = pr->k, p = pr->p;
    double ridge = pr->lambda_h * (double)p / (double)k;
    const double *Wtb = pr->offset ? s->Wtb : NULL;
    double *Hold = s->Zs, x0_old = s->x0;
    memcpy(Hold, s->H, (size_t)(k * n) * sizeof *Hold);
    if (pr->offset) {
        memcpy(s->bold, s->b, (size_t)p * sizeof *s->bold);
        memcpy(s->Wtb + 2 * k, s->Wtb, (size_t)k * sizeof *s->Wtb);
    }
    int rc = DESURV_OK;
    if (pr->hstep == DESURV_HSTEP_MU)
        h_step_mu(pr, s, Wtb, ridge);
    else if (pr->hstep == DESURV_HSTEP_HALS)
        h_step_hals(pr, s, Wtb, ridge);
    else
        rc = h_step_exact(pr, s, Wtb, ridge);
    if (rc != DESURV_OK)
        return rc;
    if (pr->offset) {
        row_sums(s->H, k, n, s->hsum);
        dsv_b_step(pr, s);
    }
    dsv_terms t;
    rc = update_terms(pr, s, &t);
    if (rc != DESURV_OK)
        return rc;
    if (t.loss > s->cur.loss) {
        /* In exact arithmetic impossible; in floating point a last-digit
         * increase near convergence.  Keep the trace monotone. */
        memcpy(s->H, Hold, (size_t)(k * n) * sizeof *Hold);
        if (pr->offset) {
            memcpy(s->b, s->bold, (size_t)p * sizeof *s->b);
            memcpy(s->Wtb, s->Wtb + 2 * k, (size_t)k * sizeof *s->Wtb);
            s->x0 = x0_old;
        }
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)k, (int)k, (int)n, 1.0, s->H,
                    (int)k, s->H, (int)k, 0.0, s->HHt, (int)k);
        return DESURV_OK;
    }
    s->cur = t;
    return DESURV_OK;
}
