/* fit.c - desurv_fit(): validation, the starts of a fit, the model.
 *
 * The engine (outer iterations, the problem, finishing a start) is in
 * fit/iterate.c.  The starts of a fit are independent tasks (own random
 * stream, own state) run on the handle's worker threads; which thread runs
 * which start never changes the numbers.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/blasinfo.h"
#include "surv/cindex.h"
#include "desurv/desurv.h"
#include "fit/fit.h"
#include "model/model.h"
#include "fit/starts.h"
#include "base/validate.h"

#include <cblas.h>

static int validate_fit(desurv_model *m, const double *X, int64_t p, int64_t n, int64_t ldx,
                        const double *time, const int32_t *event, int64_t *n_events)
{
    if (!X || !time || !event)
        return dsv_fail(m, DESURV_E_NULL, "desurv_fit: %s is NULL",
                        !X ? "X" : !time ? "time" : "event");
    int rc = dsv_check_matrix(m->errmsg, sizeof m->errmsg, "X", X, p, n, ldx, 1);
    if (rc == DESURV_OK)
        rc = dsv_check_survival(m->errmsg, sizeof m->errmsg, time, event, n, n_events);
    if (rc != DESURV_OK)
        return rc;
    int64_t k = (int64_t)m->opt[DESURV_OPT_K];
    if (k < 1)
        return dsv_fail(m, DESURV_E_RANK, "option k (the rank) is not set");
    if (k > p || k > n)
        return dsv_fail(m, DESURV_E_RANK, "k = %lld exceeds min(p, n) = %lld", (long long)k,
                        (long long)(p < n ? p : n));
    if ((int)m->opt[DESURV_OPT_INIT] == 2) {
        if (!m->W0)
            return dsv_fail(m, DESURV_E_INIT, "init = user but no W0 was given (desurv_set_init)");
        if (m->W0_p != p || m->W0_k != k || (m->H0 && m->H0_n != n))
            return dsv_fail(m, DESURV_E_MISMATCH,
                            "user start is %lld x %lld (H0 n = %lld) but the data need %lld x %lld "
                            "(n = %lld)",
                            (long long)m->W0_p, (long long)m->W0_k, (long long)m->H0_n,
                            (long long)p, (long long)k, (long long)n);
    }
    if ((double)p * (double)(k + 1) > (double)DSV_BLAS_INT_MAX ||
        (double)n * (double)(k + 1) > (double)DSV_BLAS_INT_MAX)
        return dsv_fail(m, DESURV_E_OVERFLOW, "p * k or n * k exceeds the BLAS integer range");
    return DESURV_OK;
}

static void state_stats(const dsv_problem *pr, const dsv_state *s, double *stat)
{
    stat[DESURV_STAT_LOSS] = s->cur.loss;
    stat[DESURV_STAT_NMF_LOSS] = s->cur.rec;
    stat[DESURV_STAT_COX_LOGLIK] = s->cur.loglik;
    stat[DESURV_STAT_PENALTY_BETA] = s->cur.pen;
    stat[DESURV_STAT_ITERATIONS] = (double)s->iters;
    stat[DESURV_STAT_CONVERGED] = s->converged;
    stat[DESURV_STAT_SIGMA2] = pr->sigma2;
    stat[DESURV_STAT_W_ACCEPT_RATE] = s->w_steps ? (double)s->w_first / (double)s->w_steps : 1.0;
    stat[DESURV_STAT_N_EVENTS] = (double)pr->n_events;
}

/* Move the finished state into the handle (replacing an earlier fit). */
static int store_fit(desurv_model *m, const dsv_problem *pr, dsv_state *s, const double *time,
                     const int32_t *event, int64_t best)
{
    int64_t n = pr->n, k = pr->k;
    double *zmean = malloc((size_t)k * sizeof *zmean), *zsd = malloc((size_t)k * sizeof *zsd);
    if (!zmean || !zsd) {
        free(zmean), free(zsd);
        return DESURV_E_NOMEM;
    }
    double stat[DESURV_STAT_COUNT] = {0};
    state_stats(pr, s, stat);
    stat[DESURV_STAT_BEST_START] = (double)best;
    dsv_score_moments(s->Z, n, k, zmean, zsd, NULL);
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)k, 1.0, s->Z, (int)n, s->beta, 1, 0.0,
                s->eta, 1);
    int rc = dsv_cindex(time, event, s->eta, n, &stat[DESURV_STAT_TRAIN_CINDEX], NULL, NULL, NULL);
    if (rc != DESURV_OK) {
        free(zmean), free(zsd);
        return rc;
    }
    /* W lives in a block shared with the W-step trial: keep a copy of it */
    double *W = malloc((size_t)(pr->p * k) * sizeof *W);
    if (!W) {
        free(zmean), free(zsd);
        return DESURV_E_NOMEM;
    }
    memcpy(W, s->W, (size_t)(pr->p * k) * sizeof *W);
    free(m->W), free(m->H), free(m->beta), free(m->zmean), free(m->zsd), free(m->trace);
    free(m->trace_terms), free(m->b);
    m->W = W, m->H = s->H, m->beta = s->beta, m->trace = s->trace, m->b = s->b;
    m->trace_terms = s->trace_terms;
    m->trace_len = s->trace_len;
    s->H = s->beta = s->trace = s->trace_terms = s->b = NULL;
    m->zmean = zmean, m->zsd = zsd;
    m->p = pr->p, m->n = n, m->k = k;
    for (int i = 0; i < DESURV_STAT_COUNT; i++)
        m->stat[i] = stat[i];
    for (int i = 0; i < DESURV_OPT_COUNT; i++)
        m->fit_opt[i] = m->opt[i];
    m->fitted = 1;
    return DESURV_OK;
}

