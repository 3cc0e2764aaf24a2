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
 *    ("X[17, 3] (gene 18, sample 4) is NaN") of the last failed call on a model handle.
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
 *  - The library does not change BLAS or OpenMP global settings.  The
 *    threads option asks for worker threads: desurv_fit() runs the random
 *    starts of its selection phase on them, desurv_tune() its (point, fold,
 *    block of starts) tasks.  They are used only when the linked BLAS does
 *    not run threads of its own: when OpenBLAS reports more than one thread
 *    (openblas_get_num_threads(), looked up weakly; a BLAS without it counts
 *    as single-threaded) one worker, the calling thread, does everything,
 *    silently in desurv_fit(), with a warning in desurv_tuner_warnings() in
 *    desurv_tune().  So with threads > 1 set OPENBLAS_NUM_THREADS=1 before
 *    the program starts, or link a sequential BLAS (see README).  If the
 *    system refuses to start a worker, the remaining workers (at least the
 *    calling thread) do its share.  Results never depend on the number of
 *    worker threads.
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
    DESURV_E_THREAD = -21,      /**< reserved; not returned by this version (a worker thread
                                     that cannot be started is replaced by the others and the
                                     calling thread) */
    DESURV_E_FORMAT = -22,      /**< not a libdesurv model file, or a malformed one (@since 0.2) */
    DESURV_E_VERSION = -23,     /**< the model file needs a newer libdesurv (@since 0.2) */
    DESURV_E_IO = -24,          /**< a file could not be read or written (@since 0.2) */
    DESURV_E_CHECKSUM = -25     /**< a model file is damaged: checksum mismatch (@since 0.2) */
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
    DESURV_OPT_TOL = 6,         /**< ["tol"] relative loss change to stop, in [0, 1]; default 1e-6 */
    DESURV_OPT_MAXIT = 7,       /**< ["maxit"] outer iterations of the final run (its selection-phase
                                     iterations included), integer >= 1; default 1000 */
    DESURV_OPT_NINIT = 8,       /**< ["ninit"] number of random starts, integer >= 1; default 20.
                                     NNDSVD and user starts are single deterministic starts. */
    DESURV_OPT_IMAXIT = 9,      /**< ["imaxit"] iterations per start in the selection phase, >= 0; default 30
                                     (unused when ninit = 1: the single start runs to convergence) */
    DESURV_OPT_TOL_INIT = 10,   /**< ["tol_init"] tolerance of the selection phase, in [0, 1];
                                     default 1e-4 */
    DESURV_OPT_SEED = 11,       /**< ["seed"] RNG seed, integer in [0, 2^53]; default 1 */
    DESURV_OPT_THREADS = 12,    /**< ["threads"] worker threads for the random starts of
                                     the selection phase, integer in [1, 256]; default 1; one
                                     is used under a multi-threaded OpenBLAS (see the top of
                                     this file) */
    DESURV_OPT_TIES = 13,       /**< ["ties"] 0 Breslow (default), 1 Efron */
    DESURV_OPT_INIT = 14,       /**< ["init"] 0 random (default), 1 NNDSVD, 2 user (desurv_set_init) */
    DESURV_OPT_INIT_SELECT = 15,/**< ["init_select"] 0 lowest loss (default), 1 highest training C-index */
    DESURV_OPT_ALPHA_SCALE = 16,/**< ["alpha_scale"] 0 normalised by sigma2 (default), 1 raw (sigma2 = 1) */
    DESURV_OPT_OFFSET = 17,     /**< ["offset"] per-gene baseline b of X ~ W H + b 1^T: 0 none (the
                                     papers' model), 1 gene (default; b >= 0 fitted exactly after
                                     every H-step, sigma2 on the row-centred X; read it with
                                     desurv_model_offset()).  @since 0.3 */
    DESURV_OPT_HSTEP = 18,      /**< ["hstep"] the H-step: 0 exact (default; nonnegative least
                                     squares of every column solved exactly by block principal
                                     pivoting), 1 hals (one HALS sweep), 2 mu (the papers'
                                     multiplicative update).  @since 0.3 */
    DESURV_OPT_WSTEP = 19       /**< ["wstep"] the majoriser the W-step minimises: 0 hals
                                     (default; the reconstruction term kept exactly, one HALS
                                     sweep over the columns of W), 1 mu (the Lee-Seung bound, a
                                     multiplicative step, the papers').  hstep = mu, wstep = mu
                                     and offset = 0 reproduce libdesurv 0.2's fits.  @since 0.3 */
} desurv_option;

/** Number of options; option identifiers are 0 .. DESURV_OPT_COUNT-1. */
#define DESURV_OPT_COUNT 20

/** Values of DESURV_OPT_OFFSET.  @since 0.3 */
#define DESURV_OFFSET_NONE 0
#define DESURV_OFFSET_GENE 1
/** Values of DESURV_OPT_HSTEP.  @since 0.3 */
#define DESURV_HSTEP_EXACT 0
#define DESURV_HSTEP_HALS 1
#define DESURV_HSTEP_MU 2
/** Values of DESURV_OPT_WSTEP.  @since 0.3 */
#define DESURV_WSTEP_HALS 0
#define DESURV_WSTEP_MU 1

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
 * Minimises the objective L of doc/model.md (section 3) by block coordinate descent
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
 *         DESURV_E_OVERFLOW, DESURV_E_CANCELLED (progress callback).
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
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_DIM (n < 1 or n > 2^31 - 1),
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

/** Copy the per-gene offset b (length p, >= 0) of the fitted model to out:
 *  X ~ W H + b 1^T.  Zeros when the model was fitted with offset = 0 (and
 *  for a model read from a version-1 file).  Predictions do not use b: a
 *  common shift of every sample's scores X^T W is invisible to the Cox
 *  model.
 *  @code
 *  double *b = malloc(p * sizeof *b);
 *  if (desurv_model_offset(m, b) == DESURV_OK) ... // b[g]: baseline of gene g
 *  @endcode
 *  @return DESURV_OK, DESURV_E_NULL, DESURV_E_NOT_FITTED.  @since 0.3 */
DESURV_API int desurv_model_offset(const desurv_model *m, double *out);

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

