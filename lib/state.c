/* state.c - allocation of one start's state (factors + scratch). */
#include "fit.h"

#include <stdlib.h>
#include <string.h>

#include "desurv/desurv.h"

static double *dalloc(int64_t count)
{
    return malloc((size_t)(count > 0 ? count : 1) * sizeof(double));
}

int dsv_state_alloc(dsv_state *s, const dsv_problem *pr)
{
    memset(s, 0, sizeof *s);
    s->p = pr->p;
    s->n = pr->n;
    s->k = pr->k;
    /* W and the W-step trial share one block, [W | W_mm], so that one GEMM
     * gives all the Grams of the W-step's segment. */
    s->W = dalloc(2 * pr->p * pr->k);
    s->H = dalloc(pr->k * pr->n);
    s->beta = calloc((size_t)pr->k, sizeof(double));
    s->trace_cap = 64;
    s->trace = dalloc(s->trace_cap);
    if (!s->W || !s->H || !s->beta || !s->trace) {
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
    s->Z = dalloc(n * k);
    s->Zt = dalloc(n * k);
    s->Wt = s->W + p * k;
    s->WG = dalloc(p * k);
    s->A = dalloc(n * (k + 1));
    s->T = dalloc(p * (k + 1));
    s->WtW = dalloc(k * k);
    s->HHt = dalloc(k * k);
    s->G1 = dalloc(k * k);
    s->G2 = dalloc(4 * k * k);
    s->eta = dalloc(n);
    s->grad = dalloc(n);
    s->zmean = dalloc(k);
    s->zsd = dalloc(k);
    s->Zs = dalloc(n * k);
    s->bwork = dalloc(4 * k);
    s->coxwork = dalloc(dsv_cox_work_size(pr->cox, k));
    if (!s->Z || !s->Zt || !s->WG || !s->A || !s->T || !s->WtW || !s->HHt || !s->G1 || !s->G2 || !s->eta ||
        !s->grad || !s->zmean || !s->zsd || !s->Zs || !s->bwork || !s->coxwork) {
        dsv_state_free_scratch(s);
        return DESURV_E_NOMEM;
    }
    return DESURV_OK;
}

int dsv_trace_push(dsv_state *s, double v)
{
    if (s->trace_len == s->trace_cap) {
        int64_t cap = s->trace_cap * 2;
        double *t = realloc(s->trace, (size_t)cap * sizeof *t);
        if (!t)
            return DESURV_E_NOMEM;
        s->trace = t;
        s->trace_cap = cap;
    }
    s->trace[s->trace_len++] = v;
    return DESURV_OK;
}

void dsv_state_free_scratch(dsv_state *s)
{
    double **bufs[] = {&s->Z,   &s->Zt,    &s->WG,  &s->A,  &s->T,
                       &s->WtW, &s->HHt, &s->G1, &s->G2, &s->eta,   &s->grad, &s->zmean, &s->zsd,
                       &s->Zs,  &s->bwork, &s->coxwork};
    s->Wt = NULL; /* part of the W block */
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
    free(s->trace);
    s->W = s->H = s->beta = s->trace = NULL;
}
