#!/bin/sh
# desurv_cindex against R's survival::concordance on the same data, in one
# run (bench/README.md, "C-index vs R survival").
#
#   bench/cindex_vs_r.sh
#
# For n = 1e4, 1e5, 1e6 and eta continuous / tied: bench_cindex draws the
# data, writes them to a temp file (binary doubles, so R reads exactly the
# same numbers) and times desurv_cindex; then R reads the file and times only
#     concordance(Surv(time, event) ~ eta, reverse = TRUE)
# Each side reports the median wall time of its repetitions (after one
# untimed warm-up call) and its C; the script checks the two C agree to
# 1e-12 and prints n, C time, R time and their ratio.
#
# REPS_C (default 51 below 1e6, 11 at 1e6) and REPS_R (default 11 below
# 1e6, 5 at 1e6) set the repetitions; BUILD_DIR (default build-bench, a
# release build) and RSCRIPT (default Rscript) can be overridden.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-"$root/build-bench"}
rscript=${RSCRIPT:-Rscript}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Quiet unless the build fails (meson draws progress bars on stderr).
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$root" -Dbuildtype=release >"$tmp/build.log" 2>&1 ||
        { cat "$tmp/build.log"; exit 1; }
fi
ninja -C "$build" bench/bench_cindex >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }

# Reads the file bench_cindex wrote; a warm-up on the first 1000 samples
# loads the code, then only the concordance call is timed.
cat >"$tmp/time.R" <<'REOF'
suppressPackageStartupMessages(library(survival))
a <- commandArgs(TRUE)
n <- as.integer(a[2]); reps <- as.integer(a[3])
con <- file(a[1], "rb")
time <- readBin(con, "double", n)
event <- readBin(con, "integer", n, size = 4)
eta <- readBin(con, "double", n)
close(con)
w <- seq_len(min(n, 1000))
invisible(concordance(Surv(time[w], event[w]) ~ eta[w], reverse = TRUE))
sec <- numeric(reps)
for (r in seq_len(reps)) {
  gc()
  t0 <- proc.time()[["elapsed"]]
  fit <- concordance(Surv(time, event) ~ eta, reverse = TRUE)
  sec[r] <- proc.time()[["elapsed"]] - t0
}
cat(sprintf("%.6f %.17g\n", median(sec), fit$concordance))
REOF

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $("$rscript" --version 2>&1 | head -n1), survival $("$rscript" -e 'cat(format(packageVersion("survival")))')"
echo "== library at $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD -- lib 2>/dev/null || echo ' (lib/ modified)')"
printf '%-8s %-10s %12s %12s %8s %9s\n' n eta "C (ms)" "R (ms)" "R / C" "|dC|"
status=0
for eta in continuous tied; do
    flag=
    [ "$eta" = tied ] && flag=--tied-eta
    for n in 10000 100000 1000000; do
        if [ "$n" -lt 1000000 ]; then rc=${REPS_C:-51}; rr=${REPS_R:-11}; else rc=${REPS_C:-11}; rr=${REPS_R:-5}; fi
        # "n N eta E  C c  median s  min s  reps r"
        cline=$("$build/bench/bench_cindex" --n "$n" $flag --reps "$rc" --write "$tmp/data.bin")
        rline=$("$rscript" "$tmp/time.R" "$tmp/data.bin" "$n" "$rr")
        echo "$cline $rline" | awk -v n="$n" -v eta="$eta" '{
            ct = $8; cc = $6; rt = $13; rcv = $14; d = cc - rcv; if (d < 0) d = -d
            printf "%-8d %-10s %12.2f %12.1f %7.1fx %9.1e%s\n", n, eta, 1e3 * ct, 1e3 * rt,
                   rt / ct, d, d <= 1e-12 ? "" : "  MISMATCH"
            exit d <= 1e-12 ? 0 : 1 }' || status=1
    done
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
