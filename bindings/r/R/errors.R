## Conditions raised for libdesurv's status codes.  The C glue calls
## .desurv_stop() (never stop() itself) after the library call returned, so
## every error of the package is an R condition of class
##   c("desurv_<kind>_error", "desurv_error", "error", "condition")
## with fields `message` (the library's detailed message), `code` (the
## DESURV_E_* value) and `status` (its name).  See ?desurv_fit, "Errors".

.status_names <- c(
    "-1" = "DESURV_E_NULL", "-2" = "DESURV_E_DIM", "-3" = "DESURV_E_LD",
    "-4" = "DESURV_E_NONFINITE", "-5" = "DESURV_E_NEGATIVE", "-6" = "DESURV_E_TIME",
    "-7" = "DESURV_E_EVENT", "-8" = "DESURV_E_NO_EVENTS", "-9" = "DESURV_E_RANK",
    "-10" = "DESURV_E_OPTION", "-11" = "DESURV_E_RANGE", "-12" = "DESURV_E_NOT_FITTED",
    "-13" = "DESURV_E_MISMATCH", "-14" = "DESURV_E_NOMEM", "-15" = "DESURV_E_NUMERIC",
    "-16" = "DESURV_E_OVERFLOW", "-17" = "DESURV_E_LAPACK", "-18" = "DESURV_E_CANCELLED",
    "-19" = "DESURV_E_BUFFER", "-20" = "DESURV_E_INIT", "-21" = "DESURV_E_THREAD",
    "-22" = "DESURV_E_FORMAT", "-23" = "DESURV_E_VERSION", "-24" = "DESURV_E_IO",
    "-25" = "DESURV_E_CHECKSUM")

## The same grouping as the Python binding's exception classes.
.status_kind <- function(code) {
    switch(as.character(code),
           "-1" = , "-2" = , "-3" = , "-4" = , "-5" = , "-6" = , "-7" = , "-8" = ,
           "-9" = , "-13" = "desurv_input_error",
           "-10" = , "-11" = "desurv_option_error",
           "-12" = "desurv_not_fitted_error",
           "-15" = , "-17" = "desurv_numeric_error",
           "-18" = "desurv_cancelled",
           "-22" = , "-23" = , "-25" = "desurv_file_error",
           "-14" = , "-16" = , "-19" = , "-21" = , "-24" = "desurv_resource_error",
           "-20" = "desurv_init_error",
           "desurv_other_error")
}

.desurv_condition <- function(code, message, extra = NULL, classes = character()) {
    code <- as.integer(code)
    structure(
        class = c(classes, .status_kind(code), "desurv_error", "error", "condition"),
        list(message = message, call = .user_call(), code = code,
             status = unname(.status_names[as.character(code)]), history = extra))
}

## The call of the exported function the user called (the outermost frame
## whose function lives in this namespace), for the condition's `call`.
.user_call <- function() {
    ns <- topenv(environment(.user_call))
    for (i in seq_len(sys.nframe())) {
        f <- sys.function(i)
        if (is.function(f) && identical(topenv(environment(f)), ns))
            return(sys.call(i))
    }
    NULL
}

.desurv_stop <- function(code, message, extra = NULL) {
    stop(.desurv_condition(code, message, extra))
}

## Ctrl-C during a fit or a tuning run: the library was asked to stop, so
## the call returns cleanly; here the interrupt is passed on.  First as an
## `interrupt` condition (what tryCatch(interrupt = ) and
## withCallingHandlers(interrupt = ) see for any Ctrl-C), then, if no
## handler took it, as an error of class desurv_interrupt /
## desurv_cancelled, which ends the computation as an interrupt would.
.desurv_interrupt <- function(code, message, extra = NULL) {
    signalCondition(structure(class = c("desurv_interrupt", "interrupt", "condition"),
                              list(message = message, call = NULL, history = extra)))
    stop(.desurv_condition(code, message, extra, classes = "desurv_interrupt"))
}

## Errors the R layer detects itself (wrong argument types, shapes) use the
## same classes, so callers handle one family.
.input_error <- function(message, code = -2L) {
    stop(.desurv_condition(code, message))
}
