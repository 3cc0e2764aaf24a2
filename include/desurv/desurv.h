/*
 * desurv.h - public interface of libdesurv, survival-supervised
 * nonnegative matrix factorisation (DeSurv).
 *
 * Copyright (c) 2026 the libdesurv authors.  MIT licence (see COPYING).
 *
 * This header is the reference manual.  Conventions that hold everywhere:
 *
 *  - Every fallible function returns an int status: DESURV_OK (0) on
 *    success, a negative DESURV_E_* code otherwise.  desurv_strerror() maps a
 *    code to a static sentence; desurv_errmsg() returns the detailed message
 *    ("X[17, 3] is NaN") of the last failed call on a model handle.
 *  - Matrices are column-major with an explicit leading dimension.  The
 *    expression matrix X is genes x samples (p x n, ldx >= p): the BLAS/R
 *    layout, and exactly the memory of a C-ordered numpy array of shape
 *    (n_samples, n_genes).
 *  - Sizes are int64_t.  Sizes that do not fit the BLAS integer are refused
 *    with DESURV_E_OVERFLOW, never wrapped.
 *  - Inputs are borrowed only for the duration of a call; anything kept is
 *    copied.  Outputs go to caller-allocated buffers.  Returned strings are
 *    static or owned by the handle; never free them.
 *  - No global mutable state.  Distinct handles may be used from distinct
 *    threads at the same time; one handle must not be used by two threads
 *    at once.  The library never aborts, exits, prints or calls rand().
 *  - The library does not change BLAS or OpenMP global settings.  When the
 *    threads option is > 1 the library runs independent starts on its own
 *    worker threads; link a sequential BLAS, or set OPENBLAS_NUM_THREADS=1,
 *    to avoid oversubscribing the cores (see README).
 */
#ifndef DESURV_H
#define DESURV_H

#include <stdint.h>

#include "desurv_version.h"