/** Columns of desurv_model_trace_terms(): the terms of L (doc/model.md section 3),
 *  unweighted.  @since 0.2 */
#define DESURV_TRACE_REC 0      /**< ||X - W H||_F^2 / (2 n p) (as DESURV_STAT_NMF_LOSS) */
#define DESURV_TRACE_LOGLIK 1   /**< Cox log partial likelihood l(X^T W beta); NaN when alpha = 0 */
#define DESURV_TRACE_PEN_BETA 2 /**< P(beta), without the alpha factor; NaN when alpha = 0 */
#define DESURV_TRACE_PEN_H 3    /**< ||H||_F^2 / (2 n k), without lambda_H */
#define DESURV_TRACE_PEN_W 4    /**< ||W||_F^2 / (2 p k), without lambda_W */
/** Number of columns of desurv_model_trace_terms().  @since 0.2 */
#define DESURV_TRACE_TERMS 5

/**
 * The terms of the loss behind each entry of desurv_model_trace(): row i of
 * the len x DESURV_TRACE_TERMS matrix belongs to loss entry i, columns
 * DESURV_TRACE_REC .. DESURV_TRACE_PEN_W.  With the options of the fit,
 * sigma2 = DESURV_STAT_SIGMA2 and n_e = DESURV_STAT_N_EVENTS, each entry is
 *
 *     L = (1 - alpha) / sigma2 * (REC + lambda_h * PEN_H) + lambda_w * PEN_W
 *       + alpha * (-2 / n_e * LOGLIK + PEN_BETA)          (the last line only if alpha > 0)
 *
 * (the same expression the library evaluates, so it reproduces the trace to
 * rounding).  With alpha = 0 the Cox model is not part of L and is not
 * evaluated during the iterations: LOGLIK and PEN_BETA are NaN.
 * A model read from a model file has no per-term trace (files store only
 * the total): *len is set to 0 and DESURV_OK is returned; a later
 * desurv_fit() on the handle records one again.
 * @param m    a fitted model.
 * @param out  cap x DESURV_TRACE_TERMS, column-major with leading dimension
 *             ldo, or NULL: then only *len is set.
 * @param ldo  leading dimension of out, >= max(1, cap) (ignored when out is NULL).
 * @param cap  rows out can hold; min(cap, len) rows are written.
 * @param len  receives the number of rows (that of desurv_model_trace(), or 0).
 * @return DESURV_OK, DESURV_E_NULL (m or len), DESURV_E_NOT_FITTED,
 *         DESURV_E_LD, DESURV_E_BUFFER (cap < len; the first cap rows are
 *         written).  Does not modify m.  @since 0.2
 */
DESURV_API int desurv_model_trace_terms(const desurv_model *m, double *out, int64_t ldo,
                                        int64_t cap, int64_t *len);

/** Static description of a status code (never NULL).  Thread-safe.  @since 0.1 */
DESURV_API const char *desurv_strerror(int code);

/** Detailed message of the last failed call on m ("" if none; a static
 *  string if m is NULL).  Valid until the next call on m.  @since 0.1 */
DESURV_API const char *desurv_errmsg(const desurv_model *m);

/** Library version, "MAJOR.MINOR.PATCH".  Thread-safe.  @since 0.1 */
DESURV_API const char *desurv_version_string(void);

/** Library version as MAJOR*10000 + MINOR*100 + PATCH.  @since 0.1 */
DESURV_API int desurv_version(void);

/* ======================================================================
 *  Progress and cancellation
 * ====================================================================== */

/** What a progress report is about.  @since 0.2 */
typedef enum desurv_stage {
    DESURV_STAGE_STARTS = 0,  /**< desurv_fit, multi-start selection phase: outer iteration
                                   `step` of a start run by the calling thread (total =
                                   imaxit), and once at its end (step = total) */
    DESURV_STAGE_FIT = 1,     /**< desurv_fit: outer iteration `step` of the final run (total = maxit) */
    DESURV_STAGE_DESIGN = 2,  /**< tuning: fold fits of the initial design (or grid) done so far */
    DESURV_STAGE_SEARCH = 3,  /**< tuning: fold fits of the Bayesian-optimisation steps done so far */
    DESURV_STAGE_REFIT = 4    /**< tuning: the final refit on all samples is starting */
} desurv_stage;

/**
 * Progress callback: `stage` is a desurv_stage, `step` of `total` units are
 * done, `best` is the best value so far (training loss for a fit, the best
 * mean cross-validated C-index for tuning; NaN when none yet).  Return 0 to
 * go on; any other value stops the work, which then returns
 * DESURV_E_CANCELLED, leaks nothing and leaves the model as it was before
 * the call.  The callback is always invoked on the thread that called
 * desurv_fit() / desurv_tune(), never concurrently with itself.
 * @since 0.2
 */
typedef int (*desurv_progress_fn)(int stage, int64_t step, int64_t total, double best,
                                  void *user_data);

/** Install (fn != NULL) or remove (fn = NULL) the progress callback of m.
 *  @return DESURV_OK, DESURV_E_NULL (m).  @since 0.2 */
DESURV_API int desurv_set_progress(desurv_model *m, desurv_progress_fn fn, void *user_data);

/* ======================================================================
 *  Top genes and factor-restricted prediction (doc/model.md section 8)
 * ====================================================================== */

/**
 * Per-factor top genes: each column of W is scaled to maximum 1, gene g
 * scores w_gr - max_{r' != r} w_gr' for factor r (w_gr itself when k = 1),
 * and the ntop highest scores are taken (ties: lower gene index first).
 * idx_out (ntop x k, leading dimension ntop) receives 0-based gene indices,
 * best first; score_out (same shape, may be NULL) the scores.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_NOT_FITTED, DESURV_E_DIM
 *         (ntop < 1 or ntop > p).  @since 0.2
 */
DESURV_API int desurv_model_top_genes(const desurv_model *m, int64_t ntop, int64_t *idx_out,
                                      double *score_out);

