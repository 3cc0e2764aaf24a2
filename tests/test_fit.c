/* test_fit.c - whole fits through the public API: recovery on the paper's
 * simulation, real TCGA-PAAD data, invariances, determinism, and the
 * properties every fit must have (monotone trace, unit-norm W, consistent
 * statistics). */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/blasinfo.h"
#include "desurv/desurv.h"
#include "prep/simulate.h"
#include "testutil.h"

typedef struct fitted {
    desurv_model *m;
    int64_t p, n, k;
    double *W, *H, *beta, *trace;
    int64_t trace_len;
    double stat[DESURV_STAT_COUNT];
} fitted;

static double opt_or(const double *opts, int i, double def) { return opts ? opts[i] : def; }

/* Fit with the given options (NAN = default) and progress callback (NULL =
 * none) and check the properties every fit must have. */
static void fit_progress(fitted *f, const double *X, int64_t p, int64_t n, const double *time,
                         const int32_t *event, int64_t k, const double *opts,
                         desurv_progress_fn progress, void *user)
{
    memset(f, 0, sizeof *f);
    ck_assert_int_eq(desurv_model_new(&f->m), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(f->m, DESURV_OPT_K, (double)k), DESURV_OK);
    for (int i = 0; opts && i < DESURV_OPT_COUNT; i++)
        if (!isnan(opt_or(opts, i, NAN)))
            ck_assert_int_eq(desurv_set_option(f->m, (desurv_option)i, opts[i]), DESURV_OK);
    if (progress)
        ck_assert_int_eq(desurv_set_progress(f->m, progress, user), DESURV_OK);
    int rc = tu_fit(f->m, X, p, n, p, time, event);
    ck_assert_msg(rc == DESURV_OK, "fit failed: %s", desurv_errmsg(f->m));
    f->p = p, f->n = n, f->k = k;
    f->W = malloc((size_t)(p * k) * sizeof(double));
    f->H = malloc((size_t)(k * n) * sizeof(double));
    f->beta = malloc((size_t)k * sizeof(double));
    ck_assert_int_eq(desurv_model_W(f->m, f->W, p), DESURV_OK);
    ck_assert_int_eq(desurv_model_H(f->m, f->H, k), DESURV_OK);
    ck_assert_int_eq(desurv_model_beta(f->m, f->beta), DESURV_OK);
    for (int i = 0; i < DESURV_STAT_COUNT; i++)
        ck_assert_int_eq(desurv_model_stat(f->m, (desurv_stat)i, &f->stat[i]), DESURV_OK);
    ck_assert_int_eq(desurv_model_trace(f->m, NULL, 0, &f->trace_len), DESURV_OK);
    f->trace = malloc((size_t)f->trace_len * sizeof(double));
    ck_assert_int_eq(desurv_model_trace(f->m, f->trace, f->trace_len, &f->trace_len), DESURV_OK);
    /* the loss trace never increases, and ends at (or above) the final loss */
    for (int64_t i = 1; i < f->trace_len; i++)
        ck_assert_msg(f->trace[i] <= f->trace[i - 1], "trace rises at %lld: %.17g > %.17g",
                      (long long)i, f->trace[i], f->trace[i - 1]);
    ck_assert(f->stat[DESURV_STAT_LOSS] <= f->trace[f->trace_len - 1] * (1 + 1e-12));
    ck_assert_int_eq(f->trace_len, (int64_t)f->stat[DESURV_STAT_ITERATIONS] + 1);
    /* unit-norm columns of W, nonnegative factors */
    for (int64_t r = 0; r < k; r++) {
        double nrm = 0;
        for (int64_t g = 0; g < p; g++) {
            ck_assert(f->W[g + r * p] >= 0);
            nrm += f->W[g + r * p] * f->W[g + r * p];
        }
        ck_assert_double_eq_tol(nrm, 1.0, 1e-10);
    }
    for (int64_t i = 0; i < k * n; i++)
        ck_assert(f->H[i] >= 0);
    /* the training C-index is that of the model's own prediction */
    double *lp = malloc((size_t)n * sizeof *lp), c;
    ck_assert_int_eq(desurv_predict(f->m, X, p, n, p, lp), DESURV_OK);
    ck_assert_int_eq(desurv_cindex(time, event, lp, n, &c), DESURV_OK);
    ck_assert_double_eq_tol(c, f->stat[DESURV_STAT_TRAIN_CINDEX], 1e-12);
    free(lp);
}

