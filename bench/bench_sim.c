/* bench_sim.c - the paper's simulation study, scaled (issue 3, benchmark 1).
 *
 * For each replicate seed: simulate scenario R0 (default 3000 genes x 200
 * samples, 3 true factors), split 70/30, tune on the training part with
 * DeSurv (alpha searched) and with the alpha = 0 baseline (same machinery),
 * then report per method: the test C-index of the refitted model, the
 * selected k, and the precision of the survival factor's top genes (the
 * fitted factor with the largest standardised |beta|; its top m genes,
 * m = number of true survival genes of factor 1, against those genes).
 *
 * One TSV line per (replicate, method) on stdout, progress on stderr.
 *   bench_sim [--reps R] [--seed0 S] [--genes G] [--samples N] [--init I]
 *             [--iter B] [--folds K] [--starts S] [--maxit M] [--rule 1se|lcb|max|1se-recon|1se-parsimony]
 *             [--alpha-linear] [--skip-baseline] [--threads T] [--history DIR]
 * --history DIR writes every run's evaluations (parameters, mean, se,
 * pooled C, held-out reconstruction error and its se, per-fold C) to
 * DIR/hist_<seed>_<method>.tsv, so that other selection
 * rules can be compared on the same replicates (bench/rules.py).
 * Defaults are a reduced budget (see bench/README.md for what was run).
 */
#include <desurv/desurv.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

typedef struct cfg {
    const char *history;
    int skip_baseline;
    int reps, seed0, genes, samples, init, iter, folds, starts, maxit, rule, alpha_linear,
        threads;
} cfg;

static double now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + 1e-6 * (double)tv.tv_usec;
}

static int parse(int argc, char **argv, cfg *c)
{
    *c = (cfg){NULL, 0, 20, 1, 3000, 200, 10, 10, 5, 5, 300, 1, 0, 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--alpha-linear") || !strcmp(a, "--skip-baseline")) {
            *(a[2] == 'a' ? &c->alpha_linear : &c->skip_baseline) = 1;
            continue;
        }
        if (!v)
            return -1;
        int *dst = !strcmp(a, "--reps")      ? &c->reps
                   : !strcmp(a, "--seed0")   ? &c->seed0
                   : !strcmp(a, "--genes")   ? &c->genes
                   : !strcmp(a, "--samples") ? &c->samples
                   : !strcmp(a, "--init")    ? &c->init
                   : !strcmp(a, "--iter")    ? &c->iter
                   : !strcmp(a, "--folds")   ? &c->folds
                   : !strcmp(a, "--starts")  ? &c->starts
                   : !strcmp(a, "--maxit")   ? &c->maxit
                   : !strcmp(a, "--threads") ? &c->threads
                                             : NULL;
        if (!strcmp(a, "--history"))
            c->history = v;
        else if (!strcmp(a, "--rule"))
            c->rule = !strcmp(v, "max")         ? 0
                      : !strcmp(v, "lcb")       ? 2
                      : !strcmp(v, "1se-recon") ? 3
                      : !strcmp(v, "1se-parsimony") ? 4
                                                : 1;
        else if (dst)
            *dst = atoi(v);
        else
            return -1;
        i++;
    }
    return 0;
}

/* Columns with split[j] == want. */
static int64_t take(const double *X, const double *t, const int32_t *e, const int32_t *split,
                    int want, int64_t p, int64_t n, double *Xo, double *to, int32_t *eo)
{
    int64_t m = 0;
    for (int64_t j = 0; j < n; j++)
        if (split[j] == want) {
            memcpy(Xo + m * p, X + j * p, (size_t)p * sizeof *Xo);
            to[m] = t[j], eo[m] = e[j], m++;
        }
    return m;
}

typedef struct result {
    double test_c, precision, cv_c, seconds;
    int k;
} result;

/* The fitted factor with the largest standardised effect, and how many of
 * its top m genes are true survival genes of factor 1. */
