/* test_modelfile.c - model annotations and the model file, through the
 * public ABI only (libdesurv.so).
 *
 * Round trips (memory and file, fitted and unfitted) must be bit-exact:
 * re-saving a loaded model gives the same bytes, every array compares
 * equal with memcmp, predictions are identical.  The reader is attacked
 * with every truncation of the first 128 bytes and at every 64-byte
 * boundary, every single-bit flip, a future format version, unknown
 * sections, crafted files whose checksums are right but whose content is
 * not, and garbage; each must give its specific status code, no crash,
 * no leak (the valgrind setup checks the last two).  The file functions
 * must never leave a temporary file behind nor damage an existing model.
 *
 * The test computes CRC-32 bit by bit, independently of the library's
 * table-driven code, and checks the header layout of doc/model-format.md. */
#define _POSIX_C_SOURCE 200809L

#include "desurv/desurv.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

/* ---- fixtures ---- */

#define P 8
#define N 12
#define HEADER 32

static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double unif(uint64_t *s)
{
    return (double)(mix(s) >> 11) * 0x1.0p-53;
}

static void make_data(int64_t p, int64_t n, uint64_t seed, double *X, double *time,
                      int32_t *event)
{
    for (int64_t i = 0; i < p * n; i++)
        X[i] = 0.1 + 5.0 * unif(&seed);
    for (int64_t j = 0; j < n; j++) {
        time[j] = 1.0 + 10.0 * unif(&seed);
        event[j] = j == 0 || unif(&seed) < 0.66;
    }
}

static double X0[P * N], T0[N];
static int32_t E0[N];

static void setup_data(void)
{
    make_data(P, N, 42, X0, T0, E0);
}

static desurv_model *new_model(void)
{
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, 2), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_NINIT, 2), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_MAXIT, 60), DESURV_OK);
    return m;
}

static desurv_model *fitted_model(void)
{
    desurv_model *m = new_model();
    int rc = tu_fit(m, X0, P, N, P, T0, E0);
    ck_assert_msg(rc == DESURV_OK, "fit: %d %s", rc, desurv_errmsg(m));
    return m;
}

static const char *const gene_ids[P] = {"TP53", "KRAS", "", "gene with spaces", "\xc3\xa9t\xc3\xa9",
                                        "CDKN2A", "SMAD4", "KRAS"};

static void annotate(desurv_model *m, int with_samples)
{
    ck_assert_int_eq(desurv_model_set_names(m, DESURV_NAMES_GENES, gene_ids, P), DESURV_OK);
    if (with_samples) {
        char buf[N][16];
        const char *ids[N];
        for (int j = 0; j < N; j++) {
            snprintf(buf[j], sizeof buf[j], "S-%02d", j);
            ids[j] = buf[j];
        }
        ck_assert_int_eq(desurv_model_set_names(m, DESURV_NAMES_SAMPLES, ids, N), DESURV_OK);
    }
    double target[P];
    for (int i = 0; i < P; i++)
        target[i] = 0.25 * i - 1.0 / 3.0;
    const double odd[4] = {NAN, -0.0, INFINITY, 0x1p-1074};
    ck_assert_int_eq(desurv_model_set_meta(m, "preprocess.quantile_target", target, P),
                     DESURV_OK);
    ck_assert_int_eq(desurv_model_set_meta(m, "preprocess.log2p1", (double[]){1}, 1), DESURV_OK);
    ck_assert_int_eq(desurv_model_set_meta(m, "odd values", odd, 4), DESURV_OK);
    ck_assert_int_eq(desurv_model_set_meta(m, "empty", odd, 0), DESURV_OK);
    ck_assert_int_eq(desurv_model_set_meta_string(m, "preprocess.transform", "quantile"),
                     DESURV_OK);
    ck_assert_int_eq(desurv_model_set_meta_string(m, "note", ""), DESURV_OK);
}

/* Serialise to a new buffer. */
static unsigned char *save_mem(const desurv_model *m, int64_t *len)
{
    ck_assert_int_eq(desurv_model_save(m, NULL, 0, len), DESURV_OK);
    ck_assert_int_gt(*len, HEADER);
    unsigned char *b = malloc((size_t)*len);
    ck_assert_ptr_nonnull(b);
    int64_t got = -1;
    ck_assert_int_eq(desurv_model_save(m, b, *len, &got), DESURV_OK);
    ck_assert_int_eq(got, *len);
    return b;
}

static desurv_model *load_ok(const void *b, int64_t len)
{
    desurv_model *m = NULL;
    char msg[256] = "x";
    int rc = desurv_model_load(&m, b, len, msg, sizeof msg);
    ck_assert_msg(rc == DESURV_OK, "load: %d %s", rc, msg);
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(msg, "");
    return m;
}

/* Load that must fail with code; the message must contain needle (or
 * needle NULL). */
static void load_fails(const void *b, int64_t len, int code, const char *needle)
{
    desurv_model *m = (desurv_model *)&m; /* must be reset to NULL */
    char msg[256] = "";
    int rc = desurv_model_load(&m, b, len, msg, sizeof msg);
    ck_assert_msg(rc == code, "len %lld: got %d (%s), want %d", (long long)len, rc, msg, code);
    ck_assert_ptr_null(m);
    ck_assert_msg(strlen(msg) > 0, "no message for code %d", code);
    if (needle)
        ck_assert_msg(strstr(msg, needle), "message \"%s\" lacks \"%s\"", msg, needle);
}

/* ---- independent CRC-32 and little-endian patching ---- */

static uint32_t crc32_bitwise(const unsigned char *p, size_t len)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_f64(unsigned char *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    put64(p, u);
}

/* Recompute both checksums (and the length field) after a patch. */
static void reseal(unsigned char *b, int64_t len)
{
    put64(b + 16, (uint64_t)len);
    put32(b + 28, crc32_bitwise(b, 28));
    put32(b + len - 4, crc32_bitwise(b, (size_t)len - 4));
}

/* Offset of the payload of section tag, or -1; *slen its length. */
static int64_t find_section(const unsigned char *b, int64_t len, const char *tag, int64_t *slen)
{
    int64_t pos = HEADER;
    while (pos + 16 <= len - 4) {
        int64_t l = (int64_t)get64(b + pos + 8);
        if (memcmp(b + pos, tag, 4) == 0) {
            if (slen)
                *slen = l;
            return pos + 16;
        }
        pos += 16 + l;
    }
    return -1;
}

/* A copy of b (len bytes) with extra bytes inserted at offset at, resealed. */
static unsigned char *insert_bytes(const unsigned char *b, int64_t len, int64_t at,
                                   const unsigned char *extra, int64_t elen, int64_t *out_len)
{
    unsigned char *c = malloc((size_t)(len + elen));
    ck_assert_ptr_nonnull(c);
    memcpy(c, b, (size_t)at);
    memcpy(c + at, extra, (size_t)elen);
    memcpy(c + at + elen, b + at, (size_t)(len - at));
    *out_len = len + elen;
    reseal(c, *out_len);
    return c;
}

/* ---- comparison of two models through the API ---- */

static void same_doubles(const double *a, const double *b, int64_t n, const char *what)
{
    ck_assert_msg(memcmp(a, b, (size_t)n * sizeof *a) == 0, "%s differs", what);
}

