/* bench_iter.c - per-iteration cost of desurv_fit against its BLAS floor.
 *
 * For each shape (p genes x n samples, rank k) this program
 *
 *  (a) times desurv_fit with tol = 0, ninit = 1, init = 1 (NNDSVD, so the
 *      run is deterministic) at maxit = a and at maxit = b, and reports the
 *      marginal per-iteration time (t_b - t_a) / (b - a), each of t_a, t_b
 *      being the minimum over --reps repetitions (default 5).  Everything a fit does
 *      once (validation, sigma2 and the Gram eigen-decomposition, NNDSVD,
 *      the final beta polish) cancels in the difference.  Done at alpha = 0
 *      and at alpha = 0.5.
 *  (b) times the floor of one outer iteration (doc/model.md section 4, "Efficient
 *      evaluation"): cblas_dgemm X H^T (p x n times n x k), cblas_dgemm
 *      X^T W (n x p times p x k) and cblas_dgemv X g (p x n times n), back
 *      to back, minimum over repetitions.
 *
 * The data are synthetic and seeded: X = W0 H0 + noise with W0 ~ Gamma(2, 1),
 * H0 ~ U(0, 1), noise ~ U(0, 0.5); survival times from an exponential model
 * whose log-hazard is H0[0, j] - H0[1, j], censored by an independent
 * exponential.  bench/sklearn_nmf.py generates bit-for-bit the same uniforms
 * (counter-based splitmix64), so both programs factor the same matrices.
 *
 * BLAS threading is left alone: run with OPENBLAS_NUM_THREADS unset to use
 * all cores (bench/run.sh does so).
 *
 *   bench_iter [--shapes S,M,L] [--reps N] [--steps papers] [--help]
 *
 * --steps papers times the papers' model and steps (offset none, hstep mu,
 * wstep mu: libdesurv 0.2's iteration) instead of the defaults (offset,
 * exact H-step, HALS W-step), so that the two can be set against the same
 * floor.
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

#include <desurv/desurv.h>

/* ---- seeded data ----------------------------------------------------- */

#define GOLDEN 0x9e3779b97f4a7c15ULL

/* Counter-based splitmix64: the i-th draw of stream `stream`. */
static double unif(uint64_t seed, uint64_t stream, uint64_t i)
{
    uint64_t z = seed * 0x100000001b3ULL + stream * 0xd1b54a32d192ed03ULL + (i + 1) * GOLDEN;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) * 0x1.0p-53; /* in (0, 1) */
}

typedef struct data {
    int64_t p, n, k;
    double *X;      /* p x n, column-major */
    double *time;
    int32_t *event;
    int64_t n_events;
} data;

static void *xmalloc(size_t bytes)
{
    void *ptr = malloc(bytes ? bytes : 1);
    if (!ptr) {
        fprintf(stderr, "bench_iter: out of memory (%zu bytes)\n", bytes);
        exit(2);
    }
    return ptr;
}

static void make_data(data *d, int64_t p, int64_t n, int64_t k, uint64_t seed)
{
    d->p = p, d->n = n, d->k = k;
    double *W0 = xmalloc((size_t)(p * k) * sizeof *W0);
    double *H0 = xmalloc((size_t)(k * n) * sizeof *H0);
    for (int64_t i = 0; i < p * k; i++) /* Gamma(2, 1) = sum of two Exp(1) */
        W0[i] = -log(unif(seed, 1, (uint64_t)i)) - log(unif(seed, 2, (uint64_t)i));
    for (int64_t i = 0; i < k * n; i++)
        H0[i] = unif(seed, 3, (uint64_t)i);
    d->X = xmalloc((size_t)(p * n) * sizeof *d->X);
    for (int64_t i = 0; i < p * n; i++)
        d->X[i] = 0.5 * unif(seed, 4, (uint64_t)i);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)p, (int)n, (int)k, 1.0, W0,
                (int)p, H0, (int)k, 1.0, d->X, (int)p);
    d->time = xmalloc((size_t)n * sizeof *d->time);
    d->event = xmalloc((size_t)n * sizeof *d->event);
    d->n_events = 0;
    for (int64_t j = 0; j < n; j++) {
        double eta = H0[0 + j * k] - (k > 1 ? H0[1 + j * k] : 0.0);
        double t = -log(unif(seed, 5, (uint64_t)j)) * exp(-eta);
        double c = -2.0 * log(unif(seed, 6, (uint64_t)j));
        d->event[j] = t <= c;
        d->time[j] = t <= c ? t : c;
        d->n_events += d->event[j];
    }
    free(W0);
    free(H0);
}

