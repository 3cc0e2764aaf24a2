/* cmd_simulate.c - desurv simulate: a data set of the paper's design, in
 * the same files a user would bring (so every other subcommand can be
 * tried on it), plus the truth. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const opt_spec sim_opts[] = {
    {"scenario", "S", "r0 (default: factor 1 drives survival), null (no effect), mixed"},
    {"genes", "G", "genes (default 3000)"},
    {"samples", "N", "samples (default 200)"},
    {"k", "K", "true number of factors (default 3)"},
    {"train-fraction", "F", "fraction of samples marked split=train (default 0.7)"},
    {"out", "DIR", "output directory (created if needed)"},
    CLI_COMMON_OPTS,
    {NULL, NULL, NULL}};

static const cmd_doc sim_doc = {
    "simulate", "[--scenario r0|null|mixed] [--seed S] [--genes G --samples N --k K] --out DIR",
    "Draw a data set of the DeSurv paper's simulation design (doc/model.md section 12) and\n"
    "write DIR/expression.tsv (genes x samples), DIR/survival.tsv (sample, time,\n"
    "event, split = train|test), DIR/truth_W.tsv (the true W) and\n"
    "DIR/truth_genes.tsv (class of each gene and whether it drives survival)."};

typedef struct sim_out {
    int64_t p, n, k;
    double *X, *time, *W;
    int32_t *event, *split, *cls, *surv;
    int id_width_g, id_width_s;
} sim_out;

static void gene_id(char *buf, const sim_out *s, int64_t g)
{
    snprintf(buf, 32, "G%0*lld", s->id_width_g, (long long)(g + 1));
}

static void sample_id(char *buf, const sim_out *s, int64_t j)
{
    snprintf(buf, 32, "S%0*lld", s->id_width_s, (long long)(j + 1));
}

static int digits(int64_t v)
{
    int d = 1;
    while (v >= 10)
        v /= 10, d++;
    return d;
}

static int write_expression(FILE *f, const void *ctx)
{
    const sim_out *s = ctx;
    char id[32];
    fputs("gene", f);
    for (int64_t j = 0; j < s->n; j++)
        sample_id(id, s, j), fprintf(f, "\t%s", id);
    fputc('\n', f);
    for (int64_t g = 0; g < s->p; g++) {
        gene_id(id, s, g);
        fputs(id, f);
        for (int64_t j = 0; j < s->n; j++)
            fputc('\t', f), tsv_num(f, s->X[g + j * s->p]);
        fputc('\n', f);
    }
    return CLI_OK;
}

static int write_survival(FILE *f, const void *ctx)
{
    const sim_out *s = ctx;
    char id[32];
    fputs("sample\ttime\tevent\tsplit\n", f);
    for (int64_t j = 0; j < s->n; j++) {
        sample_id(id, s, j);
        fprintf(f, "%s\t", id);
        tsv_num(f, s->time[j]);
        fprintf(f, "\t%d\t%s\n", (int)s->event[j], s->split[j] ? "train" : "test");
    }
    return CLI_OK;
}

static int write_truth_W(FILE *f, const void *ctx)
{
    const sim_out *s = ctx;
    char id[32];
    fputs("gene", f);
    for (int64_t r = 0; r < s->k; r++)
        fprintf(f, "\tfactor%lld", (long long)(r + 1));
    fputc('\n', f);
    for (int64_t g = 0; g < s->p; g++) {
        gene_id(id, s, g);
        fputs(id, f);
        for (int64_t r = 0; r < s->k; r++)
            fputc('\t', f), tsv_num(f, s->W[g + r * s->p]);
        fputc('\n', f);
    }
    return CLI_OK;
}

/* class: noise, background or marker<r>; survival_factor: the factor
 * through which the gene drives survival (0 = none). */
static int write_truth_genes(FILE *f, const void *ctx)
{
    const sim_out *s = ctx;
    char id[32];
    fputs("gene\tclass\tsurvival_factor\n", f);
    for (int64_t g = 0; g < s->p; g++) {
        gene_id(id, s, g);
        int c = s->cls[g];
        int64_t sf = 0;
        for (int64_t r = 0; r < s->k && !sf; r++)
            sf = s->surv[g + r * s->p] ? r + 1 : 0;
        if (c >= 2)
            fprintf(f, "%s\tmarker%d\t%lld\n", id, c - 1, (long long)sf);
        else
            fprintf(f, "%s\t%s\t%lld\n", id, c ? "background" : "noise", (long long)sf);
    }
    return CLI_OK;
}

