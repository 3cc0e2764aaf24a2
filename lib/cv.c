/* cv.c - cross-validated scoring: fold data and the fold-fit task.
 *
 * A task owns everything it writes (its slice of c_out / lp_out) and reads
 * only shared, read-only fold data, so tasks run on any thread in any order
 * with identical results.
 */
#include "cv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cindex.h"
#include "desurv/desurv.h"
#include "model.h"
#include "starts.h"
#include "topgenes.h"

static void fold_free(dsv_fold *f)
{
    free(f->tr), free(f->va), free(f->Xtr), free(f->Xva);
    free(f->ttr), free(f->tva), free(f->etr), free(f->eva);
    dsv_cox_free(&f->cox);
    memset(f, 0, sizeof *f);
}

void dsv_cv_free(dsv_cv *cv)
{
    for (int64_t f = 0; cv->f && f < cv->K; f++)
        fold_free(&cv->f[f]);
    free(cv->f);
    memset(cv, 0, sizeof *cv);
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
                        const int32_t *fold, int ties)
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
    return dsv_cox_init(&fd->cox, fd->ttr, fd->etr, ntr, ties);
}

int dsv_cv_prepare(dsv_cv *cv, const double *X, int64_t p, int64_t n, int64_t ldx,
                   const double *time, const int32_t *event, const int32_t *fold, int64_t K,
                   int ties)
{
    memset(cv, 0, sizeof *cv);
    cv->p = p, cv->n = n, cv->K = K;
    cv->f = calloc((size_t)K, sizeof *cv->f);
    if (!cv->f)
        return DESURV_E_NOMEM;
    for (int64_t f = 0; f < K; f++) {
        int rc = fold_prepare(&cv->f[f], f, X, p, n, ldx, time, event, fold, ties);
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

static void mark_failed(int64_t m, int64_t nva, double *c_out, double *lp_out)
{
    for (int64_t i = 0; i < m; i++)
        c_out[i] = NAN;
    for (int64_t i = 0; i < m * nva; i++)
        lp_out[i] = NAN;
}

/* Every start of the block to convergence (batched), then scored. */
static int run_all(const dsv_cv *cv, const dsv_cv_job *job, const dsv_problem *pr, int64_t f,
                   int64_t s0, int64_t s1, double *c_out, double *lp_out)
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
        rc = dsv_polish_beta(pr, &st[i]);
        if (rc == DESURV_OK)
            rc = score_start(fd, pr, &st[i], job->ntop, &c_out[i], lp_out + i * fd->nva);
    }
    if (rc != DESURV_OK && !is_hard(rc)) {
        mark_failed(m, fd->nva, c_out, lp_out);
        rc = DESURV_OK;
    }
    for (int64_t i = 0; st && i < m; i++)
        dsv_state_free(&st[i]);
    free(st);
    return rc;
}

/* desurv_fit's protocol: selection phase over all starts, best continued. */
static int run_best(const dsv_cv *cv, const dsv_cv_job *job, const dsv_problem *pr, int64_t f,
                    int64_t nstarts, double *c_out, double *lp_out)
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
    if (rc == DESURV_OK)
        rc = score_start(fd, pr, &st[best], job->ntop, c_out, lp_out);
    if (rc != DESURV_OK && !is_hard(rc)) {
        mark_failed(1, fd->nva, c_out, lp_out);
        rc = DESURV_OK;
    }
    for (int64_t i = 0; st && i < nstarts; i++)
        dsv_state_free(&st[i]);
    free(st);
    return rc;
}

int dsv_cv_task(const dsv_cv *cv, const dsv_cv_job *job, int64_t f, int64_t s0, int64_t s1,
                int64_t nstarts, double *c_out, double *lp_out, char *msg, size_t cap)
{
    const dsv_fold *fd = &cv->f[f];
    int64_t m = job->best_mode ? 1 : s1 - s0;
    int64_t k = (int64_t)job->opt[DESURV_OPT_K];
    /* a training part without events (or too small for k) cannot be fitted */
    if (fd->cox.n_events == 0 || k > fd->ntr || k > cv->p) {
        mark_failed(m, fd->nva, c_out, lp_out);
        return DESURV_OK;
    }
    dsv_problem pr;
    int rc = dsv_setup_problem(job->opt, &pr, fd->Xtr, cv->p, fd->ntr, cv->p, &fd->cox, msg, cap);
    if (rc == DESURV_OK) {
        pr.cancel = job->cancel;
        rc = job->best_mode ? run_best(cv, job, &pr, f, nstarts, c_out, lp_out)
                            : run_all(cv, job, &pr, f, s0, s1, c_out, lp_out);
    } else if (!is_hard(rc)) {
        mark_failed(m, fd->nva, c_out, lp_out);
        rc = DESURV_OK;
    }
    return rc;
}
