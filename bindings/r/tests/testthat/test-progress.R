# Progress reports, cancellation and Ctrl-C.  The library calls the glue's
# progress callback once per outer iteration; the glue checks for a user
# interrupt (R_CheckUserInterrupt) and calls the R function, and stops the
# library cleanly when asked.

test_that("the progress function sees the stages and steps of a fit", {
    d <- small_data()
    seen <- list()
    f <- function(stage, step, total, best) {
        seen[[length(seen) + 1L]] <<- list(stage, step, total, best)
        TRUE
    }
    m <- fit_small(d, progress = f)
    stages <- vapply(seen, `[[`, "", 1)
    expect_true(all(c("starts", "fit") %in% stages))
    last <- seen[[length(seen)]]
    expect_identical(last[[1]], "fit")
    expect_identical(last[[3]], 50)
    # reporting does not change the fit
    expect_identical(m$W, fit_small(d)$W)
})

test_that("progress = TRUE prints R progress bars", {
    d <- small_data()
    expect_output(fit_small(d, progress = TRUE), "desurv: fit")
})

test_that("returning FALSE cancels with a desurv_cancelled error", {
    d <- small_data()
    n <- 0
    e <- tryCatch(fit_small(d, progress = function(...) { n <<- n + 1; n < 5 }),
                  error = function(e) e)
    expect_s3_class(e, "desurv_cancelled")
    expect_s3_class(e, "desurv_error")
    expect_identical(e$status, "DESURV_E_CANCELLED")
    expect_identical(n, 5)
    expect_match(conditionMessage(e), "returned FALSE")
})

test_that("an error in the progress function stops the fit and is reported", {
    d <- small_data()
    e <- tryCatch(fit_small(d, progress = function(...) stop("boom")), error = function(e) e)
    expect_s3_class(e, "desurv_cancelled")
    expect_match(conditionMessage(e), "boom")
})

test_that("Ctrl-C (SIGINT) stops a fit and signals an interrupt condition", {
    skip_on_os("windows")
    d <- small_data()
    calls <- 0
    sigint <- function(...) {
        calls <<- calls + 1
        # a real SIGINT to this process, as Ctrl-C sends: R records it and
        # the glue's R_CheckUserInterrupt sees it at the next report
        if (calls == 3) tools::pskill(Sys.getpid(), tools::SIGINT)
        TRUE
    }
    got <- tryCatch(fit_small(d, progress = sigint), interrupt = function(e) e)
    expect_s3_class(got, "interrupt")
    expect_s3_class(got, "desurv_interrupt")
    expect_lt(calls, 10)
    # without an interrupt handler it is an error of class desurv_interrupt
    calls <- 0
    e <- tryCatch(fit_small(d, progress = sigint), error = function(e) e)
    expect_s3_class(e, "desurv_interrupt")
    expect_s3_class(e, "desurv_cancelled")
    # R is usable afterwards
    expect_s3_class(fit_small(d), "desurv")
})

test_that("a cancelled tuning run reports the evaluations done so far", {
    d <- small_data()
    stop_after_design <- function(stage, step, total, best) stage != "search"
    e <- tryCatch(desurv_tune(d$X, d$time, d$event, bounds = list(k = c(2, 3)), nfolds = 3,
                              starts = 1, iterations = 3, maxit = 30,
                              progress = stop_after_design),
                  error = function(e) e)
    expect_s3_class(e, "desurv_cancelled")
    expect_true(is.list(e$history))
    expect_gte(length(e$history$mean), 1)
})
