/* test_api.c - contract tests of the public ABI.
 *
 * Links only libdesurv.so (no internals): every error path documented in
 * desurv.h, the detailed messages, the option table (names, bounds,
 * defaults, round trips), the getters before and after a fit, prediction,
 * and the promise that a failed fit leaves the previous fit untouched. */
#include "desurv/desurv.h"

#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* ---- fixtures ---- */

#define P 8
#define N 12
#define BIG (DESURV_E_CHECKSUM - 1) /* first code below the documented ones */
#define OVER ((int64_t)INT_MAX + 1) /* smallest size beyond the BLAS integer */

/* Deterministic data (tests must not depend on rand()): SplitMix64. */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double unif(uint64_t *s)
{
    return (double)(mix(s) >> 11) * 0x1.0p-53;
}

/* p x n positive matrix with ld = p, distinct times, about 2/3 events
 * (sample 0 always an event). */
static void make_data(int64_t p, int64_t n, uint64_t seed, double *X, double *time,
                      int32_t *event)
{
    for (int64_t i = 0; i < p * n; i++)
        X[i] = 0.1 + 5.0 * unif(&seed);
    for (int64_t j = 0; j < n; j++) {
        time[j] = 1.0 + 10.0 * unif(&seed);
        event[j] = j == 0 || unif(&seed) < 0.66;
    }
}

typedef struct data {
    double X[P * N], time[N];
    int32_t event[N];
} data;

static data default_data(void)
{
    data d;
    make_data(P, N, 42, d.X, d.time, d.event);
    return d;
}

/* A model with k set and a small budget, so the suite stays quick under
 * valgrind. */
static desurv_model *model_k(int k)
{
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    ck_assert_ptr_nonnull(m);
    if (k > 0)
        ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, k), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_NINIT, 3), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_MAXIT, 100), DESURV_OK);
    return m;
}

static desurv_model *fitted_model(const data *d)
{
    desurv_model *m = model_k(2);
    int rc = tu_fit(m, d->X, P, N, P, d->time, d->event);
    ck_assert_msg(rc == DESURV_OK, "fit failed: %d %s", rc, desurv_errmsg(m));
    return m;
}

static void assert_msg_has(const desurv_model *m, const char *needle)
{
    const char *msg = desurv_errmsg(m);
    ck_assert_ptr_nonnull(msg);
    ck_assert_msg(strstr(msg, needle) != NULL, "errmsg \"%s\" lacks \"%s\"", msg, needle);
}

/* ---- expected option table, written out independently of the library ---- */

typedef struct opt_expect {
    const char *name;
    double lo, hi, def;
    int integral;
} opt_expect;

static const opt_expect expect[DESURV_OPT_COUNT] = {
    {"k", 1, 2147483647.0, 0, 1},
    {"alpha", 0, 0x1.fffffffffffffp-1, 0.5, 0},
    {"lambda", 0, 1e12, 0.1, 0},
    {"nu", 0, 1, 0.5, 0},
    {"lambda_w", 0, 1e12, 0, 0},
    {"lambda_h", 0, 1e12, 0, 0},
    {"tol", 0, 1, 1e-6, 0},
    {"maxit", 1, 1e9, 1000, 1},
    {"ninit", 1, 1e6, 20, 1},
    {"imaxit", 0, 1e9, 30, 1},
    {"tol_init", 0, 1, 1e-4, 0},
    {"seed", 0, 9007199254740992.0, 1, 1},
    {"threads", 1, 256, 1, 1},
    {"ties", 0, 1, 0, 1},
    {"init", 0, 2, 0, 1},
    {"init_select", 0, 1, 0, 1},
    {"alpha_scale", 0, 1, 0, 1},
    {"offset", 0, 1, 1, 1},
    {"hstep", 0, 2, 0, 1},
    {"wstep", 0, 1, 0, 1},
};

/* ---- version, status codes, messages ---- */

START_TEST(version_matches_header)
{
    ck_assert_int_eq(desurv_version(), DESURV_VERSION_NUMBER);
    ck_assert_str_eq(desurv_version_string(), DESURV_VERSION_STRING);
    int a, b, c;
    ck_assert_int_eq(sscanf(desurv_version_string(), "%d.%d.%d", &a, &b, &c), 3);
    ck_assert_int_eq(a * 10000 + b * 100 + c, desurv_version());
}
END_TEST

START_TEST(strerror_every_code)
{
    const char *unknown = desurv_strerror(BIG);
    ck_assert_ptr_nonnull(unknown);
    for (int c = DESURV_OK; c >= DESURV_E_CHECKSUM; c--) {
        const char *s = desurv_strerror(c);
        ck_assert_ptr_nonnull(s);
        ck_assert_msg(strlen(s) > 0, "empty text for %d", c);
        ck_assert_msg(strcmp(s, unknown) != 0, "code %d described as unknown", c);
        for (int d = DESURV_OK; d > c; d--)
            ck_assert_msg(strcmp(s, desurv_strerror(d)) != 0, "codes %d, %d share text", c, d);
    }
}
END_TEST

START_TEST(strerror_unknown_codes)
{
    const int bad[] = {1, 42, BIG, -1000, INT_MIN, INT_MAX};
    const char *unknown = desurv_strerror(BIG);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_ptr_nonnull(desurv_strerror(bad[i]));
        ck_assert_str_eq(desurv_strerror(bad[i]), unknown);
    }
}
END_TEST

START_TEST(errmsg_null_and_fresh)
{
    ck_assert_ptr_nonnull(desurv_errmsg(NULL));
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    ck_assert_str_eq(desurv_errmsg(m), "");
    desurv_model_free(m);
}
END_TEST

START_TEST(model_new_free_null)
{
    ck_assert_int_eq(desurv_model_new(NULL), DESURV_E_NULL);
    desurv_model_free(NULL); /* must not crash */
}
END_TEST

/* ---- options ---- */

