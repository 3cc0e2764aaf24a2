/* wstep.c - the W-step: one majorise-minimise step on the convex W-subproblem.
 *
 * With H and beta fixed, L(W) is the reconstruction quadratic, plus
 * alpha * (-(2/n_e) l(X^T W beta)) (convex in eta, and eta is linear in W),
 * plus alpha * P(beta), which depends on W through the score sds s_r (a
 * convex function of W).  We replace each term by a separable quadratic that
 * touches it at the current W and lies above it everywhere:
 *
 *  - reconstruction: the Lee-Seung bound, curvature c (W H H^T)_gr / W_gr;
 *  - Cox: the negative Hessian of l in eta is a sum over events of
 *    diag(pi) - pi pi^T, whose eigenvalues are <= 1/2 (Gershgorin) and which
 *    all annihilate the constant vector (l ignores a common shift of eta).
 *    So -(2/n_e) l has curvature <= 1 on the centred part of d eta =
 *    X^T dW beta, and ||C X^T v||^2 <= xc_top ||v||^2 with xc_top the top
 *    eigenvalue of the gene-centred Gram.  Cauchy-Schwarz gives
 *    (dW beta)_g^2 <= B sum_r |beta_r| dW_gr^2, B = sum |beta_r|;
 *  - penalty: s_r <= s_r0/2 + s_r^2/(2 s_r0), and s_r^2 is a quadratic in
 *    w_r with Hessian (2/n) X C X^T <= (2/n) xc_top I.
 *
 * The minimiser of the sum, clipped at eps, is a closed-form per-entry step
 * that cannot increase L.  The global Cox/penalty bound is very loose (on
 * TCGA-PAAD ranks the steps that work use about 1/500 of it), so it is
 * scaled by an adaptive factor s->w_mu in (0, 1] (see line_search); a
 * scaled point that fails to decrease L is backtracked towards W.  We then
 * search along the segment from W to that point and
 * beyond (the W-subproblem is convex, so the 1-D restriction is too): with
 * Z(t) = (1-t) Z + t Z_mm and the k x k Grams of the two end points, every
 * trial costs O(n k), never a product with X.  The MM point itself is the
 * first trial; with w_mu = 1 it is always acceptable, and w_mu grows
 * tenfold after every failure, so at most a few per cent of W steps need the
 * backtracking and none stalls.  The gradient part of the step is X A for one n x k
 * matrix A and the trial scores are X^T W_mm: the two GEMMs of the
 * iteration.  The final loss is still compared, so a last-digit increase
 * near convergence is refused rather than recorded.
 *
 * The step is written as three parts around those two products
 * (dsv_w_step_rhs, dsv_w_step_mm, dsv_w_step_finish) so that
 * dsv_iterate_batch (lib/fit/batch.c) can make each product once for many
 * starts; dsv_w_step chains the parts with the skinny products.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "desurv/desurv.h"
#include "fit/fit.h"

typedef struct wstep_coef {
    int supervised;   /* alpha > 0 and beta != 0 */
    double B;         /* sum |beta_r| */
} wstep_coef;

/* Column r of A (n x k, ld n): the "through the scores" part of the
 * negative gradient, reconstruction numerator plus Cox and penalty terms
 * (doc/model.md section 4). */
static void build_rhs(const dsv_problem *pr, dsv_state *s, const wstep_coef *c, double *A,
                      double *qcox)
{
    int64_t n = pr->n, k = pr->k;
    double alpha = pr->alpha, lam = pr->lambda, nu = pr->nu;
    double ce = 2.0 * alpha / (double)pr->n_events;
    double crec = pr->c_rec / ((double)n * (double)pr->p);
    for (int64_t r = 0; r < k; r++) {
        double *a = A + r * n;
        const double *z = s->Z + r * n;
        for (int64_t j = 0; j < n; j++)
            a[j] = crec * s->H[r + j * k];
        qcox[r] = 0;
        if (!c->supervised)
            continue;
        double b = s->beta[r], ab = fabs(b), sd = s->zsd[r], mu = s->zmean[r];
        int free_sd = s->bwork[r] == 0.0; /* a floored sd does not depend on W */
        double rho = free_sd ? (nu * ab + (1 - nu) * b * b * sd) / ((double)n * sd) : 0;
        double kappa = free_sd ? nu * ab / (2 * sd) + (1 - nu) * b * b / 2 : 0;
        for (int64_t j = 0; j < n; j++)
            a[j] += ce * s->grad[j] * b - alpha * lam * rho * (z[j] - mu);
        qcox[r] = pr->xc_top * (alpha * c->B * ab + 2 * alpha * lam * kappa / (double)n);
    }
}