static double precision(const desurv_model *m, const double *Xtr, int64_t p, int64_t ntr,
                        const int32_t *surv)
{
    int64_t k, msurv = 0;
    desurv_model_dims(m, NULL, NULL, &k);
    for (int64_t g = 0; g < p; g++)
        msurv += surv[g] != 0;
    double *W = malloc(sizeof(double) * (size_t)(p * k)), *beta = malloc(sizeof(double) * (size_t)k);
    int64_t *top = malloc(sizeof(int64_t) * (size_t)(msurv * k));
    desurv_model_W(m, W, p);
    desurv_model_beta(m, beta);
    int64_t best = 0;
    double best_eff = -1;
    for (int64_t r = 0; r < k; r++) {
        double s = 0, s2 = 0;
        for (int64_t j = 0; j < ntr; j++) {
            double z = 0;
            for (int64_t g = 0; g < p; g++)
                z += Xtr[g + j * p] * W[g + r * p];
            s += z, s2 += z * z;
        }
        double sd = sqrt(fmax(0, s2 / (double)ntr - (s / (double)ntr) * (s / (double)ntr)));
        if (fabs(beta[r]) * sd > best_eff)
            best_eff = fabs(beta[r]) * sd, best = r;
    }
    desurv_model_top_genes(m, msurv, top, NULL);
    int64_t hits = 0;
    for (int64_t i = 0; i < msurv; i++)
        hits += surv[top[i + best * msurv]] != 0;
    free(W), free(beta), free(top);
    return (double)hits / (double)msurv;
}

static void dump_history(const cfg *c, const desurv_tuner *tu, int seed, int baseline)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/hist_%d_%s.tsv", c->history, seed,
             baseline ? "alpha0" : "desurv");
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench_sim: cannot write %s: %s (does --history %s exist?)\n", path,
                strerror(errno), c->history);
        return;
    }
    int64_t len, folds;
    desurv_tuner_history_len(tu, &len, &folds);
    fprintf(f, "k\talpha\tlambda\tnu\tmean\tse\tpooled\trecon\trecon_se");
    for (int64_t j = 0; j < folds; j++)
        fprintf(f, "\tfold%lld", (long long)j);
    fprintf(f, "\n");
    double par[DESURV_PARAM_COUNT], mean, se, pooled, rec, rec_se, fc[100];
    for (int64_t i = 0; i < len; i++) {
        desurv_tuner_history(tu, i, par, &mean, &se, &pooled, fc);
        desurv_tuner_history_recon(tu, i, &rec, &rec_se);
        fprintf(f, "%.0f\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g", par[0],
                par[1], par[2], par[3], mean, se, pooled, rec, rec_se);
        for (int64_t j = 0; j < folds; j++)
            fprintf(f, "\t%.17g", fc[j]);
        fprintf(f, "\n");
    }
    fclose(f);
}

static int run_method(const cfg *c, int seed, int baseline, const double *Xtr, int64_t p, int64_t ntr,
                      const double *ttr, const int32_t *etr, const double *Xte, int64_t nte,
                      const double *tte, const int32_t *ete, const int32_t *surv, result *res)
{
    desurv_model *m;
    desurv_tuner *tu;
    desurv_model_new(&m);
    desurv_tuner_new(&tu);
    desurv_set_option(m, DESURV_OPT_MAXIT, c->maxit);
    desurv_set_option(m, DESURV_OPT_NINIT, c->starts);
    desurv_tuner_set(tu, DESURV_TOPT_FOLDS, c->folds);
    desurv_tuner_set(tu, DESURV_TOPT_STARTS, c->starts);
    desurv_tuner_set(tu, DESURV_TOPT_INIT_POINTS, c->init);
    desurv_tuner_set(tu, DESURV_TOPT_ITERATIONS, c->iter);
    desurv_tuner_set(tu, DESURV_TOPT_RULE, c->rule);
    desurv_tuner_set(tu, DESURV_TOPT_THREADS, c->threads);
    desurv_tuner_set(tu, DESURV_TOPT_ALPHA_SCALE, c->alpha_linear);
    /* the paper's bounds */
    desurv_tuner_set_bounds(tu, DESURV_PARAM_K, 2, 6);
    desurv_tuner_set_bounds(tu, DESURV_PARAM_LAMBDA, 1e-2, 1e2);
    desurv_tuner_set_bounds(tu, DESURV_PARAM_NU, 0, 1);
    if (baseline)
        desurv_tuner_set_bounds(tu, DESURV_PARAM_ALPHA, 0, 0);
    else if (c->alpha_linear)
        desurv_tuner_set_bounds(tu, DESURV_PARAM_ALPHA, 0, 0.95);
    double t0 = now();
    int rc = desurv_tune(tu, m, Xtr, p, ntr, p, ttr, etr);
    res->seconds = now() - t0;
    if (rc != DESURV_OK) {
        fprintf(stderr, "tune failed: %s\n", desurv_tuner_errmsg(tu));
        desurv_tuner_free(tu), desurv_model_free(m);
        return rc;
    }
    double par[DESURV_PARAM_COUNT], *lp = malloc(sizeof(double) * (size_t)nte);
    int64_t idx;
    if (c->history)
        dump_history(c, tu, seed, baseline);
    desurv_tuner_choice(tu, par, &idx);
    desurv_tuner_history(tu, idx, NULL, &res->cv_c, NULL, NULL, NULL);
    res->k = (int)par[DESURV_PARAM_K];
    desurv_predict(m, Xte, p, nte, p, lp);
    desurv_cindex(tte, ete, lp, nte, &res->test_c);
    res->precision = precision(m, Xtr, p, ntr, surv);
    free(lp);
    desurv_tuner_free(tu), desurv_model_free(m);
    return DESURV_OK;
}

