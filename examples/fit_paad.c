/* fit_paad.c - fit DeSurv to the bundled TCGA-PAAD cohort and summarise it.
 *
 * Usage: fit_paad [DATA_DIR]     (default "data/tcga_paad")
 *
 * Reads DATA_DIR/expression_log2p1.tsv.gz (genes x samples, log2(x+1)) and
 * DATA_DIR/survival.tsv.gz (sample, time in months, event), matches the
 * samples by id, and prepares the matrix as the DeSurv paper does:
 *
 *   gene filter     desurv_gene_filter: keep the 1000 genes with the
 *                   smallest sum of their mean rank and variance rank of
 *                   log2(x+1) across all patients; they stay in file order;
 *   per sample      desurv_transform_rank: replace each value by its rank
 *                   among the kept genes of that sample (average ranks for
 *                   ties), 1 .. 1000.
 *
 * Then it fits k = 3, alpha 0.5, lambda 0.1, nu 0.5, ninit 10, seed 1
 * through the public API and prints the model summary and the top 10 genes
 * of each factor (desurv_model_top_genes).
 *
 * Build in-tree with meson, or alone against an installed libdesurv:
 *     cc fit_paad.c $(pkg-config --cflags --libs desurv) -lz -lm
 */
#include <desurv/desurv.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define N_KEEP 1000
#define N_TOP 10

/* ------------------------------------------------------------------ */
/* Line reader over a gzip file (plain text works too: zlib passes it). */

typedef struct reader {
    gzFile f;
    const char *path;
    int64_t line; /* 1-based number of the line last returned */
    char *buf;
    size_t cap;
} reader;

static int reader_open(reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    errno = 0;
    r->f = gzopen(path, "rb");
    if (!r->f) {
        fprintf(stderr, "fit_paad: cannot open %s: %s\n", path,
                errno ? strerror(errno) : "out of memory");
        return -1;
    }
    return 0;
}

