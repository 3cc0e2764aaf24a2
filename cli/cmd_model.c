/* cmd_model.c - subcommands that use a saved model: predict, info,
 * top-genes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

#define META_LP_MEDIAN "train.lp_median"
#define META_NTOP "predict.ntop"

int load_model(const char *path, desurv_model **m)
{
    char msg[512];
    int st = desurv_model_load_file(m, path, msg, sizeof msg);
    if (st == DESURV_OK)
        return CLI_OK;
    cli_err("%s", *msg ? msg : desurv_strerror(st));
    /* An unreadable or missing model file is the user's input too. */
    return st == DESURV_E_IO ? CLI_INPUT : cli_exit_for(st);
}

static double meta1(const desurv_model *m, const char *key, double def)
{
    double v;
    int64_t len;
    if (desurv_model_get_meta(m, key, &v, 1, &len) != DESURV_OK || len != 1)
        return def;
    return v;
}

/* ---- predict ---- */

static const opt_spec predict_opts[] = {
    {"model", "FILE", "model file written by fit or tune (DIR/model.desurv)"},
    {"expr", "FILE", "expression of the samples to score (TSV/CSV, .gz ok, - = stdin)"},
    {"out", "FILE", "risk table to write (default - = standard output)"},
    {"transpose", NULL, "the expression table has samples in rows, genes in columns"},
    {"na", "MODE", "missing expression values: error (default), zero, drop-gene"},
    {"missing", "MODE", "model genes absent from --expr: error (default) or zero"},
    CLI_COMMON_OPTS,
    {NULL, NULL, NULL}};

static const cmd_doc predict_doc = {
    "predict", "--model FILE --expr FILE [--out FILE]",
    "Score new samples with a saved model: the expression is aligned to the\n"
    "model's genes by id and preprocessed exactly as the training data were\n"
    "(log2(x + 1), rank or quantile transform).  Writes sample, lp (linear\n"
    "predictor), risk = exp(lp - median training lp) (the hazard relative to\n"
    "the median training patient) and group (high / low against that median)."};

typedef struct scored {
    const dataset *d;
    const double *lp;
    double median;
} scored;

static int write_scores(FILE *f, const void *ctx)
{
    const scored *s = ctx;
    fputs("sample\tlp\trisk\tgroup\n", f);
    for (int64_t j = 0; j < s->d->n; j++) {
        tsv_text(f, s->d->sample[j]);
        fputc('\t', f), tsv_num(f, s->lp[j]);
        /* relative to the median training patient: the raw lp carries an
         * offset (X^T W beta is not centred) that exp() would overflow */
        fputc('\t', f), tsv_num(f, exp(s->lp[j] - (isnan(s->median) ? 0.0 : s->median)));
        fputs(isnan(s->median) ? "\tNA\n" : s->lp[j] > s->median ? "\thigh\n" : "\tlow\n", f);
    }
    return CLI_OK;
}

int model_lp(const desurv_model *m, const dataset *d, double *lp)
{
    int64_t ntop = (int64_t)meta1(m, META_NTOP, 0);
    int st = desurv_predict_ntop(m, d->X, d->p, d->n, d->p, ntop, lp);
    return st == DESURV_OK ? CLI_OK : lib_error(st, "predict", NULL);
}

static int score(const desurv_model *m, const dataset *d, const char *out)
{
    double *lp = cli_alloc((size_t)d->n, sizeof *lp);
    if (!lp)
        return CLI_FAILURE;
    int rc = model_lp(m, d, lp);
    scored s = {d, lp, meta1(m, META_LP_MEDIAN, NAN)};
    if (rc == CLI_OK)
        rc = write_file(out, write_scores, &s);
    free(lp);
    return rc;
}

int missing_option(const args *a, int *zero)
{
    static const char *const missing[] = {"error", "zero"};
    return arg_choice(a, "missing", missing, 2, zero);
}

