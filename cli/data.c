/* data.c - expression and survival tables: parsing, validation, matching.
 *
 * Every rejection names the first offending place as file:line:column
 * (column = field number, 1-based) together with the gene and sample ids,
 * because the user fixes the file, not our arrays. */
#include "data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* A numeric table with row and column ids, values row-major. */

typedef struct rawmat {
    int64_t nrow, ncol, cap;
    char **row_id, **col_id;
    int64_t *row_line;
    double *v;
    unsigned char *row_na, *col_na; /* some cell of the row / column is NA */
    int64_t n_na;
    strmap rows;
    const char *row_word, *col_word; /* "gene" / "sample" */
} rawmat;

static void rawmat_free(rawmat *r)
{
    cli_free_strings(r->row_id, r->nrow);
    cli_free_strings(r->col_id, r->ncol);
    free(r->row_line), free(r->v), free(r->row_na), free(r->col_na);
    strmap_free(&r->rows);
    memset(r, 0, sizeof *r);
}

/* Column ids from header fields first .. nfield-1; duplicates and empty
 * ids are errors. */
static int set_col_ids(rawmat *r, table *t, int64_t first)
{
    r->ncol = t->nfield - first;
    if (r->ncol < 1) {
        cli_err("%s:%lld: the header has no %s ids (is the delimiter right? this file was "
                "read as %s)", t->info.path, (long long)t->line, r->col_word,
                t->delim == '\t' ? "TSV" : "CSV");
        return CLI_INPUT;
    }
    r->col_id = cli_alloc((size_t)r->ncol, sizeof *r->col_id);
    r->col_na = cli_alloc((size_t)r->ncol, 1);
    strmap seen;
    if (!r->col_id || !r->col_na || strmap_init(&seen, r->ncol) != 0)
        return CLI_FAILURE;
    int rc = CLI_OK;
    for (int64_t c = 0; c < r->ncol && rc == CLI_OK; c++) {
        const char *id = t->field[first + c];
        int64_t old;
        if (!*id) {
            cli_err("%s:%lld:%lld: empty %s id in the header", t->info.path, (long long)t->line,
                    (long long)(first + c + 1), r->col_word);
            rc = CLI_INPUT;
        } else if (strmap_put(&seen, id, c, &old) == 1) {
            cli_err("%s:%lld:%lld: duplicated %s id '%s' (also column %lld)", t->info.path,
                    (long long)t->line, (long long)(first + c + 1), r->col_word, id,
                    (long long)(first + old + 1));
            rc = CLI_INPUT;
        } else if (!(r->col_id[c] = cli_strdup(id))) {
            rc = CLI_FAILURE;
        }
    }
    strmap_free(&seen);
    return rc;
}

static int rawmat_reserve(rawmat *r)
{
    if (r->nrow < r->cap)
        return CLI_OK;
    int64_t nc = r->cap ? 2 * r->cap : 1024;
    char **id = realloc(r->row_id, (size_t)nc * sizeof *id);
    if (id)
        r->row_id = id;
    int64_t *ln = realloc(r->row_line, (size_t)nc * sizeof *ln);
    if (ln)
        r->row_line = ln;
    unsigned char *na = realloc(r->row_na, (size_t)nc);
    if (na)
        r->row_na = na;
    double *v = realloc(r->v, (size_t)nc * (size_t)r->ncol * sizeof *v);
    if (v)
        r->v = v;
    if (!id || !ln || !na || !v) {
        cli_err("out of memory reading %lld rows", (long long)nc);
        return CLI_FAILURE;
    }
    r->cap = nc;
    return CLI_OK;
}

static int cell_error(const table *t, const rawmat *r, int64_t c, const char *cell,
                      const char *what)
{
    cli_err("%s:%lld:%lld: \"%s\" %s (%s %s, %s %s)", t->info.path, (long long)t->line,
            (long long)(c + 2), cell, what, r->row_word, t->field[0], r->col_word,
            r->col_id[c]);
    return CLI_INPUT;
}

