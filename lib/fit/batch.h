/* batch.h - batched multi-start (doc/model.md section 11): the starts of one fit
 * share X, so advancing them together turns the two skinny products of each
 * start's W-step, X A (A = the gradient's right-hand side, built from H^T)
 * and X^T W_mm, into one wide GEMM each over all of them.  Each start keeps
 * its own convergence test and line search; finished starts leave the
 * batch.  The result of every start is that of dsv_iterate() on it alone:
 * bit for bit with the reference BLAS; with OpenBLAS the wide GEMM may round
 * a start's columns differently in the last bit (doc/algorithm.md,
 * "Batched multi-start").
 */
#ifndef DESURV_BATCH_H
#define DESURV_BATCH_H

#include <stdint.h>

#include "fit/fit.h"

/* Advance states[0..nstates-1] (each allocated, with scratch, refreshed) as
 * dsv_iterate(pr, &states[i], maxit, tol) would, but together.  Returns the
 * error of the lowest-indexed failing state, if any. */
int dsv_iterate_batch(const dsv_problem *pr, dsv_state *states, int64_t nstates, int64_t maxit,
                      double tol);

/* The same for states reached through pointers (they need not be
 * adjacent), with the outcome of each: status[i] is what dsv_iterate()
 * would have returned for *states[i].  Returns the lowest-indexed error. */
int dsv_iterate_batch_ptr(const dsv_problem *pr, dsv_state *const *states, int64_t nstates,
                          int64_t maxit, double tol, int *status);

#endif
