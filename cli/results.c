/* results.c - the output files of fit, tune and cv. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

#define META_LP_MEDIAN "train.lp_median"
#define META_NTOP "predict.ntop"

void results_free(results *r)
{
    free(r->W), free(r->H), free(r->beta), free(r->b), free(r->lp);
    free(r->top_idx), free(r->top_score);
    memset(r, 0, sizeof *r);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double cli_median(const double *v, int64_t n)
{
    if (n < 1)
        return NAN;
    double *s = malloc((size_t)n * sizeof *s);
    if (!s)
        return NAN;
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    double med = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    free(s);
    return med;
}

static int read_model(results *r, const desurv_model *m)
{
    int st = desurv_model_dims(m, &r->p, &r->n, &r->k);
    r->W = st == DESURV_OK ? cli_alloc((size_t)(r->p * r->k), sizeof *r->W) : NULL;
    r->H = r->W ? cli_alloc((size_t)(r->k * r->n), sizeof *r->H) : NULL;
    r->beta = r->H ? cli_alloc((size_t)r->k, sizeof *r->beta) : NULL;
    r->b = r->beta ? cli_alloc((size_t)r->p, sizeof *r->b) : NULL;
    r->lp = r->b ? cli_alloc((size_t)r->n, sizeof *r->lp) : NULL;
    if (st != DESURV_OK)
        return lib_error(st, "reading the model", desurv_errmsg(m));
    if (!r->lp)
        return CLI_FAILURE;
    st = desurv_model_W(m, r->W, r->p);
    if (st == DESURV_OK)
        st = desurv_model_H(m, r->H, r->k);
    if (st == DESURV_OK)
        st = desurv_model_beta(m, r->beta);
    if (st == DESURV_OK)
        st = desurv_model_offset(m, r->b);
    for (int o = 0; st == DESURV_OK && o < DESURV_OPT_COUNT; o++)
        st = desurv_get_option(m, (desurv_option)o, &r->opt[o]);
    return st == DESURV_OK ? CLI_OK : lib_error(st, "reading the model", desurv_errmsg(m));
}

static int top_genes(results *r, const desurv_model *m)
{
    if (r->ntop_report > r->p)
        r->ntop_report = r->p;
    size_t cells = (size_t)(r->ntop_report * r->k);
    r->top_idx = cli_alloc(cells, sizeof *r->top_idx);
    r->top_score = cli_alloc(cells, sizeof *r->top_score);
    if (!r->top_idx || !r->top_score)
        return CLI_FAILURE;
    int st = desurv_model_top_genes(m, r->ntop_report, r->top_idx, r->top_score);
    return st == DESURV_OK ? CLI_OK : lib_error(st, "top genes", desurv_errmsg(m));
}

int results_compute(results *r, desurv_model *m, const dataset *d, int64_t ntop_pred,
                    int64_t ntop_report)
{
    const char *command = r->command;
    const cli_common *c = r->c;
    const tune_info *tune = r->tune;
    memset(r, 0, sizeof *r);
    r->command = command, r->c = c, r->tune = tune;
    r->d = d, r->m = m, r->ntop_pred = ntop_pred, r->ntop_report = ntop_report;
    int rc = read_model(r, m);
    if (rc != CLI_OK)
        return rc;
    /* The risk of the training samples as predict will compute it for new
     * ones (restricted to the top genes when ntop > 0). */
    int st = desurv_predict_ntop(m, d->X, d->p, d->n, d->p, ntop_pred, r->lp);
    if (st == DESURV_OK)
        st = desurv_cindex(d->time, d->event, r->lp, d->n, &r->train_c);
    if (st != DESURV_OK)
        return lib_error(st, "training risk", desurv_errmsg(m));
    r->lp_median = cli_median(r->lp, r->n);
    double nt = (double)ntop_pred;
    st = desurv_model_set_meta(m, META_LP_MEDIAN, &r->lp_median, 1);
    if (st == DESURV_OK)
        st = desurv_model_set_meta(m, META_NTOP, &nt, 1);
    if (st != DESURV_OK)
        return lib_error(st, "model metadata", desurv_errmsg(m));
    return top_genes(r, m);
}

/* ---- TSV files ---- */

