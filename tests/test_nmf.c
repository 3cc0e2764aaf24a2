/* test_nmf.c - the blocks of one outer iteration, checked in isolation:
 * the analytic gradient of L in W against finite differences, the W-step
 * never increasing L (majorise-minimise) over the whole alpha range, and
 * alpha = 0 reproducing Lee-Seung NMF from the same start. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "surv/cox.h"
#include "desurv/desurv.h"
#include "fit/fit.h"
#include "base/rng.h"
#include "testutil.h"

typedef struct fixture {
    int64_t p, n, k;
    double *X, *time;
    int32_t *event;
    dsv_cox cox;
    dsv_problem pr;
    dsv_state st;
} fixture;

static void make_data(fixture *f, int64_t p, int64_t n, int64_t k, uint64_t seed)
{
    dsv_rng rng;
    dsv_rng_seed(&rng, seed, 99);
    memset(f, 0, sizeof *f);
    f->p = p, f->n = n, f->k = k;
    f->X = malloc((size_t)(p * n) * sizeof(double));
    f->time = malloc((size_t)n * sizeof(double));
    f->event = malloc((size_t)n * sizeof(int32_t));
    for (int64_t i = 0; i < p * n; i++)
        f->X[i] = 5.0 * dsv_rng_uniform(&rng) * dsv_rng_uniform(&rng);
    for (int64_t j = 0; j < n; j++) {
        f->time[j] = (double)(1 + dsv_rng_below(&rng, n / 2)); /* many ties */
        f->event[j] = dsv_rng_uniform(&rng) < 0.7;
    }
    f->event[0] = 1;
    ck_assert_int_eq(dsv_cox_init(&f->cox, f->time, f->event, n, 0), 0);
}

/* The offset and H-step of the problems made below (desurv_fit's defaults
 * unless a test changes them). */
static int offset_on = 1, hstep_mode = DESURV_HSTEP_EXACT, wstep_mode = DESURV_WSTEP_HALS;

static void make_problem(fixture *f, double alpha, double lambda, double nu, double lw,
                         double lh)
{
    dsv_problem *pr = &f->pr;
    memset(pr, 0, sizeof *pr);
    pr->offset = offset_on, pr->hstep = hstep_mode, pr->wstep = wstep_mode;
    if (offset_on) {
        pr->xbar = calloc((size_t)f->p, sizeof *pr->xbar);
        for (int64_t j = 0; j < f->n; j++)
            for (int64_t i = 0; i < f->p; i++)
                pr->xbar[i] += f->X[i + j * f->p] / (double)f->n;
        for (int64_t j = 0; j < f->n; j++)
            for (int64_t i = 0; i < f->p; i++) {
                double d = f->X[i + j * f->p] - pr->xbar[i];
                pr->xcnorm2 += d * d;
            }
    }
    pr->X = f->X, pr->p = f->p, pr->n = f->n, pr->ldx = f->p, pr->k = f->k;
    pr->cox = &f->cox;
    pr->n_events = f->cox.n_events;
    double ss = 0, s = 0;
    for (int64_t i = 0; i < f->p * f->n; i++)
        ss += f->X[i] * f->X[i], s += f->X[i];
    pr->xnorm2 = ss;
    pr->xmean = s / (double)(f->p * f->n);
    pr->init_mean = pr->xmean;
    if (offset_on)
        ck_assert_int_eq(dsv_data_scales_centred(f->X, f->p, f->n, f->p, f->k, pr->xcnorm2,
                                                 &pr->sigma2, &pr->xc_top), 0);
    else
        ck_assert_int_eq(dsv_data_scales(f->X, f->p, f->n, f->p, f->k, ss, &pr->sigma2,
                                         &pr->xc_top), 0);
    pr->alpha = alpha, pr->lambda = lambda, pr->nu = nu, pr->lambda_w = lw, pr->lambda_h = lh;
    pr->c_rec = (1 - alpha) / pr->sigma2;
    pr->eps_w = 1e-16;
    pr->eps_h = 1e-16;
    pr->tol_beta = 1e-9;
    pr->beta_maxit = 100;
}

