/* bench_batch.c - batched multi-start (doc/model.md section 11) against one start
 * at a time.
 *
 * At one shape (default: the paper's PDAC training set, p = 1970 genes x
 * n = 218 samples) and each rank k, this program runs the selection phase
 * of a fit (dsv_run_starts with `--starts` random starts) with batch = 1
 * (dsv_iterate, one skinny GEMM per start) and with batches of 5, 10 and
 * 30 starts (dsv_iterate_batch, one wide GEMM over the active starts), on
 * one worker thread, and reports starts per second, the speed-up, and the
 * largest difference between the batched and the one-by-one losses.  Two
 * stopping rules:
 *
 *  - fixed: tol 0, every start runs exactly --iters (30) iterations: the
 *    selection phase of desurv_fit (imaxit 30; its tol_init 1e-4 is rarely
 *    met that early);
 *  - converge: --tol (1e-4) and at most --maxit (200) iterations, so starts
 *    leave the batch at different iterations (as in cross-validation, where
 *    every start runs to convergence).
 *
 * It also times the two products with X alone, skinny (k columns) and wide
 * (k x starts columns), as GFLOP/s: the ceiling of what batching can gain.
 *
 * Data: the paper's simulation design (lib/prep/simulate.c, scenario R0, 3 true
 * factors, seed 1) at the requested shape.  BLAS threads follow
 * OPENBLAS_NUM_THREADS; run it with OPENBLAS_NUM_THREADS=1 for the
 * single-threaded numbers.  Uses library internals, so it links the
 * internal static library.
 *
 *   bench_batch [--p P] [--n N] [--k 3,6,10] [--starts 30] [--iters 30]
 *               [--maxit 200] [--tol 1e-4] [--alpha 0.5] [--reps 3]
 *               [--batches 1,5,10,30]
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include "fit/batch.h"
#include "surv/cox.h"
#include "desurv/desurv.h"
#include "fit/fit.h"
#include "prep/simulate.h"
#include "fit/starts.h"

typedef struct config {
    int64_t p, n, starts, iters, maxit, reps;
    double tol;
    int64_t ks[8], batches[8];
    int nk, nb;
    double alpha;
} config;

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of the process (all its threads).  On a shared machine other
 * jobs stretch the wall time; with one BLAS thread the CPU time is the
 * steadier measure of our own work. */
static double cpu_now(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_batch: %s failed: %s\n", what, desurv_strerror(rc));
    exit(1);
}

/* As desurv_fit's setup_problem (lib/model/fit.c) with its default options. */
static void setup_problem(dsv_problem *pr, const dsv_sim *s, const dsv_cox *cox, int64_t k,
                          double alpha)
{
    memset(pr, 0, sizeof *pr);
    int64_t p = s->G, n = s->N;
    pr->X = s->X, pr->p = p, pr->n = n, pr->ldx = p, pr->k = k;
    pr->cox = cox;
    pr->n_events = cox->n_events;
    double ss = 0, sum = 0;
    for (int64_t i = 0; i < p * n; i++)
        ss += s->X[i] * s->X[i], sum += s->X[i];
    pr->xnorm2 = ss;
    pr->xmean = sum / ((double)p * (double)n);
    int rc = dsv_data_scales(s->X, p, n, p, k, ss, &pr->sigma2, &pr->xc_top);
    if (rc != DESURV_OK)
        die("dsv_data_scales", rc);
    pr->alpha = alpha, pr->lambda = 0.1, pr->nu = 0.5;
    pr->c_rec = (1.0 - alpha) / pr->sigma2;
    pr->eps_w = 1e-16;
    pr->eps_h = 1e-16 * sqrt(ss / ((double)n * (double)p));
    pr->tol_beta = 1e-6;
    pr->beta_maxit = 100;
}

typedef struct outcome {
    double seconds;    /* minimum over repetitions */
    int64_t iters;     /* total over starts */
    double *loss;      /* per start, after the phase */
} outcome;

/* One selection phase; returns its wall time and *cpu its CPU time, fills
 * iters (total), span (fewest and most per start) and loss. */