static void fit(fitted *f, const double *X, int64_t p, int64_t n, const double *time,
                const int32_t *event, int64_t k, const double *opts)
{
    fit_progress(f, X, p, n, time, event, k, opts, NULL, NULL);
}

static void unfit(fitted *f)
{
    desurv_model_free(f->m);
    free(f->W), free(f->H), free(f->beta), free(f->trace);
}

static void opts_init(double *o)
{
    for (int i = 0; i < DESURV_OPT_COUNT; i++)
        o[i] = NAN;
}

/* Index of the fitted column that best correlates with true column r. */
static int64_t best_match(const fitted *f, const dsv_sim *s, int64_t r)
{
    int64_t best = 0;
    double bc = -2;
    for (int64_t q = 0; q < f->k; q++) {
        double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0, G = (double)f->p;
        for (int64_t g = 0; g < f->p; g++) {
            double x = f->W[g + q * f->p], y = s->W[g + r * s->G];
            sxy += x * y, sx += x, sy += y, sxx += x * x, syy += y * y;
        }
        double cor = (sxy - sx * sy / G) / sqrt((sxx - sx * sx / G) * (syy - sy * sy / G));
        if (cor > bc)
            bc = cor, best = q;
    }
    return best;
}

/* How many of factor r's top-ntop genes (doc/model.md section 8 score) are true
 * survival genes of true factor 0. */
static int64_t top_gene_hits(const fitted *f, const dsv_sim *s, int64_t r, int64_t ntop)
{
    int64_t p = f->p, k = f->k, hits = 0;
    if (p < 1 || k < 1)
        return 0;
    double *mx = calloc((size_t)k, sizeof *mx), *score = calloc((size_t)p, sizeof *score);
    for (int64_t q = 0; q < k; q++)
        for (int64_t g = 0; g < p; g++)
            mx[q] = fmax(mx[q], f->W[g + q * p]);
    for (int64_t g = 0; g < p; g++) {
        double other = -HUGE_VAL;
        for (int64_t q = 0; q < k; q++)
            if (q != r)
                other = fmax(other, f->W[g + q * p] / mx[q]);
        score[g] = f->W[g + r * p] / mx[r] - (k > 1 ? other : 0);
    }
    for (int64_t t = 0; t < ntop; t++) {
        int64_t bi = 0;
        for (int64_t g = 1; g < p; g++)
            if (score[g] > score[bi])
                bi = g;
        hits += s->surv_gene[bi];
        score[bi] = -HUGE_VAL;
    }
    free(mx), free(score);
    return hits;
}

