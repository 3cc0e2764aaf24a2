/* cv.c - cross-validated scoring: fold data and the fold-fit task.
 *
 * A task owns everything it writes (its slice of c_out / lp_out) and reads
 * only shared, read-only fold data, so tasks run on any thread in any order
 * with identical results.
 */
#include "tune/cv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "fit/batch.h"
#include "surv/cindex.h"
#include "desurv/desurv.h"
#include "model/model.h"
#include "linalg/nnls.h"
#include "base/rng.h"
#include "fit/starts.h"
#include "model/topgenes.h"

/* "BICV": the gene split's stream, far from the fold-fit streams. */
#define BICV_STREAM UINT64_C(0x4249435600000000)

static void fold_free(dsv_fold *f)
{
    free(f->tr), free(f->va), free(f->Xtr), free(f->Xva), free(f->Xva_ab);
    free(f->ttr), free(f->tva), free(f->etr), free(f->eva);
    dsv_cox_free(&f->cox);
    memset(f, 0, sizeof *f);
}

void dsv_cv_free(dsv_cv *cv)
{
    for (int64_t f = 0; cv->f && f < cv->K; f++)
        fold_free(&cv->f[f]);
    free(cv->f), free(cv->gperm);
    memset(cv, 0, sizeof *cv);
}

int dsv_bicv_split(int64_t p, uint64_t seed, int64_t *perm, int64_t *pa)
{
    char *in_a = calloc((size_t)(p > 0 ? p : 1), 1);
    if (!in_a)
        return DESURV_E_NOMEM;
    for (int64_t g = 0; g < p; g++)
        perm[g] = g;
    /* Fisher-Yates: the first floor(p / 2) shuffled genes form half A */
    dsv_rng r;
    dsv_rng_seed(&r, seed, BICV_STREAM);
    for (int64_t g = p - 1; g > 0; g--) {
        int64_t j = dsv_rng_below(&r, g + 1), tmp = perm[g];
        perm[g] = perm[j], perm[j] = tmp;
    }
    *pa = p / 2;
    for (int64_t g = 0; g < *pa; g++)
        in_a[perm[g]] = 1;
    /* each half ascending: row gathers then walk memory forwards */
    int64_t a = 0, b = *pa;
    for (int64_t g = 0; g < p; g++)
        perm[in_a[g] ? a++ : b++] = g;
    free(in_a);
    return DESURV_OK;
}

/* Grams of one half (rows r0 .. r0+len-1 of the permuted W and X, and of
 * the permuted offset bp, NULL for none): G = W^T W (k x k), B = W^T (X -
 * b 1^T) (k x m), *xc = ||X - b 1^T||^2; returns ||X||^2 (the scale of
 * the relative error, the same with and without the offset). */
static double half_grams(const double *Wp, const double *bp, int64_t p, int64_t k,
                         const double *Xab, int64_t m, int64_t r0, int64_t len, double *G,
                         double *B, double *Wtb, double *xc)
{
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)k, (int)k, (int)len, 1.0, Wp + r0,
                (int)p, Wp + r0, (int)p, 0.0, G, (int)k);
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)k, (int)m, (int)len, 1.0, Wp + r0,
                (int)p, Xab + r0, (int)p, 0.0, B, (int)k);
    double xx = 0, xbb = 0;
    for (int64_t j = 0; j < m; j++)
        for (int64_t i = r0; i < r0 + len; i++) {
            double v = Xab[i + j * p], c = bp ? v - bp[i] : v;
            xx += v * v;
            xbb += c * c;
        }
    *xc = xbb;
    if (bp) {
        /* W^T (x - b) = W^T x - W^T b: a rank-1 correction, no copy of X */
        cblas_dgemv(CblasColMajor, CblasTrans, (int)len, (int)k, 1.0, Wp + r0, (int)p, bp + r0, 1,
                    0.0, Wtb, 1);
        for (int64_t j = 0; j < m; j++)
            for (int64_t r = 0; r < k; r++)
                B[r + j * k] -= Wtb[r];
    }
    return xx;
}