/* Progress of desurv_fit: the user's callback runs only on the calling
 * thread; worker threads of the selection phase just see its verdict. */
typedef struct fit_poll {
    desurv_model *m;
    pthread_t caller;
    atomic_int cancel;
    int stage;
    int64_t total;
} fit_poll;

static int poll_fit(void *ctx, int64_t iter, double loss)
{
    fit_poll *fp = ctx;
    if (atomic_load(&fp->cancel))
        return 1; /* asked once; never call the user again */
    if (pthread_equal(pthread_self(), fp->caller) &&
        fp->m->progress(fp->stage, iter, fp->total, loss, fp->m->progress_user) != 0)
        atomic_store(&fp->cancel, 1);
    return atomic_load(&fp->cancel);
}

static int fit_message(desurv_model *m, int rc)
{
    if (rc == DESURV_E_CANCELLED)
        return dsv_fail(m, rc, "desurv_fit cancelled by the progress callback");
    if (rc == DESURV_E_NUMERIC)
        return dsv_fail(m, rc, "a non-finite value arose during fitting (try a smaller alpha "
                               "or a larger lambda)");
    return dsv_fail(m, rc, "desurv_fit failed: %s", desurv_strerror(rc));
}

int desurv_fit(desurv_model *m, const double *X, int64_t p, int64_t n, int64_t ldx,
               const double *time, const int32_t *event)
{
    if (!m)
        return DESURV_E_NULL;
    int64_t n_events = 0;
    int rc = validate_fit(m, X, p, n, ldx, time, event, &n_events);
    if (rc != DESURV_OK)
        return rc;
    dsv_cox cox;
    if (dsv_cox_init(&cox, time, event, n, (int)m->opt[DESURV_OPT_TIES]) != DESURV_OK)
        return dsv_fail(m, DESURV_E_NOMEM, "out of memory preparing the Cox design");
    dsv_problem pr;
    rc = dsv_setup_problem(m->opt, &pr, X, p, n, ldx, &cox, m->errmsg, sizeof m->errmsg);
    if (rc != DESURV_OK) {
        dsv_cox_free(&cox);
        return rc;
    }
    int init = (int)m->opt[DESURV_OPT_INIT];
    dsv_start_plan plan = {
        .pr = &pr, .init = init, .seed = (uint64_t)m->opt[DESURV_OPT_SEED], .stream_base = 0,
        .nstarts = init == 0 ? (int64_t)m->opt[DESURV_OPT_NINIT] : 1,
        .tol_init = m->opt[DESURV_OPT_TOL_INIT], .select = (int)m->opt[DESURV_OPT_INIT_SELECT],
        .W0 = m->W0, .H0 = m->H0, .beta0 = m->beta0, .time = time, .event = event,
        .threads = dsv_worker_threads((int)m->opt[DESURV_OPT_THREADS])};
    /* ninit = 1: a single start, no selection phase. */
    int64_t maxit = (int64_t)m->opt[DESURV_OPT_MAXIT], imaxit = (int64_t)m->opt[DESURV_OPT_IMAXIT];
    plan.imaxit = plan.nstarts > 1 ? (imaxit < maxit ? imaxit : maxit) : 0;
    fit_poll fp = {m, pthread_self(), 0, DESURV_STAGE_STARTS, plan.imaxit};
    if (m->progress)
        pr.poll = poll_fit, pr.poll_ctx = &fp;
    dsv_state *states = calloc((size_t)plan.nstarts, sizeof *states);
    int64_t best = 0;
    rc = states ? dsv_run_starts(&plan, states, &best) : DESURV_E_NOMEM;
    /* one report at the end of the selection phase, whichever thread ran
     * the starts (with several workers the caller may have run none) */
    if (rc == DESURV_OK && m->progress && !atomic_load(&fp.cancel) &&
        m->progress(DESURV_STAGE_STARTS, plan.imaxit, plan.imaxit, states[best].cur.loss,
                    m->progress_user) != 0)
        rc = DESURV_E_CANCELLED;
    fp.stage = DESURV_STAGE_FIT, fp.total = maxit;
    if (rc == DESURV_OK)
        rc = dsv_finish_start(&pr, &states[best], maxit, m->opt[DESURV_OPT_TOL]);
    if (rc == DESURV_OK)
        rc = store_fit(m, &pr, &states[best], time, event, best);
    for (int64_t i = 0; states && i < plan.nstarts; i++)
        dsv_state_free(&states[i]);
    free(states);
    dsv_problem_free(&pr);
    dsv_cox_free(&cox);
    return rc == DESURV_OK ? rc : fit_message(m, rc);
}