/* Whether some entry of a chunk has w - eps < c (w - wt).  GCC does not
 * vectorise this OR of floating-point comparisons, so on x86-64 (where
 * SSE2 is always there) it is written out; the two versions compute the
 * same comparisons of the same values. */
static int chunk_hit(const double *w, const double *wt, int64_t len, double eps, double c)
{
    int64_t g = 0;
    int hit = 0;
#if defined(__SSE2__)
    __m128d ve = _mm_set1_pd(eps), vc = _mm_set1_pd(c), acc = _mm_setzero_pd();
    for (; g + 2 <= len; g += 2) {
        __m128d x = _mm_loadu_pd(w + g), y = _mm_loadu_pd(wt + g);
        acc = _mm_or_pd(acc, _mm_cmplt_pd(_mm_sub_pd(x, ve), _mm_mul_pd(vc, _mm_sub_pd(x, y))));
    }
    hit = _mm_movemask_pd(acc) != 0;
#endif
    for (; g < len; g++)
        hit |= w[g] - eps < c * (w[g] - wt[g]);
    return hit;
}

/* min(tmax, min over entries with wt < w and w > eps of (w - eps) /
 * (w - wt)): how far the ray from w through wt stays >= eps.  The division
 * is taken only for entries that can lower the minimum; the multiplication
 * test before it has a 1e-12 margin, so the result is the same minimum of
 * the same quotients as dividing at every entry.  (w <= eps implies
 * w - wt <= 0, which the test rejects.) */
static double ray_limit(const double *w, const double *wt, int64_t p, double eps, double tmax)
{
    enum { CHUNK = 256 };
    for (int64_t g0 = 0; g0 < p; g0 += CHUNK) {
        int64_t g1 = g0 + CHUNK < p ? g0 + CHUNK : p;
        /* most chunks hold no candidate: find out without branches */
        double c = tmax * (1.0 + 1e-12);
        if (!chunk_hit(w + g0, wt + g0, g1 - g0, eps, c))
            continue;
        for (int64_t g = g0; g < g1; g++) {
            double d = w[g] - wt[g], a = w[g] - eps;
            if (a > 0 && a < c * d) { /* a <= 0: at the (raised) floor, see hals_update */
                double lim = a / d;
                tmax = lim < tmax ? lim : tmax;
            }
        }
    }
    return tmax;
}

/* The closed-form minimiser of the separable majoriser, entry by entry,
 * into s->Wt and, when copy is not NULL, also into copy (the batch's wide
 * right-hand side).  T = X A.  Returns the largest t <= 2 for which
 * W + t (W_mm - W) stays >= eps.
 * Why 2: along the ray the scores are formed as (1-t) Z + t Z_mm, which
 * multiplies the rounding error already in Z by |1 - t|; up to t = 2 that
 * cannot compound (beyond it we measured a drift of 8e-8 in Z), and
 * measured fits lose nothing by the cap.
 * Two loops per column: the step itself (branch-free, vectorised) and the
 * ray limit, which was the step's cost when fused with it (a data-dependent
 * branch around a division per entry: about 19 cycles an entry at M). */
static double mm_update(const dsv_problem *pr, dsv_state *s, const double *qcox,
                        const double *T, double *copy)
{
    int64_t p = pr->p, k = pr->k;
    double crec = pr->c_rec / ((double)pr->n * (double)p);
    double lw = pr->lambda_w / ((double)p * (double)k);
    double eps = pr->eps_w, tmax = 2.0;
    for (int64_t r = 0; r < k; r++) {
        double q = lw + s->w_mu * qcox[r]; /* w_mu = 1: the guaranteed bound */
        const double *w = s->W + r * p, *wg = s->WG + r * p, *t = T + r * p;
        double *wt = s->Wt + r * p;
        if (pr->offset) {
            /* the offset's part of the gradient, crec b (H 1)^T, is linear
             * in W: it moves the step but adds no curvature */
            double cb = crec * s->hsum[r];
            const double *b = s->b;
            for (int64_t g = 0; g < p; g++) {
                double grad = crec * wg[g] + lw * w[g] + cb * b[g] - t[g];
                double den = crec * wg[g] + q * w[g] + 1e-300;
                double wn = w[g] - w[g] * (grad / den);
                wt[g] = wn > eps ? wn : eps;
            }
        } else {
            for (int64_t g = 0; g < p; g++) {
                double grad = crec * wg[g] + lw * w[g] - t[g];
                /* w - grad / Q with Q = (crec wg + (lw + mu qcox) w) / w, one division */
                double den = crec * wg[g] + q * w[g] + 1e-300;
                double wn = w[g] - w[g] * (grad / den);
                wt[g] = wn > eps ? wn : eps; /* fmax is a libm call here */
            }
        }
        if (copy)
            memcpy(copy + r * p, wt, (size_t)p * sizeof *wt);
        tmax = ray_limit(w, wt, p, eps, tmax);
    }
    return tmax;
}