static void assert_same_model(const desurv_model *a, const desurv_model *b)
{
    for (int o = 0; o < DESURV_OPT_COUNT; o++) {
        double va, vb;
        ck_assert_int_eq(desurv_get_option(a, (desurv_option)o, &va), DESURV_OK);
        ck_assert_int_eq(desurv_get_option(b, (desurv_option)o, &vb), DESURV_OK);
        same_doubles(&va, &vb, 1, desurv_option_name((desurv_option)o));
    }
    int64_t pa, na, ka, pb, nb, kb;
    int fa = desurv_model_dims(a, &pa, &na, &ka), fb = desurv_model_dims(b, &pb, &nb, &kb);
    ck_assert_int_eq(fa, fb);
    if (fa == DESURV_OK) {
        ck_assert_int_eq(pa, pb);
        ck_assert_int_eq(na, nb);
        ck_assert_int_eq(ka, kb);
        double *wa = malloc((size_t)(pa * ka + ka * na) * sizeof *wa);
        double *wb = malloc((size_t)(pa * ka + ka * na) * sizeof *wb);
        double ba[64], bb[64], sa[DESURV_STAT_COUNT], sb[DESURV_STAT_COUNT];
        ck_assert_int_eq(desurv_model_W(a, wa, pa), DESURV_OK);
        ck_assert_int_eq(desurv_model_W(b, wb, pb), DESURV_OK);
        same_doubles(wa, wb, pa * ka, "W");
        ck_assert_int_eq(desurv_model_H(a, wa, ka), DESURV_OK);
        ck_assert_int_eq(desurv_model_H(b, wb, kb), DESURV_OK);
        same_doubles(wa, wb, ka * na, "H");
        ck_assert_int_eq(desurv_model_beta(a, ba), DESURV_OK);
        ck_assert_int_eq(desurv_model_beta(b, bb), DESURV_OK);
        same_doubles(ba, bb, ka, "beta");
        for (int s = 0; s < DESURV_STAT_COUNT; s++) {
            ck_assert_int_eq(desurv_model_stat(a, (desurv_stat)s, &sa[s]), DESURV_OK);
            ck_assert_int_eq(desurv_model_stat(b, (desurv_stat)s, &sb[s]), DESURV_OK);
        }
        same_doubles(sa, sb, DESURV_STAT_COUNT, "stats");
        int64_t la, lb;
        ck_assert_int_eq(desurv_model_trace(a, NULL, 0, &la), DESURV_OK);
        ck_assert_int_eq(desurv_model_trace(b, NULL, 0, &lb), DESURV_OK);
        ck_assert_int_eq(la, lb);
        double *ta = malloc((size_t)(la + 1) * sizeof *ta), *tb = malloc((size_t)(lb + 1) * sizeof *tb);
        ck_assert_int_eq(desurv_model_trace(a, ta, la, &la), DESURV_OK);
        ck_assert_int_eq(desurv_model_trace(b, tb, lb, &lb), DESURV_OK);
        same_doubles(ta, tb, la, "trace");
        free(ta), free(tb), free(wa), free(wb);
    }
    for (int w = 0; w < 2; w++) {
        int64_t c = desurv_model_names_count(a, w);
        ck_assert_int_eq(c, desurv_model_names_count(b, w));
        for (int64_t i = 0; i < c; i++)
            ck_assert_str_eq(desurv_model_name(a, w, i), desurv_model_name(b, w, i));
        ck_assert_ptr_null(desurv_model_name(b, w, c));
    }
    int64_t mc = desurv_model_meta_count(a);
    ck_assert_int_eq(mc, desurv_model_meta_count(b));
    for (int64_t i = 0; i < mc; i++) {
        const char *key = desurv_model_meta_key(a, i);
        ck_assert_str_eq(key, desurv_model_meta_key(b, i));
        const char *sa = desurv_model_get_meta_string(a, key);
        const char *sb = desurv_model_get_meta_string(b, key);
        if (sa) {
            ck_assert_ptr_nonnull(sb);
            ck_assert_str_eq(sa, sb);
            continue;
        }
        ck_assert_ptr_null(sb);
        int64_t la, lb;
        ck_assert_int_eq(desurv_model_get_meta(a, key, NULL, 0, &la), DESURV_OK);
        ck_assert_int_eq(desurv_model_get_meta(b, key, NULL, 0, &lb), DESURV_OK);
        ck_assert_int_eq(la, lb);
        double va[64], vb[64];
        ck_assert_int_le(la, 64);
        ck_assert_int_eq(desurv_model_get_meta(a, key, va, 64, &la), DESURV_OK);
        ck_assert_int_eq(desurv_model_get_meta(b, key, vb, 64, &lb), DESURV_OK);
        same_doubles(va, vb, la, key);
    }
}

/* Save b again: the bytes must equal the original ones. */
static void assert_resave_equal(const desurv_model *m, const unsigned char *bytes, int64_t len)
{
    int64_t len2;
    unsigned char *again = save_mem(m, &len2);
    ck_assert_int_eq(len2, len);
    ck_assert_msg(memcmp(again, bytes, (size_t)len) == 0, "re-saved bytes differ");
    free(again);
}

/* ---- scratch directory ---- */

static char scratch[256];

static void make_scratch(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/desurv-modelfile-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            chmod(path, 0700);
            remove_tree(path);
        } else {
            unlink(path);
        }
    }
    closedir(d);
    rmdir(dir);
}

/* Entries of dir (without . and ..). */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int c = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        c += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return c;
}

static unsigned char *read_file(const char *path, int64_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)*len + 1);
    ck_assert_int_eq((int64_t)fread(b, 1, (size_t)*len, f), *len);
    fclose(f);
    return b;
}

