/* model.h - the desurv_model handle (internal layout) and error helpers. */
#ifndef DESURV_MODEL_H
#define DESURV_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "desurv/desurv.h"
#include "base/msg.h"

struct desurv_model {
    double opt[DESURV_OPT_COUNT]; /* current option values (k = 0: unset) */

    /* user-supplied start for init = 2 (owned copies, NULL when absent) */
    double *W0, *H0, *beta0;
    int64_t W0_p, W0_k, H0_n;

    /* the fit (valid when fitted != 0) */
    int fitted;
    int64_t p, n, k;
    double *W;       /* p x k, ld p, unit-norm columns */
    double *H;       /* k x n, ld k, training sample order */
    double *beta;    /* k */
    double *b;       /* p: per-gene offset (zeros without offset; NULL: all zero) */
    double *zmean;   /* k: mean of the training factor scores X^T W */
    double *zsd;     /* k: population sd of the training scores (1 when ~0) */
    double fit_opt[DESURV_OPT_COUNT]; /* options the fit was made with */
    double stat[DESURV_STAT_COUNT];
    double *trace;   /* per-iteration loss of the final run */
    int64_t trace_len;
    /* DESURV_TRACE_TERMS values per trace entry, entry after entry (the
     * order they are recorded in); NULL for a model read from a file */
    double *trace_terms;

    /* annotations (annot.c): names[w] is a blob of name_count[w] NUL-
     * terminated strings, name i at names[w] + name_off[w][i] (w =
     * DESURV_NAMES_GENES / _SAMPLES); meta is sorted by key (annot.h) */
    char *names[2];
    int64_t *name_off[2];
    int64_t name_count[2];
    struct dsv_meta *meta;
    int64_t meta_len, meta_cap;

    desurv_progress_fn progress;   /* may be NULL */
    void *progress_user;

    char errmsg[DSV_ERRMSG_CAP];
};

/* Record a formatted message on m (may be NULL) and return code. */
int dsv_fail(desurv_model *m, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Upper bound of the seed options (model and tuner): 2^53, above which not
 * every integer is a double, so seeds would collide. */
#define DSV_SEED_MAX 9007199254740992.0

/* Option table (options.c). */
typedef struct dsv_option_info {
    const char *name;
    double lo, hi, def;
    int integral;
} dsv_option_info;

const dsv_option_info *dsv_option_table(void); /* DESURV_OPT_COUNT entries */

/* Free the annotations of m (annot.c; see annot.h). */
void dsv_annot_free(desurv_model *m);
void dsv_options_default(double *opt);

#endif
