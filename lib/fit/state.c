/* state.c - allocation of one start's state (factors + scratch). */
#include "fit/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "desurv/desurv.h"
#include "linalg/nnls_bpp.h"
#include "base/vecops.h"

int dsv_state_alloc(dsv_state *s, const dsv_problem *pr)
{
    memset(s, 0, sizeof *s);
    s->p = pr->p;
    s->n = pr->n;
    s->k = pr->k;
    s->w_mu = 1.0;
    /* W and the W-step trial share one block, [W | W_mm], so that one GEMM
     * gives all the Grams of the W-step's segment. */
    s->W = dsv_dalloc(2 * pr->p * pr->k);
    s->H = dsv_dalloc(pr->k * pr->n);
    s->beta = calloc((size_t)pr->k, sizeof(double));
    s->b = calloc((size_t)pr->p, sizeof(double)); /* stays 0 without offset */
    s->trace_cap = 64;
    s->trace = dsv_dalloc(s->trace_cap);
    s->trace_terms = dsv_dalloc(s->trace_cap * DESURV_TRACE_TERMS);
    if (!s->W || !s->H || !s->beta || !s->b || !s->trace || !s->trace_terms) {
        dsv_state_free(s);
        return DESURV_E_NOMEM;
    }
    return DESURV_OK;
}

int dsv_state_ensure_scratch(dsv_state *s, const dsv_problem *pr)
{
    if (s->Z)
        return DESURV_OK;
    int64_t p = pr->p, n = pr->n, k = pr->k;
    s->Z = dsv_dalloc(n * k);
    s->Zt = dsv_dalloc(n * k);
    s->Wt = s->W + p * k;
    s->WG = dsv_dalloc(p * k);
    s->A = dsv_dalloc(n * (k + 1));
    s->T = dsv_dalloc(p * (k + 1));
    s->WtW = dsv_dalloc(k * k);
    s->HHt = dsv_dalloc(k * k);
    s->G1 = dsv_dalloc(k * k);
    s->G2 = dsv_dalloc(6 * k * k);
    s->eta = dsv_dalloc(n);
    s->grad = dsv_dalloc(n);
    s->zmean = dsv_dalloc(k);
    s->zsd = dsv_dalloc(k);
    s->Zs = dsv_dalloc(n * k);
    s->bwork = dsv_dalloc(4 * k);
    s->coxwork = dsv_dalloc(dsv_cox_work_size(pr->cox, k));
    s->Wp = dsv_dalloc(p * k);
    s->Hp = dsv_dalloc(k * n);
    s->Zp = dsv_dalloc(n * k);
    s->bp = dsv_dalloc(k);
    s->Wtb = calloc((size_t)(3 * k), sizeof *s->Wtb);
    s->hsum = dsv_dalloc(k);
    s->bold = dsv_dalloc(p);
    s->passive = calloc((size_t)(n > 0 ? n : 1), sizeof *s->passive); /* cold start */
    s->hwork = dsv_dalloc(dsv_bpp_work_size(k, n));
    s->hiwork = malloc((size_t)(dsv_bpp_iwork_size(k, n) > 0 ? dsv_bpp_iwork_size(k, n) : 1) *
                       sizeof *s->hiwork);
    s->ext_have = 0;
    if (!s->Z || !s->Zt || !s->WG || !s->A || !s->T || !s->WtW || !s->HHt || !s->G1 || !s->G2 || !s->eta ||
        !s->grad || !s->zmean || !s->zsd || !s->Zs || !s->bwork || !s->coxwork ||
        !s->Wp || !s->Hp || !s->Zp || !s->bp || !s->Wtb || !s->hsum || !s->bold || !s->passive ||
        !s->hwork || !s->hiwork) {
        dsv_state_free_scratch(s);
        return DESURV_E_NOMEM;
    }
    return DESURV_OK;
}

/* Double the capacity of both trace arrays.  A failure leaves the capacity
 * as it was (a block that did grow is kept: it is merely larger). */
static int trace_grow(dsv_state *s)
{
    int64_t cap = s->trace_cap * 2;
    double *t = realloc(s->trace, (size_t)cap * sizeof *t);
    if (!t)
        return DESURV_E_NOMEM;
    s->trace = t;
    t = realloc(s->trace_terms, (size_t)(cap * DESURV_TRACE_TERMS) * sizeof *t);
    if (!t)
        return DESURV_E_NOMEM;
    s->trace_terms = t;
    s->trace_cap = cap;
    return DESURV_OK;
}

int dsv_trace_push(const dsv_problem *pr, dsv_state *s)
{
    if (s->trace_len == s->trace_cap && trace_grow(s) != DESURV_OK)
        return DESURV_E_NOMEM;
    /* With alpha = 0 the blocks leave the Cox fields of s->cur at 0 without
     * evaluating them; NaN says "not computed" rather than a fake value. */
    int cox = pr->alpha > 0;
    double *row = s->trace_terms + s->trace_len * DESURV_TRACE_TERMS;
    row[DESURV_TRACE_REC] = s->cur.rec;
    row[DESURV_TRACE_LOGLIK] = cox ? s->cur.loglik : NAN;
    row[DESURV_TRACE_PEN_BETA] = cox ? s->cur.pen : NAN;
    row[DESURV_TRACE_PEN_H] = s->cur.hpen;
    row[DESURV_TRACE_PEN_W] = s->cur.wpen;
    s->trace[s->trace_len++] = s->cur.loss;
    return DESURV_OK;
}

void dsv_state_free_scratch(dsv_state *s)
{
    double **bufs[] = {&s->Z,   &s->Zt,    &s->WG,  &s->A,  &s->T,
                       &s->WtW, &s->HHt, &s->G1, &s->G2, &s->eta,   &s->grad, &s->zmean, &s->zsd,
                       &s->Zs,  &s->bwork, &s->coxwork, &s->Wp, &s->Hp, &s->Zp, &s->bp,
                       &s->Wtb, &s->hsum, &s->bold, &s->hwork};
    s->Wt = NULL; /* part of the W block */
    free(s->passive), free(s->hiwork);
    s->passive = NULL, s->hiwork = NULL;
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
        free(*bufs[i]);
        *bufs[i] = NULL;
    }
}

void dsv_state_free(dsv_state *s)
{
    if (!s)
        return;
    dsv_state_free_scratch(s);
    free(s->W);
    free(s->H);
    free(s->beta);
    free(s->b);
    free(s->trace);
    free(s->trace_terms);
    s->W = s->H = s->beta = s->b = s->trace = s->trace_terms = NULL;
}
