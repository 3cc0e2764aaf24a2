test_that("a fit has the documented shape, names and accessors", {
    d <- small_data()
    m <- fit_small(d)
    expect_s3_class(m, "desurv")
    expect_equal(dim(W(m)), c(300L, 2L))
    expect_equal(dim(H(m)), c(2L, 60L))
    expect_identical(rownames(W(m)), rownames(d$X))
    expect_identical(colnames(H(m)), colnames(d$X))
    expect_identical(colnames(W(m)), c("factor_1", "factor_2"))
    expect_identical(coef(m), m$beta)
    expect_identical(names(gene_offset(m)), rownames(d$X))
    expect_true(all(gene_offset(m) >= 0))
    expect_equal(length(m$trace), m$stats$iterations + 1)
    expect_true(all(diff(m$trace) <= 0))          # the loss never increases
    expect_equal(unname(colSums(W(m)^2)), c(1, 1)) # unit-norm columns
    expect_identical(m$options$k, 2)
    expect_identical(m$options$offset, "gene")
    expect_identical(m$options$maxit, 50)
})

test_that("print, summary and plot work", {
    m <- fit_small()
    expect_output(print(m), "DeSurv model: 300 genes x 60 samples, k = 2")
    expect_output(print(summary(m)), "Top genes per factor")
    pdf(NULL)
    on.exit(dev.off())
    expect_silent(plot(m))
})

test_that("time and event may be a survival::Surv object", {
    skip_if_not_installed("survival")
    d <- small_data()
    a <- fit_small(d)
    b <- desurv_fit(d$X, survival::Surv(d$time, d$event), 2, maxit = 50, ninit = 3)
    c <- desurv_fit(d$X, survival::Surv(d$time, d$event), k = 2, maxit = 50, ninit = 3)
    expect_identical(b$W, a$W)
    expect_identical(c$beta, a$beta)
    expect_error(desurv_fit(d$X, survival::Surv(d$time, d$time + 1, d$event), k = 2),
                 class = "desurv_input_error")
})

test_that("integer, logical and data-frame inputs give the same fit as doubles", {
    d <- small_data()
    Xi <- round(d$X * 10)
    storage.mode(Xi) <- "integer"
    a <- desurv_fit(Xi, d$time, d$event, k = 2, maxit = 30, ninit = 2)
    Xd <- Xi
    storage.mode(Xd) <- "double"
    b <- desurv_fit(Xd, d$time, as.logical(d$event), k = 2, maxit = 30, ninit = 2)
    c <- desurv_fit(as.data.frame(Xd), d$time, as.double(d$event), k = 2, maxit = 30, ninit = 2)
    expect_identical(a$W, b$W)
    expect_identical(a$H, c$H)
})

test_that("predict gives lp and risk, aligns genes by name, honours ntop", {
    d <- small_data()
    m <- fit_small(d)
    lp <- predict(m, d$X)
    expect_identical(names(lp), colnames(d$X))
    expect_identical(predict(m, d$X, type = "risk"), exp(lp))
    # the linear predictor is X' W beta
    expect_equal(unname(lp), unname(drop(crossprod(d$X, W(m) %*% coef(m)))), tolerance = 1e-12)
    # rows in another order are put back in the model's order by name
    rev_X <- d$X[rev(seq_len(nrow(d$X))), ]
    expect_identical(predict(m, rev_X), lp)
    expect_error(predict(m, d$X[-1, ]), class = "desurv_input_error")
    expect_error(predict(m), class = "desurv_input_error")
    lp5 <- predict(m, d$X, ntop = 5)
    expect_false(identical(lp5, lp))
    expect_error(predict(m, d$X, ntop = 301), class = "desurv_input_error")
})

test_that("top_genes returns each factor's best genes with their names", {
    d <- small_data()
    m <- fit_small(d)
    tg <- top_genes(m, 4)
    expect_identical(names(tg), c("factor", "rank", "gene", "name", "score"))
    expect_identical(nrow(tg), 8L)
    expect_identical(tg$name, rownames(d$X)[tg$gene])
    # factor 1's best gene has the largest scaled weight margin
    Ws <- sweep(W(m), 2, apply(W(m), 2, max), "/")
    score1 <- Ws[, 1] - Ws[, 2]
    expect_identical(tg$gene[1], unname(which.max(score1)))
    expect_equal(tg$score[1], max(score1), tolerance = 1e-15)
})

test_that("desurv_simulate returns the documented truth", {
    d <- small_data()
    expect_equal(dim(d$X), c(300L, 60L))
    expect_type(d$event, "integer")
    expect_equal(dim(d$W), c(300L, 2L))
    expect_equal(sum(d$train), round(0.7 * 60))
    expect_identical(small_data(), d)                 # the seed fixes everything
    expect_error(desurv_simulate("R9"), class = "desurv_option_error")
    expect_error(desurv_simulate(genes = 2, samples = 5), class = "desurv_input_error")
})

test_that("a model survives saveRDS/readRDS (its handle is rebuilt from the bytes)", {
    d <- small_data()
    m <- fit_small(d)
    f <- tempfile(fileext = ".rds")
    saveRDS(m, f)
    m2 <- readRDS(f)
    expect_identical(predict(m2, d$X), predict(m, d$X))
    expect_identical(top_genes(m2, 3), top_genes(m, 3))
})

test_that("seed = NULL draws a seed, threads do not change the result", {
    d <- small_data()
    a <- desurv_fit(d$X, d$time, d$event, k = 2, maxit = 30, ninit = 4, threads = 1)
    b <- desurv_fit(d$X, d$time, d$event, k = 2, maxit = 30, ninit = 4, threads = 2)
    expect_identical(a$W, b$W)
    expect_s3_class(desurv_fit(d$X, d$time, d$event, k = 2, maxit = 5, ninit = 1, seed = NULL),
                    "desurv")
})
