/* io.c - delimited text tables: read, decompress, check, split. */
#include "io.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "cli.h"

/* ---- raw bytes ---- */

/* Reads all of f into *out (plus one spare byte for a terminator). */
static int slurp(FILE *f, const char *path, unsigned char **out, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - 1 - n, f);
        if (n < cap - 1)
            break;
        unsigned char *nb = realloc(buf, cap * 2);
        if (!nb)
            free(buf);
        buf = nb, cap *= 2;
    }
    if (!buf) {
        cli_err("%s: out of memory", path);
        return CLI_FAILURE;
    }
    if (ferror(f)) {
        cli_err("%s: read error: %s", path, strerror(errno));
        free(buf);
        return errno == EISDIR ? CLI_INPUT : CLI_FAILURE;
    }
    *out = buf, *len = n;
    return CLI_OK;
}

static int read_raw(const char *path, file_info *info, unsigned char **raw, size_t *len)
{
    int is_stdin = strcmp(path, "-") == 0;
    snprintf(info->path, sizeof info->path, "%s", is_stdin ? "<stdin>" : path);
    errno = 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        cli_err("cannot open %s: %s", path, strerror(errno));
        return CLI_INPUT;
    }
    int rc = slurp(f, info->path, raw, len);
    if (!is_stdin)
        fclose(f);
    if (rc == CLI_OK) {
        info->bytes = (int64_t)*len;
        /* zlib's crc32 takes a uInt length: feed it in chunks. */
        uLong crc = crc32(0L, Z_NULL, 0);
        for (size_t off = 0; off < *len; off += 1u << 30) {
            size_t chunk = *len - off < (1u << 30) ? *len - off : (1u << 30);
            crc = crc32(crc, *raw + off, (uInt)chunk);
        }
        info->crc32 = (uint32_t)crc;
    }
    return rc;
}

/* ---- gzip ---- */

static int gz_fail(const file_info *info, const char *what, const char *zmsg)
{
    cli_err("%s: %s%s%s", info->path, what, zmsg ? ": " : "", zmsg ? zmsg : "");
    return CLI_INPUT;
}

/* After a gzip member ends: another member may follow (as `cat a.gz b.gz`
 * makes); zero padding is tolerated, anything else is an error.  Returns
 * 1 to go on with the next member, 0 at the end, -(exit code) on error. */
static int next_member(z_stream *zs, const file_info *info)
{
    if (zs->avail_in >= 2 && zs->next_in[0] == 0x1f && zs->next_in[1] == 0x8b)
        return inflateReset(zs) == Z_OK ? 1 : -gz_fail(info, "gzip error", zs->msg);
    for (uInt i = 0; i < zs->avail_in; i++)
        if (zs->next_in[i] != 0)
            return -gz_fail(info, "unexpected data after the end of the gzip stream", NULL);
    return 0;
}

static int grow_out(z_stream *zs, char **out, size_t *cap, size_t used)
{
    size_t ncap = *cap * 2;
    char *nb = realloc(*out, ncap + 1);
    if (!nb) {
        cli_err("out of memory while decompressing");
        return CLI_FAILURE;
    }
    *out = nb, *cap = ncap;
    zs->next_out = (Bytef *)(nb + used);
    zs->avail_out = (uInt)(ncap - used < (1u << 30) ? ncap - used : (1u << 30));
    return CLI_OK;
}

/* Inflates one gzip member after another until the input ends. */
static int inflate_all(z_stream *zs, const file_info *info, char **out, size_t *cap,
                       size_t *used)
{
    for (;;) {
        if (zs->avail_out == 0) {
            *used = (size_t)((char *)zs->next_out - *out);
            if (grow_out(zs, out, cap, *used) != CLI_OK)
                return CLI_FAILURE;
        }
        int zr = inflate(zs, Z_NO_FLUSH);
        if (zr == Z_STREAM_END) {
            int more = next_member(zs, info);
            if (more <= 0) {
                *used = (size_t)((char *)zs->next_out - *out);
                return -more;
            }
            continue;
        }
        if (zr == Z_DATA_ERROR)
            return gz_fail(info, "corrupt gzip data", zs->msg);
        if (zr == Z_MEM_ERROR) {
            cli_err("%s: out of memory while decompressing", info->path);
            return CLI_FAILURE;
        }
        if (zs->avail_in == 0 && zs->avail_out > 0)
            return gz_fail(info, "truncated gzip file (unexpected end of data)", NULL);
    }
}