START_TEST(option_default)
{
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    double v = -99;
    ck_assert_int_eq(desurv_get_option(m, (desurv_option)_i, &v), DESURV_OK);
    ck_assert_msg(v == expect[_i].def, "%s default %g, expected %g", expect[_i].name, v,
                  expect[_i].def);
    desurv_model_free(m);
}
END_TEST

START_TEST(option_name_and_bounds)
{
    desurv_option id = (desurv_option)_i;
    ck_assert_str_eq(desurv_option_name(id), expect[_i].name);
    desurv_option back = (desurv_option)-1;
    ck_assert_int_eq(desurv_option_by_name(expect[_i].name, &back), DESURV_OK);
    ck_assert_int_eq((int)back, _i);
    double lo = NAN, hi = NAN;
    ck_assert_int_eq(desurv_option_bounds(id, &lo, &hi), DESURV_OK);
    ck_assert_msg(lo == expect[_i].lo && hi == expect[_i].hi, "%s bounds [%.17g, %.17g]",
                  expect[_i].name, lo, hi);
    ck_assert_int_eq(desurv_option_bounds(id, NULL, NULL), DESURV_OK);
    ck_assert_int_eq(desurv_option_bounds(id, &lo, NULL), DESURV_OK);
    ck_assert_int_eq(desurv_option_bounds(id, NULL, &hi), DESURV_OK);
}
END_TEST

static void set_get(desurv_model *m, int id, double value)
{
    double got = NAN;
    ck_assert_msg(desurv_set_option(m, (desurv_option)id, value) == DESURV_OK,
                  "%s = %.17g refused: %s", expect[id].name, value, desurv_errmsg(m));
    ck_assert_int_eq(desurv_get_option(m, (desurv_option)id, &got), DESURV_OK);
    ck_assert_msg(got == value, "%s: set %.17g, got %.17g", expect[id].name, value, got);
}

START_TEST(option_round_trip)
{
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    const opt_expect *e = &expect[_i];
    set_get(m, _i, e->lo);
    set_get(m, _i, e->hi);
    double mid = e->lo + (e->hi - e->lo) / 3;
    set_get(m, _i, e->integral ? floor(mid) : mid);
    desurv_model_free(m);
}
END_TEST

/* A refused value gives RANGE, leaves the option as it was, and the
 * message names the option. */
static void refuse(desurv_model *m, int id, double value)
{
    double before = NAN, after = NAN;
    ck_assert_int_eq(desurv_get_option(m, (desurv_option)id, &before), DESURV_OK);
    ck_assert_msg(desurv_set_option(m, (desurv_option)id, value) == DESURV_E_RANGE,
                  "%s = %.17g accepted", expect[id].name, value);
    assert_msg_has(m, expect[id].name);
    ck_assert_int_eq(desurv_get_option(m, (desurv_option)id, &after), DESURV_OK);
    ck_assert_msg(after == before || (isnan(after) && isnan(before)), "%s changed",
                  expect[id].name);
}

START_TEST(option_out_of_bounds)
{
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    const opt_expect *e = &expect[_i];
    refuse(m, _i, nextafter(e->lo, -INFINITY));
    refuse(m, _i, e->lo - 1);
    refuse(m, _i, -1e300);
    refuse(m, _i, nextafter(e->hi, INFINITY));
    refuse(m, _i, e->hi * 2 + 1);
    refuse(m, _i, NAN);
    refuse(m, _i, INFINITY);
    refuse(m, _i, -INFINITY);
    desurv_model_free(m);
}
END_TEST

START_TEST(option_not_integral)
{
    if (!expect[_i].integral)
        return;
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    refuse(m, _i, expect[_i].lo + 0.5);
    assert_msg_has(m, "integer");
    refuse(m, _i, nextafter(expect[_i].lo + 1, INFINITY));
    desurv_model_free(m);
}
END_TEST

START_TEST(option_alpha_edge)
{
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_ALPHA, 1.0), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_ALPHA, nextafter(1.0, 0)), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_ALPHA, 0.0), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, 0), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_SEED, 9007199254740994.0),
                     DESURV_E_RANGE);
    desurv_model_free(m);
}
END_TEST

START_TEST(option_unknown_id_and_name)
{
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    const int bad[] = {-1, DESURV_OPT_COUNT, 1000, INT_MIN, INT_MAX};
    double v = 0, lo = 0, hi = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        desurv_option o = (desurv_option)bad[i];
        ck_assert_int_eq(desurv_set_option(m, o, 1), DESURV_E_OPTION);
        ck_assert_int_eq(desurv_get_option(m, o, &v), DESURV_E_OPTION);
        ck_assert_int_eq(desurv_option_bounds(o, &lo, &hi), DESURV_E_OPTION);
        ck_assert_ptr_null(desurv_option_name(o));
    }
    const char *names[] = {"ALPHA", "Alpha", "", "alpha ", " alpha", "lambdaw", "K", "kk"};
    desurv_option o = DESURV_OPT_K;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_msg(desurv_option_by_name(names[i], &o) == DESURV_E_OPTION, "'%s' found",
                      names[i]);
    desurv_model_free(m);
}
END_TEST

