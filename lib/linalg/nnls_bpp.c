/* nnls_bpp.c - block principal pivoting for many NNLS problems that share
 * one Gram matrix (Kim & Park 2011, Algorithm 2).
 *
 * Each column j keeps a passive set F_j (its free variables).  A round
 * solves G_FF x_F = c_F for every column still in play, with x = 0 off F,
 * and finds the infeasible variables V_j = {r in F: x_r < 0} u {r not in
 * F: y_r < 0}, y = G x - c.  A column with V_j empty is optimal: x >= 0,
 * y >= 0 on the zeros and y = 0 on F are exactly the KKT conditions.
 * Otherwise F_j is replaced by F_j xor V_j (full exchange); when that has
 * not reduced |V_j| for FULL_TRIES rounds in a row only the largest index
 * of V_j is flipped (Murty's single exchange), which cannot cycle in exact
 * arithmetic, and the full exchange resumes as soon as |V_j| drops.
 *
 * Columns with equal F are solved together: the columns in play are sorted
 * by their bitmask (LSD radix sort, stable, so the order is deterministic),
 * and each run of equal masks gets one Cholesky factorisation of G_FF
 * (dpotrf, O(f^3)) and one dpotrs + one dgemm per block of CHUNK columns
 * for x_F and G(:, F) x_F.  A round therefore costs O(k^2 m) flops for its
 * m columns plus O(f^3) per distinct passive set, and warm starts from the
 * previous outer iteration usually need one or two rounds.
 *
 * Rounding: y is compared with -tol, tol = TOL_REL (|c|_inf + max_r G_rr
 * |x|_1), the size of the rounding error of y, so that a degenerate
 * variable (true x_r = y_r = 0) is not flipped back and forth.  x_F is
 * compared with 0 exactly, so the returned h is the solution of its final
 * passive system and nonnegative, its zeros exactly 0.0.
 *
 * Semidefinite G: when G_FF has no numerically nonsingular Cholesky factor
 * (dpotrf fails, or a pivot L_tt^2 < PIVOT_TOL G_rr), variable r = F's t-th
 * is, to rounding, a combination of the earlier free variables (duplicate
 * or nearly duplicate columns of W).  Dropping it from F loses nothing: the
 * minimum over F is attained with x_r = 0, and then y_r = 0 up to rounding.
 * So r leaves F and is marked dependent: it is not flipped back in while
 * the variables it depends on stay free (the mark is cleared whenever a
 * variable leaves F).  For an exact duplicate this is exact; for a near
 * duplicate (angle below ~3e-7) y_r may be slightly negative, an
 * improvement only reachable with huge cancelling coefficients that would
 * be rounding noise anyway.
 *
 * Termination: a column still infeasible after MAX_ROUNDS_BASE +
 * MAX_ROUNDS_PER_K k rounds (rounding defeating the backup rule) is
 * finished by cyclic coordinate descent on the full problem, which cannot
 * fail (each step is an exact one-variable minimisation; variables with
 * G_rr <= 0 stay at 0) and converges to a minimiser of the convex problem.
 * Every column therefore ends after a bounded amount of work.
 */
#include "linalg/nnls_bpp.h"

#include <math.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "desurv/desurv.h"

enum {
    CHUNK = 256,           /* columns per dpotrs/dgemm block: bounds the workspace */
    FULL_TRIES = 3,        /* Kim & Park's alpha */
    MAX_ROUNDS_BASE = 50,  /* pivoting rounds per column before the fallback: */
    MAX_ROUNDS_PER_K = 10, /*   far above the handful seen in practice */
    CD_MAX_SWEEPS = 10000  /* the fallback is for rare columns: bound its cost */
};

/* Relative size of the rounding error of y = G x - c (see above). */
static const double TOL_REL = 1e-13;
/* A Cholesky pivot L_tt^2 below PIVOT_TOL G_rr means column r of W is in
 * the span of the earlier free columns to within ~3e-7 in angle: x_F would
 * be mostly rounding noise, so r is dropped from F instead (see above). */
static const double PIVOT_TOL = 1e-13;
/* Coordinate descent stops when no coordinate moved by more than this
 * fraction of the largest one. */
static const double CD_STOP = 1e-15;