/* The MM point by HALS (Cichocki & Phan 2009) on the majoriser: the
 * reconstruction term kept exactly (it is quadratic in W), the Cox and
 * penalty terms by their separable bound of curvature mu qcox_r around W.
 * Column r of that majoriser, the others fixed, is minimised in closed
 * form:
 *   w_r = max(eps, (t_r - crec hsum_r b + Q_r w0_r - crec sum_{q != r} w_q
 *         HHt_qr) / (crec HHt_rr + Q_r + lw)),   Q_r = mu qcox_r,
 * so every column update lowers the majoriser, and with mu = 1 the point
 * cannot increase L.  Unlike the Lee-Seung bound (curvature (W HHt)_gr /
 * w_gr per entry, the papers' step) it does not stall on small entries:
 * at alpha = 0 it is the HALS step of NMF.  O(p k^2) per sweep, no
 * product with X. */
static double hals_update(const dsv_problem *pr, dsv_state *s, const double *qcox,
                          const double *T, double *copy, int sweeps)
{
    int64_t p = pr->p, k = pr->k;
    double crec = pr->c_rec / ((double)pr->n * (double)p);
    double lw = pr->lambda_w / ((double)p * (double)k);
    double eps = pr->eps_w, tmax = 2.0, *acc = s->bold;
    memcpy(s->Wt, s->W, (size_t)(p * k) * sizeof *s->Wt);
    for (int sw = 0; sw < sweeps; sw++)
        for (int64_t r = 0; r < k; r++) {
            double Q = s->w_mu * qcox[r], hrr = s->HHt[r + r * k];
            double den = crec * hrr + Q + lw;
            if (!(den > 0))
                continue; /* w_r enters L only linearly here: leave it */
            const double *w0 = s->W + r * p, *t = T + r * p;
            double *wt = s->Wt + r * p;
            for (int64_t g = 0; g < p; g++)
                acc[g] = t[g] + Q * w0[g] + crec * hrr * wt[g];
            if (pr->offset) {
                double cb = crec * s->hsum[r];
                for (int64_t g = 0; g < p; g++)
                    acc[g] -= cb * s->b[g];
            }
            /* acc -= crec W_t HHt[:, r]; the r term was added back above */
            cblas_dgemv(CblasColMajor, CblasNoTrans, (int)p, (int)k, -crec, s->Wt, (int)p,
                        s->HHt + r * k, 1, 1.0, acc, 1);
            double inv = 1.0 / den;
            for (int64_t g = 0; g < p; g++) {
                double v = acc[g] * inv;
                wt[g] = v > eps ? v : eps;
            }
        }
    /* The ray limit ignores entries within 1e-12 of the floor (W has unit
     * columns): HALS clips many entries exactly to eps, and an entry that
     * rounding left at eps (1 + 1e-16) instead of eps would otherwise set
     * t_max to 1 in one run and not in another (fit(c X) against fit(X)),
     * steering the adaptive bound apart.  Such an entry may end up to 1e-12
     * below the straight line at t > 1, where it is clipped; the scores'
     * closed form ignores that. */
    for (int64_t r = 0; r < k; r++) {
        if (copy)
            memcpy(copy + r * p, s->Wt + r * p, (size_t)p * sizeof *copy);
        tmax = ray_limit(s->W + r * p, s->Wt + r * p, p, eps + 1e-12, tmax);
    }
    return tmax;
}

/* Loss of the normalised version of (Wx, Zx = X^T Wx), computed like every
 * other loss of the fit, given s->G1 = Wx^T Wx.  With cox != NULL the Cox
 * and penalty terms are taken from *cox instead of evaluated: they depend
 * only on the scores, so a caller that has already evaluated them at the
 * same Zx (same bits) saves a Cox evaluation. */
