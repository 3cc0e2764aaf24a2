/* blasinfo.h - what the linked BLAS tells about its own threading. */
#ifndef DESURV_BLASINFO_H
#define DESURV_BLASINFO_H

/* Threads the BLAS runs per call, when it says (OpenBLAS); 1 otherwise. */
int dsv_blas_threads(void);

/* The worker threads to use for `wanted` independent tasks: 1 when the
 * BLAS is itself multi-threaded (worker threads calling a threaded BLAS
 * oversubscribe the cores: measured 5x slower on 2 cores), else wanted. */
int dsv_worker_threads(int wanted);

#endif