START_TEST(recovers_r0_simulation)
{
    dsv_sim s;
    ck_assert_int_eq(dsv_simulate(DSV_SIM_R0, 3000, 200, 3, 1, &s), DESURV_OK);
    double ctrue;
    ck_assert_int_eq(desurv_cindex(s.time, s.event, s.lp, s.N, &ctrue), DESURV_OK);
    double o[DESURV_OPT_COUNT];
    opts_init(o);
    /* On this design, with reconstruction measured in units of sigma2,
     * supervision takes over near alpha = 0.99 for the papers' model (spec
     * section 3).  With the offset sigma2 is that of the row-centred data,
     * far smaller on this design with its per-gene baseline, so the same
     * alpha weighs reconstruction more; and since random starts are drawn
     * on the scale of the programs (lib/fit/init.c) the fits converge: at
     * alpha = 0.9 the objective's minimiser then overfits the training
     * samples (|beta| in the hundreds, a handful of genes; this test passed
     * at 0.9 only while those fits stopped at maxit far from it), while at
     * 0.5 it recovers the survival program.  (Seen with a throw-away Python
     * driver on seed 1, not a committed benchmark.) */
    const double alphas[2] = {0.5, 0.99};
    o[DESURV_OPT_NINIT] = 5;
    fitted f;
    for (int model = 0; model < 2; model++) {
        o[DESURV_OPT_ALPHA] = alphas[model];
        o[DESURV_OPT_OFFSET] = model == 0 ? DESURV_OFFSET_GENE : DESURV_OFFSET_NONE;
        o[DESURV_OPT_HSTEP] = model == 0 ? DESURV_HSTEP_EXACT : DESURV_HSTEP_MU;
        o[DESURV_OPT_WSTEP] = model == 0 ? DESURV_WSTEP_HALS : DESURV_WSTEP_MU;
        fit(&f, s.X, s.G, s.N, s.time, s.event, 3, o);
        ck_assert_msg(f.stat[DESURV_STAT_TRAIN_CINDEX] >= ctrue - 0.03,
                      "model %d: train C %g, true lp C %g", model,
                      f.stat[DESURV_STAT_TRAIN_CINDEX], ctrue);
        int64_t r = best_match(&f, &s, 0), hits = top_gene_hits(&f, &s, r, 150);
        ck_assert_msg(hits >= 75, "model %d: only %lld of 150 survival genes in the top 150",
                      model, (long long)hits);
        ck_assert(f.stat[DESURV_STAT_W_ACCEPT_RATE] >= 0.9);
        unfit(&f);
    }
    o[DESURV_OPT_OFFSET] = o[DESURV_OPT_HSTEP] = o[DESURV_OPT_WSTEP] = NAN; /* defaults */
    /* The papers' raw weighting at their alpha = 0.5 supervises as strongly. */
    o[DESURV_OPT_ALPHA] = 0.5;
    o[DESURV_OPT_ALPHA_SCALE] = 1;
    fit(&f, s.X, s.G, s.N, s.time, s.event, 3, o);
    ck_assert_double_eq(f.stat[DESURV_STAT_SIGMA2], 1.0);
    ck_assert(f.stat[DESURV_STAT_TRAIN_CINDEX] >= ctrue - 0.03);
    unfit(&f);
    /* NMF then Cox (alpha = 0): with the offset at the true k, the fitted
     * programs include the survival one, so it does as well on training
     * data (train C 0.851 against 0.851 for the true lp, 114 of 150 genes
     * at seed 1); in the papers' model (no offset) a factor goes to the
     * baseline and it does clearly worse.  Supervision matters where
     * programs compete for the rank, which is what the tuning benchmarks
     * measure (bench/README). */
    o[DESURV_OPT_ALPHA] = 0.0;
    o[DESURV_OPT_ALPHA_SCALE] = 0;
    fit(&f, s.X, s.G, s.N, s.time, s.event, 3, o);
    ck_assert_msg(f.stat[DESURV_STAT_TRAIN_CINDEX] >= ctrue - 0.03, "alpha 0: train C %g, true %g",
                  f.stat[DESURV_STAT_TRAIN_CINDEX], ctrue);
    ck_assert(top_gene_hits(&f, &s, best_match(&f, &s, 0), 150) >= 75);
    unfit(&f);
    o[DESURV_OPT_OFFSET] = DESURV_OFFSET_NONE;
    o[DESURV_OPT_HSTEP] = DESURV_HSTEP_MU;
    o[DESURV_OPT_WSTEP] = DESURV_WSTEP_MU;
    fit(&f, s.X, s.G, s.N, s.time, s.event, 3, o);
    ck_assert_msg(f.stat[DESURV_STAT_TRAIN_CINDEX] < ctrue - 0.05, "papers' alpha 0: train C %g, true %g",
                  f.stat[DESURV_STAT_TRAIN_CINDEX], ctrue);
    unfit(&f);
    dsv_sim_free(&s);
}
END_TEST

/* W steps keep making progress over the whole alpha range. */
START_TEST(w_steps_accepted_over_alpha_range)
{
    dsv_sim s;
    ck_assert_int_eq(dsv_simulate(DSV_SIM_R0, 600, 120, 3, 2, &s), DESURV_OK);
    const double alphas[] = {0.0, 0.5, 0.9, 0.999, 0.9999};
    for (size_t a = 0; a < sizeof alphas / sizeof alphas[0]; a++) {
        double o[DESURV_OPT_COUNT];
        opts_init(o);
        o[DESURV_OPT_ALPHA] = alphas[a];
        o[DESURV_OPT_NINIT] = 3;
        o[DESURV_OPT_MAXIT] = 300;
        fitted f;
        fit(&f, s.X, s.G, s.N, s.time, s.event, 3, o);
        ck_assert_msg(f.stat[DESURV_STAT_W_ACCEPT_RATE] >= 0.9, "alpha %g: accept rate %g",
                      alphas[a], f.stat[DESURV_STAT_W_ACCEPT_RATE]);
        unfit(&f);
    }
    dsv_sim_free(&s);
}
END_TEST

/* sigma2 makes alpha unit-free: fit(c X) = fit(X) with beta / c, to
 * rounding, with either W-step.  (The HALS step once broke this at 1e-3
 * from iteration 4: an entry rounding left just above the floor moved the
 * line search's ray limit; lib/fit/wstep.c, hals_update.) */