static int exact_loss(const dsv_problem *pr, dsv_state *s, const double *Zx, const double *Wxtb,
                      const dsv_terms *cox, dsv_terms *t)
{
    int64_t k = pr->k;
    double h_sq = 0;
    for (int64_t r = 0; r < k; r++)
        h_sq += s->HHt[r + r * k] * s->G1[r + r * k];
    double inner = dsv_rec_inner(s, s->G1, s->HHt, s->H, Zx, Wxtb);
    int with_cox = pr->alpha > 0 && !cox;
    int rc = dsv_eval_terms(pr, s, Zx, s->beta, inner, h_sq, (double)k, with_cox, t);
    if (rc != DESURV_OK || !cox)
        return rc;
    t->loglik = cox->loglik;
    t->pen = cox->pen;
    t->loss = dsv_terms_total(pr, t);
    return isfinite(t->loss) ? DESURV_OK : DESURV_E_NUMERIC;
}

/* Accept the point tb of the ray, Wx = max((1 - tb) W + tb W_mm, eps) (just
 * W_mm at tb = 1), with scores Zx: normalise columns to unit norm, moving
 * the scale into H and beta, which leaves W H, eta and s_r beta_r
 * unchanged (and W^T b, recomputed for the new W, against H 1).  s->G1 holds Wx^T Wx, so the scales are known before Wx is
 * formed, and Wx is written straight into W, normalised (one pass over the
 * p x k factor instead of forming Wx and then copying it). */
static void accept_normalised(const dsv_problem *pr, dsv_state *s, double tb, const double *Zx,
                              const dsv_terms *t)
{
    int64_t p = pr->p, n = pr->n, k = pr->k;
    double *d = s->bwork + 2 * k, u = 1 - tb, eps = pr->eps_w;
    for (int64_t r = 0; r < k; r++)
        d[r] = sqrt(s->G1[r + r * k]);
    for (int64_t r = 0; r < k; r++) {
        double inv = 1.0 / d[r], *w = s->W + r * p;
        const double *wt = s->Wt + r * p;
        if (tb == 1.0) {
            for (int64_t g = 0; g < p; g++)
                w[g] = wt[g] * inv;
        } else {
            for (int64_t g = 0; g < p; g++) {
                double x = u * w[g] + tb * wt[g];
                w[g] = (x > eps ? x : eps) * inv;
            }
        }
        for (int64_t j = 0; j < n; j++)
            s->Z[j + r * n] = Zx[j + r * n] * inv;
        for (int64_t j = 0; j < n; j++)
            s->H[r + j * k] *= d[r];
        s->beta[r] *= d[r];
        s->hsum[r] *= d[r];
    }
    for (int64_t r = 0; r < k; r++)
        for (int64_t q = 0; q < k; q++) {
            s->WtW[q + r * k] = s->G1[q + r * k] / (d[q] * d[r]);
            s->HHt[q + r * k] *= d[q] * d[r];
        }
    if (pr->offset)
        cblas_dgemv(CblasColMajor, CblasTrans, (int)p, (int)k, 1.0, s->W, (int)p, s->b, 1, 0.0,
                    s->Wtb, 1);
    s->cur = *t;
}

/* The segment W(t) = (1 - t) W + t W_mm in closed form: scores, the Gram
 * W(t)^T W(t) and the loss of the normalised point, all without X. */
typedef struct segment {
    double a00, a01, a11;   /* <G00, HHt>, <G01 + G01^T, HHt>, <G11, HHt> */
    double c0, c1;          /* <H^T, Z>, <H^T, Z_mm> */
    const double *G00, *G01, *G11;
    const double *Zmm;      /* X^T W_mm (n x k) */
    const double *Wmmtb;    /* W_mm^T b (NULL without offset) */
} segment;

static void segment_gram(const segment *sg, int64_t k, double t, double *G)
{
    double u = 1 - t;
    for (int64_t i = 0; i < k; i++)
        for (int64_t j = 0; j < k; j++)
            G[i + j * k] = u * u * sg->G00[i + j * k] +
                           u * t * (sg->G01[i + j * k] + sg->G01[j + i * k]) +
                           t * t * sg->G11[i + j * k];
}

/* Loss of the normalised W(t); leaves its Gram in s->G1.  At t = 1 this is
 * exactly exact_loss() of the MM point (segment_gram(1) is G11 to the bit),
 * so that value can be accepted as it is. */
