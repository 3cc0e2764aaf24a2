/* validate.h - argument checks shared by the public entry points.
 * Each returns DESURV_OK or an error code, and on error writes a message
 * naming the first offending place into msg (capacity cap). */
#ifndef DESURV_VALIDATE_H
#define DESURV_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

/* Largest size accepted by the BLAS integer (int). */
#define DSV_BLAS_INT_MAX 2147483647LL

/* name: "X" etc.  nonneg: also refuse negative entries. */
int dsv_check_matrix(char *msg, size_t cap, const char *name, const double *A, int64_t rows,
                     int64_t cols, int64_t ld, int nonneg);
/* time finite >= 0, event 0/1; counts events into *n_events (may be NULL). */
int dsv_check_survival(char *msg, size_t cap, const double *time, const int32_t *event,
                       int64_t n, int64_t *n_events);
/* Finite vector check (e.g. risk scores). */
int dsv_check_finite(char *msg, size_t cap, const char *name, const double *v, int64_t n);

#endif
