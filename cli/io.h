/* io.h - reading delimited text tables (TSV or CSV, optionally gzip).
 *
 * The whole file is read into memory (plain or gzip, "-" = standard
 * input), checked (checksum, gzip integrity, not binary, not UTF-16), and
 * then handed out record by record.  Records follow RFC 4180 quoting
 * ("a""b" is a"b; quoted fields may hold the delimiter and newlines),
 * lines may end in LF, CRLF or CR, a UTF-8 byte order mark is skipped, and
 * empty lines are skipped.  Every error names file:line:column. */
#ifndef DESURV_CLI_IO_H
#define DESURV_CLI_IO_H

#include <stddef.h>
#include <stdint.h>

/* Where the data came from, for messages and summary.json. */
typedef struct file_info {
    char path[1024];   /* as given ("-" is shown as "<stdin>") */
    int64_t bytes;     /* size of the file as stored (compressed if gzip) */
    uint32_t crc32;    /* CRC-32 (zlib, as gzip and Python's zlib.crc32) of those bytes */
    int gzip;          /* 1 when the file was gzip-compressed */
} file_info;

typedef struct table {
    file_info info;
    char *buf;          /* decompressed text, NUL-terminated, parsed in place */
    size_t len, pos;
    char delim;         /* '\t' or ',' */
    int64_t line;       /* line where the current record starts (1-based) */
    int64_t next_line;  /* line of buf[pos] */
    char **field;       /* fields of the current record */
    int64_t nfield, cap;
} table;

/* Opens path ("-" = stdin).  delim: '\t', ',' or 0 to decide by the file
 * name (.csv / .tsv, .tab, after a .gz) or, failing that, by the first
 * line (a tab makes it TSV, else a comma CSV).  Returns CLI_OK or an exit
 * code after printing the reason. */
int table_open(table *t, const char *path, char delim);
/* Next non-empty record: 1, 0 at the end, or -(exit code) on error. */
int table_next(table *t);
void table_close(table *t);

/* Cell classification for numeric columns. */
enum { CELL_NUMBER = 0, CELL_NA, CELL_INF, CELL_BAD };
/* Parses a numeric cell (surrounding blanks ignored).  NA spellings: the
 * empty cell, NA, N/A, NaN, nan, null, NULL, None, "." and "-"
 * (case-insensitive).  Inf, -Inf, Infinity and overflowing numbers are
 * CELL_INF. */
int cell_number(const char *cell, double *out);

#endif
