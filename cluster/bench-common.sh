# Sourced by cluster/bench.sh and cluster/bench-async.sh (it needs $root, the repository). drive_bench DIR drives the
# run "bench" of the cluster that local-up.sh started under DIR (with --run-id bench) to its end, the driver's output
# in DIR/driver.log; when the driver fails it prints the log's last lines, stops that cluster and returns 1.
drive_bench() {
  local dir="$1" status=0
  (
    # shellcheck disable=SC1091
    source "$dir/env.sh"
    cd "$root" && exec dotnet src/DeepSeekR1.Actors.Cli/bin/Release/net10.0/r1.dll train --config hocon/cluster.conf \
      --run-id bench "${R1_EXTRA[@]}"
  ) >"$dir/driver.log" 2>&1 || status=$?
  if [ "$status" != 0 ]; then
    tail -n 30 "$dir/driver.log" >&2
    R1_CLUSTER_DIR="$dir" "$root/cluster/local-down.sh" >/dev/null
    return 1
  fi
}
