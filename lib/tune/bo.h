/* bo.h - the pieces of Bayesian optimisation (doc/model.md section 7) on the unit
 * cube [0, 1]^d: Latin-hypercube designs, expected improvement, and the
 * choice of the next point from a candidate pool.  The tuner maps unit
 * coordinates to hyperparameters (log scales, integers); this file knows
 * nothing about DeSurv.  Everything is deterministic given (seed, stream).
 */
#ifndef DESURV_BO_H
#define DESURV_BO_H

#include <stdint.h>

#include "tune/gp.h"

/* m points of a Latin hypercube in [0, 1]^d, written as an m x d matrix
 * with leading dimension ldu (ldu >= m). */
void dsv_lhs(int64_t m, int64_t d, uint64_t seed, uint64_t stream, double *U, int64_t ldu);

/* Expected improvement for MAXIMISATION over the incumbent best with
 * margin xi: EI = (mu - best - xi) Phi(z) + sd phi(z), z = (mu - best - xi)/sd
 * (0 when sd = 0 and mu <= best + xi). */
double dsv_expected_improvement(double mu, double sd, double best, double xi);

/* log of dsv_expected_improvement, accurate where EI underflows (z far
 * below 0: asymptotic continued fraction for the Mills ratio); -INFINITY
 * when EI = 0.  dsv_bo_propose ranks candidates by it, so that late in a
 * run, when all EI values are tiny, the ranking is still meaningful. */
double dsv_log_expected_improvement(double mu, double sd, double best, double xi);

/* Maps a point of the unit cube to the nearest representable point (integer
 * dimensions rounded, fixed dimensions pinned), in place. */
typedef void (*dsv_snap_fn)(double *u, int64_t d, void *ctx);

typedef struct dsv_bo_config {
    int64_t d;
    int64_t pool;          /* candidate pool size; 0: max(1000, 200 d) */
    double xi;             /* EI margin (default 0), in units of y */
    int polish;            /* 1: refine the best candidates locally before snapping */
    int gp_restarts;       /* extra starts of the GP likelihood maximisation */
    dsv_snap_fn snap;      /* may be NULL */
    void *snap_ctx;
} dsv_bo_config;

/* Fit the GP to the n evaluated points (U: n x d, ld ldu, values y, to be
 * maximised) and return in u_next the candidate of largest expected
 * improvement that, after snapping, is not an evaluated point (exact
 * comparison of snapped coordinates).  If every candidate is taken,
 * returns DESURV_E_RANGE.  gp_out (may be NULL) receives the fitted GP
 * (caller frees with dsv_gp_free).
 *
 * Details: incumbent best = max y.  The pool (cfg->pool, default
 * max(1000, 200 d)) is a Latin hypercube, snapped, and scored by
 * log EI at the snapped points.  With cfg->polish, the 5 best distinct
 * candidates are refined by a compass search on log EI(snap(u)) (steps
 * +-delta along each axis, clamped to [0, 1], delta halved when no step
 * improves, from 0.5 pool^(-1/d) down to 1e-4); the refined points join
 * the pool.  The rows of U are compared as given: store the snapped points
 * that were actually evaluated.  Randomness (GP starts, pool) comes from
 * (seed, stream) only.  Returns DESURV_OK, DESURV_E_NULL, DESURV_E_DIM
 * (d outside 1..DSV_GP_MAXD, n < 1), DESURV_E_LD, DESURV_E_RANGE (pool < 0,
 * gp_restarts < 0, no candidate left), DESURV_E_NOMEM, and the errors of
 * dsv_gp_fit. */
int dsv_bo_propose(const dsv_bo_config *cfg, const double *U, int64_t ldu, const double *y,
                   int64_t n, uint64_t seed, uint64_t stream, double *u_next, dsv_gp *gp_out);

/* Objective of dsv_bo_maximise: value to maximise at the unit-cube point u
 * (length d, already snapped). */
typedef double (*dsv_bo_objective)(const double *u, void *ctx);

/* A complete run (used by the tests; the tuner drives dsv_bo_propose
 * itself to evaluate in parallel): an initial Latin hypercube of n_init
 * points (dsv_lhs(seed, stream 0), snapped; a snapped point equal to an
 * earlier one is dropped and its evaluation left to the BO steps), then BO
 * steps (dsv_bo_propose with stream t + 1 for the t-th step) until
 * n_init + n_iter points are evaluated.  U_out is (n_init + n_iter) x d
 * with leading dimension n_init + n_iter, y_out has n_init + n_iter
 * entries; the first *n_eval rows are filled (n_eval may be NULL).
 * Returns DESURV_OK, DESURV_E_RANGE when the (snapped) space is exhausted
 * before the budget (the points evaluated so far are kept), and the errors
 * of dsv_bo_propose. A non-finite objective value gives
 * DESURV_E_NONFINITE. */
int dsv_bo_maximise(const dsv_bo_config *cfg, dsv_bo_objective f, void *ctx, int64_t n_init,
                    int64_t n_iter, uint64_t seed, double *U_out, double *y_out,
                    int64_t *n_eval);

#endif
