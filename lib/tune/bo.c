/* bo.c - Bayesian-optimisation building blocks (see bo.h): Latin
 * hypercubes, expected improvement, the choice of the next point from a
 * snapped candidate pool, and a sequential driver.
 *
 * Candidates are ranked by log EI rather than EI: late in a run the
 * improvement over the incumbent is many predictive sds away for most of
 * the cube, EI underflows to 0 for whole regions and a ranking by EI would
 * degrade to the pool order.
 */
#include "tune/bo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "desurv/desurv.h"
#include "base/rng.h"

#define N_POLISH 5      /* candidates refined by the compass search */
#define POLISH_ITERS 60
#define POLISH_MIN_STEP 1e-4
#define MILLS_TERMS 60  /* continued-fraction depth, ample for z <= -6 */
#define SQRT2 1.41421356237309504880
#define LOG_SQRT_2PI 0.91893853320467274178
#define INV_SQRT_2PI 0.39894228040143267794

/* ------------------------------------------------------------------------ */
/* Latin hypercube                                                           */
/* ------------------------------------------------------------------------ */

/* Each column is a random permutation of the m strata (Fisher-Yates, done
 * in place on the output so no allocation is needed), plus a uniform
 * position inside the stratum. */
void dsv_lhs(int64_t m, int64_t d, uint64_t seed, uint64_t stream, double *U, int64_t ldu)
{
    if (!U || m < 1 || d < 1 || ldu < m)
        return;
    dsv_rng r;
    dsv_rng_seed(&r, seed, stream);
    for (int64_t j = 0; j < d; j++) {
        double *col = U + j * ldu;
        for (int64_t i = 0; i < m; i++)
            col[i] = (double)i;
        for (int64_t i = m - 1; i > 0; i--) {
            int64_t k = dsv_rng_below(&r, i + 1);
            double t = col[i];
            col[i] = col[k];
            col[k] = t;
        }
        for (int64_t i = 0; i < m; i++)
            col[i] = (col[i] + dsv_rng_uniform(&r)) / (double)m;
    }
}

/* ------------------------------------------------------------------------ */
/* Expected improvement                                                      */
/* ------------------------------------------------------------------------ */

/* log h(z), h(z) = z Phi(z) + phi(z) = EI / sd.  Below z = -6 the direct
 * formula cancels; there h = phi(x) T / (x + T) with x = -z and
 * T = 1 / (x + 2 / (x + 3 / (x + ...))), the tail of Laplace's continued
 * fraction 1 / R(x) = x + T for the Mills ratio R = Phi(-x) / phi(x). */
static double log_h(double z)
{
    if (z > -6.0) {
        double Phi = 0.5 * erfc(-z / SQRT2);
        double phi = exp(-0.5 * z * z) * INV_SQRT_2PI;
        return log(fmax(z * Phi + phi, 0.0));
    }
    double x = -z, D = x;
    for (int k = MILLS_TERMS; k >= 2; k--)
        D = x + (double)k / D;
    double T = 1.0 / D;
    return -0.5 * x * x - LOG_SQRT_2PI + log(T) - log(x + T);
}

double dsv_log_expected_improvement(double mu, double sd, double best, double xi)
{
    double imp = mu - best - xi;
    if (!(sd > 0))
        return imp > 0 ? log(imp) : -INFINITY;
    return log(sd) + log_h(imp / sd);
}

double dsv_expected_improvement(double mu, double sd, double best, double xi)
{
    double imp = mu - best - xi;
    if (!(sd > 0))
        return imp > 0 ? imp : 0.0;
    double z = imp / sd;
    if (z > -6.0) {
        double Phi = 0.5 * erfc(-z / SQRT2);
        double phi = exp(-0.5 * z * z) * INV_SQRT_2PI;
        return fmax(imp * Phi + sd * phi, 0.0);
    }
    return sd * exp(log_h(z));
}

/* ------------------------------------------------------------------------ */
/* Candidate pool                                                            */
/* ------------------------------------------------------------------------ */

