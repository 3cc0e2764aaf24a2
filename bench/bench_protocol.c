/* bench_protocol.c - wall time of the paper's PDAC tuning protocol
 * (issue 3, benchmark 2): 150 points x 5 folds x 30 starts on data shaped
 * like the PDAC set (p = 1970 genes, n = 273 patients; here a simulated R0
 * data set of that shape).
 *
 *   bench_protocol [--points P] [--iter B] [--starts S] [--folds K]
 *                  [--maxit M] [--threads T] [--batch B] [--seed S]
 *
 * Evaluates P Latin-hypercube points and B BO steps (default 6 + 0) over the
 * default search space (k 2..12, alpha log-odds, lambda, nu) and reports
 * seconds, fold fits per second, and the time extrapolated to the full
 * 150-point protocol.  Run with OPENBLAS_NUM_THREADS=1 when --threads > 1.
 */
#include <desurv/desurv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static double now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + 1e-6 * (double)tv.tv_usec;
}

int main(int argc, char **argv)
{
    int points = 6, iter = 0, starts = 30, folds = 5, maxit = 1000, threads = 1, batch = 10,
        seed = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        int v = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--points"))
            points = v;
        else if (!strcmp(argv[i], "--iter"))
            iter = v;
        else if (!strcmp(argv[i], "--starts"))
            starts = v;
        else if (!strcmp(argv[i], "--folds"))
            folds = v;
        else if (!strcmp(argv[i], "--maxit"))
            maxit = v;
        else if (!strcmp(argv[i], "--threads"))
            threads = v;
        else if (!strcmp(argv[i], "--batch"))
            batch = v;
        else if (!strcmp(argv[i], "--seed"))
            seed = v;
        else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    int64_t p = 1970, n = 273;
    desurv_sim *s;
    if (desurv_simulate(DESURV_SCENARIO_R0, p, n, 3, (uint64_t)seed, &s) != DESURV_OK)
        return 1;
    double *X = malloc(sizeof(double) * (size_t)(p * n)), *t = malloc(sizeof(double) * (size_t)n);
    int32_t *e = malloc(sizeof(int32_t) * (size_t)n);
    desurv_sim_data(s, X, p, t, e);
    desurv_model *m;
    desurv_tuner *tu;
    desurv_model_new(&m);
    desurv_tuner_new(&tu);
    desurv_set_option(m, DESURV_OPT_MAXIT, maxit);
    desurv_tuner_set(tu, DESURV_TOPT_FOLDS, folds);
    desurv_tuner_set(tu, DESURV_TOPT_STARTS, starts);
    desurv_tuner_set(tu, DESURV_TOPT_INIT_POINTS, points);
    desurv_tuner_set(tu, DESURV_TOPT_ITERATIONS, iter);
    desurv_tuner_set(tu, DESURV_TOPT_THREADS, threads);
    desurv_tuner_set(tu, DESURV_TOPT_BATCH, batch);
    desurv_tuner_set(tu, DESURV_TOPT_REFIT, 0);
    double t0 = now();
    int rc = desurv_tune(tu, m, X, p, n, p, t, e);
    double sec = now() - t0;
    int64_t len;
    desurv_tuner_history_len(tu, &len, NULL);
    double fits = (double)len * folds * starts;
    printf("rc %d  points %lld  threads %d  batch %d  maxit %d: %.1f s, %.2f fold fits/s, "
           "150 x 5 x 30 protocol ~ %.1f min\n", rc, (long long)len, threads, batch, maxit, sec,
           fits / sec, 22500.0 / (fits / sec) / 60.0);
    const char *w = desurv_tuner_warnings(tu);
    if (*w)
        printf("warnings: %s", w);
    desurv_tuner_free(tu);
    desurv_model_free(m);
    desurv_sim_free(s);
    free(X), free(t), free(e);
    return rc == DESURV_OK ? 0 : 1;
}
