# Shared by the tests: small data, and the other front ends of the same
# library (the desurv command, the Python binding) for the comparisons.

small_data <- function() desurv_simulate("R0", seed = 7, genes = 300, samples = 60, k = 2)

fit_small <- function(d = small_data(), ...) {
    desurv_fit(d$X, d$time, d$event, k = 2, maxit = 50, ninit = 3, ...)
}

cli_path <- function() Sys.getenv("DESURV_CLI")
python_path <- function() Sys.getenv("DESURV_PYTHON", "/usr/bin/python3")

skip_without_cli <- function() {
    p <- cli_path()
    if (!nzchar(p) || !file.exists(p))
        skip("the desurv command is not available (set DESURV_CLI; scripts/run-r-tests.sh does)")
}

skip_without_python <- function() {
    if (!nzchar(Sys.getenv("DESURV_PYTHONPATH")) || !nzchar(Sys.getenv("DESURV_LIBRARY")))
        skip("the Python binding is not available (DESURV_PYTHONPATH, DESURV_LIBRARY; scripts/run-r-tests.sh sets them)")
    if (system2(python_path(), c("-c", shQuote("import numpy")), stdout = FALSE, stderr = FALSE) != 0)
        skip("python3 with numpy is not available")
}

run_cli <- function(...) {
    args <- c(...)
    out <- suppressWarnings(system2(cli_path(), shQuote(args), stdout = TRUE, stderr = TRUE))
    status <- attr(out, "status")
    if (!is.null(status) && status != 0)
        stop(sprintf("desurv %s: exit %d\n%s", paste(args, collapse = " "), status,
                     paste(out, collapse = "\n")))
    out
}

# Run Python code with the binding of this source tree on the library under
# test; the code finds its output directory in OUT and writes float64
# arrays there with numpy's tofile() (raw little-endian doubles), which
# read_f8() reads back bit for bit.
run_python <- function(code, out) {
    script <- tempfile(fileext = ".py")
    writeLines(c("import sys, os",
                 sprintf("sys.path.insert(0, %s)", encodeString(Sys.getenv("DESURV_PYTHONPATH"), quote = '"')),
                 sprintf("OUT = %s", encodeString(out, quote = '"')),
                 "import numpy as np", "import desurv", code), script)
    res <- suppressWarnings(system2(python_path(), script, stdout = TRUE, stderr = TRUE))
    status <- attr(res, "status")
    if (!is.null(status) && status != 0)
        stop(sprintf("python failed (%d):\n%s", status, paste(res, collapse = "\n")))
    invisible(res)
}

read_f8 <- function(dir, name) {
    f <- file.path(dir, paste0(name, ".f8"))
    readBin(f, "double", n = file.size(f) / 8, size = 8, endian = "little")
}

# Write X (genes x samples) and survival as the command reads them, every
# number with 17 significant digits so the command parses the same doubles.
write_cohort <- function(dir, X, time, event) {
    dir.create(dir, showWarnings = FALSE, recursive = TRUE)
    expr <- file.path(dir, "expression.tsv")
    body <- apply(X, 1, function(r) paste(sprintf("%.17g", r), collapse = "\t"))
    writeLines(c(paste(c("gene", colnames(X)), collapse = "\t"),
                 paste(rownames(X), body, sep = "\t")), expr)
    surv <- file.path(dir, "survival.tsv")
    writeLines(c("sample\ttime\tevent",
                 sprintf("%s\t%.17g\t%d", colnames(X), time, as.integer(event))), surv)
    list(expr = expr, surv = surv)
}

paad <- function() {
    dir <- file.path(Sys.getenv("DESURV_SRC", "../../.."), "data", "tcga_paad")
    if (!file.exists(file.path(dir, "survival.tsv.gz")))
        skip("the bundled TCGA-PAAD data are not available (DESURV_SRC)")
    X <- as.matrix(read.delim(file.path(dir, "expression_log2p1.tsv.gz"), row.names = 1,
                              check.names = FALSE))
    s <- read.delim(file.path(dir, "survival.tsv.gz"))
    list(X = X, time = s$time, event = s$event)
}
