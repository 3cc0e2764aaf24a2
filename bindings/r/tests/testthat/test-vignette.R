test_that("the vignette builds (Sweave weave and tangle; LaTeX is not needed)", {
    src <- Sys.getenv("DESURV_R_PKG")
    rnw <- if (nzchar(src)) file.path(src, "vignettes", "desurv.Rnw") else
        system.file("doc", "desurv.Rnw", package = "desurv")
    if (!file.exists(rnw)) skip("the vignette source is not available")
    dir <- tempfile("vignette")
    dir.create(dir)
    file.copy(rnw, dir)
    old <- setwd(dir)
    on.exit(setwd(old))
    out <- tools::buildVignette(file.path(dir, "desurv.Rnw"), dir = dir, latex = FALSE,
                                tangle = TRUE, quiet = TRUE)
    expect_true(file.exists(file.path(dir, "desurv.tex")))
    expect_true(file.exists(file.path(dir, "desurv.R")))
    tex <- readLines(file.path(dir, "desurv.tex"))
    expect_true(any(grepl("held-out C-index", tex, fixed = TRUE)))
})
