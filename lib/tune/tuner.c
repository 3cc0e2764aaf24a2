/* tuner.c - the desurv_tuner handle: options, search ranges, grids,
 * folds, warm-start history, and the getters of the last run.
 * The search itself is in tune.c. */
#include "tune/tuner.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct topt_info {
    const char *name;
    double lo, hi, def;
    int integral;
} topt_info;

/* Indexed by desurv_tuner_option. */
static const topt_info topt_table[DESURV_TOPT_COUNT] = {
    [DESURV_TOPT_FOLDS] = {"folds", 2, 100, 5, 1},
    [DESURV_TOPT_STARTS] = {"starts", 1, 1e6, 30, 1},
    [DESURV_TOPT_START_MODE] = {"start_mode", 0, 1, 0, 1},
    [DESURV_TOPT_METHOD] = {"method", 0, 1, 0, 1},
    [DESURV_TOPT_INIT_POINTS] = {"init_points", 0, 1e6, 0, 1},
    [DESURV_TOPT_ITERATIONS] = {"iterations", 0, 1e6, 20, 1},
    [DESURV_TOPT_RULE] = {"rule", 0, 4, 1, 1},
    [DESURV_TOPT_XI] = {"xi", 0, 1, 0, 0},
    [DESURV_TOPT_LCB_Z] = {"lcb_z", 1e-6, 10, 1.645, 0},
    [DESURV_TOPT_POOL] = {"pool", 0, 1e6, 0, 1},
    [DESURV_TOPT_ALPHA_SCALE] = {"alpha_scale", 0, 1, 0, 1},
    [DESURV_TOPT_SEED] = {"seed", 0, DSV_SEED_MAX, 1, 1},
    [DESURV_TOPT_THREADS] = {"threads", 1, 256, 1, 1},
    [DESURV_TOPT_BATCH] = {"batch", 1, 1e6, 10, 1},
    [DESURV_TOPT_REFIT] = {"refit", 0, 1, 1, 1},
};

static const char *const param_names[DSV_NPAR] = {"k", "alpha", "lambda", "nu",
                                                  "lambda_w", "lambda_h", "ntop"};

/* doc/model.md section 7 defaults: k, alpha, lambda, nu searched; the rest fixed. */
static void default_bounds(desurv_tuner *t)
{
    static const double lo[DSV_NPAR] = {2, 1e-4, 1e-5, 0, NAN, NAN, NAN};
    static const double hi[DSV_NPAR] = {12, 0.9999, 1e5, 1, NAN, NAN, NAN};
    for (int i = 0; i < DSV_NPAR; i++)
        t->lo[i] = lo[i], t->hi[i] = hi[i];
}

int dsv_param_log(int par, int alpha_linear)
{
    return par == DSV_P_LAMBDA || par == DSV_P_LAMBDA_W || par == DSV_P_LAMBDA_H ||
           (par == DSV_P_ALPHA && !alpha_linear);
}

int dsv_param_integral(int par)
{
    return par == DSV_P_K || par == DSV_P_NTOP;
}

