/* folds.c - cross-validation folds (doc/model.md section 7).
 *
 * Stratified assignment: sort the samples by (stratum, event, index), which
 * is a total order and so gives the same cells on every platform whatever
 * qsort does with ties; shuffle each cell with the library generator; then
 * deal the whole sequence to folds 0, 1, .., K-1, 0, 1, .. without
 * restarting at a cell boundary.  One continuous round-robin makes the fold
 * sizes differ by at most one, and a run of m consecutive positions of it
 * gives every fold floor(m/K) or ceil(m/K) samples, so each cell is balanced
 * to within one as well. */
#include "tune/folds.h"

#include "desurv/desurv.h"
#include "base/msg.h"
#include "base/rng.h"

#include <stdlib.h>

typedef struct cell_key {
    int32_t stratum;
    int32_t event;   /* 0 or 1 */
    int64_t idx;
} cell_key;

static int cell_key_cmp(const void *a, const void *b)
{
    const cell_key *x = a, *y = b;
    if (x->stratum != y->stratum)
        return x->stratum < y->stratum ? -1 : 1;
    if (x->event != y->event)
        return x->event < y->event ? -1 : 1;
    if (x->idx != y->idx)
        return x->idx < y->idx ? -1 : 1;
    return 0;
}

static int same_cell(const cell_key *a, const cell_key *b)
{
    return a->stratum == b->stratum && a->event == b->event;
}

/* Fisher-Yates on keys[0 .. len-1]. */
static void shuffle(cell_key *keys, int64_t len, dsv_rng *r)
{
    for (int64_t i = len - 1; i > 0; i--) {
        int64_t j = dsv_rng_below(r, i + 1);
        cell_key t = keys[i];
        keys[i] = keys[j];
        keys[j] = t;
    }
}

int dsv_make_folds(int64_t n, const int32_t *event, const int32_t *strata, int64_t K,
                   uint64_t seed, int32_t *fold)
{
    /* fold[] holds int32 labels, hence the INT32_MAX bound. */
    if (K < 2 || K > n || K > INT32_MAX)
        return DESURV_E_DIM;
    if ((uint64_t)n > SIZE_MAX / sizeof(cell_key))
        return DESURV_E_NOMEM;
    cell_key *keys = malloc((size_t)n * sizeof *keys);
    if (!keys)
        return DESURV_E_NOMEM;
    for (int64_t i = 0; i < n; i++)
        keys[i] = (cell_key){strata ? strata[i] : 0, event[i] != 0, i};
    qsort(keys, (size_t)n, sizeof *keys, cell_key_cmp);

    dsv_rng r;
    dsv_rng_seed(&r, seed, DSV_FOLDS_STREAM);
    for (int64_t lo = 0, hi; lo < n; lo = hi) {
        for (hi = lo + 1; hi < n && same_cell(&keys[lo], &keys[hi]); hi++)
            ;
        shuffle(keys + lo, hi - lo, &r);
    }
    for (int64_t j = 0; j < n; j++)
        fold[keys[j].idx] = (int32_t)(j % K);
    free(keys);
    return DESURV_OK;
}

/* First sample whose label cannot belong to a valid K (K <= n, since every
 * fold needs a sample); -1 when all labels are in 0 .. n-1. */
static int64_t first_bad_label(const int32_t *fold, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (fold[i] < 0 || fold[i] >= n)
            return i;
    return -1;
}

static int64_t max_label(const int32_t *fold, int64_t n)
{
    int64_t mx = 0;
    for (int64_t i = 0; i < n; i++)
        if (fold[i] > mx)
            mx = fold[i];
    return mx;
}

/* First label in 0 .. K-1 that no sample uses; -1 when none.  Labels are
 * known to lie in 0 .. K-1. */
static int64_t first_empty_fold(const int32_t *fold, int64_t n, int64_t K, int *nomem)
{
    unsigned char *used = calloc((size_t)K, 1);
    *nomem = used == NULL;
    if (!used)
        return -1;
    for (int64_t i = 0; i < n; i++)
        used[fold[i]] = 1;
    int64_t empty = -1;
    for (int64_t j = 0; j < K && empty < 0; j++)
        if (!used[j])
            empty = j;
    free(used);
    return empty;
}

int dsv_check_folds(const int32_t *fold, int64_t n, int64_t *K, char *msg, size_t cap)
{
    *K = 0;
    if (n < 1) {
        dsv_msg(msg, cap, "%lld samples; folds need at least 2", (long long)n);
        return DESURV_E_DIM;
    }
    int64_t bad = first_bad_label(fold, n);
    if (bad >= 0) {
        dsv_msg(msg, cap, "fold[%lld] = %ld is outside 0 .. %lld (sample index %lld, 0-based): "
                "fold labels are 0 .. K-1 and K cannot exceed the %lld samples",
                (long long)bad, (long)fold[bad], (long long)(n - 1), (long long)bad,
                (long long)n);
        return DESURV_E_RANGE;
    }
    int64_t k = max_label(fold, n) + 1;
    if (k < 2) {
        dsv_msg(msg, cap, "all %lld samples are in fold 0; at least 2 folds are needed",
                (long long)n);
        return DESURV_E_RANGE;
    }
    int nomem;
    int64_t empty = first_empty_fold(fold, n, k, &nomem);
    if (nomem)
        return DESURV_E_NOMEM;
    if (empty >= 0) {
        dsv_msg(msg, cap, "fold %lld is empty: labels run 0 .. %lld (K = %lld) but no sample "
                "has label %lld", (long long)empty, (long long)(k - 1), (long long)k,
                (long long)empty);
        return DESURV_E_RANGE;
    }
    *K = k;
    return DESURV_OK;
}

/* Without a scratch array: one pass over the samples per fold.  Used only
 * when the allocation fails, so the count never needs an error channel. */
static int64_t count_scan(const int32_t *fold, const int32_t *event, int64_t n, int64_t K)
{
    int64_t none = 0;
    for (int64_t j = 0; j < K; j++) {
        int64_t i = 0;
        while (i < n && !(fold[i] == j && event[i] != 0))
            i++;
        none += i == n;
    }
    return none;
}

int64_t dsv_folds_without_events(const int32_t *fold, const int32_t *event, int64_t n,
                                 int64_t K)
{
    if (K < 1)
        return 0;
    /* A label >= n holds no sample, so only folds below min(K, n) can have
     * an event; n bytes are always addressable since fold[] has n entries. */
    int64_t m = K < n ? K : n;
    unsigned char *has = m > 0 ? calloc((size_t)m, 1) : NULL;
    if (m > 0 && !has)
        return count_scan(fold, event, n, K);
    for (int64_t i = 0; i < n; i++)
        if (event[i] != 0 && fold[i] >= 0 && fold[i] < m)
            has[fold[i]] = 1;
    int64_t none = K - m;
    for (int64_t j = 0; j < m; j++)
        none += !has[j];
    free(has);
    return none;
}