/**
 * Linear predictor using only each factor's ntop top genes:
 * lp_j = sum_r beta_r sum_{g in top_r} X[g, j] W[g, r].  ntop = 0 means all
 * genes (then this equals desurv_predict()).
 * @return as desurv_predict(), plus DESURV_E_DIM (ntop < 0 or > p),
 *         DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_predict_ntop(const desurv_model *m, const double *X, int64_t p, int64_t n,
                                   int64_t ldx, int64_t ntop, double *lp_out);

/* ======================================================================
 *  Model annotations and model files
 *
 *  A model can carry gene and sample identifiers and free-form metadata
 *  (e.g. the preprocessing a front end applied before fitting), and can be
 *  written to and read from a versioned, checksummed binary format that is
 *  the same on every platform (doc/model-format.md describes every byte).
 *  The library never interprets the annotations.
 * ====================================================================== */

/** Which names desurv_model_set_names() and friends address.  @since 0.2 */
#define DESURV_NAMES_GENES 0
#define DESURV_NAMES_SAMPLES 1

/**
 * Attach gene (which = DESURV_NAMES_GENES) or sample (DESURV_NAMES_SAMPLES)
 * identifiers to m; the strings are copied (any bytes but NUL, at most
 * 2^31 - 1 each, need not be unique).  names = NULL removes them.
 * On a fitted model count must equal its p (genes) or n (training samples,
 * in training order).  On an unfitted model any count >= 1 is accepted.
 * Names belong to a fit: after a later desurv_fit() with another p (or n)
 * they are stale, reported as absent (count 0) and not saved.
 * On error the previous names are kept.
 * @return DESURV_OK, DESURV_E_NULL (m, or an element of names),
 *         DESURV_E_OPTION (which), DESURV_E_DIM (count < 1),
 *         DESURV_E_MISMATCH (count differs from the fitted p or n),
 *         DESURV_E_RANGE (a name too long), DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_model_set_names(desurv_model *m, int which, const char *const *names,
                                      int64_t count);

/** Number of names of the kind `which` in effect: 0 when none, when stale,
 *  or for a NULL m or unknown `which`.  @since 0.2 */
DESURV_API int64_t desurv_model_names_count(const desurv_model *m, int which);

/** Name i (0-based) of the kind `which`, or NULL when absent, stale or i
 *  is out of range.  Owned by m; valid until the names are set again or m
 *  is freed.  @since 0.2 */
DESURV_API const char *desurv_model_name(const desurv_model *m, int which, int64_t i);

/** Longest metadata key, in bytes.  @since 0.2 */
#define DESURV_META_KEY_MAX 64

/**
 * Store a vector of doubles under key (1 .. DESURV_META_KEY_MAX printable
 * ASCII characters, 0x20 .. 0x7E; e.g. "preprocess.log2p1"), replacing any
 * earlier value of that key, numeric or string.  values is copied (any
 * doubles, NaN included; len = 0 stores an empty vector); values = NULL
 * removes the key (absent keys are no error).
 * @return DESURV_OK, DESURV_E_NULL (m or key), DESURV_E_RANGE (bad key),
 *         DESURV_E_DIM (len < 0), DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_model_set_meta(desurv_model *m, const char *key, const double *values,
                                     int64_t len);

/**
 * Read the vector stored under key.  *len receives its length; with out =
 * NULL only *len is set, otherwise min(cap, length) values are written and
 * DESURV_E_BUFFER is returned when cap is smaller than the length.
 * @return DESURV_OK, DESURV_E_NULL (m, key or len), DESURV_E_OPTION (no
 *         such key), DESURV_E_MISMATCH (the key holds a string),
 *         DESURV_E_BUFFER.  @since 0.2
 */
DESURV_API int desurv_model_get_meta(const desurv_model *m, const char *key, double *out,
                                     int64_t cap, int64_t *len);

/**
 * Store a string (copied; at most 2^31 - 1 bytes) under key, replacing any
 * earlier value of that key; value = NULL removes the key.
 * @return DESURV_OK, DESURV_E_NULL (m or key), DESURV_E_RANGE (bad key or
 *         value too long), DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_model_set_meta_string(desurv_model *m, const char *key, const char *value);

/** The string stored under key, or NULL (no such key, or it holds
 *  numbers).  Owned by m; valid until the key is set again or m is freed.
 *  @since 0.2 */
DESURV_API const char *desurv_model_get_meta_string(const desurv_model *m, const char *key);

/** Number of metadata keys (0 for a NULL m).  @since 0.2 */
DESURV_API int64_t desurv_model_meta_count(const desurv_model *m);

/** Key i (0-based) in ascending byte order, or NULL when i is out of range.
 *  Owned by m; valid until the metadata change or m is freed.  @since 0.2 */
DESURV_API const char *desurv_model_meta_key(const desurv_model *m, int64_t i);

/** Model-file format version written by this library; files of a later
 *  version are refused with DESURV_E_VERSION.  @since 0.2 */
#define DESURV_MODEL_FORMAT 2

/**
 * Serialise m to memory: its options, the fit when there is one (W, H,
 * beta, the training-score moments, fit options, statistics, trace), the
 * names in effect and the metadata.  Not saved: the desurv_set_init()
 * start, the progress callback and the last error message.  The bytes
 * depend only on the model's content and the library version.
 * With buf = NULL only *len is set (the size needed).  Otherwise, when cap
 * >= that size, the model is written and *len receives its size; when cap
 * is smaller nothing is written, *len receives the size needed and
 * DESURV_E_BUFFER is returned.  Does not modify m.
 * @return DESURV_OK, DESURV_E_NULL (m or len), DESURV_E_BUFFER.  @since 0.2
 */
DESURV_API int desurv_model_save(const desurv_model *m, void *buf, int64_t cap, int64_t *len);

/**
 * Create a model from the len bytes at buf written by desurv_model_save()
 * or desurv_model_save_file().  The whole file is checked (checksums,
 * every length, every value) before a handle is returned: a loaded model
 * is one the API could have produced, and its predictions equal the
 * saved model's bit for bit.
 * @param[out] out  receives the new handle (free it with desurv_model_free);
 *                  NULL on error, when nothing is allocated.
 * @param errbuf    NULL, or a buffer of errcap bytes that receives a
 *                  detailed message on error ("truncated: 812 bytes, the
 *                  header says 1304") and "" on success.
 * @return DESURV_OK, DESURV_E_NULL (out, or buf with len > 0),
 *         DESURV_E_DIM (len < 0), DESURV_E_FORMAT (not a model file, empty,
 *         truncated, or malformed), DESURV_E_CHECKSUM (damaged),
 *         DESURV_E_VERSION (a later format version, or a section marked
 *         required that this library does not know), DESURV_E_NOMEM.
 * Thread-safe.  @since 0.2
 */