START_TEST(invariant_to_scaling_x)
{
    dsv_sim s;
    ck_assert_int_eq(dsv_simulate(DSV_SIM_R0, 300, 80, 3, 3, &s), DESURV_OK);
    double o[DESURV_OPT_COUNT];
    opts_init(o);
    o[DESURV_OPT_ALPHA] = 0.5;
    o[DESURV_OPT_NINIT] = 3;
    o[DESURV_OPT_IMAXIT] = 10;
    /* 30 iterations at tol 0: further on, the non-unique NMF directions
     * slowly amplify last-digit differences (about 1e-7 after 100) */
    o[DESURV_OPT_MAXIT] = 30;
    o[DESURV_OPT_TOL] = 0;
    double *cX = malloc((size_t)(s.G * s.N) * sizeof *cX);
    for (int ws = 0; ws <= 1; ws++) {
        const int exact = 1; /* either W-step: invariant to rounding */
        o[DESURV_OPT_WSTEP] = ws;
        fitted ref;
        fit(&ref, s.X, s.G, s.N, s.time, s.event, 3, o);
        const double cs[] = {1e-3, 1e3};
        for (size_t i = 0; i < 2; i++) {
            for (int64_t j = 0; j < s.G * s.N; j++)
                cX[j] = cs[i] * s.X[j];
            fitted f;
            fit(&f, cX, s.G, s.N, s.time, s.event, 3, o);
            double tl = exact ? 1e-8 : 2e-2, tc = exact ? 1e-8 : 0.03;
            ck_assert_double_eq_tol(f.stat[DESURV_STAT_LOSS], ref.stat[DESURV_STAT_LOSS],
                                    tl * ref.stat[DESURV_STAT_LOSS]);
            ck_assert_double_eq_tol(f.stat[DESURV_STAT_TRAIN_CINDEX],
                                    ref.stat[DESURV_STAT_TRAIN_CINDEX], tc);
            if (exact) {
                ck_assert_msg(tu_max_relerr(f.W, ref.W, s.G * 3) < 1e-8,
                              "c = %g: W differs by %g", cs[i],
                              tu_max_relerr(f.W, ref.W, s.G * 3));
                for (int r = 0; r < 3; r++)
                    ck_assert_double_eq_tol(f.beta[r] * cs[i], ref.beta[r],
                                            1e-8 * fmax(1.0, fabs(ref.beta[r])));
            }
            unfit(&f);
        }
        unfit(&ref);
    }
    free(cX);
    dsv_sim_free(&s);
}
END_TEST

/* Threads of this process now (Linux: the entries of /proc/self/task). */
static int process_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    ck_assert_msg(d != NULL, "cannot list /proc/self/task");
    int count = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.')
            count++;
    closedir(d);
    return count;
}

/* Progress callback: the most threads seen alive during the multi-start
 * phase.  It runs on the calling thread, which is one of the workers, while
 * the other workers run their starts. */
static int count_start_threads(int stage, int64_t step, int64_t total, double best, void *user)
{
    (void)step, (void)total, (void)best;
    int *most = user;
    if (stage == DESURV_STAGE_STARTS) {
        int now = process_threads();
        if (now > *most)
            *most = now;
    }
    return 0;
}

START_TEST(same_result_for_any_thread_count)
{
    /* With a multi-threaded OpenBLAS the library runs one worker whatever it
     * is asked for, and this comparison could not fail; main() makes the
     * BLAS sequential, and here we make sure it did. */
    const char *env = getenv("OPENBLAS_NUM_THREADS");
    ck_assert_msg(dsv_worker_threads(2) == 2,
                  "the BLAS runs %d threads (OPENBLAS_NUM_THREADS=%s): the library would use "
                  "one worker thread, so thread counts cannot be compared",
                  dsv_blas_threads(), env ? env : "(unset)");
    dsv_sim s;
    ck_assert_int_eq(dsv_simulate(DSV_SIM_MIXED, 600, 100, 3, 4, &s), DESURV_OK);
    double o[DESURV_OPT_COUNT];
    opts_init(o);
    o[DESURV_OPT_NINIT] = 6;
    o[DESURV_OPT_MAXIT] = 100;
    o[DESURV_OPT_SEED] = 77;
    fitted a, b;
    int most_a = 0, most_b = 0;
    o[DESURV_OPT_THREADS] = 1;
    fit_progress(&a, s.X, s.G, s.N, s.time, s.event, 3, o, count_start_threads, &most_a);
    o[DESURV_OPT_THREADS] = 2;
    fit_progress(&b, s.X, s.G, s.N, s.time, s.event, 3, o, count_start_threads, &most_b);
    /* a second worker thread really ran starts alongside this one (relative
     * to the 1-thread fit, so that BLAS threads, if any, are not counted) */
    ck_assert_msg(most_b > most_a, "%d thread(s) during the starts of a 2-thread fit, %d of a "
                  "1-thread fit", most_b, most_a);
    ck_assert(memcmp(a.W, b.W, (size_t)(s.G * 3) * sizeof(double)) == 0);
    ck_assert(memcmp(a.H, b.H, (size_t)(3 * s.N) * sizeof(double)) == 0);
    ck_assert(memcmp(a.beta, b.beta, 3 * sizeof(double)) == 0);
    ck_assert_double_eq(a.stat[DESURV_STAT_BEST_START], b.stat[DESURV_STAT_BEST_START]);
    unfit(&b);
    /* a different seed gives a different fit */
    o[DESURV_OPT_SEED] = 78;
    fit(&b, s.X, s.G, s.N, s.time, s.event, 3, o);
    ck_assert(memcmp(a.W, b.W, (size_t)(s.G * 3) * sizeof(double)) != 0);
    unfit(&a), unfit(&b);
    dsv_sim_free(&s);
}
END_TEST

