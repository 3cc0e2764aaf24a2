/* starts.h - the multi-start selection phase, run on worker threads. */
#ifndef DESURV_STARTS_H
#define DESURV_STARTS_H

#include <stdint.h>

#include "fit/fit.h"

typedef struct dsv_start_plan {
    const dsv_problem *pr;
    int init;              /* 0 random, 1 NNDSVD, 2 user */
    uint64_t seed;
    uint64_t stream_base;  /* start i uses random stream stream_base + i */
    int64_t nstarts;
    int64_t imaxit;        /* iterations of the selection phase (0: none) */
    double tol_init;
    int select;            /* 0 lowest loss, 1 highest training C-index */
    const double *W0, *H0, *beta0;   /* init = user */
    const double *time;
    const int32_t *event;
    int threads;
    /* Selection phase in batches (doc/model.md section 11): starts are grouped into
     * consecutive blocks of `batch` and each block runs through
     * dsv_iterate_batch; worker threads take whole blocks, so the blocks
     * (and the numbers) depend on nstarts and batch, never on threads.
     * 0 or 1: one start at a time (dsv_iterate). */
    int64_t batch;
} dsv_start_plan;

/* Initialise and run every start for the selection phase; states must hold
 * plan->nstarts zeroed entries.  On success *best is the chosen start (ties:
 * lowest index); scratch of every state is released.  Returns the error of
 * the lowest-indexed failing start, if any. */
int dsv_run_starts(const dsv_start_plan *plan, dsv_state *states, int64_t *best);

#endif
