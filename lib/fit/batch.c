/* batch.c - batched multi-start (doc/model.md section 11).
 *
 * In one outer iteration the only products with X are the W-step's T = X A
 * and Z_mm = X^T W_mm (lib/fit/wstep.c; the H-step reads Z^T = W^T X, the loss
 * and the beta-step need only Z).  For a single start these are skinny
 * GEMMs with k columns; here the active states put their k columns side by
 * side and each product becomes one GEMM with k * nactive columns.  All the
 * rest of the iteration (H-step, Cox gradient, MM update, line search,
 * beta-step, convergence test) runs per state, in the order dsv_iterate()
 * runs it, on the same code.  So every state follows exactly the arithmetic
 * of dsv_iterate() on it alone, except that its columns of the two products
 * come out of a wider GEMM: with the reference BLAS those columns are
 * bitwise the same, with OpenBLAS they may differ in the last bits (see
 * doc/algorithm.md, "Batched multi-start").
 *
 * Slots: the state at position a of the active list owns columns
 * [a k, (a + 1) k) of the wide operands during one iteration.  A state that
 * fails mid-iteration keeps its (zeroed) slot until the iteration ends;
 * states that failed, converged or reached maxit leave the list then.
 */
#include "fit/batch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "desurv/desurv.h"
#include "base/validate.h"
#include "base/vecops.h"

typedef struct batch_run {
    const dsv_problem *pr;
    dsv_state *const *st;
    int *status;            /* per state */
    double *prev, *tmax;    /* per state: loss before the iteration, t_max of its W-step */
    int64_t *act, nact;     /* active states (indices into st), in index order */
    double *A, *T;          /* n x (k m) right-hand sides, p x (k m) X A */
    double *Wmm, *Zmm;      /* p x (k m) MM points, n x (k m) X^T W_mm */
    int64_t maxit;
    double tol;
} batch_run;

static void run_free(batch_run *b)
{
    free(b->prev), free(b->tmax), free(b->act);
    free(b->A), free(b->T), free(b->Wmm), free(b->Zmm);
}

static int run_alloc(batch_run *b, int64_t m)
{
    int64_t p = b->pr->p, n = b->pr->n, k = b->pr->k;
    b->prev = dsv_dalloc(m), b->tmax = dsv_dalloc(m);
    b->act = malloc((size_t)m * sizeof *b->act);
    b->A = dsv_dalloc(n * k * m), b->T = dsv_dalloc(p * k * m);
    b->Wmm = dsv_dalloc(p * k * m), b->Zmm = dsv_dalloc(n * k * m);
    if (!b->prev || !b->tmax || !b->act || !b->A || !b->T || !b->Wmm || !b->Zmm) {
        run_free(b);
        return DESURV_E_NOMEM;
    }
    return DESURV_OK;
}

/* Before the first product: dsv_iterate()'s cancellation check, the H-step
 * and the W-step's right-hand side. */
static void phase_rhs(batch_run *b)
{
    int64_t nk = b->pr->n * b->pr->k;
    for (int64_t a = 0; a < b->nact; a++) {
        int64_t i = b->act[a];
        dsv_state *s = b->st[i];
        double *A = b->A + a * nk;
        b->prev[i] = s->cur.loss;
        int rc = dsv_check_stop(b->pr, s->iters, s->cur.loss);
        if (rc == DESURV_OK)
            rc = dsv_h_step(b->pr, s);
        if (rc == DESURV_OK)
            rc = dsv_w_step_rhs(b->pr, s, A);
        if (rc != DESURV_OK) {
            b->status[i] = rc;
            memset(A, 0, (size_t)nk * sizeof *A); /* its slot still enters the product */
        }
    }
}

/* Between the products: the MM point, written into the state and its slot. */
static void phase_mm(batch_run *b)
{
    int64_t pk = b->pr->p * b->pr->k;
    for (int64_t a = 0; a < b->nact; a++) {
        int64_t i = b->act[a];
        double *Wmm = b->Wmm + a * pk;
        if (b->status[i] != DESURV_OK) {
            memset(Wmm, 0, (size_t)pk * sizeof *Wmm);
            continue;
        }
        b->tmax[i] = dsv_w_step_mm(b->pr, b->st[i], b->T + a * pk, Wmm);
    }
}

/* dsv_iterate()'s bookkeeping after the three blocks, in its order (count,
 * trace, convergence test; the test runs even if the trace could not grow). */