static void write_file(const char *path, const void *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* ======================================================================
 *  Round trips
 * ====================================================================== */

START_TEST(crc_reference)
{
    /* the check value of CRC-32/ISO-HDLC */
    ck_assert_uint_eq(crc32_bitwise((const unsigned char *)"123456789", 9), 0xCBF43926u);
}
END_TEST

START_TEST(header_layout)
{
    desurv_model *m = fitted_model();
    int64_t len;
    unsigned char *b = save_mem(m, &len);
    static const unsigned char magic[8] = {0x89, 'D', 'E', 'S', 'U', 'R', 'V', '\n'};
    ck_assert_mem_eq(b, magic, 8);
    ck_assert_uint_eq(get32(b + 8), DESURV_MODEL_FORMAT);
    ck_assert_uint_eq(get32(b + 12), (uint32_t)desurv_version());
    ck_assert_uint_eq(get64(b + 16), (uint64_t)len);
    ck_assert_uint_eq(get32(b + 24), 0);
    ck_assert_uint_eq(get32(b + 28), crc32_bitwise(b, 28));
    ck_assert_uint_eq(get32(b + len - 4), crc32_bitwise(b, (size_t)len - 4));
    /* sections: OPTS then FITD, required, then OFFS (optional); they tile
     * the body exactly */
    ck_assert_mem_eq(b + HEADER, "OPTS", 4);
    ck_assert_uint_eq(get32(b + HEADER + 4), 1);
    int64_t olen, flen;
    int64_t opos = find_section(b, len, "OPTS", &olen);
    int64_t fpos = find_section(b, len, "FITD", &flen);
    ck_assert_int_eq(opos, HEADER + 16);
    ck_assert_int_eq(olen, 4 + 8 * DESURV_OPT_COUNT);
    ck_assert_int_eq(get32(b + opos), DESURV_OPT_COUNT);
    ck_assert_int_eq(fpos, opos + olen + 16);
    int64_t bpos, blen;
    bpos = find_section(b, len, "OFFS", &blen);
    ck_assert_int_eq(bpos, fpos + flen + 16);
    ck_assert_uint_eq(get32(b + bpos - 12), 0); /* not required */
    ck_assert_int_eq(blen, 8 + 8 * P);
    ck_assert_uint_eq(get64(b + bpos), P);
    ck_assert_int_eq(bpos + blen, len - 4);
    ck_assert_uint_eq(get64(b + fpos), P);
    ck_assert_uint_eq(get64(b + fpos + 8), N);
    ck_assert_uint_eq(get64(b + fpos + 16), 2);
    /* the same model saved twice gives the same bytes */
    assert_resave_equal(m, b, len);
    free(b);
    desurv_model_free(m);
}
END_TEST

/* A file written by libdesurv 0.2.0 (format version 1, before the offset
 * and the H-step options; tests/golden/make_golden_model_v1.sh) still
 * loads: its fit options say what made it (no offset, multiplicative
 * H-step), its offset reads as zeros, it predicts from its W and beta,
 * and saved again it becomes a version-2 file with the same content. */
START_TEST(version1_file_loads)
{
    char path[1024], err[256];
    tu_golden_path("model_v1.desurv", path, (int)sizeof path);
    desurv_model *m = NULL;
    int rc = desurv_model_load_file(&m, path, err, (int64_t)sizeof err);
    ck_assert_msg(rc == DESURV_OK, "load %s: %d %s", path, rc, err);
    int64_t p, n, k;
    ck_assert_int_eq(desurv_model_dims(m, &p, &n, &k), DESURV_OK);
    ck_assert_int_eq(p, 40);
    ck_assert_int_eq(n, 130);
    ck_assert_int_eq(k, 2);
    double v;
    ck_assert_int_eq(desurv_get_option(m, DESURV_OPT_OFFSET, &v), DESURV_OK);
    ck_assert(v == DESURV_OFFSET_NONE);
    ck_assert_int_eq(desurv_get_option(m, DESURV_OPT_HSTEP, &v), DESURV_OK);
    ck_assert(v == DESURV_HSTEP_MU);
    ck_assert_int_eq(desurv_get_option(m, DESURV_OPT_WSTEP, &v), DESURV_OK);
    ck_assert(v == DESURV_WSTEP_MU);
    double b[40], W[40 * 2], beta[2], X[40 * 3], lp[3];
    for (int i = 0; i < 40; i++)
        b[i] = -1;
    ck_assert_int_eq(desurv_model_offset(m, b), DESURV_OK);
    for (int i = 0; i < 40; i++)
        ck_assert(b[i] == 0.0);
    ck_assert_int_eq(desurv_model_W(m, W, 40), DESURV_OK);
    ck_assert_int_eq(desurv_model_beta(m, beta), DESURV_OK);
    for (int i = 0; i < 40 * 3; i++)
        X[i] = (double)(i % 17) + 0.25 * (double)(i % 5);
    ck_assert_int_eq(desurv_predict(m, X, 40, 3, 40, lp), DESURV_OK);
    for (int j = 0; j < 3; j++) {
        double want = 0;
        for (int r = 0; r < 2; r++) {
            double z = 0;
            for (int g = 0; g < 40; g++)
                z += X[g + j * 40] * W[g + r * 40];
            want += z * beta[r];
        }
        ck_assert_double_eq_tol(lp[j], want, 1e-12 * (1 + fabs(want)));
    }
    int64_t len;
    unsigned char *buf = save_mem(m, &len);
    ck_assert_uint_eq(get32(buf + 8), DESURV_MODEL_FORMAT);
    ck_assert_int_eq(find_section(buf, len, "OFFS", NULL), -1); /* none was fitted */
    desurv_model *m2 = NULL;
    ck_assert_int_eq(desurv_model_load(&m2, buf, len, err, (int64_t)sizeof err), DESURV_OK);
    ck_assert_int_eq(desurv_get_option(m2, DESURV_OPT_HSTEP, &v), DESURV_OK);
    ck_assert(v == DESURV_HSTEP_MU);
    free(buf);
    desurv_model_free(m), desurv_model_free(m2);
}
END_TEST

/* The fitted offset survives a round trip bit for bit. */
START_TEST(offset_roundtrip)
{
    desurv_model *m = fitted_model();
    double b[P], b2[P];
    ck_assert_int_eq(desurv_model_offset(m, b), DESURV_OK);
    double sum = 0;
    for (int i = 0; i < P; i++)
        sum += b[i];
    ck_assert(sum > 0); /* the default fits one */
    int64_t len;
    unsigned char *buf = save_mem(m, &len);
    desurv_model *m2 = NULL;
    char err[256];
    ck_assert_int_eq(desurv_model_load(&m2, buf, len, err, (int64_t)sizeof err), DESURV_OK);
    ck_assert_int_eq(desurv_model_offset(m2, b2), DESURV_OK);
    ck_assert_mem_eq(b, b2, sizeof b);
    free(buf);
    desurv_model_free(m), desurv_model_free(m2);
}
END_TEST

START_TEST(roundtrip_fitted_memory)
{
    desurv_model *m = fitted_model();
    annotate(m, 1);
    /* options changed after the fit: opt and fit options now differ */
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_ALPHA, 0.123456789), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_SEED, 9007199254740992.0), DESURV_OK);
    int64_t len;
    unsigned char *b = save_mem(m, &len);
    desurv_model *l = load_ok(b, len);
    assert_same_model(m, l);
    assert_resave_equal(l, b, len);
    double lp1[N], lp2[N];
    ck_assert_int_eq(desurv_predict(m, X0, P, N, P, lp1), DESURV_OK);
    ck_assert_int_eq(desurv_predict(l, X0, P, N, P, lp2), DESURV_OK);
    same_doubles(lp1, lp2, N, "lp");
    ck_assert_int_eq(desurv_predict_ntop(m, X0, P, N, P, 3, lp1), DESURV_OK);
    ck_assert_int_eq(desurv_predict_ntop(l, X0, P, N, P, 3, lp2), DESURV_OK);
    same_doubles(lp1, lp2, N, "lp ntop");
    /* the loaded model is a full handle: it can be refitted */
    ck_assert_int_eq(tu_fit(l, X0, P, N, P, T0, E0), DESURV_OK);
    free(b);
    desurv_model_free(l);
    desurv_model_free(m);
}
END_TEST

START_TEST(roundtrip_unfitted)
{
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    /* defaults only (k unset) */
    int64_t len;
    unsigned char *b = save_mem(m, &len);
    ck_assert_int_eq(find_section(b, len, "FITD", NULL), -1);
    desurv_model *l = load_ok(b, len);
    assert_same_model(m, l);
    ck_assert_int_eq(desurv_model_dims(l, NULL, NULL, NULL), DESURV_E_NOT_FITTED);
    assert_resave_equal(l, b, len);
    free(b);
    desurv_model_free(l);
    /* options, and names of any count on an unfitted model */
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_K, 3), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_LAMBDA, 1e-300), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(m, DESURV_OPT_TIES, 1), DESURV_OK);
    annotate(m, 0);
    const char *three[3] = {"a", "b", "c"};
    ck_assert_int_eq(desurv_model_set_names(m, DESURV_NAMES_SAMPLES, three, 3), DESURV_OK);
    b = save_mem(m, &len);
    l = load_ok(b, len);
    assert_same_model(m, l);
    ck_assert_int_eq(desurv_model_names_count(l, DESURV_NAMES_SAMPLES), 3);
    assert_resave_equal(l, b, len);
    /* it fits like a fresh model with the same options (2 starts, maxit
     * 30: with lambda 1e-300 these 12 samples are separable, the
     * unpenalised Cox coefficients diverge and every beta-step is long;
     * the default 20 starts and 1000 iterations of that add seconds,
     * minutes under valgrind, and test nothing more) */
    ck_assert_int_eq(desurv_set_option(l, DESURV_OPT_K, 2), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(l, DESURV_OPT_NINIT, 2), DESURV_OK);
    ck_assert_int_eq(desurv_set_option(l, DESURV_OPT_MAXIT, 30), DESURV_OK);
    ck_assert_int_eq(tu_fit(l, X0, P, N, P, T0, E0), DESURV_OK);
    free(b);
    desurv_model_free(l);
    desurv_model_free(m);
}
END_TEST