/* alpha = 0 is NMF then Cox: L is the reconstruction term alone, and beta is
 * fitted once at the end. */
START_TEST(alpha_zero_is_nmf_then_cox)
{
    dsv_sim s;
    ck_assert_int_eq(dsv_simulate(DSV_SIM_R0, 600, 100, 3, 5, &s), DESURV_OK);
    double o[DESURV_OPT_COUNT];
    opts_init(o);
    o[DESURV_OPT_ALPHA] = 0;
    o[DESURV_OPT_LAMBDA] = 0.01;
    o[DESURV_OPT_NINIT] = 2;
    fitted f;
    fit(&f, s.X, s.G, s.N, s.time, s.event, 3, o);
    ck_assert_double_eq_tol(f.stat[DESURV_STAT_LOSS],
                            f.stat[DESURV_STAT_NMF_LOSS] / f.stat[DESURV_STAT_SIGMA2],
                            1e-12 * f.stat[DESURV_STAT_LOSS]);
    double bn = 0;
    for (int r = 0; r < 3; r++)
        bn += fabs(f.beta[r]);
    ck_assert(bn > 0);
    ck_assert(f.stat[DESURV_STAT_COX_LOGLIK] < 0);
    unfit(&f);
    dsv_sim_free(&s);
}
END_TEST

/* NNDSVD and user starts; selection by training C-index; Efron ties. */
START_TEST(other_starts_and_options)
{
    dsv_sim s;
    ck_assert_int_eq(dsv_simulate(DSV_SIM_R0, 600, 100, 3, 6, &s), DESURV_OK);
    double o[DESURV_OPT_COUNT];
    opts_init(o);
    o[DESURV_OPT_INIT] = 1;
    o[DESURV_OPT_LAMBDA_W] = 0.1;
    o[DESURV_OPT_LAMBDA_H] = 0.1;
    fitted a;
    fit(&a, s.X, s.G, s.N, s.time, s.event, 3, o);
    /* restart from a's solution: no worse */
    desurv_model *m;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    desurv_set_option(m, DESURV_OPT_K, 3);
    desurv_set_option(m, DESURV_OPT_INIT, 2);
    desurv_set_option(m, DESURV_OPT_LAMBDA_W, 0.1);
    desurv_set_option(m, DESURV_OPT_LAMBDA_H, 0.1);
    ck_assert_int_eq(desurv_set_init(m, a.W, s.G, 3, s.G, a.H, s.N, 3, a.beta), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, s.X, s.G, s.N, s.G, s.time, s.event), DESURV_OK);
    double loss;
    desurv_model_stat(m, DESURV_STAT_LOSS, &loss);
    ck_assert(loss <= a.stat[DESURV_STAT_LOSS] * (1 + 1e-9));
    /* W0 alone: H by nonnegative least squares */
    ck_assert_int_eq(desurv_set_init(m, a.W, s.G, 3, s.G, NULL, 0, 0, NULL), DESURV_OK);
    ck_assert_int_eq(tu_fit(m, s.X, s.G, s.N, s.G, s.time, s.event), DESURV_OK);
    desurv_model_free(m);
    unfit(&a);
    opts_init(o);
    o[DESURV_OPT_INIT_SELECT] = 1;
    o[DESURV_OPT_TIES] = 1;
    o[DESURV_OPT_NINIT] = 4;
    o[DESURV_OPT_IMAXIT] = 0;
    fit(&a, s.X, s.G, s.N, s.time, s.event, 3, o);
    unfit(&a);
    dsv_sim_free(&s);
}
END_TEST

