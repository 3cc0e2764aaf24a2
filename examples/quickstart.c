/* quickstart.c - every public function of libdesurv, once, on a tiny
 * synthetic data set.
 *
 * The data: 20 genes x 60 training samples (plus 30 new samples) made from
 * two gene programs; genes 1-10 belong to program 1 and genes 11-20 to
 * program 2, and only program 2 raises the hazard.  A good fit puts a
 * positive beta on the factor whose W column loads on genes 11-20.
 *
 * Build in-tree with meson, or alone against an installed libdesurv:
 *     cc quickstart.c $(pkg-config --cflags --libs desurv) -lm
 */
#include <desurv/desurv.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define P 20
#define N_TRAIN 60
#define N_NEW 30
#define K 2

/* Stop at the first failure, saying what failed and why.  The library never
 * prints, so reporting is the caller's job: strerror gives the sentence for
 * the code, errmsg the detail recorded in the handle. */
#define CHECK(call)                                                                   \
    do {                                                                              \
        int rc_ = (call);                                                             \
        if (rc_ != DESURV_OK) {                                                       \
            fprintf(stderr, "quickstart: %s -> %d: %s [%s]\n", #call, rc_,            \
                    desurv_strerror(rc_), desurv_errmsg(m));                          \
            goto done;                                                                \
        }                                                                             \
    } while (0)

/* A tiny deterministic generator (SplitMix64), so the example gives the same
 * data everywhere; the library itself never uses rand() either. */
typedef struct gen {
    uint64_t s;
} gen;

static double unif(gen *g)
{
    uint64_t z = (g->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) * 0x1.0p-53; /* in (0, 1) */
}

/* X (P x n, column-major) = W_true H + noise; survival from program 2. */
static void simulate(gen *g, int64_t n, double *X, double *time, int32_t *event)
{
    for (int64_t j = 0; j < n; j++) {
        double h1 = unif(g), h2 = unif(g);
        for (int64_t i = 0; i < P; i++) {
            double w1 = i < P / 2 ? 1.0 : 0.1, w2 = i < P / 2 ? 0.1 : 1.0;
            X[i + j * P] = w1 * h1 + w2 * h2 + 0.05 * unif(g);
        }
        double t = -log(unif(g)) / exp(3.0 * h2); /* exponential, hazard e^{3 h2} */
        double c = 2.0 * unif(g);                 /* uniform censoring */
        time[j] = t < c ? t : c;
        event[j] = t < c;
    }
}

/* Options set by name, as a binding or a command line would. */
static int set_by_name(desurv_model *m, const char *name, double value)
{
    desurv_option opt;
    double lo, hi, back;
    int rc = desurv_option_by_name(name, &opt);
    if (rc == DESURV_OK)
        rc = desurv_option_bounds(opt, &lo, &hi);
    if (rc == DESURV_OK)
        rc = desurv_set_option(m, opt, value);
    if (rc == DESURV_OK)
        rc = desurv_get_option(m, opt, &back);
    if (rc == DESURV_OK)
        printf("  option %-6s (id %2d) = %-6g  bounds [%.17g, %.17g]\n", desurv_option_name(opt),
               (int)opt, back, lo, hi);
    return rc;
}

static const char *const stat_name[DESURV_STAT_COUNT] = {
    "loss", "nmf_loss", "cox_loglik", "penalty_beta", "iterations", "converged",
    "train_cindex", "sigma2", "w_accept_rate", "best_start", "n_events"};

