/* init.c - starting points: random, NNDSVD, user-supplied. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "desurv/desurv.h"
#include "fit/fit.h"
#include "linalg/nnls.h"
#include "base/rng.h"
#include "base/vecops.h"

/* Entries uniform on [0, sqrt(mean(X)/k)] (doc/model.md section 5); beta = 0.  The
 * stream makes each start's numbers independent of who runs it.
 * With the offset, mean(X) is replaced by mean |X - xbar 1^T| (doc/model.md is
 * silent): W H then starts on the scale of the programs, not of the
 * baseline.  At mean(X), on the paper's simulation (baseline 3, programs
 * 0.03) W hbar exceeded the mean of many genes, their b sat at 0, and the
 * fits spent hundreds of iterations shedding the excess. */
void dsv_init_random(const dsv_problem *pr, dsv_state *s, uint64_t seed, uint64_t stream)
{
    dsv_rng rng;
    dsv_rng_seed(&rng, seed, stream);
    double hi = sqrt(pr->init_mean / (double)pr->k);
    for (int64_t i = 0; i < pr->p * pr->k; i++)
        s->W[i] = fmax(hi * dsv_rng_uniform(&rng), pr->eps_w);
    for (int64_t i = 0; i < pr->k * pr->n; i++)
        s->H[i] = fmax(hi * dsv_rng_uniform(&rng), pr->eps_h);
    memset(s->beta, 0, (size_t)pr->k * sizeof *s->beta);
}

static double pos_norm(const double *x, int64_t len, int64_t inc, int sign)
{
    double acc = 0;
    for (int64_t i = 0; i < len; i++) {
        double v = sign * x[i * inc];
        if (v > 0)
            acc += v * v;
    }
    return sqrt(acc);
}

/* Zero entries cannot leave zero under multiplicative updates; give them a
 * small positive value (1e-3 of the factor's mean nonzero entry). */
static void fill_zeros(double *A, int64_t len, double floor)
{
    double sum = 0;
    int64_t nz = 0;
    for (int64_t i = 0; i < len; i++)
        if (A[i] > 0)
            sum += A[i], nz++;
    double fill = nz ? 1e-3 * sum / (double)nz : 1.0;
    for (int64_t i = 0; i < len; i++)
        if (A[i] <= 0)
            A[i] = fmax(fill, floor);
}

/* NNDSVD (Boutsidis & Gallopoulos 2008): each singular pair contributes its
 * dominant nonnegative part. */
int dsv_init_nndsvd(const dsv_problem *pr, dsv_state *s)
{
    int64_t p = pr->p, n = pr->n, k = pr->k;
    double *ev = malloc((size_t)k * sizeof *ev);
    double *U = malloc((size_t)(p * k) * sizeof *U);
    double *V = malloc((size_t)(n * k) * sizeof *V);
    int rc = (ev && U && V) ? dsv_topk_gram(pr->X, p, n, pr->ldx, k, ev, U, V) : DESURV_E_NOMEM;
    for (int64_t j = 0; rc == DESURV_OK && j < k; j++) {
        const double *u = U + j * p, *v = V + j * n;
        double up = pos_norm(u, p, 1, 1), un = pos_norm(u, p, 1, -1);
        double vp = pos_norm(v, n, 1, 1), vn = pos_norm(v, n, 1, -1);
        int sign = up * vp >= un * vn ? 1 : -1;
        double nu_ = sign > 0 ? up : un, nv = sign > 0 ? vp : vn;
        double scale = sqrt(sqrt(ev[j]) * nu_ * nv);
        for (int64_t i = 0; i < p; i++) {
            double x = sign * u[i];
            s->W[i + j * p] = (x > 0 && nu_ > 0) ? scale * x / nu_ : 0.0;
        }
        for (int64_t i = 0; i < n; i++) {
            double x = sign * v[i];
            s->H[j + i * k] = (x > 0 && nv > 0) ? scale * x / nv : 0.0;
        }
    }
    if (rc == DESURV_OK) {
        fill_zeros(s->W, p * k, pr->eps_w);
        fill_zeros(s->H, k * n, pr->eps_h);
        memset(s->beta, 0, (size_t)k * sizeof *s->beta);
    }
    free(ev), free(U), free(V);
    return rc;
}

/* min_h ||x - W h||^2, h >= 0, for every column at once by cyclic
 * coordinate descent on the k x k Gram (k is small, so this converges to the
 * exact NNLS solution quickly). */
static int nnls_columns(const dsv_problem *pr, const double *W, double *H)
{
    int64_t p = pr->p, n = pr->n, k = pr->k;
    double *G = malloc((size_t)(k * k) * sizeof *G);
    double *B = malloc((size_t)(k * n) * sizeof *B);
    if (!G || !B) {
        free(G), free(B);
        return DESURV_E_NOMEM;
    }
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)k, (int)k, (int)p, 1.0, W, (int)p,
                W, (int)p, 0.0, G, (int)k);
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)k, (int)n, (int)p, 1.0, W, (int)p,
                pr->X, (int)pr->ldx, 0.0, B, (int)k);
    if (pr->offset) {
        /* with an offset the start's H explains X - xbar 1^T: the b-step
         * that follows (dsv_refresh) then puts the baseline into b, and the
         * start is the same for X and X + c 1^T */
        double *wx = malloc((size_t)k * sizeof *wx);
        if (!wx) {
            free(G), free(B);
            return DESURV_E_NOMEM;
        }
        cblas_dgemv(CblasColMajor, CblasTrans, (int)p, (int)k, 1.0, W, (int)p, pr->xbar, 1, 0.0,
                    wx, 1);
        for (int64_t j = 0; j < n; j++)
            for (int64_t r = 0; r < k; r++)
                B[r + j * k] -= wx[r];
        free(wx);
    }
    dsv_nnls_gram(G, k, B, n, H);
    for (int64_t i = 0; i < k * n; i++)
        H[i] = fmax(H[i], pr->eps_h);
    free(G), free(B);
    return DESURV_OK;
}

int dsv_init_user(const dsv_problem *pr, dsv_state *s, const double *W0, const double *H0,
                  const double *beta0)
{
    int64_t p = pr->p, n = pr->n, k = pr->k;
    for (int64_t i = 0; i < p * k; i++)
        s->W[i] = fmax(W0[i], pr->eps_w);
    for (int64_t r = 0; r < k; r++)
        s->beta[r] = beta0 ? beta0[r] : 0.0;
    if (H0) {
        for (int64_t i = 0; i < k * n; i++)
            s->H[i] = fmax(H0[i], pr->eps_h);
        return DESURV_OK;
    }
    return nnls_columns(pr, s->W, s->H);
}

void dsv_normalise_start(const dsv_problem *pr, dsv_state *s)
{
    int64_t p = pr->p, n = pr->n, k = pr->k;
    for (int64_t r = 0; r < k; r++) {
        double nrm = dsv_unit_column(s->W + r * p, p);
        for (int64_t j = 0; j < n; j++)
            s->H[r + j * k] *= nrm;
        s->beta[r] *= nrm;
    }
}
