/* modelfile.c - the versioned model file: save to / load from memory and
 * files (doc/model-format.md is the byte-level specification).
 *
 * Every integer is little-endian and every double IEEE-754 binary64, both
 * written byte by byte, so the bytes do not depend on the host.  The file
 * is a 32-byte header (with its own CRC-32), a sequence of tagged,
 * length-prefixed sections, and a CRC-32 of everything before it.
 *
 * The reader trusts nothing: each length is checked against the bytes that
 * remain before it is used, each size against the limits of the fitting
 * code (so p * k cannot overflow), each value as desurv_set_option() and
 * desurv_fit() would check it.  Allocation happens only after both
 * checksums passed, and never exceeds the file's size. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/annot.h"
#include "model/model.h"
#include "base/validate.h"

#define HEADER_LEN 32
#define TRAILER_LEN 4
#define SECTION_HEAD 16
#define SEC_REQUIRED 1u

static const unsigned char magic[8] = {0x89, 'D', 'E', 'S', 'U', 'R', 'V', '\n'};

/* Section tags of format version 1. */
#define TAG_OPTS "OPTS"
#define TAG_FIT "FITD"
#define TAG_GENES "GNAM"
#define TAG_SAMPLES "SNAM"
#define TAG_META "META"
/* Format version 2: the per-gene offset b of the fit (optional: a reader
 * that skips it still predicts exactly, since predictions do not use b). */
#define TAG_OFFSET "OFFS"

/* ---- CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib) ---- */

/* Four bits at a time: a 16-entry table that can be a constant, so there is
 * no lazily-built global. */
static const uint32_t crc_nibble[16] = {
    0x00000000U, 0x1DB71064U, 0x3B6E20C8U, 0x26D930ACU, 0x76DC4190U, 0x6B6B51F4U,
    0x4DB26158U, 0x5005713CU, 0xEDB88320U, 0xF00F9344U, 0xD6D6A3E8U, 0xCB61B38CU,
    0x9B64C2B0U, 0x86D3D2D4U, 0xA00AE278U, 0xBDBDF21CU};

static uint32_t crc32_of(const unsigned char *p, size_t len)
{
    uint32_t c = 0xFFFFFFFFU;
    for (size_t i = 0; i < len; i++) {
        c ^= p[i];
        c = (c >> 4) ^ crc_nibble[c & 15];
        c = (c >> 4) ^ crc_nibble[c & 15];
    }
    return c ^ 0xFFFFFFFFU;
}

/* ---- little-endian encoding ------------------------------------------ */

static void le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t rd32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static uint64_t rd64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* The bit pattern of a double (IEEE-754 binary64 is what C11 Annex F and
 * every platform we build on use; memcpy keeps NaN payloads and -0). */