int main(void)
{
    static double X[P * N_TRAIN], time[N_TRAIN], Xnew[P * N_NEW], tnew[N_NEW];
    static int32_t event[N_TRAIN], enew[N_NEW];
    static double W[P * K], H[K * N_TRAIN], beta[K], lp[N_NEW];
    double *trace = NULL, c_new, loss;
    int64_t p, n, k, len;
    int rc;
    desurv_model *m = NULL;
    int status = EXIT_FAILURE;
    gen g = {2026};

    printf("libdesurv %s (%d)\n", desurv_version_string(), desurv_version());
    simulate(&g, N_TRAIN, X, time, event);
    simulate(&g, N_NEW, Xnew, tnew, enew);

    CHECK(desurv_model_new(&m));
    printf("options:\n");
    CHECK(set_by_name(m, "k", K));
    CHECK(set_by_name(m, "alpha", 0.5));
    CHECK(set_by_name(m, "ninit", 5));
    CHECK(set_by_name(m, "seed", 7));

    /* A refused value: the call fails, the handle says why, nothing changes. */
    rc = desurv_set_option(m, DESURV_OPT_ALPHA, 1.0);
    printf("setting alpha = 1 is refused: %s (%s)\n", desurv_strerror(rc), desurv_errmsg(m));
    if (rc != DESURV_E_RANGE)
        goto done;

    CHECK(desurv_fit(m, X, P, N_TRAIN, P, time, event));

    CHECK(desurv_model_dims(m, &p, &n, &k));
    CHECK(desurv_model_W(m, W, P));
    CHECK(desurv_model_H(m, H, K));
    CHECK(desurv_model_beta(m, beta));
    printf("fitted: p = %lld, n = %lld, k = %lld; beta = (%+.3f, %+.3f)\n", (long long)p,
           (long long)n, (long long)k, beta[0], beta[1]);
    /* X ~ W H + b 1^T: the per-gene baseline (option offset, on by default) */
    double b[P], bsum = 0;
    CHECK(desurv_model_offset(m, b));
    for (int64_t i = 0; i < P; i++)
        bsum += b[i];
    printf("  mean per-gene offset b: %.3f\n", bsum / P);
    for (int64_t r = 0; r < K; r++) {
        double a = 0, b = 0; /* W mass on genes 1-10 and on genes 11-20 */
        for (int64_t i = 0; i < P; i++)
            *(i < P / 2 ? &a : &b) += W[i + r * P];
        printf("  factor %lld: W mass genes 1-10 %.2f, genes 11-20 %.2f; H[%lld, 1] = %.3f\n",
               (long long)(r + 1), a, b, (long long)(r + 1), H[r]);
    }

    printf("statistics:\n");
    for (int s = 0; s < DESURV_STAT_COUNT; s++) {
        double v;
        CHECK(desurv_model_stat(m, (desurv_stat)s, &v));
        printf("  %-14s %.6g\n", stat_name[s], v);
    }

    /* The trace: ask for the length, then fetch it. */
    CHECK(desurv_model_trace(m, NULL, 0, &len));
    trace = malloc((size_t)(len > 0 ? len : 1) * sizeof *trace);
    if (!trace)
        goto done;
    CHECK(desurv_model_trace(m, trace, len, &len));
    if (len > 0)
        printf("loss trace: %lld values, %.6f -> %.6f\n", (long long)len, trace[0],
               trace[len - 1]);

    /* New samples: linear predictor, then its concordance with their survival. */
    CHECK(desurv_predict(m, Xnew, P, N_NEW, P, lp));
    CHECK(desurv_cindex(tnew, enew, lp, N_NEW, &c_new));
    printf("C-index on %d new samples: %.3f\n", N_NEW, c_new);

    /* Warm start: refit from the fitted factors (init = 2, "user"). */
    CHECK(set_by_name(m, "init", 2));
    CHECK(desurv_set_init(m, W, P, K, P, H, N_TRAIN, K, beta));
    CHECK(desurv_fit(m, X, P, N_TRAIN, P, time, event));
    CHECK(desurv_model_stat(m, DESURV_STAT_LOSS, &loss));
    printf("refit from the fitted factors: loss %.6f\n", loss);

    status = EXIT_SUCCESS;
done:
    free(trace);
    desurv_model_free(m);
    return status;
}