static void free_data(data *d)
{
    free(d->X), free(d->time), free(d->event);
}

/* ---- timing ---------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void check(int rc, desurv_model *m, const char *what)
{
    if (rc != DESURV_OK) {
        fprintf(stderr, "bench_iter: %s failed: %s (%s)\n", what, desurv_strerror(rc),
                m ? desurv_errmsg(m) : "");
        exit(1);
    }
}

/* 1: --steps papers (set once in main, before any timing). */
static int papers_steps;

/* Seconds spent in one desurv_fit with maxit iterations (model creation
 * and option setting excluded). */
static double time_fit(const data *d, double alpha, int64_t maxit)
{
    desurv_model *m = NULL;
    check(desurv_model_new(&m), NULL, "desurv_model_new");
    check(desurv_set_option(m, DESURV_OPT_K, (double)d->k), m, "set k");
    check(desurv_set_option(m, DESURV_OPT_ALPHA, alpha), m, "set alpha");
    check(desurv_set_option(m, DESURV_OPT_TOL, 0.0), m, "set tol");
    check(desurv_set_option(m, DESURV_OPT_MAXIT, (double)maxit), m, "set maxit");
    check(desurv_set_option(m, DESURV_OPT_NINIT, 1.0), m, "set ninit");
    check(desurv_set_option(m, DESURV_OPT_INIT, 1.0), m, "set init");
    if (papers_steps) {
        check(desurv_set_option(m, DESURV_OPT_OFFSET, DESURV_OFFSET_NONE), m, "set offset");
        check(desurv_set_option(m, DESURV_OPT_HSTEP, DESURV_HSTEP_MU), m, "set hstep");
        check(desurv_set_option(m, DESURV_OPT_WSTEP, DESURV_WSTEP_MU), m, "set wstep");
    }
    double t0 = now();
    int rc = desurv_fit(m, d->X, d->p, d->n, d->p, d->time, d->event);
    double t1 = now();
    check(rc, m, "desurv_fit");
    double iters = 0;
    check(desurv_model_stat(m, DESURV_STAT_ITERATIONS, &iters), m, "desurv_model_stat");
    if ((int64_t)iters != maxit) {
        fprintf(stderr, "bench_iter: fit stopped after %g of %lld iterations (tol = 0)\n", iters,
                (long long)maxit);
        exit(1);
    }
    desurv_model_free(m);
    return t1 - t0;
}

typedef struct floor_times {
    double total, xht, xtw, xg; /* seconds, each a minimum over repetitions */
} floor_times;

typedef struct floor_buf {
    double *H, *W, *g, *XHt, *XtW, *Xg;
} floor_buf;

static void floor_alloc(const data *d, floor_buf *fb, floor_times *ft)
{
    int64_t p = d->p, n = d->n, k = d->k;
    fb->H = xmalloc((size_t)(k * n) * sizeof *fb->H); /* k x n */
    fb->W = xmalloc((size_t)(p * k) * sizeof *fb->W); /* p x k */
    fb->g = xmalloc((size_t)n * sizeof *fb->g);
    fb->XHt = xmalloc((size_t)(p * k) * sizeof *fb->XHt);
    fb->XtW = xmalloc((size_t)(n * k) * sizeof *fb->XtW);
    fb->Xg = xmalloc((size_t)p * sizeof *fb->Xg);
    for (int64_t i = 0; i < k * n; i++)
        fb->H[i] = unif(99, 1, (uint64_t)i);
    for (int64_t i = 0; i < p * k; i++)
        fb->W[i] = unif(99, 2, (uint64_t)i);
    for (int64_t i = 0; i < n; i++)
        fb->g[i] = unif(99, 3, (uint64_t)i) - 0.5;
    ft->total = ft->xht = ft->xtw = ft->xg = HUGE_VAL;
}

static void floor_free(floor_buf *fb)
{
    free(fb->H), free(fb->W), free(fb->g), free(fb->XHt), free(fb->XtW), free(fb->Xg);
}

