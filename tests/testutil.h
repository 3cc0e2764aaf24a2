/* testutil.h - small helpers shared by the Check suites. */
#ifndef DESURV_TESTUTIL_H
#define DESURV_TESTUTIL_H

#include <stdint.h>

/* A numeric table read from a TSV file with one header line. Column-major:
 * value of row i, column j is data[i + j * rows]. */
typedef struct tu_table {
    int64_t rows, cols;
    char **names;   /* cols header names */
    double *data;
} tu_table;

/* Path of a golden file: $DESURV_GOLDEN_DIR/name (falls back to tests/golden). */
const char *tu_golden_path(const char *name, char *buf, int cap);
/* Path of a bundled data file: $DESURV_DATA_DIR/name (falls back to data). */
const char *tu_data_path(const char *name, char *buf, int cap);

/* Read a TSV (optionally .gz is NOT supported here; plain text only).
 * Cells "NA" become NaN.  Returns 0 on success. */
int tu_read_tsv(const char *path, tu_table *t);
void tu_table_free(tu_table *t);
/* Column index by header name, or -1. */
int64_t tu_col(const tu_table *t, const char *name);
/* Pointer to column j. */
double *tu_colp(const tu_table *t, int64_t j);

/* Run a Check suite (freed here) and return the process exit status. */
struct Suite;
int tu_run_suite(struct Suite *s);

/* Fail the running test unless trace[0..len-1] never increases (a loss
 * trace of a fit: every block step of the algorithm leaves L
 * non-increasing, so any increase is a bug). */
void tu_check_trace_monotone(const double *trace, int64_t len, const char *what);

/* desurv_fit, and when it succeeds, the fitted model's loss trace is
 * checked with tu_check_trace_monotone: every test fits through this. */
struct desurv_model;
int tu_fit(struct desurv_model *m, const double *X, int64_t p, int64_t n, int64_t ldx,
           const double *time, const int32_t *event);

/* Max |a - b| / max(1, |b|) over n values. */
double tu_max_relerr(const double *a, const double *b, int64_t n);

#endif