START_TEST(option_null_pointers)
{
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    double v;
    desurv_option o;
    ck_assert_int_eq(desurv_set_option(NULL, DESURV_OPT_ALPHA, 0.3), DESURV_E_NULL);
    ck_assert_int_eq(desurv_get_option(NULL, DESURV_OPT_ALPHA, &v), DESURV_E_NULL);
    ck_assert_int_eq(desurv_get_option(m, DESURV_OPT_ALPHA, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_option_by_name(NULL, &o), DESURV_E_NULL);
    ck_assert_int_eq(desurv_option_by_name("alpha", NULL), DESURV_E_NULL);
    desurv_model_free(m);
}
END_TEST

/* ---- getters and predict before any fit ---- */

START_TEST(getters_before_fit)
{
    desurv_model *m = model_k(2);
    double buf[P * N], v;
    int64_t a, b, c, len;
    data d = default_data();
    ck_assert_int_eq(desurv_model_dims(m, &a, &b, &c), DESURV_E_NOT_FITTED);
    ck_assert_int_eq(desurv_model_W(m, buf, P), DESURV_E_NOT_FITTED);
    ck_assert_int_eq(desurv_model_H(m, buf, 2), DESURV_E_NOT_FITTED);
    ck_assert_int_eq(desurv_model_beta(m, buf), DESURV_E_NOT_FITTED);
    ck_assert_int_eq(desurv_model_stat(m, DESURV_STAT_LOSS, &v), DESURV_E_NOT_FITTED);
    ck_assert_int_eq(desurv_model_trace(m, NULL, 0, &len), DESURV_E_NOT_FITTED);
    ck_assert_int_eq(desurv_predict(m, d.X, P, N, P, buf), DESURV_E_NOT_FITTED);
    desurv_model_free(m);
}
END_TEST

START_TEST(getters_null)
{
    desurv_model *m = model_k(2);
    double buf[P * N], v;
    int64_t a, len;
    data d = default_data();
    ck_assert_int_eq(desurv_model_dims(NULL, &a, &a, &a), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_W(NULL, buf, P), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_W(m, NULL, P), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_H(NULL, buf, 2), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_H(m, NULL, 2), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_beta(NULL, buf), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_beta(m, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_stat(NULL, DESURV_STAT_LOSS, &v), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_stat(m, DESURV_STAT_LOSS, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_trace(NULL, buf, 4, &len), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_trace(m, buf, 4, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_predict(NULL, d.X, P, N, P, buf), DESURV_E_NULL);
    ck_assert_int_eq(desurv_predict(m, NULL, P, N, P, buf), DESURV_E_NULL);
    ck_assert_int_eq(desurv_predict(m, d.X, P, N, P, NULL), DESURV_E_NULL);
    desurv_model_free(m);
}
END_TEST

/* ---- desurv_set_init ---- */

START_TEST(set_init_errors)
{
    desurv_model *m = model_k(2);
    double W0[P * 2], H0[2 * N], b0[2] = {0.5, -0.25};
    for (int i = 0; i < P * 2; i++)
        W0[i] = 1.0 + i;
    for (int i = 0; i < 2 * N; i++)
        H0[i] = 0.5 + i;
    ck_assert_int_eq(desurv_set_init(NULL, W0, P, 2, P, H0, N, 2, b0), DESURV_E_NULL);
    ck_assert_int_eq(desurv_set_init(m, W0, 0, 2, P, NULL, 0, 0, NULL), DESURV_E_DIM);
    ck_assert_int_eq(desurv_set_init(m, W0, -3, 2, P, NULL, 0, 0, NULL), DESURV_E_DIM);
    ck_assert_int_eq(desurv_set_init(m, W0, P, 0, P, NULL, 0, 0, NULL), DESURV_E_DIM);
    ck_assert_int_eq(desurv_set_init(m, W0, P, 2, P - 1, NULL, 0, 0, NULL), DESURV_E_LD);
    ck_assert_int_eq(desurv_set_init(m, W0, OVER, 2, OVER, NULL, 0, 0, NULL),
                     DESURV_E_OVERFLOW);
    ck_assert_int_eq(desurv_set_init(m, W0, P, 2, P, H0, 0, 2, NULL), DESURV_E_DIM);
    ck_assert_int_eq(desurv_set_init(m, W0, P, 2, P, H0, N, 1, NULL), DESURV_E_LD);

    W0[2 + 1 * P] = NAN;
    ck_assert_int_eq(desurv_set_init(m, W0, P, 2, P, NULL, 0, 0, NULL), DESURV_E_NONFINITE);
    assert_msg_has(m, "W0[2, 1]");
    W0[2 + 1 * P] = -0.5;
    ck_assert_int_eq(desurv_set_init(m, W0, P, 2, P, NULL, 0, 0, NULL), DESURV_E_NEGATIVE);
    assert_msg_has(m, "W0[2, 1]");
    W0[2 + 1 * P] = 1.0;

    H0[1 + 2 * 3] = INFINITY;
    ck_assert_int_eq(desurv_set_init(m, W0, P, 2, P, H0, N, 2, NULL), DESURV_E_NONFINITE);
    assert_msg_has(m, "H0[1, 3]");
    H0[1 + 2 * 3] = -1;
    ck_assert_int_eq(desurv_set_init(m, W0, P, 2, P, H0, N, 2, NULL), DESURV_E_NEGATIVE);
    H0[1 + 2 * 3] = 1;

    b0[1] = NAN;
    ck_assert_int_eq(desurv_set_init(m, W0, P, 2, P, H0, N, 2, b0), DESURV_E_NONFINITE);
    assert_msg_has(m, "beta0[1]");
    b0[1] = -0.25; /* a negative coefficient is fine */
    ck_assert_int_eq(desurv_set_init(m, W0, P, 2, P, H0, N, 2, b0), DESURV_OK);
    ck_assert_int_eq(desurv_set_init(m, NULL, 0, 0, 0, NULL, 0, 0, NULL), DESURV_OK);
    desurv_model_free(m);
}
END_TEST

/* ---- desurv_cindex ---- */

START_TEST(cindex_contract)
{
    double t[4] = {1, 2, 3, 4}, r[4] = {4, 3, 2, 1}, c = -1;
    int32_t e[4] = {1, 1, 0, 1};
    ck_assert_int_eq(desurv_cindex(NULL, e, r, 4, &c), DESURV_E_NULL);
    ck_assert_int_eq(desurv_cindex(t, NULL, r, 4, &c), DESURV_E_NULL);
    ck_assert_int_eq(desurv_cindex(t, e, NULL, 4, &c), DESURV_E_NULL);
    ck_assert_int_eq(desurv_cindex(t, e, r, 4, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_cindex(t, e, r, 0, &c), DESURV_E_DIM);
    ck_assert_int_eq(desurv_cindex(t, e, r, 4, &c), DESURV_OK);
    ck_assert_double_eq(c, 1.0);
    r[2] = NAN;
    ck_assert_int_eq(desurv_cindex(t, e, r, 4, &c), DESURV_E_NONFINITE);
    r[2] = 2;
    t[1] = -1;
    ck_assert_int_eq(desurv_cindex(t, e, r, 4, &c), DESURV_E_TIME);
    t[1] = INFINITY;
    ck_assert_int_eq(desurv_cindex(t, e, r, 4, &c), DESURV_E_TIME);
    t[1] = 2;
    e[2] = 2;
    ck_assert_int_eq(desurv_cindex(t, e, r, 4, &c), DESURV_E_EVENT);
    int32_t none[4] = {0, 0, 0, 0};
    ck_assert_int_eq(desurv_cindex(t, none, r, 4, &c), DESURV_OK);
    ck_assert(isnan(c));
}
END_TEST

/* ---- desurv_fit: argument validation ---- */

START_TEST(fit_null)
{
    data d = default_data();
    desurv_model *m = model_k(2);
    ck_assert_int_eq(tu_fit(NULL, d.X, P, N, P, d.time, d.event), DESURV_E_NULL);
    ck_assert_int_eq(tu_fit(m, NULL, P, N, P, d.time, d.event), DESURV_E_NULL);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, NULL, d.event), DESURV_E_NULL);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, NULL), DESURV_E_NULL);
    desurv_model_free(m);
}
END_TEST

START_TEST(fit_dims)
{
    data d = default_data();
    desurv_model *m = model_k(1);
    ck_assert_int_eq(tu_fit(m, d.X, 0, N, P, d.time, d.event), DESURV_E_DIM);
    ck_assert_int_eq(tu_fit(m, d.X, -1, N, P, d.time, d.event), DESURV_E_DIM);
    ck_assert_int_eq(tu_fit(m, d.X, P, 0, P, d.time, d.event), DESURV_E_DIM);
    ck_assert_int_eq(tu_fit(m, d.X, P, -5, P, d.time, d.event), DESURV_E_DIM);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P - 1, d.time, d.event), DESURV_E_LD);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, 0, d.time, d.event), DESURV_E_LD);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, -1, d.time, d.event), DESURV_E_LD);
    /* Refused before any entry is read: the buffer is far too small. */
    ck_assert_int_eq(tu_fit(m, d.X, OVER, N, OVER, d.time, d.event), DESURV_E_OVERFLOW);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, OVER, d.time, d.event), DESURV_E_OVERFLOW);
    desurv_model_free(m);
}
END_TEST