static double run_phase(const dsv_problem *pr, const dsv_sim *s, const config *c, double tol,
                        int64_t batch, double *cpu, int64_t *iters, int64_t *span, double *loss)
{
    dsv_state *st = calloc((size_t)c->starts, sizeof *st);
    if (!st)
        die("calloc", DESURV_E_NOMEM);
    dsv_start_plan plan = {.pr = pr, .init = 0, .seed = 1, .nstarts = c->starts,
                           .imaxit = c->iters, .tol_init = tol, .select = 0, .time = s->time,
                           .event = s->event, .threads = 1, .batch = batch};
    int64_t best;
    double t0 = now(), c0 = cpu_now();
    int rc = dsv_run_starts(&plan, st, &best);
    double t1 = now();
    *cpu = cpu_now() - c0;
    if (rc != DESURV_OK)
        die("dsv_run_starts", rc);
    *iters = 0;
    span[0] = INT64_MAX, span[1] = 0;
    for (int64_t i = 0; i < c->starts; i++) {
        *iters += st[i].iters;
        span[0] = st[i].iters < span[0] ? st[i].iters : span[0];
        span[1] = st[i].iters > span[1] ? st[i].iters : span[1];
        loss[i] = st[i].cur.loss;
        dsv_state_free(&st[i]);
    }
    free(st);
    return t1 - t0;
}

static double max_reldiff(const double *a, const double *b, int64_t len)
{
    double m = 0;
    for (int64_t i = 0; i < len; i++)
        m = fmax(m, fabs(a[i] - b[i]) / fabs(b[i]));
    return m;
}

/* GFLOP/s of the iteration's two products with X (X A, X^T W) for
 * ncol right-hand columns, minimum time over reps. */
static double gemm_rate(const dsv_problem *pr, int64_t ncol, int reps)
{
    int64_t p = pr->p, n = pr->n;
    double *A = malloc((size_t)(n * ncol) * sizeof *A), *T = malloc((size_t)(p * ncol) * sizeof *T);
    double *Z = malloc((size_t)(n * ncol) * sizeof *Z);
    if (!A || !T || !Z)
        die("malloc", DESURV_E_NOMEM);
    for (int64_t i = 0; i < n * ncol; i++)
        A[i] = 1.0 / (double)(1 + i % 7);
    for (int64_t i = 0; i < p * ncol; i++)
        T[i] = 0;
    double best = HUGE_VAL;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        dsv_x_times(pr, A, ncol, T);
        dsv_xt_times(pr, T, ncol, Z);
        best = fmin(best, now() - t0);
    }
    free(A), free(T), free(Z);
    return 4.0 * (double)p * (double)n * (double)ncol / best * 1e-9;
}

typedef struct mode {
    const char *name;
    int64_t iters;  /* iteration cap */
    double tol;
} mode;

#define NBATCH 8

/* Runs of every batch size interleaved, repetition by repetition, so that
 * each gets the same chance of a quiet machine; minimum over repetitions. */
static void bench_mode(const dsv_problem *pr, const dsv_sim *s, const config *c, const mode *md)
{
    const int64_t *batches = c->batches;
    int nb = c->nb;
    double best[NBATCH], cbest[NBATCH], diff[NBATCH] = {0};
    int64_t iters[NBATCH] = {0}, span[2] = {0, 0};
    double *ref = malloc((size_t)c->starts * sizeof *ref);
    double *loss = malloc((size_t)c->starts * sizeof *loss);
    config cm = *c;
    cm.iters = md->iters;
    for (int b = 0; b < nb; b++)
        best[b] = cbest[b] = HUGE_VAL;
    for (int64_t r = 0; r < c->reps; r++)
        for (int b = 0; b < nb; b++) {
            double cpu, t = run_phase(pr, s, &cm, md->tol, batches[b], &cpu, &iters[b], span,
                                      b ? loss : ref);
            best[b] = fmin(best[b], t);
            cbest[b] = fmin(cbest[b], cpu);
            if (b > 0)
                diff[b] = fmax(diff[b], max_reldiff(loss, ref, c->starts));
        }
    for (int b = 0; b < nb; b++)
        printf("  %-8s batch %3lld: wall %7.1f ms %6.1f starts/s %6.3f ms/it x%4.2f | cpu %7.1f "
               "ms x%4.2f | iterations %lld%s, max loss diff %.2g\n",
               md->name, (long long)batches[b], best[b] * 1e3, (double)c->starts / best[b],
               best[b] * 1e3 / (double)iters[b], best[0] / best[b], cbest[b] * 1e3,
               cbest[0] / cbest[b], (long long)iters[b], iters[b] == iters[0] ? "" : " (DIFFER)",
               diff[b]);
    printf("  %-8s iterations per start: %lld .. %lld\n", md->name, (long long)span[0],
           (long long)span[1]);
    free(ref), free(loss);
}

