/* pool.c - a tiny task pool.
 *
 * Workers take the next task index under a mutex and signal each
 * completion; the calling thread sleeps on the condition variable and runs
 * the progress callback between completions, so user callbacks always run
 * on the thread that called into the library.
 */
#include "base/pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "desurv/desurv.h"

typedef struct pool {
    int64_t ntasks, next, done;
    dsv_task_fn fn;
    void *ctx;
    atomic_int *cancel;
    int *status;
    pthread_mutex_t lock;
    pthread_cond_t cond;
} pool;

static int64_t take(pool *pl)
{
    pthread_mutex_lock(&pl->lock);
    int64_t i = atomic_load(pl->cancel) ? pl->ntasks : pl->next;
    if (i < pl->ntasks)
        pl->next++;
    pthread_mutex_unlock(&pl->lock);
    return i;
}

static void *worker(void *arg)
{
    pool *pl = arg;
    for (int64_t i; (i = take(pl)) < pl->ntasks;) {
        int rc = pl->fn(pl->ctx, i);
        pthread_mutex_lock(&pl->lock);
        pl->status[i] = rc;
        if (rc != DESURV_OK)
            atomic_store(pl->cancel, 1);
        pl->done++;
        pthread_cond_signal(&pl->cond);
        pthread_mutex_unlock(&pl->lock);
    }
    pthread_mutex_lock(&pl->lock);
    pthread_cond_signal(&pl->cond); /* wake the coordinator to notice the end */
    pthread_mutex_unlock(&pl->lock);
    return NULL;
}

static void run_inline(pool *pl, dsv_tick_fn tick)
{
    for (int64_t i; (i = take(pl)) < pl->ntasks;) {
        pl->status[i] = pl->fn(pl->ctx, i);
        pl->done++;
        if (pl->status[i] != DESURV_OK || atomic_load(pl->cancel) ||
            (tick && tick(pl->ctx, pl->done, pl->ntasks)))
            atomic_store(pl->cancel, 1);
    }
}

/* Coordinator: report each completion until every started task is done;
 * after a cancellation only wait for the tasks in flight, without calling
 * the user again. */
static void coordinate(pool *pl, dsv_tick_fn tick)
{
    int64_t reported = 0;
    pthread_mutex_lock(&pl->lock);
    for (;;) {
        int64_t issued = pl->next;
        int stopped = atomic_load(pl->cancel);
        if (pl->done == issued && (issued == pl->ntasks || stopped) &&
            (stopped || reported == pl->done))
            break;
        if (!stopped && reported < pl->done) {
            reported++;
            pthread_mutex_unlock(&pl->lock);
            int stop = tick ? tick(pl->ctx, reported, pl->ntasks) : 0;
            pthread_mutex_lock(&pl->lock);
            if (stop)
                atomic_store(pl->cancel, 1);
            continue;
        }
        pthread_cond_wait(&pl->cond, &pl->lock);
    }
    pthread_mutex_unlock(&pl->lock);
}

static int first_error(const pool *pl)
{
    for (int64_t i = 0; i < pl->ntasks; i++)
        if (pl->status[i] != DESURV_OK)
            return pl->status[i];
    return atomic_load(pl->cancel) ? DESURV_E_CANCELLED : DESURV_OK;
}

int dsv_pool_run(int64_t ntasks, int threads, dsv_task_fn fn, dsv_tick_fn tick, void *ctx,
                 atomic_int *cancel)
{
    if (ntasks <= 0)
        return DESURV_OK;
    pool pl = {ntasks, 0, 0, fn, ctx, cancel, calloc((size_t)ntasks, sizeof(int)),
               PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};
    if (!pl.status)
        return DESURV_E_NOMEM;
    int64_t nw = threads < ntasks ? threads : ntasks, started = 0;
    pthread_t *tid = nw > 1 ? calloc((size_t)nw, sizeof *tid) : NULL;
    for (int64_t t = 0; tid && t < nw; t++)
        if (pthread_create(&tid[t], NULL, worker, &pl) == 0)
            started++;
    /* no worker could be started (or one thread asked for): work alone */
    if (started > 0)
        coordinate(&pl, tick);
    else
        run_inline(&pl, tick);
    for (int64_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    int rc = first_error(&pl);
    free(tid), free(pl.status);
    pthread_mutex_destroy(&pl.lock);
    pthread_cond_destroy(&pl.cond);
    return rc;
}
