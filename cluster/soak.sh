#!/usr/bin/env bash
# Soak check of the main job (too long for CI; docs/native-crash.md quotes its output):
#   1. runs the default `r1 train` to the end RUNS times, each in a fresh data dir, unsupervised
#      (r1.train.max-restarts=0, so that a crash is seen rather than healed), and reports each exit status;
#   2. runs one more job and kills it with SIGKILL KILLS times at random moments, resuming it each time with the same
#      command, then lets it finish;
#   3. reads every run back with `r1 replay` and reports whether each step was applied exactly once, the restarts, and
#      the held-out pass@1 before and after.
# Usage: cluster/soak.sh [--runs N] [--kills K] [--out DIR] [--seed S] [-- extra `r1 train` arguments]
# Exits non-zero when any run crashed, failed to finish, or applied a step twice.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=10 kills=10 out="" seed=$$
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --kills) kills="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "soak: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
out="${out:-$(mktemp -d /tmp/r1-soak.XXXXXX)}"
mkdir -p "$out"
RANDOM=$seed
r1="$root/r1"
"$r1" --help >/dev/null || { echo "soak: r1 does not build" >&2; exit 1; }
failures=0
summary="$out/summary.txt"
: >"$summary"

say() { echo "$*" | tee -a "$summary"; }

# Reads a run back from its journal: "steps=N once=yes|NO restarts=R".
check_journal() {
  local data="$1" id="$2" report
  "$r1" replay --run-id "$id" --out "$data/replay" --data-dir "$data" >"$data/replay.log" 2>&1 || { echo "replay=FAILED"; return; }
  report="$data/replay/report.md"
  local steps once restarts
  steps=$(grep -Eo '[0-9]+ steps applied' "$report" | grep -Eo '^[0-9]+')
  if grep -q 'Every step was applied exactly once' "$report"; then once=yes; else once=NO; fi
  restarts=$(grep -Eo 'Engine restarts: [0-9]+' "$report" | grep -Eo '[0-9]+$'); restarts=${restarts:-0}
  echo "steps=$steps once=$once restarts=$restarts"
}

pass_at_1() { grep -Eo 'held-out pass@1 .*' "$1" | tail -n 1; }

say "soak: $runs default runs, then $kills kill -9 / resume cycles; output under $out (seed $seed)"
for i in $(seq 1 "$runs"); do
  data="$out/run-$i"
  start=$(date +%s)
  "$r1" train --data-dir "$data" --run-id "soak-$i" --set r1.train.max-restarts=0 "${extra[@]}" >"$out/run-$i.log" 2>&1
  status=$?
  journal=$(check_journal "$data" "soak-$i")
  line="run $i: exit $status after $(( $(date +%s) - start )) s; $journal; $(pass_at_1 "$out/run-$i.log")"
  [ "$status" -eq 0 ] && [[ "$journal" == *"once=yes"* ]] || { failures=$((failures + 1)); line="$line  <-- FAILED"; }
  say "$line"
done

data="$out/kills"
id="soak-kills"
steps_seen() { grep -Eo '^step +[0-9]+' "$data.log" 2>/dev/null | tail -n 1 | grep -Eo '[0-9]+$' || echo 0; }
: >"$data.log"
for k in $(seq 1 "$kills"); do
  "$r1" train --data-dir "$data" --run-id "$id" --set r1.train.max-restarts=0 "${extra[@]}" >>"$data.log" 2>&1 &
  pid=$!
  # A random moment: 5 to 40 s in (start-up and the first evaluation included), or sooner if the run ends.
  wait_s=$(( 5 + RANDOM % 36 ))
  for _ in $(seq 1 "$wait_s"); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"; wait "$pid" 2>/dev/null
    say "kill $k: SIGKILL after ${wait_s} s, at step $(steps_seen)"
  else
    wait "$pid"; status=$?
    say "kill $k: the run ended (exit $status) before the kill"
    [ "$status" -eq 0 ] || failures=$((failures + 1))
    break
  fi
done
start=$(date +%s)
"$r1" train --data-dir "$data" --run-id "$id" --set r1.train.max-restarts=0 "${extra[@]}" >>"$data.log" 2>&1
status=$?
journal=$(check_journal "$data" "$id")
line="kill/resume run: final resume exit $status after $(( $(date +%s) - start )) s; $journal; $(pass_at_1 "$data.log")"
[ "$status" -eq 0 ] && [[ "$journal" == *"once=yes"* ]] || { failures=$((failures + 1)); line="$line  <-- FAILED"; }
say "$line"

crashes=$(grep -lE 'Segmentation fault|core dumped|SIGSEGV|Fatal error' "$out"/*.log 2>/dev/null | wc -l)
say "soak: $failures failure(s); $crashes log(s) mention a native crash"
[ "$failures" -eq 0 ]