/* ---- real data: TCGA-PAAD (bundled, gzip) ---------------------------- */

static int read_gz_table(const char *name, tu_table *t)
{
    char path[1024], cmd[1200], tmp[] = "/tmp/desurv_test_XXXXXX";
    tu_data_path(name, path, sizeof path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    snprintf(cmd, sizeof cmd, "gzip -dc '%s' > '%s'", path, tmp);
    int rc = system(cmd);
    if (rc == 0)
        rc = tu_read_tsv(tmp, t);
    remove(tmp);
    return rc;
}

START_TEST(fits_tcga_paad)
{
    tu_table ex, sv;
    ck_assert_msg(read_gz_table("tcga_paad/expression_log2p1.tsv.gz", &ex) == 0,
                  "cannot read the bundled expression data");
    ck_assert(read_gz_table("tcga_paad/survival.tsv.gz", &sv) == 0);
    int64_t p = ex.rows, n = ex.cols - 1;
    ck_assert_int_eq(sv.rows, n); /* same sample order (data/README.md) */
    double *time = tu_colp(&sv, tu_col(&sv, "time"));
    double *ev = tu_colp(&sv, tu_col(&sv, "event"));
    int32_t *event = malloc((size_t)n * sizeof *event);
    for (int64_t j = 0; j < n; j++)
        event[j] = (int32_t)ev[j];
    /* genes x samples, column-major: skip the gene-name column */
    const double *X = ex.data + p;
    /* alpha = 0.1 converges (about 1600 iterations); where survival
     * dominates (alpha 0.5, 0.99 on log2 data) the loss still falls slowly
     * after thousands of iterations, so there we check the trace and the
     * W-step acceptance over a bounded run. */
    const double alphas[] = {0.1, 0.5, 0.99};
    for (int a = 0; a < 3; a++) {
        double o[DESURV_OPT_COUNT];
        opts_init(o);
        o[DESURV_OPT_ALPHA] = alphas[a];
        o[DESURV_OPT_NINIT] = 4;
        o[DESURV_OPT_MAXIT] = a == 0 ? 4000 : 300;
        fitted f;
        fit(&f, X, p, n, time, event, 3, o);
        if (a == 0)
            ck_assert_msg(f.stat[DESURV_STAT_CONVERGED] == 1, "no convergence in %g its",
                          f.stat[DESURV_STAT_ITERATIONS]);
        ck_assert(f.stat[DESURV_STAT_W_ACCEPT_RATE] >= 0.9);
        ck_assert(f.stat[DESURV_STAT_TRAIN_CINDEX] > 0.55);
        unfit(&f);
    }
    free(event);
    tu_table_free(&ex), tu_table_free(&sv);
}
END_TEST

int main(int argc, char **argv)
{
    (void)argc;
    /* The library runs its worker threads only when the BLAS is sequential,
     * so the thread test needs OPENBLAS_NUM_THREADS=1.  OpenBLAS reads it
     * when it is loaded: set it and run this program again (as test_tune). */
    if (!getenv("OPENBLAS_NUM_THREADS") && setenv("OPENBLAS_NUM_THREADS", "1", 1) == 0)
        execv("/proc/self/exe", argv);
    Suite *s = suite_create("fit");
    TCase *tc = tcase_create("fit");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, w_steps_accepted_over_alpha_range);
    tcase_add_test(tc, invariant_to_scaling_x);
    tcase_add_test(tc, same_result_for_any_thread_count);
    tcase_add_test(tc, alpha_zero_is_nmf_then_cox);
    tcase_add_test(tc, other_starts_and_options);
    suite_add_tcase(s, tc);
    /* Tagged slow: skipped under valgrind (CK_EXCLUDE_TAGS=slow), run
     * everywhere else and by the valgrindfull setup (DESURV_LONG=1). */
    TCase *slow = tcase_create("data");
    tcase_set_tags(slow, "slow");
    tcase_set_timeout(slow, 600);
    tcase_add_test(slow, recovers_r0_simulation);
    tcase_add_test(slow, fits_tcga_paad);
    suite_add_tcase(s, slow);
    return tu_run_suite(s);
}