static void factor_header(FILE *f, const char *first, int64_t k)
{
    fputs(first, f);
    for (int64_t r = 0; r < k; r++)
        fprintf(f, "\tfactor%lld", (long long)(r + 1));
    fputc('\n', f);
}

static int write_W(FILE *f, const void *ctx)
{
    const results *r = ctx;
    factor_header(f, "gene", r->k);
    for (int64_t g = 0; g < r->p; g++) {
        tsv_text(f, r->d->gene[g]);
        for (int64_t q = 0; q < r->k; q++) {
            fputc('\t', f);
            tsv_num(f, r->W[g + q * r->p]);
        }
        fputc('\n', f);
    }
    return CLI_OK;
}

/* H: factors in rows, samples in columns (the orientation of X). */
static int write_H(FILE *f, const void *ctx)
{
    const results *r = ctx;
    fputs("factor", f);
    for (int64_t j = 0; j < r->n; j++) {
        fputc('\t', f);
        tsv_text(f, r->d->sample[j]);
    }
    fputc('\n', f);
    for (int64_t q = 0; q < r->k; q++) {
        fprintf(f, "factor%lld", (long long)(q + 1));
        for (int64_t j = 0; j < r->n; j++) {
            fputc('\t', f);
            tsv_num(f, r->H[q + j * r->k]);
        }
        fputc('\n', f);
    }
    return CLI_OK;
}

static int write_beta(FILE *f, const void *ctx)
{
    const results *r = ctx;
    fputs("factor\tbeta\n", f);
    for (int64_t q = 0; q < r->k; q++) {
        fprintf(f, "factor%lld\t", (long long)(q + 1));
        tsv_num(f, r->beta[q]);
        fputc('\n', f);
    }
    return CLI_OK;
}

/* The per-gene offset b: X ~ W H + b 1^T (offset = gene). */
static int write_offset(FILE *f, const void *ctx)
{
    const results *r = ctx;
    fputs("gene\toffset\n", f);
    for (int64_t g = 0; g < r->p; g++) {
        tsv_text(f, r->d->gene[g]);
        fputc('\t', f);
        tsv_num(f, r->b[g]);
        fputc('\n', f);
    }
    return CLI_OK;
}

static int write_risk(FILE *f, const void *ctx)
{
    const results *r = ctx;
    fputs("sample\tlp\trisk\tgroup\n", f);
    for (int64_t j = 0; j < r->n; j++) {
        tsv_text(f, r->d->sample[j]);
        fputc('\t', f);
        tsv_num(f, r->lp[j]);
        fputc('\t', f);
        tsv_num(f, exp(r->lp[j] - r->lp_median)); /* relative to the median patient */
        fputs(r->lp[j] > r->lp_median ? "\thigh\n" : "\tlow\n", f);
    }
    return CLI_OK;
}

static int write_top(FILE *f, const void *ctx)
{
    const results *r = ctx;
    fputs("factor\trank\tgene\tscore\n", f);
    for (int64_t q = 0; q < r->k; q++)
        for (int64_t i = 0; i < r->ntop_report; i++) {
            int64_t at = i + q * r->ntop_report;
            fprintf(f, "factor%lld\t%lld\t", (long long)(q + 1), (long long)(i + 1));
            tsv_text(f, r->d->gene[r->top_idx[at]]);
            fputc('\t', f);
            tsv_num(f, r->top_score[at]);
            fputc('\n', f);
        }
    return CLI_OK;
}

/* Fraction of the fits behind history entry e that met tol (NaN: none). */
static double converged_fraction(const desurv_tuner *t, int64_t e)
{
    int64_t len = 0;
    if (desurv_tuner_history_iters(t, e, NULL, 0, &len) != DESURV_OK || len == 0)
        return NAN;
    double *it = cli_alloc((size_t)len, sizeof *it);
    if (!it)
        return NAN;
    desurv_tuner_history_iters(t, e, it, len, &len);
    int64_t ok = 0, all = 0;
    for (int64_t j = 0; j < len; j++)
        if (!isnan(it[j]))
            all++, ok += it[j] >= 0;
    free(it);
    return all ? (double)ok / (double)all : NAN;
}

/* history.tsv: every evaluation with its per-fold C-indices and its
 * held-out reconstruction error (rules 1se-recon and 1se-parsimony). */
