/* design.c - see design.h. */
#include "design.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

void design_free(design *d)
{
    free(d->time);
    free(d->Z);
    free(d->event);
    memset(d, 0, sizeof *d);
}

void load_design(const char *name, design *d)
{
    char path[1024];
    tu_table t;
    ck_assert_int_eq(tu_read_tsv(tu_golden_path(name, path, sizeof path), &t), 0);
    d->n = t.rows;
    d->k = t.cols - 2;
    d->time = malloc((size_t)d->n * sizeof *d->time);
    d->event = malloc((size_t)d->n * sizeof *d->event);
    d->Z = malloc((size_t)(d->n * d->k) * sizeof *d->Z);
    memcpy(d->time, tu_colp(&t, tu_col(&t, "time")), (size_t)d->n * sizeof *d->time);
    const double *ev = tu_colp(&t, tu_col(&t, "event"));
    for (int64_t i = 0; i < d->n; i++)
        d->event[i] = (int32_t)ev[i];
    for (int64_t r = 0; r < d->k; r++) {
        char name_r[16];
        snprintf(name_r, sizeof name_r, "z%d", (int)(r + 1));
        int64_t j = tu_col(&t, name_r);
        ck_assert_int_ge(j, 0);
        memcpy(d->Z + r * d->n, tu_colp(&t, j), (size_t)d->n * sizeof *d->Z);
    }
    tu_table_free(&t);
}
