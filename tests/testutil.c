#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <check.h>

#include "desurv/desurv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_path(const char *var, const char *fallback, const char *name, char *buf,
                            int cap)
{
    const char *dir = getenv(var);
    snprintf(buf, (size_t)cap, "%s/%s", dir ? dir : fallback, name);
    return buf;
}

const char *tu_golden_path(const char *name, char *buf, int cap)
{
    return env_path("DESURV_GOLDEN_DIR", "tests/golden", name, buf, cap);
}

const char *tu_data_path(const char *name, char *buf, int cap)
{
    return env_path("DESURV_DATA_DIR", "data", name, buf, cap);
}

/* Split line in place on tabs; returns number of fields. */
static int64_t split_tabs(char *line, char ***fields, int64_t *cap)
{
    int64_t nf = 0;
    char *p = line;
    for (;;) {
        if (nf == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *fields = realloc(*fields, (size_t)*cap * sizeof **fields);
        }
        (*fields)[nf++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return nf;
}

static char *read_line(FILE *f)
{
    size_t cap = 256, len = 0;
    char *buf = malloc(cap);
    int c;
    while ((c = fgetc(f)) != EOF && c != '\n') {
        if (len + 1 >= cap)
            buf = realloc(buf, cap *= 2);
        buf[len++] = (char)c;
    }
    if (c == EOF && len == 0) {
        free(buf);
        return NULL;
    }
    if (len && buf[len - 1] == '\r')
        len--;
    buf[len] = '\0';
    return buf;
}

int tu_read_tsv(const char *path, tu_table *t)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char **fields = NULL;
    int64_t fcap = 0;
    char *line = read_line(f);
    if (!line) {
        fclose(f);
        return -1;
    }
    t->cols = split_tabs(line, &fields, &fcap);
    t->names = malloc((size_t)t->cols * sizeof *t->names);
    for (int64_t j = 0; j < t->cols; j++)
        t->names[j] = strdup(fields[j]);
    free(line);
    int64_t rcap = 64;
    double *rowmajor = malloc((size_t)(rcap * t->cols) * sizeof *rowmajor);
    while ((line = read_line(f))) {
        if (line[0] == '\0') {
            free(line);
            continue;
        }
        int64_t nf = split_tabs(line, &fields, &fcap);
        if (nf != t->cols) {
            free(line);
            free(rowmajor);
            free(fields);
            fclose(f);
            return -2;
        }
        if (t->rows == rcap)
            rowmajor = realloc(rowmajor, (size_t)((rcap *= 2) * t->cols) * sizeof *rowmajor);
        for (int64_t j = 0; j < nf; j++)
            rowmajor[t->rows * t->cols + j] =
                strcmp(fields[j], "NA") == 0 ? NAN : strtod(fields[j], NULL);
        t->rows++;
        free(line);
    }
    fclose(f);
    free(fields);
    t->data = malloc((size_t)(t->rows * t->cols + 1) * sizeof *t->data);
    for (int64_t i = 0; i < t->rows; i++)
        for (int64_t j = 0; j < t->cols; j++)
            t->data[i + j * t->rows] = rowmajor[i * t->cols + j];
    free(rowmajor);
    return 0;
}

void tu_table_free(tu_table *t)
{
    for (int64_t j = 0; t->names && j < t->cols; j++)
        free(t->names[j]);
    free(t->names);
    free(t->data);
    memset(t, 0, sizeof *t);
}

int64_t tu_col(const tu_table *t, const char *name)
{
    for (int64_t j = 0; j < t->cols; j++)
        if (strcmp(t->names[j], name) == 0)
            return j;
    return -1;
}

double *tu_colp(const tu_table *t, int64_t j)
{
    return t->data + j * t->rows;
}

double tu_max_relerr(const double *a, const double *b, int64_t n)
{
    double m = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs(a[i] - b[i]) / fmax(1.0, fabs(b[i]));
        if (!(d <= m))
            m = d; /* NaN propagates as "worse" */
    }
    return m;
}

int tu_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void tu_check_trace_monotone(const double *trace, int64_t len, const char *what)
{
    for (int64_t i = 1; i < len; i++)
        ck_assert_msg(trace[i] <= trace[i - 1],
                      "%s: loss trace increases at iteration %lld: %.17g -> %.17g", what,
                      (long long)i, trace[i - 1], trace[i]);
}

int tu_fit(struct desurv_model *m, const double *X, int64_t p, int64_t n, int64_t ldx,
           const double *time, const int32_t *event)
{
    int rc = desurv_fit(m, X, p, n, ldx, time, event);
    if (rc != DESURV_OK)
        return rc;
    int64_t len = 0;
    ck_assert_int_eq(desurv_model_trace(m, NULL, 0, &len), DESURV_OK);
    double *tr = malloc((size_t)(len > 0 ? len : 1) * sizeof *tr);
    ck_assert_ptr_nonnull(tr);
    ck_assert_int_eq(desurv_model_trace(m, tr, len, &len), DESURV_OK);
    double off = -1, hs = -1;
    desurv_get_option(m, DESURV_OPT_OFFSET, &off);
    desurv_get_option(m, DESURV_OPT_HSTEP, &hs);
    char what[64];
    snprintf(what, sizeof what, "fit (offset %g, hstep %g)", off, hs);
    tu_check_trace_monotone(tr, len, what);
    free(tr);
    return rc;
}