static void random_point(fixture *f, uint64_t stream)
{
    ck_assert_int_eq(dsv_state_alloc(&f->st, &f->pr), 0);
    ck_assert_int_eq(dsv_state_ensure_scratch(&f->st, &f->pr), 0);
    dsv_init_random(&f->pr, &f->st, 7, stream);
    dsv_rng rng;
    dsv_rng_seed(&rng, 8, stream);
    for (int64_t r = 0; r < f->k; r++)
        f->st.beta[r] = 0.3 * (2 * dsv_rng_uniform(&rng) - 1) / sqrt(f->pr.xmean);
    ck_assert_int_eq(dsv_refresh(&f->pr, &f->st), 0);
}

static void free_fixture(fixture *f)
{
    dsv_problem_free(&f->pr);
    dsv_state_free(&f->st);
    dsv_cox_free(&f->cox);
    free(f->X), free(f->time), free(f->event);
}

static double loss_at(fixture *f)
{
    ck_assert_int_eq(dsv_refresh(&f->pr, &f->st), 0);
    return f->st.cur.loss;
}

static void check_gradient(double alpha, double lambda, double nu, double lw, double lh)
{
    fixture f;
    make_data(&f, 25, 30, 3, 11);
    make_problem(&f, alpha, lambda, nu, lw, lh);
    random_point(&f, 1);
    int64_t pk = f.p * f.k;
    double *G = malloc((size_t)pk * sizeof *G);
    ck_assert_int_eq(dsv_w_gradient(&f.pr, &f.st, G), 0);
    double worst = 0;
    for (int64_t i = 0; i < pk; i += 7) {
        double w = f.st.W[i], h = 1e-6 * fmax(w, 1e-3);
        f.st.W[i] = w + h;
        double lp = loss_at(&f);
        f.st.W[i] = w - h;
        double lm = loss_at(&f);
        f.st.W[i] = w;
        double fd = (lp - lm) / (2 * h);
        double err = fabs(fd - G[i]) / fmax(fabs(G[i]), 1e-3 * fabs(f.st.cur.loss));
        worst = fmax(worst, err);
    }
    ck_assert_msg(worst < 1e-5, "alpha %g nu %g: gradient rel err %g", alpha, nu, worst);
    free(G);
    free_fixture(&f);
}

/* With and without the offset (b fixed: the gradient is the W-block's). */
START_TEST(gradient_matches_finite_differences)
{
    offset_on = _i;
    check_gradient(0.0, 0.1, 0.5, 0.0, 0.0);
    check_gradient(0.5, 0.1, 0.5, 0.0, 0.0);
    check_gradient(0.9, 1.0, 0.2, 0.3, 0.4);
    check_gradient(0.99, 0.5, 1.0, 0.0, 0.1);
    check_gradient(0.3, 0.0, 0.5, 0.0, 0.0);
    offset_on = 1;
}
END_TEST

/* ||X - W H - b 1^T||^2 / (2 n p), written out. */
static double direct_rec(const fixture *f)
{
    const dsv_state *s = &f->st;
    int64_t p = f->p, n = f->n, k = f->k;
    double acc = 0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t g = 0; g < p; g++) {
            double v = f->X[g + j * p] - s->b[g];
            for (int64_t r = 0; r < k; r++)
                v -= s->W[g + r * p] * s->H[r + j * k];
            acc += v * v;
        }
    return acc / (2.0 * (double)n * (double)p);
}

/* The exact H-step: every column satisfies the KKT conditions of its NNLS
 * (G h - c >= 0, h >= 0, complementarity) with c = W^T (x - b_before) —
 * and the b-step that follows is the exact minimiser over b >= 0. */