static int write_history(FILE *f, const void *ctx)
{
    const results *r = ctx;
    const desurv_tuner *t = r->tune->t;
    int64_t len = 0, folds = 0;
    desurv_tuner_history_len(t, &len, &folds);
    double *fc = cli_alloc((size_t)folds, sizeof *fc), par[DESURV_PARAM_COUNT], mean, se, pooled;
    if (!fc)
        return CLI_FAILURE;
    fputs("eval", f);
    for (int q = 0; q < DESURV_PARAM_COUNT; q++)
        fprintf(f, "\t%s", desurv_param_name((desurv_param)q));
    fputs("\tcv_cindex\tcv_cindex_se\tpooled_cindex\trecon_error\trecon_error_se"
          "\tfits_converged", f);
    for (int64_t i = 0; i < folds; i++)
        fprintf(f, "\tfold%lld", (long long)(i + 1));
    fputs("\tchosen\n", f);
    for (int64_t e = 0; e < len; e++) {
        double rec = NAN, rec_se = NAN;
        desurv_tuner_history(t, e, par, &mean, &se, &pooled, fc);
        desurv_tuner_history_recon(t, e, &rec, &rec_se);
        fprintf(f, "%lld", (long long)(e + 1));
        for (int q = 0; q < DESURV_PARAM_COUNT; q++)
            fputc('\t', f), tsv_num(f, par[q]);
        fputc('\t', f), tsv_num(f, mean);
        fputc('\t', f), tsv_num(f, se);
        fputc('\t', f), tsv_num(f, pooled);
        fputc('\t', f), tsv_num(f, rec);
        fputc('\t', f), tsv_num(f, rec_se);
        fputc('\t', f), tsv_num(f, converged_fraction(t, e));
        for (int64_t i = 0; i < folds; i++)
            fputc('\t', f), tsv_num(f, fc[i]);
        fprintf(f, "\t%d\n", e == r->tune->chosen);
    }
    free(fc);
    return CLI_OK;
}

/* fits.tsv: every fold fit of every evaluation, with the outer
 * iterations it took and whether it met tol (else it stopped at maxit). */
static int write_fits(FILE *f, const void *ctx)
{
    const results *r = ctx;
    const desurv_tuner *t = r->tune->t;
    int64_t len = 0, folds = 0;
    desurv_tuner_history_len(t, &len, &folds);
    fputs("eval\tfold\tstart\titerations\tconverged\n", f);
    for (int64_t e = 0; e < len; e++) {
        int64_t n = 0;
        desurv_tuner_history_iters(t, e, NULL, 0, &n);
        double *it = n ? cli_alloc((size_t)n, sizeof *it) : NULL;
        if (n && !it)
            return CLI_FAILURE;
        desurv_tuner_history_iters(t, e, it, n, &n);
        int64_t per = folds ? n / folds : 0;
        for (int64_t j = 0; j < n; j++) {
            fprintf(f, "%lld\t%lld\t%lld\t", (long long)(e + 1), (long long)(j / per + 1),
                    (long long)(j % per + 1));
            if (isnan(it[j]))
                fputs("NA\tNA\n", f);
            else
                fprintf(f, "%.0f\t%d\n", fabs(it[j]), it[j] >= 0);
        }
        free(it);
    }
    return CLI_OK;
}

/* surface.tsv: the GP's predicted C over the (k, alpha) grid. */
static int write_surface(FILE *f, const void *ctx)
{
    const results *r = ctx;
    int64_t len = 0;
    if (desurv_tuner_surface(r->tune->t, NULL, NULL, NULL, NULL, 0, &len) != DESURV_OK)
        return CLI_FAILURE;
    double *buf = cli_alloc((size_t)(4 * len), sizeof *buf);
    if (!buf)
        return CLI_FAILURE;
    double *k = buf, *al = buf + len, *mu = buf + 2 * len, *sd = buf + 3 * len;
    int st = desurv_tuner_surface(r->tune->t, k, al, mu, sd, len, &len);
    fputs("k\talpha\tcv_cindex_mean\tcv_cindex_sd\n", f);
    for (int64_t i = 0; st == DESURV_OK && i < len; i++) {
        tsv_num(f, k[i]), fputc('\t', f), tsv_num(f, al[i]), fputc('\t', f);
        tsv_num(f, mu[i]), fputc('\t', f), tsv_num(f, sd[i]), fputc('\n', f);
    }
    free(buf);
    return st == DESURV_OK ? CLI_OK : CLI_FAILURE;
}

