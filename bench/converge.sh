#!/bin/sh
# bench/converge.sh [OUTDIR] - how many outer iterations the fold fits of a
# tuning run take, and how many meet tol (issue 11, "Convergence"): the
# same `desurv tune` run (12 Latin-hypercube points + 8 BO steps over the
# default search space, 5 folds x 5 starts, every start to convergence,
# maxit 1000, tol 1e-6) on four data sets, with three algorithms:
#   papers  --offset none --hstep mu    --wstep mu    (libdesurv 0.2's fits)
#   muW     --offset gene --hstep exact --wstep mu    (0.3 with the papers' W-step)
#   default --offset gene --hstep exact --wstep hals  (0.3's defaults)
# Data: the R0 and mixed simulations (3000 genes x 200 samples, seed 1,
# as the paper), TCGA-PAAD (bundled; 1000 genes, within-sample ranks, as
# the demo) and IMvigor210 (../shared/data; 1000 genes, ranks).  Every
# fold fit's iterations come from fits.tsv; bench/converge.py summarises
# them (median, 95th percentile, fraction converged, per alpha band) and
# draws the histogram figure bench/converge.png.  About 15 minutes on 2 cores.
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
OUT=${1:-$ROOT/build/bench-converge}
BIN=${DESURV:-$ROOT/build/cli/desurv}
IMV=${IMVIGOR:-$ROOT/../shared/data/imvigor210_mariathasan2018_predictior_small}
mkdir -p "$OUT"
for sc in r0 mixed; do
    [ -d "$OUT/sim-$sc" ] || "$BIN" simulate --scenario $sc --seed 1 --quiet --out "$OUT/sim-$sc"
done
TUNE="--folds 5 --starts 5 --init-points 12 --iterations 8 --threads 2 --quiet --seed 1"
run() { # name config-args data-args...
    name=$1; cfg=$2; shift 2
    if [ ! -f "$OUT/$name/fits.tsv" ]; then
        start=$(date +%s)
        # shellcheck disable=SC2086
        "$BIN" tune "$@" $TUNE $cfg --out "$OUT/$name"
        echo "$name: $(( $(date +%s) - start )) s" >> "$OUT/times.txt"
    fi
}
for algo in papers muW default; do
    case $algo in
        papers) cfg="--offset none --hstep mu --wstep mu" ;;
        muW) cfg="--wstep mu" ;;
        default) cfg="" ;;
    esac
    for sc in r0 mixed; do
        run "$sc-$algo" "$cfg" --expr "$OUT/sim-$sc/expression.tsv" --surv "$OUT/sim-$sc/survival.tsv" --select split=train --k 2:6
    done
    run "paad-$algo" "$cfg" --expr "$ROOT/data/tcga_paad/expression_log2p1.tsv.gz" \
        --surv "$ROOT/data/tcga_paad/survival.tsv.gz" --genes 1000 --transform rank
    if [ -f "$IMV/expression_log2tpm1.tsv" ]; then
        run "imvigor-$algo" "$cfg" --expr "$IMV/expression_log2tpm1.tsv" \
            --surv "$IMV/survival.tsv" --genes 1000 --transform rank
    fi
done
/usr/bin/python3 "$ROOT/bench/converge.py" "$OUT"