DESURV_API int desurv_model_load(desurv_model **out, const void *buf, int64_t len, char *errbuf,
                                 int64_t errcap);

/**
 * Write m to the file path, atomically: the bytes go to a new temporary
 * file in the same directory (path + ".tmp-" + 6 characters, mode 0666
 * minus the umask), which is flushed, synced to disk and then renamed over
 * path.  On failure the temporary file is removed and an existing file at
 * path is left untouched.  errbuf / errcap as for desurv_model_load().
 * @return DESURV_OK, DESURV_E_NULL (m or path), DESURV_E_IO (the file could
 *         not be written; the message names the system error),
 *         DESURV_E_NOMEM.  Does not modify m.  @since 0.2
 */
DESURV_API int desurv_model_save_file(const desurv_model *m, const char *path, char *errbuf,
                                      int64_t errcap);

/**
 * Read the model file at path (see desurv_model_load(); messages are
 * prefixed with the path).
 * @return as desurv_model_load(), plus DESURV_E_NULL (path), DESURV_E_IO
 *         (the file could not be opened or read).  Thread-safe.  @since 0.2
 */
DESURV_API int desurv_model_load_file(desurv_model **out, const char *path, char *errbuf,
                                      int64_t errcap);

/* ======================================================================
 *  Simulation (doc/model.md section 12: the paper's design)
 * ====================================================================== */

/** Simulation scenarios.  @since 0.2 */
typedef enum desurv_scenario {
    DESURV_SCENARIO_R0 = 0,    /**< factor 1's markers drive survival, beta_true = (2, 0, ...) */
    DESURV_SCENARIO_NULL = 1,  /**< as R0 with beta_true = 0 */
    DESURV_SCENARIO_MIXED = 2  /**< factor 1's survival genes: its markers + as many background genes */
} desurv_scenario;

/** A simulated data set with its ground truth (opaque).  @since 0.2 */
typedef struct desurv_sim desurv_sim;

/**
 * Draw a data set of the paper's design with `genes` genes, `samples`
 * samples and k true factors (the paper: 3000, 200, 3).  Marker (150 per
 * factor) and background (500) gene counts scale with genes / 3000.  The
 * seed fixes everything.
 * @return DESURV_OK, DESURV_E_NULL (out), DESURV_E_OPTION (scenario),
 *         DESURV_E_DIM (the design does not fit: too few genes for k
 *         factors, samples < 2, k < 1), DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_simulate(desurv_scenario scenario, int64_t genes, int64_t samples,
                               int64_t k, uint64_t seed, desurv_sim **out);

/** Free a simulated data set (NULL-safe).  @since 0.2 */
DESURV_API void desurv_sim_free(desurv_sim *s);

/** Dimensions: genes, samples, true rank (any pointer may be NULL).
 *  @return DESURV_OK, DESURV_E_NULL (s).  @since 0.2 */
DESURV_API int desurv_sim_dims(const desurv_sim *s, int64_t *p, int64_t *n, int64_t *k);

/** Copy the observed data out: X (p x n, leading dimension ldx), time,
 *  event (n each).  Any output may be NULL.
 *  @return DESURV_OK, DESURV_E_NULL (s), DESURV_E_LD.  @since 0.2 */
DESURV_API int desurv_sim_data(const desurv_sim *s, double *X, int64_t ldx, double *time,
                               int32_t *event);

/**
 * Copy the truth out (any output may be NULL): W (p x k, ldw), H (k x n,
 * ldh), the true linear predictor lp (n), gene_class (p: 0 noise, 1
 * background, 2 + r a marker of factor r), surv_gene (p x k, leading
 * dimension lds: 1 where gene g is a survival gene of factor r, the genes
 * whose W entries enter the true scores (doc/model.md section 12); in every scenario
 * only factor 1 has a nonzero true coefficient).
 * @return DESURV_OK, DESURV_E_NULL (s), DESURV_E_LD.  @since 0.2
 */
DESURV_API int desurv_sim_truth(const desurv_sim *s, double *W, int64_t ldw, double *H,
                                int64_t ldh, double *lp, int32_t *gene_class, int32_t *surv_gene,
                                int64_t lds);

/**
 * The paper's random training/test split: round(train_fraction * n)
 * samples get is_train = 1, the others 0, drawn from the data set's seed.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_RANGE (fraction not in (0, 1)).
 * @since 0.2
 */
DESURV_API int desurv_sim_split(const desurv_sim *s, double train_fraction, int32_t *is_train);

/* ======================================================================
 *  Preprocessing (doc/model.md section 9)
 *
 *  The transformations the command-line tool applies before fitting, so
 *  that bindings and programs can apply exactly the same ones.  X is
 *  genes x samples as everywhere (p x n, leading dimension ldx >= p), must
 *  be finite, and is checked whole before anything is written: a failed
 *  call leaves X untouched.  No handle, so no detailed message: only the
 *  status code.  All are thread-safe, and ties are resolved
 *  deterministically (never by the sort algorithm).
 * ====================================================================== */

/**
 * Replace every entry x of X by log2(x + 1), computed as R's log2(x + 1).
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_DIM (p, n < 1), DESURV_E_LD,
 *         DESURV_E_OVERFLOW, DESURV_E_NONFINITE, DESURV_E_NEGATIVE (an
 *         entry < 0: counts and intensities are nonnegative).  @since 0.2
 */
DESURV_API int desurv_log2p1(double *X, int64_t p, int64_t n, int64_t ldx);