static int gunzip(const unsigned char *in, size_t inlen, const file_info *info, char **out,
                  size_t *outlen)
{
    if (inlen > (1u << 30) * (size_t)3) {
        cli_err("%s: compressed files above 3 GiB are not supported", info->path);
        return CLI_INPUT;
    }
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    size_t cap = inlen * 4 + 4096, used = 0;
    *out = malloc(cap + 1);
    if (!*out || inflateInit2(&zs, 15 + 16) != Z_OK) {
        free(*out);
        *out = NULL;
        cli_err("out of memory while decompressing %s", info->path);
        return CLI_FAILURE;
    }
    zs.next_in = (Bytef *)(uintptr_t)in; /* zlib's API is not const-correct */
    zs.avail_in = (uInt)inlen;
    zs.next_out = (Bytef *)*out;
    zs.avail_out = (uInt)(cap < (1u << 30) ? cap : (1u << 30));
    int rc = inflate_all(&zs, info, out, &cap, &used);
    inflateEnd(&zs);
    if (rc != CLI_OK) {
        free(*out);
        *out = NULL;
        return rc;
    }
    *outlen = used;
    return CLI_OK;
}

/* ---- text checks ---- */

static int check_text(const table *t)
{
    const unsigned char *b = (const unsigned char *)t->buf;
    if (t->len >= 2 && ((b[0] == 0xff && b[1] == 0xfe) || (b[0] == 0xfe && b[1] == 0xff))) {
        cli_err("%s: UTF-16 encoded text; save the table as UTF-8", t->info.path);
        return CLI_INPUT;
    }
    const char *nul = memchr(t->buf, '\0', t->len);
    if (nul) {
        int64_t line = 1;
        for (const char *c = t->buf; c < nul; c++)
            line += *c == '\n';
        cli_err("%s:%lld: NUL byte: not a text table%s", t->info.path, (long long)line,
                t->info.gzip ? "" : " (a compressed file without .gz magic?)");
        return CLI_INPUT;
    }
    return CLI_OK;
}

/* ---- delimiter ---- */

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static char delim_by_name(const char *path)
{
    char name[1024];
    snprintf(name, sizeof name, "%s", path);
    if (ends_with(name, ".gz"))
        name[strlen(name) - 3] = '\0';
    if (ends_with(name, ".csv"))
        return ',';
    if (ends_with(name, ".tsv") || ends_with(name, ".tab"))
        return '\t';
    return 0;
}

/* A tab in the first line makes the file TSV; otherwise a comma makes it
 * CSV; a single column is TSV. */
static char delim_by_content(const char *buf)
{
    size_t n = strcspn(buf, "\r\n");
    if (memchr(buf, '\t', n))
        return '\t';
    return memchr(buf, ',', n) ? ',' : '\t';
}

int table_open(table *t, const char *path, char delim)
{
    memset(t, 0, sizeof *t);
    unsigned char *raw = NULL;
    size_t rawlen = 0;
    int rc = read_raw(path, &t->info, &raw, &rawlen);
    if (rc != CLI_OK)
        return rc;
    if (rawlen >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
        t->info.gzip = 1;
        rc = gunzip(raw, rawlen, &t->info, &t->buf, &t->len);
        free(raw);
    } else {
        t->buf = (char *)raw, t->len = rawlen;
    }
    if (rc != CLI_OK)
        return rc;
    t->buf[t->len] = '\0'; /* both paths left one spare byte */
    if ((rc = check_text(t)) != CLI_OK) {
        table_close(t);
        return rc;
    }
    if (t->len >= 3 && memcmp(t->buf, "\xef\xbb\xbf", 3) == 0)
        t->pos = 3; /* UTF-8 byte order mark (Excel writes one) */
    t->next_line = 1;
    t->delim = delim ? delim : delim_by_name(path);
    if (!t->delim)
        t->delim = delim_by_content(t->buf + t->pos);
    return CLI_OK;
}

void table_close(table *t)
{
    free(t->buf);
    free(t->field);
    memset(t, 0, sizeof *t);
}

/* ---- records ---- */

