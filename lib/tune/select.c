/* select.c - the final choice of hyperparameters from an evaluation history
 * (doc/model.md section 7 with its revision 2, and the 1se-recon and 1se-parsimony
 * rules of doc/algorithm.md).
 *
 * Every rule reduces to "the best point of a set" under one total order:
 * larger value first, then the tie-break of dsv_eval_tiebreak (the simpler
 * model: smaller k, smaller alpha, larger lambda, smaller nu), then the
 * earlier evaluation.  Exact ties in the value therefore never depend on
 * the order of the history beyond the documented last resort. */
#include "tune/select.h"

#include <math.h>
#include <stddef.h>

/* -1 when a < b, 1 when a > b, 0 otherwise (also when either is NaN). */
static int cmp_asc(double a, double b)
{
    return a < b ? -1 : (a > b ? 1 : 0);
}

int dsv_eval_tiebreak(const dsv_eval *a, const dsv_eval *b)
{
    int c = cmp_asc(a->par[DSV_P_K], b->par[DSV_P_K]);
    if (c == 0)
        c = cmp_asc(a->par[DSV_P_ALPHA], b->par[DSV_P_ALPHA]);
    /* Larger lambda is preferred: more shrinkage of beta, a simpler model. */
    if (c == 0)
        c = -cmp_asc(a->par[DSV_P_LAMBDA], b->par[DSV_P_LAMBDA]);
    if (c == 0)
        c = cmp_asc(a->par[DSV_P_NU], b->par[DSV_P_NU]);
    return c;
}

/* The history seen through one value: the mean (v == NULL) or the GP
 * posterior mean v[i]. */
typedef struct scorer {
    const dsv_eval *h;
    const double *v;
} scorer;

static double value(const scorer *s, int64_t i)
{
    return s->v ? s->v[i] : s->h[i].mean;
}

/* A point that could not be scored is never chosen, whatever the rule. */
static int eligible(const scorer *s, int64_t i)
{
    return isfinite(s->h[i].mean) && (!s->v || isfinite(s->v[i]));
}

/* center + delta, or center when that is NaN: a NaN se counts as 0, so the
 * point that defines a threshold always reaches it. */
static double edge(double center, double delta)
{
    double t = center + delta;
    return isnan(t) ? center : t;
}

/* Is i preferred to j (j < 0: no candidate yet)? */
static int better(const scorer *s, int64_t i, int64_t j)
{
    if (j < 0)
        return 1;
    int c = cmp_asc(value(s, i), value(s, j));
    if (c != 0)
        return c > 0;
    c = dsv_eval_tiebreak(&s->h[i], &s->h[j]);
    return c != 0 ? c < 0 : i < j;
}

/* Best eligible point, restricted to k == k_only unless k_only is NaN. */
static int64_t argbest(const scorer *s, int64_t n, double k_only)
{
    int64_t best = -1;
    for (int64_t i = 0; i < n; i++) {
        if (!eligible(s, i) || (!isnan(k_only) && s->h[i].par[DSV_P_K] != k_only))
            continue;
        if (better(s, i, best))
            best = i;
    }
    return best;
}

/* The 1se / lcb step: the smallest k having an eligible point whose value
 * reaches value(best) - spread, then that k's best point.  A NaN spread
 * counts as 0, so best itself always qualifies. */
static int64_t smallest_k_within(const scorer *s, int64_t n, int64_t best, double spread)
{
    double thr = edge(value(s, best), -spread);
    double kmin = NAN;
    for (int64_t i = 0; i < n; i++) {
        double k = s->h[i].par[DSV_P_K];
        if (eligible(s, i) && value(s, i) >= thr && !isnan(k) && (isnan(kmin) || k < kmin))
            kmin = k;
    }
    /* Only when no qualifying point has a k (NaN k): keep the plain best. */
    return isnan(kmin) ? best : argbest(s, n, kmin);
}

/* Is i preferred to j (j < 0: none yet) by the reconstruction order:
 * finite recon first, lower recon, then the mean order of `better`. */