typedef struct bpp {
    const double *G, *C;
    int64_t k, ldc, ldh;
    double *H;
    uint64_t *passive;
    uint64_t allowed; /* variables with G_rr > 0 */
    double gmax;      /* max_r G_rr */
    int64_t max_rounds;
    double *L, *GF, *B, *Y; /* f x f factor, k x f G(:, F), f x CHUNK x_F, k x CHUNK */
    int64_t *order, *tmp;   /* columns of a round sorted by mask; radix scratch */
    uint64_t *viol;         /* V_j of the last round */
    uint64_t *dep;                  /* variables dropped as dependent (see above) */
    int64_t *alpha, *beta, *rounds; /* Kim & Park's alpha, beta; rounds so far */
    int64_t *list;                  /* the columns still in play */
    dsv_bpp_stats st;
} bpp;

static uint64_t bit(int64_t r)
{
    return (uint64_t)1 << r;
}

static int64_t popcount(uint64_t v)
{
    int64_t c = 0;
    for (; v; v &= v - 1)
        c++;
    return c;
}

static int64_t top_bit(uint64_t v)
{
    int64_t r = -1;
    for (; v; v >>= 1)
        r++;
    return r;
}

/* Positions of the set bits of F, ascending; returns their number. */
static int64_t set_indices(uint64_t F, int64_t k, int64_t *idx)
{
    int64_t f = 0;
    for (int64_t r = 0; r < k; r++)
        if (F & bit(r))
            idx[f++] = r;
    return f;
}

int64_t dsv_bpp_work_size(int64_t k, int64_t n)
{
    int64_t m = n < CHUNK ? n : CHUNK;
    return 2 * k * k + 2 * k * m;
}

int64_t dsv_bpp_iwork_size(int64_t k, int64_t n)
{
    (void)k;
    return 8 * n;
}

static int all_finite(const double *A, int64_t rows, int64_t cols, int64_t lda)
{
    for (int64_t j = 0; j < cols; j++)
        for (int64_t i = 0; i < rows; i++)
            if (!isfinite(A[i + j * lda]))
                return 0;
    return 1;
}

/* ---- grouping: stable LSD radix sort of column indices by bitmask ---- */

static void radix_sort(bpp *b, int64_t m)
{
    int64_t *src = b->order, *dst = b->tmp;
    for (int64_t shift = 0; shift < b->k; shift += 8) {
        int64_t count[257] = {0};
        for (int64_t i = 0; i < m; i++)
            count[((b->passive[src[i]] >> shift) & 0xff) + 1]++;
        if (count[((b->passive[src[0]] >> shift) & 0xff) + 1] == m)
            continue; /* one digit value (typically the high bytes, all zero) */
        for (int64_t d = 0; d < 256; d++)
            count[d + 1] += count[d];
        for (int64_t i = 0; i < m; i++)
            dst[count[(b->passive[src[i]] >> shift) & 0xff]++] = src[i];
        int64_t *t = src;
        src = dst, dst = t;
    }
    if (src != b->order)
        memcpy(b->order, src, (size_t)m * sizeof *src);
}

/* ---- one passive set ---- */

/* L = chol(G_FF) and GF = G(:, F).  Returns -1, or the position t in F of
 * the first variable that makes G_FF numerically singular. */
static int64_t factor_set(bpp *b, const int64_t *idx, int64_t f)
{
    int64_t k = b->k;
    for (int64_t t = 0; t < f; t++)
        for (int64_t s = 0; s < f; s++)
            b->L[s + t * f] = b->G[idx[s] + idx[t] * k];
    b->st.factors++;
    /* info > 0: the leading minor of order info is not positive definite,
     * and the first info - 1 pivots are valid */
    lapack_int info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', (lapack_int)f, b->L, (lapack_int)f);
    int64_t valid = info > 0 ? (int64_t)info - 1 : f;
    for (int64_t t = 0; t < valid; t++) {
        double p = b->L[t + t * f];
        if (!(p * p >= PIVOT_TOL * b->G[idx[t] + idx[t] * k]))
            return t;
    }
    if (valid < f)
        return valid;
    for (int64_t t = 0; t < f; t++)
        memcpy(b->GF + t * k, b->G + idx[t] * k, (size_t)k * sizeof(double));
    return -1;
}

/* Write column j of H from x_F (NULL: F empty) and return V_j; gx is
 * G(:, F) x_F (NULL: zero). */
