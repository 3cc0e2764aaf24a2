/* test_cindex.c - Harrell's C: golden values from R survival::concordance,
 * an O(n^2) reference counter on random heavily tied data, invariances,
 * argument validation of desurv_cindex, and a large-n run. */
#include "surv/cindex.h"

#include "desurv/desurv.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- local deterministic generator (tests must not depend on rand()) ---- */

typedef struct gen {
    uint64_t s;
} gen;

static uint64_t gen_next(gen *g)
{
    uint64_t z = (g->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform integer in [0, m). The modulo bias is irrelevant here. */
static int64_t gen_int(gen *g, int64_t m)
{
    return (int64_t)(gen_next(g) % (uint64_t)m);
}

static double gen_unif(gen *g)
{
    return (double)(gen_next(g) >> 11) * 0x1.0p-53;
}

/* ---- reference: the definition, pair by pair ---- */

typedef struct pairs {
    int64_t conc, disc, tied;
} pairs;

static pairs brute_counts(const double *y, const int32_t *d, const double *r, int64_t n)
{
    pairs p = {0, 0, 0};
    for (int64_t i = 0; i < n; i++) {
        if (!d[i])
            continue;
        for (int64_t j = 0; j < n; j++) {
            int comparable = y[i] < y[j] || (y[i] == y[j] && d[j] == 0);
            if (j == i || !comparable)
                continue;
            if (r[i] > r[j])
                p.conc++;
            else if (r[i] < r[j])
                p.disc++;
            else
                p.tied++;
        }
    }
    return p;
}

typedef struct sample {
    int64_t n;
    double *time, *risk;
    int32_t *event;
} sample;

static sample sample_alloc(int64_t n)
{
    sample s = {n, malloc((size_t)n * sizeof(double)), malloc((size_t)n * sizeof(double)),
                malloc((size_t)n * sizeof(int32_t))};
    ck_assert(s.time && s.risk && s.event);
    return s;
}

static void sample_free(sample *s)
{
    free(s->time);
    free(s->risk);
    free(s->event);
}

/* Heavy ties: few distinct times (0 included) and few distinct risks; the
 * event rate varies by seed so all-censored and all-event sets occur too. */
static sample random_tied(gen *g, int64_t n)
{
    sample s = sample_alloc(n);
    int64_t nt = 1 + gen_int(g, 8), nr = 1 + gen_int(g, 6);
    double prate = gen_unif(g);
    for (int64_t i = 0; i < n; i++) {
        s.time[i] = (double)gen_int(g, nt) * 0.5;
        s.risk[i] = (double)gen_int(g, nr) - 2.0;
        s.event[i] = gen_unif(g) < prate;
    }
    return s;
}

static void run_counts(const sample *s, double *c, pairs *p)
{
    double nc, nd, nt;
    ck_assert_int_eq(dsv_cindex(s->time, s->event, s->risk, s->n, c, &nc, &nd, &nt), DESURV_OK);
    p->conc = (int64_t)nc;
    p->disc = (int64_t)nd;
    p->tied = (int64_t)nt;
}

/* ---- golden values from R (tests/golden/make_golden_cindex.R) ---- */

START_TEST(test_golden_r)
{
    char buf[1024];
    tu_table data, expect;
    ck_assert_int_eq(tu_read_tsv(tu_golden_path("cindex_data.tsv", buf, sizeof buf), &data), 0);
    ck_assert_int_eq(tu_read_tsv(tu_golden_path("cindex_expected.tsv", buf, sizeof buf), &expect),
                     0);
    const double *dcase = tu_colp(&data, tu_col(&data, "case"));
    const double *dtime = tu_colp(&data, tu_col(&data, "time"));
    const double *devent = tu_colp(&data, tu_col(&data, "event"));
    const double *drisk = tu_colp(&data, tu_col(&data, "risk"));
    ck_assert_int_ge(expect.rows, 9);
    double maxerr = 0;
    int64_t row = 0;
    for (int64_t k = 0; k < expect.rows; k++) {
        double id = tu_colp(&expect, tu_col(&expect, "case"))[k];
        int64_t n = (int64_t)tu_colp(&expect, tu_col(&expect, "n"))[k];
        double want = tu_colp(&expect, tu_col(&expect, "concordance"))[k];
        sample s = sample_alloc(n);
        for (int64_t i = 0; i < n; i++, row++) {
            ck_assert(row < data.rows && dcase[row] == id);
            s.time[i] = dtime[row];
            s.event[i] = (int32_t)devent[row];
            s.risk[i] = drisk[row];
        }
        double c, c_pub;
        pairs p;
        run_counts(&s, &c, &p);
        ck_assert_int_eq(desurv_cindex(s.time, s.event, s.risk, n, &c_pub), DESURV_OK);
        ck_assert(c_pub == c);
        maxerr = fmax(maxerr, fabs(c - want));
        ck_assert_msg(fabs(c - want) <= 1e-12, "case %g: C %.17g, R %.17g", id, c, want);
        ck_assert_int_eq(p.conc, (int64_t)tu_colp(&expect, tu_col(&expect, "concordant"))[k]);
        ck_assert_int_eq(p.disc, (int64_t)tu_colp(&expect, tu_col(&expect, "discordant"))[k]);
        ck_assert_int_eq(p.tied, (int64_t)tu_colp(&expect, tu_col(&expect, "tied_risk"))[k]);
        sample_free(&s);
    }
    ck_assert_int_eq(row, data.rows);
    ck_assert(maxerr <= 1e-12);
    tu_table_free(&data);
    tu_table_free(&expect);
}
END_TEST

/* ---- randomized comparison with the O(n^2) definition ---- */

START_TEST(test_brute_force)
{
    for (uint64_t seed = 1; seed <= 400; seed++) {
        gen g = {seed};
        int64_t n = 1 + gen_int(&g, 80);
        sample s = random_tied(&g, n);
        double c;
        pairs p, q = brute_counts(s.time, s.event, s.risk, n);
        run_counts(&s, &c, &p);
        ck_assert_msg(p.conc == q.conc && p.disc == q.disc && p.tied == q.tied,
                      "seed %d: (%lld %lld %lld) vs brute (%lld %lld %lld)", (int)seed,
                      (long long)p.conc, (long long)p.disc, (long long)p.tied,
                      (long long)q.conc, (long long)q.disc, (long long)q.tied);
        int64_t tot = q.conc + q.disc + q.tied;
        if (tot == 0)
            ck_assert(isnan(c));
        else
            ck_assert(fabs(c - ((double)q.conc + 0.5 * (double)q.tied) / (double)tot) <= 1e-15);
        sample_free(&s);
    }
}
END_TEST

/* Continuous risks on a larger set, where the tree has many distinct ranks. */
START_TEST(test_brute_force_continuous)
{
    for (uint64_t seed = 1000; seed < 1010; seed++) {
        gen g = {seed};
        int64_t n = 1500;
        sample s = random_tied(&g, n);
        for (int64_t i = 0; i < n; i++)
            s.risk[i] = gen_unif(&g) * 4 - 2;
        double c;
        pairs p, q = brute_counts(s.time, s.event, s.risk, n);
        run_counts(&s, &c, &p);
        ck_assert(p.conc == q.conc && p.disc == q.disc && p.tied == q.tied);
        sample_free(&s);
    }
}
END_TEST

/* ---- invariances ---- */

START_TEST(test_permutation_invariance)
{
    for (uint64_t seed = 1; seed <= 50; seed++) {
        gen g = {seed * 7919};
        int64_t n = 2 + gen_int(&g, 300);
        sample s = random_tied(&g, n), t = sample_alloc(n);
        int64_t *perm = malloc((size_t)n * sizeof *perm);
        ck_assert(perm != NULL);
        for (int64_t i = 0; i < n; i++)
            perm[i] = i;
        for (int64_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
            int64_t j = gen_int(&g, i + 1), tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        for (int64_t i = 0; i < n; i++) {
            t.time[i] = s.time[perm[i]];
            t.event[i] = s.event[perm[i]];
            t.risk[i] = s.risk[perm[i]];
        }
        double c1, c2;
        pairs p1, p2;
        run_counts(&s, &c1, &p1);
        run_counts(&t, &c2, &p2);
        ck_assert(p1.conc == p2.conc && p1.disc == p2.disc && p1.tied == p2.tied);
        ck_assert((isnan(c1) && isnan(c2)) || c1 == c2);
        free(perm);
        sample_free(&s);
        sample_free(&t);
    }
}
END_TEST

/* Without risk ties, negating the risk swaps concordant and discordant. */
START_TEST(test_reverse_risk)
{
    for (uint64_t seed = 1; seed <= 50; seed++) {
        gen g = {seed * 104729};
        int64_t n = 2 + gen_int(&g, 200);
        sample s = random_tied(&g, n);
        for (int64_t i = 0; i < n; i++)
            s.risk[i] = (double)i + 0.25 * gen_unif(&g); /* distinct */
        /* An early event and a late sample guarantee a comparable pair. */
        s.event[0] = 1;
        s.time[0] = 0.0;
        s.time[n - 1] = 100.0;
        double c, cr;
        ck_assert_int_eq(desurv_cindex(s.time, s.event, s.risk, n, &c), DESURV_OK);
        for (int64_t i = 0; i < n; i++)
            s.risk[i] = -s.risk[i];
        ck_assert_int_eq(desurv_cindex(s.time, s.event, s.risk, n, &cr), DESURV_OK);
        ck_assert(!isnan(c));
        ck_assert(fabs(cr - (1.0 - c)) <= 1e-14);
        sample_free(&s);
    }
}
END_TEST

/* ---- edge cases ---- */

START_TEST(test_edge_cases)
{
    double t[3] = {1, 2, 3}, r[3] = {0.3, 0.2, 0.1}, c;
    int32_t none[3] = {0, 0, 0}, last[3] = {0, 0, 1}, all[3] = {1, 1, 1};
    /* One sample, nothing censored-after, everything censored, or only the
     * last time an event: no comparable pair, C is NaN but the call works. */
    ck_assert_int_eq(desurv_cindex(t, all, r, 1, &c), DESURV_OK);
    ck_assert(isnan(c));
    ck_assert_int_eq(desurv_cindex(t, none, r, 3, &c), DESURV_OK);
    ck_assert(isnan(c));
    ck_assert_int_eq(desurv_cindex(t, last, r, 3, &c), DESURV_OK);
    ck_assert(isnan(c));
    /* Perfect ordering and its reverse. */
    ck_assert_int_eq(desurv_cindex(t, all, r, 3, &c), DESURV_OK);
    ck_assert(c == 1.0);
    double rr[3] = {0.1, 0.2, 0.3};
    ck_assert_int_eq(desurv_cindex(t, all, rr, 3, &c), DESURV_OK);
    ck_assert(c == 0.0);
    /* All risks equal: every comparable pair counts 1/2. */
    double flat[3] = {5, 5, 5};
    ck_assert_int_eq(desurv_cindex(t, all, flat, 3, &c), DESURV_OK);
    ck_assert(c == 0.5);
    /* Two events at one time are not a pair; an event and a censoring are. */
    double tt[2] = {4, 4};
    int32_t ee[2] = {1, 1}, ec[2] = {1, 0};
    ck_assert_int_eq(desurv_cindex(tt, ee, r, 2, &c), DESURV_OK);
    ck_assert(isnan(c));
    ck_assert_int_eq(desurv_cindex(tt, ec, r, 2, &c), DESURV_OK);
    ck_assert(c == 1.0);
    /* -0.0 and +0.0 are the same time and the same risk. */
    double tz[2] = {-0.0, 0.0}, rz[2] = {0.0, -0.0};
    ck_assert_int_eq(desurv_cindex(tz, ec, rz, 2, &c), DESURV_OK);
    ck_assert(c == 0.5);
}
END_TEST

/* ---- argument validation of the public entry point ---- */

START_TEST(test_validation)
{
    double t[3] = {1, 2, 3}, r[3] = {0.3, 0.2, 0.1}, c = 0;
    int32_t e[3] = {1, 0, 1};
    ck_assert_int_eq(desurv_cindex(NULL, e, r, 3, &c), DESURV_E_NULL);
    ck_assert_int_eq(desurv_cindex(t, NULL, r, 3, &c), DESURV_E_NULL);
    ck_assert_int_eq(desurv_cindex(t, e, NULL, 3, &c), DESURV_E_NULL);
    ck_assert_int_eq(desurv_cindex(t, e, r, 3, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_cindex(t, e, r, 0, &c), DESURV_E_DIM);
    ck_assert_int_eq(desurv_cindex(t, e, r, -5, &c), DESURV_E_DIM);
    /* Refused before any array is read: the scratch holds 32-bit indices. */
    ck_assert_int_eq(desurv_cindex(t, e, r, (int64_t)1 << 31, &c), DESURV_E_DIM);

    double bad_t[4][3] = {{1, -2, 3}, {1, NAN, 3}, {1, 2, INFINITY}, {-INFINITY, 2, 3}};
    for (int k = 0; k < 4; k++)
        ck_assert_int_eq(desurv_cindex(bad_t[k], e, r, 3, &c), DESURV_E_TIME);

    int32_t bad_e[3][3] = {{1, 2, 0}, {-1, 0, 1}, {1, 0, 7}};
    for (int k = 0; k < 3; k++)
        ck_assert_int_eq(desurv_cindex(t, bad_e[k], r, 3, &c), DESURV_E_EVENT);

    double bad_r[3][3] = {{NAN, 0, 0}, {0, INFINITY, 0}, {0, 0, -INFINITY}};
    for (int k = 0; k < 3; k++)
        ck_assert_int_eq(desurv_cindex(t, e, bad_r[k], 3, &c), DESURV_E_NONFINITE);
}
END_TEST

/* ---- large n: must finish (O(n log n)); no timing assertion ---- */

/* Comparable pairs counted independently of the tree: sort the times, then
 * for each event count the later times plus the censorings at its time. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int64_t comparable_pairs(const sample *s)
{
    int64_t n = s->n, total = 0;
    double *all = malloc((size_t)n * sizeof *all), *cens = malloc((size_t)n * sizeof *cens);
    ck_assert(all && cens);
    int64_t nc = 0;
    for (int64_t i = 0; i < n; i++) {
        all[i] = s->time[i];
        if (!s->event[i])
            cens[nc++] = s->time[i];
    }
    qsort(all, (size_t)n, sizeof *all, cmp_double);
    qsort(cens, (size_t)nc, sizeof *cens, cmp_double);
    for (int64_t i = 0; i < n; i++) {
        if (!s->event[i])
            continue;
        double y = s->time[i];
        int64_t lo = 0, hi = n; /* first index with all[] > y */
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (all[mid] <= y)
                lo = mid + 1;
            else
                hi = mid;
        }
        total += n - lo;
        int64_t a = 0, b = nc; /* censorings equal to y */
        while (a < b) {
            int64_t mid = a + (b - a) / 2;
            if (cens[mid] < y)
                a = mid + 1;
            else
                b = mid;
        }
        for (int64_t j = a; j < nc && cens[j] == y; j++)
            total++;
    }
    free(all);
    free(cens);
    return total;
}

START_TEST(test_large_n)
{
    const int64_t n = 200000;
    gen g = {99};
    sample s = sample_alloc(n);
    /* All events, distinct times, risk decreasing in time: every one of the
     * n(n-1)/2 pairs is comparable and concordant. */
    for (int64_t i = 0; i < n; i++) {
        s.time[i] = (double)((i * 7919) % n);
        s.event[i] = 1;
        s.risk[i] = -s.time[i];
    }
    double c;
    pairs p;
    run_counts(&s, &c, &p);
    ck_assert(c == 1.0);
    ck_assert_int_eq(p.conc, n * (n - 1) / 2);
    /* Heavy ties: the total of comparable pairs must match the count above. */
    for (int64_t i = 0; i < n; i++) {
        s.time[i] = (double)gen_int(&g, 1000);
        s.event[i] = gen_unif(&g) < 0.5;
        s.risk[i] = (double)gen_int(&g, 100);
    }
    run_counts(&s, &c, &p);
    ck_assert(c >= 0.0 && c <= 1.0);
    ck_assert_int_eq(p.conc + p.disc + p.tied, comparable_pairs(&s));
    sample_free(&s);
}
END_TEST

static Suite *cindex_suite(void)
{
    Suite *s = suite_create("cindex");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_golden_r);
    tcase_add_test(tc, test_brute_force);
    tcase_add_test(tc, test_brute_force_continuous);
    tcase_add_test(tc, test_permutation_invariance);
    tcase_add_test(tc, test_reverse_risk);
    tcase_add_test(tc, test_edge_cases);
    tcase_add_test(tc, test_validation);
    tcase_add_test(tc, test_large_n);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(cindex_suite());
}