START_TEST(roundtrip_file)
{
    make_scratch();
    char path[512];
    snprintf(path, sizeof path, "%s/model.dsv", scratch);
    desurv_model *m = fitted_model();
    annotate(m, 1);
    char msg[256] = "x";
    ck_assert_int_eq(desurv_model_save_file(m, path, msg, sizeof msg), DESURV_OK);
    ck_assert_str_eq(msg, "");
    ck_assert_int_eq(count_entries(scratch), 1); /* no temporary left */
    int64_t flen, mlen;
    unsigned char *fb = read_file(path, &flen);
    unsigned char *mb = save_mem(m, &mlen);
    ck_assert_int_eq(flen, mlen);
    ck_assert_mem_eq(fb, mb, (size_t)mlen);
    desurv_model *l = NULL;
    ck_assert_int_eq(desurv_model_load_file(&l, path, msg, sizeof msg), DESURV_OK);
    ck_assert_str_eq(msg, "");
    assert_same_model(m, l);
    double lp1[N], lp2[N];
    ck_assert_int_eq(desurv_predict(m, X0, P, N, P, lp1), DESURV_OK);
    ck_assert_int_eq(desurv_predict(l, X0, P, N, P, lp2), DESURV_OK);
    same_doubles(lp1, lp2, N, "lp");
    /* overwrite an existing file with another (unfitted) model */
    desurv_model *u = NULL;
    ck_assert_int_eq(desurv_model_new(&u), DESURV_OK);
    ck_assert_int_eq(desurv_model_save_file(u, path, NULL, 0), DESURV_OK);
    ck_assert_int_eq(count_entries(scratch), 1);
    desurv_model_free(l);
    ck_assert_int_eq(desurv_model_load_file(&l, path, NULL, 0), DESURV_OK);
    assert_same_model(u, l);
    /* a relative path in the working directory */
    char cwd[512];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(scratch), 0);
    ck_assert_int_eq(desurv_model_save_file(m, "rel.dsv", NULL, 0), DESURV_OK);
    desurv_model *r = NULL;
    ck_assert_int_eq(desurv_model_load_file(&r, "rel.dsv", NULL, 0), DESURV_OK);
    assert_same_model(m, r);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_int_eq(count_entries(scratch), 2);
    free(fb), free(mb);
    desurv_model_free(r);
    desurv_model_free(l);
    desurv_model_free(u);
    desurv_model_free(m);
    remove_tree(scratch);
}
END_TEST

START_TEST(save_contract)
{
    desurv_model *m = fitted_model();
    int64_t len = 0;
    ck_assert_int_eq(desurv_model_save(NULL, NULL, 0, &len), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_save(m, NULL, 0, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_save(m, NULL, 0, &len), DESURV_OK);
    unsigned char *b = malloc((size_t)len);
    memset(b, 0xAB, (size_t)len);
    int64_t got = 0;
    /* too small: nothing written, the size reported */
    ck_assert_int_eq(desurv_model_save(m, b, len - 1, &got), DESURV_E_BUFFER);
    ck_assert_int_eq(got, len);
    for (int64_t i = 0; i < len; i++)
        ck_assert_uint_eq(b[i], 0xAB);
    ck_assert_int_eq(desurv_model_save(m, b, -5, &got), DESURV_E_BUFFER);
    ck_assert_int_eq(desurv_model_save(m, b, len, &got), DESURV_OK);
    ck_assert_int_eq(got, len);
    /* file functions: NULL arguments */
    char msg[64];
    ck_assert_int_eq(desurv_model_save_file(NULL, "x", msg, sizeof msg), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_save_file(m, NULL, msg, sizeof msg), DESURV_E_NULL);
    desurv_model *l = (desurv_model *)&l;
    ck_assert_int_eq(desurv_model_load_file(&l, NULL, msg, sizeof msg), DESURV_E_NULL);
    ck_assert_ptr_null(l);
    ck_assert_int_eq(desurv_model_load_file(NULL, "x", msg, sizeof msg), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_load(NULL, b, len, msg, sizeof msg), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_load(&l, NULL, 5, msg, sizeof msg), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_load(&l, b, -1, msg, sizeof msg), DESURV_E_DIM);
    /* a tiny message buffer is truncated, still terminated */
    char tiny[6] = "zzzzz";
    ck_assert_int_eq(desurv_model_load(&l, "garbage!", 8, tiny, sizeof tiny), DESURV_E_FORMAT);
    ck_assert_uint_eq(strlen(tiny), sizeof tiny - 1);
    ck_assert_int_eq(desurv_model_load(&l, "garbage!", 8, tiny, 0), DESURV_E_FORMAT);
    free(b);
    desurv_model_free(m);
}
END_TEST

/* ======================================================================
 *  Damaged and hostile input
 * ====================================================================== */

START_TEST(truncation)
{
    desurv_model *m = fitted_model();
    annotate(m, 1);
    int64_t len;
    unsigned char *b = save_mem(m, &len);
    load_fails(b, 0, DESURV_E_FORMAT, "empty");
    for (int64_t t = 1; t < len; t++) {
        if (t >= 128 && t % 64 != 0)
            continue;
        /* a fresh copy of exactly t bytes, so valgrind sees any overread */
        unsigned char *c = malloc((size_t)t);
        memcpy(c, b, (size_t)t);
        load_fails(c, t, DESURV_E_FORMAT, "truncated");
        free(c);
    }
    /* and a byte too many */
    unsigned char *c = malloc((size_t)len + 1);
    memcpy(c, b, (size_t)len);
    c[len] = 0;
    load_fails(c, len + 1, DESURV_E_FORMAT, "unexpected data");
    free(c);
    free(b);
    desurv_model_free(m);
}
END_TEST

START_TEST(bit_flips)
{
    desurv_model *m = fitted_model();
    annotate(m, 1);
    int64_t len;
    unsigned char *b = save_mem(m, &len);
    for (int64_t i = 0; i < len; i++)
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (unsigned char)(1u << bit);
            /* the signature: not a model file; anything else: damaged */
            load_fails(b, len, i < 8 ? DESURV_E_FORMAT : DESURV_E_CHECKSUM, NULL);
            b[i] ^= (unsigned char)(1u << bit);
        }
    desurv_model_free(load_ok(b, len));
    free(b);
    desurv_model_free(m);
}
END_TEST

START_TEST(future_version)
{
    desurv_model *m = fitted_model();
    int64_t len;
    unsigned char *b = save_mem(m, &len);
    put32(b + 8, DESURV_MODEL_FORMAT + 1);
    reseal(b, len);
    load_fails(b, len, DESURV_E_VERSION, "newer");
    /* the version is judged from the header alone */
    load_fails(b, HEADER, DESURV_E_VERSION, "newer");
    put32(b + 8, 0xFFFFFFFFu);
    reseal(b, len);
    load_fails(b, len, DESURV_E_VERSION, NULL);
    put32(b + 8, 0);
    reseal(b, len);
    load_fails(b, len, DESURV_E_FORMAT, "version 0");
    free(b);
    desurv_model_free(m);
}
END_TEST

