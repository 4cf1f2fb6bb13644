#!/usr/bin/env bash
# Benchmark: the same fixed small run on 1 node and on 3 nodes (learner + 2 rollout/reward) on this machine, each with
# its own throwaway PostgreSQL, printed as one JSON line: steps per minute and the share of step time in each phase.
#   cluster/bench.sh [steps]          (default 6; the first step, with start-up and JIT, is left out of the rates)
# The phases come from the journal's write times (ticks), per step after the first:
#   sampling_and_rewarding  StepStarted -> last RolloutRecorded   (generation, scoring and journaling each rollout;
#                                                                  the journal does not split scoring out)
#   learning                last GroupFinished -> StepApplied     (collecting the groups, the GRPO update, checkpoint)
#   waiting                 the rest: advantages and delivery, the run's hand-off to the next step, policy loading
# On 2 cores three nodes share the same cores: the point is the accounting of overhead, not a speed-up.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=cluster/bench-common.sh
source "$root/cluster/bench-common.sh"
steps="${1:-6}"
work=$(mktemp -d /tmp/r1-bench-cluster-XXXXXX)
[ "$(id -u)" = 0 ] && chmod 755 "$work"
run=(--set r1.grpo.steps="$steps" --set r1.grpo.prompts-per-step=4 --set r1.grpo.group-size=4
     --set r1.sampling.max-new-tokens=32 --set r1.train.init=random --set r1.train.eval-limit=0
     --set r1.torch-threads=1 --set r1.engine.max-batch-samples=8 --set akka.loglevel=WARNING)

measure() {   # nodes base-port pg-port -> "steps_per_minute,sampling,learning,waiting"
  local nodes="$1" dir="$work/n$1"
  R1_CLUSTER_DIR="$dir" R1_BASE_PORT="$2" R1_PG_PORT="$3" "$root/cluster/local-up.sh" "$nodes" --postgres --run-id bench -- "${run[@]}" >/dev/null
  drive_bench "$dir" || return 1
  psql -h 127.0.0.1 -p "$3" -U postgres -d r1 -At -F, <<'SQL'
WITH e AS (
  SELECT persistence_id AS pid, manifest AS m, created AS t,
         substring(persistence_id FROM '/s([0-9]{6})-')::int AS gstep
  FROM journal),
started AS (SELECT row_number() OVER (ORDER BY t) - 1 AS step, t FROM e WHERE pid = 'run-bench' AND m = 'StepStarted.v1'),
completed AS (SELECT row_number() OVER (ORDER BY t) - 1 AS step, t FROM e WHERE pid = 'run-bench' AND m = 'StepCompleted.v1'),
applied AS (SELECT row_number() OVER (ORDER BY t) - 1 AS step, t FROM e WHERE pid = 'learner-bench' AND m = 'StepApplied.v1'),
groups AS (SELECT gstep AS step, max(t) FILTER (WHERE m = 'RolloutRecorded.v1') AS sampled,
                  max(t) FILTER (WHERE m = 'GroupFinished.v1') AS finished
           FROM e WHERE gstep IS NOT NULL GROUP BY gstep),
steps AS (SELECT s.step, s.t AS t0, g.sampled, g.finished, a.t AS applied, c.t AS done
          FROM started s JOIN groups g USING (step) JOIN applied a USING (step) JOIN completed c USING (step)
          WHERE s.step > 0),
total AS (SELECT count(*) AS n, sum(done - t0)::float8 AS span, sum(sampled - t0)::float8 AS sampling,
                 sum(applied - finished)::float8 AS learning FROM steps)
SELECT round((n * 60e7 / span)::numeric, 2), round((sampling / span)::numeric, 3), round((learning / span)::numeric, 3),
       round(((span - sampling - learning) / span)::numeric, 3)
FROM total;
SQL
  R1_CLUSTER_DIR="$dir" "$root/cluster/local-down.sh" >/dev/null
}

one=$(measure 1 4153 55501)
three=$(measure 3 4163 55502)
json() { IFS=, read -r rate sampling learning waiting <<<"$1"
  printf '{"steps_per_minute":%s,"share":{"sampling_and_rewarding":%s,"learning":%s,"waiting":%s}}' "$rate" "$sampling" "$learning" "$waiting"; }
printf '{"benchmark":"cluster","steps":%s,"prompts_per_step":4,"group_size":4,"max_new_tokens":32,"cores":%s,"one_node":%s,"three_nodes":%s}\n' \
  "$steps" "$(nproc)" "$(json "$one")" "$(json "$three")"
rm -rf "$work"