static int end_iteration(const batch_run *b, dsv_state *s, double prev)
{
    s->iters++;
    int rc = dsv_trace_push(b->pr, s);
    double rel = (prev - s->cur.loss) / fmax(fabs(prev), 1e-300);
    if (rel < b->tol)
        s->converged = 1;
    return rc;
}

/* After the second product: the line search, the beta-step, the test. */
static void phase_finish(batch_run *b)
{
    int64_t nk = b->pr->n * b->pr->k;
    for (int64_t a = 0; a < b->nact; a++) {
        int64_t i = b->act[a];
        dsv_state *s = b->st[i];
        if (b->status[i] != DESURV_OK)
            continue;
        int rc = dsv_w_step_finish(b->pr, s, b->Zmm + a * nk, b->tmax[i]);
        if (rc == DESURV_OK && b->pr->alpha > 0)
            rc = dsv_beta_step(b->pr, s, b->pr->beta_maxit);
        if (rc == DESURV_OK && b->pr->extrapolate)
            rc = dsv_extrapolate(b->pr, s);
        if (rc == DESURV_OK)
            rc = end_iteration(b, s, b->prev[i]);
        b->status[i] = rc;
    }
}

/* Keep the states that go on, in order: the composition of every later
 * product depends only on which states are still running. */
static void compact(batch_run *b)
{
    int64_t kept = 0;
    for (int64_t a = 0; a < b->nact; a++) {
        int64_t i = b->act[a];
        const dsv_state *s = b->st[i];
        if (b->status[i] == DESURV_OK && !s->converged && s->iters < b->maxit)
            b->act[kept++] = i;
    }
    b->nact = kept;
}

/* As dsv_iterate() does on entry: reset the flag, record the start. */
static void enter(batch_run *b, int64_t m)
{
    b->nact = 0;
    for (int64_t i = 0; i < m; i++) {
        dsv_state *s = b->st[i];
        s->converged = 0;
        b->status[i] = s->trace_len == 0 ? dsv_trace_push(b->pr, s) : DESURV_OK;
        if (b->status[i] == DESURV_OK && s->iters < b->maxit)
            b->act[b->nact++] = i;
    }
}

/* At most DSV_BLAS_INT_MAX / k states, so that k m fits a BLAS int. */
static void iterate_chunk(batch_run *b, int64_t m)
{
    enter(b, m);
    while (b->nact > 0) {
        int64_t width = b->nact * b->pr->k;
        phase_rhs(b);
        dsv_x_times(b->pr, b->A, width, b->T);
        phase_mm(b);
        dsv_xt_times(b->pr, b->Wmm, width, b->Zmm);
        phase_finish(b);
        compact(b);
    }
}

int dsv_iterate_batch_ptr(const dsv_problem *pr, dsv_state *const *states, int64_t nstates,
                          int64_t maxit, double tol, int *status)
{
    int64_t chunk = DSV_BLAS_INT_MAX / (pr->k > 0 ? pr->k : 1);
    chunk = nstates < chunk ? nstates : chunk;
    batch_run b = {.pr = pr, .maxit = maxit, .tol = tol};
    if (nstates > 0 && run_alloc(&b, chunk) != DESURV_OK) {
        for (int64_t i = 0; i < nstates; i++)
            status[i] = DESURV_E_NOMEM;
        return DESURV_E_NOMEM;
    }
    for (int64_t i0 = 0; i0 < nstates; i0 += chunk) {
        int64_t m = nstates - i0 < chunk ? nstates - i0 : chunk;
        b.st = states + i0;
        b.status = status + i0;
        iterate_chunk(&b, m);
    }
    if (nstates > 0)
        run_free(&b);
    for (int64_t i = 0; i < nstates; i++)
        if (status[i] != DESURV_OK)
            return status[i];
    return DESURV_OK;
}

int dsv_iterate_batch(const dsv_problem *pr, dsv_state *states, int64_t nstates, int64_t maxit,
                      double tol)
{
    if (nstates <= 0)
        return DESURV_OK;
    dsv_state **ptr = malloc((size_t)nstates * sizeof *ptr);
    int *status = malloc((size_t)nstates * sizeof *status);
    int rc = ptr && status ? DESURV_OK : DESURV_E_NOMEM;
    for (int64_t i = 0; rc == DESURV_OK && i < nstates; i++)
        ptr[i] = &states[i];
    if (rc == DESURV_OK)
        rc = dsv_iterate_batch_ptr(pr, ptr, nstates, maxit, tol, status);
    free(ptr), free(status);
    return rc;
}