typedef struct pool {
    const dsv_bo_config *cfg;
    const dsv_gp *gp;
    double best;
    int64_t cap, ld;   /* rows of C and score, leading dimension of C */
    double *C;         /* cap x d candidates (snapped) */
    double *score;     /* log EI */
    double *mu, *sd;   /* prediction workspace, max(cap, 2d) each */
} pool;

static void row_get(const double *M, int64_t ld, int64_t i, int64_t d, double *u)
{
    for (int64_t k = 0; k < d; k++)
        u[k] = M[i + k * ld];
}

static void row_put(double *M, int64_t ld, int64_t i, int64_t d, const double *u)
{
    for (int64_t k = 0; k < d; k++)
        M[i + k * ld] = u[k];
}

static int row_eq(const double *M, int64_t ld, int64_t i, const double *u, int64_t d)
{
    for (int64_t k = 0; k < d; k++)
        if (M[i + k * ld] != u[k])
            return 0;
    return 1;
}

static int is_evaluated(const double *U, int64_t ldu, int64_t n, int64_t d, const double *u)
{
    for (int64_t i = 0; i < n; i++)
        if (row_eq(U, ldu, i, u, d))
            return 1;
    return 0;
}

static void snap(const dsv_bo_config *cfg, double *u)
{
    if (cfg->snap)
        cfg->snap(u, cfg->d, cfg->snap_ctx);
}

/* Score the m rows of M (ld ldm) into score. */
static int score_rows(pool *p, const double *M, int64_t ldm, int64_t m, double *score)
{
    int rc = dsv_gp_predict(p->gp, M, ldm, m, p->mu, p->sd);
    if (rc != DESURV_OK)
        return rc;
    for (int64_t i = 0; i < m; i++) {
        double s = dsv_log_expected_improvement(p->mu[i], p->sd[i], p->best, p->cfg->xi);
        score[i] = isnan(s) ? -INFINITY : s;
    }
    return DESURV_OK;
}

/* Compass search on log EI(snap(u)) from row i of the pool, result into
 * row `out`.  Each sweep scores the 2d axis neighbours in one batch. */
static int polish_one(pool *p, int64_t i, int64_t out, int64_t npool)
{
    int64_t d = p->cfg->d, nt = 2 * d;
    double x[DSV_GP_MAXD], t[DSV_GP_MAXD], T[2 * DSV_GP_MAXD * DSV_GP_MAXD], ts[2 * DSV_GP_MAXD];
    double fx = p->score[i];
    double delta = fmin(0.1, 0.5 * pow((double)npool, -1.0 / (double)d));
    row_get(p->C, p->ld, i, d, x);
    for (int it = 0; it < POLISH_ITERS && delta >= POLISH_MIN_STEP; it++) {
        for (int64_t j = 0; j < nt; j++) {
            memcpy(t, x, (size_t)d * sizeof(double));
            t[j / 2] = fmin(1.0, fmax(0.0, t[j / 2] + (j % 2 ? delta : -delta)));
            snap(p->cfg, t);
            row_put(T, nt, j, d, t);
        }
        int rc = score_rows(p, T, nt, nt, ts);
        if (rc != DESURV_OK)
            return rc;
        int64_t jb = 0;
        for (int64_t j = 1; j < nt; j++)
            if (ts[j] > ts[jb])
                jb = j;
        if (ts[jb] > fx) {
            fx = ts[jb];
            row_get(T, nt, jb, d, x);
        } else {
            delta *= 0.5;
        }
    }
    row_put(p->C, p->ld, out, d, x);
    p->score[out] = fx;
    return DESURV_OK;
}

typedef struct ranked {
    double s;
    int64_t i;
} ranked;

/* Descending score, then ascending index: a total, deterministic order. */
static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s > b->s ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

static ranked *rank_pool(const pool *p, int64_t m)
{
    ranked *r = malloc((size_t)m * sizeof *r);
    if (!r)
        return NULL;
    for (int64_t i = 0; i < m; i++) {
        r[i].s = p->score[i];
        r[i].i = i;
    }
    qsort(r, (size_t)m, sizeof *r, cmp_ranked);
    return r;
}

