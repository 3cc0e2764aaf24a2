/* validate.h - argument checks shared by the public entry points.
 * Each returns DESURV_OK or an error code, and on error writes a message
 * naming the first offending place into msg (capacity cap).
 *
 * Message conventions (one for the whole library):
 *  - Bracketed indices are 0-based, as in C and numpy: "X[17, 3]",
 *    "time[5]".  Because users of R and of spreadsheets count from 1, a
 *    parenthesis repeats the place 1-based in words: "X[17, 3] (gene 18,
 *    sample 4) is NaN", "time[5] = -1 is negative (sample 6)".
 *  - Matrices are scanned in memory (column-major) order and the first bad
 *    entry is reported, whether it is non-finite or negative.
 *  - The offending value is printed with %g ("= -0.5"); NaN and Inf are
 *    named ("is NaN", "is Inf", "is -Inf").
 *  - Size checks come before any entry is read, in the order
 *    DESURV_E_DIM (rows/cols < 1), DESURV_E_OVERFLOW (rows, cols or ld above
 *    DSV_BLAS_INT_MAX), DESURV_E_LD (ld < rows), so an absurd size is refused
 *    without touching memory. */
#ifndef DESURV_VALIDATE_H
#define DESURV_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

/* Largest size accepted by the BLAS integer (int). */
#define DSV_BLAS_INT_MAX 2147483647LL

/* name: "X" etc.  nonneg: also refuse negative entries.
 * The 1-based words come from the name: X -> gene/sample, W/W0 ->
 * gene/factor, H/H0 -> factor/sample, anything else -> row/column. */
int dsv_check_matrix(char *msg, size_t cap, const char *name, const double *A, int64_t rows,
                     int64_t cols, int64_t ld, int nonneg);
/* time finite >= 0, event 0/1; n < 1 is DESURV_E_DIM.
 * n_events non-NULL: the caller fits a Cox model, so the events are counted
 * into *n_events and zero events is DESURV_E_NO_EVENTS ("no events among 40
 * samples").  n_events NULL (the C-index): zero events is accepted, since C
 * is then merely undefined (NaN), not an error. */
int dsv_check_survival(char *msg, size_t cap, const double *time, const int32_t *event,
                       int64_t n, int64_t *n_events);
/* Finite vector check (e.g. risk scores): DESURV_E_NONFINITE. */
int dsv_check_finite(char *msg, size_t cap, const char *name, const double *v, int64_t n);

/* DESURV_E_NO_EVENTS ("no events among 40 samples") when n_events < 1;
 * the check dsv_check_survival applies when asked for the count. */
int dsv_check_events(char *msg, size_t cap, int64_t n_events, int64_t n);

#endif