#if defined(_WIN32) && defined(DESURV_BUILDING)
#define DESURV_API __declspec(dllexport)
#elif defined(__GNUC__) && defined(DESURV_BUILDING)
#define DESURV_API __attribute__((visibility("default")))
#else
#define DESURV_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup errors Status codes
 *  Codes are explicitly numbered and never renumbered.  @since 0.1
 *  @{ */
/** Status codes returned by every fallible function (0 = success). */
enum desurv_status {
    DESURV_OK = 0,              /**< success */
    DESURV_E_NULL = -1,         /**< a required pointer argument is NULL */
    DESURV_E_DIM = -2,          /**< a dimension (p, n, k) is out of range */
    DESURV_E_LD = -3,           /**< a leading dimension is smaller than the row count */
    DESURV_E_NONFINITE = -4,    /**< an input contains NaN or Inf */
    DESURV_E_NEGATIVE = -5,     /**< an input that must be nonnegative has a negative entry */
    DESURV_E_TIME = -6,         /**< a survival time is negative or not finite */
    DESURV_E_EVENT = -7,        /**< an event indicator is not 0 or 1 */
    DESURV_E_NO_EVENTS = -8,    /**< no sample has an observed event */
    DESURV_E_RANK = -9,         /**< k is not set, or k > min(p, n) */
    DESURV_E_OPTION = -10,      /**< unknown option identifier or name */
    DESURV_E_RANGE = -11,       /**< an option value is outside its bounds */
    DESURV_E_NOT_FITTED = -12,  /**< the model has not been fitted */
    DESURV_E_MISMATCH = -13,    /**< data do not match the fitted model (e.g. other p) */
    DESURV_E_NOMEM = -14,       /**< memory allocation failed */
    DESURV_E_NUMERIC = -15,     /**< a non-finite value arose during fitting */
    DESURV_E_OVERFLOW = -16,    /**< a size does not fit the BLAS integer type */
    DESURV_E_LAPACK = -17,      /**< a LAPACK routine reported failure */
    DESURV_E_CANCELLED = -18,   /**< a callback asked to stop */
    DESURV_E_BUFFER = -19,      /**< an output buffer is too small */
    DESURV_E_INIT = -20,        /**< init = user but no (valid) initial W was given */
    DESURV_E_THREAD = -21       /**< a worker thread could not be started */
};
/** @} */

/** Options, set with desurv_set_option().  Values are explicit and stable.
 *  Integer-valued options (k, maxit, ...) are passed as doubles and must be
 *  integral.  Bounds are reported by desurv_option_bounds(); the by-name
 *  string of each option is given in brackets.  @since 0.1 */
typedef enum desurv_option {
    DESURV_OPT_K = 0,           /**< ["k"] rank, integer >= 1; no default: must be set */
    DESURV_OPT_ALPHA = 1,       /**< ["alpha"] supervision weight in [0, 1); default 0.5 */
    DESURV_OPT_LAMBDA = 2,      /**< ["lambda"] elastic-net strength >= 0; default 0.1 */
    DESURV_OPT_NU = 3,          /**< ["nu"] elastic-net mix in [0, 1] (1 = lasso); default 0.5 */
    DESURV_OPT_LAMBDA_W = 4,    /**< ["lambda_w"] ridge on W >= 0; default 0 */
    DESURV_OPT_LAMBDA_H = 5,    /**< ["lambda_h"] ridge on H >= 0; default 0 */
    DESURV_OPT_TOL = 6,         /**< ["tol"] relative loss change to stop, >= 0; default 1e-6 */
    DESURV_OPT_MAXIT = 7,       /**< ["maxit"] outer iterations of the final run (its selection-phase
                                     iterations included), integer >= 1; default 1000 */
    DESURV_OPT_NINIT = 8,       /**< ["ninit"] number of random starts, integer >= 1; default 20.
                                     NNDSVD and user starts are single deterministic starts. */
    DESURV_OPT_IMAXIT = 9,      /**< ["imaxit"] iterations per start in the selection phase, >= 0; default 30
                                     (unused when ninit = 1: the single start runs to convergence) */
    DESURV_OPT_TOL_INIT = 10,   /**< ["tol_init"] tolerance of the selection phase; default 1e-4 */
    DESURV_OPT_SEED = 11,       /**< ["seed"] RNG seed, integer in [0, 2^53]; default 1 */
    DESURV_OPT_THREADS = 12,    /**< ["threads"] worker threads for starts, integer in [1, 256]; default 1 */
    DESURV_OPT_TIES = 13,       /**< ["ties"] 0 Breslow (default), 1 Efron */
    DESURV_OPT_INIT = 14,       /**< ["init"] 0 random (default), 1 NNDSVD, 2 user (desurv_set_init) */
    DESURV_OPT_INIT_SELECT = 15,/**< ["init_select"] 0 lowest loss (default), 1 highest training C-index */
    DESURV_OPT_ALPHA_SCALE = 16 /**< ["alpha_scale"] 0 normalised by sigma2 (default), 1 raw (sigma2 = 1) */
} desurv_option;

/** Number of options; option identifiers are 0 .. DESURV_OPT_COUNT-1. */
#define DESURV_OPT_COUNT 17

/** Statistics of a fitted model, read with desurv_model_stat().  @since 0.1 */
typedef enum desurv_stat {
    DESURV_STAT_LOSS = 0,          /**< L at the returned W, H, beta */
    DESURV_STAT_NMF_LOSS = 1,      /**< ||X - W H||_F^2 / (2 n p) */
    DESURV_STAT_COX_LOGLIK = 2,    /**< Cox log partial likelihood l at the returned beta */
    DESURV_STAT_PENALTY_BETA = 3,  /**< P(beta) (without the alpha factor) */
    DESURV_STAT_ITERATIONS = 4,    /**< outer iterations of the final run */
    DESURV_STAT_CONVERGED = 5,     /**< 1 if the final run met tol, else 0 */
    DESURV_STAT_TRAIN_CINDEX = 6,  /**< Harrell's C of X^T W beta on the training data */
    DESURV_STAT_SIGMA2 = 7,        /**< reconstruction scale sigma2 (1 when alpha_scale = 1) */
    DESURV_STAT_W_ACCEPT_RATE = 8, /**< fraction of W steps accepted at the first trial */
    DESURV_STAT_BEST_START = 9,    /**< index (0-based) of the start that was continued */
    DESURV_STAT_N_EVENTS = 10      /**< number of events in the training data */
} desurv_stat;

#define DESURV_STAT_COUNT 11

/** Opaque model handle.  @since 0.1 */
typedef struct desurv_model desurv_model;

/**
 * Create a model with default options.
 * @param[out] out  receives the new handle; free it with desurv_model_free().
 * @return DESURV_OK, DESURV_E_NULL (out is NULL), DESURV_E_NOMEM.
 * Thread-safe.  @since 0.1
 */
DESURV_API int desurv_model_new(desurv_model **out);

/** Free a model and everything it owns.  NULL-safe.  @since 0.1 */
DESURV_API void desurv_model_free(desurv_model *m);

/**
 * Set an option.  The value is checked against desurv_option_bounds();
 * integer options must be integral.  Setting an option does not change a
 * fitted model until the next desurv_fit().
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_OPTION (unknown opt),
 *         DESURV_E_RANGE (out of bounds, NaN, or not integral).
 * @since 0.1
 */
DESURV_API int desurv_set_option(desurv_model *m, desurv_option opt, double value);

/**
 * Read an option.  Reading k before it was set gives 0.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_OPTION.  @since 0.1
 */
DESURV_API int desurv_get_option(const desurv_model *m, desurv_option opt, double *value);

/**
 * Look an option up by its name ("alpha", "lambda_w", ...; exact,
 * case-sensitive).
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_OPTION (no such name).
 * Thread-safe.  @since 0.1
 */
DESURV_API int desurv_option_by_name(const char *name, desurv_option *opt);

/**
 * Closed bounds [lo, hi] of an option's accepted values (alpha's upper bound
 * is the largest double below 1).  Either pointer may be NULL.
 * @return DESURV_OK, DESURV_E_OPTION.  Thread-safe.  @since 0.1
 */
DESURV_API int desurv_option_bounds(desurv_option opt, double *lo, double *hi);

/**
 * Name of an option ("alpha"), or NULL for an unknown identifier.
 * Thread-safe.  @since 0.1
 */
DESURV_API const char *desurv_option_name(desurv_option opt);

/**
 * Supply the initial factors for init = 2 (user).  The arrays are copied.
 * @param m     the model.
 * @param W0    p x k, nonnegative, leading dimension ldw >= p (required).
 * @param p     genes (rows of W0), >= 1.
 * @param k     rank (columns of W0), >= 1.
 * @param ldw   leading dimension of W0.
 * @param n     samples (columns of H0); ignored when H0 is NULL.
 * @param ldh   leading dimension of H0; ignored when H0 is NULL.
 * @param H0    k x n, nonnegative, leading dimension ldh >= k, or NULL: then
 *              H is initialised by nonnegative least squares of X on W0.
 * @param beta0 length k, or NULL for zeros.
 * The dimensions must match the data of the next desurv_fit() (checked
 * there, DESURV_E_MISMATCH).  Passing W0 = NULL clears a stored start.
 * @return DESURV_OK, DESURV_E_NULL (m), DESURV_E_DIM, DESURV_E_LD,
 *         DESURV_E_NONFINITE, DESURV_E_NEGATIVE, DESURV_E_NOMEM.
 * @since 0.1
 */
DESURV_API int desurv_set_init(desurv_model *m, const double *W0, int64_t p, int64_t k,
                               int64_t ldw, const double *H0, int64_t n, int64_t ldh,
                               const double *beta0);

/**
 * Fit DeSurv to X (p x n) with survival times and event indicators.
 * Minimises the objective of the specification by block coordinate descent
 * from ninit starts (the best after imaxit iterations is continued).
 * On failure the handle keeps its previous fit (if any) untouched.
 * @param m      the model; k must have been set.
 * @param X      p x n, nonnegative, finite; ldx >= p.
 * @param p      genes, >= 1.
 * @param n      samples, >= 1.
 * @param ldx    leading dimension of X.
 * @param time   length n, finite, >= 0 (0 is valid).
 * @param event  length n, each 0 (censored) or 1 (event); at least one 1.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_DIM (p, n < 1), DESURV_E_LD,
 *         DESURV_E_NONFINITE, DESURV_E_NEGATIVE, DESURV_E_TIME,
 *         DESURV_E_EVENT, DESURV_E_NO_EVENTS, DESURV_E_RANK (k unset or
 *         > min(p, n)), DESURV_E_INIT, DESURV_E_MISMATCH (user init of other
 *         shape), DESURV_E_NOMEM, DESURV_E_NUMERIC, DESURV_E_LAPACK,
 *         DESURV_E_OVERFLOW, DESURV_E_THREAD.
 * Not converging within maxit is not an error (see DESURV_STAT_CONVERGED).
 * @since 0.1
 */
DESURV_API int desurv_fit(desurv_model *m, const double *X, int64_t p, int64_t n,
                          int64_t ldx, const double *time, const int32_t *event);

/**
 * Linear predictor lp = X^T W beta of new samples (higher = worse prognosis).
 * @param m       a fitted model.
 * @param p       genes; must equal the training p.
 * @param n       samples to score, >= 1.
 * @param ldx     leading dimension of X, >= p.
 * @param X       p x n with the training p; ldx >= p; finite (negative
 *                entries are allowed: new data are not refitted).
 * @param lp_out  length n.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_NOT_FITTED, DESURV_E_MISMATCH
 *         (p differs), DESURV_E_DIM, DESURV_E_LD, DESURV_E_NONFINITE,
 *         DESURV_E_OVERFLOW.  Does not modify m (the error message of a
 *         failed call is not recorded); safe to call from several threads
 *         on one fitted model.
 * @since 0.1
 */
DESURV_API int desurv_predict(const desurv_model *m, const double *X, int64_t p, int64_t n,
                              int64_t ldx, double *lp_out);

/**
 * Harrell's concordance index, O(n log n).  A pair is comparable when
 * time_i < time_j and event_i = 1, or time_i = time_j with event_i = 1 and
 * event_j = 0; it is concordant when risk_i > risk_j and counts 1/2 when
 * risk_i = risk_j.  Equals R survival::concordance(Surv(time, event) ~ risk,
 * reverse = TRUE).
 * @param time  length n, finite, >= 0.
 * @param event length n, each 0 or 1 (zero events is allowed: C is NaN).
 * @param risk  length n, finite; higher = shorter expected survival.
 * @param n     number of samples, >= 1.
 * @param c_out receives C in [0, 1]; NaN when no pair is comparable.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_DIM (n < 1),
 *         DESURV_E_NONFINITE (risk), DESURV_E_TIME, DESURV_E_EVENT,
 *         DESURV_E_NOMEM.  Thread-safe.  @since 0.1
 */
DESURV_API int desurv_cindex(const double *time, const int32_t *event, const double *risk,
                             int64_t n, double *c_out);

/** Dimensions of the fitted model (any pointer may be NULL).
 *  @return DESURV_OK, DESURV_E_NULL, DESURV_E_NOT_FITTED.  @since 0.1 */
DESURV_API int desurv_model_dims(const desurv_model *m, int64_t *p, int64_t *n, int64_t *k);

/** Copy W (p x k, unit-norm columns) to out with leading dimension ld >= p.
 *  @return DESURV_OK, DESURV_E_NULL, DESURV_E_NOT_FITTED, DESURV_E_LD.  @since 0.1 */
DESURV_API int desurv_model_W(const desurv_model *m, double *out, int64_t ld);

/** Copy H (k x n, training sample order) to out, ld >= k.
 *  @return DESURV_OK, DESURV_E_NULL, DESURV_E_NOT_FITTED, DESURV_E_LD.  @since 0.1 */
DESURV_API int desurv_model_H(const desurv_model *m, double *out, int64_t ld);

/** Copy beta (length k) to out.
 *  @return DESURV_OK, DESURV_E_NULL, DESURV_E_NOT_FITTED.  @since 0.1 */
DESURV_API int desurv_model_beta(const desurv_model *m, double *out);

/** Read a statistic of the fitted model.
 *  @return DESURV_OK, DESURV_E_NULL, DESURV_E_NOT_FITTED, DESURV_E_OPTION
 *          (unknown stat).  @since 0.1 */
DESURV_API int desurv_model_stat(const desurv_model *m, desurv_stat what, double *value);

/**
 * Per-iteration loss L of the final run (the selected start, from its
 * initialisation to the end): element 0 is L at the start, element i the
 * loss after outer iteration i, so the length is DESURV_STAT_ITERATIONS + 1.
 * The sequence never increases.  With loss_out = NULL only *len is set.
 * Otherwise min(cap, length) values are written and *len receives the full
 * length; DESURV_E_BUFFER is returned when cap is smaller than the length.
 * @return DESURV_OK, DESURV_E_NULL (m or len), DESURV_E_NOT_FITTED,
 *         DESURV_E_BUFFER.  @since 0.1
 */
DESURV_API int desurv_model_trace(const desurv_model *m, double *loss_out, int64_t cap,
                                  int64_t *len);

/** Static description of a status code (never NULL).  Thread-safe.  @since 0.1 */
DESURV_API const char *desurv_strerror(int code);

/** Detailed message of the last failed call on m ("" if none; a static
 *  string if m is NULL).  Valid until the next call on m.  @since 0.1 */
DESURV_API const char *desurv_errmsg(const desurv_model *m);

/** Library version, "MAJOR.MINOR.PATCH".  Thread-safe.  @since 0.1 */
DESURV_API const char *desurv_version_string(void);

/** Library version as MAJOR*10000 + MINOR*100 + PATCH.  @since 0.1 */
DESURV_API int desurv_version(void);

#ifdef __cplusplus
}
#endif

#endif /* DESURV_H */
