/* prep.h - from files to the matrix a model sees (doc/model.md section 9), and the
 * record of that preprocessing inside a model, so that prediction applies
 * exactly the same steps to new data. */
#ifndef DESURV_CLI_PREP_H
#define DESURV_CLI_PREP_H

#include <stdint.h>

#include <desurv/desurv.h>

#include "cli.h"
#include "data.h"
#include "io.h"

enum { TR_NONE = 0, TR_RANK, TR_QUANTILE };
extern const char *const transform_names[3]; /* "none", "rank", "quantile" */

typedef struct prep_opts {
    int log2p1;    /* log2(x + 1) first */
    int64_t ngene; /* gene filter: keep this many (0 = all) */
    int transform; /* TR_* */
} prep_opts;

/* Data ready for fitting (or scoring): p genes x n samples. */
typedef struct dataset {
    int64_t p, n, events, p_input;
    double *X;
    char **gene, **sample;
    double *time;     /* NULL when scoring without survival */
    int32_t *event;
    double *qtarget;  /* quantile target (p values) or NULL */
    /* Cohorts (training data with --cohort-col): codes 0 .. ncohort-1 per
     * sample in order of first appearance, their names and sizes. */
    int32_t *cohort;
    char **cohort_name;
    int64_t *cohort_n;
    int64_t ncohort;
    prep_opts prep;
    file_info expr_info, surv_info;
} dataset;

void dataset_free(dataset *d);

/* Reads, validates, matches and preprocesses the training data. */
int dataset_load(const char *expr_path, const char *surv_path, const expr_opts *eo,
                 const surv_opts *so, const prep_opts *po, const cli_common *c, dataset *d);

/* Moves m's cohort codes and names into d and counts the samples of each
 * cohort (d->cohort_n); nothing without a cohort column. */
int dataset_take_cohorts(dataset *d, matched *m);
/* "2 cohorts (samples): A 60, B 40" as a note (nothing without cohorts). */
void cohort_note(const dataset *d, const cli_common *c);

/* Stores gene and sample ids and the preprocessing in m (fitted on d). */
int prep_store(desurv_model *m, const dataset *d);

/* Reads new expression data for a model: genes aligned to the model's by
 * id (missing genes are an error listing them, or zeros with
 * missing_zero), then the model's preprocessing.  No survival. */
int dataset_for_model(const char *expr_path, const expr_opts *eo, const desurv_model *m,
                      int missing_zero, const cli_common *c, dataset *d);

/* The preprocessing recorded in m (defaults when absent). */
void prep_read(const desurv_model *m, prep_opts *po);

#endif