START_TEST(fit_nonfinite_and_negative_X)
{
    data d = default_data();
    desurv_model *m = model_k(2);
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (int b = 0; b < 3; b++) {
        d.X[3 + 5 * P] = bad[b];
        ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_NONFINITE);
        assert_msg_has(m, "X[3, 5]");
        assert_msg_has(m, "gene 4");
        assert_msg_has(m, "sample 6");
    }
    d.X[3 + 5 * P] = -0.5;
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_NEGATIVE);
    assert_msg_has(m, "X[3, 5]");
    assert_msg_has(m, "negative");
    /* The first offending entry in memory order is the one reported. */
    d.X[7 + 9 * P] = NAN;
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_NEGATIVE);
    assert_msg_has(m, "X[3, 5]");
    desurv_model_free(m);
}
END_TEST

START_TEST(fit_padding_is_not_read)
{
    /* With ldx > p the rows between p and ldx are padding: NaN there is
     * not data and must not be reported. */
    data d = default_data();
    enum { LD = P + 3 };
    double X[LD * N];
    for (int j = 0; j < N; j++)
        for (int i = 0; i < LD; i++)
            X[i + j * LD] = i < P ? d.X[i + j * P] : NAN;
    desurv_model *m = model_k(2);
    int rc = tu_fit(m, X, P, N, LD, d.time, d.event);
    ck_assert_msg(rc == DESURV_OK, "fit with ldx > p: %d %s", rc, desurv_errmsg(m));
    desurv_model_free(m);
}
END_TEST

START_TEST(fit_bad_time)
{
    data d = default_data();
    desurv_model *m = model_k(2);
    d.time[5] = -1;
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_TIME);
    assert_msg_has(m, "time[5]");
    assert_msg_has(m, "sample 6");
    assert_msg_has(m, "negative");
    d.time[5] = NAN;
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_TIME);
    assert_msg_has(m, "time[5]");
    d.time[5] = INFINITY;
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_TIME);
    d.time[5] = -INFINITY;
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_TIME);
    desurv_model_free(m);
}
END_TEST

START_TEST(fit_time_zero_is_valid)
{
    data d = default_data();
    d.time[0] = 0; /* an event at time 0 */
    d.time[3] = 0;
    desurv_model *m = model_k(2);
    int rc = tu_fit(m, d.X, P, N, P, d.time, d.event);
    ck_assert_msg(rc == DESURV_OK, "time 0 refused: %d %s", rc, desurv_errmsg(m));
    desurv_model_free(m);
}
END_TEST

START_TEST(fit_bad_event)
{
    data d = default_data();
    desurv_model *m = model_k(2);
    const int32_t bad[] = {3, -1, 2, INT32_MAX, INT32_MIN};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        d.event[2] = bad[b];
        ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_EVENT);
        assert_msg_has(m, "event[2]");
        assert_msg_has(m, "sample 3");
    }
    desurv_model_free(m);
}
END_TEST

START_TEST(fit_no_events)
{
    data d = default_data();
    desurv_model *m = model_k(2);
    memset(d.event, 0, sizeof d.event);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_NO_EVENTS);
    assert_msg_has(m, "no events");
    assert_msg_has(m, "12");
    desurv_model_free(m);
}
END_TEST

START_TEST(fit_rank)
{
    data d = default_data();
    desurv_model *m = model_k(0);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_RANK);
    assert_msg_has(m, "k");
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, P + 1), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_RANK);
    /* p > n: the first 5 samples only, k = 6 > n. */
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, 6), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, d.X, P, 5, P, d.time, d.event), DESURV_E_RANK);
    desurv_model_free(m);
}
END_TEST

