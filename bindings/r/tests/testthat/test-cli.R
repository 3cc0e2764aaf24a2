# Model files are shared with the desurv command: a model fitted by the
# command equals the R fit on the same data, and each reads the other's.

cli_cohort <- function() {
    d <- small_data()
    dir <- tempfile("cli")
    f <- write_cohort(dir, d$X, d$time, d$event)
    c(f, list(dir = dir, d = d))
}

test_that("the command's fit equals desurv_fit bit for bit, and R reads its model", {
    skip_without_cli()
    co <- cli_cohort()
    out <- file.path(co$dir, "fit")
    run_cli("fit", "--expr", co$expr, "--surv", co$surv, "--k", "2", "--starts", "3",
            "--maxit", "50", "--alpha", "0.3", "--quiet", "--out", out)
    cm <- read_desurv(file.path(out, "model.desurv"))
    m <- desurv_fit(co$d$X, co$d$time, co$d$event, k = 2, ninit = 3, maxit = 50, alpha = 0.3)
    expect_identical(cm$W, m$W)
    expect_identical(cm$H, m$H)
    expect_identical(cm$beta, m$beta)
    expect_identical(cm$genes, rownames(co$d$X))
    expect_identical(cm$samples, colnames(co$d$X))
    # the command's predictions (written with 17 digits) are R's
    pr <- read.delim(text = run_cli("predict", "--model", file.path(out, "model.desurv"),
                                    "--expr", co$expr, "--quiet"), colClasses = c(sample = "character"))
    expect_identical(pr$sample, colnames(co$d$X))
    expect_identical(pr$lp, unname(predict(m, co$d$X)))
    # and the W it wrote as text
    Wt <- as.matrix(read.delim(file.path(out, "W.tsv"), row.names = 1, check.names = FALSE))
    expect_identical(unname(Wt), unname(W(m)))
})

test_that("the command reads a model saved in R", {
    skip_without_cli()
    co <- cli_cohort()
    m <- desurv_fit(co$d$X, co$d$time, co$d$event, k = 2, ninit = 2, maxit = 40, alpha = 0.4)
    f <- file.path(co$dir, "r.desurv")
    save_desurv(m, f)
    info <- run_cli("info", "--model", f)
    expect_true(any(grepl("^alpha\\s+0\\.4$", info)))
    expect_true(any(grepl("^gene_ids\\s+300$", info)))
    pr <- read.delim(text = run_cli("predict", "--model", f, "--expr", co$expr, "--quiet"))
    expect_identical(pr$lp, unname(predict(m, co$d$X)))
    tg <- read.delim(text = run_cli("top-genes", "--model", f, "--ntop", "3"))
    r <- top_genes(m, 3)
    expect_identical(tg$gene, r$name)
})
