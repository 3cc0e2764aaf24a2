/* validate.c - argument checks with messages that point at the culprit.
 *
 * A fit on 20,000 genes that fails with "invalid input" is useless; the
 * message must say which entry is wrong, so every check reports the first
 * offending place in the conventions documented in validate.h. */
#include "base/validate.h"

#include <math.h>
#include <string.h>

#include "base/msg.h"
#include "desurv/desurv.h"

/* Words for the 1-based repetition of an index, chosen from the argument's
 * name so that messages speak the user's language (gene, sample, factor). */
typedef struct dsv_axis_words {
    const char *name, *row, *col;
} dsv_axis_words;

static const dsv_axis_words axis_words[] = {
    {"X", "gene", "sample"},    {"W", "gene", "factor"},   {"W0", "gene", "factor"},
    {"H", "factor", "sample"},  {"H0", "factor", "sample"}, {"time", "sample", NULL},
    {"event", "sample", NULL},  {"risk", "sample", NULL},  {"lp", "sample", NULL},
    {"beta", "factor", NULL},   {"beta0", "factor", NULL},
};

static const dsv_axis_words *words_for(const char *name)
{
    static const dsv_axis_words fallback = {NULL, "row", "column"};
    for (size_t i = 0; i < sizeof axis_words / sizeof axis_words[0]; i++)
        if (name && strcmp(axis_words[i].name, name) == 0)
            return &axis_words[i];
    return &fallback;
}

/* Vectors without a known meaning are counted as plain entries. */
static const char *vector_word(const char *name)
{
    const dsv_axis_words *w = words_for(name);
    return w->col == NULL ? w->row : "entry";
}

/* "NaN", "Inf" or "-Inf"; only called for non-finite v. */
static const char *nonfinite_word(double v)
{
    if (isnan(v))
        return "NaN";
    return v > 0 ? "Inf" : "-Inf";
}

static int check_sizes(char *msg, size_t cap, const char *name, int64_t rows, int64_t cols,
                       int64_t ld)
{
    if (rows < 1 || cols < 1) {
        dsv_msg(msg, cap, "%s is %lld x %lld; both dimensions must be >= 1", name,
                (long long)rows, (long long)cols);
        return DESURV_E_DIM;
    }
    if (rows > DSV_BLAS_INT_MAX || cols > DSV_BLAS_INT_MAX || ld > DSV_BLAS_INT_MAX) {
        dsv_msg(msg, cap, "%s is %lld x %lld with leading dimension %lld; sizes above %lld "
                "do not fit the BLAS integer", name, (long long)rows, (long long)cols,
                (long long)ld, DSV_BLAS_INT_MAX);
        return DESURV_E_OVERFLOW;
    }
    if (ld < rows) {
        dsv_msg(msg, cap, "leading dimension of %s is %lld, smaller than its %lld rows", name,
                (long long)ld, (long long)rows);
        return DESURV_E_LD;
    }
    return DESURV_OK;
}

/* Position of the first non-finite (or, with nonneg, negative) entry in
 * memory order; returns 0 when there is none. */
static int find_bad_entry(const double *A, int64_t rows, int64_t cols, int64_t ld, int nonneg,
                          int64_t *bad_i, int64_t *bad_j)
{
    for (int64_t j = 0; j < cols; j++) {
        const double *col = A + j * ld;
        for (int64_t i = 0; i < rows; i++) {
            double v = col[i];
            if (!isfinite(v) || (nonneg && v < 0)) {
                *bad_i = i;
                *bad_j = j;
                return 1;
            }
        }
    }
    return 0;
}

int dsv_check_matrix(char *msg, size_t cap, const char *name, const double *A, int64_t rows,
                     int64_t cols, int64_t ld, int nonneg)
{
    int rc = check_sizes(msg, cap, name, rows, cols, ld);
    int64_t i, j;
    if (rc != DESURV_OK || !find_bad_entry(A, rows, cols, ld, nonneg, &i, &j))
        return rc;
    const dsv_axis_words *w = words_for(name);
    double v = A[i + j * ld];
    if (!isfinite(v)) {
        dsv_msg(msg, cap, "%s[%lld, %lld] (%s %lld, %s %lld) is %s", name, (long long)i,
                (long long)j, w->row, (long long)(i + 1), w->col, (long long)(j + 1),
                nonfinite_word(v));
        return DESURV_E_NONFINITE;
    }
    dsv_msg(msg, cap, "%s[%lld, %lld] (%s %lld, %s %lld) = %g is negative", name, (long long)i,
            (long long)j, w->row, (long long)(i + 1), w->col, (long long)(j + 1), v);
    return DESURV_E_NEGATIVE;
}

static int check_time(char *msg, size_t cap, double t, int64_t i)
{
    if (!isfinite(t)) {
        dsv_msg(msg, cap, "time[%lld] is %s (sample %lld)", (long long)i, nonfinite_word(t),
                (long long)(i + 1));
        return DESURV_E_TIME;
    }
    if (t < 0) {
        dsv_msg(msg, cap, "time[%lld] = %g is negative (sample %lld)", (long long)i, t,
                (long long)(i + 1));
        return DESURV_E_TIME;
    }
    return DESURV_OK;
}

int dsv_check_survival(char *msg, size_t cap, const double *time, const int32_t *event,
                       int64_t n, int64_t *n_events)
{
    if (n < 1) {
        dsv_msg(msg, cap, "%lld samples; at least 1 is needed", (long long)n);
        return DESURV_E_DIM;
    }
    int64_t events = 0;
    /* One pass by sample, so the message names the first bad sample
     * whichever of its two fields is wrong. */
    for (int64_t i = 0; i < n; i++) {
        int rc = check_time(msg, cap, time[i], i);
        if (rc != DESURV_OK)
            return rc;
        if (event[i] != 0 && event[i] != 1) {
            dsv_msg(msg, cap, "event[%lld] = %ld is not 0 or 1 (sample %lld)", (long long)i,
                    (long)event[i], (long long)(i + 1));
            return DESURV_E_EVENT;
        }
        events += event[i];
    }
    if (!n_events)
        return DESURV_OK;
    *n_events = events;
    return dsv_check_events(msg, cap, events, n);
}

int dsv_check_finite(char *msg, size_t cap, const char *name, const double *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
            dsv_msg(msg, cap, "%s[%lld] is %s (%s %lld)", name, (long long)i,
                    nonfinite_word(v[i]), vector_word(name), (long long)(i + 1));
            return DESURV_E_NONFINITE;
        }
    }
    return DESURV_OK;
}

int dsv_check_events(char *msg, size_t cap, int64_t n_events, int64_t n)
{
    if (n_events >= 1)
        return DESURV_OK;
    dsv_msg(msg, cap, "no events among %lld samples; the Cox model needs at least one",
            (long long)n);
    return DESURV_E_NO_EVENTS;
}