static int segment_loss(const dsv_problem *pr, dsv_state *s, const segment *sg, double t,
                        dsv_terms *out)
{
    int64_t n = pr->n, k = pr->k;
    segment_gram(sg, k, t, s->G1);
    if (t == 1.0)
        return exact_loss(pr, s, sg->Zmm, sg->Wmmtb, NULL, out);
    double u = 1 - t;
    for (int64_t i = 0; i < n * k; i++)
        s->Zs[i] = u * s->Z[i] + t * sg->Zmm[i];
    double inner = u * u * sg->a00 + u * t * sg->a01 + t * t * sg->a11 - 2 * (u * sg->c0 + t * sg->c1);
    double h_sq = 0;
    for (int64_t r = 0; r < k; r++)
        h_sq += s->HHt[r + r * k] * s->G1[r + r * k];
    return dsv_eval_terms(pr, s, s->Zs, s->beta, inner, h_sq, (double)k, pr->alpha > 0, out);
}

static double frob(const double *A, const double *B, int64_t len)
{
    double acc = 0;
    for (int64_t i = 0; i < len; i++)
        acc += A[i] * B[i];
    return acc;
}

/* Minimise the convex 1-D loss over [1, tmax] (tmax <= 2) starting from the
 * MM point t = 1: evaluate both ends and the midpoint, then the vertex of
 * the parabola through them; keep the best.  Four O(n k) evaluations.
 *
 * The MM point is that of the curvature bound scaled by s->w_mu.  If it
 * does not decrease L (possible only for w_mu < 1), halve t towards W until
 * it does (the direction is a descent direction; t < 1 interpolates, so no
 * rounding is amplified), set *backtracked and raise w_mu.  If the search
 * ends near the far end of the ray (or the ray cannot be extended), the
 * bound was too loose: lower w_mu. */
static int line_search(const dsv_problem *pr, dsv_state *s, const segment *sg, double tmax,
                       double *t_best, dsv_terms *best, dsv_terms *at_mm, int *backtracked)
{
    int rc = segment_loss(pr, s, sg, 1.0, at_mm);
    *best = *at_mm;
    *t_best = 1.0;
    *backtracked = 0;
    if (rc != DESURV_OK || pr->alpha == 0)
        return rc; /* alpha = 0: the MM step is the Lee-Seung step, keep it */
    if (at_mm->loss > s->cur.loss) {
        *backtracked = 1;
        s->w_mu = fmin(1.0, s->w_mu * DSV_WMU_UP);
        double t = 1.0;
        for (int j = 0; j < 30; j++) {
            dsv_terms e;
            t *= 0.5;
            if ((rc = segment_loss(pr, s, sg, t, &e)) != DESURV_OK)
                return rc;
            if (e.loss <= s->cur.loss) {
                *best = e, *t_best = t;
                break;
            }
        }
        return DESURV_OK;
    }
    if (tmax > 1.0) {
        double t1 = 1.0, tm = 0.5 * (1.0 + tmax), t2 = tmax;
        dsv_terms em, e2, ev;
        if ((rc = segment_loss(pr, s, sg, tm, &em)) != DESURV_OK ||
            (rc = segment_loss(pr, s, sg, t2, &e2)) != DESURV_OK)
            return rc;
        double f1 = best->loss, fm = em.loss, f2 = e2.loss;
        if (fm < best->loss)
            *best = em, *t_best = tm;
        if (f2 < best->loss)
            *best = e2, *t_best = t2;
        double num = (tm - t1) * (tm - t1) * (fm - f2) - (tm - t2) * (tm - t2) * (fm - f1);
        double den = (tm - t1) * (fm - f2) - (tm - t2) * (fm - f1);
        double tv = den != 0 ? tm - 0.5 * num / den : tm;
        if (tv > t1 && tv < t2 && tv != tm) {
            if ((rc = segment_loss(pr, s, sg, tv, &ev)) != DESURV_OK)
                return rc;
            if (ev.loss < best->loss)
                *best = ev, *t_best = tv;
        }
    }
    /* With the HALS majoriser the MM point has entries clipped at eps, so
     * tmax is usually 1 and w_mu falls until a scaled point fails and is
     * backtracked: that adaptivity is what makes supervised fits converge.
     * hals_update's ray limit ignores entries at the floor, so that
     * rounding there cannot move t_max (doc/algorithm.md, "The HALS
     * majoriser"). */
    if (tmax <= 1.0 || *t_best > 1.0 + 0.75 * (tmax - 1.0))
        s->w_mu = fmax(DSV_WMU_MIN, s->w_mu * DSV_WMU_DOWN);
    return DESURV_OK;
}