int model_data(const args *a, const cli_common *c, const desurv_model *m, const char *expr_path,
               int missing_zero, dataset *d)
{
    expr_opts eo;
    prep_opts po;
    prep_read(m, &po);
    memset(d, 0, sizeof *d);
    int rc = expr_options(a, &eo, po.transform);
    eo.allow_negative = po.transform == TR_RANK && !po.log2p1; /* as in training */
    if (rc == CLI_OK)
        rc = dataset_for_model(expr_path, &eo, m, missing_zero, c, d);
    return rc;
}

int cmd_predict(int argc, char **argv)
{
    args a;
    cli_common c;
    dataset d;
    desurv_model *m = NULL;
    int miss = 0;
    int rc = args_parse(&a, &predict_doc, predict_opts, argc, argv, &c);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    const char *mp = arg_need(&a, "model"), *ep = mp ? arg_need(&a, "expr") : NULL;
    if (!mp || !ep)
        return CLI_USAGE;
    if ((rc = missing_option(&a, &miss)) != CLI_OK)
        return rc;
    if ((rc = load_model(mp, &m)) != CLI_OK)
        return rc;
    rc = model_data(&a, &c, m, ep, miss, &d);
    if (rc == CLI_OK) {
        rc = score(m, &d, arg_str(&a, "out", "-"));
        dataset_free(&d);
    }
    desurv_model_free(m);
    return rc;
}

/* ---- info ---- */

static const opt_spec info_opts[] = {
    {"model", "FILE", "model file"},
    CLI_COMMON_OPTS,
    {NULL, NULL, NULL}};

static const cmd_doc info_doc = {
    "info", "--model FILE",
    "Describe a saved model: dimensions, hyperparameters, fit statistics,\n"
    "preprocessing and metadata."};

static void print_stats(const desurv_model *m)
{
    static const struct {
        desurv_stat s;
        const char *name;
    } stats[] = {{DESURV_STAT_ITERATIONS, "iterations"}, {DESURV_STAT_CONVERGED, "converged"},
                 {DESURV_STAT_LOSS, "loss"}, {DESURV_STAT_COX_LOGLIK, "cox_loglik"},
                 {DESURV_STAT_TRAIN_CINDEX, "train_cindex"}, {DESURV_STAT_N_EVENTS, "events"}};
    for (size_t i = 0; i < sizeof stats / sizeof stats[0]; i++) {
        double v;
        char buf[32];
        if (desurv_model_stat(m, stats[i].s, &v) == DESURV_OK)
            printf("%-20s %s\n", stats[i].name, cli_fmt(buf, v));
    }
}

static void print_meta(const desurv_model *m)
{
    for (int64_t i = 0; i < desurv_model_meta_count(m); i++) {
        const char *key = desurv_model_meta_key(m, i), *s = desurv_model_get_meta_string(m, key);
        int64_t len = 0;
        double v;
        char buf[32];
        if (s)
            printf("%-20s %s\n", key, s);
        else if (desurv_model_get_meta(m, key, &v, 1, &len) != DESURV_E_MISMATCH && len == 1)
            printf("%-20s %s\n", key, cli_fmt(buf, v));
        else
            printf("%-20s (%lld values)\n", key, (long long)len);
    }
}

/* Sections of "key value" lines: easy to read, easy to grep. */
static void print_info(const char *path, const desurv_model *m)
{
    int64_t p = 0, n = 0, k = 0;
    char buf[32];
    printf("# model\n%-20s %s\n", "file", path);
    if (desurv_model_dims(m, &p, &n, &k) == DESURV_OK)
        printf("%-20s %lld\n%-20s %lld\n%-20s %lld\n", "genes", (long long)p,
               "training_samples", (long long)n, "factors", (long long)k);
    else
        printf("%-20s no\n", "fitted");
    printf("%-20s %lld\n", "gene_ids",
           (long long)desurv_model_names_count(m, DESURV_NAMES_GENES));
    printf("\n# options\n");
    for (int o = 0; o < DESURV_OPT_COUNT; o++) {
        double v;
        if (desurv_get_option(m, (desurv_option)o, &v) == DESURV_OK)
            printf("%-20s %s\n", desurv_option_name((desurv_option)o), cli_fmt(buf, v));
    }
    printf("\n# fit\n");
    print_stats(m);
    printf("\n# metadata\n");
    print_meta(m);
}