/* ---- summary.json ---- */

static void json_file(json *j, const char *key, const file_info *fi)
{
    char crc[16];
    snprintf(crc, sizeof crc, "%08lx", (unsigned long)fi->crc32);
    json_obj(j, key);
    json_str(j, "path", fi->path);
    json_int(j, "bytes", fi->bytes);
    json_str(j, "crc32", crc);
    json_bool(j, "gzip", fi->gzip);
    json_close(j);
}

static double stat(const desurv_model *m, desurv_stat s)
{
    double v = NAN;
    desurv_model_stat(m, s, &v);
    return v;
}

static void json_params(json *j, const results *r)
{
    json_int(j, "k", r->k);
    json_num(j, "alpha", r->opt[DESURV_OPT_ALPHA]);
    json_num(j, "lambda", r->opt[DESURV_OPT_LAMBDA]);
    json_num(j, "nu", r->opt[DESURV_OPT_NU]);
    json_num(j, "lambda_w", r->opt[DESURV_OPT_LAMBDA_W]);
    json_num(j, "lambda_h", r->opt[DESURV_OPT_LAMBDA_H]);
    json_int(j, "ntop", r->ntop_pred);
    json_num(j, "train_cindex", r->train_c);
}

static void json_tuning(json *j, const tune_info *ti)
{
    double v;
    int64_t len = 0, folds = 0;
    json_num(j, "cv_cindex", ti->cv_c);
    json_num(j, "cv_cindex_se", ti->cv_se);
    if (ti->has_baseline) {
        json_num(j, "cv_cindex_alpha0", ti->base_c);
        json_num(j, "cv_cindex_alpha0_se", ti->base_se);
    }
    desurv_tuner_history_len(ti->t, &len, &folds);
    json_obj(j, "tuning");
    json_str(j, "method", ti->method ? "grid" : "bayesian-optimisation");
    json_int(j, "folds", folds);
    desurv_tuner_get(ti->t, DESURV_TOPT_STARTS, &v);
    json_num(j, "starts", v);
    json_int(j, "evaluations", len);
    json_int(j, "chosen_evaluation", ti->chosen + 1);
    json_str(j, "rule", ti->rule);
    json_str(j, "warnings", desurv_tuner_warnings(ti->t));
    json_close(j);
}

static void json_fit(json *j, const results *r)
{
    json_obj(j, "fit");
    json_int(j, "iterations", (int64_t)stat(r->m, DESURV_STAT_ITERATIONS));
    json_bool(j, "converged", stat(r->m, DESURV_STAT_CONVERGED) == 1);
    json_num(j, "loss", stat(r->m, DESURV_STAT_LOSS));
    json_num(j, "nmf_loss", stat(r->m, DESURV_STAT_NMF_LOSS));
    json_num(j, "cox_loglik", stat(r->m, DESURV_STAT_COX_LOGLIK));
    json_num(j, "train_cindex_all_genes", stat(r->m, DESURV_STAT_TRAIN_CINDEX));
    json_int(j, "starts", (int64_t)r->opt[DESURV_OPT_NINIT]);
    json_int(j, "maxit", (int64_t)r->opt[DESURV_OPT_MAXIT]);
    json_num(j, "tol", r->opt[DESURV_OPT_TOL]);
    json_int(j, "seed", (int64_t)r->opt[DESURV_OPT_SEED]);
    json_str(j, "ties", r->opt[DESURV_OPT_TIES] == 1 ? "efron" : "breslow");
    json_str(j, "offset", r->opt[DESURV_OPT_OFFSET] == DESURV_OFFSET_GENE ? "gene" : "none");
    json_str(j, "hstep", r->opt[DESURV_OPT_HSTEP] == DESURV_HSTEP_MU     ? "mu"
                         : r->opt[DESURV_OPT_HSTEP] == DESURV_HSTEP_HALS ? "hals"
                                                                          : "exact");
    json_str(j, "wstep", r->opt[DESURV_OPT_WSTEP] == DESURV_WSTEP_HALS ? "hals" : "mu");
    json_num(j, "train_lp_median", r->lp_median);
    json_close(j);
}

