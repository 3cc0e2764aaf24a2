/* model.c - handle lifecycle, user-supplied starts, getters, prediction. */
#include <cblas.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "base/validate.h"

/* Rows of X handled per GEMV in desurv_predict.  Working in row blocks
 * keeps W beta on the stack, so prediction allocates nothing and cannot
 * fail for lack of memory; 512 doubles (4 KiB) keep each block's slice of
 * a column contiguous enough for the BLAS to stream. */
#define PREDICT_BLOCK 512

int desurv_model_new(desurv_model **out)
{
    if (!out)
        return DESURV_E_NULL;
    /* calloc: every pointer NULL, fitted 0, errmsg "" */
    desurv_model *m = calloc(1, sizeof *m);
    *out = m;
    if (!m)
        return DESURV_E_NOMEM;
    dsv_options_default(m->opt);
    return DESURV_OK;
}

static void clear_start(desurv_model *m)
{
    free(m->W0);
    free(m->H0);
    free(m->beta0);
    m->W0 = m->H0 = m->beta0 = NULL;
    m->W0_p = m->W0_k = m->H0_n = 0;
}

void desurv_model_free(desurv_model *m)
{
    if (!m)
        return;
    clear_start(m);
    free(m->W);
    free(m->H);
    free(m->beta);
    free(m->b);
    free(m->zmean);
    free(m->zsd);
    free(m->trace);
    free(m->trace_terms);
    dsv_annot_free(m);
    free(m);
}

/* Tight (ld = rows) copy of a validated matrix, or NULL when out of memory.
 * rows * cols <= 2^62 after validation, but the byte count can still exceed
 * size_t, hence the explicit guard instead of trusting malloc to fail. */
static double *copy_matrix(const double *A, int64_t rows, int64_t cols, int64_t ld)
{
    uint64_t count = (uint64_t)rows * (uint64_t)cols;
    if (count > SIZE_MAX / sizeof(double))
        return NULL;
    double *c = malloc((size_t)count * sizeof *c);
    if (!c)
        return NULL;
    for (int64_t j = 0; j < cols; j++)
        memcpy(c + j * rows, A + j * ld, (size_t)rows * sizeof *c);
    return c;
}

static int check_start(desurv_model *m, const double *W0, int64_t p, int64_t k, int64_t ldw,
                       const double *H0, int64_t n, int64_t ldh, const double *beta0)
{
    char *msg = m->errmsg;
    size_t cap = sizeof m->errmsg;
    int rc = dsv_check_matrix(msg, cap, "W0", W0, p, k, ldw, 1);
    if (rc == DESURV_OK && H0)
        rc = dsv_check_matrix(msg, cap, "H0", H0, k, n, ldh, 1);
    /* beta0 may be negative: it is a Cox coefficient. */
    if (rc == DESURV_OK && beta0)
        rc = dsv_check_finite(msg, cap, "beta0", beta0, k);
    return rc;
}

int desurv_set_init(desurv_model *m, const double *W0, int64_t p, int64_t k, int64_t ldw,
                    const double *H0, int64_t n, int64_t ldh, const double *beta0)
{
    if (!m)
        return DESURV_E_NULL;
    if (!W0) {
        clear_start(m);
        return DESURV_OK;
    }
    int rc = check_start(m, W0, p, k, ldw, H0, n, ldh, beta0);
    if (rc != DESURV_OK)
        return rc;
    /* Copy everything before touching m, so a failure keeps the old start. */
    double *w = copy_matrix(W0, p, k, ldw);
    double *h = H0 ? copy_matrix(H0, k, n, ldh) : NULL;
    double *b = beta0 ? copy_matrix(beta0, k, 1, k) : NULL;
    if (!w || (H0 && !h) || (beta0 && !b)) {
        free(w);
        free(h);
        free(b);
        return dsv_fail(m, DESURV_E_NOMEM, "no memory to copy the initial factors");
    }
    clear_start(m);
    m->W0 = w;
    m->H0 = h;
    m->beta0 = b;
    m->W0_p = p;
    m->W0_k = k;
    m->H0_n = H0 ? n : 0;
    return DESURV_OK;
}

/* Common gate of the getters: they are const, so nothing is recorded. */
static int fitted_or_error(const desurv_model *m)
{
    if (!m)
        return DESURV_E_NULL;
    return m->fitted ? DESURV_OK : DESURV_E_NOT_FITTED;
}

int desurv_model_dims(const desurv_model *m, int64_t *p, int64_t *n, int64_t *k)
{
    int rc = fitted_or_error(m);
    if (rc != DESURV_OK)
        return rc;
    if (p)
        *p = m->p;
    if (n)
        *n = m->n;
    if (k)
        *k = m->k;
    return DESURV_OK;
}

/* Copy a rows x cols matrix stored with ld = rows into out with ld_out. */
static int copy_out(const double *A, int64_t rows, int64_t cols, double *out, int64_t ld_out)
{
    if (ld_out < rows)
        return DESURV_E_LD;
    for (int64_t j = 0; j < cols; j++)
        memcpy(out + j * ld_out, A + j * rows, (size_t)rows * sizeof *out);
    return DESURV_OK;
}

int desurv_model_W(const desurv_model *m, double *out, int64_t ld)
{
    int rc = out ? fitted_or_error(m) : DESURV_E_NULL;
    return rc != DESURV_OK ? rc : copy_out(m->W, m->p, m->k, out, ld);
}