START_TEST(unknown_sections)
{
    desurv_model *m = fitted_model();
    annotate(m, 1);
    int64_t len, len2;
    unsigned char *b = save_mem(m, &len);
    unsigned char extra[16 + 5] = {'X', 'T', 'R', 'A', 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0,
                                   1, 2, 3, 4, 5};
    /* an optional section of a later minor revision is skipped, wherever it is */
    int64_t places[] = {HEADER, len - 4};
    for (int i = 0; i < 2; i++) {
        unsigned char *c = insert_bytes(b, len, places[i], extra, sizeof extra, &len2);
        desurv_model *l = load_ok(c, len2);
        assert_same_model(m, l);
        assert_resave_equal(l, b, len); /* and not written back */
        desurv_model_free(l);
        free(c);
    }
    /* a required one must be refused */
    extra[4] = 1;
    unsigned char *c = insert_bytes(b, len, len - 4, extra, sizeof extra, &len2);
    load_fails(c, len2, DESURV_E_VERSION, "XTRA");
    free(c);
    free(b);
    desurv_model_free(m);
}
END_TEST

/* Patch a copy of b, reseal, and expect DESURV_E_FORMAT. */
typedef void (*patch_fn)(unsigned char *b, int64_t len);

static void expect_malformed(const unsigned char *b, int64_t len, patch_fn fn, const char *needle)
{
    unsigned char *c = malloc((size_t)len);
    memcpy(c, b, (size_t)len);
    fn(c, len);
    reseal(c, len);
    load_fails(c, len, DESURV_E_FORMAT, needle);
    free(c);
}

static int64_t fitd(const unsigned char *b, int64_t len)
{
    int64_t pos = find_section(b, len, "FITD", NULL);
    ck_assert_int_gt(pos, 0);
    return pos;
}

/* offset of W in FITD: p n k, options, stats, trace */
static int64_t w_offset(const unsigned char *b, int64_t len)
{
    int64_t pos = fitd(b, len) + 24;
    pos += 4 + 8 * (int64_t)get32(b + pos);
    pos += 4 + 8 * (int64_t)get32(b + pos);
    pos += 8 + 8 * (int64_t)get64(b + pos);
    return pos;
}

static void p_huge(unsigned char *b, int64_t len) { put64(b + fitd(b, len), 1ULL << 40); }
static void p_k0(unsigned char *b, int64_t len) { put64(b + fitd(b, len) + 16, 0); }
static void p_k_big(unsigned char *b, int64_t len) { put64(b + fitd(b, len) + 16, P + 1); }
static void p_pk_overflow(unsigned char *b, int64_t len)
{
    put64(b + fitd(b, len), 0x7FFFFFFFULL);
    put64(b + fitd(b, len) + 8, 0x7FFFFFFFULL);
    put64(b + fitd(b, len) + 16, 0x7FFFFFFFULL);
}
static void p_n_plus(unsigned char *b, int64_t len) { put64(b + fitd(b, len) + 8, N + 1); }
static void p_w_negative(unsigned char *b, int64_t len) { put_f64(b + w_offset(b, len), -1); }
static void p_w_nan(unsigned char *b, int64_t len) { put_f64(b + w_offset(b, len) + 8, NAN); }
static void p_alpha(unsigned char *b, int64_t len)
{
    (void)len;
    put_f64(b + HEADER + 16 + 4 + 8 * DESURV_OPT_ALPHA, 1.0);
}
static void p_maxit_frac(unsigned char *b, int64_t len)
{
    (void)len;
    put_f64(b + HEADER + 16 + 4 + 8 * DESURV_OPT_MAXIT, 10.5);
}
static void p_opt_count(unsigned char *b, int64_t len)
{
    (void)len;
    put32(b + HEADER + 16, 1000000);
}
static void p_sec_len(unsigned char *b, int64_t len)
{
    (void)len;
    put64(b + HEADER + 8, get64(b + HEADER + 8) + 1);
}
static void p_sec_len_huge(unsigned char *b, int64_t len)
{
    (void)len;
    put64(b + HEADER + 8, UINT64_MAX);
}
static void p_tag(unsigned char *b, int64_t len)
{
    (void)len;
    b[HEADER] = 0x01;
}
static void p_dup(unsigned char *b, int64_t len)
{
    /* the FITD section renamed OPTS */
    memcpy(b + fitd(b, len) - 16, "OPTS", 4);
}
static void p_no_opts(unsigned char *b, int64_t len)
{
    (void)len;
    memcpy(b + HEADER, "OPTZ", 4);
    put32(b + HEADER + 4, 0); /* optional, so it is skipped */
}
static void p_trace_len(unsigned char *b, int64_t len)
{
    int64_t pos = fitd(b, len) + 24;
    pos += 4 + 8 * (int64_t)get32(b + pos);
    pos += 4 + 8 * (int64_t)get32(b + pos);
    put64(b + pos, UINT64_MAX / 4);
}
static void p_fit_k(unsigned char *b, int64_t len)
{
    put_f64(b + fitd(b, len) + 24 + 4 + 8 * DESURV_OPT_K, 3);
}
static void p_gene_count(unsigned char *b, int64_t len)
{
    put64(b + find_section(b, len, "GNAM", NULL), P - 1);
}
static void p_name_nul(unsigned char *b, int64_t len)
{
    /* first name "TP53": its 'P' becomes NUL */
    b[find_section(b, len, "GNAM", NULL) + 8 + 4 + 1] = 0;
}
static void p_name_len(unsigned char *b, int64_t len)
{
    put32(b + find_section(b, len, "GNAM", NULL) + 8, 0xFFFFFFFFu);
}
static void p_meta_key(unsigned char *b, int64_t len)
{
    /* the first key's first character becomes a control character */
    b[find_section(b, len, "META", NULL) + 4 + 1] = '\t';
}
static void p_meta_order(unsigned char *b, int64_t len)
{
    /* first key "empty" -> "zmpty": no longer ascending */
    b[find_section(b, len, "META", NULL) + 4 + 1] = 'z';
}
static void p_meta_type(unsigned char *b, int64_t len)
{
    int64_t pos = find_section(b, len, "META", NULL) + 4;
    b[pos + 1 + b[pos]] = 7;
}
static void p_meta_count(unsigned char *b, int64_t len)
{
    put32(b + find_section(b, len, "META", NULL), 0xFFFFFFFFu);
}
static void p_meta_keylen(unsigned char *b, int64_t len)
{
    b[find_section(b, len, "META", NULL) + 4] = 0;
}
static void p_total_small(unsigned char *b, int64_t len)
{
    (void)b, (void)len; /* reseal writes len; corrupted in the test itself */
}

START_TEST(malformed_with_valid_checksums)
{
    desurv_model *m = fitted_model();
    annotate(m, 1);
    int64_t len;
    unsigned char *b = save_mem(m, &len);
    expect_malformed(b, len, p_huge, "dimensions");
    expect_malformed(b, len, p_k0, "dimensions");
    expect_malformed(b, len, p_k_big, "dimensions");
    expect_malformed(b, len, p_pk_overflow, "dimensions");
    expect_malformed(b, len, p_n_plus, NULL);
    expect_malformed(b, len, p_w_negative, "W[0, 0]");
    expect_malformed(b, len, p_w_nan, "W[1, 0]");
    expect_malformed(b, len, p_alpha, "alpha");
    expect_malformed(b, len, p_maxit_frac, "maxit");
    expect_malformed(b, len, p_opt_count, "option values");
    expect_malformed(b, len, p_sec_len, NULL);
    expect_malformed(b, len, p_sec_len_huge, "remain");
    expect_malformed(b, len, p_tag, "tag");
    expect_malformed(b, len, p_dup, "twice");
    expect_malformed(b, len, p_no_opts, "no OPTS");
    expect_malformed(b, len, p_trace_len, NULL);
    expect_malformed(b, len, p_fit_k, "k");
    expect_malformed(b, len, p_gene_count, "gene names");
    expect_malformed(b, len, p_name_nul, "NUL");
    expect_malformed(b, len, p_name_len, NULL);
    expect_malformed(b, len, p_meta_key, "key");
    expect_malformed(b, len, p_meta_order, "order");
    expect_malformed(b, len, p_meta_type, "type");
    expect_malformed(b, len, p_meta_count, NULL);
    expect_malformed(b, len, p_meta_keylen, "empty");
    /* a header length below the minimum */
    unsigned char *c = malloc((size_t)len);
    memcpy(c, b, (size_t)len);
    p_total_small(c, len);
    put64(c + 16, 35);
    put32(c + 28, crc32_bitwise(c, 28));
    load_fails(c, len, DESURV_E_FORMAT, "length");
    free(c);
    free(b);
    desurv_model_free(m);
}
END_TEST