int main(int argc, char **argv)
{
    cfg c;
    if (parse(argc, argv, &c) != 0) {
        fprintf(stderr, "usage: see the comment at the top of bench/bench_sim.c\n");
        return 2;
    }
    int64_t p = c.genes, n = c.samples;
    double *X = malloc(sizeof(double) * (size_t)(p * n)), *t = malloc(sizeof(double) * (size_t)n);
    double *Xtr = malloc(sizeof(double) * (size_t)(p * n)), *Xte = malloc(sizeof(double) * (size_t)(p * n));
    double *ttr = malloc(sizeof(double) * (size_t)n), *tte = malloc(sizeof(double) * (size_t)n);
    int32_t *e = malloc(sizeof(int32_t) * (size_t)n), *split = malloc(sizeof(int32_t) * (size_t)n);
    int32_t *etr = malloc(sizeof(int32_t) * (size_t)n), *ete = malloc(sizeof(int32_t) * (size_t)n);
    int32_t *surv = malloc(sizeof(int32_t) * (size_t)(p * 3));
    printf("seed\tmethod\tk\ttest_c\tcv_c\tprecision\tseconds\n");
    for (int r = 0; r < c.reps; r++) {
        desurv_sim *s;
        int seed = c.seed0 + r;
        if (desurv_simulate(DESURV_SCENARIO_R0, p, n, 3, (uint64_t)seed, &s) != DESURV_OK)
            return 1;
        desurv_sim_data(s, X, p, t, e);
        desurv_sim_truth(s, NULL, 0, NULL, 0, NULL, NULL, surv, p);
        desurv_sim_split(s, 0.7, split);
        int64_t ntr = take(X, t, e, split, 1, p, n, Xtr, ttr, etr);
        int64_t nte = take(X, t, e, split, 0, p, n, Xte, tte, ete);
        for (int baseline = 0; baseline <= !c.skip_baseline; baseline++) {
            result res;
            if (run_method(&c, seed, baseline, Xtr, p, ntr, ttr, etr, Xte, nte, tte, ete, surv,
                           &res) != DESURV_OK)
                return 1;
            printf("%d\t%s\t%d\t%.4f\t%.4f\t%.3f\t%.1f\n", seed, baseline ? "alpha0" : "desurv",
                   res.k, res.test_c, res.cv_c, res.precision, res.seconds);
            fflush(stdout);
            fprintf(stderr, "seed %d %s: k %d test C %.3f (%.0f s)\n", seed,
                    baseline ? "alpha0" : "desurv", res.k, res.test_c, res.seconds);
        }
        desurv_sim_free(s);
    }
    free(X), free(t), free(Xtr), free(Xte), free(ttr), free(tte);
    free(e), free(split), free(etr), free(ete), free(surv);
    return 0;
}