int desurv_model_H(const desurv_model *m, double *out, int64_t ld)
{
    int rc = out ? fitted_or_error(m) : DESURV_E_NULL;
    return rc != DESURV_OK ? rc : copy_out(m->H, m->k, m->n, out, ld);
}

int desurv_model_beta(const desurv_model *m, double *out)
{
    int rc = out ? fitted_or_error(m) : DESURV_E_NULL;
    return rc != DESURV_OK ? rc : copy_out(m->beta, m->k, 1, out, m->k);
}

int desurv_model_offset(const desurv_model *m, double *out)
{
    int rc = out ? fitted_or_error(m) : DESURV_E_NULL;
    if (rc != DESURV_OK)
        return rc;
    if (!m->b) {
        memset(out, 0, (size_t)m->p * sizeof *out);
        return DESURV_OK;
    }
    return copy_out(m->b, m->p, 1, out, m->p);
}

int desurv_model_stat(const desurv_model *m, desurv_stat what, double *value)
{
    if (!m || !value)
        return DESURV_E_NULL;
    /* Unsigned compare also rejects negative identifiers. */
    if ((unsigned)what >= (unsigned)DESURV_STAT_COUNT)
        return DESURV_E_OPTION;
    if (!m->fitted)
        return DESURV_E_NOT_FITTED;
    *value = m->stat[what];
    return DESURV_OK;
}

int desurv_model_trace(const desurv_model *m, double *loss_out, int64_t cap, int64_t *len)
{
    if (!len)
        return DESURV_E_NULL;
    int rc = fitted_or_error(m);
    if (rc != DESURV_OK)
        return rc;
    *len = m->trace_len;
    if (!loss_out)
        return DESURV_OK;
    int64_t count = cap < m->trace_len ? (cap > 0 ? cap : 0) : m->trace_len;
    if (count > 0)
        memcpy(loss_out, m->trace, (size_t)count * sizeof *loss_out);
    return count < m->trace_len ? DESURV_E_BUFFER : DESURV_OK;
}

int desurv_model_trace_terms(const desurv_model *m, double *out, int64_t ldo, int64_t cap,
                             int64_t *len)
{
    if (!len)
        return DESURV_E_NULL;
    int rc = fitted_or_error(m);
    if (rc != DESURV_OK)
        return rc;
    int64_t rows = m->trace_terms ? m->trace_len : 0;
    *len = rows;
    if (!out)
        return DESURV_OK;
    if (ldo < 1 || ldo < cap)
        return DESURV_E_LD;
    int64_t count = cap < rows ? (cap > 0 ? cap : 0) : rows;
    /* stored entry-major (appended per iteration); the caller gets columns */
    for (int64_t i = 0; i < count; i++)
        for (int64_t j = 0; j < DESURV_TRACE_TERMS; j++)
            out[i + j * ldo] = m->trace_terms[i * DESURV_TRACE_TERMS + j];
    return count < rows ? DESURV_E_BUFFER : DESURV_OK;
}

/* Argument checks of desurv_predict.  The handle is const (predict must be
 * callable from several threads on one model), so the detailed message goes
 * to a scratch buffer and is dropped. */
static int check_predict(const desurv_model *m, const double *X, int64_t p, int64_t n,
                         int64_t ldx, const double *lp_out)
{
    if (!m || !X || !lp_out)
        return DESURV_E_NULL;
    if (!m->fitted)
        return DESURV_E_NOT_FITTED;
    if (p < 1 || n < 1)
        return DESURV_E_DIM;
    if (p != m->p)
        return DESURV_E_MISMATCH;
    char msg[DSV_ERRMSG_CAP];
    /* New data may be negative (e.g. centred or log-ratios): only the
     * finiteness of the linear predictor matters. */
    return dsv_check_matrix(msg, sizeof msg, "X", X, p, n, ldx, 0);
}

int desurv_predict(const desurv_model *m, const double *X, int64_t p, int64_t n, int64_t ldx,
                   double *lp_out)
{
    int rc = check_predict(m, X, p, n, ldx, lp_out);
    if (rc != DESURV_OK)
        return rc;
    /* lp = X^T (W beta), accumulated over row blocks of X: the first block
     * overwrites lp_out (BLAS beta = 0 never reads it), later ones add. */
    double v[PREDICT_BLOCK];
    for (int64_t i0 = 0; i0 < p; i0 += PREDICT_BLOCK) {
        int nb = (int)(p - i0 < PREDICT_BLOCK ? p - i0 : PREDICT_BLOCK);
        cblas_dgemv(CblasColMajor, CblasNoTrans, nb, (int)m->k, 1.0, m->W + i0, (int)m->p,
                    m->beta, 1, 0.0, v, 1);
        cblas_dgemv(CblasColMajor, CblasTrans, nb, (int)n, 1.0, X + i0, (int)ldx, v, 1,
                    i0 == 0 ? 0.0 : 1.0, lp_out, 1);
    }
    return DESURV_OK;
}

int desurv_set_progress(desurv_model *m, desurv_progress_fn fn, void *user_data)
{
    if (!m)
        return DESURV_E_NULL;
    m->progress = fn;
    m->progress_user = fn ? user_data : NULL;
    return DESURV_OK;
}