/* Random damage behind valid checksums: byte changes, cuts and splices of
 * a good file, resealed.  The reader must answer OK, FORMAT or VERSION
 * (an unknown tag flagged required), never crash or read out of bounds. */
START_TEST(fuzz_resealed)
{
    desurv_model *m = fitted_model();
    annotate(m, 1);
    int64_t len;
    unsigned char *b = save_mem(m, &len);
    uint64_t s = 2024;
    int ok = 0;
    for (int trial = 0; trial < 3000; trial++) {
        int64_t clen = len;
        int kind = (int)(mix(&s) % 3);
        if (kind == 1) /* cut a piece out of the body */
            clen = len - 1 - (int64_t)(mix(&s) % 64);
        unsigned char *c = malloc((size_t)len);
        if (kind == 1) {
            int64_t at = HEADER + (int64_t)(mix(&s) % (uint64_t)(clen - HEADER - 4));
            memcpy(c, b, (size_t)at);
            memcpy(c + at, b + at + (len - clen), (size_t)(clen - at));
        } else {
            memcpy(c, b, (size_t)len);
        }
        int changes = 1 + (int)(mix(&s) % 4);
        for (int i = 0; i < changes; i++) {
            int64_t at = HEADER + (int64_t)(mix(&s) % (uint64_t)(clen - HEADER - 4));
            if (kind == 2) /* a small integer, as lengths and counts are */
                c[at] = (unsigned char)(mix(&s) % 4 == 0 ? 0xFF : mix(&s) % 20);
            else
                c[at] ^= (unsigned char)(1 + mix(&s) % 255);
        }
        reseal(c, clen);
        desurv_model *l = NULL;
        char msg[256];
        int rc = desurv_model_load(&l, c, clen, msg, sizeof msg);
        ck_assert_msg(rc == DESURV_OK || rc == DESURV_E_FORMAT || rc == DESURV_E_VERSION,
                      "trial %d: %d (%s)", trial, rc, msg);
        ck_assert(rc == DESURV_OK ? l != NULL : l == NULL);
        if (l) {
            /* whatever loaded is a consistent model: save it again */
            int64_t len2;
            unsigned char *again = save_mem(l, &len2);
            desurv_model_free(load_ok(again, len2));
            free(again);
            ok++;
        }
        desurv_model_free(l);
        free(c);
    }
    ck_assert_int_gt(ok, 0); /* some changes are harmless (e.g. in W) */
    free(b);
    desurv_model_free(m);
}
END_TEST

START_TEST(garbage)
{
    uint64_t s = 7;
    unsigned char buf[4096];
    for (int trial = 0; trial < 200; trial++) {
        int64_t len = 1 + (int64_t)(mix(&s) % sizeof buf);
        for (int64_t i = 0; i < len; i++)
            buf[i] = (unsigned char)mix(&s);
        if (buf[0] == 0x89)
            buf[0] = 0;
        load_fails(buf, len, DESURV_E_FORMAT, "not a libdesurv model file");
    }
    const char *text = "gene\tS1\tS2\nTP53\t1.5\t2.5\n";
    load_fails(text, (int64_t)strlen(text), DESURV_E_FORMAT, "not a libdesurv");
    /* the signature followed by garbage: a damaged file */
    memcpy(buf, "\x89" "DESURV\n", 8);
    load_fails(buf, sizeof buf, DESURV_E_CHECKSUM, "header checksum");
    static const char empty[1];
    load_fails(empty, 0, DESURV_E_FORMAT, "empty");
    load_fails(NULL, 0, DESURV_E_FORMAT, "empty");
}
END_TEST

/* ======================================================================
 *  Files: errors, atomic replacement
 * ====================================================================== */

START_TEST(load_file_errors)
{
    make_scratch();
    char path[512], msg[512];
    desurv_model *l = (desurv_model *)&l;
    snprintf(path, sizeof path, "%s/missing.dsv", scratch);
    ck_assert_int_eq(desurv_model_load_file(&l, path, msg, sizeof msg), DESURV_E_IO);
    ck_assert_ptr_null(l);
    ck_assert_msg(strstr(msg, "missing.dsv") && strstr(msg, "No such file"), "%s", msg);
    /* a directory */
    ck_assert_int_eq(desurv_model_load_file(&l, scratch, msg, sizeof msg), DESURV_E_IO);
    ck_assert_ptr_null(l);
    /* empty, text, truncated, damaged files */
    snprintf(path, sizeof path, "%s/f", scratch);
    write_file(path, "", 0);
    ck_assert_int_eq(desurv_model_load_file(&l, path, msg, sizeof msg), DESURV_E_FORMAT);
    ck_assert_msg(strstr(msg, "empty") && strstr(msg, path), "%s", msg);
    write_file(path, "hello, world\n", 13);
    ck_assert_int_eq(desurv_model_load_file(&l, path, msg, sizeof msg), DESURV_E_FORMAT);
    desurv_model *m = fitted_model();
    int64_t len;
    unsigned char *b = save_mem(m, &len);
    write_file(path, b, (size_t)len - 1);
    ck_assert_int_eq(desurv_model_load_file(&l, path, msg, sizeof msg), DESURV_E_FORMAT);
    ck_assert_msg(strstr(msg, "truncated"), "%s", msg);
    write_file(path, b, 20);
    ck_assert_int_eq(desurv_model_load_file(&l, path, msg, sizeof msg), DESURV_E_FORMAT);
    ck_assert_msg(strstr(msg, "truncated"), "%s", msg);
    b[len / 2] ^= 4;
    write_file(path, b, (size_t)len);
    ck_assert_int_eq(desurv_model_load_file(&l, path, msg, sizeof msg), DESURV_E_CHECKSUM);
    b[len / 2] ^= 4;
    /* trailing data after a model */
    unsigned char *c = malloc((size_t)len + 100);
    memcpy(c, b, (size_t)len);
    memset(c + len, 'x', 100);
    write_file(path, c, (size_t)len + 100);
    ck_assert_int_eq(desurv_model_load_file(&l, path, msg, sizeof msg), DESURV_E_FORMAT);
    ck_assert_msg(strstr(msg, "unexpected data"), "%s", msg);
    /* a future version is recognised from a file too */
    put32(c + 8, DESURV_MODEL_FORMAT + 1);
    reseal(c, len);
    write_file(path, c, (size_t)len);
    ck_assert_int_eq(desurv_model_load_file(&l, path, msg, sizeof msg), DESURV_E_VERSION);
    ck_assert_ptr_null(l);
    free(c);
    free(b);
    desurv_model_free(m);
    remove_tree(scratch);
}
END_TEST

