/* starts.c - the multi-start selection phase.
 *
 * Starts are independent tasks; workers take the next task index from a
 * shared counter.  A task is one start, or with plan->batch > 1 a block of
 * consecutive starts advanced together (dsv_iterate_batch).  Each start owns
 * its random stream and its state, and the blocks are fixed by nstarts and
 * batch alone, so the result does not depend on the number of threads or on
 * the schedule.
 */
#include "fit/starts.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include <cblas.h>

#include "fit/batch.h"
#include "surv/cindex.h"
#include "desurv/desurv.h"
#include "base/vecops.h"

typedef struct start_pool {
    const dsv_start_plan *plan;
    dsv_state *states;
    int *status;
    int64_t next;       /* next task */
    int64_t block;      /* starts per task */
    pthread_mutex_t lock;
} start_pool;

static int init_state(const dsv_start_plan *pl, dsv_state *s, int64_t i)
{
    const dsv_problem *pr = pl->pr;
    int rc = dsv_state_alloc(s, pr);
    if (rc != DESURV_OK)
        return rc;
    switch (pl->init) {
    case 1:
        return dsv_init_nndsvd(pr, s);
    case 2:
        return dsv_init_user(pr, s, pl->W0, pl->H0, pl->beta0);
    default:
        dsv_init_random(pr, s, pl->seed, pl->stream_base + (uint64_t)i);
        return DESURV_OK;
    }
}

static int selection_cindex(const dsv_start_plan *pl, dsv_state *s)
{
    const dsv_problem *pr = pl->pr;
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)pr->n, (int)pr->k, 1.0, s->Z, (int)pr->n,
                s->beta, 1, 0.0, s->eta, 1);
    return dsv_cindex(pl->time, pl->event, s->eta, pr->n, &s->sel_cindex, NULL, NULL, NULL);
}

/* A start ready to iterate: initialised, unit-norm W, scratch, loss. */
static int prepare(const dsv_start_plan *pl, dsv_state *s, int64_t i)
{
    int rc = init_state(pl, s, i);
    if (rc == DESURV_OK)
        dsv_normalise_start(pl->pr, s);
    if (rc == DESURV_OK)
        rc = dsv_state_ensure_scratch(s, pl->pr);
    if (rc == DESURV_OK)
        rc = dsv_refresh(pl->pr, s);
    return rc;
}

static int run_one(const dsv_start_plan *pl, dsv_state *s, int64_t i)
{
    int rc = prepare(pl, s, i);
    if (rc == DESURV_OK && pl->imaxit > 0)
        rc = dsv_iterate(pl->pr, s, pl->imaxit, pl->tol_init);
    if (rc == DESURV_OK && pl->select == 1)
        rc = selection_cindex(pl, s);
    dsv_state_free_scratch(s);
    return rc;
}

/* Starts i0 .. i1-1 as run_one would run them, with the selection-phase
 * iterations of those that set up successfully advanced together. */
static void run_block(const dsv_start_plan *pl, dsv_state *states, int *status, int64_t i0,
                      int64_t i1)
{
    dsv_state **ready = malloc((size_t)(i1 - i0) * sizeof *ready);
    int *rs = malloc((size_t)(i1 - i0) * sizeof *rs);
    int64_t *idx = malloc((size_t)(i1 - i0) * sizeof *idx), nr = 0;
    for (int64_t i = i0; i < i1; i++) {
        status[i] = ready && rs && idx ? prepare(pl, &states[i], i) : DESURV_E_NOMEM;
        if (status[i] == DESURV_OK)
            ready[nr] = &states[i], idx[nr++] = i;
    }
    if (nr > 0 && pl->imaxit > 0) {
        dsv_iterate_batch_ptr(pl->pr, ready, nr, pl->imaxit, pl->tol_init, rs);
        for (int64_t r = 0; r < nr; r++)
            status[idx[r]] = rs[r];
    }
    for (int64_t r = 0; r < nr; r++)
        if (status[idx[r]] == DESURV_OK && pl->select == 1)
            status[idx[r]] = selection_cindex(pl, ready[r]);
    for (int64_t i = i0; i < i1; i++)
        dsv_state_free_scratch(&states[i]);
    free(ready), free(rs), free(idx);
}

static void *worker(void *arg)
{
    start_pool *pool = arg;
    const dsv_start_plan *pl = pool->plan;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        int64_t t = pool->next++;
        pthread_mutex_unlock(&pool->lock);
        if (t * pool->block >= pl->nstarts)
            break;
        if (pool->block == 1) {
            pool->status[t] = run_one(pl, &pool->states[t], t);
            continue;
        }
        int64_t i0 = t * pool->block, i1 = i0 + pool->block;
        run_block(pl, pool->states, pool->status, i0, i1 < pl->nstarts ? i1 : pl->nstarts);
    }
    return NULL;
}

/* Starts per task: 1, or plan->batch capped at nstarts (so the task
 * arithmetic cannot overflow). */
static int64_t task_size(const dsv_start_plan *pl)
{
    if (pl->batch <= 1 || pl->nstarts <= 1)
        return 1;
    return pl->batch < pl->nstarts ? pl->batch : pl->nstarts;
}

static int64_t choose(const dsv_start_plan *pl, const dsv_state *st)
{
    int64_t best = 0;
    for (int64_t i = 1; i < pl->nstarts; i++) {
        int better = pl->select == 1
                         ? st[i].sel_cindex > st[best].sel_cindex ||
                               (isnan(st[best].sel_cindex) && !isnan(st[i].sel_cindex))
                         : st[i].cur.loss < st[best].cur.loss;
        if (better)
            best = i;
    }
    return best;
}

int dsv_run_starts(const dsv_start_plan *pl, dsv_state *states, int64_t *best)
{
    int *status = calloc((size_t)pl->nstarts, sizeof *status);
    if (!status)
        return DESURV_E_NOMEM;
    int64_t block = task_size(pl);
    start_pool pool = {pl, states, status, 0, block, PTHREAD_MUTEX_INITIALIZER};
    int64_t ntasks = (pl->nstarts + block - 1) / block;
    int64_t nthreads = pl->threads < ntasks ? pl->threads : ntasks;
    pthread_t *tid = calloc((size_t)(nthreads > 1 ? nthreads - 1 : 1), sizeof *tid);
    int64_t started = 0;
    int rc = tid ? DESURV_OK : DESURV_E_NOMEM;
    /* The calling thread is one of the workers. */
    for (int64_t t = 0; rc == DESURV_OK && t + 1 < nthreads; t++) {
        if (pthread_create(&tid[t], NULL, worker, &pool) != 0)
            break; /* fewer helpers: the remaining workers still do every start */
        started++;
    }
    if (rc == DESURV_OK)
        worker(&pool);
    for (int64_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    for (int64_t i = 0; rc == DESURV_OK && i < pl->nstarts; i++)
        if (status[i] != DESURV_OK)
            rc = status[i];
    if (rc == DESURV_OK)
        *best = choose(pl, states);
    free(status);
    free(tid);
    pthread_mutex_destroy(&pool.lock);
    return rc;
}