START_TEST(fit_rank_at_limit)
{
    /* k = min(p, n) is valid. */
    data d = default_data();
    desurv_model *m = model_k(3);
    int rc = tu_fit(m, d.X, 3, N, P, d.time, d.event);
    ck_assert_msg(rc == DESURV_OK, "k = p refused: %d %s", rc, desurv_errmsg(m));
    int64_t p, n, k;
    ck_assert_int_eq(desurv_model_dims(m, &p, &n, &k), DESURV_OK);
    ck_assert(p == 3 && n == N && k == 3);
    desurv_model_free(m);
}
END_TEST

START_TEST(fit_user_init)
{
    data d = default_data();
    desurv_model *m = model_k(2);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_INIT, 2), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_INIT);

    double W0[(P + 1) * 3], H0[3 * (N + 1)];
    for (int i = 0; i < (P + 1) * 3; i++)
        W0[i] = 0.2 + 0.1 * i;
    for (int i = 0; i < 3 * (N + 1); i++)
        H0[i] = 1.0 + 0.05 * i;
    /* Shapes that do not match the data or k. */
    ck_assert_int_eq(desurv_set_init(m, W0, P + 1, 2, P + 1, NULL, 0, 0, NULL), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_MISMATCH);
    ck_assert_int_eq(desurv_set_init(m, W0, P, 3, P, NULL, 0, 0, NULL), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_MISMATCH);
    ck_assert_int_eq(desurv_set_init(m, W0, P, 2, P, H0, N + 1, 2, NULL), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_MISMATCH);
    /* Matching shapes, with and without H0. */
    ck_assert_int_eq(desurv_set_init(m, W0, P, 2, P, H0, N, 2, NULL), DESURV_OK);
    int rc = tu_fit(m, d.X, P, N, P, d.time, d.event);
    ck_assert_msg(rc == DESURV_OK, "user init with H0: %d %s", rc, desurv_errmsg(m));
    ck_assert_int_eq(desurv_set_init(m, W0, P, 2, P, NULL, 0, 0, NULL), DESURV_OK);
    rc = tu_fit(m, d.X, P, N, P, d.time, d.event);
    ck_assert_msg(rc == DESURV_OK, "user init without H0: %d %s", rc, desurv_errmsg(m));
    /* Clearing the start brings back DESURV_E_INIT. */
    ck_assert_int_eq(desurv_set_init(m, NULL, 0, 0, 0, NULL, 0, 0, NULL), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_INIT);
    desurv_model_free(m);
}
END_TEST

/* ---- a failed fit keeps the previous one ---- */

typedef struct snapshot {
    int64_t p, n, k, len;
    double W[P * 2], H[2 * N], beta[2], stat[DESURV_STAT_COUNT], trace[4096];
} snapshot;

static void take(const desurv_model *m, snapshot *s)
{
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(desurv_model_dims(m, &s->p, &s->n, &s->k), DESURV_OK);
    ck_assert(s->p == P && s->n == N && s->k == 2);
    ck_assert_int_eq(desurv_model_W(m, s->W, P), DESURV_OK);
    ck_assert_int_eq(desurv_model_H(m, s->H, 2), DESURV_OK);
    ck_assert_int_eq(desurv_model_beta(m, s->beta), DESURV_OK);
    for (int i = 0; i < DESURV_STAT_COUNT; i++)
        ck_assert_int_eq(desurv_model_stat(m, (desurv_stat)i, &s->stat[i]), DESURV_OK);
    ck_assert_int_eq(desurv_model_trace(m, s->trace, 4096, &s->len), DESURV_OK);
}

START_TEST(failed_fit_keeps_previous)
{
    data d = default_data();
    desurv_model *m = fitted_model(&d);
    snapshot before, after;
    take(m, &before);
    /* Failures at different stages: arguments, data, rank, user init. */
    data bad = d;
    bad.X[0] = NAN;
    ck_assert_int_eq(tu_fit(m, bad.X, P, N, P, d.time, d.event), DESURV_E_NONFINITE);
    ck_assert_int_eq(tu_fit(m, d.X, P, 0, P, d.time, d.event), DESURV_E_DIM);
    bad = d;
    bad.time[N - 1] = -2;
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, bad.time, d.event), DESURV_E_TIME);
    memset(bad.event, 0, sizeof bad.event);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, bad.event), DESURV_E_NO_EVENTS);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, P + 1), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_RANK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, 2), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_INIT, 2), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_E_INIT);
    ck_assert_str_ne(desurv_errmsg(m), "");
    take(m, &after);
    ck_assert(memcmp(&before, &after, sizeof before) == 0);
    desurv_model_free(m);
}
END_TEST

/* ---- getters after a fit ---- */

START_TEST(getters_after_fit)
{
    data d = default_data();
    desurv_model *m = fitted_model(&d);
    double W[(P + 2) * 2], H[3 * N], v;
    ck_assert_int_eq(desurv_model_W(m, W, P - 1), DESURV_E_LD);
    ck_assert_int_eq(desurv_model_H(m, H, 1), DESURV_E_LD);
    /* A padded destination: the padding is left alone. */
    for (int i = 0; i < (P + 2) * 2; i++)
        W[i] = -7;
    ck_assert_int_eq(desurv_model_W(m, W, P + 2), DESURV_OK);
    for (int j = 0; j < 2; j++) {
        ck_assert(W[P + j * (P + 2)] == -7 && W[P + 1 + j * (P + 2)] == -7);
        for (int i = 0; i < P; i++)
            ck_assert(W[i + j * (P + 2)] >= 0);
    }
    ck_assert_int_eq(desurv_model_H(m, H, 3), DESURV_OK);
    ck_assert_int_eq(desurv_model_stat(m, (desurv_stat)-1, &v), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_model_stat(m, (desurv_stat)DESURV_STAT_COUNT, &v),
                     DESURV_E_OPTION);
    int events = 0;
    for (int j = 0; j < N; j++)
        events += d.event[j];
    ck_assert_int_eq(desurv_model_stat(m, DESURV_STAT_N_EVENTS, &v), DESURV_OK);
    ck_assert_double_eq(v, events);
    /* Options set after the fit do not change it. */
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, 3), DESURV_OK);
    int64_t k = 0;
    ck_assert_int_eq(desurv_model_dims(m, NULL, NULL, &k), DESURV_OK);
    ck_assert_int_eq(k, 2);
    desurv_model_free(m);
}
END_TEST

