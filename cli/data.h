/* data.h - the expression matrix and the survival table as the user gives
 * them, validated cell by cell, and their matching by sample id. */
#ifndef DESURV_CLI_DATA_H
#define DESURV_CLI_DATA_H

#include <stdint.h>

#include "cli.h"
#include "io.h"

/* What to do with a missing expression value. */
enum { NA_ERROR = 0, NA_ZERO, NA_DROP_GENE };

typedef struct expr_opts {
    int transpose;      /* samples in rows, genes in columns */
    int na_mode;        /* NA_* */
    int allow_negative; /* negative values are data (e.g. rank transform follows) */
} expr_opts;

/* Expression: p genes x n samples, column-major (X[g + j p]). */
typedef struct expr {
    int64_t p, n;
    char **gene, **sample;
    double *X;
    file_info info;
} expr;

typedef struct surv_opts {
    const char *sample_col, *time_col, *event_col; /* NULL: the usual names */
    const char *select;                            /* "COLUMN=VALUE" or NULL */
    const char *cohort_col;                        /* cohort column (exact name) or NULL */
} surv_opts;

typedef struct surv {
    int64_t n;
    char **sample;
    double *time;
    int32_t *event;
    int64_t *line; /* line of each sample in the file */
    char **cohort; /* cohort label of each sample, NULL without a cohort column */
    file_info info;
} surv;

int expr_read(const char *path, const expr_opts *o, const cli_common *c, expr *e);
void expr_free(expr *e);
int surv_read(const char *path, const surv_opts *o, const cli_common *c, surv *s);
void surv_free(surv *s);

/* The matched training data: expression columns and survival rows of the
 * samples present in both files, in the expression file's order.  The
 * expression is modified in place (columns compacted; e->n updated). */
typedef struct matched {
    int64_t n, events;
    double *time;
    int32_t *event;
    /* With a cohort column: cohort[j] = code of sample j's cohort, codes
     * 0 .. ncohort-1 in order of first appearance (among the matched
     * samples, in the expression file's order); cohort_name[code]. */
    int32_t *cohort;
    char **cohort_name;
    int64_t ncohort;
} matched;

int match_samples(expr *e, const surv *s, const cli_common *c, matched *m);
void matched_free(matched *m);

#endif