/* One value; NA is recorded and stored as 0 (the NA mode decides later). */
static int parse_value(const table *t, rawmat *r, int64_t c, const expr_opts *o, double *out)
{
    const char *cell = t->field[c + 1];
    int kind = cell_number(cell, out);
    if (kind == CELL_NA) {
        if (o->na_mode == NA_ERROR)
            return cell_error(t, r, c, cell, "is a missing value (use --na zero or --na "
                              "drop-gene to accept missing values)");
        r->row_na[r->nrow] = 1, r->col_na[c] = 1, r->n_na++;
        *out = 0;
        return CLI_OK;
    }
    if (kind == CELL_INF)
        return cell_error(t, r, c, cell, "is not finite");
    if (kind == CELL_BAD)
        return cell_error(t, r, c, cell, "is not a number");
    if (*out < 0 && !o->allow_negative)
        return cell_error(t, r, c, cell, "is negative (expression must be >= 0; "
                          "--transform rank accepts any finite values)");
    return CLI_OK;
}

static int add_row(table *t, rawmat *r, const expr_opts *o)
{
    if (t->nfield != r->ncol + 1) {
        cli_err("%s:%lld: %lld fields, expected %lld (a %s id and %lld values, as the header)",
                t->info.path, (long long)t->line, (long long)t->nfield,
                (long long)(r->ncol + 1), r->row_word, (long long)r->ncol);
        return CLI_INPUT;
    }
    const char *id = t->field[0];
    if (!*id) {
        cli_err("%s:%lld:1: empty %s id", t->info.path, (long long)t->line, r->row_word);
        return CLI_INPUT;
    }
    int rc = rawmat_reserve(r);
    if (rc != CLI_OK)
        return rc;
    r->row_na[r->nrow] = 0;
    double *row = r->v + r->nrow * r->ncol;
    for (int64_t c = 0; c < r->ncol; c++)
        if ((rc = parse_value(t, r, c, o, &row[c])) != CLI_OK)
            return rc;
    if (!(r->row_id[r->nrow] = cli_strdup(id)))
        return CLI_FAILURE;
    int64_t old;
    int dup = strmap_put(&r->rows, r->row_id[r->nrow], r->nrow, &old);
    r->row_line[r->nrow] = t->line;
    r->nrow++;
    if (dup == 1) {
        cli_err("%s:%lld:1: duplicated %s id '%s' (also line %lld)", t->info.path,
                (long long)t->line, r->row_word, id, (long long)r->row_line[old]);
        return CLI_INPUT;
    }
    return dup < 0 ? CLI_FAILURE : CLI_OK;
}

/* The header names the columns after a first "row id" column.  R's
 * write.table leaves that first header cell out, so when the first data
 * row has one field more than the header, every header field is an id. */
