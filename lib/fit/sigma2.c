/* sigma2.c - the reconstruction scale sigma2 and leading singular pairs.
 *
 * sigma2 = ||X - X_k||_F^2 / (n p) needs only the k largest singular values
 * of X, i.e. the k largest eigenvalues of the smaller Gram matrix (X^T X or
 * X X^T), which LAPACK's dsyevr computes to high relative accuracy for the
 * leading part.  The same decomposition gives NNDSVD its singular vectors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "desurv/desurv.h"
#include "fit/fit.h"

/* Scale column j of A (rows x cols, ld rows) by 1/s[j] (0 where s[j] = 0). */
static void scale_cols(double *A, int64_t rows, int64_t cols, const double *s)
{
    for (int64_t j = 0; j < cols; j++) {
        double f = s[j] > 0 ? 1.0 / s[j] : 0.0;
        for (int64_t i = 0; i < rows; i++)
            A[i + j * rows] *= f;
    }
}

int dsv_topk_gram(const double *X, int64_t p, int64_t n, int64_t ldx, int64_t k, double *ev,
                  double *U, double *V)
{
    int tall = n <= p; /* Gram of the smaller side: X^T X when n <= p */
    int64_t m = tall ? n : p;
    int want = U || V;
    double *G = malloc((size_t)(m * m) * sizeof *G);
    double *E = malloc((size_t)(m * k) * sizeof *E);
    double *w = malloc((size_t)m * sizeof *w);
    lapack_int *supp = malloc((size_t)(2 * k) * sizeof *supp);
    if (!G || !E || !w || !supp) {
        free(G), free(E), free(w), free(supp);
        return DESURV_E_NOMEM;
    }
    cblas_dsyrk(CblasColMajor, CblasUpper, tall ? CblasTrans : CblasNoTrans, (int)m,
                (int)(tall ? p : n), 1.0, X, (int)ldx, 0.0, G, (int)m);
    lapack_int found = 0;
    lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, want ? 'V' : 'N', 'I', 'U', (lapack_int)m,
                                     G, (lapack_int)m, 0.0, 0.0, (lapack_int)(m - k + 1),
                                     (lapack_int)m, LAPACKE_dlamch('S'), &found, w, E,
                                     (lapack_int)m, supp);
    int rc = (info != 0 || found != k) ? DESURV_E_LAPACK : DESURV_OK;
    if (rc == DESURV_OK) {
        /* dsyevr returns ascending order; we want the largest first. */
        for (int64_t j = 0; j < k; j++)
            ev[j] = fmax(w[k - 1 - j], 0.0);
        if (want) {
            double *sv = w; /* reuse: singular values, descending */
            double *left = tall ? V : U, *right = tall ? U : V;
            for (int64_t j = 0; j < k; j++) {
                sv[j] = sqrt(ev[j]);
                for (int64_t i = 0; i < m; i++)
                    left[i + j * m] = E[i + (k - 1 - j) * m];
            }
            /* The other side's vectors: X v / s (or X^T u / s). */
            cblas_dgemm(CblasColMajor, tall ? CblasNoTrans : CblasTrans, CblasNoTrans,
                        (int)(tall ? p : n), (int)k, (int)m, 1.0, X, (int)ldx, left, (int)m, 0.0,
                        right, (int)(tall ? p : n));
            scale_cols(right, tall ? p : n, k, sv);
        }
    }
    free(G), free(E), free(w), free(supp);
    return rc;
}

/* Eigenvalues il..m (1-based, ascending) of the symmetric m x m matrix G
 * (destroyed), written to w. */
static int top_eigs(double *G, int64_t m, int64_t count, double *w)
{
    lapack_int found = 0, *supp = malloc((size_t)(2 * count) * sizeof *supp);
    double z[1];
    if (!supp)
        return DESURV_E_NOMEM;
    lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'N', 'I', 'U', (lapack_int)m, G,
                                     (lapack_int)m, 0.0, 0.0, (lapack_int)(m - count + 1),
                                     (lapack_int)m, LAPACKE_dlamch('S'), &found, w, z, 1, supp);
    free(supp);
    return (info != 0 || found != count) ? DESURV_E_LAPACK : DESURV_OK;
}

