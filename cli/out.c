/* out.c - output directory transaction, TSV cells, JSON. */
#include "out.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* ---- directory ---- */

/* mkdir -p; *created = 1 when the last component was made here. */
static int make_dirs(const char *dir, int *created)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dir);
    *created = 0;
    for (char *p = path + 1;; p++) {
        int last = *p == '\0';
        if (*p != '/' && !last)
            continue;
        *p = '\0';
        if (mkdir(path, 0777) == 0) {
            *created = last;
        } else if (errno != EEXIST) {
            cli_err("cannot create directory %s: %s", path, strerror(errno));
            return CLI_FAILURE;
        }
        if (last)
            break;
        *p = '/';
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_err("%s exists and is not a directory", path);
        return CLI_FAILURE;
    }
    return CLI_OK;
}

int outdir_prepare(outdir *o, const char *dir)
{
    memset(o, 0, sizeof *o);
    if (strlen(dir) >= sizeof o->dir - 64) {
        cli_err("output directory name too long: %s", dir);
        return CLI_USAGE;
    }
    snprintf(o->dir, sizeof o->dir, "%s", dir);
    int rc = make_dirs(dir, &o->created);
    if (rc != CLI_OK)
        return rc;
    /* Probe now: finding out after an hour of tuning would be cruel. */
    char probe[1200];
    snprintf(probe, sizeof probe, "%s/.desurv-probe-%ld", dir, (long)getpid());
    FILE *f = fopen(probe, "wb");
    if (!f) {
        cli_err("cannot write into %s: %s", dir, strerror(errno));
        outdir_abort(o);
        return CLI_FAILURE;
    }
    fclose(f);
    remove(probe);
    return CLI_OK;
}

/* Flushes, syncs and closes f; reports a failure against name. */
static int finish(FILE *f, const char *name)
{
    int bad = fflush(f) != 0 || ferror(f);
    if (!bad && f != stdout && fsync(fileno(f)) != 0 && errno != EINVAL)
        bad = 1;
    int err = errno;
    if (f != stdout && fclose(f) != 0)
        bad = 1, err = errno;
    if (bad) {
        cli_err("error writing %s: %s", name, strerror(err));
        return CLI_FAILURE;
    }
    return CLI_OK;
}

static int write_temp(const char *tmp, const char *final, writer_fn fn, const void *ctx)
{
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        cli_err("cannot create %s: %s", tmp, strerror(errno));
        return CLI_FAILURE;
    }
    int rc = fn(f, ctx);
    int rc2 = finish(f, final);
    if (rc != CLI_OK || rc2 != CLI_OK) {
        remove(tmp);
        return rc != CLI_OK ? rc : rc2;
    }
    return CLI_OK;
}

int outdir_add(outdir *o, const char *name, writer_fn fn, const void *ctx)
{
    if (o->n == OUT_MAX_FILES) {
        cli_err("internal error: too many output files");
        return CLI_FAILURE;
    }
    char final[sizeof o->final[0]], tmp[sizeof o->tmp[0]];
    snprintf(final, sizeof final, "%s/%s", o->dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp-%ld", o->dir, name, (long)getpid());
    memcpy(o->final[o->n], final, sizeof final);
    memcpy(o->tmp[o->n], tmp, sizeof tmp);
    int rc = write_temp(o->tmp[o->n], o->final[o->n], fn, ctx);
    if (rc == CLI_OK)
        o->n++;
    return rc;
}

typedef struct bytes {
    const void *buf;
    size_t len;
} bytes;

static int write_bytes(FILE *f, const void *ctx)
{
    const bytes *b = ctx;
    return fwrite(b->buf, 1, b->len, f) == b->len ? CLI_OK : CLI_FAILURE;
}

int outdir_add_bytes(outdir *o, const char *name, const void *buf, size_t len)
{
    bytes b = {buf, len};
    return outdir_add(o, name, write_bytes, &b);
}

int outdir_commit(outdir *o)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    int rc = CLI_OK;
    for (int i = 0; i < o->n; i++) {
        if (rc == CLI_OK && rename(o->tmp[i], o->final[i]) != 0) {
            cli_err("cannot rename %s to %s: %s", o->tmp[i], o->final[i], strerror(errno));
            rc = CLI_FAILURE;
        }
        if (rc != CLI_OK)
            remove(o->tmp[i]);
    }
    o->n = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}

void outdir_abort(outdir *o)
{
    for (int i = 0; i < o->n; i++)
        remove(o->tmp[i]);
    o->n = 0;
    if (o->created)
        rmdir(o->dir); /* fails harmlessly unless empty */
}

int write_file(const char *path, writer_fn fn, const void *ctx)
{
    if (strcmp(path, "-") == 0) {
        int rc = fn(stdout, ctx);
        int rc2 = finish(stdout, "standard output");
        return rc != CLI_OK ? rc : rc2;
    }
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    int rc = write_temp(tmp, path, fn, ctx);
    if (rc == CLI_OK && rename(tmp, path) != 0) {
        cli_err("cannot rename %s to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
        rc = CLI_FAILURE;
    }
    return rc;
}

/* ---- TSV ---- */

void tsv_text(FILE *f, const char *s)
{
    if (!strpbrk(s, "\t\r\n") && s[0] != '"') {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void tsv_num(FILE *f, double v)
{
    char buf[32];
    fputs(cli_fmt(buf, v), f);
}

/* ---- JSON ---- */

static void indent(json *j, int level)
{
    fputc('\n', j->f);
    for (int i = 0; i < level; i++)
        fputs("  ", j->f);
}

static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* Separator, indentation and key before a value. */
static void item(json *j, const char *key)
{
    int d = j->depth;
    if (j->count[d]++ > 0)
        fputc(',', j->f);
    if (j->flat[d])
        fputs(j->count[d] > 1 ? " " : "", j->f);
    else
        indent(j, d + 1); /* members sit one level inside their container */
    if (key) {
        put_string(j->f, key);
        fputs(": ", j->f);
    }
}

void json_begin(json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
    j->close[0] = '}';
    fputc('{', f);
}

void json_end(json *j)
{
    json_close(j);
    fputc('\n', j->f);
}

void json_num(json *j, const char *key, double v)
{
    char buf[32];
    item(j, key);
    fputs(isfinite(v) ? cli_fmt(buf, v) : "null", j->f);
}

void json_int(json *j, const char *key, int64_t v)
{
    item(j, key);
    fprintf(j->f, "%lld", (long long)v);
}

void json_str(json *j, const char *key, const char *s)
{
    item(j, key);
    if (s)
        put_string(j->f, s);
    else
        fputs("null", j->f);
}

void json_bool(json *j, const char *key, int v)
{
    item(j, key);
    fputs(v ? "true" : "false", j->f);
}

static void open_nested(json *j, const char *key, char c, int flat)
{
    item(j, key);
    fputc(c, j->f);
    if (j->depth + 1 >= (int)(sizeof j->count / sizeof j->count[0]))
        return; /* deeper than any summary we write: keep the arrays in bounds */
    j->depth++;
    j->count[j->depth] = 0;
    j->flat[j->depth] = flat;
    j->close[j->depth] = c == '{' ? '}' : ']';
}

void json_obj(json *j, const char *key)
{
    open_nested(j, key, '{', 0);
}

void json_arr(json *j, const char *key, int flat)
{
    open_nested(j, key, '[', flat);
}

void json_close(json *j)
{
    int d = j->depth;
    if (j->count[d] > 0 && !j->flat[d])
        indent(j, d);
    fputc(j->close[d], j->f);
    if (d > 0)
        j->depth--;
}
