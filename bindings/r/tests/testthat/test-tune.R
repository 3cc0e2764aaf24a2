test_that("desurv_tune returns the history, the choice and the refitted model", {
    d <- small_data()
    tu <- desurv_tune(d$X, d$time, d$event, bounds = list(k = c(2, 3)), nfolds = 3, starts = 2,
                      iterations = 3, maxit = 40, rule = "max")
    expect_s3_class(tu, "desurv_tune")
    h <- tu$history
    expect_s3_class(h, "data.frame")
    expect_identical(names(h)[1:10], c("k", "alpha", "lambda", "nu", "lambda_w", "lambda_h",
                                       "ntop", "mean", "se", "pooled"))
    expect_true(all(c("fold_1", "fold_2", "fold_3", "recon", "recon_se", "fits", "converged")
                    %in% names(h)))
    expect_true(all(h$k %in% 2:3))
    # rule "max": the largest mean
    expect_identical(tu$best_index, which.max(h$mean))
    expect_identical(tu$best_score, max(h$mean))
    expect_identical(tu$choice$k, h$k[tu$best_index])
    expect_identical(tu$choice$alpha, h$alpha[tu$best_index])
    expect_s3_class(tu$model, "desurv")
    expect_identical(tu$model$dims[["k"]], tu$choice$k)
    expect_setequal(unique(tu$foldid), 1:3)
    expect_output(print(tu), "Choice: k = ")
    expect_identical(predict(tu, d$X), predict(tu$model, d$X))
    # the refit is desurv_fit at the choice (ninit = 20, the model option)
    ch <- tu$choice
    m <- desurv_fit(d$X, d$time, d$event, k = ch$k, alpha = ch$alpha, lambda = ch$lambda,
                    nu = ch$nu, maxit = 40)
    expect_identical(m$W, tu$model$W)
    pdf(NULL)
    on.exit(dev.off())
    plot(tu)
})

test_that("grid search with user folds", {
    d <- small_data()
    foldid <- rep_len(1:3, 60)
    tu <- desurv_tune(d$X, d$time, d$event, method = "grid",
                      grid = list(k = 2:3, alpha = c(0.2, 0.6)), nfolds = 3, starts = 1,
                      foldid = foldid, maxit = 30, lambda = 0.05)
    expect_identical(nrow(tu$history), 4L)
    expect_identical(tu$foldid, foldid)
    expect_true(all(tu$history$lambda == 0.05))
    expect_null(tu$surface)
})