/* `reps` back-to-back floor iterations; the minima are folded into ft. */
static void time_floor(const data *d, floor_buf *fb, int reps, floor_times *ft)
{
    int64_t p = d->p, n = d->n, k = d->k;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)p, (int)k, (int)n, 1.0, d->X,
                    (int)p, fb->H, (int)k, 0.0, fb->XHt, (int)p);
        double t1 = now();
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)n, (int)k, (int)p, 1.0, d->X,
                    (int)p, fb->W, (int)p, 0.0, fb->XtW, (int)n);
        double t2 = now();
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)p, (int)n, 1.0, d->X, (int)p, fb->g, 1, 0.0,
                    fb->Xg, 1);
        double t3 = now();
        ft->xht = fmin(ft->xht, t1 - t0);
        ft->xtw = fmin(ft->xtw, t2 - t1);
        ft->xg = fmin(ft->xg, t3 - t2);
        ft->total = fmin(ft->total, t3 - t0);
    }
}

/* ---- shapes ---------------------------------------------------------- */

typedef struct shape {
    const char *name;
    int64_t p, n, k;
    int64_t a, b;       /* the two maxit values */
    int floor_reps;     /* floor timings, spread over the rounds */
    int reps;           /* default repetitions (--reps overrides) */
} shape;

static const shape SHAPES[] = {
    {"S", 2000, 300, 6, 20, 220, 200, 5},
    {"M", 5000, 500, 10, 10, 60, 100, 5},
    {"L", 20000, 1000, 10, 5, 25, 30, 5},
};
#define NSHAPES (sizeof SHAPES / sizeof SHAPES[0])

typedef struct result {
    floor_times fl;
    double per_it[2];   /* alpha = 0, alpha = 0.5: seconds per iteration */
    double ta[2], tb[2];
    int64_t n_events;
    int reps;
} result;

static const double ALPHAS[2] = {0.0, 0.5};

/* Repetition rounds interleave everything (floor batch, then the four fits)
 * so that on a shared machine each quantity gets the same chances of
 * catching a quiet moment; every reported time is a minimum over rounds.
 * Round 0 is a warm-up (page faults, BLAS thread start) and is discarded. */
static void run_shape(const shape *sh, int reps, result *res)
{
    data d;
    make_data(&d, sh->p, sh->n, sh->k, 20260101u);
    res->n_events = d.n_events;
    floor_buf fb;
    floor_times warm = {HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL};
    floor_alloc(&d, &fb, &res->fl);
    for (int ai = 0; ai < 2; ai++)
        res->ta[ai] = res->tb[ai] = HUGE_VAL;
    int batch = (sh->floor_reps + reps - 1) / reps;
    for (int r = 0; r <= reps; r++) {
        time_floor(&d, &fb, r == 0 ? 2 : batch, r == 0 ? &warm : &res->fl);
        for (int ai = 0; ai < 2; ai++) {
            double ta = time_fit(&d, ALPHAS[ai], sh->a);
            double tb = r == 0 ? HUGE_VAL : time_fit(&d, ALPHAS[ai], sh->b);
            if (r == 0)
                continue;
            res->ta[ai] = fmin(res->ta[ai], ta);
            res->tb[ai] = fmin(res->tb[ai], tb);
        }
    }
    for (int ai = 0; ai < 2; ai++)
        res->per_it[ai] = (res->tb[ai] - res->ta[ai]) / (double)(sh->b - sh->a);
    floor_free(&fb);
    free_data(&d);
}

