# Errors are R conditions of the documented classes carrying the library's
# detailed message, its status code and the status name.

expect_desurv_error <- function(expr, class, pattern = NULL, status = NULL) {
    e <- tryCatch(expr, error = function(e) e)
    expect_s3_class(e, class)
    expect_s3_class(e, "desurv_error")
    if (!is.null(pattern)) expect_match(conditionMessage(e), pattern)
    if (!is.null(status)) expect_identical(e$status, status)
    invisible(e)
}

test_that("bad data raise desurv_input_error with the library's message", {
    d <- small_data()
    X <- d$X
    X[3, 4] <- NaN
    e <- expect_desurv_error(fit_small(list(X = X, time = d$time, event = d$event)),
                             "desurv_input_error", "gene 3, sample 4", "DESURV_E_NONFINITE")
    expect_identical(e$code, -4L)
    X <- d$X
    X[5, 1] <- -1
    expect_desurv_error(desurv_fit(X, d$time, d$event, k = 2), "desurv_input_error",
                        status = "DESURV_E_NEGATIVE")
    ev <- d$event
    ev[2] <- 2L
    expect_desurv_error(desurv_fit(d$X, d$time, ev, k = 2), "desurv_input_error",
                        status = "DESURV_E_EVENT")
    expect_desurv_error(desurv_fit(d$X, d$time, d$event * 0L, k = 2), "desurv_input_error",
                        status = "DESURV_E_NO_EVENTS")
    tm <- d$time
    tm[1] <- -1
    expect_desurv_error(desurv_fit(d$X, tm, d$event, k = 2), "desurv_input_error",
                        status = "DESURV_E_TIME")
    expect_desurv_error(desurv_fit(d$X, d$time, d$event, k = 61), "desurv_input_error",
                        status = "DESURV_E_RANK")
    expect_desurv_error(desurv_fit(d$X, d$time[-1], d$event, k = 2), "desurv_input_error",
                        "length 59")
    expect_desurv_error(desurv_fit(d$X, d$time, c(d$event[-1], 0.5), k = 2),
                        "desurv_input_error", "not 0 or 1")
    expect_desurv_error(desurv_fit(letters, d$time, d$event, k = 2), "desurv_input_error")
    expect_desurv_error(desurv_fit(d$X, d$time, d$event), "desurv_input_error", "k")
})

test_that("bad options raise desurv_option_error", {
    d <- small_data()
    expect_desurv_error(desurv_fit(d$X, d$time, d$event, k = 2, alpha = 1), "desurv_option_error",
                        "alpha", "DESURV_E_RANGE")
    expect_desurv_error(desurv_fit(d$X, d$time, d$event, k = 2.5), "desurv_option_error")
    expect_desurv_error(desurv_fit(d$X, d$time, d$event, k = 2, ties = "exact"),
                        "desurv_option_error", "breslow")
    expect_desurv_error(desurv_tune(d$X, d$time, d$event, nonsense = 1), "desurv_option_error",
                        "nonsense")
    expect_desurv_error(desurv_tune(d$X, d$time, d$event, bounds = list(k = c(5, 2))),
                        "desurv_option_error", "bounds")
    expect_desurv_error(desurv_tune(d$X, d$time, d$event, bounds = list(zeta = c(1, 2))),
                        "desurv_option_error", "zeta")
    expect_desurv_error(desurv_tune(d$X, d$time, d$event, nfolds = 1), "desurv_option_error",
                        "folds")
})

test_that("model files: damaged, missing and foreign files raise classed errors", {
    m <- fit_small()
    f <- tempfile(fileext = ".desurv")
    save_desurv(m, f)
    b <- readBin(f, "raw", file.size(f))
    b[length(b) %/% 2] <- as.raw(bitwXor(as.integer(b[length(b) %/% 2]), 1L))
    g <- tempfile()
    writeBin(b, g)
    expect_desurv_error(read_desurv(g), "desurv_file_error", status = "DESURV_E_CHECKSUM")
    writeLines("not a model", g)
    expect_desurv_error(read_desurv(g), "desurv_file_error", basename(g))
    expect_desurv_error(read_desurv(file.path(tempdir(), "absent.desurv")),
                        "desurv_resource_error", "absent.desurv", "DESURV_E_IO")
    expect_desurv_error(save_desurv(m, file.path(tempdir(), "no", "such", "dir", "m.desurv")),
                        "desurv_resource_error", status = "DESURV_E_IO")
})

test_that("the condition names the call and works with tryCatch on the family", {
    d <- small_data()
    e <- tryCatch(desurv_fit(d$X, d$time, d$event, k = 2, alpha = 2), desurv_error = function(e) e)
    expect_s3_class(e, "desurv_option_error")
    expect_identical(as.character(e$call[[1]]), "desurv_fit")
})