/* Centre the Gram matrix so that its top eigenvalue is that of Xc Xc^T,
 * Xc = X with each gene centred across samples: P (X^T X) P when the Gram
 * is X^T X (n <= p), X X^T - m m^T / n (m = row sums) otherwise. */
static void centre_gram(const double *X, int64_t p, int64_t n, int64_t ldx, double *G, int tall,
                        double *v)
{
    int64_t m = tall ? n : p;
    if (tall) {
        double all = 0;
        for (int64_t j = 0; j < m; j++) {
            double acc = 0;
            for (int64_t i = 0; i < m; i++)
                acc += G[i + j * m];
            v[j] = acc / (double)m;
            all += acc;
        }
        all /= (double)m * (double)m;
        for (int64_t j = 0; j < m; j++)
            for (int64_t i = 0; i < m; i++)
                G[i + j * m] += all - v[i] - v[j];
        return;
    }
    for (int64_t i = 0; i < m; i++) {
        double acc = 0;
        for (int64_t j = 0; j < n; j++)
            acc += X[i + j * ldx];
        v[i] = acc;
    }
    for (int64_t j = 0; j < m; j++)
        for (int64_t i = 0; i < m; i++)
            G[i + j * m] -= v[i] * v[j] / (double)n;
}

/* sigma2 (doc/model.md section 3) and the top eigenvalue of the gene-centred Gram,
 * from one Gram matrix of the smaller side (either output may be NULL).
 * The Cox term is blind to a common shift of eta, so only the centred part
 * of X^T dW beta costs curvature in the W-step; for expression data, whose
 * genes sit on large baselines, xc_top is orders of magnitude below
 * ||X||_2^2.  centred != 0: sigma2 is that of the row-centred X (the model
 * with a per-gene offset reconstructs X - b 1^T), xnorm2 = ||Xc||_F^2; both
 * outputs then come from the one centred Gram. */
static int data_scales(const double *X, int64_t p, int64_t n, int64_t ldx, int64_t k,
                       double xnorm2, int centred, double *sigma2, double *xc_top)
{
    int tall = n <= p;
    int64_t m = tall ? n : p;
    int copy = xc_top && sigma2; /* dsyevr destroys the Gram it is given */
    double *G = malloc((size_t)(m * m) * sizeof *G);
    double *C = copy ? malloc((size_t)(m * m) * sizeof *C) : NULL;
    double *w = malloc((size_t)(m + 1) * sizeof *w);
    int rc = (G && w && (C || !copy)) ? DESURV_OK : DESURV_E_NOMEM;
    if (rc == DESURV_OK) {
        /* both triangles: the centring below needs the full matrix */
        cblas_dgemm(CblasColMajor, tall ? CblasTrans : CblasNoTrans,
                    tall ? CblasNoTrans : CblasTrans, (int)m, (int)m, (int)(tall ? p : n), 1.0, X,
                    (int)ldx, X, (int)ldx, 0.0, G, (int)m);
        if (centred)
            centre_gram(X, p, n, ldx, G, tall, w);
        if (C)
            memcpy(C, G, (size_t)(m * m) * sizeof *C);
    }
    if (rc == DESURV_OK && sigma2 && (rc = top_eigs(G, m, k, w)) == DESURV_OK) {
        double top = 0;
        for (int64_t j = 0; j < k; j++)
            top += fmax(w[j], 0.0);
        double np = (double)n * (double)p;
        *sigma2 = fmax((xnorm2 - top) / np, 1e-12 * xnorm2 / np);
    }
    if (rc == DESURV_OK && xc_top) {
        double *Cc = C ? C : G;
        if (!centred)
            centre_gram(X, p, n, ldx, Cc, tall, w);
        if ((rc = top_eigs(Cc, m, 1, w)) == DESURV_OK)
            *xc_top = fmax(w[0], 0.0);
    }
    free(G), free(C), free(w);
    return rc;
}

int dsv_data_scales(const double *X, int64_t p, int64_t n, int64_t ldx, int64_t k,
                    double xnorm2, double *sigma2, double *xc_top)
{
    return data_scales(X, p, n, ldx, k, xnorm2, 0, sigma2, xc_top);
}

int dsv_data_scales_centred(const double *X, int64_t p, int64_t n, int64_t ldx, int64_t k,
                            double xcnorm2, double *sigma2, double *xc_top)
{
    return data_scales(X, p, n, ldx, k, xcnorm2, 1, sigma2, xc_top);
}
