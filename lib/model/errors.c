/* errors.c - status descriptions, per-handle messages, version queries. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"

/* Indexed by -code; the codes are dense from 0 down to DESURV_E_CHECKSUM and
 * never renumbered, so a table is both the fastest and the clearest map. */
static const char *const status_text[] = {
    "success",
    "a required pointer argument is NULL",
    "a dimension (p, n or k) is out of range",
    "a leading dimension is smaller than the row count",
    "an input contains NaN or Inf",
    "an input that must be nonnegative has a negative entry",
    "a survival time is negative or not finite",
    "an event indicator is not 0 or 1",
    "no sample has an observed event",
    "the rank k is not set, or k > min(p, n)",
    "unknown option identifier or name",
    "an option value is outside its bounds",
    "the model has not been fitted",
    "the data do not match the fitted model",
    "memory allocation failed",
    "a non-finite value arose during fitting",
    "a size does not fit the BLAS integer type",
    "a LAPACK routine reported failure",
    "cancelled by the callback",
    "an output buffer is too small",
    "init = user but no valid initial W was given",
    "a worker thread could not be started",
    "not a libdesurv model file, or a malformed one",
    "the model file needs a newer version of libdesurv",
    "a file could not be read or written",
    "the model file is damaged (checksum mismatch)",
};

#define STATUS_COUNT ((int)(sizeof status_text / sizeof status_text[0]))

const char *desurv_strerror(int code)
{
    /* Compare before negating: -INT_MIN would overflow. */
    if (code > 0 || code <= -STATUS_COUNT)
        return "unknown status code";
    return status_text[-code];
}

const char *desurv_errmsg(const desurv_model *m)
{
    if (!m)
        return "no model handle (NULL)";
    return m->errmsg;
}

int dsv_fail(desurv_model *m, int code, const char *fmt, ...)
{
    if (!m)
        return code;
    /* Format into a scratch buffer first: callers may pass m->errmsg itself
     * as an argument (re-wrapping a validation message), and vsnprintf on
     * overlapping buffers is undefined. */
    char buf[DSV_ERRMSG_CAP] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    memcpy(m->errmsg, buf, strlen(buf) + 1);
    return code;
}

const char *desurv_version_string(void)
{
    return DESURV_VERSION_STRING;
}

int desurv_version(void)
{
    return DESURV_VERSION_NUMBER;
}