static int better_recon(const scorer *s, int64_t i, int64_t j)
{
    if (j < 0)
        return 1;
    double ri = s->h[i].recon, rj = s->h[j].recon;
    if (isnan(ri) != isnan(rj))
        return !isnan(ri);
    int c = cmp_asc(ri, rj);
    return c != 0 ? c < 0 : better(s, i, j);
}

/* The 1se-recon step: among the points whose mean reaches value(best) -
 * spread (the same plateau as 1se), the lowest reconstruction error. */
static int64_t lowest_recon_within(const scorer *s, int64_t n, int64_t best, double spread)
{
    double thr = edge(value(s, best), -spread);
    int64_t pick = -1;
    for (int64_t i = 0; i < n; i++)
        if (eligible(s, i) && value(s, i) >= thr && better_recon(s, i, pick))
            pick = i;
    return pick;
}

/* 1se-parsimony, second step: the smallest k of a plateau point (value >=
 * thr) whose finite recon is at most rthr; NaN when no such point has a k.
 * A point without a recon never sets k: its NMF fit is unmeasured. */
static double smallest_k_recon(const scorer *s, int64_t n, double thr, double rthr)
{
    double kmin = NAN;
    for (int64_t i = 0; i < n; i++) {
        const dsv_eval *e = &s->h[i];
        double k = e->par[DSV_P_K];
        if (eligible(s, i) && value(s, i) >= thr && isfinite(e->recon) && e->recon <= rthr &&
            !isnan(k) && (isnan(kmin) || k < kmin))
            kmin = k;
    }
    return kmin;
}

/* 1se-parsimony, third step: among the points of rank k whose value reaches
 * that k's best value - its se, the simplest by the tie-break alone
 * (smaller alpha, larger lambda, smaller nu), then the earlier evaluation.
 * The value no longer ranks them: within one SE the C-index cannot tell
 * them apart, and the least supervision keeps the programs closest to
 * plain NMF. */
static int64_t simplest_at_k(const scorer *s, int64_t n, double k)
{
    int64_t kbest = argbest(s, n, k);
    double thr = edge(value(s, kbest), -s->h[kbest].se);
    int64_t pick = -1;
    for (int64_t i = 0; i < n; i++) {
        if (!eligible(s, i) || s->h[i].par[DSV_P_K] != k || value(s, i) < thr)
            continue;
        if (pick < 0 || dsv_eval_tiebreak(&s->h[i], &s->h[pick]) < 0)
            pick = i;
    }
    return pick;
}

/* The 1se-parsimony rule (doc/model.md section 7, revision 2): on the 1se plateau,
 * r = the point of lowest recon (ties as in 1se-recon); the smallest k with
 * a plateau point whose recon is within r's recon se of it; at that k the
 * simplest point within one SE of the k's best.  Without any finite recon
 * on the plateau (warm-start history) the reconstruction says nothing:
 * the rule is 1se. */
static int64_t parsimony_within(const scorer *s, int64_t n, int64_t best, double spread)
{
    int64_t r = lowest_recon_within(s, n, best, spread);
    if (!isfinite(s->h[r].recon))
        return smallest_k_within(s, n, best, spread);
    double thr = edge(value(s, best), -spread);
    double k = smallest_k_recon(s, n, thr, edge(s->h[r].recon, s->h[r].recon_se));
    return isnan(k) ? r : simplest_at_k(s, n, k);
}

int64_t dsv_select(int rule, const dsv_eval *h, int64_t n, const double *gmu, const double *gsd,
                   double z)
{
    if (!h || n < 1)
        return -1;
    if (rule == DSV_RULE_LCB && (!gmu || !gsd))
        return -1;
    scorer s = {h, rule == DSV_RULE_LCB ? gmu : NULL};
    int64_t best = argbest(&s, n, NAN);
    if (best < 0)
        return -1;
    switch (rule) {
    case DSV_RULE_MAX:
        return best;
    case DSV_RULE_1SE:
        return smallest_k_within(&s, n, best, h[best].se);
    case DSV_RULE_LCB:
        return smallest_k_within(&s, n, best, z * gsd[best]);
    case DSV_RULE_1SE_RECON:
        return lowest_recon_within(&s, n, best, h[best].se);
    case DSV_RULE_1SE_PARSIMONY:
        return parsimony_within(&s, n, best, h[best].se);
    default:
        return -1;
    }
}
