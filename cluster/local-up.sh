#!/usr/bin/env bash
# Starts an N-node r1 cluster on loopback serving one run, optionally with its own PostgreSQL:
#   cluster/local-up.sh N [--postgres] [--run-id ID] [-- extra r1 options, e.g. --set r1.grpo.steps=20]
# Node 1 is the seed and has the learner role (port 4053); nodes 2..N are rollout+reward workers (4054, 4055, ...);
# with N=1 the only node has every role. R1_NODE_CPUS="0 1 ..." pins node i to the i-th CPU list (taskset).
# Everything goes under $R1_CLUSTER_DIR (default .r1/cluster): logs, the pids file that cluster/local-down.sh reads,
# the PostgreSQL folder, and env.sh with what a driver needs:
#   source .r1/cluster/env.sh && ./r1 train --config hocon/cluster.conf --run-id "$R1_RUN_ID" "${R1_EXTRA[@]}"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${R1_CLUSTER_DIR:-$root/.r1/cluster}"
base_port="${R1_BASE_PORT:-4053}"
pg_port="${R1_PG_PORT:-55432}"

[ $# -ge 1 ] && [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] || { echo "usage: $0 N [--postgres] [--run-id ID] [-- r1 options]" >&2; exit 2; }
nodes="$1"; shift
postgres=no
run_id=local
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) postgres=yes; shift ;;
    --run-id) run_id="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "$0: unknown option $1" >&2; exit 2 ;;
  esac
done
extra=("$@")

if [ -s "$dir/pids" ]; then
  echo "$0: $dir/pids exists: a cluster is up (cluster/local-down.sh stops it)" >&2
  exit 1
fi
mkdir -p "$dir"
: > "$dir/pids"

if [ "$postgres" = yes ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$bin/initdb" ] || { echo "$0: PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }
  as_pg=()
  if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); chown -R postgres "$dir"; fi
  if [ ! -d "$dir/postgres" ]; then
    "${as_pg[@]}" "$bin/initdb" -D "$dir/postgres" -A trust -U postgres -E UTF8 >"$dir/initdb.log"
  fi
  "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/postgres" -w -l "$dir/postgres.log" \
    -o "-p $pg_port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
  echo "postgres $(head -n 1 "$dir/postgres/postmaster.pid")" >> "$dir/pids"
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'r1'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE r1"
  export R1_JOURNAL_CONNECTION="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=r1"
fi
[ -n "${R1_JOURNAL_CONNECTION:-}" ] || { echo "$0: set R1_JOURNAL_CONNECTION or pass --postgres" >&2; exit 1; }

# Build once, then start every node from the same binary (./r1 would rebuild in each process).
"$root/r1" --help >/dev/null
dll="$root/src/DeepSeekR1.Actors.Cli/bin/Release/net10.0/r1.dll"
export R1_SEED_NODES="akka.tcp://r1@127.0.0.1:$base_port"
# One pbm token for every node (they share a data dir, so per-node generated token files would overwrite each other).
export R1_PBM_TOKEN="${R1_PBM_TOKEN:-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
for i in $(seq 1 "$nodes"); do
  if [ "$nodes" = 1 ]; then roles=learner,rollout,reward; elif [ "$i" = 1 ]; then roles=learner; else roles=rollout,reward; fi
  port=$((base_port + i - 1))
  # R1_NODE_CPUS="0 1" pins node i to the i-th CPU list (taskset), e.g. one core per node for cluster/bench-async.sh.
  pin=()
  if [ -n "${R1_NODE_CPUS:-}" ]; then
    read -r -a cpus <<<"$R1_NODE_CPUS"
    [ -n "${cpus[$((i - 1))]:-}" ] && pin=(taskset -c "${cpus[$((i - 1))]}")
  fi
  (cd "$root" && exec "${pin[@]}" dotnet "$dll" node --config hocon/cluster.conf --run-id "$run_id" --data-dir "$dir/data" \
      --roles "$roles" --port "$port" --set "r1.pbm.port=$((9110 + i - 1))" "${extra[@]}") >"$dir/node-$i.log" 2>&1 &
  echo "node-$i $!" >> "$dir/pids"
  echo "node $i: roles $roles, port $port, pbm 127.0.0.1:$((9110 + i - 1)), log $dir/node-$i.log"
done

{
  echo "export R1_SEED_NODES='$R1_SEED_NODES'"
  echo "export R1_JOURNAL_CONNECTION='$R1_JOURNAL_CONNECTION'"
  echo "export R1_RUN_ID='$run_id'"
  echo "export R1_PBM_TOKEN='$R1_PBM_TOKEN'"
  printf 'R1_EXTRA=(--data-dir %q' "$dir/data"; printf ' %q' "${extra[@]}"; echo ')'
} > "$dir/env.sh"
# Wait until every node says it is a member (its "r1 node: up" line), so a driver started next finds the cluster; a
# node that exits first, or one not up within R1_UP_TIMEOUT seconds (default 180), fails this script with its log tail.
deadline=$((SECONDS + ${R1_UP_TIMEOUT:-180}))
for i in $(seq 1 "$nodes"); do
  pid=$(awk -v n="node-$i" '$1 == n { print $2 }' "$dir/pids")
  until grep -q "^r1 node: up at" "$dir/node-$i.log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$0: node $i exited before joining; the end of $dir/node-$i.log:" >&2
      tail -n 15 "$dir/node-$i.log" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "$0: node $i is not up after ${R1_UP_TIMEOUT:-180} s (cluster/local-down.sh stops the others); the end of $dir/node-$i.log:" >&2
      tail -n 15 "$dir/node-$i.log" >&2
      exit 1
    fi
    sleep 0.5
  done
done
echo "all $nodes node(s) are up"
echo "drive the run: source $dir/env.sh && ./r1 train --config hocon/cluster.conf --run-id \"\$R1_RUN_ID\" \"\${R1_EXTRA[@]}\""
echo "inspect it:    source $dir/env.sh && ./r1 pbm 127.0.0.1:9110 cluster show"
echo "stop it:       cluster/local-down.sh"
