/* preprocess.c - the preprocessing of doc/model.md section 9: log2(x + 1), the
 * mean-and-variance gene filter, and the per-sample rank and quantile
 * transformations.
 *
 * These are plain array functions without a handle, so there is no place
 * for a detailed message: they return the status code only (the command
 * line tool reports the place itself, it knows the gene and sample ids).
 * Every function checks all of its input before writing anything, so a
 * failed call leaves X untouched. */
#include <math.h>
#include <stdlib.h>

#include "desurv/desurv.h"
#include "base/validate.h"

typedef struct keyed {
    double key;
    int64_t idx;
} keyed;

/* Ascending key, then ascending index: a total order, so the result does
 * not depend on qsort's (unstable) algorithm. */
static int keyed_asc(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static int check_input(const double *X, int64_t p, int64_t n, int64_t ldx, int nonneg)
{
    char msg[256]; /* no handle to keep it in; the status code says enough */
    if (!X)
        return DESURV_E_NULL;
    return dsv_check_matrix(msg, sizeof msg, "X", X, p, n, ldx, nonneg);
}

/* out[kv[t].idx] = average 1-based rank of kv[t].key, kv sorted ascending:
 * a block of equal keys at sorted positions a .. b-1 shares the mean of the
 * ranks a+1 .. b, as R's rank(ties.method = "average"). */
static void average_ranks(const keyed *kv, int64_t len, double *out, int64_t stride)
{
    for (int64_t a = 0, b; a < len; a = b) {
        for (b = a + 1; b < len && kv[b].key == kv[a].key; b++)
            ;
        double avg = 0.5 * (double)(a + 1 + b);
        for (int64_t t = a; t < b; t++)
            out[kv[t].idx * stride] = avg;
    }
}

/* Sorts column j of X (p entries) into kv. */
static void sort_column(const double *col, int64_t p, keyed *kv)
{
    for (int64_t g = 0; g < p; g++) {
        kv[g].key = col[g];
        kv[g].idx = g;
    }
    qsort(kv, (size_t)p, sizeof *kv, keyed_asc);
}

int desurv_log2p1(double *X, int64_t p, int64_t n, int64_t ldx)
{
    int rc = check_input(X, p, n, ldx, 1);
    if (rc != DESURV_OK)
        return rc;
    /* log2(x + 1.0) literally, as R's log2(x + 1): the published cohorts
     * were made that way, and a model trained on them must see identical
     * values (log1p would differ in the last bit). */
    for (int64_t j = 0; j < n; j++)
        for (int64_t g = 0; g < p; g++)
            X[g + j * ldx] = log2(X[g + j * ldx] + 1.0);
    return DESURV_OK;
}

/* Mean and sample variance (n - 1 denominator, 0 when n = 1) of row g,
 * the variance by the two-pass formula (no cancellation). */
static void row_moments(const double *X, int64_t g, int64_t n, int64_t ldx, double *mean,
                        double *var)
{
    double s = 0, ss = 0;
    for (int64_t j = 0; j < n; j++)
        s += X[g + j * ldx];
    s /= (double)n;
    for (int64_t j = 0; j < n; j++) {
        double d = X[g + j * ldx] - s;
        ss += d * d;
    }
    *mean = s;
    *var = n > 1 ? ss / (double)(n - 1) : 0.0;
}

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* rank[g] += descending average rank of stat[g] (largest = 1): ranking the
 * negated values ascending gives exactly that, ties included.  tmp: p
 * doubles of scratch. */
static void add_desc_ranks(const double *stat, int64_t p, keyed *kv, double *tmp, double *rank)
{
    for (int64_t g = 0; g < p; g++) {
        kv[g].key = -stat[g];
        kv[g].idx = g;
    }
    qsort(kv, (size_t)p, sizeof *kv, keyed_asc);
    average_ranks(kv, p, tmp, 1);
    for (int64_t g = 0; g < p; g++)
        rank[g] += tmp[g];
}

/* keep[0 .. ngene-1] = the genes of smallest rank sum, then sorted. */
static void select_genes(const double *X, int64_t p, int64_t n, int64_t ldx, int64_t ngene,
                         double *work, keyed *kv, int64_t *keep)
{
    double *mean = work, *var = work + p, *rank = work + 2 * p, *tmp = work + 3 * p;
    for (int64_t g = 0; g < p; g++) {
        row_moments(X, g, n, ldx, &mean[g], &var[g]);
        rank[g] = 0;
    }
    add_desc_ranks(mean, p, kv, tmp, rank);
    add_desc_ranks(var, p, kv, tmp, rank);
    /* Smallest rank sum first; equal sums keep the earlier gene (R's
     * order() is stable). */
    for (int64_t g = 0; g < p; g++) {
        kv[g].key = rank[g];
        kv[g].idx = g;
    }
    qsort(kv, (size_t)p, sizeof *kv, keyed_asc);
    for (int64_t i = 0; i < ngene; i++)
        keep[i] = kv[i].idx;
    /* File order, so that W's rows follow the input's gene order. */
    qsort(keep, (size_t)ngene, sizeof *keep, cmp_int64);
}

int desurv_gene_filter(const double *X, int64_t p, int64_t n, int64_t ldx, int64_t ngene,
                       int64_t *keep_idx_out)
{
    int rc = check_input(X, p, n, ldx, 0);
    if (rc != DESURV_OK)
        return rc;
    if (!keep_idx_out)
        return DESURV_E_NULL;
    if (ngene < 1 || ngene > p)
        return DESURV_E_DIM;
    double *work = malloc((size_t)p * 4 * sizeof *work);
    keyed *kv = malloc((size_t)p * sizeof *kv);
    if (work && kv)
        select_genes(X, p, n, ldx, ngene, work, kv, keep_idx_out);
    rc = work && kv ? DESURV_OK : DESURV_E_NOMEM;
    free(work), free(kv);
    return rc;
}

int desurv_transform_rank(double *X, int64_t p, int64_t n, int64_t ldx)
{
    int rc = check_input(X, p, n, ldx, 0);
    if (rc != DESURV_OK)
        return rc;
    keyed *kv = malloc((size_t)p * sizeof *kv);
    if (!kv)
        return DESURV_E_NOMEM;
    for (int64_t j = 0; j < n; j++) {
        sort_column(X + j * ldx, p, kv);
        average_ranks(kv, p, X + j * ldx, 1);
    }
    free(kv);
    return DESURV_OK;
}

int desurv_quantile_target(const double *X, int64_t p, int64_t n, int64_t ldx,
                           double *target_out)
{
    int rc = check_input(X, p, n, ldx, 0);
    if (rc != DESURV_OK)
        return rc;
    if (!target_out)
        return DESURV_E_NULL;
    keyed *kv = malloc((size_t)p * sizeof *kv);
    if (!kv)
        return DESURV_E_NOMEM;
    for (int64_t g = 0; g < p; g++)
        target_out[g] = 0.0;
    /* Accumulate sorted column / n rather than sum then divide: the
     * running values stay at the data's scale. */
    for (int64_t j = 0; j < n; j++) {
        sort_column(X + j * ldx, p, kv);
        for (int64_t g = 0; g < p; g++)
            target_out[g] += kv[g].key / (double)n;
    }
    free(kv);
    return DESURV_OK;
}

/* The target at a 1-based average rank r in [1, p]: target[r - 1] for an
 * integral rank, the linear interpolation between the neighbours for a
 * half-integral one (an even-sized block of ties), as preprocessCore's
 * normalize.quantiles.use.target does. */
static double target_at(const double *target, int64_t p, double r)
{
    int64_t lo = (int64_t)floor(r);
    double frac = r - (double)lo;
    if (frac == 0 || lo >= p)
        return target[lo - 1];
    return target[lo - 1] + frac * (target[lo] - target[lo - 1]);
}

int desurv_transform_quantile(double *X, int64_t p, int64_t n, int64_t ldx,
                              const double *target)
{
    int rc = check_input(X, p, n, ldx, 0);
    if (rc != DESURV_OK)
        return rc;
    if (!target)
        return DESURV_E_NULL;
    for (int64_t g = 0; g < p; g++) {
        if (!isfinite(target[g]))
            return DESURV_E_NONFINITE;
        if (g > 0 && target[g] < target[g - 1])
            return DESURV_E_RANGE; /* not a sorted distribution */
    }
    keyed *kv = malloc((size_t)p * sizeof *kv);
    double *r = malloc((size_t)p * sizeof *r);
    if (!kv || !r) {
        free(kv), free(r);
        return DESURV_E_NOMEM;
    }
    for (int64_t j = 0; j < n; j++) {
        double *col = X + j * ldx;
        sort_column(col, p, kv);
        average_ranks(kv, p, r, 1);
        for (int64_t g = 0; g < p; g++)
            col[g] = target_at(target, p, r[g]);
    }
    free(kv), free(r);
    return DESURV_OK;
}