static void json_data(json *j, const results *r)
{
    const dataset *d = r->d;
    json_obj(j, "data");
    json_int(j, "samples", d->n);
    json_int(j, "events", d->events);
    json_int(j, "genes", d->p);
    json_int(j, "genes_in_input", d->p_input);
    json_bool(j, "log2p1", d->prep.log2p1);
    json_str(j, "transform", transform_names[d->prep.transform]);
    json_obj(j, "inputs");
    json_file(j, "expression", &d->expr_info);
    json_file(j, "survival", &d->surv_info);
    json_close(j);
    json_close(j);
}

/* "cohorts": {name: samples, ...} in order of first appearance, or null
 * without --cohort-col. */
static void json_cohorts(json *j, const dataset *d)
{
    if (!d->cohort) {
        json_str(j, "cohorts", NULL);
        return;
    }
    json_obj(j, "cohorts");
    for (int64_t q = 0; q < d->ncohort; q++)
        json_int(j, d->cohort_name[q], d->cohort_n[q]);
    json_close(j);
}

static int write_summary(FILE *f, const void *ctx)
{
    const results *r = ctx;
    json j;
    json_begin(&j, f);
    json_str(&j, "command", r->command);
    json_str(&j, "desurv_version", desurv_version_string());
    json_params(&j, r);
    json_int(&j, "iterations", (int64_t)stat(r->m, DESURV_STAT_ITERATIONS));
    json_bool(&j, "converged", stat(r->m, DESURV_STAT_CONVERGED) == 1);
    json_int(&j, "genes_after_filter", r->d->p);
    json_cohorts(&j, r->d);
    if (r->tune)
        json_tuning(&j, r->tune);
    json_fit(&j, r);
    json_data(&j, r);
    json_end(&j);
    return CLI_OK;
}

static int add_model(outdir *o, const results *r)
{
    int64_t len = 0;
    int st = desurv_model_save(r->m, NULL, 0, &len);
    void *buf = st == DESURV_OK ? cli_alloc((size_t)len, 1) : NULL;
    if (st == DESURV_OK && !buf)
        return CLI_FAILURE;
    if (st == DESURV_OK)
        st = desurv_model_save(r->m, buf, len, &len);
    int rc = st == DESURV_OK ? outdir_add_bytes(o, "model.desurv", buf, (size_t)len)
                             : lib_error(st, "saving the model", desurv_errmsg(r->m));
    free(buf);
    return rc;
}

int results_write(outdir *o, const results *r)
{
    int rc = outdir_add(o, "W.tsv", write_W, r);
    if (rc == CLI_OK)
        rc = outdir_add(o, "H.tsv", write_H, r);
    if (rc == CLI_OK)
        rc = outdir_add(o, "beta.tsv", write_beta, r);
    if (rc == CLI_OK && r->opt[DESURV_OPT_OFFSET] == DESURV_OFFSET_GENE)
        rc = outdir_add(o, "offset.tsv", write_offset, r);
    if (rc == CLI_OK)
        rc = outdir_add(o, "risk.tsv", write_risk, r);
    if (rc == CLI_OK)
        rc = outdir_add(o, "top_genes.tsv", write_top, r);
    if (rc == CLI_OK && r->tune)
        rc = outdir_add(o, "history.tsv", write_history, r);
    if (rc == CLI_OK && r->tune)
        rc = outdir_add(o, "fits.tsv", write_fits, r);
    if (rc == CLI_OK && r->tune && r->tune->method == 0)
        rc = outdir_add(o, "surface.tsv", write_surface, r);
    if (rc == CLI_OK)
        rc = add_model(o, r);
    if (rc == CLI_OK)
        rc = outdir_add(o, "summary.json", write_summary, r);
    if (rc == CLI_OK && cli_interrupted)
        rc = CLI_CANCELLED; /* a late Ctrl-C still means: leave nothing */
    if (rc == CLI_OK)
        return outdir_commit(o);
    outdir_abort(o);
    return rc;
}