/* Polish the N_POLISH best distinct, not yet evaluated candidates; the
 * results are appended after the npool pool rows; *count receives the
 * number of rows then in the pool. */
static int polish_top(pool *p, int64_t npool, const double *U, int64_t ldu, int64_t n,
                      int64_t *count)
{
    int64_t d = p->cfg->d, added = 0, starts[N_POLISH];
    double u[DSV_GP_MAXD];
    ranked *r = rank_pool(p, npool);
    if (!r)
        return DESURV_E_NOMEM;
    for (int64_t k = 0; k < npool && added < N_POLISH; k++) {
        row_get(p->C, p->ld, r[k].i, d, u);
        int dup = is_evaluated(U, ldu, n, d, u);
        for (int64_t s = 0; s < added && !dup; s++)
            dup = row_eq(p->C, p->ld, starts[s], u, d);
        if (!dup)
            starts[added++] = r[k].i;
    }
    free(r);
    for (int64_t s = 0; s < added; s++) {
        int rc = polish_one(p, starts[s], npool + s, npool);
        if (rc != DESURV_OK)
            return rc;
    }
    *count = npool + added;
    return DESURV_OK;
}

static void pool_free(pool *p)
{
    free(p->C);
    free(p->score);
    free(p->mu);
    free(p->sd);
}

static int pool_alloc(pool *p, int64_t npool, int64_t d)
{
    p->cap = npool + N_POLISH;
    p->ld = p->cap;
    /* the prediction workspace also serves the 2d trial points of polish */
    int64_t nw = p->cap > 2 * d ? p->cap : 2 * d;
    p->C = malloc((size_t)(p->cap * d) * sizeof(double));
    p->score = malloc((size_t)p->cap * sizeof(double));
    p->mu = malloc((size_t)nw * sizeof(double));
    p->sd = malloc((size_t)nw * sizeof(double));
    return p->C && p->score && p->mu && p->sd ? DESURV_OK : DESURV_E_NOMEM;
}

/* Snapped LHS pool, scored, optionally polished; then the best candidate
 * that is not an evaluated point. */
static int choose(pool *p, int64_t npool, uint64_t pool_seed, const double *U, int64_t ldu,
                  int64_t n, double *u_next)
{
    int64_t d = p->cfg->d, count = npool;
    double u[DSV_GP_MAXD];
    dsv_lhs(npool, d, pool_seed, 0, p->C, p->ld);
    for (int64_t i = 0; i < npool; i++) {
        row_get(p->C, p->ld, i, d, u);
        snap(p->cfg, u);
        row_put(p->C, p->ld, i, d, u);
    }
    int rc = score_rows(p, p->C, p->ld, npool, p->score);
    if (rc == DESURV_OK && p->cfg->polish)
        rc = polish_top(p, npool, U, ldu, n, &count);
    if (rc != DESURV_OK)
        return rc;
    ranked *r = rank_pool(p, count);
    if (!r)
        return DESURV_E_NOMEM;
    rc = DESURV_E_RANGE;
    for (int64_t k = 0; k < count && rc != DESURV_OK; k++) {
        row_get(p->C, p->ld, r[k].i, d, u);
        if (!is_evaluated(U, ldu, n, d, u)) {
            memcpy(u_next, u, (size_t)d * sizeof(double));
            rc = DESURV_OK;
        }
    }
    free(r);
    return rc;
}

static int check_config(const dsv_bo_config *cfg)
{
    if (cfg->d < 1 || cfg->d > DSV_GP_MAXD)
        return DESURV_E_DIM;
    if (cfg->pool < 0 || cfg->gp_restarts < 0 || !isfinite(cfg->xi))
        return DESURV_E_RANGE;
    return DESURV_OK;
}