static uint64_t scatter(bpp *b, int64_t j, uint64_t F, const int64_t *idx, int64_t f,
                        const double *x, const double *gx)
{
    int64_t k = b->k;
    double *h = b->H + j * b->ldh;
    const double *c = b->C + j * b->ldc;
    uint64_t v = 0;
    double xsum = 0, cmax = 0;
    memset(h, 0, (size_t)k * sizeof *h);
    for (int64_t t = 0; t < f; t++) {
        h[idx[t]] = x[t];
        xsum += fabs(x[t]);
        if (x[t] < 0)
            v |= bit(idx[t]);
    }
    for (int64_t r = 0; r < k; r++)
        cmax = fmax(cmax, fabs(c[r]));
    double tol = TOL_REL * (cmax + b->gmax * xsum);
    uint64_t out = b->allowed & ~F & ~b->dep[j];
    for (int64_t r = 0; r < k; r++)
        if ((out & bit(r)) && (gx ? gx[r] : 0.0) - c[r] < -tol)
            v |= bit(r);
    return v;
}

/* Factor G_FF, dropping dependent variables from F (and from the passive
 * sets of the m columns cols[]) until the factor is usable; returns the
 * final F, its indices in idx[] and their number in *f. */
static uint64_t factor_or_drop(bpp *b, uint64_t F, const int64_t *cols, int64_t m, int64_t *idx,
                               int64_t *f)
{
    for (;;) {
        *f = set_indices(F, b->k, idx);
        if (*f == 0)
            return F;
        int64_t t = factor_set(b, idx, *f);
        if (t < 0)
            return F;
        F &= ~bit(idx[t]);
        b->st.dropped++;
        for (int64_t i = 0; i < m; i++) {
            b->passive[cols[i]] = F;
            b->dep[cols[i]] |= bit(idx[t]);
        }
    }
}

/* Solve the m columns cols[] that all have passive set F. */
static void solve_set(bpp *b, uint64_t F, const int64_t *cols, int64_t m)
{
    int64_t idx[DSV_BPP_MAX_K], f, k = b->k;
    F = factor_or_drop(b, F, cols, m, idx, &f);
    if (f == 0) {
        for (int64_t i = 0; i < m; i++)
            b->viol[cols[i]] = scatter(b, cols[i], F, idx, 0, NULL, NULL);
        return;
    }
    for (int64_t s = 0; s < m; s += CHUNK) {
        int64_t mc = m - s < CHUNK ? m - s : CHUNK;
        for (int64_t i = 0; i < mc; i++) {
            const double *c = b->C + cols[s + i] * b->ldc;
            for (int64_t t = 0; t < f; t++)
                b->B[t + i * f] = c[idx[t]];
        }
        /* only fails on invalid arguments, which cannot occur here */
        (void)LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'L', (lapack_int)f, (lapack_int)mc, b->L,
                                  (lapack_int)f, b->B, (lapack_int)f);
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)k, (int)mc, (int)f, 1.0,
                    b->GF, (int)k, b->B, (int)f, 0.0, b->Y, (int)k);
        for (int64_t i = 0; i < mc; i++)
            b->viol[cols[s + i]] = scatter(b, cols[s + i], F, idx, f, b->B + i * f, b->Y + i * k);
    }
}

/* One round: solve the m columns list[] grouped by passive set. */
static void solve_round(bpp *b, const int64_t *list, int64_t m)
{
    memcpy(b->order, list, (size_t)m * sizeof *list);
    radix_sort(b, m);
    for (int64_t i = 0; i < m;) {
        uint64_t F = b->passive[b->order[i]];
        int64_t e = i + 1;
        while (e < m && b->passive[b->order[e]] == F)
            e++;
        solve_set(b, F, b->order + i, e - i);
        i = e;
    }
    b->st.passes++;
}

/* Kim & Park's exchange rule for column j with infeasible set v != 0. */
static void exchange(bpp *b, int64_t j, uint64_t v)
{
    int64_t nv = popcount(v);
    if (v & b->passive[j])
        b->dep[j] = 0; /* a variable leaves F: what depended on it may be needed */
    if (nv < b->beta[j]) {
        b->beta[j] = nv;
        b->alpha[j] = FULL_TRIES;
        b->passive[j] ^= v;
    } else if (b->alpha[j] > 0) {
        b->alpha[j]--;
        b->passive[j] ^= v;
    } else {
        b->passive[j] ^= bit(top_bit(v)); /* backup rule: guarantees progress */
    }
}

/* ---- fallback ---- */

