/* bench_recon.c - the held-out reconstruction error (dsv_bicv_error) on the
 * paper's simulation: what it can identify and what it costs (bench/README.md,
 * "Bringing in the reconstruction").
 *
 *   bench_recon oracle [--seeds A B]   error of the TRUE factors on each
 *       replicate's test part: the per-gene training mean alone, true W
 *       alone, true W + mean, two true factors + mean (no fitting)
 *   bench_recon shift [--seeds A B]    the same after subtracting each
 *       gene's training minimum (test clamped at 0): true W alone, true W
 *       plus a constant column
 *   bench_recon fits [--seeds A B] [--maxit M] [--alpha a]
 *       desurv_fit on the training part (3 starts) for k = 2..6, and the
 *       held-out error of its W on the test part
 *   bench_recon cost   CPU time of one error evaluation against a
 *       300-iteration fit of one CV fold's training part (k = 2, 4, 6)
 * Same generator, split and gene split as bench_sim (seed 1 for the split).
 * Links the internal library: dsv_bicv_error is not public.
 */
#include <desurv/desurv.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tune/cv.h"

enum { P = 3000, N = 200 };

typedef struct rep {
    double *Xtr, *Xte, *ttr, *W, *mean, *Xab;
    int32_t *etr;
    int64_t ntr, nte, perm[P], pa;
} rep;