int dsv_tfail(desurv_tuner *t, int code, const char *fmt, ...)
{
    if (t) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(t->errmsg, sizeof t->errmsg, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ---- history ----------------------------------------------------------- */

/* Room for nfit more fit iteration counts. */
static int reserve_fits(dsv_history *h, int64_t nfit)
{
    int64_t used = h->len ? h->fit_off[h->len] : 0;
    if (used + nfit <= h->fit_cap)
        return DESURV_OK;
    int64_t cap = h->fit_cap ? 2 * h->fit_cap : 256;
    while (cap < used + nfit)
        cap *= 2;
    double *nf = realloc(h->fit_it, (size_t)cap * sizeof *nf);
    if (!nf)
        return DESURV_E_NOMEM;
    h->fit_it = nf;
    h->fit_cap = cap;
    return DESURV_OK;
}

int dsv_history_push(dsv_history *h, const dsv_eval *e, double pooled, const double *fit_it,
                     int64_t nfit, const double *fold_c, int64_t folds)
{
    if (h->len == 0 && h->cap == 0)
        h->folds = folds;
    if (folds != h->folds)
        return DESURV_E_DIM;
    if (h->len == h->cap) {
        int64_t cap = h->cap ? 2 * h->cap : 32;
        dsv_eval *ne = realloc(h->e, (size_t)cap * sizeof *ne);
        if (ne)
            h->e = ne;
        double *np = realloc(h->pooled, (size_t)cap * sizeof *np);
        if (np)
            h->pooled = np;
        double *nf = realloc(h->fold_c, (size_t)(cap * (folds > 0 ? folds : 1)) * sizeof *nf);
        if (nf)
            h->fold_c = nf;
        int64_t *no = realloc(h->fit_off, (size_t)(cap + 1) * sizeof *no);
        if (no)
            h->fit_off = no;
        if (!ne || !np || !nf || !no)
            return DESURV_E_NOMEM;
        if (h->cap == 0)
            h->fit_off[0] = 0;
        h->cap = cap;
    }
    if (reserve_fits(h, nfit) != DESURV_OK)
        return DESURV_E_NOMEM;
    h->e[h->len] = *e;
    h->pooled[h->len] = pooled;
    for (int64_t f = 0; f < folds; f++)
        h->fold_c[h->len * folds + f] = fold_c ? fold_c[f] : NAN;
    int64_t at = h->fit_off[h->len];
    for (int64_t j = 0; j < nfit; j++)
        h->fit_it[at + j] = fit_it[j];
    h->fit_off[h->len + 1] = at + nfit;
    h->len++;
    return DESURV_OK;
}

void dsv_history_free(dsv_history *h)
{
    free(h->e), free(h->pooled), free(h->fold_c), free(h->fit_it), free(h->fit_off);
    memset(h, 0, sizeof *h);
}

int dsv_history_copy(dsv_history *dst, const dsv_history *src)
{
    dsv_history_free(dst);
    for (int64_t i = 0; i < src->len; i++) {
        int64_t a = src->fit_off[i], b = src->fit_off[i + 1];
        int rc = dsv_history_push(dst, &src->e[i], src->pooled[i], src->fit_it + a, b - a,
                                  src->fold_c + i * src->folds, src->folds);
        if (rc != DESURV_OK)
            return rc;
    }
    return DESURV_OK;
}

/* ---- handle ------------------------------------------------------------ */

int desurv_tuner_new(desurv_tuner **out)
{
    if (!out)
        return DESURV_E_NULL;
    desurv_tuner *t = calloc(1, sizeof *t);
    *out = t;
    if (!t)
        return DESURV_E_NOMEM;
    for (int i = 0; i < DESURV_TOPT_COUNT; i++)
        t->opt[i] = topt_table[i].def;
    default_bounds(t);
    return DESURV_OK;
}

void desurv_tuner_free(desurv_tuner *t)
{
    if (!t)
        return;
    for (int i = 0; i < DSV_NPAR; i++)
        free(t->grid[i]);
    free(t->user_fold), free(t->strata), free(t->surface), free(t->fold), free(t->warnings);
    dsv_history_free(&t->warm);
    dsv_history_free(&t->hist);
    free(t);
}

static int topt_known(desurv_tuner_option opt)
{
    return (unsigned)opt < (unsigned)DESURV_TOPT_COUNT;
}

static int param_known(desurv_param par)
{
    return (unsigned)par < (unsigned)DSV_NPAR;
}

int desurv_tuner_set(desurv_tuner *t, desurv_tuner_option opt, double value)
{
    if (!t)
        return DESURV_E_NULL;
    if (!topt_known(opt))
        return dsv_tfail(t, DESURV_E_OPTION, "unknown tuner option %d", (int)opt);
    const topt_info *o = &topt_table[opt];
    if (isnan(value) || value < o->lo || value > o->hi || (o->integral && value != floor(value)))
        return dsv_tfail(t, DESURV_E_RANGE, "tuner option %s = %g: must be %s in [%g, %g]",
                         o->name, value, o->integral ? "an integer" : "a number", o->lo, o->hi);
    t->opt[opt] = value;
    return DESURV_OK;
}

int desurv_tuner_get(const desurv_tuner *t, desurv_tuner_option opt, double *value)
{
    if (!t || !value)
        return DESURV_E_NULL;
    if (!topt_known(opt))
        return DESURV_E_OPTION;
    *value = t->opt[opt];
    return DESURV_OK;
}

int desurv_tuner_option_by_name(const char *name, desurv_tuner_option *opt)
{
    if (!name || !opt)
        return DESURV_E_NULL;
    for (int i = 0; i < DESURV_TOPT_COUNT; i++)
        if (strcmp(name, topt_table[i].name) == 0) {
            *opt = (desurv_tuner_option)i;
            return DESURV_OK;
        }
    return DESURV_E_OPTION;
}

const char *desurv_tuner_option_name(desurv_tuner_option opt)
{
    return topt_known(opt) ? topt_table[opt].name : NULL;
}

int desurv_param_by_name(const char *name, desurv_param *par)
{
    if (!name || !par)
        return DESURV_E_NULL;
    for (int i = 0; i < DSV_NPAR; i++)
        if (strcmp(name, param_names[i]) == 0) {
            *par = (desurv_param)i;
            return DESURV_OK;
        }
    return DESURV_E_OPTION;
}

const char *desurv_param_name(desurv_param par)
{
    return param_known(par) ? param_names[par] : NULL;
}

/* The model option a hyperparameter sets (ntop has none). */
static int param_option(int par)
{
    static const int map[DSV_NPAR] = {DESURV_OPT_K,        DESURV_OPT_ALPHA,
                                      DESURV_OPT_LAMBDA,   DESURV_OPT_NU,
                                      DESURV_OPT_LAMBDA_W, DESURV_OPT_LAMBDA_H, -1};
    return map[par];
}

/* Is value admissible for par (the model option's bounds; ntop >= 0 integer)? */
static int param_value_ok(int par, double v)
{
    if (!isfinite(v))
        return 0;
    if (par == DSV_P_NTOP)
        return v >= 0 && v == floor(v) && v <= 2147483647.0;
    double lo, hi;
    desurv_option_bounds((desurv_option)param_option(par), &lo, &hi);
    if (par == DSV_P_K && v < 1)
        return 0;
    return v >= lo && v <= hi && (!dsv_param_integral(par) || v == floor(v));
}

int dsv_param_to_option(int par)
{
    return param_option(par);
}

int desurv_tuner_set_bounds(desurv_tuner *t, desurv_param par, double lo, double hi)
{
    if (!t)
        return DESURV_E_NULL;
    if (!param_known(par))
        return dsv_tfail(t, DESURV_E_OPTION, "unknown hyperparameter %d", (int)par);
    const char *nm = param_names[par];
    if (isnan(lo) && isnan(hi)) {
        t->lo[par] = t->hi[par] = NAN;
        return DESURV_OK;
    }
    if (!param_value_ok(par, lo) || !param_value_ok(par, hi) || lo > hi)
        return dsv_tfail(t, DESURV_E_RANGE, "%s range [%g, %g] is empty or outside the "
                         "option's bounds", nm, lo, hi);
    if (lo < hi && dsv_param_log((int)par, 0) && (int)par != DSV_P_ALPHA && lo <= 0)
        return dsv_tfail(t, DESURV_E_RANGE, "%s is searched on the log scale: the lower "
                         "bound must be > 0 (got %g)", nm, lo);
    t->lo[par] = lo, t->hi[par] = hi;
    return DESURV_OK;
}

int desurv_tuner_get_bounds(const desurv_tuner *t, desurv_param par, double *lo, double *hi)
{
    if (!t || !lo || !hi)
        return DESURV_E_NULL;
    if (!param_known(par))
        return DESURV_E_OPTION;
    *lo = t->lo[par], *hi = t->hi[par];
    return DESURV_OK;
}

int desurv_tuner_set_grid(desurv_tuner *t, desurv_param par, const double *values, int64_t len)
{
    if (!t)
        return DESURV_E_NULL;
    if (!param_known(par))
        return dsv_tfail(t, DESURV_E_OPTION, "unknown hyperparameter %d", (int)par);
    if (!values || len <= 0) {
        free(t->grid[par]);
        t->grid[par] = NULL, t->grid_len[par] = 0;
        return DESURV_OK;
    }
    for (int64_t i = 0; i < len; i++)
        if (!param_value_ok(par, values[i]))
            return dsv_tfail(t, DESURV_E_RANGE, "%s grid value %lld (%g) is outside the "
                             "option's bounds", param_names[par], (long long)i, values[i]);
    double *g = malloc((size_t)len * sizeof *g);
    if (!g)
        return DESURV_E_NOMEM;
    memcpy(g, values, (size_t)len * sizeof *g);
    free(t->grid[par]);
    t->grid[par] = g, t->grid_len[par] = len;
    return DESURV_OK;
}

static int copy_labels(int32_t **dst, int64_t *dst_n, const int32_t *src, int64_t n)
{
    if (!src) {
        free(*dst);
        *dst = NULL, *dst_n = 0;
        return DESURV_OK;
    }
    if (n < 1)
        return DESURV_E_DIM;
    int32_t *c = malloc((size_t)n * sizeof *c);
    if (!c)
        return DESURV_E_NOMEM;
    memcpy(c, src, (size_t)n * sizeof *c);
    free(*dst);
    *dst = c, *dst_n = n;
    return DESURV_OK;
}

int desurv_tuner_set_folds(desurv_tuner *t, const int32_t *fold, int64_t n)
{
    return t ? copy_labels(&t->user_fold, &t->user_fold_n, fold, n) : DESURV_E_NULL;
}

int desurv_tuner_set_strata(desurv_tuner *t, const int32_t *strata, int64_t n)
{
    return t ? copy_labels(&t->strata, &t->strata_n, strata, n) : DESURV_E_NULL;
}

int desurv_tuner_set_progress(desurv_tuner *t, desurv_progress_fn fn, void *user_data)
{
    if (!t)
        return DESURV_E_NULL;
    t->progress = fn, t->progress_user = fn ? user_data : NULL;
    return DESURV_OK;
}

int desurv_tuner_add_history(desurv_tuner *t, const double *params, double mean, double se,
                             const double *fold_c, int64_t folds)
{
    if (!t || !params)
        return DESURV_E_NULL;
    dsv_eval e;
    for (int i = 0; i < DSV_NPAR; i++) {
        if (!isfinite(params[i]))
            return dsv_tfail(t, DESURV_E_NONFINITE, "warm-start %s is not finite",
                             param_names[i]);
        e.par[i] = params[i];
    }
    if (!isfinite(mean) || !isfinite(se))
        return dsv_tfail(t, DESURV_E_NONFINITE, "warm-start mean or se is not finite");
    if (se < 0)
        return dsv_tfail(t, DESURV_E_RANGE, "warm-start se = %g is negative", se);
    if (folds < 0 || (fold_c == NULL && folds != 0 && folds != t->warm.folds))
        return DESURV_E_DIM;
    e.mean = mean, e.se = se;
    e.recon = e.recon_se = NAN; /* not measured by the caller */
    int rc = dsv_history_push(&t->warm, &e, NAN, NULL, 0, fold_c,
                              fold_c ? folds : t->warm.folds);
    return rc == DESURV_E_DIM ? dsv_tfail(t, rc, "warm-start points have %lld folds, not %lld",
                                          (long long)t->warm.folds, (long long)folds)
                              : rc;
}

/* ---- results ----------------------------------------------------------- */

int desurv_tuner_history_len(const desurv_tuner *t, int64_t *len, int64_t *folds)
{
    if (!t || !len)
        return DESURV_E_NULL;
    *len = t->hist.len;
    if (folds)
        *folds = t->hist.folds;
    return DESURV_OK;
}

int desurv_tuner_history(const desurv_tuner *t, int64_t i, double *params, double *mean,
                         double *se, double *pooled, double *fold_c)
{
    if (!t)
        return DESURV_E_NULL;
    if (i < 0 || i >= t->hist.len)
        return DESURV_E_RANGE;
    const dsv_eval *e = &t->hist.e[i];
    if (params)
        memcpy(params, e->par, sizeof e->par);
    if (mean)
        *mean = e->mean;
    if (se)
        *se = e->se;
    if (pooled)
        *pooled = t->hist.pooled[i];
    if (fold_c)
        memcpy(fold_c, t->hist.fold_c + i * t->hist.folds,
               (size_t)t->hist.folds * sizeof *fold_c);
    return DESURV_OK;
}

int desurv_tuner_history_recon(const desurv_tuner *t, int64_t i, double *mean, double *se)
{
    if (!t)
        return DESURV_E_NULL;
    if (i < 0 || i >= t->hist.len)
        return DESURV_E_RANGE;
    if (mean)
        *mean = t->hist.e[i].recon;
    if (se)
        *se = t->hist.e[i].recon_se;
    return DESURV_OK;
}

int desurv_tuner_history_iters(const desurv_tuner *t, int64_t i, double *out, int64_t cap,
                               int64_t *len)
{
    if (!t || !len)
        return DESURV_E_NULL;
    if (i < 0 || i >= t->hist.len)
        return DESURV_E_RANGE;
    int64_t a = t->hist.fit_off[i], n = t->hist.fit_off[i + 1] - a;
    *len = n;
    if (!out)
        return DESURV_OK;
    memcpy(out, t->hist.fit_it + a, (size_t)(cap < n ? (cap > 0 ? cap : 0) : n) * sizeof *out);
    return cap < n ? DESURV_E_BUFFER : DESURV_OK;
}

int desurv_tuner_choice(const desurv_tuner *t, double *params, int64_t *index)
{
    if (!t)
        return DESURV_E_NULL;
    if (!t->chosen_valid)
        return DESURV_E_NOT_FITTED;
    if (params)
        memcpy(params, t->chosen_par, sizeof t->chosen_par);
    if (index)
        *index = t->chosen;
    return DESURV_OK;
}

int desurv_tuner_surface(const desurv_tuner *t, double *k_out, double *alpha_out, double *mean,
                         double *sd, int64_t cap, int64_t *len)
{
    if (!t || !len)
        return DESURV_E_NULL;
    if (!t->surface)
        return DESURV_E_NOT_FITTED;
    int64_t m = t->surface_len;
    *len = m;
    if (!k_out || !alpha_out || !mean || !sd)
        return DESURV_OK;
    if (cap < m)
        return DESURV_E_BUFFER;
    for (int64_t r = 0; r < m; r++) {
        k_out[r] = t->surface[4 * r];
        alpha_out[r] = t->surface[4 * r + 1];
        mean[r] = t->surface[4 * r + 2];
        sd[r] = t->surface[4 * r + 3];
    }
    return DESURV_OK;
}

int desurv_tuner_folds(const desurv_tuner *t, int32_t *fold, int64_t n)
{
    if (!t || !fold)
        return DESURV_E_NULL;
    if (!t->fold)
        return DESURV_E_NOT_FITTED;
    if (n != t->fold_n)
        return DESURV_E_DIM;
    memcpy(fold, t->fold, (size_t)n * sizeof *fold);
    return DESURV_OK;
}

const char *desurv_tuner_warnings(const desurv_tuner *t)
{
    return t && t->warnings ? t->warnings : "";
}

const char *desurv_tuner_errmsg(const desurv_tuner *t)
{
    return t ? t->errmsg : "no tuner (NULL handle)";
}
