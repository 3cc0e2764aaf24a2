/* cindex.c - Harrell's concordance index in O(n log n).
 *
 * Definition (spec section 6): a pair (i, j) is comparable when y_i < y_j and
 * d_i = 1, or y_i = y_j with d_i = 1 and d_j = 0; it is concordant when
 * risk_i > risk_j, discordant when risk_i < risk_j, and counts 1/2 when the
 * risks are equal.
 *
 * Method: visit the distinct times from the largest down.  A Fenwick tree
 * indexed by the rank of the risk score holds every sample "still alive"
 * after the current time.  At a time t the censored samples of t are added
 * first (an event at t is compared with a censoring at t), then each event of
 * t asks the tree how many entries have a lower, equal and higher risk, and
 * only then are the events of t added (two events at one time are not
 * comparable).  Two sorts plus n tree operations: O(n log n).
 *
 * The counts are int64_t, so they are exact (no floating-point drift), and C
 * comes from one final division of integers that doubles hold exactly while
 * n^2 < 2^53 (n below ~9e7); beyond that the rounding is still ~1e-16. */
#include "cindex.h"

#include "desurv/desurv.h"
#include "validate.h"

#include <math.h>
#include <stdlib.h>

typedef struct keyed {
    double key;
    int64_t idx;
} keyed;

/* Total order on (key, idx): ties in key are broken by index so that qsort,
 * which is not stable, still gives a reproducible order. */
static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key < y->key)
        return -1;
    if (x->key > y->key)
        return 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static void sort_by(keyed *buf, const double *key, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        buf[i].key = key[i];
        buf[i].idx = i;
    }
    qsort(buf, (size_t)n, sizeof *buf, keyed_cmp);
}

/* Dense 1-based ranks of the risk scores (equal scores share a rank), so the
 * tree can test equality exactly.  Returns the number of distinct scores. */
static int64_t risk_ranks(keyed *buf, const double *risk, int64_t n, int64_t *rank)
{
    sort_by(buf, risk, n);
    int64_t r = 0;
    for (int64_t i = 0; i < n; i++) {
        if (i == 0 || buf[i].key != buf[i - 1].key)
            r++;
        rank[buf[i].idx] = r;
    }
    return r;
}

static void bit_add(int64_t *tree, int64_t m, int64_t pos)
{
    for (; pos <= m; pos += pos & -pos)
        tree[pos]++;
}

/* Number of inserted entries with rank <= pos. */
static int64_t bit_prefix(const int64_t *tree, int64_t pos)
{
    int64_t s = 0;
    for (; pos > 0; pos -= pos & -pos)
        s += tree[pos];
    return s;
}

typedef struct counts {
    int64_t conc, disc, tied;
} counts;

/* One block of equal times, order[lo .. hi-1]: censorings enter the tree,
 * events query it, then the events enter.  *alive counts tree entries. */
static void visit_time_block(const keyed *order, int64_t lo, int64_t hi, const int32_t *event,
                             const int64_t *rank, int64_t *tree, int64_t m, int64_t *alive,
                             counts *c)
{
    for (int64_t s = lo; s < hi; s++) {
        int64_t i = order[s].idx;
        if (event[i] == 0) {
            bit_add(tree, m, rank[i]);
            (*alive)++;
        }
    }
    for (int64_t s = lo; s < hi; s++) {
        int64_t i = order[s].idx;
        if (event[i] != 0) {
            int64_t below = bit_prefix(tree, rank[i] - 1);
            int64_t upto = bit_prefix(tree, rank[i]);
            c->conc += below;
            c->tied += upto - below;
            c->disc += *alive - upto;
        }
    }
    for (int64_t s = lo; s < hi; s++) {
        int64_t i = order[s].idx;
        if (event[i] != 0) {
            bit_add(tree, m, rank[i]);
            (*alive)++;
        }
    }
}

static void count_pairs(const keyed *order, const int32_t *event, const int64_t *rank,
                        int64_t *tree, int64_t m, int64_t n, counts *c)
{
    int64_t alive = 0;
    int64_t hi = n;
    while (hi > 0) {
        int64_t lo = hi - 1;
        while (lo > 0 && order[lo - 1].key == order[hi - 1].key)
            lo--;
        visit_time_block(order, lo, hi, event, rank, tree, m, &alive, c);
        hi = lo;
    }
}

int dsv_cindex(const double *time, const int32_t *event, const double *risk, int64_t n,
               double *c_out, double *n_conc, double *n_disc, double *n_tied)
{
    counts c = {0, 0, 0};
    if (n > 0) {
        keyed *buf = malloc((size_t)n * sizeof *buf);
        int64_t *rank = malloc((size_t)n * sizeof *rank);
        int64_t *tree = calloc((size_t)n + 1, sizeof *tree);
        if (!buf || !rank || !tree) {
            free(buf);
            free(rank);
            free(tree);
            return DESURV_E_NOMEM;
        }
        int64_t m = risk_ranks(buf, risk, n, rank);
        sort_by(buf, time, n); /* buf is reused: the risk order is in rank now */
        count_pairs(buf, event, rank, tree, m, n, &c);
        free(buf);
        free(rank);
        free(tree);
    }
    int64_t total = c.conc + c.disc + c.tied;
    /* 2C = (2 conc + tied) / total keeps the numerator an exact integer. */
    *c_out = total > 0 ? (double)(2 * c.conc + c.tied) / (2.0 * (double)total) : NAN;
    if (n_conc)
        *n_conc = (double)c.conc;
    if (n_disc)
        *n_disc = (double)c.disc;
    if (n_tied)
        *n_tied = (double)c.tied;
    return DESURV_OK;
}

int desurv_cindex(const double *time, const int32_t *event, const double *risk, int64_t n,
                  double *c_out)
{
    if (!time || !event || !risk || !c_out)
        return DESURV_E_NULL;
    if (n < 1)
        return DESURV_E_DIM;
    /* There is no handle to keep a detailed message in, so it is dropped. */
    char msg[256];
    int rc = dsv_check_survival(msg, sizeof msg, time, event, n, NULL);
    if (rc == DESURV_OK)
        rc = dsv_check_finite(msg, sizeof msg, "risk", risk, n);
    if (rc != DESURV_OK)
        return rc;
    return dsv_cindex(time, event, risk, n, c_out, NULL, NULL, NULL);
}
