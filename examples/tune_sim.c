/* tune_sim.c - model selection on the paper's simulation design: every
 * function added in 0.2 (simulation, tuner, progress, top genes,
 * factor-restricted prediction), once.
 *
 *  1. simulate scenario R0 (1000 genes x 150 samples, 3 true factors) and
 *     split it 70/30 into training and test samples;
 *  2. tune k, alpha and lambda on the training part by 4-fold
 *     cross-validated C-index with Bayesian optimisation (a small budget);
 *  3. report the history, the choice, the test C-index of the refitted
 *     model, and how many of factor-wise top genes are true survival genes.
 *
 * Build in-tree with meson, or alone against an installed libdesurv:
 *     cc tune_sim.c $(pkg-config --cflags --libs desurv) -lm
 * Run:  tune_sim [threads]   (set OPENBLAS_NUM_THREADS=1 with threads > 1)
 */
#include <desurv/desurv.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define GENES 1000
#define SAMPLES 150
#define TRUE_K 3
#define NTOP 50

/* The library never prints: reporting is the caller's job. */
#define CHECK(call, handle_msg)                                                       \
    do {                                                                              \
        int rc_ = (call);                                                             \
        if (rc_ != DESURV_OK) {                                                       \
            fprintf(stderr, "tune_sim: %s -> %s [%s]\n", #call, desurv_strerror(rc_), \
                    handle_msg);                                                      \
            goto done;                                                                \
        }                                                                             \
    } while (0)

/* Progress: one line per finished stage (the callback runs on this thread). */
static int progress(int stage, int64_t step, int64_t total, double best, void *user)
{
    static const char *names[] = {"starts", "fit", "design", "search", "refit"};
    (void)user;
    if (step == total && stage >= DESURV_STAGE_DESIGN)
        fprintf(stderr, "  %-6s %lld/%lld fold fits, best CV C-index so far %.3f\n",
                names[stage], (long long)step, (long long)total, best);
    return 0; /* non-zero would cancel */
}

