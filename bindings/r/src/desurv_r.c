/*
 * desurv_r.c - the R package's glue to libdesurv, through R's .Call
 * interface in plain C (see ../README.md for why not Rcpp).
 *
 * Rules this file keeps:
 *  - Only the public API of <desurv/desurv.h>.
 *  - Every library handle is owned by an external pointer with a C
 *    finaliser from the moment it exists, so an R error (which longjmps)
 *    can never leak it.
 *  - R errors are raised only from the glue's own frames, never while a
 *    library call is on the stack: the progress callback runs R code under
 *    R_ToplevelExec / R_tryEvalSilent, records what happened and asks the
 *    library to stop; the glue raises after the library has returned.
 *  - Errors are raised by the R function desurv:::.desurv_stop(), which
 *    turns a status code and the library's message into an R condition of
 *    a documented class (R/errors.R).
 *  - The glue never prints; progress output is the R callback's business.
 *  - No global mutable state: per-call state lives on the C stack.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>

#include <desurv/desurv.h>

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* Raise the R condition of status `code` with message `msg` (copied by R
 * before any longjmp), optionally carrying `extra` (e.g. a partial tuning
 * history).  Does not return. */
static void NORET raise_with(const char *fname, int code, const char *msg, SEXP extra)
{
    SEXP ns = PROTECT(R_FindNamespace(PROTECT(mkString("desurv"))));
    SEXP m = PROTECT(mkString(msg && *msg ? msg : desurv_strerror(code)));
    SEXP call = PROTECT(lang4(install(fname), PROTECT(ScalarInteger(code)), m,
                              extra ? extra : R_NilValue));
    eval(call, ns);
    UNPROTECT(5);
    error("libdesurv: %s", desurv_strerror(code)); /* not reached */
}

static void NORET raise_status(int code, const char *msg, SEXP extra)
{
    raise_with(".desurv_stop", code, msg, extra);
}

/* The handle's detailed message copied to buf (it is only valid until the
 * next call on the handle), or the static description of code. */
static const char *model_msg(const desurv_model *m, int code, char *buf, size_t cap)
{
    const char *s = m ? desurv_errmsg(m) : "";
    snprintf(buf, cap, "%s", (s && *s) ? s : desurv_strerror(code));
    return buf;
}

static void check_model(int code, const desurv_model *m, const char *what)
{
    if (code != DESURV_OK) {
        char buf[1024], out[1200];
        model_msg(m, code, buf, sizeof buf);
        if (what)
            snprintf(out, sizeof out, "%s: %s", what, buf);
        else
            snprintf(out, sizeof out, "%s", buf);
        raise_status(code, out, NULL);
    }
}

/* ------------------------------------------------------------------ */
/* Handles in external pointers                                        */
/* ------------------------------------------------------------------ */

static void model_finalizer(SEXP p)
{
    desurv_model *m = R_ExternalPtrAddr(p);
    if (m) {
        desurv_model_free(m);
        R_ClearExternalPtr(p);
    }
}

static void tuner_finalizer(SEXP p)
{
    desurv_tuner *t = R_ExternalPtrAddr(p);
    if (t) {
        desurv_tuner_free(t);
        R_ClearExternalPtr(p);
    }
}

/* A new external pointer owning model m (tagged, finalised on collection
 * and at exit).  Unprotected: the caller protects it. */
static SEXP wrap_model(desurv_model *m)
{
    SEXP p = PROTECT(R_MakeExternalPtr(m, install("desurv_model"), R_NilValue));
    R_RegisterCFinalizerEx(p, model_finalizer, TRUE);
    UNPROTECT(1);
    return p;
}

static SEXP new_model_ptr(void)
{
    desurv_model *m = NULL;
    int st = desurv_model_new(&m);
    if (st != DESURV_OK)
        raise_status(st, "could not create a model handle", NULL);
    return wrap_model(m);
}

static desurv_model *get_model(SEXP p)
{
    if (TYPEOF(p) != EXTPTRSXP || R_ExternalPtrTag(p) != install("desurv_model"))
        error("not a desurv model handle");
    desurv_model *m = R_ExternalPtrAddr(p);
    if (!m)
        raise_status(DESURV_E_NOT_FITTED,
                     "the model handle is gone (an object restored from a session without "
                     "its model bytes): refit it or read it with read_desurv()",
                     NULL);
    return m;
}

/* ------------------------------------------------------------------ */
/* Argument helpers                                                    */
/* ------------------------------------------------------------------ */

/* X must be a double matrix (the R layer coerces other storage once);
 * its memory is column-major p x n with leading dimension p, exactly the
 * library's layout, so it is passed without a copy. */
static const double *matrix_arg(SEXP X, int64_t *p, int64_t *n)
{
    if (!isReal(X))
        error("X must be a double matrix");
    SEXP dim = getAttrib(X, R_DimSymbol);
    if (TYPEOF(dim) != INTSXP || LENGTH(dim) != 2)
        error("X must be a matrix");
    *p = INTEGER(dim)[0];
    *n = INTEGER(dim)[1];
    return REAL(X);
}