START_TEST(exact_h_step_and_b_step_are_exact)
{
    offset_on = 1, hstep_mode = DESURV_HSTEP_EXACT;
    fixture f;
    make_data(&f, 40, 50, 4, 17);
    make_problem(&f, 0.5, 0.1, 0.5, 0.0, 0.3);
    random_point(&f, 2);
    int64_t p = f.p, n = f.n, k = f.k;
    double ridge = f.pr.lambda_h * (double)p / (double)k;
    for (int it = 0; it < 4; it++) {
        double *b0 = malloc((size_t)p * sizeof *b0);
        memcpy(b0, f.st.b, (size_t)p * sizeof *b0);
        ck_assert_int_eq(dsv_h_step(&f.pr, &f.st), 0);
        double scale = 0;
        for (int64_t j = 0; j < n; j++)
            for (int64_t r = 0; r < k; r++) {
                double c = 0, gh = ridge * f.st.H[r + j * k];
                for (int64_t g = 0; g < p; g++)
                    c += f.st.W[g + r * p] * (f.X[g + j * p] - b0[g]);
                for (int64_t q = 0; q < k; q++) {
                    double wtw = 0;
                    for (int64_t g = 0; g < p; g++)
                        wtw += f.st.W[g + r * p] * f.st.W[g + q * p];
                    gh += wtw * f.st.H[q + j * k];
                }
                double grad = gh - c, h = f.st.H[r + j * k];
                scale = fmax(scale, fabs(c));
                ck_assert_msg(h >= 0, "H[%lld, %lld] = %g", (long long)r, (long long)j, h);
                if (h > 0)
                    ck_assert_msg(fabs(grad) <= 1e-10 * fmax(scale, 1.0),
                                  "free H[%lld,%lld]: gradient %g", (long long)r, (long long)j,
                                  grad);
                else
                    ck_assert_msg(grad >= -1e-10 * fmax(scale, 1.0),
                                  "H[%lld,%lld] = 0 with gradient %g", (long long)r,
                                  (long long)j, grad);
            }
        /* b: for each gene, the clipped mean residual of the new H */
        for (int64_t g = 0; g < p; g++) {
            double m = 0;
            for (int64_t j = 0; j < n; j++) {
                double v = f.X[g + j * p];
                for (int64_t r = 0; r < k; r++)
                    v -= f.st.W[g + r * p] * f.st.H[r + j * k];
                m += v / (double)n;
            }
            ck_assert_double_eq_tol(f.st.b[g], fmax(m, 0.0), 1e-12 * (1 + fabs(m)));
        }
        /* the stored reconstruction term is that of the stored point */
        ck_assert_double_eq_tol(f.st.cur.rec, direct_rec(&f), 1e-10 * f.st.cur.rec);
        free(b0);
        ck_assert_int_eq(dsv_w_step(&f.pr, &f.st), 0);
        ck_assert_int_eq(dsv_beta_step(&f.pr, &f.st, 100), 0);
    }
    free_fixture(&f);
}
END_TEST

/* Every H-step and offset: whole outer iterations never increase L, and
 * the loss the fit carries is that of its point (the reconstruction term
 * checked against a direct computation with b). */
START_TEST(iterations_monotone_every_hstep_and_offset)
{
    const int hs[] = {DESURV_HSTEP_EXACT, DESURV_HSTEP_HALS, DESURV_HSTEP_MU};
    const double alphas[] = {0.0, 0.5, 0.99};
    for (int w = 0; w <= 1; w++)
    for (int o = 0; o <= 1; o++)
        for (size_t h = 0; h < 3; h++)
            for (size_t a = 0; a < 3; a++) {
                offset_on = o, hstep_mode = hs[h], wstep_mode = w;
                fixture f;
                make_data(&f, 30, 35, 3, 40 + a);
                make_problem(&f, alphas[a], 0.1, 0.5, 0.0, 0.0);
                random_point(&f, 9);
                ck_assert_int_eq(dsv_iterate(&f.pr, &f.st, 60, 0.0), 0);
                tu_check_trace_monotone(f.st.trace, f.st.trace_len, "offset/hstep/alpha");
                ck_assert_double_eq_tol(f.st.cur.rec, direct_rec(&f),
                                        1e-9 * f.st.cur.rec + 1e-300);
                for (int64_t g = 0; o == 0 && g < f.p; g++)
                    ck_assert(f.st.b[g] == 0.0);
                free_fixture(&f);
            }
    offset_on = 1, hstep_mode = DESURV_HSTEP_EXACT, wstep_mode = DESURV_WSTEP_HALS;
}
END_TEST

/* The majorise-minimise W-step: from many random points and for alpha up to
 * 0.9999, L never increases and the step is accepted at the first trial. */