/**
 * Gene filter of the DeSurv paper: rank the genes by mean expression and,
 * separately, by sample variance (n - 1 denominator; 0 when n = 1), both
 * descending (largest = rank 1, ties get their average rank, as R's
 * rank(-v)), and keep the ngene genes with the smallest sum of the two
 * ranks (equal sums: the lower gene index first, as R's order()).
 * keep_idx_out (ngene values) receives the 0-based indices of the kept
 * genes in ascending order (the input's gene order).
 * @param ngene  genes to keep, 1 <= ngene <= p.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_DIM (p, n < 1, or ngene out
 *         of range), DESURV_E_LD, DESURV_E_OVERFLOW, DESURV_E_NONFINITE,
 *         DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_gene_filter(const double *X, int64_t p, int64_t n, int64_t ldx,
                                  int64_t ngene, int64_t *keep_idx_out);

/**
 * Replace each sample (column of X) by the ranks of its values among the p
 * genes, 1 .. p, ties getting their average rank: R's
 * apply(X, 2, rank, ties.method = "average").  Negative values are
 * allowed.  Ranks make samples comparable whatever their depth or scale.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_DIM, DESURV_E_LD,
 *         DESURV_E_OVERFLOW, DESURV_E_NONFINITE, DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_transform_rank(double *X, int64_t p, int64_t n, int64_t ldx);

/**
 * Target distribution of quantile normalisation: target_out[i] is the mean
 * over the samples of the (i+1)-th smallest value of each column, so it is
 * nondecreasing (preprocessCore's normalize.quantiles.determine.target).
 * Store it with a model to normalise new data the same way.
 * @param target_out  length p.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_DIM, DESURV_E_LD,
 *         DESURV_E_OVERFLOW, DESURV_E_NONFINITE, DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_quantile_target(const double *X, int64_t p, int64_t n, int64_t ldx,
                                      double *target_out);

/**
 * Quantile-normalise each sample to a target distribution (p values,
 * nondecreasing, e.g. from desurv_quantile_target() on the training data):
 * the value of average rank r (1-based, as in desurv_transform_rank())
 * becomes target[r - 1]; a block of an even number of ties has a
 * half-integral rank and gets the mean of the two neighbouring targets, as
 * preprocessCore's normalize.quantiles.use.target.  Normalising the
 * training data to its own target is quantile normalisation.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_DIM, DESURV_E_LD,
 *         DESURV_E_OVERFLOW, DESURV_E_NONFINITE (X or target),
 *         DESURV_E_RANGE (target decreases somewhere), DESURV_E_NOMEM.
 * @since 0.2
 */
DESURV_API int desurv_transform_quantile(double *X, int64_t p, int64_t n, int64_t ldx,
                                         const double *target);

/* ======================================================================
 *  Model selection: cross-validation, grid search, Bayesian optimisation
 * ====================================================================== */

/** The searchable hyperparameters.  @since 0.2 */
typedef enum desurv_param {
    DESURV_PARAM_K = 0,         /**< ["k"] rank (integer); default search [2, 12] */
    DESURV_PARAM_ALPHA = 1,     /**< ["alpha"] default search [1e-4, 0.9999] on the log-odds scale */
    DESURV_PARAM_LAMBDA = 2,    /**< ["lambda"] default search [1e-5, 1e5] on the log scale */
    DESURV_PARAM_NU = 3,        /**< ["nu"] default search [0, 1] */
    DESURV_PARAM_LAMBDA_W = 4,  /**< ["lambda_w"] log scale; not searched by default */
    DESURV_PARAM_LAMBDA_H = 5,  /**< ["lambda_h"] log scale; not searched by default */
    DESURV_PARAM_NTOP = 6       /**< ["ntop"] top genes per factor used for scoring (integer,
                                     0 = all genes); not searched by default */
} desurv_param;

/** Number of hyperparameters.  @since 0.2 */
#define DESURV_PARAM_COUNT 7

/** Options of a tuner.  Names in brackets for desurv_tuner_option_by_name().  @since 0.2 */
typedef enum desurv_tuner_option {
    DESURV_TOPT_FOLDS = 0,       /**< ["folds"] number of CV folds, integer in [2, 100]; default 5 */
    DESURV_TOPT_STARTS = 1,      /**< ["starts"] random starts per fold, integer >= 1; default 30 */
    DESURV_TOPT_START_MODE = 2,  /**< ["start_mode"] 0: average the held-out C-index over the
                                      starts, each run to convergence (the paper; default);
                                      1: keep the best start by the training criterion (init_select
                                      of the model), as desurv_fit() does */
    DESURV_TOPT_METHOD = 3,      /**< ["method"] 0 Bayesian optimisation (default), 1 grid search */
    DESURV_TOPT_INIT_POINTS = 4, /**< ["init_points"] Latin-hypercube points; 0 (default): max(5, 3 d) */
    DESURV_TOPT_ITERATIONS = 5,  /**< ["iterations"] BO steps after the design; default 20 */
    DESURV_TOPT_RULE = 6,        /**< ["rule"] final choice, integer in [0, 4]: 0 max, 1 1se
                                      (default), 2 lcb (Bayesian optimisation only),
                                      3 1se-recon (within one se of the best mean C, the lowest
                                      held-out reconstruction error; see
                                      desurv_tuner_history_recon), 4 1se-parsimony (within one
                                      se of the best mean C, the smallest k whose held-out
                                      reconstruction error is within one se of the lowest; at
                                      that k, among the points within one se of its best C, the
                                      smallest alpha, then the largest lambda; 1se when no
                                      reconstruction error is known; doc/algorithm.md) */
    DESURV_TOPT_XI = 7,          /**< ["xi"] expected-improvement margin, in [0, 1]; default 0 */
    DESURV_TOPT_LCB_Z = 8,       /**< ["lcb_z"] z of the lcb rule, in [1e-6, 10]; default 1.645 */
    DESURV_TOPT_POOL = 9,        /**< ["pool"] EI candidate pool; 0 (default): max(1000, 200 d) */
    DESURV_TOPT_ALPHA_SCALE = 10,/**< ["alpha_scale"] 0 log-odds (default), 1 linear */
    DESURV_TOPT_SEED = 11,       /**< ["seed"] integer in [0, 2^53]; default 1 */
    DESURV_TOPT_THREADS = 12,    /**< ["threads"] worker threads, integer in [1, 256]; default 1;
                                      one is used under a multi-threaded OpenBLAS, with a
                                      warning (see the top of this file) */
    DESURV_TOPT_BATCH = 13,      /**< ["batch"] starts of a fold fit advanced together (one
                                      wider GEMM); default 10; 1 = one by one.  With the
                                      reference BLAS the results are bitwise those of 1.
                                      OpenBLAS may compute columns of the wider GEMM with
                                      other kernels, changing their last bits, and a fit
                                      amplifies such changes (the tests allow 1e-6 relative
                                      in the factors; an ill-conditioned fit can move
                                      more), so fold C-indices and the history may differ
                                      slightly from batch = 1, and possibly the choice.  A
                                      given batch is bitwise reproducible (see
                                      desurv_tune()). */
    DESURV_TOPT_REFIT = 14       /**< ["refit"] 1 (default): refit on all samples at the chosen
                                      point; 0: leave the model unfitted */
} desurv_tuner_option;

