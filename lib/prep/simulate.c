/* simulate.c - the paper's simulation design (doc/model.md section 12).
 *
 * Scenario R0: K factors, 150 marker genes each, 500 background genes, the
 * rest noise (counts scale with G); survival driven by factor 1's markers
 * with beta_true = (2, 0, ...).  "null": beta_true = 0.  "mixed": factor 1's
 * survival genes are its markers plus as many random background genes.
 * Every draw comes from one seeded stream, so a seed fixes the data set.
 */
#include "prep/simulate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "desurv/desurv.h"
#include "base/rng.h"
#include "base/vecops.h"

void dsv_sim_free(dsv_sim *s)
{
    if (!s)
        return;
    free(s->X), free(s->W), free(s->H), free(s->time), free(s->event), free(s->lp);
    free(s->gene_class), free(s->surv_gene);
    memset(s, 0, sizeof *s);
}

static int alloc_sim(dsv_sim *s, int64_t G, int64_t N, int64_t K)
{
    memset(s, 0, sizeof *s);
    s->G = G, s->N = N, s->K = K;
    s->X = malloc((size_t)(G * N) * sizeof(double));
    s->W = malloc((size_t)(G * K) * sizeof(double));
    s->H = malloc((size_t)(K * N) * sizeof(double));
    s->time = malloc((size_t)N * sizeof(double));
    s->event = malloc((size_t)N * sizeof(int32_t));
    s->lp = malloc((size_t)N * sizeof(double));
    s->gene_class = calloc((size_t)G, sizeof(int32_t));
    s->surv_gene = calloc((size_t)(G * K), sizeof(int32_t));
    if (!s->X || !s->W || !s->H || !s->time || !s->event || !s->lp || !s->gene_class ||
        !s->surv_gene) {
        dsv_sim_free(s);
        return DESURV_E_NOMEM;
    }
    return DESURV_OK;
}

/* Random permutation of 0..G-1 (Fisher-Yates). */
static void permute(dsv_rng *rng, int64_t *idx, int64_t G)
{
    for (int64_t i = 0; i < G; i++)
        idx[i] = i;
    for (int64_t i = G - 1; i > 0; i--) {
        int64_t j = dsv_rng_below(rng, i + 1), t = idx[i];
        idx[i] = idx[j], idx[j] = t;
    }
}

static void draw_w(dsv_sim *s, dsv_rng *rng)
{
    int64_t G = s->G, K = s->K;
    for (int64_t r = 0; r < K; r++)
        for (int64_t g = 0; g < G; g++) {
            int c = s->gene_class[g];
            double v = c == 2 + r ? dsv_rng_gamma(rng, 3, 0.8)
                       : c == 1   ? dsv_rng_gamma(rng, 2, 1)
                                  : dsv_rng_gamma(rng, 1, 20);
            s->W[g + r * G] = v;
        }
    for (int64_t r = 0; r < K; r++)
        dsv_unit_column(s->W + r * G, G);
}

/* X = W H (noise-free part, before the baseline). */
static void product(dsv_sim *s)
{
    int64_t G = s->G, N = s->N, K = s->K;
    for (int64_t j = 0; j < N; j++)
        for (int64_t g = 0; g < G; g++) {
            double acc = 0;
            for (int64_t r = 0; r < K; r++)
                acc += s->W[g + r * G] * s->H[r + j * K];
            s->X[g + j * G] = acc;
        }
}

/* score: N scratch. */
static void survival(dsv_sim *s, dsv_rng *rng, double beta1, double *score)
{
    int64_t G = s->G, N = s->N, K = s->K;
    for (int64_t j = 0; j < N; j++)
        s->lp[j] = 0;
    for (int64_t r = 0; r < K && beta1 != 0; r++) {
        double b = r == 0 ? beta1 : 0.0;
        if (b == 0)
            continue;
        double m = 0, v = 0;
        for (int64_t j = 0; j < N; j++) {
            double acc = 0;
            for (int64_t g = 0; g < G; g++)
                if (s->surv_gene[g + r * G])
                    acc += s->X[g + j * G] * s->W[g + r * G];
            score[j] = acc;
            m += acc;
        }
        m /= (double)N;
        for (int64_t j = 0; j < N; j++)
            v += (score[j] - m) * (score[j] - m);
        double sd = sqrt(v / (double)(N - 1));
        for (int64_t j = 0; j < N; j++)
            s->lp[j] += b * (score[j] - m) / sd;
    }
    for (int64_t j = 0; j < N; j++) {
        double te = dsv_rng_exponential(rng, 0.05 * exp(s->lp[j]));
        double tc = dsv_rng_exponential(rng, 0.02);
        s->time[j] = te <= tc ? te : tc;
        s->event[j] = te <= tc;
    }
}

