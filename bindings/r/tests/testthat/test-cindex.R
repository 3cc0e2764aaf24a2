test_that("cindex equals survival::concordance (reverse = TRUE) to 1e-12", {
    skip_if_not_installed("survival")
    check <- function(time, event, risk) {
        ref <- survival::concordance(survival::Surv(time, event) ~ risk, reverse = TRUE)
        expect_equal(cindex(time, event, risk), unname(ref$concordance), tolerance = 1e-12)
        expect_identical(cindex(survival::Surv(time, event), risk), cindex(time, event, risk))
    }
    set.seed(3)
    for (i in 1:5) {
        n <- 200
        time <- round(rexp(n), 1)              # tied times
        event <- rbinom(n, 1, 0.6)
        risk <- round(rnorm(n) - time, 1)      # tied risks
        check(time, event, risk)
    }
    d <- small_data()
    m <- fit_small(d)
    check(d$time, d$event, predict(m, d$X))
    p <- paad()
    check(p$time, p$event, colMeans(p$X))
})

test_that("cindex checks its inputs", {
    expect_error(cindex(c(1, 2), c(1, 2), c(0.1, 0.2)), class = "desurv_input_error")
    expect_error(cindex(c(1, NA), c(1, 1), c(0.1, 0.2)), class = "desurv_input_error")
    expect_error(cindex(c(1, 2), c(1, 1), c(0.1, Inf)), class = "desurv_input_error")
    expect_true(is.nan(cindex(c(1, 2), c(0, 0), c(1, 2))))
})