/** Number of tuner options.  @since 0.2 */
#define DESURV_TOPT_COUNT 15

/** Tuner handle: search settings, data-independent; holds the history of
 *  the last desurv_tune() call.  @since 0.2 */
typedef struct desurv_tuner desurv_tuner;

/** Create a tuner with default options and bounds.
 *  @return DESURV_OK, DESURV_E_NULL, DESURV_E_NOMEM.  @since 0.2 */
DESURV_API int desurv_tuner_new(desurv_tuner **out);

/** Free a tuner (NULL-safe).  @since 0.2 */
DESURV_API void desurv_tuner_free(desurv_tuner *t);

/** Set / get a tuner option (ranges as in desurv_tuner_option).
 *  @return DESURV_OK, DESURV_E_NULL, DESURV_E_OPTION, DESURV_E_RANGE.  @since 0.2 */
DESURV_API int desurv_tuner_set(desurv_tuner *t, desurv_tuner_option opt, double value);
DESURV_API int desurv_tuner_get(const desurv_tuner *t, desurv_tuner_option opt, double *value);

/** Tuner option by name / name of an option (NULL when unknown).  @since 0.2 */
DESURV_API int desurv_tuner_option_by_name(const char *name, desurv_tuner_option *opt);
DESURV_API const char *desurv_tuner_option_name(desurv_tuner_option opt);

/** Hyperparameter by name / name of a hyperparameter (NULL when unknown).  @since 0.2 */
DESURV_API int desurv_param_by_name(const char *name, desurv_param *par);
DESURV_API const char *desurv_param_name(desurv_param par);

/**
 * Search range of a hyperparameter for Bayesian optimisation, in the
 * parameter's own units (alpha, not its log-odds).  lo == hi fixes the
 * parameter at that value; lo = hi = NaN removes it from the search (the
 * model's option value is used).  Log-scale parameters need lo > 0; alpha
 * on the log-odds scale needs 0 < lo and hi < 1.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_OPTION (par), DESURV_E_RANGE.
 * @since 0.2
 */
DESURV_API int desurv_tuner_set_bounds(desurv_tuner *t, desurv_param par, double lo, double hi);

/** Current search range (NaN, NaN when not searched).  @since 0.2 */
DESURV_API int desurv_tuner_get_bounds(const desurv_tuner *t, desurv_param par, double *lo,
                                       double *hi);

/**
 * Grid of values of a hyperparameter for grid search (method = 1); the
 * grid is the Cartesian product of the given grids, parameters without a
 * grid take the model's option value.  values = NULL or len = 0 clears.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_OPTION, DESURV_E_RANGE
 *         (a value outside the option's bounds), DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_tuner_set_grid(desurv_tuner *t, desurv_param par, const double *values,
                                     int64_t len);

/** Use these folds (fold[i] in 0 .. K-1, every fold used) instead of a
 *  stratified random assignment; NULL clears.  Checked by desurv_tune().
 *  @return DESURV_OK, DESURV_E_NULL (t), DESURV_E_DIM, DESURV_E_NOMEM.  @since 0.2 */
DESURV_API int desurv_tuner_set_folds(desurv_tuner *t, const int32_t *fold, int64_t n);

/** Cohort labels: folds are stratified by (cohort, event); NULL clears.
 *  @return DESURV_OK, DESURV_E_NULL (t), DESURV_E_DIM, DESURV_E_NOMEM.  @since 0.2 */
DESURV_API int desurv_tuner_set_strata(desurv_tuner *t, const int32_t *strata, int64_t n);

/** Progress callback for desurv_tune() (see desurv_progress_fn).
 *  @return DESURV_OK, DESURV_E_NULL (t).  @since 0.2 */
DESURV_API int desurv_tuner_set_progress(desurv_tuner *t, desurv_progress_fn fn,
                                         void *user_data);

/**
 * Warm start: add an evaluation from an earlier run (params has
 * DESURV_PARAM_COUNT values, fold_c has `folds` per-fold C-indices or is
 * NULL).  The next desurv_tune() keeps it in its history, fits the GP to it
 * and never re-evaluates that point; it counts towards init_points.
 * Added points must come from the same data and folds to be meaningful.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_NONFINITE, DESURV_E_RANGE (se < 0),
 *         DESURV_E_DIM (fold count differs from earlier points), DESURV_E_NOMEM.
 * @since 0.2
 */
DESURV_API int desurv_tuner_add_history(desurv_tuner *t, const double *params, double mean,
                                        double se, const double *fold_c, int64_t folds);

/**
 * Select hyperparameters by cross-validated C-index, then (refit = 1) fit
 * m on all samples with them.  The model's options supply everything that
 * is not searched (fixed hyperparameters, tol, maxit, ties, imaxit, ...);
 * its ninit is used only for the final refit.  On success m's options hold
 * the chosen values.  Results are bitwise reproducible for the same data,
 * options (seed and batch included) and BLAS (the same library and kernels
 * and, for OpenBLAS, the same OPENBLAS_NUM_THREADS), and do not depend on
 * the number of worker threads.  The BLAS's own thread count and batch
 * (DESURV_TOPT_BATCH) can change the last bits of products with OpenBLAS,
 * which the fits amplify.  On error (or cancellation) m is unchanged and
 * the history holds what was evaluated before the error.
 * @return DESURV_OK, any input error of desurv_fit(), DESURV_E_RANGE (bad
 *         bounds, grid or folds; detail in desurv_tuner_errmsg()),
 *         DESURV_E_CANCELLED, DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_tune(desurv_tuner *t, desurv_model *m, const double *X, int64_t p,
                           int64_t n, int64_t ldx, const double *time, const int32_t *event);

/** Number of evaluations in the history and number of folds.  @since 0.2 */
DESURV_API int desurv_tuner_history_len(const desurv_tuner *t, int64_t *len, int64_t *folds);