/* Columns of X (p x n) where keep[j] == want, into Xo; times and events too. */
static int64_t take(const double *X, const double *t, const int32_t *e, const int32_t *keep,
                    int want, int64_t p, int64_t n, double *Xo, double *to, int32_t *eo)
{
    int64_t m = 0;
    for (int64_t j = 0; j < n; j++) {
        if (keep[j] != want)
            continue;
        for (int64_t g = 0; g < p; g++)
            Xo[g + m * p] = X[g + j * p];
        to[m] = t[j], eo[m] = e[j], m++;
    }
    return m;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    desurv_sim *sim = NULL;
    desurv_model *m = NULL;
    desurv_tuner *tu = NULL;
    int64_t p = GENES, n = SAMPLES;
    double *X = malloc(sizeof(double) * GENES * SAMPLES), *time = malloc(sizeof(double) * SAMPLES);
    double *Xtr = malloc(sizeof(double) * GENES * SAMPLES), *Xte = malloc(sizeof(double) * GENES * SAMPLES);
    double *ttr = malloc(sizeof(double) * SAMPLES), *tte = malloc(sizeof(double) * SAMPLES);
    double *lp = malloc(sizeof(double) * SAMPLES);
    int32_t *event = malloc(sizeof(int32_t) * SAMPLES), *split = malloc(sizeof(int32_t) * SAMPLES);
    int32_t *etr = malloc(sizeof(int32_t) * SAMPLES), *ete = malloc(sizeof(int32_t) * SAMPLES);
    int32_t *surv = malloc(sizeof(int32_t) * GENES * TRUE_K);
    int64_t *top = malloc(sizeof(int64_t) * NTOP * 12);
    int status = 1;
    if (!X || !time || !Xtr || !Xte || !ttr || !tte || !lp || !event || !split || !etr || !ete ||
        !surv || !top)
        goto done;

    /* 1. data */
    CHECK(desurv_simulate(DESURV_SCENARIO_R0, GENES, SAMPLES, TRUE_K, 42, &sim), "");
    CHECK(desurv_sim_dims(sim, &p, &n, NULL), "");
    CHECK(desurv_sim_data(sim, X, p, time, event), "");
    CHECK(desurv_sim_truth(sim, NULL, 0, NULL, 0, NULL, NULL, surv, p), "");
    CHECK(desurv_sim_split(sim, 0.7, split), "");
    int64_t ntr = take(X, time, event, split, 1, p, n, Xtr, ttr, etr);
    int64_t nte = take(X, time, event, split, 0, p, n, Xte, tte, ete);
    printf("simulated %lld genes x %lld samples: %lld training, %lld test\n", (long long)p,
           (long long)n, (long long)ntr, (long long)nte);

    /* 2. tuning: k in [2, 5], alpha on the log-odds scale, lambda in
     *    [1e-3, 1]; nu fixed; fits stop after 200 iterations (a demo) */
    CHECK(desurv_model_new(&m), "");
    CHECK(desurv_set_option(m, DESURV_OPT_MAXIT, 200), desurv_errmsg(m));
    CHECK(desurv_set_option(m, DESURV_OPT_NINIT, 5), desurv_errmsg(m));
    CHECK(desurv_tuner_new(&tu), "");
    desurv_tuner_option o;
    CHECK(desurv_tuner_option_by_name("folds", &o), "");
    printf("tuner option %d is \"%s\"\n", (int)o, desurv_tuner_option_name(o));
    desurv_param par;
    CHECK(desurv_param_by_name("nu", &par), "");
    printf("hyperparameter %d is \"%s\"\n", (int)par, desurv_param_name(par));
    CHECK(desurv_tuner_set(tu, o, 4), desurv_tuner_errmsg(tu));
    CHECK(desurv_tuner_set(tu, DESURV_TOPT_STARTS, 3), desurv_tuner_errmsg(tu));
    CHECK(desurv_tuner_set(tu, DESURV_TOPT_INIT_POINTS, 8), desurv_tuner_errmsg(tu));
    CHECK(desurv_tuner_set(tu, DESURV_TOPT_ITERATIONS, 6), desurv_tuner_errmsg(tu));
    CHECK(desurv_tuner_set(tu, DESURV_TOPT_THREADS, threads), desurv_tuner_errmsg(tu));
    CHECK(desurv_tuner_set_bounds(tu, DESURV_PARAM_K, 2, 5), desurv_tuner_errmsg(tu));
    CHECK(desurv_tuner_set_bounds(tu, DESURV_PARAM_LAMBDA, 1e-3, 1), desurv_tuner_errmsg(tu));
    CHECK(desurv_tuner_set_bounds(tu, par, 0.5, 0.5), desurv_tuner_errmsg(tu));
    double lo, hi;
    CHECK(desurv_tuner_get_bounds(tu, DESURV_PARAM_ALPHA, &lo, &hi), "");
    printf("alpha searched in [%g, %g] on the log-odds scale\n", lo, hi);
    CHECK(desurv_tuner_set_progress(tu, progress, NULL), "");
    CHECK(desurv_tune(tu, m, Xtr, p, ntr, p, ttr, etr), desurv_tuner_errmsg(tu));

    /* 3. report */
    int64_t len, folds, chosen;
    double v[DESURV_PARAM_COUNT], mean, se, pooled, nfolds;
    CHECK(desurv_tuner_get(tu, DESURV_TOPT_FOLDS, &nfolds), "");
    CHECK(desurv_tuner_history_len(tu, &len, &folds), "");
    printf("\n  #   k   alpha     lambda     CV C   (se)    pooled\n");
    for (int64_t i = 0; i < len; i++) {
        CHECK(desurv_tuner_history(tu, i, v, &mean, &se, &pooled, NULL), "");
        printf("%3lld %3.0f  %-8.4g  %-9.3g  %.3f (%.3f)  %.3f\n", (long long)i, v[0], v[1], v[2],
               mean, se, pooled);
    }
    /* did the fold fits finish?  (negative: stopped at maxit) */
    int64_t fits = 0, met = 0;
    for (int64_t i = 0; i < len; i++) {
        int64_t nf;
        double it[256];
        CHECK(desurv_tuner_history_iters(tu, i, NULL, 0, &nf), "");
        if (nf > 256)
            continue;
        CHECK(desurv_tuner_history_iters(tu, i, it, nf, &nf), "");
        for (int64_t j = 0; j < nf; j++)
            fits++, met += it[j] > 0;
    }
    printf("fold fits that met tol: %lld of %lld\n", (long long)met, (long long)fits);
    CHECK(desurv_tuner_choice(tu, v, &chosen), "");
    printf("\nchosen (rule 1se): evaluation %lld, k = %.0f, alpha = %.4g, lambda = %.3g\n",
           (long long)chosen, v[0], v[1], v[2]);
    const char *w = desurv_tuner_warnings(tu);
    if (*w)
        printf("warnings:\n%s", w);
    int32_t *fold = malloc(sizeof(int32_t) * (size_t)ntr);
    if (fold && desurv_tuner_folds(tu, fold, ntr) == DESURV_OK)
        printf("sample 0 was in fold %d of %.0f\n", (int)fold[0], nfolds);
    free(fold);
    int64_t slen;
    CHECK(desurv_tuner_surface(tu, NULL, NULL, NULL, NULL, 0, &slen), "");
    printf("GP surface over (k, alpha): %lld points\n", (long long)slen);

    double c_test, c_top;
    CHECK(desurv_predict(m, Xte, p, nte, p, lp), desurv_errmsg(m));
    CHECK(desurv_cindex(tte, ete, lp, nte, &c_test), "");
    CHECK(desurv_predict_ntop(m, Xte, p, nte, p, NTOP, lp), desurv_errmsg(m));
    CHECK(desurv_cindex(tte, ete, lp, nte, &c_top), "");
    printf("test C-index %.3f (all genes), %.3f (top %d genes per factor)\n", c_test, c_top,
           NTOP);

    /* Which fitted factor holds the survival genes of true factor 1? The
     * one whose top genes contain most of them. */
    int64_t k;
    CHECK(desurv_model_dims(m, NULL, NULL, &k), "");
    CHECK(desurv_model_top_genes(m, NTOP, top, NULL), desurv_errmsg(m));
    int best_hits = 0;
    for (int64_t r = 0; r < k; r++) {
        int hits = 0;
        for (int i = 0; i < NTOP; i++)
            hits += surv[top[i + r * NTOP]] != 0; /* column 0: factor 1's survival genes */
        best_hits = hits > best_hits ? hits : best_hits;
    }
    printf("precision of the best factor's top %d genes: %.2f\n", NTOP,
           (double)best_hits / NTOP);
    status = 0;
done:
    desurv_tuner_free(tu);
    desurv_model_free(m);
    desurv_sim_free(sim);
    free(X), free(time), free(Xtr), free(Xte), free(ttr), free(tte), free(lp);
    free(event), free(split), free(etr), free(ete), free(surv), free(top);
    return status;
}