static int add_field(table *t, char *f)
{
    if (t->nfield == t->cap) {
        int64_t ncap = t->cap ? 2 * t->cap : 64;
        char **nf = realloc(t->field, (size_t)ncap * sizeof *nf);
        if (!nf) {
            cli_err("%s: out of memory", t->info.path);
            return -CLI_FAILURE;
        }
        t->field = nf, t->cap = ncap;
    }
    t->field[t->nfield++] = f;
    return 0;
}

/* Consumes a line end at pos (LF, CRLF or CR); 1 if there was one. */
static int eat_eol(table *t)
{
    char c = t->buf[t->pos];
    if (c == '\r') {
        t->pos += t->buf[t->pos + 1] == '\n' ? 2 : 1;
    } else if (c == '\n') {
        t->pos++;
    } else {
        return 0;
    }
    t->next_line++;
    return 1;
}

/* A quoted field starting at pos (on the quote).  Unescapes in place. */
static int quoted_field(table *t, char **start)
{
    int64_t line0 = t->next_line;
    char *out = t->buf + t->pos + 1;
    *start = out;
    for (size_t i = t->pos + 1;; i++) {
        char c = t->buf[i];
        if (i >= t->len) {
            cli_err("%s:%lld:%lld: unterminated quoted field (no closing \")", t->info.path,
                    (long long)line0, (long long)(t->nfield + 1));
            return -CLI_INPUT;
        }
        if (c == '"' && t->buf[i + 1] == '"') {
            *out++ = '"', i++;
        } else if (c == '"') {
            t->pos = i + 1;
            break;
        } else {
            t->next_line += c == '\n';
            *out++ = c;
        }
    }
    char c = t->buf[t->pos];
    if (c != t->delim && c != '\n' && c != '\r' && t->pos < t->len) {
        cli_err("%s:%lld:%lld: unexpected '%c' after a closing quote", t->info.path,
                (long long)t->next_line, (long long)(t->nfield + 1), c);
        return -CLI_INPUT;
    }
    *out = '\0';
    return 0;
}

/* Splits the record at pos into fields; pos ends after its line end. */
static int split_record(table *t)
{
    for (;;) {
        char *start;
        if (t->buf[t->pos] == '"') {
            char *quote_end;
            int rc = quoted_field(t, &quote_end);
            if (rc < 0)
                return rc;
            start = quote_end;
        } else {
            start = t->buf + t->pos;
            t->pos += strcspn(start, t->delim == '\t' ? "\t\r\n" : ",\r\n");
        }
        char c = t->buf[t->pos];
        int rc = add_field(t, start);
        if (rc < 0)
            return rc;
        if (c == t->delim) {
            t->buf[t->pos++] = '\0';
            continue;
        }
        if (t->pos < t->len) {
            size_t end = t->pos;
            eat_eol(t);
            t->buf[end] = '\0'; /* after eat_eol: it reads the byte after \r */
        }
        return 1;
    }
}

int table_next(table *t)
{
    for (;;) {
        if (t->pos >= t->len)
            return 0;
        t->line = t->next_line;
        t->nfield = 0;
        if (eat_eol(t))
            continue; /* an empty line */
        return split_record(t);
    }
}

/* ---- cells ---- */

static int is_na(const char *s, size_t n)
{
    static const char *const na[] = {"", "na", "n/a", "nan", "null", "none", ".", "-", "#n/a"};
    for (size_t i = 0; i < sizeof na / sizeof na[0]; i++)
        if (strlen(na[i]) == n && strncasecmp(s, na[i], n) == 0)
            return 1;
    return 0;
}

int cell_number(const char *cell, double *out)
{
    while (*cell == ' ')
        cell++;
    size_t n = strlen(cell);
    while (n > 0 && cell[n - 1] == ' ')
        n--;
    if (is_na(cell, n))
        return CELL_NA;
    char tmp[64];
    if (n >= sizeof tmp)
        return CELL_BAD;
    memcpy(tmp, cell, n);
    tmp[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end == tmp || *end != '\0')
        return CELL_BAD;
    if (isnan(v))
        return CELL_NA;
    *out = v;
    if (isinf(v) || errno == ERANGE)
        return fabs(v) < 1 ? CELL_NUMBER : CELL_INF; /* underflow to ~0 is fine */
    return CELL_NUMBER;
}