START_TEST(w_step_never_increases_loss)
{
    const double alphas[] = {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999};
    for (size_t a = 0; a < sizeof alphas / sizeof alphas[0]; a++)
        for (uint64_t rep = 0; rep < 8; rep++) {
            fixture f;
            make_data(&f, 30, 40, 3, 100 + rep);
            make_problem(&f, alphas[a], 0.2, rep % 2 ? 1.0 : 0.3, 0.0, 0.0);
            random_point(&f, rep);
            for (int it = 0; it < 5; it++) {
                double before = f.st.cur.loss;
                int64_t acc = f.st.w_first;
                ck_assert_int_eq(dsv_w_step(&f.pr, &f.st), 0);
                ck_assert_msg(f.st.cur.loss <= before, "alpha %g: %.17g > %.17g", alphas[a],
                              f.st.cur.loss, before);
                ck_assert_msg(f.st.w_first == acc + 1, "alpha %g rep %d: step rejected",
                              alphas[a], (int)rep);
                /* the stored loss is that of the stored point */
                double stored = f.st.cur.loss;
                ck_assert_double_eq_tol(loss_at(&f), stored, 1e-12 * fabs(stored) + 1e-15);
                for (int64_t r = 0; r < f.k; r++) {
                    double nrm = 0;
                    for (int64_t g = 0; g < f.p; g++)
                        nrm += f.st.W[g + r * f.p] * f.st.W[g + r * f.p];
                    ck_assert_double_eq_tol(nrm, 1.0, 1e-12);
                }
            }
            free_fixture(&f);
        }
}
END_TEST

/* H- and beta-steps do not increase L either. */
START_TEST(h_and_beta_steps_never_increase_loss)
{
    fixture f;
    make_data(&f, 30, 40, 4, 5);
    make_problem(&f, 0.7, 0.1, 0.5, 0.1, 0.2);
    random_point(&f, 3);
    for (int it = 0; it < 20; it++) {
        double before = f.st.cur.loss;
        ck_assert_int_eq(dsv_h_step(&f.pr, &f.st), 0);
        ck_assert(f.st.cur.loss <= before);
        before = f.st.cur.loss;
        ck_assert_int_eq(dsv_beta_step(&f.pr, &f.st, 100), 0);
        ck_assert(f.st.cur.loss <= before);
        ck_assert_int_eq(dsv_w_step(&f.pr, &f.st), 0);
    }
    free_fixture(&f);
}
END_TEST

/* alpha = 0: H-step + W-step is Lee & Seung's update, W columns rescaled. */
START_TEST(alpha_zero_is_lee_seung)
{
    fixture f;
    /* the papers' model and steps */
    offset_on = 0, hstep_mode = DESURV_HSTEP_MU, wstep_mode = DESURV_WSTEP_MU;
    make_data(&f, 35, 25, 3, 21);
    make_problem(&f, 0.0, 0.1, 0.5, 0.0, 0.0);
    offset_on = 1, hstep_mode = DESURV_HSTEP_EXACT, wstep_mode = DESURV_WSTEP_HALS;
    random_point(&f, 4);
    int64_t p = f.p, n = f.n, k = f.k;
    double *W = malloc((size_t)(p * k) * sizeof *W), *H = malloc((size_t)(k * n) * sizeof *H);
    memcpy(W, f.st.W, (size_t)(p * k) * sizeof *W);
    memcpy(H, f.st.H, (size_t)(k * n) * sizeof *H);
    for (int it = 0; it < 40; it++) {
        ck_assert_int_eq(dsv_h_step(&f.pr, &f.st), 0);
        ck_assert_int_eq(dsv_w_step(&f.pr, &f.st), 0);
        /* reference: plain multiplicative updates, written out naively */
        double *num = calloc((size_t)(k * n), sizeof *num), *den = calloc((size_t)(k * n), 8);
        for (int64_t j = 0; j < n; j++)
            for (int64_t r = 0; r < k; r++) {
                for (int64_t g = 0; g < p; g++)
                    num[r + j * k] += W[g + r * p] * f.X[g + j * p];
                for (int64_t q = 0; q < k; q++) {
                    double wtw = 0;
                    for (int64_t g = 0; g < p; g++)
                        wtw += W[g + r * p] * W[g + q * p];
                    den[r + j * k] += wtw * H[q + j * k];
                }
            }
        for (int64_t i = 0; i < k * n; i++)
            H[i] = fmax(H[i] * num[i] / (den[i] + 1e-16), 1e-16);
        free(num), free(den);
        double *xh = calloc((size_t)(p * k), 8), *wg = calloc((size_t)(p * k), 8);
        for (int64_t g = 0; g < p; g++)
            for (int64_t r = 0; r < k; r++) {
                for (int64_t j = 0; j < n; j++)
                    xh[g + r * p] += f.X[g + j * p] * H[r + j * k];
                for (int64_t q = 0; q < k; q++) {
                    double hht = 0;
                    for (int64_t j = 0; j < n; j++)
                        hht += H[q + j * k] * H[r + j * k];
                    wg[g + r * p] += W[g + q * p] * hht;
                }
            }
        for (int64_t i = 0; i < p * k; i++)
            W[i] = fmax(W[i] * xh[i] / wg[i], 1e-16);
        free(xh), free(wg);
        for (int64_t r = 0; r < k; r++) {
            double nrm = 0;
            for (int64_t g = 0; g < p; g++)
                nrm += W[g + r * p] * W[g + r * p];
            nrm = sqrt(nrm);
            for (int64_t g = 0; g < p; g++)
                W[g + r * p] /= nrm;
            for (int64_t j = 0; j < n; j++)
                H[r + j * k] *= nrm;
        }
    }
    double ew = 0, eh = 0, hs = 0;
    for (int64_t i = 0; i < p * k; i++)
        ew = fmax(ew, fabs(W[i] - f.st.W[i]));
    for (int64_t i = 0; i < k * n; i++)
        eh = fmax(eh, fabs(H[i] - f.st.H[i])), hs = fmax(hs, fabs(H[i]));
    ck_assert_msg(ew < 1e-10 && eh < 1e-10 * hs, "W err %g, H err %g", ew, eh / hs);
    free(W), free(H);
    free_fixture(&f);
}
END_TEST