/**
 * Evaluation i of the history: params (DESURV_PARAM_COUNT values), mean
 * fold C-index, its standard error sd / sqrt(K), the pooled out-of-fold
 * C-index, and the per-fold C-indices (fold_c, `folds` values).  Any output
 * may be NULL.  Unscorable values are NaN.
 * @return DESURV_OK, DESURV_E_NULL (t), DESURV_E_RANGE (i).  @since 0.2
 */
DESURV_API int desurv_tuner_history(const desurv_tuner *t, int64_t i, double *params,
                                    double *mean, double *se, double *pooled, double *fold_c);

/**
 * Held-out reconstruction error of evaluation i (bi-cross-validation): in
 * every fold fit the genes are split in two fixed halves (from the seed),
 * the held-out samples' H is estimated by nonnegative least squares from
 * one half and the other half is predicted by W H; the value is the
 * relative squared error ||X_B - W_B H||^2 / ||X_B||^2 averaged over both
 * directions, then over starts.  mean: its mean over the folds, se: sd /
 * sqrt(K).  NaN for warm-start points and unscorable fits.  Either output
 * may be NULL.  Used by rules 3 and 4 (DESURV_TOPT_RULE).
 * @return DESURV_OK, DESURV_E_NULL (t), DESURV_E_RANGE (i).  @since 0.2
 */
DESURV_API int desurv_tuner_history_recon(const desurv_tuner *t, int64_t i, double *mean,
                                          double *se);

/**
 * The outer iterations of every fit behind history entry i (fold-major:
 * the fits of fold 0 first; one per fold when the tuner continues the best
 * start, one per start and fold otherwise).  A fit that stopped at maxit
 * without meeting tol is reported negated (-maxit); a fit that failed is
 * NaN.  Entries given with desurv_tuner_add_history() have none (*len = 0).
 * With out = NULL only *len is set; otherwise min(cap, len) values are
 * written.  Use it to check that fold fits converge: a tuning run whose
 * fits stop at maxit compares unfinished fits.
 * @code
 * int64_t len;
 * desurv_tuner_history_iters(t, 0, NULL, 0, &len);
 * double *it = malloc(len * sizeof *it);
 * desurv_tuner_history_iters(t, 0, it, len, &len); // it[j] < 0: not converged
 * @endcode
 * @return DESURV_OK, DESURV_E_NULL (t or len), DESURV_E_RANGE (i),
 *         DESURV_E_BUFFER (cap < len; the first cap values are written).
 * @since 0.3
 */
DESURV_API int desurv_tuner_history_iters(const desurv_tuner *t, int64_t i, double *out,
                                          int64_t cap, int64_t *len);

/** The chosen point: params (DESURV_PARAM_COUNT values) and its index in
 *  the history.  @return DESURV_OK, DESURV_E_NULL, DESURV_E_NOT_FITTED
 *  (no successful desurv_tune()).  @since 0.2 */
DESURV_API int desurv_tuner_choice(const desurv_tuner *t, double *params, int64_t *index);

/**
 * The surrogate's predicted mean C-index (and sd) over a (k, alpha) grid,
 * the other hyperparameters at the chosen values: every integer k of the k
 * range times 41 alpha values evenly spaced on the search scale (1 value
 * when not searched).  Row r holds k_out[r], alpha_out[r], mean[r], sd[r]
 * (k-major order).  With any output NULL only *len is set; DESURV_E_BUFFER
 * when cap < *len.  Available after a BO run.
 * @return DESURV_OK, DESURV_E_NULL, DESURV_E_NOT_FITTED, DESURV_E_BUFFER.
 * @since 0.2
 */
DESURV_API int desurv_tuner_surface(const desurv_tuner *t, double *k_out, double *alpha_out,
                                    double *mean, double *sd, int64_t cap, int64_t *len);

/** The fold of each sample used by the last desurv_tune() (n values).
 *  @return DESURV_OK, DESURV_E_NULL, DESURV_E_NOT_FITTED, DESURV_E_DIM (n).
 *  @since 0.2 */
DESURV_API int desurv_tuner_folds(const desurv_tuner *t, int32_t *fold, int64_t n);

/** Warnings of the last desurv_tune() (e.g. "fold 3 has no events"), one per
 *  line; "" when none.  Owned by t.  @since 0.2 */
DESURV_API const char *desurv_tuner_warnings(const desurv_tuner *t);

/** Detailed message of the last failed call on t ("" if none).  @since 0.2 */
DESURV_API const char *desurv_tuner_errmsg(const desurv_tuner *t);

/* ======================================================================
 *  Survival summaries (doc/model.md section 10)
 *
 *  Kaplan-Meier curve, k-group log-rank test and univariate Cox fit, the
 *  downstream summaries of a risk score (e.g. high vs low risk at the
 *  median).  They match R's survival package (survfit, survdiff, coxph
 *  with default settings) on the same data, with one documented
 *  difference: times are compared exactly, whereas survival merges times
 *  that agree to about 1e-8 relative ("timefix").  Inputs are checked as
 *  by desurv_fit(): time finite and >= 0, event 0 or 1.  No handle, so no
 *  detailed message: only the status code.  All three are thread-safe and
 *  sort once, O(n log n).
 * ====================================================================== */

/** Ties handling of desurv_cox1() (the values of option DESURV_OPT_TIES).
 *  coxph's default is Efron.  @since 0.2 */
#define DESURV_TIES_BRESLOW 0
#define DESURV_TIES_EFRON 1