START_TEST(trace_buffer)
{
    data d = default_data();
    desurv_model *m = fitted_model(&d);
    int64_t len = -1, len2 = -1;
    ck_assert_int_eq(desurv_model_trace(m, NULL, 0, &len), DESURV_OK);
    ck_assert_int_ge(len, 1);
    double *full = malloc((size_t)(len + 1) * sizeof *full);
    double *part = malloc((size_t)(len + 1) * sizeof *part);
    ck_assert_int_eq(desurv_model_trace(m, full, len, &len2), DESURV_OK);
    ck_assert_int_eq(len2, len);
    for (int64_t i = 0; i <= len; i++)
        part[i] = -1;
    len2 = -1;
    ck_assert_int_eq(desurv_model_trace(m, part, len - 1, &len2), DESURV_E_BUFFER);
    ck_assert_int_eq(len2, len);
    for (int64_t i = 0; i < len - 1; i++)
        ck_assert(part[i] == full[i]);
    ck_assert(part[len - 1] == -1);
    ck_assert_int_eq(desurv_model_trace(m, part, 0, &len2), DESURV_E_BUFFER);
    ck_assert_int_eq(desurv_model_trace(m, part, len + 1, &len2), DESURV_OK);
    free(full);
    free(part);
    desurv_model_free(m);
}
END_TEST

/* ---- the loss trace by term ---- */

START_TEST(trace_terms_contract)
{
    data d = default_data();
    desurv_model *m = model_k(2);
    double buf[4 * DESURV_TRACE_TERMS];
    int64_t len = -1;
    ck_assert_int_eq(desurv_model_trace_terms(NULL, buf, 4, 4, &len), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_trace_terms(m, buf, 4, 4, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_trace_terms(m, NULL, 0, 0, &len), DESURV_E_NOT_FITTED);
    ck_assert_int_eq(tu_fit(m, d.X, P, N, P, d.time, d.event), DESURV_OK);
    int64_t tlen = -1;
    ck_assert_int_eq(desurv_model_trace(m, NULL, 0, &tlen), DESURV_OK);
    ck_assert_int_eq(desurv_model_trace_terms(m, NULL, 0, 0, &len), DESURV_OK);
    ck_assert_int_eq(len, tlen); /* rows align with desurv_model_trace */
    int64_t ld = len + 2; /* padded: the padding is left alone */
    double *full = malloc((size_t)(ld * DESURV_TRACE_TERMS) * sizeof *full);
    double *part = malloc((size_t)(ld * DESURV_TRACE_TERMS) * sizeof *part);
    ck_assert_int_eq(desurv_model_trace_terms(m, full, len - 1, len, &len), DESURV_E_LD);
    ck_assert_int_eq(desurv_model_trace_terms(m, full, 0, 0, &len), DESURV_E_LD);
    for (int64_t i = 0; i < ld * DESURV_TRACE_TERMS; i++)
        full[i] = part[i] = -7;
    ck_assert_int_eq(desurv_model_trace_terms(m, full, ld, len, &len), DESURV_OK);
    for (int j = 0; j < DESURV_TRACE_TERMS; j++) {
        ck_assert(full[len + j * ld] == -7 && full[len + 1 + j * ld] == -7);
        for (int64_t i = 0; i < len; i++)
            ck_assert(isfinite(full[i + j * ld])); /* alpha = 0.5: every term computed */
    }
    len = -1;
    ck_assert_int_eq(desurv_model_trace_terms(m, part, ld, tlen - 1, &len), DESURV_E_BUFFER);
    ck_assert_int_eq(len, tlen);
    for (int j = 0; j < DESURV_TRACE_TERMS; j++) {
        for (int64_t i = 0; i < tlen - 1; i++)
            ck_assert(part[i + j * ld] == full[i + j * ld]);
        ck_assert(part[tlen - 1 + j * ld] == -7);
    }
    ck_assert_int_eq(desurv_model_trace_terms(m, part, 1, 0, &len), DESURV_E_BUFFER);
    free(full);
    free(part);
    desurv_model_free(m);
}
END_TEST

/* L of every trace entry from its terms, by the formula of desurv.h, with
 * the options the fit was made with; largest relative difference. */
static double recombine_error(const desurv_model *m, const double *opt, int expect_cox)
{
    int64_t len, len2;
    ck_assert_int_eq(desurv_model_trace(m, NULL, 0, &len), DESURV_OK);
    double *loss = malloc((size_t)len * sizeof *loss);
    double *T = malloc((size_t)(len * DESURV_TRACE_TERMS) * sizeof *T);
    ck_assert_int_eq(desurv_model_trace(m, loss, len, &len), DESURV_OK);
    ck_assert_int_eq(desurv_model_trace_terms(m, T, len, len, &len2), DESURV_OK);
    ck_assert_int_eq(len2, len);
    double sigma2, ne, rec;
    ck_assert_int_eq(desurv_model_stat(m, DESURV_STAT_SIGMA2, &sigma2), DESURV_OK);
    ck_assert_int_eq(desurv_model_stat(m, DESURV_STAT_N_EVENTS, &ne), DESURV_OK);
    ck_assert_int_eq(desurv_model_stat(m, DESURV_STAT_NMF_LOSS, &rec), DESURV_OK);
    double alpha = opt[DESURV_OPT_ALPHA], worst = 0;
    for (int64_t i = 0; i < len; i++) {
        double t[DESURV_TRACE_TERMS];
        for (int j = 0; j < DESURV_TRACE_TERMS; j++)
            t[j] = T[i + j * len];
        double L = (1 - alpha) / sigma2 *
                       (t[DESURV_TRACE_REC] + opt[DESURV_OPT_LAMBDA_H] * t[DESURV_TRACE_PEN_H]) +
                   opt[DESURV_OPT_LAMBDA_W] * t[DESURV_TRACE_PEN_W];
        ck_assert(isnan(t[DESURV_TRACE_LOGLIK]) == !expect_cox);
        ck_assert(isnan(t[DESURV_TRACE_PEN_BETA]) == !expect_cox);
        if (alpha > 0)
            L += alpha * (-2.0 / ne * t[DESURV_TRACE_LOGLIK] + t[DESURV_TRACE_PEN_BETA]);
        worst = fmax(worst, fabs(L - loss[i]) / fabs(loss[i]));
    }
    /* the last entry is the returned point (the final beta polish leaves
     * the reconstruction alone) */
    ck_assert(T[len - 1 + DESURV_TRACE_REC * len] == rec);
    free(loss);
    free(T);
    return worst;
}

START_TEST(trace_terms_recombine)
{
    data d = default_data();
    /* alpha, lambda_w, lambda_h, alpha_scale, ties */
    static const double cases[][5] = {
        {0.5, 0, 0, 0, 0}, {0.3, 0.2, 0.5, 0, 1}, {0.0, 0.1, 0.1, 0, 0}, {0.7, 0, 0.3, 1, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        desurv_model *m = model_k(2);
        double opt[DESURV_OPT_COUNT];
        ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_ALPHA, cases[c][0]), DESURV_OK);
        ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_LAMBDA_W, cases[c][1]), DESURV_OK);
        ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_LAMBDA_H, cases[c][2]), DESURV_OK);
        ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_ALPHA_SCALE, cases[c][3]), DESURV_OK);
        ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_TIES, cases[c][4]), DESURV_OK);
        for (int i = 0; i < DESURV_OPT_COUNT; i++)
            ck_assert_int_eq(desurv_get_option(m, (desurv_option)i, &opt[i]), DESURV_OK);
        int rc = tu_fit(m, d.X, P, N, P, d.time, d.event);
        ck_assert_msg(rc == DESURV_OK, "case %zu: %d %s", c, rc, desurv_errmsg(m));
        double err = recombine_error(m, opt, cases[c][0] > 0);
        ck_assert_msg(err <= 1e-12, "case %zu: terms recombine to L within %g", c, err);
        desurv_model_free(m);
    }
}
END_TEST

