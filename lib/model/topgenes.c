/* topgenes.c - per-factor top genes and factor-restricted prediction. */
#include "model/topgenes.h"

#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "desurv/desurv.h"
#include "model/model.h"
#include "base/validate.h"

typedef struct scored {
    double s;
    int64_t g;
} scored;

/* Descending score, then ascending gene index: a total order, so the
 * result does not depend on qsort's (unstable) algorithm. */
static int by_score(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->s != y->s)
        return x->s > y->s ? -1 : 1;
    return (x->g > y->g) - (x->g < y->g);
}

int dsv_top_genes(const double *W, int64_t p, int64_t k, int64_t ldw, int64_t ntop,
                  int64_t *idx, double *score)
{
    double *cmax = malloc((size_t)k * sizeof *cmax);
    scored *sc = malloc((size_t)p * sizeof *sc);
    if (!cmax || !sc) {
        free(cmax), free(sc);
        return DESURV_E_NOMEM;
    }
    for (int64_t r = 0; r < k; r++) {
        double mx = 0;
        for (int64_t g = 0; g < p; g++)
            mx = W[g + r * ldw] > mx ? W[g + r * ldw] : mx;
        cmax[r] = mx > 0 ? mx : 1.0; /* an all-zero column scores 0 everywhere */
    }
    for (int64_t r = 0; r < k; r++) {
        for (int64_t g = 0; g < p; g++) {
            double own = W[g + r * ldw] / cmax[r], other = 0;
            int any = 0;
            for (int64_t q = 0; q < k; q++) {
                double v = W[g + q * ldw] / cmax[q];
                if (q != r && (!any || v > other))
                    other = v, any = 1;
            }
            sc[g].s = own - other;
            sc[g].g = g;
        }
        qsort(sc, (size_t)p, sizeof *sc, by_score);
        for (int64_t i = 0; i < ntop; i++) {
            idx[i + r * ntop] = sc[i].g;
            if (score)
                score[i + r * ntop] = sc[i].s;
        }
    }
    free(cmax), free(sc);
    return DESURV_OK;
}

void dsv_predict_restricted(const double *W, int64_t p, int64_t k, const double *beta,
                            const int64_t *idx, int64_t ntop, const double *X, int64_t ldx,
                            int64_t n, double *lp)
{
    if (ntop == 0) {
        double *v = malloc((size_t)p * sizeof *v);
        /* v = W beta, lp = X^T v; without memory fall back to gene-wise sums */
        if (v) {
            cblas_dgemv(CblasColMajor, CblasNoTrans, (int)p, (int)k, 1.0, W, (int)p, beta, 1,
                        0.0, v, 1);
            cblas_dgemv(CblasColMajor, CblasTrans, (int)p, (int)n, 1.0, X, (int)ldx, v, 1, 0.0,
                        lp, 1);
            free(v);
            return;
        }
    }
    for (int64_t j = 0; j < n; j++) {
        double acc = 0;
        for (int64_t r = 0; r < k; r++) {
            double f = 0;
            if (ntop == 0)
                for (int64_t g = 0; g < p; g++)
                    f += X[g + j * ldx] * W[g + r * p];
            else
                for (int64_t i = 0; i < ntop; i++) {
                    int64_t g = idx[i + r * ntop];
                    f += X[g + j * ldx] * W[g + r * p];
                }
            acc += beta[r] * f;
        }
        lp[j] = acc;
    }
}

/* ---- public ----------------------------------------------------------- */

int desurv_model_top_genes(const desurv_model *m, int64_t ntop, int64_t *idx_out,
                           double *score_out)
{
    if (!m || !idx_out)
        return DESURV_E_NULL;
    if (!m->fitted)
        return DESURV_E_NOT_FITTED;
    if (ntop < 1 || ntop > m->p)
        return DESURV_E_DIM;
    return dsv_top_genes(m->W, m->p, m->k, m->p, ntop, idx_out, score_out);
}

int desurv_predict_ntop(const desurv_model *m, const double *X, int64_t p, int64_t n,
                        int64_t ldx, int64_t ntop, double *lp_out)
{
    if (!m || !X || !lp_out)
        return DESURV_E_NULL;
    if (!m->fitted)
        return DESURV_E_NOT_FITTED;
    if (ntop < 0 || ntop > m->p)
        return DESURV_E_DIM;
    if (ntop == 0)
        return desurv_predict(m, X, p, n, ldx, lp_out);
    if (p < 1 || n < 1)
        return DESURV_E_DIM;
    if (p != m->p)
        return DESURV_E_MISMATCH;
    char msg[DSV_ERRMSG_CAP];
    int rc = dsv_check_matrix(msg, sizeof msg, "X", X, p, n, ldx, 0);
    if (rc != DESURV_OK)
        return rc;
    int64_t *idx = malloc((size_t)(ntop * m->k) * sizeof *idx);
    if (!idx)
        return DESURV_E_NOMEM;
    rc = dsv_top_genes(m->W, m->p, m->k, m->p, ntop, idx, NULL);
    if (rc == DESURV_OK)
        dsv_predict_restricted(m->W, m->p, m->k, m->beta, idx, ntop, X, ldx, n, lp_out);
    free(idx);
    return rc;
}
