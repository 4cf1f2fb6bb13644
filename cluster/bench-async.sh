#!/usr/bin/env bash
# Asynchronous rollouts on a cluster: a learner node and a rollout+reward node on this machine, pinned to one core each
# (taskset), each configuration on its own throwaway PostgreSQL. The same training (default task and seeds) runs
# synchronously and with r1.async.max-staleness=1; one JSON line with the fields of `./r1 bench async`:
#   cluster/bench-async.sh [steps]          (default 40)
# steps per minute    from the learner's StepApplied journal times, first to last
# mean staleness      the learner's StalenessRecorded figures (0 when synchronous: it journals none)
# idle shares         1 - busy / window over the same window, from the nodes' marker lines (at=Unix ms): the sampler
#                     is busy from `sampling` to `generated`, the learner from `update` to `applied`
# pass@1              the driver's held-out evaluation after the run (r1.train.eval-limit questions)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=cluster/bench-common.sh
source "$root/cluster/bench-common.sh"
steps="${1:-40}"
[ "$(nproc)" -ge 2 ] || { echo "$0: needs 2 cores (one per node)" >&2; exit 1; }
work=$(mktemp -d /tmp/r1-bench-async-cluster-XXXXXX)
[ "$(id -u)" = 0 ] && chmod 755 "$work"
run=(--set r1.grpo.steps="$steps" --set r1.torch-threads=1 --set r1.engine.markers=on --set r1.train.tensorboard=off
     --set akka.loglevel=WARNING)

# Seconds of [from, to] that a node spent between each `begin` marker and the `end` marker after it.
busy() {
  awk -v b="$2" -v e="$3" -v from="$4" -v to="$5" '
    $1 == "r1-engine:" { t = $NF; sub(/^at=/, "", t); t /= 1000
      if ($2 == b && open == "") open = t
      else if ($2 == e && open != "") { s = open > from ? open : from; f = t < to ? t : to; if (f > s) sum += f - s; open = "" } }
    END { printf "%.3f", sum + 0 }' "$1"
}
# The time of the first (or last) `applied` marker in the learner's log, in seconds.
applied_at() {
  awk -v which="$2" '$1 == "r1-engine:" && $2 == "applied" { t = $NF; sub(/^at=/, "", t); last = t / 1000; if (first == "") first = last }
    END { printf "%.3f", which == "first" ? first : last }' "$1"
}

measure() {   # staleness base-port pg-port -> "steps_per_minute,pass_at_1,mean_staleness,sampler_idle,learner_idle"
  local k="$1" dir="$work/k$1"
  R1_NODE_CPUS="0 1" R1_CLUSTER_DIR="$dir" R1_BASE_PORT="$2" R1_PG_PORT="$3" \
    "$root/cluster/local-up.sh" 2 --postgres --run-id bench -- "${run[@]}" --set r1.async.max-staleness="$k" >/dev/null
  drive_bench "$dir" || return 1
  local rate staleness pass from to sampler learner
  rate=$(psql -h 127.0.0.1 -p "$3" -U postgres -d r1 -At -c \
    "SELECT round(((count(*) - 1) * 60e7 / (max(created) - min(created)))::numeric, 3) FROM journal
     WHERE persistence_id = 'learner-bench' AND manifest = 'StepApplied.v1'")
  staleness=$(psql -h 127.0.0.1 -p "$3" -U postgres -d r1 -At -c \
    "SELECT round(coalesce(avg((convert_from(message, 'UTF8')::json->>'Mean')::float8), 0)::numeric, 3) FROM journal
     WHERE persistence_id = 'learner-bench' AND manifest = 'StalenessRecorded.v1'")
  pass=$(grep '^{' "$dir/driver.log" | tail -n 1 | sed -n 's/.*"pass_at_1_after":\([0-9.eE+-]*\).*/\1/p')
  from=$(applied_at "$dir/node-1.log" first)
  to=$(applied_at "$dir/node-1.log" last)
  sampler=$(busy "$dir/node-2.log" sampling generated "$from" "$to")
  learner=$(busy "$dir/node-1.log" update applied "$from" "$to")
  R1_CLUSTER_DIR="$dir" "$root/cluster/local-down.sh" >/dev/null
  awk -v r="$rate" -v p="${pass:-null}" -v k="$staleness" -v s="$sampler" -v l="$learner" -v w="$(awk -v a="$from" -v b="$to" 'BEGIN { print b - a }')" \
    'BEGIN { printf "%s,%s,%s,%.3f,%.3f", r, p, k, 1 - s / w, 1 - l / w }'
}

sync=$(measure 0 4173 55503)
async=$(measure 1 4183 55504)
IFS=, read -r sync_rate sync_pass _ sync_sampler sync_learner <<<"$sync"
IFS=, read -r async_rate async_pass async_staleness async_sampler async_learner <<<"$async"
printf '{"benchmark":"async-cluster","steps":%s,"nodes":"learner on core 0, rollout+reward on core 1","sync_steps_per_minute":%s,"async_steps_per_minute":%s,"speedup":%s,"sync_pass_at_1":%s,"async_pass_at_1":%s,"mean_staleness":%s,"sampler_idle_share":%s,"learner_idle_share":%s,"sync_sampler_idle_share":%s,"sync_learner_idle_share":%s}\n' \
  "$steps" "$sync_rate" "$async_rate" "$(awk -v a="$async_rate" -v s="$sync_rate" 'BEGIN { printf "%.3f", a / s }')" \
  "$sync_pass" "$async_pass" "$async_staleness" "$async_sampler" "$async_learner" "$sync_sampler" "$sync_learner"
rm -rf "$work"
