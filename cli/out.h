/* out.h - output files: an all-or-nothing output directory, TSV cells and a
 * small JSON writer.
 *
 * Results are computed first and written only after success.  Each file
 * goes to a hidden temporary file in the output directory; when all are
 * complete they are renamed into place with SIGINT and SIGTERM blocked, so
 * an interrupted or failed run leaves no partial file behind (an existing
 * file of an earlier run stays intact until its replacement is complete). */
#ifndef DESURV_CLI_OUT_H
#define DESURV_CLI_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OUT_MAX_FILES 16

typedef int (*writer_fn)(FILE *f, const void *ctx);

typedef struct outdir {
    char dir[1024];
    int created; /* this run created the directory */
    int n;
    char tmp[OUT_MAX_FILES][1200], final[OUT_MAX_FILES][1200];
} outdir;

/* Creates dir (and its parents) if needed and checks that it is writable,
 * before any long computation.  CLI_OK or an exit code (message printed). */
int outdir_prepare(outdir *o, const char *dir);
/* Writes DIR/name's content into its temporary file. */
int outdir_add(outdir *o, const char *name, writer_fn fn, const void *ctx);
int outdir_add_bytes(outdir *o, const char *name, const void *buf, size_t len);
/* Renames every temporary file into place. */
int outdir_commit(outdir *o);
/* Removes the temporary files (and the directory if this run created it
 * and it is empty). */
void outdir_abort(outdir *o);

/* One file at path ("-" = standard output), via a temporary file. */
int write_file(const char *path, writer_fn fn, const void *ctx);

/* A TSV cell: quoted ("a""b") only when it holds a tab, newline, CR or
 * starts with a quote, so ordinary ids are written as they are. */
void tsv_text(FILE *f, const char *s);
/* A number as cli_fmt writes it. */
void tsv_num(FILE *f, double v);

typedef struct json {
    FILE *f;
    int depth;
    int count[16];
    int flat[16];   /* array printed on one line */
    char close[16]; /* '}' or ']' */
} json;

void json_begin(json *j, FILE *f);
void json_end(json *j);
/* key is NULL for array elements. */
void json_num(json *j, const char *key, double v); /* NaN, Inf -> null */
void json_int(json *j, const char *key, int64_t v);
void json_str(json *j, const char *key, const char *s); /* NULL -> null */
void json_bool(json *j, const char *key, int v);
void json_obj(json *j, const char *key);
void json_arr(json *j, const char *key, int flat);
void json_close(json *j); /* ends the innermost object or array */

#endif