START_TEST(save_file_errors)
{
    make_scratch();
    desurv_model *m = fitted_model();
    desurv_model *u = NULL;
    ck_assert_int_eq(desurv_model_new(&u), DESURV_OK);
    char path[512], msg[512];
    /* into a directory that does not exist: nothing is created */
    snprintf(path, sizeof path, "%s/no/such/dir/model.dsv", scratch);
    ck_assert_int_eq(desurv_model_save_file(m, path, msg, sizeof msg), DESURV_E_IO);
    ck_assert_msg(strstr(msg, "No such file"), "%s", msg);
    ck_assert_int_eq(count_entries(scratch), 0);

    /* a good model file that later saves must not damage */
    char good[512];
    snprintf(good, sizeof good, "%s/good.dsv", scratch);
    ck_assert_int_eq(desurv_model_save_file(m, good, NULL, 0), DESURV_OK);
    int64_t glen;
    unsigned char *gb = read_file(good, &glen);

    /* the target is a directory: the rename fails, the temporary file is
     * removed and the directory (with its content) stays */
    char dir[512], inside[600];
    snprintf(dir, sizeof dir, "%s/target", scratch);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    snprintf(inside, sizeof inside, "%s/keep", dir);
    write_file(inside, "keep", 4);
    ck_assert_int_eq(desurv_model_save_file(u, dir, msg, sizeof msg), DESURV_E_IO);
    ck_assert_msg(strstr(msg, "target"), "%s", msg);
    ck_assert_int_eq(count_entries(scratch), 2); /* good.dsv, target */
    ck_assert_int_eq(count_entries(dir), 1);

    /* a read-only directory (only meaningful when not root: root may write
     * anyway): the existing model stays intact */
    if (geteuid() != 0) {
        ck_assert_int_eq(chmod(scratch, 0500), 0);
        ck_assert_int_eq(desurv_model_save_file(u, good, msg, sizeof msg), DESURV_E_IO);
        ck_assert_msg(strstr(msg, "Permission denied"), "%s", msg);
        ck_assert_int_eq(chmod(scratch, 0700), 0);
        ck_assert_int_eq(count_entries(scratch), 2);
    }
    int64_t glen2;
    unsigned char *gb2 = read_file(good, &glen2);
    ck_assert_int_eq(glen2, glen);
    ck_assert_mem_eq(gb2, gb, (size_t)glen);
    desurv_model *l = NULL;
    ck_assert_int_eq(desurv_model_load_file(&l, good, NULL, 0), DESURV_OK);
    assert_same_model(m, l);
    free(gb), free(gb2);
    desurv_model_free(l);
    desurv_model_free(u);
    desurv_model_free(m);
    remove_tree(scratch);
}
END_TEST

/* ======================================================================
 *  Annotations
 * ====================================================================== */

START_TEST(names_contract)
{
    desurv_model *m = fitted_model();
    const char *two[2] = {"a", "b"};
    const char *withnull[P] = {"a", "b", NULL, "d", "e", "f", "g", "h"};
    ck_assert_int_eq(desurv_model_set_names(NULL, 0, two, 2), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_set_names(m, 2, two, 2), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_model_set_names(m, -1, two, 2), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_model_set_names(m, DESURV_NAMES_GENES, two, 0), DESURV_E_DIM);
    ck_assert_int_eq(desurv_model_set_names(m, DESURV_NAMES_GENES, two, 2), DESURV_E_MISMATCH);
    ck_assert_ptr_nonnull(strstr(desurv_errmsg(m), "2 gene names"));
    ck_assert_int_eq(desurv_model_set_names(m, DESURV_NAMES_SAMPLES, gene_ids, P),
                     DESURV_E_MISMATCH);
    ck_assert_int_eq(desurv_model_set_names(m, DESURV_NAMES_GENES, withnull, P), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_names_count(m, DESURV_NAMES_GENES), 0);
    ck_assert_ptr_null(desurv_model_name(m, DESURV_NAMES_GENES, 0));
    ck_assert_int_eq(desurv_model_set_names(m, DESURV_NAMES_GENES, gene_ids, P), DESURV_OK);
    /* a failed call keeps the previous names */
    ck_assert_int_eq(desurv_model_set_names(m, DESURV_NAMES_GENES, withnull, P), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_names_count(m, DESURV_NAMES_GENES), P);
    for (int i = 0; i < P; i++)
        ck_assert_str_eq(desurv_model_name(m, DESURV_NAMES_GENES, i), gene_ids[i]);
    ck_assert_ptr_null(desurv_model_name(m, DESURV_NAMES_GENES, P));
    ck_assert_ptr_null(desurv_model_name(m, DESURV_NAMES_GENES, -1));
    ck_assert_ptr_null(desurv_model_name(m, 5, 0));
    ck_assert_ptr_null(desurv_model_name(NULL, 0, 0));
    ck_assert_int_eq(desurv_model_names_count(NULL, 0), 0);
    ck_assert_int_eq(desurv_model_names_count(m, 7), 0);
    ck_assert_int_eq(desurv_model_names_count(m, DESURV_NAMES_SAMPLES), 0);
    /* the names are copies; setting from the model's own strings works */
    const char *own[P];
    for (int i = 0; i < P; i++)
        own[P - 1 - i] = desurv_model_name(m, DESURV_NAMES_GENES, i);
    ck_assert_int_eq(desurv_model_set_names(m, DESURV_NAMES_GENES, own, P), DESURV_OK);
    ck_assert_str_eq(desurv_model_name(m, DESURV_NAMES_GENES, 0), gene_ids[P - 1]);
    ck_assert_int_eq(desurv_model_set_names(m, DESURV_NAMES_GENES, NULL, 0), DESURV_OK);
    ck_assert_int_eq(desurv_model_names_count(m, DESURV_NAMES_GENES), 0);
    desurv_model_free(m);
}
END_TEST

START_TEST(names_stale_after_refit)
{
    enum { P2 = 10 };
    double X2[P2 * N], t2[N];
    int32_t e2[N];
    make_data(P2, N, 5, X2, t2, e2);
    desurv_model *m = fitted_model();
    annotate(m, 1);
    /* refit with another p: gene names are stale, sample names (same n) stay */
    ck_assert_int_eq(tu_fit(m, X2, P2, N, P2, t2, e2), DESURV_OK);
    ck_assert_int_eq(desurv_model_names_count(m, DESURV_NAMES_GENES), 0);
    ck_assert_ptr_null(desurv_model_name(m, DESURV_NAMES_GENES, 0));
    ck_assert_int_eq(desurv_model_names_count(m, DESURV_NAMES_SAMPLES), N);
    int64_t len;
    unsigned char *b = save_mem(m, &len);
    ck_assert_int_eq(find_section(b, len, "GNAM", NULL), -1);
    desurv_model *l = load_ok(b, len);
    assert_same_model(m, l);
    /* back to the original p: nothing resurrects on the loaded model */
    ck_assert_int_eq(tu_fit(l, X0, P, N, P, T0, E0), DESURV_OK);
    ck_assert_int_eq(desurv_model_names_count(l, DESURV_NAMES_GENES), 0);
    /* names set before a fit count when they match it */
    desurv_model *u = new_model();
    ck_assert_int_eq(desurv_model_set_names(u, DESURV_NAMES_GENES, gene_ids, 3), DESURV_OK);
    ck_assert_int_eq(desurv_model_names_count(u, DESURV_NAMES_GENES), 3);
    ck_assert_int_eq(tu_fit(u, X0, P, N, P, T0, E0), DESURV_OK);
    ck_assert_int_eq(desurv_model_names_count(u, DESURV_NAMES_GENES), 0);
    ck_assert_int_eq(desurv_model_set_names(u, DESURV_NAMES_GENES, gene_ids, P), DESURV_OK);
    ck_assert_int_eq(desurv_model_names_count(u, DESURV_NAMES_GENES), P);
    free(b);
    desurv_model_free(u);
    desurv_model_free(l);
    desurv_model_free(m);
}
END_TEST