/* ---- main ------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_iter [--shapes S,M,L] [--reps N] [--steps papers]\n"
               "  --shapes  comma-separated subset of S (2000x300 k6), M (5000x500 k10),\n"
               "            L (20000x1000 k10); default all\n"
               "  --reps    repetitions per timing, minimum taken (default 5)\n"
               "BLAS threads follow OPENBLAS_NUM_THREADS (leave unset for all cores).\n");
}

static void blas_info(void)
{
    const char *env = getenv("OPENBLAS_NUM_THREADS");
    printf("OPENBLAS_NUM_THREADS=%s", env ? env : "(unset)");
    int (*nthreads)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
    char *(*config)(void) = (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_config");
    char *(*core)(void) = (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_corename");
    if (nthreads)
        printf("; OpenBLAS threads %d", nthreads());
    if (config)
        printf("; %s", config());
    if (core)
        printf(" (kernel %s)", core());
    if (!nthreads && !config)
        printf("; BLAS is not OpenBLAS");
    printf("\nlibdesurv %s\n\n", desurv_version_string());
}

int main(int argc, char **argv)
{
    int want[NSHAPES] = {1, 1, 1};
    int reps = 0; /* 0: each shape's default */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--steps") && i + 1 < argc) {
            papers_steps = !strcmp(argv[++i], "papers");
        } else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
            if (reps < 1) {
                fprintf(stderr, "bench_iter: --reps must be >= 1\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--shapes") && i + 1 < argc) {
            const char *list = argv[++i];
            for (size_t s = 0; s < NSHAPES; s++)
                want[s] = 0;
            for (const char *c = list; *c; c++) {
                if (*c == ',' || *c == ' ')
                    continue;
                size_t s = 0;
                while (s < NSHAPES && SHAPES[s].name[0] != *c)
                    s++;
                if (s == NSHAPES || (c[1] && c[1] != ',')) {
                    fprintf(stderr, "bench_iter: unknown shape in '%s'\n", list);
                    usage(stderr);
                    return 2;
                }
                want[s] = 1;
            }
        } else {
            usage(stderr);
            return 2;
        }
    }

    blas_info();
    result res[NSHAPES];
    for (size_t s = 0; s < NSHAPES; s++) {
        if (!want[s])
            continue;
        const shape *sh = &SHAPES[s];
        double t0 = now();
        res[s].reps = reps ? reps : sh->reps;
        run_shape(sh, res[s].reps, &res[s]);
        fprintf(stderr, "[%s done in %.1f s]\n", sh->name, now() - t0);
    }

    printf("desurv_fit marginal time per outer iteration (tol 0, ninit 1, init nndsvd; "
           "min over reps)\n");
    printf("floor = dgemm X H^T + dgemm X^T W + dgemv X g (min of repeated runs)\n\n");
    printf("%-5s %-17s %9s %12s %7s %14s %7s %9s\n", "shape", "p x n, k", "floor ms",
           "a=0 ms/it", "/floor", "a=0.5 ms/it", "/floor", "a.5/a0");
    for (size_t s = 0; s < NSHAPES; s++) {
        if (!want[s])
            continue;
        const shape *sh = &SHAPES[s];
        const result *r = &res[s];
        char dims[32];
        snprintf(dims, sizeof dims, "%lldx%lld, %lld", (long long)sh->p, (long long)sh->n,
                 (long long)sh->k);
        double fl = r->fl.total * 1e3, a0 = r->per_it[0] * 1e3, a5 = r->per_it[1] * 1e3;
        printf("%-5s %-17s %9.3f %12.3f %7.2f %14.3f %7.2f %9.2f\n", sh->name, dims, fl, a0,
               a0 / fl, a5, a5 / fl, a5 / a0);
    }

    printf("\ndetails (ms): floor components; fit times at maxit a and b\n");
    printf("%-5s %8s %8s %8s %6s %7s %5s | %9s %9s %9s %9s %9s\n", "shape", "X H^T", "X^T W",
           "X g", "GF/s", "events", "reps", "a..b", "a0 t_a", "a0 t_b", "a.5 t_a", "a.5 t_b");
    for (size_t s = 0; s < NSHAPES; s++) {
        if (!want[s])
            continue;
        const shape *sh = &SHAPES[s];
        const result *r = &res[s];
        double flops = 4.0 * (double)sh->p * (double)sh->n * (double)sh->k +
                       2.0 * (double)sh->p * (double)sh->n;
        char span[24];
        snprintf(span, sizeof span, "%lld..%lld", (long long)sh->a, (long long)sh->b);
        printf("%-5s %8.3f %8.3f %8.3f %6.1f %7lld %5d | %9s %9.1f %9.1f %9.1f %9.1f\n",
               sh->name, r->fl.xht * 1e3, r->fl.xtw * 1e3, r->fl.xg * 1e3,
               flops / r->fl.total * 1e-9, (long long)r->n_events, r->reps, span,
               r->ta[0] * 1e3, r->tb[0] * 1e3, r->ta[1] * 1e3,
               r->tb[1] * 1e3);
    }

    printf("\ntargets: per-iteration <= 2x floor at S, <= 1.3x at M and L (alpha 0 and 0.5); "
           "alpha 0.5 <= 1.2x alpha 0\n");
    for (size_t s = 0; s < NSHAPES; s++) {
        if (!want[s])
            continue;
        const result *r = &res[s];
        double lim = SHAPES[s].name[0] == 'S' ? 2.0 : 1.3;
        double q0 = r->per_it[0] / r->fl.total, q5 = r->per_it[1] / r->fl.total;
        double qa = r->per_it[1] / r->per_it[0];
        printf("%-5s alpha=0 %.3fx floor %s; alpha=0.5 %.3fx floor %s; alpha ratio %.3f %s\n",
               SHAPES[s].name, q0, q0 <= lim ? "met" : "MISSED", q5, q5 <= lim ? "met" : "MISSED",
               qa, qa <= 1.2 ? "met" : "MISSED");
    }
    return 0;
}
