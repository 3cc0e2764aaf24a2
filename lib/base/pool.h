/* pool.h - run independent tasks on worker threads, reporting progress
 * and honouring cancellation on the calling thread. */
#ifndef DESURV_POOL_H
#define DESURV_POOL_H

#include <stdatomic.h>
#include <stdint.h>

/* Runs task i; returns DESURV_OK or a hard error (which stops the run). */
typedef int (*dsv_task_fn)(void *ctx, int64_t i);
/* Called on the calling thread after each completed task (never
 * concurrently); non-zero cancels. */
typedef int (*dsv_tick_fn)(void *ctx, int64_t done, int64_t total);

/* Run tasks 0 .. ntasks-1 on `threads` threads (the calling thread only
 * coordinates when threads > 1, and works alone when threads = 1).  Tasks
 * are taken in index order; which thread runs which never matters to the
 * caller's results.  *cancel is set when tick cancels or a task fails, and
 * may be polled by running tasks.  When no worker thread can be started the
 * calling thread does all the work.  Returns DESURV_OK, DESURV_E_CANCELLED,
 * or the error of the lowest-indexed failing task. */
int dsv_pool_run(int64_t ntasks, int threads, dsv_task_fn fn, dsv_tick_fn tick, void *ctx,
                 atomic_int *cancel);

#endif