static void reader_close(reader *r)
{
    if (r->f)
        gzclose(r->f);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

/* Reads the next line without its "\n" / "\r\n" into r->buf.
 * Returns 1 for a line, 0 at a clean end of file, -1 on error (reported). */
static int reader_next(reader *r)
{
    size_t len = 0;
    for (;;) {
        if (r->cap - len < 2) {
            size_t cap = r->cap ? 2 * r->cap : 4096;
            char *nb = realloc(r->buf, cap);
            if (!nb) {
                fprintf(stderr, "fit_paad: %s: out of memory\n", r->path);
                return -1;
            }
            r->buf = nb;
            r->cap = cap;
        }
        /* gzgets takes an int size; chunks are bounded anyway. */
        size_t room = r->cap - len;
        int chunk = room > (1u << 30) ? (1 << 30) : (int)room;
        if (!gzgets(r->f, r->buf + len, chunk))
            break;
        len += strlen(r->buf + len);
        if (len > 0 && r->buf[len - 1] == '\n')
            break;
    }
    int zerr;
    const char *zmsg = gzerror(r->f, &zerr);
    if (zerr != Z_OK && zerr != Z_STREAM_END) {
        fprintf(stderr, "fit_paad: %s: read error after line %lld: %s\n", r->path,
                (long long)r->line, zmsg);
        return -1;
    }
    if (len == 0)
        return 0;
    while (len > 0 && (r->buf[len - 1] == '\n' || r->buf[len - 1] == '\r'))
        r->buf[--len] = '\0';
    r->line++;
    return 1;
}

/* Splits s in place on tabs into at most cap fields; returns the number of
 * fields found (which may exceed cap: the caller then reports the line). */
static int64_t split_tabs(char *s, char **field, int64_t cap)
{
    int64_t nf = 0;
    for (;;) {
        char *tab = strchr(s, '\t');
        if (nf < cap)
            field[nf] = s;
        nf++;
        if (!tab)
            return nf;
        *tab = '\0';
        s = tab + 1;
    }
}

static int64_t count_fields(const char *s)
{
    int64_t nf = 1;
    for (; *s; s++)
        nf += *s == '\t';
    return nf;
}

/* A finite number filling the whole cell, or -1 with the place reported. */
static int parse_number(const reader *r, const char *cell, int64_t col, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(cell, &end);
    if (end == cell || *end != '\0' || errno == ERANGE || !isfinite(v)) {
        fprintf(stderr, "fit_paad: %s, line %lld, column %lld: \"%s\" is not a finite number\n",
                r->path, (long long)r->line, (long long)(col + 1), cell);
        return -1;
    }
    *out = v;
    return 0;
}

static char *dup_string(const char *s)
{
    size_t len = strlen(s) + 1;
    char *d = malloc(len);
    if (d)
        memcpy(d, s, len);
    return d;
}

static void free_strings(char **s, int64_t n)
{
    for (int64_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

/* ------------------------------------------------------------------ */
/* Expression matrix: val[g * n + j] is gene g in sample j (one file row is
 * contiguous, which is how it arrives). */

typedef struct expression {
    int64_t p, n;
    char **gene, **sample;
    double *val;
} expression;

static void expression_free(expression *e)
{
    free_strings(e->gene, e->p);
    free_strings(e->sample, e->n);
    free(e->val);
    memset(e, 0, sizeof *e);
}

static int read_expression_header(reader *r, expression *e, char ***field)
{
    if (reader_next(r) != 1) {
        fprintf(stderr, "fit_paad: %s: empty file (no header line)\n", r->path);
        return -1;
    }
    int64_t nf = count_fields(r->buf);
    *field = malloc((size_t)nf * sizeof **field);
    e->sample = calloc((size_t)nf, sizeof *e->sample);
    if (!*field || !e->sample)
        return -1;
    split_tabs(r->buf, *field, nf);
    if (nf < 2 || strcmp((*field)[0], "gene") != 0) {
        fprintf(stderr, "fit_paad: %s, line 1: expected a header \"gene<TAB>sample...\"\n",
                r->path);
        return -1;
    }
    for (int64_t j = 0; j < nf - 1; j++, e->n++)
        if (!(e->sample[j] = dup_string((*field)[j + 1])))
            return -1;
    return 0;
}

/* Grows the gene arrays so that one more gene fits. */
static int expression_reserve(expression *e, int64_t *cap)
{
    if (e->p < *cap)
        return 0;
    int64_t nc = *cap ? 2 * *cap : 1024;
    char **g = realloc(e->gene, (size_t)nc * sizeof *g);
    if (g)
        e->gene = g;
    double *v = realloc(e->val, (size_t)(nc * e->n) * sizeof *v);
    if (v)
        e->val = v;
    if (!g || !v)
        return -1;
    *cap = nc;
    return 0;
}

static int read_expression_row(reader *r, expression *e, char **field, int64_t *cap)
{
    int64_t nf = split_tabs(r->buf, field, e->n + 1);
    if (nf != e->n + 1) {
        fprintf(stderr, "fit_paad: %s, line %lld: %lld fields, expected %lld (gene + %lld samples)\n",
                r->path, (long long)r->line, (long long)nf, (long long)(e->n + 1),
                (long long)e->n);
        return -1;
    }
    if (expression_reserve(e, cap) != 0) {
        fprintf(stderr, "fit_paad: %s: out of memory\n", r->path);
        return -1;
    }
    double *row = e->val + e->p * e->n;
    for (int64_t j = 0; j < e->n; j++)
        if (parse_number(r, field[j + 1], j + 1, &row[j]) != 0)
            return -1;
    if (!(e->gene[e->p] = dup_string(field[0])))
        return -1;
    e->p++;
    return 0;
}

static int read_expression(const char *path, expression *e)
{
    reader r;
    memset(e, 0, sizeof *e);
    if (reader_open(&r, path) != 0)
        return -1;
    char **field = NULL;
    int64_t cap = 0;
    int rc = read_expression_header(&r, e, &field);
    int more = 0;
    while (rc == 0 && (more = reader_next(&r)) == 1)
        if (r.buf[0] != '\0')
            rc = read_expression_row(&r, e, field, &cap);
    if (rc == 0 && more < 0)
        rc = -1;
    if (rc == 0 && e->p == 0) {
        fprintf(stderr, "fit_paad: %s: no gene rows\n", path);
        rc = -1;
    }
    free(field);
    reader_close(&r);
    if (rc != 0)
        expression_free(e);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Survival table. */

typedef struct survival {
    int64_t n, cap;
    char **sample;
    double *time;
    int32_t *event;
} survival;

static void survival_free(survival *s)
{
    free_strings(s->sample, s->n);
    free(s->time);
    free(s->event);
    memset(s, 0, sizeof *s);
}

static int survival_reserve(survival *s)
{
    if (s->n < s->cap)
        return 0;
    int64_t nc = s->cap ? 2 * s->cap : 256;
    char **id = realloc(s->sample, (size_t)nc * sizeof *id);
    if (id)
        s->sample = id;
    double *t = realloc(s->time, (size_t)nc * sizeof *t);
    if (t)
        s->time = t;
    int32_t *ev = realloc(s->event, (size_t)nc * sizeof *ev);
    if (ev)
        s->event = ev;
    if (!id || !t || !ev)
        return -1;
    s->cap = nc;
    return 0;
}

static int read_survival_row(reader *r, survival *s)
{
    char *field[3];
    double t, ev;
    if (split_tabs(r->buf, field, 3) != 3) {
        fprintf(stderr, "fit_paad: %s, line %lld: expected 3 fields (sample, time, event)\n",
                r->path, (long long)r->line);
        return -1;
    }
    if (parse_number(r, field[1], 1, &t) != 0 || parse_number(r, field[2], 2, &ev) != 0)
        return -1;
    if (t < 0 || (ev != 0 && ev != 1)) {
        fprintf(stderr, "fit_paad: %s, line %lld: time must be >= 0 and event 0 or 1\n",
                r->path, (long long)r->line);
        return -1;
    }
    if (survival_reserve(s) != 0 || !(s->sample[s->n] = dup_string(field[0]))) {
        fprintf(stderr, "fit_paad: %s: out of memory\n", r->path);
        return -1;
    }
    s->time[s->n] = t;
    s->event[s->n] = (int32_t)ev;
    s->n++;
    return 0;
}

static int read_survival(const char *path, survival *s)
{
    reader r;
    memset(s, 0, sizeof *s);
    if (reader_open(&r, path) != 0)
        return -1;
    int rc = 0, more;
    if (reader_next(&r) != 1 || strcmp(r.buf, "sample\ttime\tevent") != 0) {
        fprintf(stderr, "fit_paad: %s, line 1: expected the header \"sample<TAB>time<TAB>event\"\n",
                path);
        rc = -1;
    }
    while (rc == 0 && (more = reader_next(&r)) == 1)
        if (r.buf[0] != '\0')
            rc = read_survival_row(&r, s);
    if (rc == 0 && more < 0)
        rc = -1;
    reader_close(&r);
    if (rc != 0)
        survival_free(s);
    return rc;
}

/* For each expression sample, the row of the survival table with its id.
 * A linear scan per sample: cohorts have hundreds of samples, not millions. */
static int match_samples(const expression *e, const survival *s, const char *epath,
                         const char *spath, int64_t *row)
{
    for (int64_t j = 0; j < e->n; j++) {
        row[j] = -1;
        for (int64_t i = 0; i < s->n && row[j] < 0; i++)
            if (strcmp(e->sample[j], s->sample[i]) == 0)
                row[j] = i;
        if (row[j] < 0) {
            fprintf(stderr, "fit_paad: sample %s (column %lld of %s) is missing from %s\n",
                    e->sample[j], (long long)(j + 2), epath, spath);
            return -1;
        }
        for (int64_t k = 0; k < j; k++)
            if (row[k] == row[j]) {
                fprintf(stderr, "fit_paad: %s: sample %s appears twice in the header\n", epath,
                        e->sample[j]);
                return -1;
            }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Preprocessing. */

/* X (m x n, column-major) = the paper's preprocessing through the library:
 * desurv_gene_filter keeps the m genes with the smallest sum of mean and
 * variance ranks (in file order), desurv_transform_rank replaces each
 * sample by its within-sample ranks 1 .. m.  Ranks make samples comparable
 * whatever their sequencing depth or scale, and nonnegative as NMF needs.
 * The table holds each gene's n values contiguously, i.e. the transpose of
 * the library's layout, so it is transposed once first. */
static int preprocess(const expression *e, int64_t m, int64_t *keep, double *X)
{
    double *all = malloc((size_t)(e->p * e->n) * sizeof *all);
    if (!all)
        return DESURV_E_NOMEM;
    for (int64_t g = 0; g < e->p; g++)
        for (int64_t j = 0; j < e->n; j++)
            all[g + j * e->p] = e->val[g * e->n + j];
    int rc = desurv_gene_filter(all, e->p, e->n, e->p, m, keep);
    for (int64_t j = 0; rc == DESURV_OK && j < e->n; j++)
        for (int64_t i = 0; i < m; i++)
            X[i + j * m] = all[keep[i] + j * e->p];
    free(all);
    return rc == DESURV_OK ? desurv_transform_rank(X, m, e->n, m) : rc;
}

/* ------------------------------------------------------------------ */
/* Fit and report. */

#define TRY(call)                                                                          \
    do {                                                                                   \
        int rc_ = (call);                                                                  \
        if (rc_ != DESURV_OK) {                                                            \
            fprintf(stderr, "fit_paad: %s failed: %s (%s)\n", #call, desurv_strerror(rc_), \
                    desurv_errmsg(m));                                                     \
            return -1;                                                                     \
        }                                                                                  \
    } while (0)

static int configure(desurv_model *m)
{
    TRY(desurv_set_option(m, DESURV_OPT_K, 3));
    TRY(desurv_set_option(m, DESURV_OPT_ALPHA, 0.5));
    TRY(desurv_set_option(m, DESURV_OPT_LAMBDA, 0.1));
    TRY(desurv_set_option(m, DESURV_OPT_NU, 0.5));
    TRY(desurv_set_option(m, DESURV_OPT_NINIT, 10));
    TRY(desurv_set_option(m, DESURV_OPT_SEED, 1));
    return 0;
}

static double stat(const desurv_model *m, desurv_stat what)
{
    double v = NAN;
    desurv_model_stat(m, what, &v);
    return v;
}

/* desurv_model_top_genes scores gene g for factor r as
 * w_gr / max_g w_gr minus the largest such ratio of g on another factor:
 * high when the gene loads on factor r and on no other. */
static int print_top_genes(const desurv_model *m, char *const *gene, int64_t p, int64_t k,
                           const double *beta)
{
    int64_t ntop = N_TOP < p ? N_TOP : p;
    int64_t *idx = malloc((size_t)(ntop * k) * sizeof *idx);
    double *score = malloc((size_t)(ntop * k) * sizeof *score);
    int rc = idx && score ? desurv_model_top_genes(m, ntop, idx, score) : DESURV_E_NOMEM;
    if (rc == DESURV_OK) {
        printf("top %lld genes per factor (score = w_gr / max_g w_gr minus the largest such\n"
               "ratio of the gene on another factor):\n", (long long)ntop);
        for (int64_t r = 0; r < k; r++) {
            printf("  factor %lld (beta %+.4f):", (long long)(r + 1), beta[r]);
            for (int64_t i = 0; i < ntop; i++)
                printf(" %s(%.2f)", gene[idx[i + r * ntop]], score[i + r * ntop]);
            printf("\n");
        }
    } else {
        fprintf(stderr, "fit_paad: top genes: %s\n", desurv_strerror(rc));
    }
    free(idx);
    free(score);
    return rc == DESURV_OK ? 0 : -1;
}

static int summarise(desurv_model *m, const double *X, const double *time, const int32_t *event,
                     char *const *gene)
{
    int64_t p, n, k;
    TRY(desurv_model_dims(m, &p, &n, &k));
    /* Recompute the training C-index through the public API as a cross-check. */
    double c_check = NAN, *lp = malloc((size_t)n * sizeof *lp);
    double *beta = malloc((size_t)k * sizeof *beta);
    int rc = lp && beta ? DESURV_OK : DESURV_E_NOMEM;
    if (rc == DESURV_OK)
        rc = desurv_model_beta(m, beta);
    if (rc == DESURV_OK)
        rc = desurv_predict(m, X, p, n, p, lp);
    if (rc == DESURV_OK)
        rc = desurv_cindex(time, event, lp, n, &c_check);
    free(lp);
    if (rc != DESURV_OK) {
        fprintf(stderr, "fit_paad: reading the fitted model failed: %s\n", desurv_strerror(rc));
        free(beta);
        return -1;
    }
    printf("model: p = %lld genes, n = %lld samples, k = %lld\n", (long long)p, (long long)n,
           (long long)k);
    printf("iterations: %.0f   converged: %s   best start: %.0f\n",
           stat(m, DESURV_STAT_ITERATIONS), stat(m, DESURV_STAT_CONVERGED) == 1 ? "yes" : "no",
           stat(m, DESURV_STAT_BEST_START));
    printf("loss: %.6f   (NMF %.6f, Cox log-lik %.4f, penalty %.4f)\n", stat(m, DESURV_STAT_LOSS),
           stat(m, DESURV_STAT_NMF_LOSS), stat(m, DESURV_STAT_COX_LOGLIK),
           stat(m, DESURV_STAT_PENALTY_BETA));
    printf("sigma2: %.6g\n", stat(m, DESURV_STAT_SIGMA2));
    printf("training C-index: %.4f   (from predict + desurv_cindex: %.4f)\n",
           stat(m, DESURV_STAT_TRAIN_CINDEX), c_check);
    printf("beta:");
    for (int64_t r = 0; r < k; r++)
        printf(" %+.4f", beta[r]);
    printf("\nW accept rate: %.3f\n", stat(m, DESURV_STAT_W_ACCEPT_RATE));
    rc = print_top_genes(m, gene, p, k, beta);
    free(beta);
    return rc;
}

static int fit_and_report(const double *X, int64_t p, int64_t n, const double *time,
                          const int32_t *event, char *const *gene)
{
    desurv_model *m = NULL;
    if (desurv_model_new(&m) != DESURV_OK) {
        fprintf(stderr, "fit_paad: cannot create a model\n");
        return -1;
    }
    int rc = configure(m);
    if (rc == 0) {
        printf("fit: k = 3, alpha = 0.5, lambda = 0.1, nu = 0.5, ninit = 10, seed = 1 ...\n");
        fflush(stdout);
        int st = desurv_fit(m, X, p, n, p, time, event);
        if (st != DESURV_OK) {
            fprintf(stderr, "fit_paad: desurv_fit failed: %s (%s)\n", desurv_strerror(st),
                    desurv_errmsg(m));
            rc = -1;
        }
    }
    if (rc == 0)
        rc = summarise(m, X, time, event, gene);
    desurv_model_free(m);
    return rc;
}

/* ------------------------------------------------------------------ */

typedef struct prepared {
    int64_t p, n;
    double *X, *time;
    int32_t *event;
    char **gene; /* borrowed from the expression table */
} prepared;

static int prepare(const expression *e, const survival *s, const int64_t *row, prepared *d)
{
    d->n = e->n;
    d->p = e->p < N_KEEP ? e->p : N_KEEP;
    int64_t *keep = malloc((size_t)d->p * sizeof *keep);
    d->gene = malloc((size_t)d->p * sizeof *d->gene);
    d->X = malloc((size_t)(d->p * d->n) * sizeof *d->X);
    d->time = malloc((size_t)d->n * sizeof *d->time);
    d->event = malloc((size_t)d->n * sizeof *d->event);
    int rc = keep && d->gene && d->X && d->time && d->event ? DESURV_OK : DESURV_E_NOMEM;
    if (rc == DESURV_OK)
        rc = preprocess(e, d->p, keep, d->X);
    for (int64_t i = 0; rc == DESURV_OK && i < d->p; i++)
        d->gene[i] = e->gene[keep[i]];
    for (int64_t j = 0; rc == DESURV_OK && j < d->n; j++) {
        d->time[j] = s->time[row[j]];
        d->event[j] = s->event[row[j]];
    }
    free(keep);
    if (rc != DESURV_OK)
        fprintf(stderr, "fit_paad: preprocessing failed: %s\n", desurv_strerror(rc));
    return rc == DESURV_OK ? 0 : -1;
}

static void prepared_free(prepared *d)
{
    free(d->X);
    free(d->time);
    free(d->event);
    free(d->gene);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "data/tcga_paad";
    char epath[4096], spath[4096];
    snprintf(epath, sizeof epath, "%s/expression_log2p1.tsv.gz", dir);
    snprintf(spath, sizeof spath, "%s/survival.tsv.gz", dir);

    expression e;
    survival s;
    prepared d = {0};
    int64_t *row = NULL;
    int rc = 1;
    if (read_expression(epath, &e) != 0)
        return 1;
    if (read_survival(spath, &s) != 0) {
        expression_free(&e);
        return 1;
    }
    row = malloc((size_t)e.n * sizeof *row);
    if (row && match_samples(&e, &s, epath, spath, row) == 0 && prepare(&e, &s, row, &d) == 0) {
        int64_t events = 0;
        for (int64_t j = 0; j < d.n; j++)
            events += d.event[j];
        printf("libdesurv %s\n", desurv_version_string());
        printf("data: %s: %lld genes x %lld samples, %lld events\n", dir, (long long)e.p,
               (long long)e.n, (long long)events);
        printf("preprocessing: the paper's gene filter (%lld genes by mean + variance "
               "rank), within-sample ranks\n",
               (long long)d.p);
        rc = fit_and_report(d.X, d.p, d.n, d.time, d.event, d.gene) == 0 ? 0 : 1;
    }
    prepared_free(&d);
    free(row);
    survival_free(&s);
    expression_free(&e);
    return rc;
}