static double cpu(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* Simulate replicate `seed`, split 70/30, order the test part by the gene
 * split, and keep the true W (3 columns, room for 2 more). */
static void rep_make(rep *r, int seed)
{
    double *X = malloc(sizeof(double) * P * N), *t = malloc(sizeof(double) * N);
    int32_t *e = malloc(sizeof(int32_t) * N), *split = malloc(sizeof(int32_t) * N);
    desurv_sim *s;
    desurv_simulate(DESURV_SCENARIO_R0, P, N, 3, (uint64_t)seed, &s);
    desurv_sim_data(s, X, P, t, e);
    desurv_sim_split(s, 0.7, split);
    r->W = malloc(sizeof(double) * P * 5);
    desurv_sim_truth(s, r->W, P, NULL, 0, NULL, NULL, NULL, 0);
    r->Xtr = malloc(sizeof(double) * P * N), r->Xte = malloc(sizeof(double) * P * N);
    r->ttr = malloc(sizeof(double) * N), r->etr = malloc(sizeof(int32_t) * N);
    r->ntr = r->nte = 0;
    for (int64_t j = 0; j < N; j++) {
        if (split[j]) {
            memcpy(r->Xtr + r->ntr * P, X + j * P, sizeof(double) * P);
            r->ttr[r->ntr] = t[j], r->etr[r->ntr++] = e[j];
        } else {
            memcpy(r->Xte + r->nte++ * P, X + j * P, sizeof(double) * P);
        }
    }
    dsv_bicv_split(P, 1, r->perm, &r->pa);
    r->Xab = malloc(sizeof(double) * P * (size_t)r->nte);
    r->mean = malloc(sizeof(double) * P);
    for (int64_t j = 0; j < r->nte; j++)
        for (int64_t i = 0; i < P; i++)
            r->Xab[i + j * P] = r->Xte[r->perm[i] + j * P];
    for (int64_t i = 0; i < P; i++) {
        double a = 0;
        for (int64_t j = 0; j < r->ntr; j++)
            a += r->Xtr[i + j * P];
        r->mean[i] = a / (double)r->ntr;
    }
    desurv_sim_free(s);
    free(X), free(t), free(e), free(split);
}

static void rep_free(rep *r)
{
    free(r->Xtr), free(r->Xte), free(r->ttr), free(r->W), free(r->mean), free(r->Xab);
    free(r->etr);
}

static double err_of(const rep *r, const double *W, int64_t k)
{
    double e = NAN;
    dsv_bicv_error(W, NULL, P, k, r->perm, r->pa, r->Xab, r->nte, &e);
    return e;
}

static void oracle(int s0, int s1)
{
    printf("seed\tmean_only\ttrue_W\ttrue_W_mean\tW1W2_mean\n");
    for (int seed = s0; seed <= s1; seed++) {
        rep r;
        rep_make(&r, seed);
        double mo = err_of(&r, r.mean, 1), tw = err_of(&r, r.W, 3);
        memcpy(r.W + 3 * P, r.mean, sizeof(double) * P);
        double twm = err_of(&r, r.W, 4);
        memcpy(r.W + 2 * P, r.mean, sizeof(double) * P);
        printf("%d\t%.4g\t%.4g\t%.4g\t%.4g\n", seed, mo, tw, twm, err_of(&r, r.W, 3));
        rep_free(&r);
    }
}

static void shift(int s0, int s1)
{
    printf("seed\ttrue_W\ttrue_W_const\n");
    for (int seed = s0; seed <= s1; seed++) {
        rep r;
        rep_make(&r, seed);
        for (int64_t i = 0; i < P; i++) {
            double mn = INFINITY;
            for (int64_t j = 0; j < r.ntr; j++)
                mn = fmin(mn, r.Xtr[i + j * P]);
            r.mean[i] = mn;
        }
        for (int64_t j = 0; j < r.nte; j++)
            for (int64_t i = 0; i < P; i++)
                r.Xab[i + j * P] = fmax(0, r.Xte[r.perm[i] + j * P] - r.mean[r.perm[i]]);
        double tw = err_of(&r, r.W, 3);
        for (int64_t i = 0; i < P; i++)
            r.W[i + 3 * P] = 1;
        printf("%d\t%.4g\t%.4g\n", seed, tw, err_of(&r, r.W, 4));
        rep_free(&r);
    }
}

static desurv_model *fit(const double *X, int64_t n, const double *t, const int32_t *e, int k,
                         double alpha, int maxit, int ninit, double tol)
{
    desurv_model *m;
    desurv_model_new(&m);
    desurv_set_option(m, DESURV_OPT_K, k);
    desurv_set_option(m, DESURV_OPT_ALPHA, alpha);
    desurv_set_option(m, DESURV_OPT_MAXIT, maxit);
    desurv_set_option(m, DESURV_OPT_NINIT, ninit);
    desurv_set_option(m, DESURV_OPT_TOL, tol);
    desurv_fit(m, X, P, n, P, t, e);
    return m;
}

static void fits(int s0, int s1, int maxit, double alpha)
{
    printf("seed\talpha\tmaxit\tk\trecon\n");
    for (int seed = s0; seed <= s1; seed++) {
        rep r;
        rep_make(&r, seed);
        for (int k = 2; k <= 6; k++) {
            desurv_model *m = fit(r.Xtr, r.ntr, r.ttr, r.etr, k, alpha, maxit, 3, 1e-6);
            double *W = malloc(sizeof(double) * P * (size_t)k);
            desurv_model_W(m, W, P);
            printf("%d\t%g\t%d\t%d\t%.4g\n", seed, alpha, maxit, k, err_of(&r, W, k));
            fflush(stdout);
            free(W), desurv_model_free(m);
        }
        rep_free(&r);
    }
}

/* One CV fold of bench_sim's shape: 112 training, 28 held-out samples. */
static void cost(void)
{
    rep r;
    rep_make(&r, 1);
    int64_t nfold = 112;
    r.nte = 28; /* the first 28 test samples stand in for a held-out fold */
    printf("k\tfit_ms\tbicv_ms\tratio\n");
    for (int k = 2; k <= 6; k += 2) {
        double t0 = cpu();
        desurv_model *m = fit(r.Xtr, nfold, r.ttr, r.etr, k, 0.9, 300, 1, 0);
        double tfit = cpu() - t0;
        double *W = malloc(sizeof(double) * P * (size_t)k);
        desurv_model_W(m, W, P);
        int reps = 200;
        t0 = cpu();
        for (int i = 0; i < reps; i++)
            err_of(&r, W, k);
        double tb = (cpu() - t0) / reps;
        printf("%d\t%.1f\t%.3f\t%.2f%%\n", k, 1e3 * tfit, 1e3 * tb, 100 * tb / tfit);
        free(W), desurv_model_free(m);
    }
    rep_free(&r);
}

int main(int argc, char **argv)
{
    int s0 = 1, s1 = 20, maxit = 1000;
    double alpha = 0.5;
    for (int i = 2; i + 1 < argc; i++) {
        if (!strcmp(argv[i], "--seeds") && i + 2 < argc)
            s0 = atoi(argv[i + 1]), s1 = atoi(argv[i + 2]), i += 2;
        else if (!strcmp(argv[i], "--maxit"))
            maxit = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--alpha"))
            alpha = atof(argv[++i]);
    }
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "oracle"))
        oracle(s0, s1);
    else if (!strcmp(mode, "shift"))
        shift(s0, s1);
    else if (!strcmp(mode, "fits"))
        fits(s0, s1, maxit, alpha);
    else if (!strcmp(mode, "cost"))
        cost();
    else {
        fprintf(stderr, "usage: see the comment at the top of bench/bench_recon.c\n");
        return 2;
    }
    return 0;
}