/* ---- the W-step in three parts around its two products with X ---------- */

/* Before X A: the right-hand side A (n x k, ld n) of the gradient's part
 * through the scores, with the Cox and penalty gradients folded in, and the
 * Cox/penalty curvatures in qcox (s->bwork + k). */
int dsv_w_step_rhs(const dsv_problem *pr, dsv_state *s, double *A)
{
    int64_t n = pr->n, k = pr->k;
    wstep_coef c = {0, 0};
    for (int64_t r = 0; r < k; r++)
        c.B += fabs(s->beta[r]);
    c.supervised = pr->alpha > 0 && c.B > 0; /* beta = 0: no Cox or penalty part */
    if (c.supervised) {
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)k, 1.0, s->Z, (int)n, s->beta, 1,
                    0.0, s->eta, 1);
        double l;
        int rc = dsv_cox_eval(pr->cox, s->eta, &l, s->grad, NULL, s->coxwork);
        if (rc != DESURV_OK)
            return rc;
        dsv_score_moments(s->Z, n, k, s->zmean, s->zsd, s->bwork);
    }
    build_rhs(pr, s, &c, A, s->bwork + k);
    return DESURV_OK;
}

/* WG = W H H^T, the reconstruction part of the gradient not through X. */
static void w_hht(const dsv_problem *pr, dsv_state *s)
{
    int64_t p = pr->p, k = pr->k;
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)p, (int)k, (int)k, 1.0, s->W,
                (int)p, s->HHt, (int)k, 0.0, s->WG, (int)p);
}

/* Between the products: given T = X A, the MM point into s->Wt (and into
 * copy, unless NULL).  Returns t_max of the line search. */
double dsv_w_step_mm(const dsv_problem *pr, dsv_state *s, const double *T, double *copy)
{
    /* One sweep: more (2, 3) lowered neither the iterations nor the time
     * of a TCGA-PAAD tuning run (doc/algorithm.md). */
    if (pr->wstep == DESURV_WSTEP_HALS)
        return hals_update(pr, s, s->bwork + pr->k, T, copy, 1);
    w_hht(pr, s);
    return mm_update(pr, s, s->bwork + pr->k, T, copy);
}

/* The k x k Grams of the segment, G01 = W^T W_mm and G11 = W_mm^T W_mm,
 * and the inner products of the closed form.  They come from one dsyrk of
 * [W | W_mm] (W_mm sits right after W): a 2k-column Gram over p rows, the
 * one product of the step that OpenBLAS threads badly (a dsyrk beats the k x k x p dgemm;
 * bench/README has the timings).  With
 * alpha = 0 the search never leaves t = 1, so only G11 is formed (half the
 * flops) and G01 is zero, which keeps segment_gram(1) equal to G11. */
static void segment_setup(const dsv_problem *pr, dsv_state *s, const double *Zmm, segment *sg)
{
    int64_t p = pr->p, k = pr->k;
    int full = pr->alpha > 0;
    int64_t m = full ? 2 * k : k, off = full ? k : 0;
    double *Gs = s->G2 + 2 * k * k, *G01 = s->G2, *G11 = s->G2 + k * k;
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)m, (int)p, 1.0, full ? s->W : s->Wt,
                (int)p, 0.0, Gs, (int)m);
    for (int64_t j = 0; j < k; j++)
        for (int64_t i = 0; i < k; i++) {
            G01[i + j * k] = full ? Gs[i + (off + j) * m] : 0.0;
            G11[i + j * k] = i <= j ? Gs[off + i + (off + j) * m] : Gs[off + j + (off + i) * m];
        }
    *sg = (segment){0};
    sg->G00 = s->WtW, sg->G01 = G01, sg->G11 = G11, sg->Zmm = Zmm;
    const double *Wtb = NULL;
    if (pr->offset) {
        /* W(t)^T b is linear in t too: W^T b and W_mm^T b carry the offset
         * term 2 <W(t)^T b, H 1> along the segment (in c0 and c1) */
        cblas_dgemv(CblasColMajor, CblasTrans, (int)p, (int)k, 1.0, s->Wt, (int)p, s->b, 1, 0.0,
                    s->Wtb + k, 1);
        sg->Wmmtb = s->Wtb + k, Wtb = s->Wtb;
    }
    sg->a11 = frob(G11, s->HHt, k * k);
    if (full) {
        sg->a00 = frob(s->WtW, s->HHt, k * k);
        for (int64_t i = 0; i < k; i++)
            for (int64_t j = 0; j < k; j++)
                sg->a01 += (G01[i + j * k] + G01[j + i * k]) * s->HHt[i + j * k];
        sg->c0 = -(dsv_rec_inner(s, s->WtW, s->HHt, s->H, s->Z, Wtb) - sg->a00) / 2;
        sg->c1 = -(dsv_rec_inner(s, G11, s->HHt, s->H, Zmm, sg->Wmmtb) - sg->a11) / 2;
    }
}

