#!/usr/bin/env bash
# Stops what cluster/local-up.sh started, by the pids it wrote (nodes first, with SIGTERM so that they leave the
# cluster gracefully, then PostgreSQL), and removes the pids file. Logs and data stay under the cluster folder.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${R1_CLUSTER_DIR:-$root/.r1/cluster}"
[ -f "$dir/pids" ] || { echo "$0: no $dir/pids: nothing to stop"; exit 0; }

stop() {   # name pid
  kill -0 "$2" 2>/dev/null || { echo "$1 ($2): already gone"; return; }
  kill -TERM "$2"
  for _ in $(seq 1 50); do kill -0 "$2" 2>/dev/null || { echo "$1 ($2): stopped"; return; }; sleep 0.2; done
  echo "$1 ($2): still running after 10 s, killing"
  kill -KILL "$2" 2>/dev/null || true
}

# Workers before the learner (the seed), PostgreSQL last: nodes leave while the journal is still there.
grep '^node-' "$dir/pids" | sort -r | while read -r name pid; do stop "$name" "$pid"; done
grep '^postgres ' "$dir/pids" | while read -r name pid; do stop "$name" "$pid"; done
rm -f "$dir/pids"