int cmd_info(int argc, char **argv)
{
    args a;
    cli_common c;
    desurv_model *m = NULL;
    int rc = args_parse(&a, &info_doc, info_opts, argc, argv, &c);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    const char *mp = arg_need(&a, "model");
    if (!mp)
        return CLI_USAGE;
    if ((rc = load_model(mp, &m)) != CLI_OK)
        return rc;
    print_info(mp, m);
    desurv_model_free(m);
    return CLI_OK;
}

/* ---- top-genes ---- */

static const opt_spec top_opts[] = {
    {"model", "FILE", "model file"},
    {"ntop", "N", "genes per factor (default 20)"},
    {"out", "FILE", "table to write (default - = standard output)"},
    CLI_COMMON_OPTS,
    {NULL, NULL, NULL}};

static const cmd_doc top_doc = {
    "top-genes", "--model FILE [--ntop N] [--out FILE]",
    "List each factor's top genes: W's columns scaled to maximum 1, a gene\n"
    "scores its weight on the factor minus its largest weight on another."};

typedef struct top_list {
    const desurv_model *m;
    int64_t k, ntop;
    const int64_t *idx;
    const double *score;
} top_list;

static int write_top(FILE *f, const void *ctx)
{
    const top_list *t = ctx;
    fputs("factor\trank\tgene\tscore\n", f);
    for (int64_t q = 0; q < t->k; q++)
        for (int64_t i = 0; i < t->ntop; i++) {
            int64_t at = i + q * t->ntop;
            const char *g = desurv_model_name(t->m, DESURV_NAMES_GENES, t->idx[at]);
            char gid[32];
            if (!g)
                snprintf(gid, sizeof gid, "gene%lld", (long long)(t->idx[at] + 1)), g = gid;
            fprintf(f, "factor%lld\t%lld\t", (long long)(q + 1), (long long)(i + 1));
            tsv_text(f, g);
            fputc('\t', f), tsv_num(f, t->score[at]), fputc('\n', f);
        }
    return CLI_OK;
}

static int list_top(const desurv_model *m, int64_t ntop, const char *out)
{
    int64_t p, k;
    int st = desurv_model_dims(m, &p, NULL, &k);
    if (st != DESURV_OK)
        return lib_error(st, "top-genes", NULL);
    ntop = ntop > p ? p : ntop;
    int64_t *idx = cli_alloc((size_t)(ntop * k), sizeof *idx);
    double *sc = cli_alloc((size_t)(ntop * k), sizeof *sc);
    int rc = idx && sc ? CLI_OK : CLI_FAILURE;
    if (rc == CLI_OK && (st = desurv_model_top_genes(m, ntop, idx, sc)) != DESURV_OK)
        rc = lib_error(st, "top-genes", NULL);
    top_list t = {m, k, ntop, idx, sc};
    if (rc == CLI_OK)
        rc = write_file(out, write_top, &t);
    free(idx), free(sc);
    return rc;
}

int cmd_top_genes(int argc, char **argv)
{
    args a;
    cli_common c;
    desurv_model *m = NULL;
    int64_t ntop = 20;
    int rc = args_parse(&a, &top_doc, top_opts, argc, argv, &c);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    const char *mp = arg_need(&a, "model");
    if (!mp)
        return CLI_USAGE;
    if ((rc = arg_int(&a, "ntop", 1, INT64_MAX / 2, &ntop)) != CLI_OK)
        return rc;
    if ((rc = load_model(mp, &m)) != CLI_OK)
        return rc;
    rc = list_top(m, ntop, arg_str(&a, "out", "-"));
    desurv_model_free(m);
    return rc;
}