/* ||X - b 1^T - W H||^2 of one half from its Grams, without forming W H:
 * xc - 2 <H, B> + sum_j h_j^T G h_j with B = W^T (X - b 1^T). */
static double half_residual(const double *G, const double *B, double xc, const double *H,
                            int64_t k, int64_t m)
{
    double cross = 0, quad = 0;
    for (int64_t j = 0; j < m; j++) {
        const double *h = H + j * k;
        for (int64_t r = 0; r < k; r++) {
            double gh = 0;
            for (int64_t q = 0; q < k; q++)
                gh += G[r + q * k] * h[q];
            cross += h[r] * B[r + j * k];
            quad += h[r] * gh;
        }
    }
    return fmax(0.0, xc - 2 * cross + quad);
}

int dsv_bicv_error(const double *W, const double *b, int64_t p, int64_t k, const int64_t *perm,
                   int64_t pa, const double *Xab, int64_t m, double *err)
{
    double *Wp = malloc((size_t)(p * k + p + k) * sizeof *Wp);
    double *G = malloc((size_t)(2 * k * k) * sizeof *G);
    double *B = malloc((size_t)(2 * k * m) * sizeof *B), *H = malloc((size_t)(k * m) * sizeof *H);
    if (!Wp || !G || !B || !H) {
        free(Wp), free(G), free(B), free(H);
        return DESURV_E_NOMEM;
    }
    double *bp = b ? Wp + p * k : NULL, *Wtb = Wp + p * k + p;
    for (int64_t r = 0; r < k; r++)
        for (int64_t i = 0; i < p; i++)
            Wp[i + r * p] = W[perm[i] + r * p];
    for (int64_t i = 0; bp && i < p; i++)
        bp[i] = b[perm[i]];
    double *Ga = G, *Gb = G + k * k, *Ba = B, *Bb = B + k * m, ca, cb;
    double xa = half_grams(Wp, bp, p, k, Xab, m, 0, pa, Ga, Ba, Wtb, &ca);
    double xb = half_grams(Wp, bp, p, k, Xab, m, pa, p - pa, Gb, Bb, Wtb, &cb);
    dsv_nnls_gram(Ga, k, Ba, m, H);               /* H from A, scored on B */
    double eb = half_residual(Gb, Bb, cb, H, k, m) / xb;
    dsv_nnls_gram(Gb, k, Bb, m, H);               /* H from B, scored on A */
    double ea = half_residual(Ga, Ba, ca, H, k, m) / xa;
    *err = xa > 0 && xb > 0 ? 0.5 * (ea + eb) : NAN;
    free(Wp), free(G), free(B), free(H);
    return DESURV_OK;
}

/* Copy the columns idx[0..m-1] of X (and their times, events). */
static void gather(const double *X, int64_t p, int64_t ldx, const double *time,
                   const int32_t *event, const int64_t *idx, int64_t m, double *Xo, double *to,
                   int32_t *eo)
{
    for (int64_t j = 0; j < m; j++) {
        memcpy(Xo + j * p, X + idx[j] * ldx, (size_t)p * sizeof *Xo);
        to[j] = time[idx[j]];
        eo[j] = event[idx[j]];
    }
}