static void sim_out_free(sim_out *s)
{
    free(s->X), free(s->time), free(s->W);
    free(s->event), free(s->split), free(s->cls), free(s->surv);
}

static int extract(const desurv_sim *sim, double frac, sim_out *s)
{
    desurv_sim_dims(sim, &s->p, &s->n, &s->k);
    size_t p = (size_t)s->p, n = (size_t)s->n, k = (size_t)s->k;
    s->X = cli_alloc(p * n, sizeof *s->X);
    s->time = cli_alloc(n, sizeof *s->time);
    s->W = cli_alloc(p * k, sizeof *s->W);
    s->event = cli_alloc(n, sizeof *s->event);
    s->split = cli_alloc(n, sizeof *s->split);
    s->cls = cli_alloc(p, sizeof *s->cls);
    s->surv = cli_alloc(p * k, sizeof *s->surv);
    if (!s->X || !s->time || !s->W || !s->event || !s->split || !s->cls || !s->surv)
        return CLI_FAILURE;
    int st = desurv_sim_data(sim, s->X, s->p, s->time, s->event);
    if (st == DESURV_OK)
        st = desurv_sim_truth(sim, s->W, s->p, NULL, 0, NULL, s->cls, s->surv, s->p);
    if (st == DESURV_OK)
        st = desurv_sim_split(sim, frac, s->split);
    s->id_width_g = digits(s->p);
    s->id_width_s = digits(s->n);
    return st == DESURV_OK ? CLI_OK : lib_error(st, "simulate", NULL);
}

static int write_all(outdir *o, const sim_out *s)
{
    int rc = outdir_add(o, "expression.tsv", write_expression, s);
    if (rc == CLI_OK)
        rc = outdir_add(o, "survival.tsv", write_survival, s);
    if (rc == CLI_OK)
        rc = outdir_add(o, "truth_W.tsv", write_truth_W, s);
    if (rc == CLI_OK)
        rc = outdir_add(o, "truth_genes.tsv", write_truth_genes, s);
    if (rc == CLI_OK)
        return outdir_commit(o);
    outdir_abort(o);
    return rc;
}

static int parse_sizes(const args *a, int *scen, int64_t *g, int64_t *n, int64_t *k, double *fr)
{
    static const char *const scenarios[] = {"r0", "null", "mixed"};
    int rc = arg_choice(a, "scenario", scenarios, 3, scen);
    if (rc == CLI_OK)
        rc = arg_int(a, "genes", 1, 10000000, g);
    if (rc == CLI_OK)
        rc = arg_int(a, "samples", 2, 10000000, n);
    if (rc == CLI_OK)
        rc = arg_int(a, "k", 1, 1000, k);
    if (rc == CLI_OK)
        rc = arg_num(a, "train-fraction", 1e-9, 1 - 1e-9, fr);
    return rc;
}

int cmd_simulate(int argc, char **argv)
{
    args a;
    cli_common c;
    int scen = 0;
    int64_t genes = 3000, samples = 200, k = 3;
    double frac = 0.7;
    int rc = args_parse(&a, &sim_doc, sim_opts, argc, argv, &c);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    const char *dir = arg_need(&a, "out");
    if (!dir)
        return CLI_USAGE;
    if ((rc = parse_sizes(&a, &scen, &genes, &samples, &k, &frac)) != CLI_OK)
        return rc;
    desurv_sim *sim = NULL;
    int st = desurv_simulate((desurv_scenario)scen, genes, samples, k, c.seed, &sim);
    if (st != DESURV_OK) {
        cli_err("simulate: %s (%lld genes, %lld samples, k = %lld)", desurv_strerror(st),
                (long long)genes, (long long)samples, (long long)k);
        return st == DESURV_E_DIM ? CLI_USAGE : cli_exit_for(st);
    }
    sim_out s;
    memset(&s, 0, sizeof s);
    outdir o;
    rc = extract(sim, frac, &s);
    if (rc == CLI_OK && (rc = outdir_prepare(&o, dir)) == CLI_OK)
        rc = write_all(&o, &s);
    if (rc == CLI_OK)
        cli_note(&c, "wrote %s/expression.tsv (%lld genes x %lld samples), survival.tsv, "
                 "truth_W.tsv, truth_genes.tsv", dir, (long long)s.p, (long long)s.n);
    sim_out_free(&s);
    desurv_sim_free(sim);
    return rc;
}