int dsv_simulate(int scenario, int64_t G, int64_t N, int64_t K, uint64_t seed, dsv_sim *s)
{
    int64_t nm = (int64_t)llround(150.0 * (double)G / 3000.0);
    int64_t nb = (int64_t)llround(500.0 * (double)G / 3000.0);
    if (nm < 1)
        nm = 1;
    if (K < 1 || N < 2 || G < 1 || K * nm + nb > G ||
        (scenario == DSV_SIM_MIXED && nb < nm) || scenario < 0 || scenario > 2)
        return DESURV_E_DIM;
    if (alloc_sim(s, G, N, K) != DESURV_OK)
        return DESURV_E_NOMEM;
    dsv_rng rng;
    dsv_rng_seed(&rng, seed, 0);
    int64_t *idx = malloc((size_t)G * sizeof *idx);
    double *score = malloc((size_t)N * sizeof *score);
    if (!idx || !score) {
        free(idx), free(score);
        dsv_sim_free(s);
        return DESURV_E_NOMEM;
    }
    permute(&rng, idx, G);
    for (int64_t r = 0; r < K; r++)
        for (int64_t i = 0; i < nm; i++) {
            s->gene_class[idx[r * nm + i]] = (int32_t)(2 + r);
            s->surv_gene[idx[r * nm + i] + r * G] = 1;
        }
    for (int64_t i = 0; i < nb; i++)
        s->gene_class[idx[K * nm + i]] = 1;
    if (scenario == DSV_SIM_MIXED) /* background genes in random order already */
        for (int64_t i = 0; i < nm; i++)
            s->surv_gene[idx[K * nm + i]] = 1;
    free(idx);
    draw_w(s, &rng);
    for (int64_t i = 0; i < K * N; i++)
        s->H[i] = dsv_rng_gamma(&rng, 2, 2);
    product(s);
    survival(s, &rng, scenario == DSV_SIM_NULL ? 0.0 : 2.0, score);
    free(score);
    for (int64_t g = 0; g < G; g++) {
        double base = 3.0 + dsv_rng_normal(&rng);
        for (int64_t j = 0; j < N; j++) {
            double v = s->X[g + j * G] + base + 0.01 * dsv_rng_normal(&rng);
            s->X[g + j * G] = v > 0 ? v : 0;
        }
    }
    return DESURV_OK;
}

/* ---- public interface ------------------------------------------------- */

struct desurv_sim {
    dsv_sim s;
    uint64_t seed;
};

int desurv_simulate(desurv_scenario scenario, int64_t genes, int64_t samples, int64_t k,
                    uint64_t seed, desurv_sim **out)
{
    if (!out)
        return DESURV_E_NULL;
    *out = NULL;
    if ((int)scenario < 0 || (int)scenario > 2)
        return DESURV_E_OPTION;
    desurv_sim *d = calloc(1, sizeof *d);
    if (!d)
        return DESURV_E_NOMEM;
    int rc = dsv_simulate((int)scenario, genes, samples, k, seed, &d->s);
    if (rc != DESURV_OK) {
        free(d);
        return rc;
    }
    d->seed = seed;
    *out = d;
    return DESURV_OK;
}

void desurv_sim_free(desurv_sim *s)
{
    if (!s)
        return;
    dsv_sim_free(&s->s);
    free(s);
}

int desurv_sim_dims(const desurv_sim *s, int64_t *p, int64_t *n, int64_t *k)
{
    if (!s)
        return DESURV_E_NULL;
    if (p)
        *p = s->s.G;
    if (n)
        *n = s->s.N;
    if (k)
        *k = s->s.K;
    return DESURV_OK;
}

static void copy_cols(const double *A, int64_t rows, int64_t cols, double *out, int64_t ld)
{
    for (int64_t j = 0; j < cols; j++)
        memcpy(out + j * ld, A + j * rows, (size_t)rows * sizeof *out);
}

int desurv_sim_data(const desurv_sim *s, double *X, int64_t ldx, double *time, int32_t *event)
{
    if (!s)
        return DESURV_E_NULL;
    const dsv_sim *d = &s->s;
    if (X && ldx < d->G)
        return DESURV_E_LD;
    if (X)
        copy_cols(d->X, d->G, d->N, X, ldx);
    if (time)
        memcpy(time, d->time, (size_t)d->N * sizeof *time);
    if (event)
        memcpy(event, d->event, (size_t)d->N * sizeof *event);
    return DESURV_OK;
}

int desurv_sim_truth(const desurv_sim *s, double *W, int64_t ldw, double *H, int64_t ldh,
                     double *lp, int32_t *gene_class, int32_t *surv_gene, int64_t lds)
{
    if (!s)
        return DESURV_E_NULL;
    const dsv_sim *d = &s->s;
    if ((W && ldw < d->G) || (H && ldh < d->K) || (surv_gene && lds < d->G))
        return DESURV_E_LD;
    if (W)
        copy_cols(d->W, d->G, d->K, W, ldw);
    if (H)
        copy_cols(d->H, d->K, d->N, H, ldh);
    if (lp)
        memcpy(lp, d->lp, (size_t)d->N * sizeof *lp);
    if (gene_class)
        memcpy(gene_class, d->gene_class, (size_t)d->G * sizeof *gene_class);
    for (int64_t r = 0; surv_gene && r < d->K; r++)
        memcpy(surv_gene + r * lds, d->surv_gene + r * d->G, (size_t)d->G * sizeof *surv_gene);
    return DESURV_OK;
}

/* The split draws from its own stream of the data set's seed, so it does
 * not disturb (or depend on) the draws of the data. */
#define SIM_SPLIT_STREAM 0x5350u

int desurv_sim_split(const desurv_sim *s, double train_fraction, int32_t *is_train)
{
    if (!s || !is_train)
        return DESURV_E_NULL;
    if (!(train_fraction > 0 && train_fraction < 1))
        return DESURV_E_RANGE;
    int64_t n = s->s.N, ntr = (int64_t)llround(train_fraction * (double)n);
    dsv_rng rng;
    dsv_rng_seed(&rng, s->seed, SIM_SPLIT_STREAM);
    /* selection sampling: each sample is taken with probability
     * (still needed) / (still available), giving exactly ntr */
    for (int64_t i = 0, need = ntr; i < n; i++) {
        int take = dsv_rng_below(&rng, n - i) < need;
        is_train[i] = take;
        need -= take;
    }
    return DESURV_OK;
}