int dsv_bo_propose(const dsv_bo_config *cfg, const double *U, int64_t ldu, const double *y,
                   int64_t n, uint64_t seed, uint64_t stream, double *u_next, dsv_gp *gp_out)
{
    if (gp_out)
        memset(gp_out, 0, sizeof *gp_out);
    if (!cfg || !U || !y || !u_next)
        return DESURV_E_NULL;
    int rc = check_config(cfg);
    if (rc != DESURV_OK)
        return rc;
    if (n < 1)
        return DESURV_E_DIM;
    if (ldu < n)
        return DESURV_E_LD;

    /* independent seeds for the GP starts and the pool, from (seed, stream) */
    dsv_rng r;
    dsv_rng_seed(&r, seed, stream);
    uint64_t gp_seed = dsv_rng_next(&r), pool_seed = dsv_rng_next(&r);

    dsv_gp gp;
    rc = dsv_gp_fit(&gp, U, ldu, y, n, cfg->d, gp_seed, cfg->gp_restarts);
    if (rc != DESURV_OK)
        return rc;
    int64_t npool = cfg->pool > 0 ? cfg->pool : (200 * cfg->d > 1000 ? 200 * cfg->d : 1000);
    pool p = {cfg, &gp, y[0], 0, 0, NULL, NULL, NULL, NULL};
    for (int64_t i = 1; i < n; i++)
        p.best = fmax(p.best, y[i]);
    rc = pool_alloc(&p, npool, cfg->d);
    if (rc == DESURV_OK)
        rc = choose(&p, npool, pool_seed, U, ldu, n, u_next);
    pool_free(&p);
    if (rc == DESURV_OK && gp_out)
        *gp_out = gp;
    else
        dsv_gp_free(&gp);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Driver                                                                    */
/* ------------------------------------------------------------------------ */

/* Evaluate f at u and store it as point number *cnt. */
static int record(dsv_bo_objective f, void *ctx, const double *u, int64_t d, double *U,
                  int64_t ld, double *y, int64_t *cnt)
{
    double v = f(u, ctx);
    if (!isfinite(v))
        return DESURV_E_NONFINITE;
    row_put(U, ld, *cnt, d, u);
    y[*cnt] = v;
    (*cnt)++;
    return DESURV_OK;
}

static int initial_design(const dsv_bo_config *cfg, dsv_bo_objective f, void *ctx,
                          int64_t n_init, int64_t ld, uint64_t seed, double *U, double *y,
                          int64_t *cnt)
{
    int64_t d = cfg->d;
    double u[DSV_GP_MAXD], *D = malloc((size_t)(n_init * d) * sizeof(double));
    if (!D)
        return DESURV_E_NOMEM;
    dsv_lhs(n_init, d, seed, 0, D, n_init);
    int rc = DESURV_OK;
    for (int64_t i = 0; i < n_init && rc == DESURV_OK; i++) {
        row_get(D, n_init, i, d, u);
        snap(cfg, u);
        if (!is_evaluated(U, ld, *cnt, d, u))
            rc = record(f, ctx, u, d, U, ld, y, cnt);
    }
    free(D);
    return rc;
}

int dsv_bo_maximise(const dsv_bo_config *cfg, dsv_bo_objective f, void *ctx, int64_t n_init,
                    int64_t n_iter, uint64_t seed, double *U_out, double *y_out,
                    int64_t *n_eval)
{
    int64_t cnt = 0;
    if (n_eval)
        *n_eval = 0;
    if (!cfg || !f || !U_out || !y_out)
        return DESURV_E_NULL;
    int rc = check_config(cfg);
    if (rc != DESURV_OK)
        return rc;
    if (n_init < 1 || n_iter < 0)
        return DESURV_E_DIM;
    int64_t total = n_init + n_iter;
    rc = initial_design(cfg, f, ctx, n_init, total, seed, U_out, y_out, &cnt);
    double u[DSV_GP_MAXD];
    for (uint64_t step = 1; rc == DESURV_OK && cnt < total; step++) {
        rc = dsv_bo_propose(cfg, U_out, total, y_out, cnt, seed, step, u, NULL);
        if (rc == DESURV_OK)
            rc = record(f, ctx, u, cfg->d, U_out, total, y_out, &cnt);
    }
    if (n_eval)
        *n_eval = cnt;
    return rc;
}