/* Model files store only the total: after loading, *len = 0 and DESURV_OK;
 * a refit of the loaded handle records the terms again. */
START_TEST(trace_terms_after_load)
{
    data d = default_data();
    desurv_model *m = fitted_model(&d), *back = NULL;
    int64_t size = 0, len = -1, tlen = -1;
    ck_assert_int_eq(desurv_model_save(m, NULL, 0, &size), DESURV_OK);
    void *buf = malloc((size_t)size);
    ck_assert_int_eq(desurv_model_save(m, buf, size, &size), DESURV_OK);
    ck_assert_int_eq(desurv_model_load(&back, buf, size, NULL, 0), DESURV_OK);
    double out[DESURV_TRACE_TERMS] = {-7, -7, -7, -7, -7};
    ck_assert_int_eq(desurv_model_trace_terms(back, NULL, 0, 0, &len), DESURV_OK);
    ck_assert_int_eq(len, 0);
    ck_assert_int_eq(desurv_model_trace_terms(back, out, 1, 1, &len), DESURV_OK);
    ck_assert_int_eq(len, 0);
    ck_assert(out[0] == -7);
    ck_assert_int_eq(desurv_model_trace(back, NULL, 0, &tlen), DESURV_OK);
    ck_assert_int_gt(tlen, 0); /* the total is still there */
    ck_assert_int_eq(tu_fit(back, d.X, P, N, P, d.time, d.event), DESURV_OK);
    ck_assert_int_eq(desurv_model_trace_terms(back, NULL, 0, 0, &len), DESURV_OK);
    ck_assert_int_eq(desurv_model_trace(back, NULL, 0, &tlen), DESURV_OK);
    ck_assert_int_eq(len, tlen);
    free(buf);
    desurv_model_free(back);
    desurv_model_free(m);
}
END_TEST

/* ---- prediction ---- */

/* Reference lp = X^T (W beta) from the public getters. */
static void reference_lp(const desurv_model *m, const double *X, int64_t p, int64_t n,
                         int64_t ldx, double *lp)
{
    int64_t k;
    ck_assert_int_eq(desurv_model_dims(m, NULL, NULL, &k), DESURV_OK);
    double *W = malloc((size_t)(p * k) * sizeof *W), beta[8];
    ck_assert_int_le(k, 8);
    ck_assert_int_eq(desurv_model_W(m, W, p), DESURV_OK);
    ck_assert_int_eq(desurv_model_beta(m, beta), DESURV_OK);
    for (int64_t j = 0; j < n; j++) {
        lp[j] = 0;
        for (int64_t i = 0; i < p; i++) {
            double wb = 0;
            for (int64_t r = 0; r < k; r++)
                wb += W[i + r * p] * beta[r];
            lp[j] += X[i + j * ldx] * wb;
        }
    }
    free(W);
}

static void assert_close(const double *a, const double *b, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        ck_assert_msg(fabs(a[i] - b[i]) <= 1e-12 * fmax(1, fabs(b[i])), "lp[%lld] %.17g vs %.17g",
                      (long long)i, a[i], b[i]);
}

