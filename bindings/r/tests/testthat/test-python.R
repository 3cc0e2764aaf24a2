# The R package and the Python binding drive the same C functions: on the
# same data and options their results are the same doubles, bit for bit.

test_that("a fit equals the Python binding's bit for bit", {
    skip_without_python()
    out <- tempfile("py")
    dir.create(out)
    run_python(c(
        "d = desurv.simulate('R0', 7, n_genes=300, n_samples=60, k=2)",
        "m = desurv.DeSurv(2, maxit=50, n_init=3, alpha=0.4, lambda_=0.2).fit(d.X, d.time, d.event)",
        "w = lambda name, a: np.ascontiguousarray(a, dtype='<f8').tofile(os.path.join(OUT, name + '.f8'))",
        "w('X', d.X); w('time', d.time); w('event', d.event.astype(float))",
        "w('W', m.W_.T); w('H', m.H_.T); w('beta', m.beta_); w('offset', m.offset_)",
        "w('trace', m.loss_trace_); w('lp', m.predict(d.X))",
        "w('c', [desurv.concordance_index(d.time, d.event, m.predict(d.X))])",
        "m.save(os.path.join(OUT, 'py.desurv'))"), out)
    d <- small_data()
    # the simulation itself is the library's: the same data in both
    expect_identical(as.vector(d$X), read_f8(out, "X"))
    expect_identical(unname(d$time), read_f8(out, "time"))
    m <- desurv_fit(d$X, d$time, d$event, k = 2, maxit = 50, ninit = 3, alpha = 0.4, lambda = 0.2)
    expect_identical(as.vector(W(m)), read_f8(out, "W"))
    expect_identical(as.vector(H(m)), read_f8(out, "H"))
    expect_identical(unname(coef(m)), read_f8(out, "beta"))
    expect_identical(unname(gene_offset(m)), read_f8(out, "offset"))
    expect_identical(m$trace, read_f8(out, "trace"))
    lp <- predict(m, d$X)
    expect_identical(unname(lp), read_f8(out, "lp"))
    expect_identical(cindex(d$time, d$event, lp), read_f8(out, "c"))

    # a model saved by Python is read by R and predicts the same
    py <- read_desurv(file.path(out, "py.desurv"))
    expect_identical(unname(py$W), unname(W(m)))
    expect_identical(unname(predict(py, d$X)), unname(lp))
})

test_that("a model saved in R is read by Python, saved again and read back", {
    skip_without_python()
    d <- small_data()
    m <- fit_small(d)
    out <- tempfile("py")
    dir.create(out)
    f <- file.path(out, "r.desurv")
    save_desurv(m, f)
    run_python(c(
        "d = desurv.simulate('R0', 7, n_genes=300, n_samples=60, k=2)",
        "m = desurv.DeSurv.load(os.path.join(OUT, 'r.desurv'))",
        "assert list(m.feature_names_in_)[:2] == ['G001', 'G002'], m.feature_names_in_[:2]",
        "np.ascontiguousarray(m.predict(d.X), dtype='<f8').tofile(os.path.join(OUT, 'lp.f8'))",
        "m.save(os.path.join(OUT, 'back.desurv'))"), out)
    expect_identical(read_f8(out, "lp"), unname(predict(m, d$X)))
    back <- read_desurv(file.path(out, "back.desurv"))
    expect_identical(back$W, m$W)
    expect_identical(back$genes, rownames(d$X))
    expect_identical(predict(back, d$X), predict(m, d$X))
})

test_that("tuning equals the Python binding's (history, choice, refit) bit for bit", {
    skip_without_python()
    out <- tempfile("py")
    dir.create(out)
    run_python(c(
        "d = desurv.simulate('R0', 7, n_genes=300, n_samples=60, k=2)",
        "t = desurv.DeSurvTuner(bounds={'k': (2, 3), 'lambda_': (1e-3, 1.0)}, n_folds=3, n_starts=2,",
        "    n_iter=2, estimator=desurv.DeSurv(2, maxit=40), rule='1se')",
        "t.fit(d.X, d.time, d.event)",
        "h = t.history_",
        "w = lambda name, a: np.ascontiguousarray(a, dtype='<f8').tofile(os.path.join(OUT, name + '.f8'))",
        "w('mean', h['mean']); w('k', h['k']); w('alpha', h['alpha']); w('recon', h['recon'])",
        "w('index', [t.best_index_]); w('W', t.best_model_.W_.T); w('folds', t.folds_)"), out)
    d <- small_data()
    tu <- desurv_tune(d$X, d$time, d$event, bounds = list(k = c(2, 3), lambda = c(1e-3, 1)),
                      nfolds = 3, starts = 2, iterations = 2, maxit = 40)
    expect_identical(tu$history$mean, read_f8(out, "mean"))
    expect_identical(as.double(tu$history$k), read_f8(out, "k"))
    expect_identical(tu$history$alpha, read_f8(out, "alpha"))
    expect_identical(tu$history$recon, read_f8(out, "recon"))
    expect_identical(tu$best_index, as.integer(read_f8(out, "index")) + 1L)
    expect_identical(as.vector(W(tu)), read_f8(out, "W"))
    expect_identical(as.double(tu$foldid - 1L), read_f8(out, "folds"))
})