/* Cyclic coordinate descent from h = 0 on the full problem of column j; each
 * coordinate step is an exact minimisation, so it cannot fail on a
 * semidefinite G.  The gradient entry is recomputed from h each time
 * (O(k) per step, O(k^2) per sweep, as one matrix-vector product) so that
 * no rounding drift accumulates. */
static void cd_column(bpp *b, int64_t j)
{
    int64_t k = b->k;
    double *h = b->H + j * b->ldh;
    const double *c = b->C + j * b->ldc;
    memset(h, 0, (size_t)k * sizeof *h);
    for (int64_t sweep = 0; sweep < CD_MAX_SWEEPS; sweep++) {
        double change = 0, size = 0;
        for (int64_t r = 0; r < k; r++) {
            if (!(b->allowed & bit(r)))
                continue;
            const double *g = b->G + r * k; /* column r = row r */
            double gr = -c[r];
            for (int64_t q = 0; q < k; q++)
                gr += g[q] * h[q];
            double hn = fmax(0.0, h[r] - gr / g[r]);
            change = fmax(change, fabs(hn - h[r]));
            size = fmax(size, hn);
            h[r] = hn;
        }
        if (change <= CD_STOP * size)
            break;
    }
    uint64_t F = 0;
    for (int64_t r = 0; r < k; r++)
        if (h[r] > 0)
            F |= bit(r);
    b->passive[j] = F;
    b->st.fallbacks++;
}

/* ---- driver ---- */

static void setup(bpp *b, double *work, int64_t *iwork, int64_t n)
{
    int64_t k = b->k, m = n < CHUNK ? n : CHUNK;
    b->allowed = 0;
    b->gmax = 0;
    for (int64_t r = 0; r < k; r++) {
        double d = b->G[r + r * k];
        if (d > 0)
            b->allowed |= bit(r);
        b->gmax = fmax(b->gmax, d);
    }
    b->max_rounds = MAX_ROUNDS_BASE + MAX_ROUNDS_PER_K * k;
    b->L = work;
    b->GF = b->L + k * k;
    b->B = b->GF + k * k;
    b->Y = b->B + k * m;
    b->order = iwork;
    b->tmp = b->order + n;
    b->viol = (uint64_t *)(b->tmp + n);
    b->alpha = iwork + 3 * n;
    b->beta = b->alpha + n;
    b->rounds = b->beta + n;
    b->list = b->rounds + n;
    b->dep = (uint64_t *)(b->list + n);
    memset(&b->st, 0, sizeof b->st);
}

int dsv_nnls_bpp_ex(const double *G, int64_t k, const double *C, int64_t ldc, int64_t n,
                    double *H, int64_t ldh, uint64_t *passive, double *work, int64_t *iwork,
                    int64_t max_rounds, dsv_bpp_stats *stats)
{
    if (k < 1 || k > DSV_BPP_MAX_K || n < 0)
        return DESURV_E_DIM;
    if (ldc < k || ldh < k)
        return DESURV_E_LD;
    if (!all_finite(G, k, k, k) || !all_finite(C, k, n, ldc))
        return DESURV_E_NUMERIC;
    bpp b = {.G = G, .C = C, .k = k, .ldc = ldc, .ldh = ldh, .H = H, .passive = passive};
    setup(&b, work, iwork, n);
    if (max_rounds > 0)
        b.max_rounds = max_rounds;
    int64_t *list = b.list, m = n;
    for (int64_t j = 0; j < n; j++) {
        passive[j] &= b.allowed;
        b.alpha[j] = FULL_TRIES;
        b.beta[j] = k + 1;
        b.rounds[j] = 0;
        b.dep[j] = 0;
        list[j] = j;
    }
    while (m > 0) {
        solve_round(&b, list, m);
        int64_t kept = 0;
        for (int64_t i = 0; i < m; i++) {
            int64_t j = list[i];
            if (b.viol[j] && ++b.rounds[j] > b.max_rounds) {
                cd_column(&b, j);
            } else if (b.viol[j]) {
                exchange(&b, j, b.viol[j]);
                list[kept++] = j;
            }
        }
        m = kept;
    }
    if (stats)
        *stats = b.st;
    return DESURV_OK;
}

int dsv_nnls_bpp(const double *G, int64_t k, const double *C, int64_t ldc, int64_t n,
                 double *H, int64_t ldh, uint64_t *passive, double *work, int64_t *iwork)
{
    return dsv_nnls_bpp_ex(G, k, C, ldc, n, H, ldh, passive, work, iwork, 0, NULL);
}