/**
 * Kaplan-Meier estimate, as R's survfit(Surv(time, event) ~ 1): one row
 * per distinct time (event or censoring), ascending, with
 *  - t_out       the time;
 *  - surv_out    S(t) = prod_{s <= t} (1 - d_s / n_s);
 *  - se_out      Greenwood standard error of log S(t) (equivalently of the
 *                cumulative hazard), sqrt(sum_{s <= t} d_s / (n_s (n_s - d_s))):
 *                survfit's $std.err.  The standard error of S itself
 *                (summary.survfit's std.err) is surv_out * se_out.  Inf once
 *                S reaches 0 (every sample at risk dies);
 *  - lower_out, upper_out  95% confidence limits on the log scale
 *                (survfit's default conf.type = "log"):
 *                exp(log S -+ 1.959963984540054 se), the upper one capped at
 *                1; NaN where S = 0;
 *  - n_risk_out  samples with time >= t; n_event_out deaths at t;
 *                n_censor_out censorings at t.
 * Every output array may be NULL (not written).  *len always receives the
 * number of rows (at most n).  With all arrays NULL only *len is set;
 * otherwise min(cap, *len) rows are written and DESURV_E_BUFFER is returned
 * when cap < *len.  No events is valid (S = 1 throughout).
 * @param time   length n, finite, >= 0.
 * @param event  length n, each 0 (censored) or 1 (event).
 * @param n      samples, >= 1.
 * @param cap    rows the output arrays can hold.
 * @param len    receives the number of rows (required).
 * @return DESURV_OK, DESURV_E_NULL (time, event or len), DESURV_E_DIM
 *         (n < 1), DESURV_E_TIME, DESURV_E_EVENT, DESURV_E_BUFFER,
 *         DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_km(const double *time, const int32_t *event, int64_t n, double *t_out,
                         double *surv_out, double *se_out, double *lower_out, double *upper_out,
                         int64_t *n_risk_out, int64_t *n_event_out, int64_t *n_censor_out,
                         int64_t cap, int64_t *len);

/**
 * Log-rank test of g >= 2 groups, as R's survdiff(Surv(time, event) ~ group)
 * (rho = 0): at each distinct event time with n at risk, d deaths and n_k at
 * risk in group k, E_k += d n_k / n and the variance matrix gains
 * d (n - d) / (n - 1) (n_k / n) (delta_kl - n_l / n).  The statistic is
 * (O - E)^T V^- (O - E) over the groups with E_k > 0, one of them dropped;
 * df is their number minus 1 (chisq = 0, df = 0, p = 1 when fewer than two
 * groups have E_k > 0, as survdiff).  Should V be singular (a group at risk
 * only where every sample at risk dies) a generalised inverse is used and
 * df is its rank.  p_value = P(chi2_df > chisq), computed with the
 * regularised incomplete gamma function (relative accuracy ~1e-13 far into
 * the tail).
 * @param group       length n, arbitrary int32 labels.
 * @param chisq       the log-rank chi-square statistic; may be NULL.
 * @param df          its degrees of freedom; may be NULL.
 * @param p_value     its upper-tail p-value; may be NULL.
 * @param labels_out  the distinct labels, ascending (the order of all
 *                    per-group outputs); may be NULL.
 * @param observed    deaths per group; may be NULL.
 * @param expected    expected deaths per group; may be NULL.
 * @param cap_groups  entries the per-group arrays can hold.
 * @param n_groups    receives g (required).
 * With all per-group arrays NULL only the scalars and *n_groups are set;
 * otherwise min(cap_groups, g) groups are written, and DESURV_E_BUFFER is
 * returned (after setting the scalars) when cap_groups < g.
 * Cost O(n log n + E g^2 + g^3) for E distinct event times.
 * @return DESURV_OK, DESURV_E_NULL (time, event, group or n_groups),
 *         DESURV_E_DIM (n < 1, or fewer than 2 distinct labels: *n_groups
 *         is set), DESURV_E_TIME, DESURV_E_EVENT, DESURV_E_NO_EVENTS,
 *         DESURV_E_BUFFER, DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_logrank(const double *time, const int32_t *event, const int32_t *group,
                              int64_t n, double *chisq, int64_t *df, double *p_value,
                              int32_t *labels_out, double *observed, double *expected,
                              int64_t cap_groups, int64_t *n_groups);

/**
 * Univariate Cox proportional-hazards fit of one covariate x, as R's
 * coxph(Surv(time, event) ~ x) with default control: Newton-Raphson from
 * coef = 0, stopping at the first iterate whose log partial likelihood
 * differs from the best previous one by <= 1e-9 relative, with step halving
 * when the likelihood decreases (the same iterates as coxph, so the same
 * answer to rounding).
 * Outputs (each may be NULL): coef; se = sqrt(1 / information) at coef; hr =
 * exp(coef); hr_lo, hr_hi = exp(coef -+ 1.959963984540054 se) (95%);
 * p_wald = two-sided normal p of coef / se, erfc(|z| / sqrt 2); loglik0 and
 * loglik, the log partial likelihood at 0 and at coef (coxph's $loglik).
 * @param ties  DESURV_TIES_EFRON (coxph's default) or DESURV_TIES_BRESLOW.
 * @param x     length n, finite.  For a grouping pass 0/1: hr is then the
 *              hazard ratio of group 1 vs group 0.
 * When the estimate does not exist the outputs are NaN except as said and
 * DESURV_E_NUMERIC is returned:
 *  - x constant over every event's risk set (no information): coef NaN;
 *  - monotone likelihood, the estimate is infinite (every event has the
 *    largest x of its risk set, or every one the smallest; e.g. a group
 *    without events): coef = +Inf or -Inf, hr = exp(coef) and loglik0 set.
 *    (coxph stops at a large finite value with a warning.)
 * DESURV_E_NUMERIC is also returned if 50 iterations do not converge.
 * @return DESURV_OK, DESURV_E_NULL (time, event or x), DESURV_E_DIM (n < 1),
 *         DESURV_E_RANGE (ties not 0 or 1), DESURV_E_TIME, DESURV_E_EVENT,
 *         DESURV_E_NONFINITE (x), DESURV_E_NO_EVENTS, DESURV_E_NUMERIC,
 *         DESURV_E_NOMEM.  @since 0.2
 */
DESURV_API int desurv_cox1(const double *time, const int32_t *event, const double *x, int64_t n,
                           int ties, double *coef, double *se, double *hr, double *hr_lo,
                           double *hr_hi, double *p_wald, double *loglik0, double *loglik);

#ifdef __cplusplus
}
#endif

#endif /* DESURV_H */