static int fold_prepare(dsv_fold *fd, int64_t f, const double *X, int64_t p, int64_t n,
                        int64_t ldx, const double *time, const int32_t *event,
                        const int32_t *fold, int ties, const int64_t *gperm)
{
    for (int64_t i = 0; i < n; i++)
        fd->nva += fold[i] == f;
    fd->ntr = n - fd->nva;
    int64_t ntr = fd->ntr, nva = fd->nva;
    fd->tr = malloc((size_t)ntr * sizeof *fd->tr);
    fd->va = malloc((size_t)nva * sizeof *fd->va);
    fd->Xtr = malloc((size_t)(p * ntr) * sizeof *fd->Xtr);
    fd->Xva = malloc((size_t)(p * nva) * sizeof *fd->Xva);
    fd->ttr = malloc((size_t)ntr * sizeof *fd->ttr);
    fd->tva = malloc((size_t)nva * sizeof *fd->tva);
    fd->etr = malloc((size_t)ntr * sizeof *fd->etr);
    fd->eva = malloc((size_t)nva * sizeof *fd->eva);
    if (!fd->tr || !fd->va || !fd->Xtr || !fd->Xva || !fd->ttr || !fd->tva || !fd->etr ||
        !fd->eva)
        return DESURV_E_NOMEM;
    for (int64_t i = 0, a = 0, b = 0; i < n; i++) {
        if (fold[i] == f)
            fd->va[b++] = i;
        else
            fd->tr[a++] = i;
    }
    gather(X, p, ldx, time, event, fd->tr, ntr, fd->Xtr, fd->ttr, fd->etr);
    gather(X, p, ldx, time, event, fd->va, nva, fd->Xva, fd->tva, fd->eva);
    fd->Xva_ab = malloc((size_t)(p * (nva > 0 ? nva : 1)) * sizeof *fd->Xva_ab);
    if (!fd->Xva_ab)
        return DESURV_E_NOMEM;
    for (int64_t j = 0; j < nva; j++)
        for (int64_t i = 0; i < p; i++)
            fd->Xva_ab[i + j * p] = fd->Xva[gperm[i] + j * p];
    return dsv_cox_init(&fd->cox, fd->ttr, fd->etr, ntr, ties);
}

int dsv_cv_prepare(dsv_cv *cv, const double *X, int64_t p, int64_t n, int64_t ldx,
                   const double *time, const int32_t *event, const int32_t *fold, int64_t K,
                   int ties, uint64_t seed)
{
    memset(cv, 0, sizeof *cv);
    cv->p = p, cv->n = n, cv->K = K;
    cv->f = calloc((size_t)K, sizeof *cv->f);
    cv->gperm = malloc((size_t)p * sizeof *cv->gperm);
    int rc0 = cv->f && cv->gperm ? dsv_bicv_split(p, seed, cv->gperm, &cv->pa) : DESURV_E_NOMEM;
    if (rc0 != DESURV_OK) {
        dsv_cv_free(cv);
        return rc0;
    }
    for (int64_t f = 0; f < K; f++) {
        int rc = fold_prepare(&cv->f[f], f, X, p, n, ldx, time, event, fold, ties, cv->gperm);
        if (rc != DESURV_OK) {
            dsv_cv_free(cv);
            return rc;
        }
    }
    return DESURV_OK;
}

uint64_t dsv_cv_stream(uint64_t point_id, int64_t f, int64_t s)
{
    /* distinct for point < 2^32, fold < 2^12, start < 2^20; the generator
     * hashes the stream number, so neighbouring streams are unrelated */
    return (point_id << 32) ^ ((uint64_t)f << 20) ^ (uint64_t)s;
}

/* Hard errors stop the tuning; anything else only spoils this start. */
static int is_hard(int rc)
{
    return rc == DESURV_E_NOMEM || rc == DESURV_E_CANCELLED || rc == DESURV_E_THREAD;
}

static int prepare_start(const dsv_problem *pr, dsv_state *s, uint64_t seed, uint64_t stream)
{
    int rc = dsv_state_alloc(s, pr);
    if (rc != DESURV_OK)
        return rc;
    dsv_init_random(pr, s, seed, stream);
    dsv_normalise_start(pr, s);
    rc = dsv_state_ensure_scratch(s, pr);
    return rc == DESURV_OK ? dsv_refresh(pr, s) : rc;
}