/* sigma2 = ||X - X_k||^2 / (np) from a full SVD (LAPACK dgesdd), and the
 * centred curvature constant from the SVD of the gene-centred matrix, on a
 * tall and a wide matrix. */
START_TEST(data_scales_match_svd)
{
    for (int shape = 0; shape < 2; shape++) {
        fixture f;
        make_data(&f, shape ? 20 : 45, shape ? 50 : 30, 4, 31 + shape);
        int64_t p = f.p, n = f.n, m = p < n ? p : n;
        double ss = 0;
        for (int64_t i = 0; i < p * n; i++)
            ss += f.X[i] * f.X[i];
        double s2, xc;
        ck_assert_int_eq(dsv_data_scales(f.X, p, n, p, 4, ss, &s2, &xc), 0);
        double *A = malloc((size_t)(p * n) * sizeof *A), *sv = malloc((size_t)m * sizeof *sv);
        memcpy(A, f.X, (size_t)(p * n) * sizeof *A);
        ck_assert_int_eq(LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', (int)p, (int)n, A, (int)p, sv, NULL,
                                        1, NULL, 1), 0);
        double tail = 0;
        for (int64_t i = 4; i < m; i++)
            tail += sv[i] * sv[i];
        ck_assert_double_eq_tol(s2, tail / (double)(p * n), 1e-10 * s2);
        for (int64_t g = 0; g < p; g++) {
            double mu = 0;
            for (int64_t j = 0; j < n; j++)
                mu += f.X[g + j * p];
            for (int64_t j = 0; j < n; j++)
                A[g + j * p] = f.X[g + j * p] - mu / (double)n;
        }
        ck_assert_int_eq(LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', (int)p, (int)n, A, (int)p, sv, NULL,
                                        1, NULL, 1), 0);
        ck_assert_double_eq_tol(xc, sv[0] * sv[0], 1e-10 * xc);
        free(A), free(sv);
        free_fixture(&f);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nmf");
    TCase *tc = tcase_create("steps");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, data_scales_match_svd);
    tcase_add_loop_test(tc, gradient_matches_finite_differences, 0, 2);
    tcase_add_test(tc, exact_h_step_and_b_step_are_exact);
    tcase_add_test(tc, iterations_monotone_every_hstep_and_offset);
    tcase_add_test(tc, w_step_never_increases_loss);
    tcase_add_test(tc, h_and_beta_steps_never_increase_loss);
    tcase_add_test(tc, alpha_zero_is_lee_seung);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