START_TEST(predict_contract)
{
    data d = default_data();
    desurv_model *m = fitted_model(&d);
    double lp[N + 1], ref[N];
    /* Failing predicts record nothing: the last message stays. */
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_ALPHA, 2), DESURV_E_RANGE);
    char before[600];
    strncpy(before, desurv_errmsg(m), sizeof before - 1);
    before[sizeof before - 1] = '\0';

    ck_assert_int_eq(desurv_predict(m, d.X, P + 1, N, P + 1, lp), DESURV_E_MISMATCH);
    ck_assert_int_eq(desurv_predict(m, d.X, P - 1, N, P, lp), DESURV_E_MISMATCH);
    ck_assert_int_eq(desurv_predict(m, d.X, 0, N, P, lp), DESURV_E_DIM);
    ck_assert_int_eq(desurv_predict(m, d.X, P, 0, P, lp), DESURV_E_DIM);
    ck_assert_int_eq(desurv_predict(m, d.X, P, -1, P, lp), DESURV_E_DIM);
    ck_assert_int_eq(desurv_predict(m, d.X, P, N, P - 1, lp), DESURV_E_LD);
    ck_assert_int_eq(desurv_predict(m, d.X, P, N, OVER, lp), DESURV_E_OVERFLOW);
    ck_assert_int_eq(desurv_predict(m, d.X, P, OVER, P, lp), DESURV_E_OVERFLOW);
    data bad = d;
    bad.X[4 + 7 * P] = NAN;
    ck_assert_int_eq(desurv_predict(m, bad.X, P, N, P, lp), DESURV_E_NONFINITE);
    bad.X[4 + 7 * P] = -INFINITY;
    ck_assert_int_eq(desurv_predict(m, bad.X, P, N, P, lp), DESURV_E_NONFINITE);
    ck_assert_str_eq(desurv_errmsg(m), before);

    /* Negative entries are allowed in new data. */
    bad.X[4 + 7 * P] = -3;
    ck_assert_int_eq(desurv_predict(m, bad.X, P, N, P, lp), DESURV_OK);
    reference_lp(m, bad.X, P, N, P, ref);
    assert_close(lp, ref, N);
    /* A single sample, and lp_out beyond n untouched. */
    lp[1] = 12345;
    ck_assert_int_eq(desurv_predict(m, d.X + 2 * P, P, 1, P, lp), DESURV_OK);
    ck_assert_double_eq(lp[1], 12345);
    desurv_model_free(m);
}
END_TEST

START_TEST(predict_large_p)
{
    /* p spans several of predict's internal row blocks, with ldx > p. */
    enum { BP = 1100, BN = 15, BLD = BP + 5 };
    double *X = malloc(BP * BN * sizeof *X), *Xp = malloc(BLD * BN * sizeof *Xp);
    double t[BN], lp[BN], ref[BN];
    int32_t e[BN];
    make_data(BP, BN, 7, X, t, e);
    for (int j = 0; j < BN; j++)
        for (int i = 0; i < BLD; i++)
            Xp[i + j * BLD] = i < BP ? X[i + j * BP] : NAN;
    desurv_model *m = model_k(2);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_NINIT, 1), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_MAXIT, 20), DESURV_OK);
    int rc = tu_fit(m, X, BP, BN, BP, t, e);
    ck_assert_msg(rc == DESURV_OK, "fit: %d %s", rc, desurv_errmsg(m));
    ck_assert_int_eq(desurv_predict(m, Xp, BP, BN, BLD, lp), DESURV_OK);
    reference_lp(m, X, BP, BN, BP, ref);
    assert_close(lp, ref, BN);
    free(X);
    free(Xp);
    desurv_model_free(m);
}
END_TEST

/* ---- suite ---- */

static Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *basic = tcase_create("basic");
    tcase_add_test(basic, version_matches_header);
    tcase_add_test(basic, strerror_every_code);
    tcase_add_test(basic, strerror_unknown_codes);
    tcase_add_test(basic, errmsg_null_and_fresh);
    tcase_add_test(basic, model_new_free_null);
    suite_add_tcase(s, basic);

    TCase *opt = tcase_create("options");
    tcase_add_loop_test(opt, option_default, 0, DESURV_OPT_COUNT);
    tcase_add_loop_test(opt, option_name_and_bounds, 0, DESURV_OPT_COUNT);
    tcase_add_loop_test(opt, option_round_trip, 0, DESURV_OPT_COUNT);
    tcase_add_loop_test(opt, option_out_of_bounds, 0, DESURV_OPT_COUNT);
    tcase_add_loop_test(opt, option_not_integral, 0, DESURV_OPT_COUNT);
    tcase_add_test(opt, option_alpha_edge);
    tcase_add_test(opt, option_unknown_id_and_name);
    tcase_add_test(opt, option_null_pointers);
    suite_add_tcase(s, opt);

    TCase *unfit = tcase_create("unfitted");
    tcase_add_test(unfit, getters_before_fit);
    tcase_add_test(unfit, getters_null);
    tcase_add_test(unfit, set_init_errors);
    tcase_add_test(unfit, cindex_contract);
    suite_add_tcase(s, unfit);

    TCase *fit = tcase_create("fit");
    tcase_set_timeout(fit, 300);
    tcase_add_test(fit, fit_null);
    tcase_add_test(fit, fit_dims);
    tcase_add_test(fit, fit_nonfinite_and_negative_X);
    tcase_add_test(fit, fit_padding_is_not_read);
    tcase_add_test(fit, fit_bad_time);
    tcase_add_test(fit, fit_time_zero_is_valid);
    tcase_add_test(fit, fit_bad_event);
    tcase_add_test(fit, fit_no_events);
    tcase_add_test(fit, fit_rank);
    tcase_add_test(fit, fit_rank_at_limit);
    tcase_add_test(fit, fit_user_init);
    tcase_add_test(fit, failed_fit_keeps_previous);
    tcase_add_test(fit, getters_after_fit);
    tcase_add_test(fit, trace_buffer);
    tcase_add_test(fit, trace_terms_contract);
    tcase_add_test(fit, trace_terms_recombine);
    tcase_add_test(fit, trace_terms_after_load);
    tcase_add_test(fit, predict_contract);
    tcase_add_test(fit, predict_large_p);
    suite_add_tcase(s, fit);
    return s;
}

int main(void)
{
    return tu_run_suite(api_suite());
}