/* Held-out C-index (and linear predictor) of a finished start. */
static int score_start(const dsv_fold *fd, const dsv_problem *pr, const dsv_state *s,
                       int64_t ntop, double *c, double *lp)
{
    int64_t *idx = NULL;
    if (ntop > 0) {
        idx = malloc((size_t)(ntop * pr->k) * sizeof *idx);
        if (!idx)
            return DESURV_E_NOMEM;
        int rc = dsv_top_genes(s->W, pr->p, pr->k, pr->p, ntop, idx, NULL);
        if (rc != DESURV_OK) {
            free(idx);
            return rc;
        }
    }
    dsv_predict_restricted(s->W, pr->p, pr->k, s->beta, idx, ntop, fd->Xva, pr->p, fd->nva, lp);
    /* Centre by the training mean of the same predictor: the raw X^T W
     * beta carries an arbitrary offset per model, which would make the
     * pooled out-of-fold C-index compare offsets instead of risks. */
    double off = 0;
    if (ntop == 0) {
        for (int64_t r = 0; r < pr->k; r++) {
            double zm = 0;
            for (int64_t j = 0; j < pr->n; j++)
                zm += s->Z[j + r * pr->n];
            off += s->beta[r] * zm / (double)pr->n;
        }
    } else {
        double *lt = malloc((size_t)pr->n * sizeof *lt);
        if (!lt) {
            free(idx);
            return DESURV_E_NOMEM;
        }
        dsv_predict_restricted(s->W, pr->p, pr->k, s->beta, idx, ntop, fd->Xtr, pr->p, pr->n,
                               lt);
        for (int64_t j = 0; j < pr->n; j++)
            off += lt[j] / (double)pr->n;
        free(lt);
    }
    for (int64_t j = 0; j < fd->nva; j++)
        lp[j] -= off;
    free(idx);
    for (int64_t j = 0; j < fd->nva; j++)
        if (!isfinite(lp[j])) {
            *c = NAN;
            return DESURV_OK;
        }
    return dsv_cindex(fd->tva, fd->eva, lp, fd->nva, c, NULL, NULL, NULL);
}

/* Both held-out scores of a finished start: C-index and reconstruction. */
static int score_both(const dsv_cv *cv, const dsv_fold *fd, const dsv_problem *pr,
                      const dsv_state *s, int64_t ntop, double *c, double *rec, double *lp)
{
    int rc = score_start(fd, pr, s, ntop, c, lp);
    if (rc == DESURV_OK)
        rc = dsv_bicv_error(s->W, pr->offset ? s->b : NULL, pr->p, pr->k, cv->gperm, cv->pa, fd->Xva_ab, fd->nva, rec);
    return rc;
}

/* The iterations a fit took, negated when it did not meet tol. */
static double fit_iterations(const dsv_state *s)
{
    return s->converged ? (double)s->iters : -(double)s->iters;
}

static void mark_failed(int64_t m, int64_t nva, double *c_out, double *r_out, double *it_out,
                        double *lp_out)
{
    for (int64_t i = 0; i < m; i++)
        c_out[i] = r_out[i] = it_out[i] = NAN;
    for (int64_t i = 0; i < m * nva; i++)
        lp_out[i] = NAN;
}

/* Every start of the block to convergence (batched), then scored. */
static int run_all(const dsv_cv *cv, const dsv_cv_job *job, const dsv_problem *pr, int64_t f,
                   int64_t s0, int64_t s1, double *c_out, double *r_out, double *it_out,
                   double *lp_out)
{
    const dsv_fold *fd = &cv->f[f];
    int64_t m = s1 - s0;
    dsv_state *st = calloc((size_t)m, sizeof *st);
    int rc = st ? DESURV_OK : DESURV_E_NOMEM;
    for (int64_t i = 0; rc == DESURV_OK && i < m; i++)
        rc = prepare_start(pr, &st[i], job->seed, dsv_cv_stream(job->point_id, f, s0 + i));
    if (rc == DESURV_OK)
        rc = dsv_iterate_batch(pr, st, m, (int64_t)job->opt[DESURV_OPT_MAXIT],
                               job->opt[DESURV_OPT_TOL]);
    for (int64_t i = 0; rc == DESURV_OK && i < m; i++) {
        it_out[i] = fit_iterations(&st[i]);
        rc = dsv_polish_beta(pr, &st[i]);
        if (rc == DESURV_OK)
            rc = score_both(cv, fd, pr, &st[i], job->ntop, &c_out[i], &r_out[i],
                            lp_out + i * fd->nva);
    }
    if (rc != DESURV_OK && !is_hard(rc)) {
        mark_failed(m, fd->nva, c_out, r_out, it_out, lp_out);
        rc = DESURV_OK;
    }
    for (int64_t i = 0; st && i < m; i++)
        dsv_state_free(&st[i]);
    free(st);
    return rc;
}