START_TEST(meta_contract)
{
    desurv_model *m = NULL;
    ck_assert_int_eq(desurv_model_new(&m), DESURV_OK);
    const double v[3] = {1, 2, 3};
    double out[3] = {0};
    int64_t len = -1;
    ck_assert_int_eq(desurv_model_set_meta(NULL, "a", v, 3), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_set_meta(m, NULL, v, 3), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_set_meta(m, "", v, 3), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_model_set_meta(m, "tab\there", v, 3), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_model_set_meta(m, "caf\xc3\xa9", v, 3), DESURV_E_RANGE);
    char key[DESURV_META_KEY_MAX + 2];
    memset(key, 'k', sizeof key);
    key[DESURV_META_KEY_MAX + 1] = '\0';
    ck_assert_int_eq(desurv_model_set_meta(m, key, v, 3), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_model_set_meta_string(m, key, "x"), DESURV_E_RANGE);
    key[DESURV_META_KEY_MAX] = '\0';
    ck_assert_int_eq(desurv_model_set_meta(m, key, v, 3), DESURV_OK);
    ck_assert_int_eq(desurv_model_set_meta(m, "a", v, -1), DESURV_E_DIM);
    ck_assert_int_eq(desurv_model_meta_count(m), 1);
    ck_assert_int_eq(desurv_model_set_meta(m, " ~", v, 2), DESURV_OK);
    ck_assert_int_eq(desurv_model_set_meta_string(m, "b", "text"), DESURV_OK);
    ck_assert_int_eq(desurv_model_meta_count(m), 3);
    /* ascending byte order */
    ck_assert_str_eq(desurv_model_meta_key(m, 0), " ~");
    ck_assert_str_eq(desurv_model_meta_key(m, 1), "b");
    ck_assert_str_eq(desurv_model_meta_key(m, 2), key);
    ck_assert_ptr_null(desurv_model_meta_key(m, 3));
    ck_assert_ptr_null(desurv_model_meta_key(m, -1));
    ck_assert_ptr_null(desurv_model_meta_key(NULL, 0));
    ck_assert_int_eq(desurv_model_meta_count(NULL), 0);
    /* get: absent, wrong type, sizes, buffer */
    ck_assert_int_eq(desurv_model_get_meta(m, "zz", out, 3, &len), DESURV_E_OPTION);
    ck_assert_int_eq(desurv_model_get_meta(m, "b", out, 3, &len), DESURV_E_MISMATCH);
    ck_assert_int_eq(desurv_model_get_meta(m, key, out, 3, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_get_meta(NULL, key, out, 3, &len), DESURV_E_NULL);
    ck_assert_int_eq(desurv_model_get_meta(m, key, NULL, 0, &len), DESURV_OK);
    ck_assert_int_eq(len, 3);
    ck_assert_int_eq(desurv_model_get_meta(m, key, out, 2, &len), DESURV_E_BUFFER);
    ck_assert_int_eq(len, 3);
    ck_assert_double_eq(out[1], 2);
    ck_assert_double_eq(out[2], 0);
    ck_assert_int_eq(desurv_model_get_meta(m, key, out, 3, &len), DESURV_OK);
    ck_assert_double_eq(out[2], 3);
    ck_assert_str_eq(desurv_model_get_meta_string(m, "b"), "text");
    ck_assert_ptr_null(desurv_model_get_meta_string(m, key));
    ck_assert_ptr_null(desurv_model_get_meta_string(m, "zz"));
    ck_assert_ptr_null(desurv_model_get_meta_string(NULL, "b"));
    ck_assert_ptr_null(desurv_model_get_meta_string(m, NULL));
    /* replace with the other type, then remove */
    ck_assert_int_eq(desurv_model_set_meta_string(m, key, "now a string"), DESURV_OK);
    ck_assert_str_eq(desurv_model_get_meta_string(m, key), "now a string");
    ck_assert_int_eq(desurv_model_set_meta(m, "b", v, 1), DESURV_OK);
    ck_assert_int_eq(desurv_model_get_meta(m, "b", out, 3, &len), DESURV_OK);
    ck_assert_int_eq(len, 1);
    ck_assert_int_eq(desurv_model_set_meta_string(m, "b", desurv_model_get_meta_string(m, key)),
                     DESURV_OK);
    ck_assert_str_eq(desurv_model_get_meta_string(m, "b"), "now a string");
    ck_assert_int_eq(desurv_model_set_meta(m, "b", NULL, 0), DESURV_OK);
    ck_assert_int_eq(desurv_model_set_meta_string(m, key, NULL), DESURV_OK);
    ck_assert_int_eq(desurv_model_set_meta_string(m, "never set", NULL), DESURV_OK);
    ck_assert_int_eq(desurv_model_meta_count(m), 1);
    /* many keys, inserted in scrambled order */
    for (int i = 0; i < 100; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%03d", (i * 37) % 100);
        double x = i;
        ck_assert_int_eq(desurv_model_set_meta(m, k, &x, 1), DESURV_OK);
    }
    ck_assert_int_eq(desurv_model_meta_count(m), 101);
    for (int i = 1; i < 101; i++)
        ck_assert_int_lt(strcmp(desurv_model_meta_key(m, i - 1), desurv_model_meta_key(m, i)), 0);
    int64_t blen;
    unsigned char *b = save_mem(m, &blen);
    desurv_model *l = load_ok(b, blen);
    assert_same_model(m, l);
    free(b);
    desurv_model_free(l);
    desurv_model_free(m);
}
END_TEST

/* ---- suite ---- */

static Suite *modelfile_suite(void)
{
    Suite *s = suite_create("modelfile");
    TCase *rt = tcase_create("roundtrip");
    tcase_add_unchecked_fixture(rt, setup_data, NULL);
    tcase_set_timeout(rt, 120);
    tcase_add_test(rt, crc_reference);
    tcase_add_test(rt, header_layout);
    tcase_add_test(rt, version1_file_loads);
    tcase_add_test(rt, offset_roundtrip);
    tcase_add_test(rt, roundtrip_fitted_memory);
    tcase_add_test(rt, roundtrip_unfitted);
    tcase_add_test(rt, roundtrip_file);
    tcase_add_test(rt, save_contract);
    suite_add_tcase(s, rt);

    TCase *bad = tcase_create("damaged");
    tcase_add_unchecked_fixture(bad, setup_data, NULL);
    tcase_set_timeout(bad, 300);
    tcase_add_test(bad, truncation);
    tcase_add_test(bad, bit_flips);
    tcase_add_test(bad, future_version);
    tcase_add_test(bad, unknown_sections);
    tcase_add_test(bad, malformed_with_valid_checksums);
    tcase_add_test(bad, fuzz_resealed);
    tcase_add_test(bad, garbage);
    suite_add_tcase(s, bad);

    TCase *files = tcase_create("files");
    tcase_add_unchecked_fixture(files, setup_data, NULL);
    tcase_set_timeout(files, 120);
    tcase_add_test(files, load_file_errors);
    tcase_add_test(files, save_file_errors);
    suite_add_tcase(s, files);

    TCase *ann = tcase_create("annotations");
    tcase_add_unchecked_fixture(ann, setup_data, NULL);
    tcase_set_timeout(ann, 120);
    tcase_add_test(ann, names_contract);
    tcase_add_test(ann, names_stale_after_refit);
    tcase_add_test(ann, meta_contract);
    suite_add_tcase(s, ann);
    return s;
}

int main(void)
{
    return tu_run_suite(modelfile_suite());
}