/* After X^T W_mm = Zmm: the line search and the accepted point. */
int dsv_w_step_finish(const dsv_problem *pr, dsv_state *s, const double *Zmm, double tmax)
{
    int64_t n = pr->n, k = pr->k;
    segment sg;
    segment_setup(pr, s, Zmm, &sg);
    double t_best;
    dsv_terms t, t_mm;
    int back;
    int rc = line_search(pr, s, &sg, tmax, &t_best, &t, &t_mm, &back);
    if (rc != DESURV_OK)
        return rc;
    s->w_steps++;
    /* The search compared losses from the closed-form segment; decide on
     * the exact loss of the point we would keep (same formula as every
     * other step; for t <= 2 the closed-form Gram is accurate), falling
     * back to the MM point, which is guaranteed. */
    if (t_best != 1.0) {
        double u = 1 - t_best, *Zx = s->A;
        for (int64_t i = 0; i < n * k; i++)
            Zx[i] = u * s->Z[i] + t_best * Zmm[i];
        segment_gram(&sg, k, t_best, s->G1);
        double *Wxtb = NULL;
        if (pr->offset) {
            Wxtb = s->Wtb + 2 * k;
            for (int64_t r = 0; r < k; r++)
                Wxtb[r] = u * s->Wtb[r] + t_best * sg.Wmmtb[r];
        }
        /* Zx is formed exactly as segment_loss() formed the scores it
         * evaluated at t_best, so the Cox and penalty terms in t stand */
        dsv_terms cox = t;
        if ((rc = exact_loss(pr, s, Zx, Wxtb, &cox, &t)) != DESURV_OK)
            return rc;
        if (t.loss <= s->cur.loss) {
            accept_normalised(pr, s, t_best, Zx, &t);
            s->w_first += !back;
            return DESURV_OK;
        }
    }
    if (t_mm.loss <= s->cur.loss) {
        segment_gram(&sg, k, 1.0, s->G1);
        accept_normalised(pr, s, 1.0, Zmm, &t_mm);
        s->w_first++;
    }
    return DESURV_OK;
}

int dsv_w_step(const dsv_problem *pr, dsv_state *s)
{
    int rc = dsv_w_step_rhs(pr, s, s->A);
    if (rc != DESURV_OK)
        return rc;
    dsv_x_times(pr, s->A, pr->k, s->T);
    double tmax = dsv_w_step_mm(pr, s, s->T, NULL);
    dsv_xt_times(pr, s->Wt, pr->k, s->Zt);
    return dsv_w_step_finish(pr, s, s->Zt, tmax);
}

/* dL/dW at the current point (p x k into G), the gradient the majoriser
 * touches.  Used by the tests to check the step against finite differences. */
int dsv_w_gradient(const dsv_problem *pr, dsv_state *s, double *G)
{
    int64_t p = pr->p, k = pr->k;
    int rc = dsv_w_step_rhs(pr, s, s->A);
    if (rc != DESURV_OK)
        return rc;
    dsv_x_times(pr, s->A, k, s->T);
    w_hht(pr, s);
    double crec = pr->c_rec / ((double)pr->n * (double)p);
    double lw = pr->lambda_w / ((double)p * (double)k);
    for (int64_t i = 0; i < p * k; i++)
        G[i] = crec * s->WG[i] + lw * s->W[i] - s->T[i];
    for (int64_t r = 0; pr->offset && r < k; r++)
        for (int64_t g = 0; g < p; g++)
            G[g + r * p] += crec * s->hsum[r] * s->b[g];
    return DESURV_OK;
}