/* desurv_fit's protocol: selection phase over all starts, best continued. */
static int run_best(const dsv_cv *cv, const dsv_cv_job *job, const dsv_problem *pr, int64_t f,
                    int64_t nstarts, double *c_out, double *r_out, double *it_out,
                    double *lp_out)
{
    const dsv_fold *fd = &cv->f[f];
    const double *o = job->opt;
    int64_t maxit = (int64_t)o[DESURV_OPT_MAXIT], imaxit = (int64_t)o[DESURV_OPT_IMAXIT];
    dsv_start_plan plan = {
        .pr = pr, .init = 0, .seed = job->seed, .stream_base = 0, .nstarts = nstarts,
        .imaxit = nstarts > 1 ? (imaxit < maxit ? imaxit : maxit) : 0,
        .tol_init = o[DESURV_OPT_TOL_INIT], .select = (int)o[DESURV_OPT_INIT_SELECT],
        .time = fd->ttr, .event = fd->etr, .threads = 1, .batch = job->batch};
    plan.stream_base = dsv_cv_stream(job->point_id, f, 0);
    dsv_state *st = calloc((size_t)nstarts, sizeof *st);
    int64_t best = 0;
    int rc = st ? dsv_run_starts(&plan, st, &best) : DESURV_E_NOMEM;
    if (rc == DESURV_OK)
        rc = dsv_finish_start(pr, &st[best], maxit, o[DESURV_OPT_TOL]);
    if (rc == DESURV_OK) {
        it_out[0] = fit_iterations(&st[best]);
        rc = score_both(cv, fd, pr, &st[best], job->ntop, c_out, r_out, lp_out);
    }
    if (rc != DESURV_OK && !is_hard(rc)) {
        mark_failed(1, fd->nva, c_out, r_out, it_out, lp_out);
        rc = DESURV_OK;
    }
    for (int64_t i = 0; st && i < nstarts; i++)
        dsv_state_free(&st[i]);
    free(st);
    return rc;
}

int dsv_cv_task(const dsv_cv *cv, const dsv_cv_job *job, int64_t f, int64_t s0, int64_t s1,
                int64_t nstarts, double *c_out, double *r_out, double *it_out, double *lp_out,
                char *msg, size_t cap)
{
    const dsv_fold *fd = &cv->f[f];
    int64_t m = job->best_mode ? 1 : s1 - s0;
    int64_t k = (int64_t)job->opt[DESURV_OPT_K];
    /* a training part without events (or too small for k) cannot be fitted */
    if (fd->cox.n_events == 0 || k > fd->ntr || k > cv->p) {
        mark_failed(m, fd->nva, c_out, r_out, it_out, lp_out);
        return DESURV_OK;
    }
    dsv_problem pr;
    int rc = dsv_setup_problem(job->opt, &pr, fd->Xtr, cv->p, fd->ntr, cv->p, &fd->cox, msg, cap);
    if (rc == DESURV_OK) {
        pr.cancel = job->cancel;
        rc = job->best_mode ? run_best(cv, job, &pr, f, nstarts, c_out, r_out, it_out, lp_out)
                            : run_all(cv, job, &pr, f, s0, s1, c_out, r_out, it_out, lp_out);
        dsv_problem_free(&pr);
    } else if (!is_hard(rc)) {
        mark_failed(m, fd->nva, c_out, r_out, it_out, lp_out);
        rc = DESURV_OK;
    }
    return rc;
}