static void bench_rank(const dsv_sim *s, const dsv_cox *cox, const config *c, int64_t k)
{
    dsv_problem pr;
    setup_problem(&pr, s, cox, k, c->alpha);
    printf("k = %lld: products with X alone: %.1f GFLOP/s skinny (%lld columns), "
           "%.1f GFLOP/s wide (%lld columns)\n",
           (long long)k, gemm_rate(&pr, k, 50), (long long)k, gemm_rate(&pr, k * c->starts, 10),
           (long long)(k * c->starts));
    const mode modes[2] = {{"fixed", c->iters, 0.0}, {"converge", c->maxit, c->tol}};
    for (int m = 0; m < 2; m++)
        bench_mode(&pr, s, c, &modes[m]);
}

static void blas_info(void)
{
    const char *env = getenv("OPENBLAS_NUM_THREADS");
    int (*nthreads)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
    char *(*config)(void) = (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_config");
    printf("OPENBLAS_NUM_THREADS=%s", env ? env : "(unset)");
    if (nthreads)
        printf("; OpenBLAS threads %d; %s", nthreads(), config ? config() : "");
    else
        printf("; BLAS is not OpenBLAS");
    printf("\n");
}

/* A comma-separated list of at most 8 positive integers. */
static int parse_list(const char *list, int64_t *out, int *count)
{
    *count = 0;
    for (const char *q = list; *q && *count < 8;) {
        char *end;
        long long v = strtoll(q, &end, 10);
        if (end == q || v < 1 || (*end && *end != ','))
            return -1;
        out[(*count)++] = v;
        q = *end == ',' ? end + 1 : end;
    }
    return *count > 0 ? 0 : -1;
}

static int parse_args(int argc, char **argv, config *c)
{
    *c = (config){.p = 1970, .n = 218, .starts = 30, .iters = 30, .maxit = 200, .tol = 1e-4,
                  .reps = 3, .ks = {3, 6, 10}, .nk = 3, .batches = {1, 5, 10, 30}, .nb = 4,
                  .alpha = 0.5};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return -1;
        if (!strcmp(a, "--p"))
            c->p = atoll(v);
        else if (!strcmp(a, "--n"))
            c->n = atoll(v);
        else if (!strcmp(a, "--starts"))
            c->starts = atoll(v);
        else if (!strcmp(a, "--iters"))
            c->iters = atoll(v);
        else if (!strcmp(a, "--maxit"))
            c->maxit = atoll(v);
        else if (!strcmp(a, "--tol"))
            c->tol = atof(v);
        else if (!strcmp(a, "--reps"))
            c->reps = atoll(v);
        else if (!strcmp(a, "--alpha"))
            c->alpha = atof(v);
        else if (!strcmp(a, "--k")) {
            if (parse_list(v, c->ks, &c->nk) != 0)
                return -1;
        } else if (!strcmp(a, "--batches")) {
            if (parse_list(v, c->batches, &c->nb) != 0 || c->batches[0] != 1)
                return -1;
        } else
            return -1;
        i++;
    }
    return c->p > 0 && c->n > 0 && c->starts > 0 && c->iters > 0 && c->maxit > 0 && c->reps > 0
               ? 0
               : -1;
}

int main(int argc, char **argv)
{
    config c;
    if (parse_args(argc, argv, &c) != 0) {
        fprintf(stderr, "usage: bench_batch [--p P] [--n N] [--k 3,6,10] [--starts 30] "
                        "[--iters 30] [--maxit 200] [--tol 1e-4] [--alpha 0.5] [--reps 3]\n"
                        "                   [--batches 1,5,10,30]   (the first must be 1)\n");
        return 2;
    }
    blas_info();
    dsv_sim s;
    int rc = dsv_simulate(DSV_SIM_R0, c.p, c.n, 3, 1, &s);
    if (rc != DESURV_OK)
        die("dsv_simulate", rc);
    dsv_cox cox;
    if (dsv_cox_init(&cox, s.time, s.event, s.N, 0) != DESURV_OK)
        die("dsv_cox_init", DESURV_E_NOMEM);
    printf("p = %lld, n = %lld, %lld starts; fixed: %lld iterations at tol 0; converge: tol "
           "%g, at most %lld iterations; alpha %g, 1 worker thread, min of %lld runs\n",
           (long long)c.p, (long long)c.n, (long long)c.starts, (long long)c.iters, c.tol,
           (long long)c.maxit, c.alpha, (long long)c.reps);
    for (int i = 0; i < c.nk; i++)
        bench_rank(&s, &cox, &c, c.ks[i]);
    dsv_cox_free(&cox);
    dsv_sim_free(&s);
    return 0;
}