static const double *real_arg(SEXP x, int64_t n, const char *what)
{
    if (!isReal(x) || XLENGTH(x) != n)
        error("%s must be a double vector of length %lld", what, (long long)n);
    return REAL(x);
}

/* R's integer and logical vectors are both int: 32-bit on every platform
 * R supports, hence int32_t without a copy. */
static const int32_t *int_arg(SEXP x, int64_t n, const char *what)
{
    if (!(isInteger(x) || isLogical(x)) || XLENGTH(x) != n)
        error("%s must be an integer vector of length %lld", what, (long long)n);
    return (const int32_t *)INTEGER(x);
}

/* Apply a named double vector of model options (library option names). */
static void apply_model_options(desurv_model *m, SEXP opts)
{
    SEXP names = getAttrib(opts, R_NamesSymbol);
    if (!isReal(opts) || (XLENGTH(opts) > 0 && isNull(names)))
        error("options must be a named double vector");
    for (R_xlen_t i = 0; i < XLENGTH(opts); i++) {
        const char *name = CHAR(STRING_ELT(names, i));
        desurv_option opt;
        int st = desurv_option_by_name(name, &opt);
        if (st != DESURV_OK) {
            char buf[256];
            snprintf(buf, sizeof buf, "unknown option '%s'", name);
            raise_status(st, buf, NULL);
        }
        double v = REAL(opts)[i];
        st = desurv_set_option(m, opt, v);
        if (st != DESURV_OK) {
            char buf[512];
            double lo = NAN, hi = NAN;
            desurv_option_bounds(opt, &lo, &hi);
            snprintf(buf, sizeof buf, "%s = %.17g is outside its bounds [%.17g, %.17g]%s", name,
                     v, lo, hi, st == DESURV_E_RANGE ? " (or not an integer)" : "");
            raise_status(st, buf, NULL);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Progress and interrupts                                             */
/* ------------------------------------------------------------------ */

/* Per-call state of the progress bridge (on the caller's C stack). */
typedef struct {
    SEXP fun;         /* R function(stage, step, total, best) or R_NilValue */
    SEXP rho;         /* environment to evaluate it in */
    int interrupted;  /* Ctrl-C seen */
    int cancelled;    /* the R function returned FALSE */
    int failed;       /* the R function raised an error */
    char msg[1024];   /* its message */
} bridge_t;

static void check_interrupt_cb(void *unused)
{
    (void)unused;
    R_CheckUserInterrupt();
}

static const char *stage_name(int stage)
{
    switch (stage) {
    case DESURV_STAGE_STARTS: return "starts";
    case DESURV_STAGE_FIT: return "fit";
    case DESURV_STAGE_DESIGN: return "design";
    case DESURV_STAGE_SEARCH: return "search";
    case DESURV_STAGE_REFIT: return "refit";
    default: return "unknown";
    }
}

/* The library calls this on R's main thread (desurv.h promises the calling
 * thread), so running R code here is allowed; but nothing may longjmp
 * across the library's frames.  The user's function is called through the
 * R helper .call_progress(), which catches its errors and interrupts and
 * answers "go", "cancel", "interrupt" or c("error", message); R_ToplevelExec
 * and R_tryEvalSilent stop any jump that still happens (an interrupt
 * arriving outside the helper's tryCatch), which is then taken as Ctrl-C. */
static int progress_cb(int stage, int64_t step, int64_t total, double best, void *ud)
{
    bridge_t *b = ud;
    if (!R_ToplevelExec(check_interrupt_cb, NULL)) {
        b->interrupted = 1;
        return 1;
    }
    if (isNull(b->fun))
        return 0;
    /* each argument protected on its own: any allocation may collect */
    SEXP s_stage = PROTECT(mkString(stage_name(stage)));
    SEXP s_step = PROTECT(ScalarReal((double)step));
    SEXP s_total = PROTECT(ScalarReal((double)total));
    SEXP s_best = PROTECT(ScalarReal(best));
    SEXP args = PROTECT(list5(b->fun, s_stage, s_step, s_total, s_best));
    SEXP call = PROTECT(LCONS(install(".call_progress"), args));
    int err = 0;
    SEXP res = R_tryEvalSilent(call, b->rho, &err);
    int stop = 1;
    if (err || !isString(res) || XLENGTH(res) < 1) {
        b->interrupted = 1;
    } else {
        const char *what = CHAR(STRING_ELT(res, 0));
        if (strcmp(what, "go") == 0) {
            stop = 0;
        } else if (strcmp(what, "cancel") == 0) {
            b->cancelled = 1;
        } else if (strcmp(what, "error") == 0) {
            b->failed = 1;
            snprintf(b->msg, sizeof b->msg, "%s",
                     XLENGTH(res) > 1 ? translateCharUTF8(STRING_ELT(res, 1)) : "");
        } else {
            b->interrupted = 1;
        }
    }
    UNPROTECT(6);
    return stop;
}

static void bridge_init(bridge_t *b, SEXP fun, SEXP rho)
{
    b->fun = fun;
    b->rho = rho;
    b->interrupted = b->cancelled = b->failed = 0;
    b->msg[0] = '\0';
}

/* After a call that returned `st`: raise the condition the bridge recorded
 * (interrupt, user cancel, callback error), if any. */
static void bridge_raise(const bridge_t *b, int st, SEXP extra)
{
    if (st == DESURV_OK)
        return;
    if (b->interrupted)
        raise_with(".desurv_interrupt", DESURV_E_CANCELLED, "interrupted by the user (Ctrl-C)",
                   extra);
    if (b->failed) {
        char buf[1200];
        snprintf(buf, sizeof buf, "the progress function failed: %s", b->msg);
        raise_status(DESURV_E_CANCELLED, buf, extra);
    }
    if (b->cancelled)
        raise_status(DESURV_E_CANCELLED, "cancelled: the progress function returned FALSE", extra);
}

/* ------------------------------------------------------------------ */
/* Entry points: models                                                */
/* ------------------------------------------------------------------ */

static SEXP C_version(void)
{
    return mkString(desurv_version_string());
}

static SEXP C_fit(SEXP X, SEXP time, SEXP event, SEXP opts, SEXP fun, SEXP rho)
{
    int64_t p, n;
    const double *x = matrix_arg(X, &p, &n);
    const double *t = real_arg(time, n, "time");
    const int32_t *e = int_arg(event, n, "event");
    SEXP ptr = PROTECT(new_model_ptr());
    desurv_model *m = R_ExternalPtrAddr(ptr);
    apply_model_options(m, opts);
    bridge_t b;
    bridge_init(&b, fun, rho);
    desurv_set_progress(m, progress_cb, &b);
    int st = desurv_fit(m, x, p, n, p, t, e);
    desurv_set_progress(m, NULL, NULL); /* b dies with this frame */
    bridge_raise(&b, st, R_NilValue);
    check_model(st, m, NULL);
    UNPROTECT(1);
    return ptr;
}

static SEXP named_list(int n, const char **names)
{
    SEXP l = PROTECT(allocVector(VECSXP, n));
    SEXP nm = PROTECT(allocVector(STRSXP, n));
    for (int i = 0; i < n; i++)
        SET_STRING_ELT(nm, i, mkChar(names[i]));
    setAttrib(l, R_NamesSymbol, nm);
    UNPROTECT(2);
    return l;
}

static SEXP names_of(const desurv_model *m, int which)
{
    int64_t cnt = desurv_model_names_count(m, which);
    if (cnt <= 0)
        return R_NilValue;
    SEXP s = PROTECT(allocVector(STRSXP, (R_xlen_t)cnt));
    for (int64_t i = 0; i < cnt; i++)
        SET_STRING_ELT(s, (R_xlen_t)i, mkCharCE(desurv_model_name(m, which, i), CE_UTF8));
    UNPROTECT(1);
    return s;
}

/* The handle's options as a named double vector (library option names). */
static SEXP options_vector(desurv_model *m)
{
    SEXP opts = PROTECT(allocVector(REALSXP, DESURV_OPT_COUNT));
    SEXP onm = PROTECT(allocVector(STRSXP, DESURV_OPT_COUNT));
    for (int i = 0; i < DESURV_OPT_COUNT; i++) {
        double v = NA_REAL;
        desurv_get_option(m, (desurv_option)i, &v);
        REAL(opts)[i] = v;
        const char *nm = desurv_option_name((desurv_option)i);
        SET_STRING_ELT(onm, i, mkChar(nm ? nm : "?"));
    }
    setAttrib(opts, R_NamesSymbol, onm);
    UNPROTECT(2);
    return opts;
}

/* Everything R shows of a fitted model, copied out of the handle. */
static SEXP C_model_read(SEXP ptr)
{
    desurv_model *m = get_model(ptr);
    int64_t p, n, k;
    check_model(desurv_model_dims(m, &p, &n, &k), m, NULL);
    static const char *fields[] = {"W", "H", "beta", "offset", "trace", "stats",
                                   "options", "genes", "samples", "ntop"};
    SEXP out = PROTECT(named_list(10, fields));
    SEXP W = PROTECT(allocMatrix(REALSXP, (int)p, (int)k));
    check_model(desurv_model_W(m, REAL(W), p), m, NULL);
    SET_VECTOR_ELT(out, 0, W);
    SEXP H = PROTECT(allocMatrix(REALSXP, (int)k, (int)n));
    check_model(desurv_model_H(m, REAL(H), k), m, NULL);
    SET_VECTOR_ELT(out, 1, H);
    SEXP beta = PROTECT(allocVector(REALSXP, (R_xlen_t)k));
    check_model(desurv_model_beta(m, REAL(beta)), m, NULL);
    SET_VECTOR_ELT(out, 2, beta);
    SEXP off = PROTECT(allocVector(REALSXP, (R_xlen_t)p));
    check_model(desurv_model_offset(m, REAL(off)), m, NULL);
    SET_VECTOR_ELT(out, 3, off);
    int64_t len = 0;
    check_model(desurv_model_trace(m, NULL, 0, &len), m, NULL);
    SEXP tr = PROTECT(allocVector(REALSXP, (R_xlen_t)len));
    if (len > 0)
        check_model(desurv_model_trace(m, REAL(tr), len, &len), m, NULL);
    SET_VECTOR_ELT(out, 4, tr);
    static const char *stat_names[DESURV_STAT_COUNT] = {
        "loss", "nmf_loss", "cox_loglik", "penalty_beta", "iterations", "converged",
        "train_cindex", "sigma2", "w_accept_rate", "best_start", "n_events"};
    SEXP stats = PROTECT(allocVector(REALSXP, DESURV_STAT_COUNT));
    SEXP snm = PROTECT(allocVector(STRSXP, DESURV_STAT_COUNT));
    for (int i = 0; i < DESURV_STAT_COUNT; i++) {
        double v = NA_REAL;
        desurv_model_stat(m, (desurv_stat)i, &v);
        REAL(stats)[i] = v;
        SET_STRING_ELT(snm, i, mkChar(stat_names[i]));
    }
    setAttrib(stats, R_NamesSymbol, snm);
    SET_VECTOR_ELT(out, 5, stats);
    SEXP opts = PROTECT(options_vector(m));
    SET_VECTOR_ELT(out, 6, opts);
    SET_VECTOR_ELT(out, 7, names_of(m, DESURV_NAMES_GENES));
    SET_VECTOR_ELT(out, 8, names_of(m, DESURV_NAMES_SAMPLES));
    double ntop = 0;
    int64_t nl = 0;
    int st = desurv_model_get_meta(m, "predict.ntop", &ntop, 1, &nl);
    SET_VECTOR_ELT(out, 9,
                   ScalarReal(((st == DESURV_OK || st == DESURV_E_BUFFER) && nl >= 1) ? ntop : 0));
    UNPROTECT(9);
    return out;
}

/* Options of an unfitted or fitted handle (named, library names). */
static SEXP C_model_options(SEXP ptr)
{
    desurv_model *m = get_model(ptr);
    return options_vector(m);
}

/* Gene (which = 0) or sample (1) names; NULL removes them. */
static SEXP C_set_names(SEXP ptr, SEXP which, SEXP names)
{
    desurv_model *m = get_model(ptr);
    int w = asInteger(which);
    if (isNull(names)) {
        check_model(desurv_model_set_names(m, w, NULL, 0), m, "names");
        return R_NilValue;
    }
    if (!isString(names))
        error("names must be a character vector");
    R_xlen_t cnt = XLENGTH(names);
    /* R_alloc: released by R at the end of the .Call, also on error. */
    const char **arr = (const char **)R_alloc((size_t)cnt, sizeof *arr);
    for (R_xlen_t i = 0; i < cnt; i++) {
        SEXP s = STRING_ELT(names, i);
        if (s == NA_STRING)
            raise_status(DESURV_E_NULL, "a name is NA", NULL);
        arr[i] = translateCharUTF8(s);
    }
    check_model(desurv_model_set_names(m, w, arr, (int64_t)cnt), m, "names");
    return R_NilValue;
}

/* Numeric metadata under key; NULL removes the key. */
static SEXP C_set_meta(SEXP ptr, SEXP key, SEXP values)
{
    desurv_model *m = get_model(ptr);
    const char *k = CHAR(asChar(key));
    if (isNull(values)) {
        check_model(desurv_model_set_meta(m, k, NULL, 0), m, "metadata");
    } else {
        if (!isReal(values))
            error("metadata values must be double");
        check_model(desurv_model_set_meta(m, k, REAL(values), XLENGTH(values)), m, "metadata");
    }
    return R_NilValue;
}

static SEXP C_predict(SEXP ptr, SEXP X, SEXP ntop)
{
    desurv_model *m = get_model(ptr);
    int64_t p, n;
    const double *x = matrix_arg(X, &p, &n);
    int64_t nt = (int64_t)asReal(ntop);
    SEXP lp = PROTECT(allocVector(REALSXP, (R_xlen_t)n));
    int st = nt > 0 ? desurv_predict_ntop(m, x, p, n, p, nt, REAL(lp))
                    : desurv_predict(m, x, p, n, p, REAL(lp));
    if (st != DESURV_OK) {
        /* desurv_predict records no message on the handle: say what. */
        char buf[512];
        int64_t mp = 0;
        desurv_model_dims(m, &mp, NULL, NULL);
        if (st == DESURV_E_MISMATCH)
            snprintf(buf, sizeof buf, "newdata has %lld genes (rows), the model was fitted on %lld",
                     (long long)p, (long long)mp);
        else if (st == DESURV_E_NONFINITE)
            snprintf(buf, sizeof buf, "newdata has a non-finite entry (NA, NaN or Inf)");
        else if (st == DESURV_E_DIM && nt > 0)
            snprintf(buf, sizeof buf, "ntop = %lld is outside 0 .. %lld", (long long)nt,
                     (long long)mp);
        else
            snprintf(buf, sizeof buf, "%s", desurv_strerror(st));
        raise_status(st, buf, NULL);
    }
    UNPROTECT(1);
    return lp;
}

static SEXP C_top_genes(SEXP ptr, SEXP ntop)
{
    desurv_model *m = get_model(ptr);
    int64_t p, k;
    check_model(desurv_model_dims(m, &p, NULL, &k), m, NULL);
    int64_t nt = (int64_t)asReal(ntop);
    if (nt < 1 || nt > p) {
        char buf[128];
        snprintf(buf, sizeof buf, "ntop = %lld is outside 1 .. %lld (the model's genes)",
                 (long long)nt, (long long)p);
        raise_status(DESURV_E_DIM, buf, NULL);
    }
    int64_t *idx = (int64_t *)R_alloc((size_t)(nt * k), sizeof *idx);
    SEXP score = PROTECT(allocMatrix(REALSXP, (int)nt, (int)k));
    check_model(desurv_model_top_genes(m, nt, idx, REAL(score)), m, NULL);
    SEXP index = PROTECT(allocMatrix(INTSXP, (int)nt, (int)k));
    for (int64_t i = 0; i < nt * k; i++)
        INTEGER(index)[i] = (int)idx[i] + 1; /* R is 1-based */
    static const char *f[] = {"index", "score"};
    SEXP out = PROTECT(named_list(2, f));
    SET_VECTOR_ELT(out, 0, index);
    SET_VECTOR_ELT(out, 1, score);
    UNPROTECT(3);
    return out;
}

/* The model file's bytes (desurv_model_save), kept in the R object so that
 * a model survives saveRDS()/readRDS() and session restarts. */
static SEXP C_serialize(SEXP ptr)
{
    desurv_model *m = get_model(ptr);
    int64_t len = 0;
    check_model(desurv_model_save(m, NULL, 0, &len), m, NULL);
    SEXP raw = PROTECT(allocVector(RAWSXP, (R_xlen_t)len));
    check_model(desurv_model_save(m, RAW(raw), len, &len), m, NULL);
    UNPROTECT(1);
    return raw;
}

/* Make sure ptr holds a handle: after readRDS() an external pointer comes
 * back empty, and is refilled from the saved bytes. */
static SEXP C_ensure_handle(SEXP ptr, SEXP raw)
{
    if (TYPEOF(ptr) != EXTPTRSXP)
        error("not a desurv model handle");
    if (R_ExternalPtrAddr(ptr))
        return ptr;
    if (TYPEOF(raw) != RAWSXP)
        raise_status(DESURV_E_NOT_FITTED, "the model has neither a handle nor its bytes", NULL);
    desurv_model *m = NULL;
    char err[1024];
    int st = desurv_model_load(&m, RAW(raw), XLENGTH(raw), err, sizeof err);
    if (st != DESURV_OK)
        raise_status(st, err, NULL);
    R_SetExternalPtrAddr(ptr, m);
    R_SetExternalPtrTag(ptr, install("desurv_model"));
    R_RegisterCFinalizerEx(ptr, model_finalizer, TRUE);
    return ptr;
}

static SEXP C_save_file(SEXP ptr, SEXP path)
{
    desurv_model *m = get_model(ptr);
    char err[1024];
    int st = desurv_model_save_file(m, translateChar(asChar(path)), err, sizeof err);
    if (st != DESURV_OK)
        raise_status(st, err, NULL);
    return R_NilValue;
}

static SEXP C_load_file(SEXP path)
{
    desurv_model *m = NULL;
    char err[1024];
    int st = desurv_model_load_file(&m, translateChar(asChar(path)), err, sizeof err);
    if (st != DESURV_OK)
        raise_status(st, err, NULL);
    return wrap_model(m);
}

static SEXP C_is_fitted(SEXP ptr)
{
    desurv_model *m = get_model(ptr);
    return ScalarLogical(desurv_model_dims(m, NULL, NULL, NULL) == DESURV_OK);
}

/* ------------------------------------------------------------------ */
/* C-index and simulation                                              */
/* ------------------------------------------------------------------ */

static SEXP C_cindex(SEXP time, SEXP event, SEXP risk)
{
    int64_t n = XLENGTH(time);
    const double *t = real_arg(time, n, "time");
    const int32_t *e = int_arg(event, n, "event");
    const double *r = real_arg(risk, n, "risk");
    double c = NA_REAL;
    int st = desurv_cindex(t, e, r, n, &c);
    if (st != DESURV_OK)
        raise_status(st, NULL, NULL);
    return ScalarReal(c);
}

static void sim_finalizer(SEXP p)
{
    desurv_sim *s = R_ExternalPtrAddr(p);
    if (s) {
        desurv_sim_free(s);
        R_ClearExternalPtr(p);
    }
}

static SEXP C_simulate(SEXP scenario, SEXP genes, SEXP samples, SEXP k, SEXP seed,
                       SEXP frac)
{
    desurv_sim *s = NULL;
    int st = desurv_simulate((desurv_scenario)asInteger(scenario), (int64_t)asReal(genes),
                             (int64_t)asReal(samples), (int64_t)asReal(k),
                             (uint64_t)asReal(seed), &s);
    if (st != DESURV_OK)
        raise_status(st, NULL, NULL);
    int64_t p, n, kk;
    desurv_sim_dims(s, &p, &n, &kk);
    static const char *f[] = {"X", "time", "event", "W", "H", "lp", "gene_class", "surv_gene",
                              "train"};
    /* allocVector only fails by longjmp (out of memory); registering s in
     * an external pointer with a finaliser makes that path leak-free. */
    SEXP guard = PROTECT(R_MakeExternalPtr(s, R_NilValue, R_NilValue));
    R_RegisterCFinalizerEx(guard, sim_finalizer, TRUE);
    SEXP out = PROTECT(named_list(9, f));
    SEXP X = PROTECT(allocMatrix(REALSXP, (int)p, (int)n));
    SEXP t = PROTECT(allocVector(REALSXP, (R_xlen_t)n));
    SEXP e = PROTECT(allocVector(INTSXP, (R_xlen_t)n));
    SEXP W = PROTECT(allocMatrix(REALSXP, (int)p, (int)kk));
    SEXP H = PROTECT(allocMatrix(REALSXP, (int)kk, (int)n));
    SEXP lp = PROTECT(allocVector(REALSXP, (R_xlen_t)n));
    SEXP cls = PROTECT(allocVector(INTSXP, (R_xlen_t)p));
    SEXP sg = PROTECT(allocMatrix(LGLSXP, (int)p, (int)kk));
    SEXP tr = PROTECT(allocVector(LGLSXP, (R_xlen_t)n));
    desurv_sim_data(s, REAL(X), p, REAL(t), (int32_t *)INTEGER(e));
    desurv_sim_truth(s, REAL(W), p, REAL(H), kk, REAL(lp), (int32_t *)INTEGER(cls),
                     (int32_t *)LOGICAL(sg), p);
    st = desurv_sim_split(s, asReal(frac), (int32_t *)LOGICAL(tr));
    R_ClearExternalPtr(guard);
    desurv_sim_free(s);
    if (st != DESURV_OK)
        raise_status(st, "train_fraction must be in (0, 1)", NULL);
    SET_VECTOR_ELT(out, 0, X);
    SET_VECTOR_ELT(out, 1, t);
    SET_VECTOR_ELT(out, 2, e);
    SET_VECTOR_ELT(out, 3, W);
    SET_VECTOR_ELT(out, 4, H);
    SET_VECTOR_ELT(out, 5, lp);
    SET_VECTOR_ELT(out, 6, cls);
    SET_VECTOR_ELT(out, 7, sg);
    SET_VECTOR_ELT(out, 8, tr);
    UNPROTECT(11);
    return out;
}

/* ------------------------------------------------------------------ */
/* Tuning                                                              */
/* ------------------------------------------------------------------ */

static void check_tuner(int code, const desurv_tuner *t, const char *what, SEXP extra)
{
    if (code != DESURV_OK) {
        const char *s = desurv_tuner_errmsg(t);
        char buf[1400];
        snprintf(buf, sizeof buf, "%s%s%s", what ? what : "", what ? ": " : "",
                 (s && *s) ? s : desurv_strerror(code));
        raise_status(code, buf, extra);
    }
}


/* The history as a list: params (len x DESURV_PARAM_COUNT), mean, se,
 * pooled, fold_c (len x folds), recon, recon_se, iters (list of the fold
 * fits' iteration counts, negative = stopped at maxit). */
static SEXP read_history(const desurv_tuner *t)
{
    int64_t len = 0, K = 0;
    check_tuner(desurv_tuner_history_len(t, &len, &K), t, "history", NULL);
    static const char *f[] = {"params", "mean", "se", "pooled", "fold_c", "recon", "recon_se",
                              "iters"};
    SEXP out = PROTECT(named_list(8, f));
    SEXP params = PROTECT(allocMatrix(REALSXP, (int)len, DESURV_PARAM_COUNT));
    SEXP mean = PROTECT(allocVector(REALSXP, (R_xlen_t)len));
    SEXP se = PROTECT(allocVector(REALSXP, (R_xlen_t)len));
    SEXP pooled = PROTECT(allocVector(REALSXP, (R_xlen_t)len));
    SEXP foldc = PROTECT(allocMatrix(REALSXP, (int)len, (int)K));
    SEXP recon = PROTECT(allocVector(REALSXP, (R_xlen_t)len));
    SEXP recon_se = PROTECT(allocVector(REALSXP, (R_xlen_t)len));
    SEXP iters = PROTECT(allocVector(VECSXP, (R_xlen_t)len));
    double pr[DESURV_PARAM_COUNT];
    double *fc = (double *)R_alloc((size_t)(K > 0 ? K : 1), sizeof *fc);
    for (int64_t i = 0; i < len; i++) {
        check_tuner(desurv_tuner_history(t, i, pr, REAL(mean) + i, REAL(se) + i,
                                         REAL(pooled) + i, fc),
                    t, "history", NULL);
        for (int j = 0; j < DESURV_PARAM_COUNT; j++)
            REAL(params)[i + len * j] = pr[j];
        for (int64_t j = 0; j < K; j++)
            REAL(foldc)[i + len * j] = fc[j];
        check_tuner(desurv_tuner_history_recon(t, i, REAL(recon) + i, REAL(recon_se) + i), t,
                    "history", NULL);
        int64_t il = 0;
        check_tuner(desurv_tuner_history_iters(t, i, NULL, 0, &il), t, "history", NULL);
        SEXP it = PROTECT(allocVector(REALSXP, (R_xlen_t)il));
        if (il > 0)
            check_tuner(desurv_tuner_history_iters(t, i, REAL(it), il, &il), t, "history", NULL);
        SET_VECTOR_ELT(iters, (R_xlen_t)i, it);
        UNPROTECT(1);
    }
    SEXP cn = PROTECT(allocVector(STRSXP, DESURV_PARAM_COUNT));
    for (int j = 0; j < DESURV_PARAM_COUNT; j++)
        SET_STRING_ELT(cn, j, mkChar(desurv_param_name((desurv_param)j)));
    SEXP dn = PROTECT(allocVector(VECSXP, 2));
    SET_VECTOR_ELT(dn, 1, cn);
    setAttrib(params, R_DimNamesSymbol, dn);
    SET_VECTOR_ELT(out, 0, params);
    SET_VECTOR_ELT(out, 1, mean);
    SET_VECTOR_ELT(out, 2, se);
    SET_VECTOR_ELT(out, 3, pooled);
    SET_VECTOR_ELT(out, 4, foldc);
    SET_VECTOR_ELT(out, 5, recon);
    SET_VECTOR_ELT(out, 6, recon_se);
    SET_VECTOR_ELT(out, 7, iters);
    UNPROTECT(11);
    return out;
}

static desurv_param param_arg(const char *name)
{
    desurv_param par;
    int st = desurv_param_by_name(name, &par);
    if (st != DESURV_OK) {
        char buf[256];
        snprintf(buf, sizeof buf,
                 "unknown hyperparameter '%s' (k, alpha, lambda, nu, lambda_w, lambda_h, ntop)",
                 name);
        raise_status(st, buf, NULL);
    }
    return par;
}

static void configure_tuner(desurv_tuner *t, SEXP topts, SEXP bounds, SEXP grid, SEXP folds,
                            SEXP strata, int64_t n)
{
    SEXP names = getAttrib(topts, R_NamesSymbol);
    if (!isReal(topts) || (XLENGTH(topts) > 0 && isNull(names)))
        error("tuner options must be a named double vector");
    char what[256];
    for (R_xlen_t i = 0; i < XLENGTH(topts); i++) {
        const char *name = CHAR(STRING_ELT(names, i));
        desurv_tuner_option opt;
        int st = desurv_tuner_option_by_name(name, &opt);
        if (st != DESURV_OK) {
            snprintf(what, sizeof what, "unknown tuner option '%s'", name);
            raise_status(st, what, NULL);
        }
        st = desurv_tuner_set(t, opt, REAL(topts)[i]);
        if (st != DESURV_OK) {
            /* the library's message names the option and its range */
            const char *s = desurv_tuner_errmsg(t);
            snprintf(what, sizeof what, "%s = %.17g", name, REAL(topts)[i]);
            raise_status(st, (s && *s) ? s : what, NULL);
        }
    }
    if (!isNull(bounds)) {
        SEXP bn = getAttrib(bounds, R_NamesSymbol);
        for (R_xlen_t i = 0; i < XLENGTH(bounds); i++) {
            const char *name = CHAR(STRING_ELT(bn, i));
            SEXP v = VECTOR_ELT(bounds, i);
            if (!isReal(v) || XLENGTH(v) != 2)
                error("bounds$%s must be c(lo, hi)", name);
            snprintf(what, sizeof what, "bounds$%s = c(%.17g, %.17g)", name, REAL(v)[0],
                     REAL(v)[1]);
            check_tuner(desurv_tuner_set_bounds(t, param_arg(name), REAL(v)[0], REAL(v)[1]), t,
                        what, NULL);
        }
    }
    if (!isNull(grid)) {
        SEXP gn = getAttrib(grid, R_NamesSymbol);
        for (R_xlen_t i = 0; i < XLENGTH(grid); i++) {
            const char *name = CHAR(STRING_ELT(gn, i));
            SEXP v = VECTOR_ELT(grid, i);
            if (!isReal(v))
                error("grid$%s must be numeric", name);
            snprintf(what, sizeof what, "grid$%s", name);
            check_tuner(desurv_tuner_set_grid(t, param_arg(name), REAL(v), XLENGTH(v)), t, what,
                        NULL);
        }
    }
    if (!isNull(folds))
        check_tuner(desurv_tuner_set_folds(t, int_arg(folds, n, "foldid"), n), t, "foldid",
                    NULL);
    if (!isNull(strata))
        check_tuner(desurv_tuner_set_strata(t, int_arg(strata, n, "strata"), n), t, "strata",
                    NULL);
}

static SEXP C_tune(SEXP X, SEXP time, SEXP event, SEXP mopts, SEXP topts, SEXP bounds,
                   SEXP grid, SEXP folds, SEXP strata, SEXP fun, SEXP rho)
{
    int64_t p, n;
    const double *x = matrix_arg(X, &p, &n);
    const double *tm = real_arg(time, n, "time");
    const int32_t *e = int_arg(event, n, "event");
    desurv_tuner *t = NULL;
    int st = desurv_tuner_new(&t);
    if (st != DESURV_OK)
        raise_status(st, "could not create a tuner handle", NULL);
    SEXP tptr = PROTECT(R_MakeExternalPtr(t, install("desurv_tuner"), R_NilValue));
    R_RegisterCFinalizerEx(tptr, tuner_finalizer, TRUE);
    SEXP mptr = PROTECT(new_model_ptr());
    desurv_model *m = R_ExternalPtrAddr(mptr);
    apply_model_options(m, mopts);
    configure_tuner(t, topts, bounds, grid, folds, strata, n);

    bridge_t b;
    bridge_init(&b, fun, rho);
    desurv_tuner_set_progress(t, progress_cb, &b);
    desurv_set_progress(m, progress_cb, &b); /* the refit's progress */
    st = desurv_tune(t, m, x, p, n, p, tm, e);
    desurv_tuner_set_progress(t, NULL, NULL);
    desurv_set_progress(m, NULL, NULL);

    SEXP hist = PROTECT(read_history(t));
    if (st != DESURV_OK) {
        bridge_raise(&b, st, hist);
        const char *s = desurv_tuner_errmsg(t);
        char buf[1400];
        if (s && *s)
            snprintf(buf, sizeof buf, "%s", s);
        else
            model_msg(m, st, buf, sizeof buf);
        raise_status(st, buf, hist);
    }
    static const char *f[] = {"model", "history", "choice", "index", "surface", "folds",
                              "warnings"};
    SEXP out = PROTECT(named_list(7, f));
    SET_VECTOR_ELT(out, 0, mptr);
    SET_VECTOR_ELT(out, 1, hist);
    SEXP choice = PROTECT(allocVector(REALSXP, DESURV_PARAM_COUNT));
    int64_t idx = -1;
    check_tuner(desurv_tuner_choice(t, REAL(choice), &idx), t, "choice", NULL);
    SEXP cn = PROTECT(allocVector(STRSXP, DESURV_PARAM_COUNT));
    for (int j = 0; j < DESURV_PARAM_COUNT; j++)
        SET_STRING_ELT(cn, j, mkChar(desurv_param_name((desurv_param)j)));
    setAttrib(choice, R_NamesSymbol, cn);
    SET_VECTOR_ELT(out, 2, choice);
    SET_VECTOR_ELT(out, 3, ScalarReal((double)idx + 1)); /* 1-based row of the history */
    int64_t sl = 0;
    st = desurv_tuner_surface(t, NULL, NULL, NULL, NULL, 0, &sl);
    if (st == DESURV_OK && sl > 0) {
        static const char *sf[] = {"k", "alpha", "mean", "sd"};
        SEXP surf = PROTECT(named_list(4, sf));
        SEXP sk = PROTECT(allocVector(REALSXP, (R_xlen_t)sl));
        SEXP sa = PROTECT(allocVector(REALSXP, (R_xlen_t)sl));
        SEXP sm = PROTECT(allocVector(REALSXP, (R_xlen_t)sl));
        SEXP ss = PROTECT(allocVector(REALSXP, (R_xlen_t)sl));
        check_tuner(desurv_tuner_surface(t, REAL(sk), REAL(sa), REAL(sm), REAL(ss), sl, &sl), t,
                    "surface", NULL);
        SET_VECTOR_ELT(surf, 0, sk);
        SET_VECTOR_ELT(surf, 1, sa);
        SET_VECTOR_ELT(surf, 2, sm);
        SET_VECTOR_ELT(surf, 3, ss);
        SET_VECTOR_ELT(out, 4, surf);
        UNPROTECT(5);
    } else if (st != DESURV_OK && st != DESURV_E_NOT_FITTED) {
        check_tuner(st, t, "surface", NULL);
    }
    SEXP fo = PROTECT(allocVector(INTSXP, (R_xlen_t)n));
    check_tuner(desurv_tuner_folds(t, (int32_t *)INTEGER(fo), n), t, "folds", NULL);
    for (int64_t i = 0; i < n; i++)
        INTEGER(fo)[i] += 1; /* R's foldid is 1-based */
    SET_VECTOR_ELT(out, 5, fo);
    const char *w = desurv_tuner_warnings(t);
    SET_VECTOR_ELT(out, 6, mkString(w ? w : ""));
    UNPROTECT(7);
    return out;
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */
/* ------------------------------------------------------------------ */

/* R's registration table stores every routine as DL_FUNC; going through
 * void (*)(void), the generic function pointer type, keeps -Wextra's
 * -Wcast-function-type quiet about a conversion R undoes when calling. */
#define ENTRY(name, n) {#name, (DL_FUNC)(void (*)(void))&name, n}
static const R_CallMethodDef call_methods[] = {
    ENTRY(C_version, 0),
    ENTRY(C_fit, 6),
    ENTRY(C_model_read, 1),
    ENTRY(C_model_options, 1),
    ENTRY(C_set_names, 3),
    ENTRY(C_set_meta, 3),
    ENTRY(C_predict, 3),
    ENTRY(C_top_genes, 2),
    ENTRY(C_serialize, 1),
    ENTRY(C_ensure_handle, 2),
    ENTRY(C_save_file, 2),
    ENTRY(C_load_file, 1),
    ENTRY(C_is_fitted, 1),
    ENTRY(C_cindex, 3),
    ENTRY(C_simulate, 6),
    ENTRY(C_tune, 11),
    {NULL, NULL, 0}};

void R_init_desurv(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
}