static uint64_t f64_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double bits_f64(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* ---- writer ------------------------------------------------------------
 * One pass counts (out == NULL), a second one writes: the size and the
 * bytes come from the same code, so they cannot disagree. */

typedef struct writer {
    unsigned char *out; /* NULL: only count */
    uint64_t pos;
} writer;

static void w_bytes(writer *w, const void *src, size_t len)
{
    if (w->out && len)
        memcpy(w->out + w->pos, src, len);
    w->pos += len;
}

static void w_u8(writer *w, unsigned v)
{
    if (w->out)
        w->out[w->pos] = (unsigned char)v;
    w->pos += 1;
}

static void w_u32(writer *w, uint32_t v)
{
    if (w->out)
        le32(w->out + w->pos, v);
    w->pos += 4;
}

static void w_u64(writer *w, uint64_t v)
{
    if (w->out)
        le64(w->out + w->pos, v);
    w->pos += 8;
}

static void w_f64s(writer *w, const double *v, int64_t n)
{
    if (w->out)
        for (int64_t i = 0; i < n; i++)
            le64(w->out + w->pos + 8 * (uint64_t)i, f64_bits(v[i]));
    w->pos += 8 * (uint64_t)n;
}

/* Section header; returns where its length goes, patched by sec_end(). */
static uint64_t sec_begin(writer *w, const char *tag, uint32_t flags)
{
    w_bytes(w, tag, 4);
    w_u32(w, flags);
    uint64_t at = w->pos;
    w_u64(w, 0);
    return at;
}

static void sec_end(writer *w, uint64_t at)
{
    if (w->out)
        le64(w->out + at, w->pos - (at + 8));
}

static void w_names(writer *w, const desurv_model *m, int which, const char *tag)
{
    int64_t count = dsv_names_in_effect(m, which);
    if (count == 0)
        return;
    uint64_t at = sec_begin(w, tag, 0);
    w_u64(w, (uint64_t)count);
    for (int64_t i = 0; i < count; i++) {
        const char *s = m->names[which] + m->name_off[which][i];
        size_t len = strlen(s);
        w_u32(w, (uint32_t)len);
        w_bytes(w, s, len);
    }
    sec_end(w, at);
}

static void encode(const desurv_model *m, writer *w)
{
    /* header, completed at the end */
    w_bytes(w, magic, sizeof magic);
    w_u32(w, DESURV_MODEL_FORMAT);
    w_u32(w, (uint32_t)DESURV_VERSION_NUMBER);
    w_u64(w, 0); /* total length */
    w_u32(w, 0); /* flags */
    w_u32(w, 0); /* header CRC */

    uint64_t at = sec_begin(w, TAG_OPTS, SEC_REQUIRED);
    w_u32(w, DESURV_OPT_COUNT);
    w_f64s(w, m->opt, DESURV_OPT_COUNT);
    sec_end(w, at);

    if (m->fitted) {
        at = sec_begin(w, TAG_FIT, SEC_REQUIRED);
        w_u64(w, (uint64_t)m->p);
        w_u64(w, (uint64_t)m->n);
        w_u64(w, (uint64_t)m->k);
        w_u32(w, DESURV_OPT_COUNT);
        w_f64s(w, m->fit_opt, DESURV_OPT_COUNT);
        w_u32(w, DESURV_STAT_COUNT);
        w_f64s(w, m->stat, DESURV_STAT_COUNT);
        w_u64(w, (uint64_t)m->trace_len);
        w_f64s(w, m->trace, m->trace_len);
        w_f64s(w, m->W, m->p * m->k);
        w_f64s(w, m->H, m->k * m->n);
        w_f64s(w, m->beta, m->k);
        w_f64s(w, m->zmean, m->k);
        w_f64s(w, m->zsd, m->k);
        sec_end(w, at);
        if (m->b) {
            at = sec_begin(w, TAG_OFFSET, 0);
            w_u64(w, (uint64_t)m->p);
            w_f64s(w, m->b, m->p);
            sec_end(w, at);
        }
    }

    w_names(w, m, DESURV_NAMES_GENES, TAG_GENES);
    w_names(w, m, DESURV_NAMES_SAMPLES, TAG_SAMPLES);

    if (m->meta_len > 0) {
        at = sec_begin(w, TAG_META, 0);
        w_u32(w, (uint32_t)m->meta_len);
        for (int64_t i = 0; i < m->meta_len; i++) {
            const dsv_meta *e = &m->meta[i];
            size_t klen = strlen(e->key);
            w_u8(w, (unsigned)klen);
            w_bytes(w, e->key, klen);
            w_u8(w, e->is_string ? 1 : 0);
            w_u64(w, (uint64_t)e->len);
            if (e->is_string)
                w_bytes(w, e->s, (size_t)e->len);
            else
                w_f64s(w, e->v, e->len);
        }
        sec_end(w, at);
    }

    w_u32(w, 0); /* trailer CRC */

    if (w->out) {
        uint64_t total = w->pos;
        le64(w->out + 16, total);
        le32(w->out + 28, crc32_of(w->out, 28));
        le32(w->out + total - 4, crc32_of(w->out, (size_t)(total - 4)));
    }
}

/* Size of the encoding; every part is already in memory, so it fits
 * comfortably in 64 bits, but it must also fit size_t and int64_t. */
static int encoded_size(const desurv_model *m, size_t *size)
{
    writer w = {NULL, 0};
    encode(m, &w);
    if (w.pos > (uint64_t)INT64_MAX || w.pos > SIZE_MAX)
        return DESURV_E_NOMEM;
    *size = (size_t)w.pos;
    return DESURV_OK;
}

int desurv_model_save(const desurv_model *m, void *buf, int64_t cap, int64_t *len)
{
    if (!m || !len)
        return DESURV_E_NULL;
    size_t size;
    int rc = encoded_size(m, &size);
    if (rc != DESURV_OK)
        return rc;
    *len = (int64_t)size;
    if (!buf)
        return DESURV_OK;
    if (cap < (int64_t)size)
        return DESURV_E_BUFFER;
    writer w = {buf, 0};
    encode(m, &w);
    return DESURV_OK;
}

/* ---- messages ------------------------------------------------------------ */

typedef struct msgbuf {
    char *buf;
    size_t cap;
} msgbuf;

static msgbuf msg_init(char *errbuf, int64_t errcap)
{
    msgbuf mb = {NULL, 0};
    if (errbuf && errcap > 0) {
        mb.buf = errbuf;
        mb.cap = (uint64_t)errcap > SIZE_MAX ? SIZE_MAX : (size_t)errcap;
        errbuf[0] = '\0';
    }
    return mb;
}

/* Record a message (when wanted) and return code. */
static int fail(msgbuf *mb, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(msgbuf *mb, int code, const char *fmt, ...)
{
    if (mb && mb->buf) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(mb->buf, mb->cap, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ---- reader ---------------------------------------------------------- */

/* A bounded view of the bytes of one section's payload. */
typedef struct reader {
    const unsigned char *b;
    uint64_t pos, end;
    const char *sec; /* section name for messages */
    msgbuf *mb;
} reader;

static uint64_t left(const reader *r)
{
    return r->end - r->pos;
}

static int need(reader *r, uint64_t bytes, const char *what)
{
    if (bytes > left(r))
        return fail(r->mb, DESURV_E_FORMAT,
                    "malformed section %s: %s needs %llu bytes at offset %llu, %llu remain",
                    r->sec, what, (unsigned long long)bytes, (unsigned long long)r->pos,
                    (unsigned long long)left(r));
    return DESURV_OK;
}

static int r_u8(reader *r, const char *what, unsigned *v)
{
    int rc = need(r, 1, what);
    if (rc == DESURV_OK)
        *v = r->b[r->pos++];
    return rc;
}

static int r_u32(reader *r, const char *what, uint32_t *v)
{
    int rc = need(r, 4, what);
    if (rc == DESURV_OK) {
        *v = rd32(r->b + r->pos);
        r->pos += 4;
    }
    return rc;
}

static int r_u64(reader *r, const char *what, uint64_t *v)
{
    int rc = need(r, 8, what);
    if (rc == DESURV_OK) {
        *v = rd64(r->b + r->pos);
        r->pos += 8;
    }
    return rc;
}

/* need() for n items of size bytes each, without overflowing. */
static int need_n(reader *r, uint64_t n, uint64_t size, const char *what)
{
    return need(r, n > UINT64_MAX / size ? UINT64_MAX : n * size, what);
}

/* Read n doubles into out. */
static int r_f64s(reader *r, const char *what, double *out, uint64_t n)
{
    int rc = need_n(r, n, 8, what);
    if (rc != DESURV_OK)
        return rc;
    for (uint64_t i = 0; i < n; i++)
        out[i] = bits_f64(rd64(r->b + r->pos + 8 * i));
    r->pos += 8 * n;
    return DESURV_OK;
}

static int r_done(reader *r)
{
    if (left(r) != 0)
        return fail(r->mb, DESURV_E_FORMAT, "malformed section %s: %llu unexpected bytes at its end",
                    r->sec, (unsigned long long)left(r));
    return DESURV_OK;
}

static const char *value_problem(const dsv_option_info *o, double v, int unset_ok)
{
    if (unset_ok && v == 0)
        return NULL;
    if (isnan(v))
        return "is NaN";
    if (!(v >= o->lo && v <= o->hi))
        return "is out of bounds";
    if (o->integral && v != floor(v))
        return "is not an integer";
    return NULL;
}

/* count option values (the file's) into opt (the reader's table): values
 * this library does not know are skipped, options the file lacks keep
 * their defaults. */
static int r_options(reader *r, double *opt, int k_unset_ok)
{
    uint32_t count;
    int rc = r_u32(r, "the option count", &count);
    if (rc != DESURV_OK)
        return rc;
    rc = need_n(r, count, 8, "the option values");
    if (rc != DESURV_OK)
        return rc;
    /* A file from before an option existed was made by a library that
     * behaved as these values do (version 1: no offset, multiplicative
     * H-step), not as today's defaults. */
    if (count <= DESURV_OPT_OFFSET)
        opt[DESURV_OPT_OFFSET] = DESURV_OFFSET_NONE;
    if (count <= DESURV_OPT_HSTEP)
        opt[DESURV_OPT_HSTEP] = DESURV_HSTEP_MU;
    if (count <= DESURV_OPT_WSTEP)
        opt[DESURV_OPT_WSTEP] = DESURV_WSTEP_MU;
    const dsv_option_info *tab = dsv_option_table();
    for (uint32_t i = 0; i < count; i++) {
        double v = bits_f64(rd64(r->b + r->pos));
        r->pos += 8;
        if (i >= DESURV_OPT_COUNT)
            continue;
        const char *why = value_problem(&tab[i], v, k_unset_ok && i == DESURV_OPT_K);
        if (why)
            return fail(r->mb, DESURV_E_FORMAT, "malformed section %s: option %s = %.17g %s",
                        r->sec, tab[i].name, v, why);
        opt[i] = v;
    }
    return DESURV_OK;
}

static int sec_options(reader *r, desurv_model *m)
{
    int rc = r_options(r, m->opt, 1);
    return rc != DESURV_OK ? rc : r_done(r);
}

/* Every entry finite (and nonnegative when nonneg). */
static int check_values(reader *r, const char *name, const double *v, int64_t rows, int64_t cols,
                        int nonneg)
{
    for (int64_t j = 0; j < cols; j++)
        for (int64_t i = 0; i < rows; i++) {
            double x = v[i + j * rows];
            if (isfinite(x) && !(nonneg && x < 0))
                continue;
            if (cols == 1)
                return fail(r->mb, DESURV_E_FORMAT, "malformed section %s: %s[%lld] = %g",
                            r->sec, name, (long long)i, x);
            return fail(r->mb, DESURV_E_FORMAT, "malformed section %s: %s[%lld, %lld] = %g",
                        r->sec, name, (long long)i, (long long)j, x);
        }
    return DESURV_OK;
}

static double *alloc_doubles(uint64_t n)
{
    /* n is bounded by the file size / 8 here; + 1 avoids malloc(0). */
    return malloc((size_t)(n + 1) * sizeof(double));
}

/* The offset of the fit (after FITD, whose p it must match). */
static int sec_offset(reader *r, desurv_model *m)
{
    if (!m->fitted)
        return fail(r->mb, DESURV_E_FORMAT, "malformed section %s: an offset without a fit",
                    r->sec);
    uint64_t p;
    int rc = r_u64(r, "the gene count", &p);
    if (rc != DESURV_OK)
        return rc;
    if (p != (uint64_t)m->p)
        return fail(r->mb, DESURV_E_FORMAT, "malformed section %s: %llu offsets for %lld genes",
                    r->sec, (unsigned long long)p, (long long)m->p);
    rc = need_n(r, p, 8, "the offsets");
    if (rc != DESURV_OK)
        return rc;
    double *b = alloc_doubles(p);
    if (!b)
        return fail(r->mb, DESURV_E_NOMEM, "out of memory loading %llu offsets",
                    (unsigned long long)p);
    rc = r_f64s(r, "b", b, p);
    if (rc == DESURV_OK)
        rc = check_values(r, "b", b, m->p, 1, 1);
    if (rc == DESURV_OK)
        rc = r_done(r);
    if (rc != DESURV_OK) {
        free(b);
        return rc;
    }
    free(m->b);
    m->b = b;
    return DESURV_OK;
}


static int sec_fit(reader *r, desurv_model *m)
{
    uint64_t p, n, k;
    int rc = r_u64(r, "p", &p);
    if (rc == DESURV_OK)
        rc = r_u64(r, "n", &n);
    if (rc == DESURV_OK)
        rc = r_u64(r, "k", &k);
    if (rc != DESURV_OK)
        return rc;
    /* The limits of desurv_fit: p, n, k >= 1, k <= min(p, n), p (k + 1) and
     * n (k + 1) within the BLAS integer.  Each is < 2^31 first, so the
     * products cannot overflow 64 bits. */
    uint64_t lim = (uint64_t)DSV_BLAS_INT_MAX;
    if (p < 1 || n < 1 || k < 1 || p > lim || n > lim || k > lim || k > p || k > n ||
        p * (k + 1) > lim || n * (k + 1) > lim)
        return fail(r->mb, DESURV_E_FORMAT, "malformed section %s: impossible dimensions "
                    "p = %llu, n = %llu, k = %llu", r->sec, (unsigned long long)p,
                    (unsigned long long)n, (unsigned long long)k);
    double fopt[DESURV_OPT_COUNT];
    dsv_options_default(fopt);
    fopt[DESURV_OPT_K] = 0;
    rc = r_options(r, fopt, 0);
    if (rc != DESURV_OK)
        return rc;
    if (fopt[DESURV_OPT_K] != (double)k)
        return fail(r->mb, DESURV_E_FORMAT, "malformed section %s: fit option k = %g but k = %llu",
                    r->sec, fopt[DESURV_OPT_K], (unsigned long long)k);
    uint32_t nstat;
    rc = r_u32(r, "the statistics count", &nstat);
    if (rc != DESURV_OK)
        return rc;
    rc = need_n(r, nstat, 8, "the statistics");
    if (rc != DESURV_OK)
        return rc;
    double stat[DESURV_STAT_COUNT];
    for (int i = 0; i < DESURV_STAT_COUNT; i++)
        stat[i] = NAN; /* statistics the file lacks */
    for (uint32_t i = 0; i < nstat; i++) {
        double v = bits_f64(rd64(r->b + r->pos));
        r->pos += 8;
        if (i < DESURV_STAT_COUNT)
            stat[i] = v;
    }
    uint64_t tlen;
    rc = r_u64(r, "the trace length", &tlen);
    if (rc != DESURV_OK)
        return rc;
    uint64_t arrays = p * k + k * n + 3 * k; /* < 2^33 */
    if (left(r) / 8 < tlen || (left(r) - 8 * tlen) != 8 * arrays)
        return fail(r->mb, DESURV_E_FORMAT,
                    "malformed section %s: %llu bytes for the trace and the factors, "
                    "expected %llu", r->sec, (unsigned long long)left(r),
                    (unsigned long long)(8 * (tlen + arrays)));
    double *trace = alloc_doubles(tlen), *W = alloc_doubles(p * k), *H = alloc_doubles(k * n);
    double *beta = alloc_doubles(k), *zmean = alloc_doubles(k), *zsd = alloc_doubles(k);
    if (!trace || !W || !H || !beta || !zmean || !zsd) {
        rc = fail(r->mb, DESURV_E_NOMEM, "out of memory loading a %llu x %llu model of rank %llu",
                  (unsigned long long)p, (unsigned long long)n, (unsigned long long)k);
        goto out;
    }
    /* the lengths were checked above, so these reads cannot fail */
    rc = r_f64s(r, "the trace", trace, tlen);
    if (rc == DESURV_OK)
        rc = r_f64s(r, "W", W, p * k);
    if (rc == DESURV_OK)
        rc = r_f64s(r, "H", H, k * n);
    if (rc == DESURV_OK)
        rc = r_f64s(r, "beta", beta, k);
    if (rc == DESURV_OK)
        rc = r_f64s(r, "zmean", zmean, k);
    if (rc == DESURV_OK)
        rc = r_f64s(r, "zsd", zsd, k);
    int64_t P = (int64_t)p, N = (int64_t)n, K = (int64_t)k;
    if (rc == DESURV_OK)
        rc = check_values(r, "W", W, P, K, 1);
    if (rc == DESURV_OK)
        rc = check_values(r, "H", H, K, N, 1);
    if (rc == DESURV_OK)
        rc = check_values(r, "beta", beta, K, 1, 0);
    if (rc == DESURV_OK)
        rc = check_values(r, "zmean", zmean, K, 1, 0);
    if (rc == DESURV_OK)
        rc = check_values(r, "zsd", zsd, K, 1, 0);
    if (rc == DESURV_OK)
        rc = r_done(r);
    if (rc != DESURV_OK)
        goto out;
    m->p = P, m->n = N, m->k = K;
    m->W = W, m->H = H, m->beta = beta, m->zmean = zmean, m->zsd = zsd, m->trace = trace;
    m->trace_len = (int64_t)tlen;
    memcpy(m->fit_opt, fopt, sizeof fopt);
    memcpy(m->stat, stat, sizeof stat);
    m->fitted = 1;
    return DESURV_OK;
out:
    free(trace), free(W), free(H), free(beta), free(zmean), free(zsd);
    return rc;
}

static int sec_names(reader *r, desurv_model *m, int which)
{
    const char *what = which == DESURV_NAMES_GENES ? "gene" : "sample";
    uint64_t count;
    int rc = r_u64(r, "the name count", &count);
    if (rc != DESURV_OK)
        return rc;
    /* each name takes at least its 4-byte length */
    if (count < 1 || count > left(r) / 4)
        return fail(r->mb, DESURV_E_FORMAT,
                    "malformed section %s: %llu names in %llu bytes", r->sec,
                    (unsigned long long)count, (unsigned long long)left(r));
    if (m->fitted && count != (uint64_t)(which == DESURV_NAMES_GENES ? m->p : m->n))
        return fail(r->mb, DESURV_E_FORMAT, "malformed section %s: %llu %s names for %lld %ss",
                    r->sec, (unsigned long long)count, what,
                    (long long)(which == DESURV_NAMES_GENES ? m->p : m->n), what);
    /* The strings with their NULs take at most the bytes left (4-byte
     * lengths become 1-byte NULs). */
    char *blob = malloc((size_t)left(r) + 1);
    int64_t *off = malloc((size_t)count * sizeof *off);
    if (!blob || !off) {
        free(blob), free(off);
        return fail(r->mb, DESURV_E_NOMEM, "out of memory loading %llu %s names",
                    (unsigned long long)count, what);
    }
    size_t pos = 0;
    for (uint64_t i = 0; i < count; i++) {
        uint32_t len;
        rc = r_u32(r, "a name length", &len);
        if (rc == DESURV_OK)
            rc = need(r, len, "a name");
        if (rc == DESURV_OK && memchr(r->b + r->pos, 0, len))
            rc = fail(r->mb, DESURV_E_FORMAT, "malformed section %s: %s name %llu contains NUL",
                      r->sec, what, (unsigned long long)i);
        if (rc == DESURV_OK && len > DSV_STRING_MAX)
            rc = fail(r->mb, DESURV_E_FORMAT, "malformed section %s: %s name %llu is too long",
                      r->sec, what, (unsigned long long)i);
        if (rc != DESURV_OK) {
            free(blob), free(off);
            return rc;
        }
        memcpy(blob + pos, r->b + r->pos, len);
        blob[pos + len] = '\0';
        off[i] = (int64_t)pos;
        pos += (size_t)len + 1;
        r->pos += len;
    }
    rc = r_done(r);
    if (rc != DESURV_OK) {
        free(blob), free(off);
        return rc;
    }
    dsv_names_take(m, which, blob, off, (int64_t)count);
    return DESURV_OK;
}

static int sec_meta(reader *r, desurv_model *m)
{
    uint32_t count;
    int rc = r_u32(r, "the entry count", &count);
    char prev[DESURV_META_KEY_MAX + 1] = "";
    for (uint32_t i = 0; rc == DESURV_OK && i < count; i++) {
        dsv_meta e = {0};
        unsigned klen, type;
        uint64_t len;
        rc = r_u8(r, "a key length", &klen);
        if (rc == DESURV_OK)
            rc = need(r, klen, "a key");
        if (rc != DESURV_OK)
            break;
        const char *why = dsv_meta_key_problem((const char *)r->b + r->pos, klen);
        if (why)
            return fail(r->mb, DESURV_E_FORMAT, "malformed section %s: key %u %s", r->sec,
                        (unsigned)i, why);
        memcpy(e.key, r->b + r->pos, klen);
        e.key[klen] = '\0';
        r->pos += klen;
        if (i > 0 && strcmp(prev, e.key) >= 0)
            return fail(r->mb, DESURV_E_FORMAT,
                        "malformed section %s: key \"%s\" out of order or repeated", r->sec,
                        e.key);
        memcpy(prev, e.key, klen + 1);
        rc = r_u8(r, "a value type", &type);
        if (rc == DESURV_OK)
            rc = r_u64(r, "a value length", &len);
        if (rc != DESURV_OK)
            break;
        if (type == 0) {
            rc = need_n(r, len, 8, "a value");
            if (rc != DESURV_OK)
                break;
            e.v = alloc_doubles(len);
            if (!e.v)
                return fail(r->mb, DESURV_E_NOMEM, "out of memory loading metadata");
            (void)r_f64s(r, "a value", e.v, len); /* length checked above */
        } else if (type == 1) {
            rc = need(r, len, "a value");
            if (rc != DESURV_OK)
                break;
            if (len > DSV_STRING_MAX || memchr(r->b + r->pos, 0, (size_t)len))
                return fail(r->mb, DESURV_E_FORMAT,
                            "malformed section %s: the string of \"%s\" contains NUL", r->sec,
                            e.key);
            e.is_string = 1;
            e.s = malloc((size_t)len + 1);
            if (!e.s)
                return fail(r->mb, DESURV_E_NOMEM, "out of memory loading metadata");
            memcpy(e.s, r->b + r->pos, (size_t)len);
            e.s[len] = '\0';
            r->pos += len;
        } else {
            return fail(r->mb, DESURV_E_FORMAT, "malformed section %s: \"%s\" has type %u",
                        r->sec, e.key, type);
        }
        e.len = (int64_t)len;
        if (dsv_meta_put(m, &e) != DESURV_OK) {
            free(e.v), free(e.s);
            return fail(r->mb, DESURV_E_NOMEM, "out of memory loading metadata");
        }
    }
    return rc != DESURV_OK ? rc : r_done(r);
}

/* Header checks shared by the memory and file readers: magic, header CRC,
 * version.  On success *total is the length the header declares. */
static int check_header(const unsigned char *b, uint64_t len, uint64_t *total, msgbuf *mb)
{
    if (len == 0)
        return fail(mb, DESURV_E_FORMAT, "empty: not a libdesurv model file");
    uint64_t head = len < sizeof magic ? len : sizeof magic;
    if (memcmp(b, magic, (size_t)head) != 0)
        return fail(mb, DESURV_E_FORMAT, "not a libdesurv model file (no model-file signature)");
    if (len < HEADER_LEN)
        return fail(mb, DESURV_E_FORMAT, "truncated: %llu bytes, the header alone has %d",
                    (unsigned long long)len, HEADER_LEN);
    uint32_t want = rd32(b + 28), got = crc32_of(b, 28);
    if (want != got)
        return fail(mb, DESURV_E_CHECKSUM,
                    "damaged: header checksum mismatch (stored %08lx, computed %08lx)",
                    (unsigned long)want, (unsigned long)got);
    uint32_t version = rd32(b + 8), lib = rd32(b + 12);
    if (version == 0)
        return fail(mb, DESURV_E_FORMAT, "malformed header: format version 0");
    if (version > DESURV_MODEL_FORMAT)
        return fail(mb, DESURV_E_VERSION,
                    "format version %lu (written by libdesurv %lu.%lu.%lu) is newer than the "
                    "version %d this libdesurv %s reads", (unsigned long)version,
                    (unsigned long)(lib / 10000), (unsigned long)(lib / 100 % 100),
                    (unsigned long)(lib % 100), DESURV_MODEL_FORMAT, DESURV_VERSION_STRING);
    *total = rd64(b + 16);
    if (*total < HEADER_LEN + TRAILER_LEN)
        return fail(mb, DESURV_E_FORMAT, "malformed header: length %llu",
                    (unsigned long long)*total);
    return DESURV_OK;
}

typedef struct section_ref {
    const char *tag;
    uint64_t pos, len;
    int seen;
} section_ref;

static int load_core(desurv_model **out, const unsigned char *b, uint64_t len, msgbuf *mb)
{
    uint64_t total = 0;
    int rc = check_header(b, len, &total, mb);
    if (rc != DESURV_OK)
        return rc;
    if (len < total)
        return fail(mb, DESURV_E_FORMAT, "truncated: %llu bytes, the header says %llu",
                    (unsigned long long)len, (unsigned long long)total);
    if (len > total)
        return fail(mb, DESURV_E_FORMAT, "unexpected data after the model's %llu bytes",
                    (unsigned long long)total);
    if (total > SIZE_MAX)
        return fail(mb, DESURV_E_NOMEM, "a model of %llu bytes does not fit in memory",
                    (unsigned long long)total);
    uint32_t want = rd32(b + total - 4), got = crc32_of(b, (size_t)(total - 4));
    if (want != got)
        return fail(mb, DESURV_E_CHECKSUM,
                    "damaged: checksum mismatch (stored %08lx, computed %08lx)",
                    (unsigned long)want, (unsigned long)got);

    /* Pass 1: the section table. */
    enum { S_OPTS, S_FIT, S_OFFSET, S_GENES, S_SAMPLES, S_META, S_COUNT };
    section_ref sec[S_COUNT] = {
        {TAG_OPTS, 0, 0, 0}, {TAG_FIT, 0, 0, 0}, {TAG_OFFSET, 0, 0, 0}, {TAG_GENES, 0, 0, 0},
        {TAG_SAMPLES, 0, 0, 0}, {TAG_META, 0, 0, 0}};
    uint64_t pos = HEADER_LEN, end = total - TRAILER_LEN;
    while (pos < end) {
        if (end - pos < SECTION_HEAD)
            return fail(mb, DESURV_E_FORMAT, "malformed: section header at offset %llu is cut off",
                        (unsigned long long)pos);
        char tag[5];
        memcpy(tag, b + pos, 4);
        tag[4] = '\0';
        uint32_t flags = rd32(b + pos + 4);
        uint64_t slen = rd64(b + pos + 8);
        if (dsv_meta_key_problem(tag, 4))
            return fail(mb, DESURV_E_FORMAT, "malformed: bad section tag at offset %llu",
                        (unsigned long long)pos);
        pos += SECTION_HEAD;
        if (slen > end - pos)
            return fail(mb, DESURV_E_FORMAT,
                        "malformed: section %s has %llu bytes, only %llu remain", tag,
                        (unsigned long long)slen, (unsigned long long)(end - pos));
        int known = 0;
        for (int s = 0; s < S_COUNT; s++) {
            if (memcmp(tag, sec[s].tag, 4) != 0)
                continue;
            if (sec[s].seen)
                return fail(mb, DESURV_E_FORMAT, "malformed: section %s appears twice", tag);
            sec[s].seen = 1, sec[s].pos = pos, sec[s].len = slen;
            known = 1;
        }
        if (!known && (flags & SEC_REQUIRED))
            return fail(mb, DESURV_E_VERSION,
                        "section %s is required but unknown to libdesurv %s (written by a "
                        "newer version)", tag, DESURV_VERSION_STRING);
        pos += slen; /* unknown optional sections are skipped */
    }
    if (!sec[S_OPTS].seen)
        return fail(mb, DESURV_E_FORMAT, "malformed: no %s section", TAG_OPTS);

    /* Pass 2: the sections in dependency order (the fit before the names
     * whose count it fixes). */
    desurv_model *m = NULL;
    if (desurv_model_new(&m) != DESURV_OK)
        return fail(mb, DESURV_E_NOMEM, "out of memory");
    for (int s = 0; s < S_COUNT && rc == DESURV_OK; s++) {
        if (!sec[s].seen)
            continue;
        reader r = {b, sec[s].pos, sec[s].pos + sec[s].len, sec[s].tag, mb};
        switch (s) {
        case S_OPTS: rc = sec_options(&r, m); break;
        case S_FIT: rc = sec_fit(&r, m); break;
        case S_OFFSET: rc = sec_offset(&r, m); break;
        case S_GENES: rc = sec_names(&r, m, DESURV_NAMES_GENES); break;
        case S_SAMPLES: rc = sec_names(&r, m, DESURV_NAMES_SAMPLES); break;
        default: rc = sec_meta(&r, m); break;
        }
    }
    if (rc != DESURV_OK) {
        desurv_model_free(m);
        return rc;
    }
    *out = m;
    return DESURV_OK;
}

int desurv_model_load(desurv_model **out, const void *buf, int64_t len, char *errbuf,
                      int64_t errcap)
{
    msgbuf mb = msg_init(errbuf, errcap);
    if (!out)
        return fail(&mb, DESURV_E_NULL, "out is NULL");
    *out = NULL;
    if (len < 0)
        return fail(&mb, DESURV_E_DIM, "length %lld < 0", (long long)len);
    if (!buf && len > 0)
        return fail(&mb, DESURV_E_NULL, "buf is NULL");
    return load_core(out, buf, (uint64_t)len, &mb);
}

/* ---- files -------------------------------------------------------------- */

/* "what 'path': reason" with the system's description of err. */
static int io_fail(msgbuf *mb, const char *what, const char *path, int err)
{
    char reason[256] = "";
    if (strerror_r(err, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", err);
    fail(mb, DESURV_E_IO, "%s '%s': %s", what, path, reason);
    errno = err;
    return DESURV_E_IO;
}

/* A temporary name next to path that did not exist: path + ".tmp-XXXXXX",
 * created with O_EXCL.  The six characters mix the clock, the process id,
 * an address and the attempt number; collisions just retry.  Returns the
 * descriptor or -1 (errno set). */
static int create_temp(const char *path, char *tmp, size_t cap)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
                 ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)&ts;
    for (int attempt = 0; attempt < 100; attempt++) {
        /* SplitMix64 step */
        uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        char sfx[7];
        for (int i = 0; i < 6; i++, z >>= 6)
            sfx[i] = alnum[z % 62];
        sfx[6] = '\0';
        snprintf(tmp, cap, "%s.tmp-%s", path, sfx);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

/* Best effort: make the rename itself durable by syncing the directory. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    if (!slash)
        dir = NULL;
    else {
        size_t len = slash == path ? 1 : (size_t)(slash - path);
        dir = malloc(len + 1);
        if (!dir)
            return;
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
    int fd = open(dir ? dir : ".", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int desurv_model_save_file(const desurv_model *m, const char *path, char *errbuf, int64_t errcap)
{
    msgbuf mb = msg_init(errbuf, errcap);
    if (!m || !path)
        return fail(&mb, DESURV_E_NULL, "%s is NULL", m ? "path" : "m");
    size_t size;
    if (encoded_size(m, &size) != DESURV_OK)
        return fail(&mb, DESURV_E_NOMEM, "the model is too large to encode");
    unsigned char *bytes = malloc(size);
    size_t plen = strlen(path);
    char *tmp = plen < SIZE_MAX - 16 ? malloc(plen + 16) : NULL;
    if (!bytes || !tmp) {
        free(bytes), free(tmp);
        return fail(&mb, DESURV_E_NOMEM, "out of memory saving the model");
    }
    writer w = {bytes, 0};
    encode(m, &w);

    int rc = DESURV_OK;
    int fd = create_temp(path, tmp, plen + 16);
    if (fd < 0) {
        rc = io_fail(&mb, "cannot create a temporary file next to", path, errno);
        goto out;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        rc = io_fail(&mb, "cannot write", tmp, errno);
        close(fd);
        unlink(tmp);
        goto out;
    }
    int err = 0;
    if (fwrite(bytes, 1, size, f) != size || fflush(f) != 0)
        err = errno ? errno : EIO;
    else if (fsync(fileno(f)) != 0)
        err = errno;
    if (fclose(f) != 0 && !err)
        err = errno ? errno : EIO;
    if (err) {
        unlink(tmp);
        rc = io_fail(&mb, "cannot write", tmp, err);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        err = errno;
        unlink(tmp);
        rc = io_fail(&mb, "cannot replace", path, err);
        goto out;
    }
    sync_dir(path);
out:
    free(bytes);
    free(tmp);
    return rc;
}

/* Append to *data (*len bytes so far, NULL / 0 at first) what fd still
 * holds, until end of file or *len = limit.  hint: the expected total.
 * Returns 0 or an errno value (*data stays valid for the caller to free). */
static int read_more(int fd, uint64_t limit, uint64_t hint, unsigned char **data, uint64_t *len)
{
    uint64_t cap = *len, got = *len;
    for (;;) {
        if (got >= limit)
            return 0;
        if (got == cap) {
            uint64_t ncap = cap > UINT64_MAX / 2 ? UINT64_MAX : 2 * cap;
            if (ncap < hint)
                ncap = hint;
            if (ncap < 64)
                ncap = 64;
            if (ncap > limit)
                ncap = limit;
            unsigned char *nb = ncap <= SIZE_MAX ? realloc(*data, (size_t)ncap) : NULL;
            if (!nb)
                return ENOMEM;
            *data = nb, cap = ncap;
        }
        uint64_t want = cap - got;
        ssize_t r = read(fd, *data + got, want > (1u << 30) ? (size_t)1 << 30 : (size_t)want);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno;
        if (r == 0)
            return 0;
        got += (uint64_t)r;
        *len = got;
    }
}

int desurv_model_load_file(desurv_model **out, const char *path, char *errbuf, int64_t errcap)
{
    msgbuf mb = msg_init(errbuf, errcap);
    if (!out)
        return fail(&mb, DESURV_E_NULL, "out is NULL");
    *out = NULL;
    if (!path)
        return fail(&mb, DESURV_E_NULL, "path is NULL");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return io_fail(&mb, "cannot open", path, errno);
    /* The header first: a large file that is not a model is refused after
     * 32 bytes, and a model's declared length bounds what is read (one byte
     * more reveals trailing data). */
    unsigned char *data = NULL;
    uint64_t len = 0, total = 0;
    struct stat st;
    uint64_t hint = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0
                        ? (uint64_t)st.st_size + 1
                        : (uint64_t)1 << 20;
    int err = read_more(fd, HEADER_LEN, HEADER_LEN, &data, &len);
    char detail[DSV_ERRMSG_CAP] = "";
    msgbuf inner = {detail, sizeof detail};
    int rc = err ? DESURV_OK : check_header(data, len, &total, &inner);
    if (!err && rc == DESURV_OK) {
        err = read_more(fd, total == UINT64_MAX ? total : total + 1, hint, &data, &len);
        if (!err)
            rc = load_core(out, data, len, &inner);
    }
    close(fd);
    free(data);
    if (err)
        return err == ENOMEM ? fail(&mb, DESURV_E_NOMEM, "out of memory reading '%s'", path)
                             : io_fail(&mb, "cannot read", path, err);
    if (rc != DESURV_OK)
        fail(&mb, rc, "%s: %s", path, detail);
    return rc;
}