static int read_rawmat(table *t, rawmat *r, const expr_opts *o)
{
    int more = table_next(t);
    if (more <= 0) {
        if (more == 0)
            cli_err("%s: empty file (no header line)", t->info.path);
        return more == 0 ? CLI_INPUT : -more;
    }
    int64_t hdr_fields = t->nfield, hdr_line = t->line;
    char **hdr = cli_alloc((size_t)hdr_fields, sizeof *hdr);
    if (!hdr || strmap_init(&r->rows, 1024) != 0) {
        free(hdr);
        return CLI_FAILURE;
    }
    memcpy(hdr, t->field, (size_t)hdr_fields * sizeof *hdr); /* in-place fields stay valid */
    more = table_next(t);
    int64_t first = more == 1 && t->nfield == hdr_fields + 1 ? 0 : 1;
    table hview = *t; /* the header record, for set_col_ids' messages */
    hview.field = hdr, hview.nfield = hdr_fields, hview.line = hdr_line;
    int rc = set_col_ids(r, &hview, first);
    free(hdr);
    for (; rc == CLI_OK && more == 1; more = table_next(t))
        rc = add_row(t, r, o);
    if (rc == CLI_OK && more < 0)
        rc = -more;
    if (rc == CLI_OK && r->nrow == 0) {
        cli_err("%s: no data rows after the header", t->info.path);
        rc = CLI_INPUT;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Expression. */

void expr_free(expr *e)
{
    cli_free_strings(e->gene, e->p);
    cli_free_strings(e->sample, e->n);
    free(e->X);
    memset(e, 0, sizeof *e);
}

/* Moves ids and values from r into e (genes x samples, column-major). */
static int rawmat_to_expr(rawmat *r, int transpose, expr *e)
{
    e->p = transpose ? r->ncol : r->nrow;
    e->n = transpose ? r->nrow : r->ncol;
    e->gene = transpose ? r->col_id : r->row_id;
    e->sample = transpose ? r->row_id : r->col_id;
    r->row_id = r->col_id = NULL;
    r->nrow = r->ncol = 0;
    if (transpose) { /* sample rows are already the columns of X */
        e->X = r->v, r->v = NULL;
        return CLI_OK;
    }
    e->X = cli_alloc((size_t)(e->p * e->n), sizeof *e->X);
    if (!e->X)
        return CLI_FAILURE;
    for (int64_t g = 0; g < e->p; g++)
        for (int64_t j = 0; j < e->n; j++)
            e->X[g + j * e->p] = r->v[g * e->n + j];
    return CLI_OK;
}

/* Removes the genes with drop[g] set (--na drop-gene). */
static void drop_genes(expr *e, const unsigned char *drop, const cli_common *c)
{
    int64_t q = 0;
    for (int64_t g = 0; g < e->p; g++) {
        if (drop[g]) {
            if (c->verbose)
                cli_note(c, "dropped gene %s (missing values)", e->gene[g]);
            free(e->gene[g]);
            continue;
        }
        for (int64_t j = 0; j < e->n; j++)
            e->X[q + j * e->p] = e->X[g + j * e->p]; /* q <= g: safe in place */
        e->gene[q++] = e->gene[g];
    }
    /* Now repack the columns from stride p to stride q. */
    for (int64_t j = 0; j < e->n; j++)
        memmove(e->X + j * q, e->X + j * e->p, (size_t)q * sizeof *e->X);
    cli_note(c, "%s: dropped %lld of %lld genes with missing values", e->info.path,
             (long long)(e->p - q), (long long)e->p);
    e->p = q;
}

static int apply_na_mode(rawmat *r, const expr_opts *o, const cli_common *c, expr *e)
{
    if (r->n_na == 0)
        return CLI_OK;
    if (o->na_mode == NA_ZERO) {
        cli_note(c, "%s: %lld missing values set to 0", e->info.path, (long long)r->n_na);
        return CLI_OK;
    }
    const unsigned char *drop = o->transpose ? r->col_na : r->row_na;
    drop_genes(e, drop, c);
    if (e->p == 0) {
        cli_err("%s: every gene has a missing value; nothing is left", e->info.path);
        return CLI_INPUT;
    }
    return CLI_OK;
}

int expr_read(const char *path, const expr_opts *o, const cli_common *c, expr *e)
{
    table t;
    rawmat r;
    memset(e, 0, sizeof *e);
    memset(&r, 0, sizeof r);
    r.row_word = o->transpose ? "sample" : "gene";
    r.col_word = o->transpose ? "gene" : "sample";
    int rc = table_open(&t, path, 0);
    if (rc != CLI_OK)
        return rc;
    e->info = t.info;
    rc = read_rawmat(&t, &r, o);
    table_close(&t);
    if (rc == CLI_OK)
        rc = rawmat_to_expr(&r, o->transpose, e);
    if (rc == CLI_OK)
        rc = apply_na_mode(&r, o, c, e);
    rawmat_free(&r);
    if (rc != CLI_OK) {
        file_info keep = e->info;
        expr_free(e);
        e->info = keep;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Survival. */

void surv_free(surv *s)
{
    cli_free_strings(s->sample, s->n);
    cli_free_strings(s->cohort, s->n);
    free(s->time), free(s->event), free(s->line);
    memset(s, 0, sizeof *s);
}

static const char *const sample_names[] = {"sample", "sample_id", "samples", "id", "patient",
                                           "patient_id", "barcode", NULL};
static const char *const time_names[] = {"time", "os.time", "os_time", "ostime", "survival_time",
                                         "futime", NULL};
static const char *const event_names[] = {"event", "os", "os.event", "os_event", "status",
                                          "fustat", "dead", NULL};

/* Column of the header named `want` (exact) or, when want is NULL, the
 * first of the usual names (case-insensitive); -1 if none. */
static int64_t find_col(const table *t, const char *want, const char *const *usual)
{
    for (int64_t i = 0; want && i < t->nfield; i++)
        if (strcmp(t->field[i], want) == 0)
            return i;
    for (int u = 0; !want && usual[u]; u++)
        for (int64_t i = 0; i < t->nfield; i++)
            if (strcasecmp(t->field[i], usual[u]) == 0)
                return i;
    return -1;
}

typedef struct surv_cols {
    int64_t sample, time, event, select, cohort, nfield;
    const char *cohort_name;
    const char *select_value;
} surv_cols;

static int missing_col(const table *t, const char *what, const char *opt, const char *want)
{
    char hdr[512] = "";
    for (int64_t i = 0; i < t->nfield && strlen(hdr) < 400; i++) {
        strncat(hdr, i ? ", " : "", sizeof hdr - strlen(hdr) - 1);
        strncat(hdr, t->field[i], sizeof hdr - strlen(hdr) - 1);
    }
    if (want)
        cli_err("%s:%lld: no column named '%s' (the header has: %s)", t->info.path,
                (long long)t->line, want, hdr);
    else
        cli_err("%s:%lld: no %s column (the header has: %s); name it with --%s",
                t->info.path, (long long)t->line, what, hdr, opt);
    return CLI_INPUT;
}

/* The cohort column: the one --cohort-col names (an error if absent).
 * Without the option none is used, but a column that looks like one gets a
 * note (never an automatic choice: it would silently change the gene
 * filter and the folds). */
static int cohort_col(const table *t, const surv_opts *o, const cli_common *c, surv_cols *sc)
{
    sc->cohort = -1;
    if (o->cohort_col) {
        sc->cohort = find_col(t, o->cohort_col, NULL);
        sc->cohort_name = o->cohort_col;
        if (sc->cohort < 0)
            return missing_col(t, "cohort", "cohort-col", o->cohort_col);
        return CLI_OK;
    }
    for (int64_t i = 0; i < t->nfield; i++)
        if (strcasecmp(t->field[i], "cohort") == 0) {
            cli_note(c, "%s has a column '%s'; it is not used unless --cohort-col %s is given",
                     t->info.path, t->field[i], t->field[i]);
            break;
        }
    return CLI_OK;
}

static int surv_header(table *t, const surv_opts *o, const cli_common *c, surv_cols *sc)
{
    int more = table_next(t);
    if (more <= 0) {
        if (more == 0)
            cli_err("%s: empty file (no header line)", t->info.path);
        return more == 0 ? CLI_INPUT : -more;
    }
    sc->nfield = t->nfield;
    sc->sample = find_col(t, o->sample_col, sample_names);
    if (sc->sample < 0 && !o->sample_col && t->field[0][0] == '\0')
        sc->sample = 0; /* R's row names column has an empty header cell */
    sc->time = find_col(t, o->time_col, time_names);
    sc->event = find_col(t, o->event_col, event_names);
    sc->select = -1;
    if (sc->sample < 0)
        return missing_col(t, "sample id", "sample-col", o->sample_col);
    if (sc->time < 0)
        return missing_col(t, "survival time", "time-col", o->time_col);
    if (sc->event < 0)
        return missing_col(t, "event", "event-col", o->event_col);
    if (o->select) {
        const char *eq = strchr(o->select, '=');
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(eq - o->select), o->select);
        sc->select = find_col(t, name, NULL);
        sc->select_value = eq + 1;
        if (sc->select < 0)
            return missing_col(t, "selection", "select", name);
    }
    return cohort_col(t, o, c, sc);
}

static int surv_reserve(surv *s, int64_t *cap, int with_cohort)
{
    if (s->n < *cap)
        return CLI_OK;
    int64_t nc = *cap ? 2 * *cap : 256;
    char **id = realloc(s->sample, (size_t)nc * sizeof *id);
    if (id)
        s->sample = id;
    double *tm = realloc(s->time, (size_t)nc * sizeof *tm);
    if (tm)
        s->time = tm;
    int32_t *ev = realloc(s->event, (size_t)nc * sizeof *ev);
    if (ev)
        s->event = ev;
    int64_t *ln = realloc(s->line, (size_t)nc * sizeof *ln);
    if (ln)
        s->line = ln;
    char **co = with_cohort ? realloc(s->cohort, (size_t)nc * sizeof *co) : NULL;
    if (co)
        s->cohort = co;
    if (!id || !tm || !ev || !ln || (with_cohort && !co)) {
        cli_err("out of memory");
        return CLI_FAILURE;
    }
    *cap = nc;
    return CLI_OK;
}

static int surv_cell_error(const table *t, int64_t col, const char *what, const char *sample)
{
    cli_err("%s:%lld:%lld: \"%s\" %s (sample %s)", t->info.path, (long long)t->line,
            (long long)(col + 1), t->field[col], what, sample);
    return CLI_INPUT;
}

static int parse_time_event(const table *t, const surv_cols *sc, double *tm, int32_t *ev)
{
    const char *id = t->field[sc->sample];
    double e;
    int kind = cell_number(t->field[sc->time], tm);
    if (kind == CELL_NA)
        return surv_cell_error(t, sc->time, "is a missing survival time", id);
    if (kind != CELL_NUMBER)
        return surv_cell_error(t, sc->time, kind == CELL_INF ? "is not a finite time"
                                                              : "is not a number", id);
    if (*tm < 0)
        return surv_cell_error(t, sc->time, "is a negative time", id);
    kind = cell_number(t->field[sc->event], &e);
    if (kind == CELL_NA)
        return surv_cell_error(t, sc->event, "is a missing event indicator", id);
    if (kind != CELL_NUMBER || (e != 0 && e != 1))
        return surv_cell_error(t, sc->event, "is not an event indicator (0 = censored, "
                               "1 = event)", id);
    *ev = (int32_t)e;
    return CLI_OK;
}

static int surv_row(table *t, const surv_cols *sc, surv *s, int64_t *cap, strmap *seen)
{
    if (t->nfield != sc->nfield) {
        cli_err("%s:%lld: %lld fields, expected %lld as the header", t->info.path,
                (long long)t->line, (long long)t->nfield, (long long)sc->nfield);
        return CLI_INPUT;
    }
    if (sc->select >= 0 && strcmp(t->field[sc->select], sc->select_value) != 0)
        return CLI_OK;
    const char *id = t->field[sc->sample];
    if (!*id) {
        cli_err("%s:%lld:%lld: empty sample id", t->info.path, (long long)t->line,
                (long long)(sc->sample + 1));
        return CLI_INPUT;
    }
    int rc = surv_reserve(s, cap, sc->cohort >= 0);
    if (rc == CLI_OK)
        rc = parse_time_event(t, sc, &s->time[s->n], &s->event[s->n]);
    if (rc != CLI_OK)
        return rc;
    if (sc->cohort >= 0 && !*t->field[sc->cohort]) {
        cli_err("%s:%lld:%lld: empty cell in the cohort column '%s' (sample %s)",
                t->info.path, (long long)t->line, (long long)(sc->cohort + 1), sc->cohort_name,
                id);
        return CLI_INPUT;
    }
    s->sample[s->n] = cli_strdup(id);
    if (sc->cohort >= 0)
        s->cohort[s->n] = cli_strdup(t->field[sc->cohort]);
    s->line[s->n] = t->line;
    s->n++;
    if (!s->sample[s->n - 1] || (sc->cohort >= 0 && !s->cohort[s->n - 1]))
        return CLI_FAILURE;
    int64_t old;
    int dup = strmap_put(seen, s->sample[s->n - 1], s->n - 1, &old);
    if (dup == 1) {
        cli_err("%s:%lld:%lld: duplicated sample id '%s' (also line %lld)", t->info.path,
                (long long)t->line, (long long)(sc->sample + 1), id, (long long)s->line[old]);
        return CLI_INPUT;
    }
    return dup < 0 ? CLI_FAILURE : CLI_OK;
}

int surv_read(const char *path, const surv_opts *o, const cli_common *c, surv *s)
{
    table t;
    surv_cols sc;
    strmap seen;
    memset(&sc, 0, sizeof sc);
    int64_t cap = 0;
    memset(s, 0, sizeof *s);
    memset(&seen, 0, sizeof seen); /* freed on every path */
    int rc = table_open(&t, path, 0);
    if (rc != CLI_OK)
        return rc;
    s->info = t.info;
    rc = surv_header(&t, o, c, &sc);
    if (rc == CLI_OK && strmap_init(&seen, 256) != 0)
        rc = CLI_FAILURE;
    int more = 0;
    while (rc == CLI_OK && (more = table_next(&t)) == 1)
        rc = surv_row(&t, &sc, s, &cap, &seen);
    if (rc == CLI_OK && more < 0)
        rc = -more;
    if (rc == CLI_OK && s->n == 0) {
        cli_err("%s: no samples%s", t.info.path, o->select ? " selected by --select" : "");
        rc = CLI_INPUT;
    }
    strmap_free(&seen);
    table_close(&t);
    if (rc != CLI_OK) {
        file_info keep = s->info;
        surv_free(s);
        s->info = keep;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Matching. */

void matched_free(matched *m)
{
    free(m->time), free(m->event), free(m->cohort);
    cli_free_strings(m->cohort_name, m->ncohort);
    memset(m, 0, sizeof *m);
}

/* Reports the samples of one file that the other lacks. */
static void report_unmatched(const cli_common *c, const char *file, const char *other,
                             char *const *ids, int64_t n, const unsigned char *used)
{
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++)
        k += !used[i];
    if (k == 0)
        return;
    cli_note(c, "%lld sample%s of %s %s not in %s and %s dropped%s", (long long)k,
             k == 1 ? "" : "s", file, k == 1 ? "is" : "are", other, k == 1 ? "is" : "are",
             c->verbose ? ":" : " (--verbose lists them)");
    for (int64_t i = 0; c->verbose && i < n; i++)
        if (!used[i])
            cli_note(c, "  %s", ids[i]);
}

/* Keeps the expression columns listed in col[0 .. m-1], in order. */
static void keep_columns(expr *e, const int64_t *col, int64_t m)
{
    for (int64_t q = 0; q < m; q++) {
        if (col[q] != q) {
            memmove(e->X + q * e->p, e->X + col[q] * e->p, (size_t)e->p * sizeof *e->X);
            free(e->sample[q]);
            e->sample[q] = e->sample[col[q]];
            e->sample[col[q]] = NULL;
        }
    }
    for (int64_t j = m; j < e->n; j++)
        free(e->sample[j]);
    e->n = m;
}

/* Cohort codes of the matched samples, in order of first appearance;
 * srow[j] = survival row of matched sample j. */
static int code_cohorts(const surv *s, const int64_t *srow, matched *m)
{
    strmap idx;
    m->cohort = cli_alloc((size_t)m->n, sizeof *m->cohort);
    m->cohort_name = cli_alloc((size_t)m->n, sizeof *m->cohort_name);
    if (!m->cohort || !m->cohort_name || strmap_init(&idx, 16) != 0)
        return CLI_FAILURE;
    int rc = CLI_OK;
    for (int64_t j = 0; rc == CLI_OK && j < m->n; j++) {
        const char *name = s->cohort[srow[j]];
        int64_t code = strmap_get(&idx, name);
        if (code < 0) {
            code = m->ncohort;
            if (!(m->cohort_name[code] = cli_strdup(name)) ||
                strmap_put(&idx, m->cohort_name[code], code, NULL) < 0)
                rc = CLI_FAILURE;
            m->ncohort += m->cohort_name[code] != NULL;
        }
        m->cohort[j] = (int32_t)code;
    }
    strmap_free(&idx);
    return rc;
}

static int fill_matched(expr *e, const surv *s, const int64_t *row, matched *m)
{
    int64_t *col = cli_alloc((size_t)e->n, sizeof *col);
    m->time = cli_alloc((size_t)e->n, sizeof *m->time);
    m->event = cli_alloc((size_t)e->n, sizeof *m->event);
    if (!col || !m->time || !m->event) {
        free(col);
        return CLI_FAILURE;
    }
    for (int64_t j = 0; j < e->n; j++) {
        if (row[j] < 0)
            continue;
        col[m->n] = j;
        m->time[m->n] = s->time[row[j]];
        m->event[m->n] = s->event[row[j]];
        m->events += m->event[m->n];
        m->n++;
    }
    keep_columns(e, col, m->n);
    int rc = CLI_OK;
    if (s->cohort) {
        for (int64_t q = 0; q < m->n; q++)
            col[q] = row[col[q]]; /* now the survival row of matched sample q */
        rc = code_cohorts(s, col, m);
    }
    free(col);
    return rc;
}

/* row[j]: the survival row of expression sample j, or -1; the flags mark
 * which samples of each file have a partner. */
static void lookup_rows(const expr *e, const strmap *idx, int64_t *row,
                        unsigned char *used_s, unsigned char *used_e)
{
    for (int64_t j = 0; j < e->n; j++) {
        row[j] = strmap_get(idx, e->sample[j]);
        used_e[j] = row[j] >= 0;
        if (row[j] >= 0)
            used_s[row[j]] = 1;
    }
}

static int check_matched(const expr *e, const surv *s, const matched *m)
{
    if (m->n < 2) {
        cli_err("%lld sample%s in common between %s and %s: at least 2 are needed (are the "
                "sample ids the same in both files?)", (long long)m->n, m->n == 1 ? "" : "s",
                e->info.path, s->info.path);
        return CLI_INPUT;
    }
    if (m->events == 0) {
        cli_err("no events among the %lld matched samples: a survival model needs at least "
                "one event (1 in the event column)", (long long)m->n);
        return CLI_INPUT;
    }
    return CLI_OK;
}

int match_samples(expr *e, const surv *s, const cli_common *c, matched *m)
{
    memset(m, 0, sizeof *m);
    strmap idx;
    memset(&idx, 0, sizeof idx);
    int64_t *row = cli_alloc((size_t)e->n, sizeof *row);
    unsigned char *used_s = cli_alloc((size_t)s->n, 1), *used_e = cli_alloc((size_t)e->n, 1);
    int rc = row && used_s && used_e && strmap_init(&idx, s->n) == 0 ? CLI_OK : CLI_FAILURE;
    for (int64_t i = 0; rc == CLI_OK && i < s->n; i++)
        strmap_put(&idx, s->sample[i], i, NULL);
    if (rc == CLI_OK) {
        lookup_rows(e, &idx, row, used_s, used_e);
        report_unmatched(c, e->info.path, s->info.path, e->sample, e->n, used_e);
        report_unmatched(c, s->info.path, e->info.path, s->sample, s->n, used_s);
        rc = fill_matched(e, s, row, m);
    }
    strmap_free(&idx);
    free(row), free(used_s), free(used_e);
    return rc == CLI_OK ? check_matched(e, s, m) : rc;
}
