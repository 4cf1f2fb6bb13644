#!/usr/bin/env bash
# The native-crash reproduction of docs/native-crash.md: a 6-step run killed with SIGKILL after step 3, then resumed
# N times (default 10) from a copy of its data dir; prints each exit status and the number that crashed.
# Usage: cluster/repro-resume-crash.sh [N]   (EXTRA="--set key=value ..." adds settings; R1=path picks another build)
set -u
R1=${R1:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/r1"}
n=${1:-10}
w=$(mktemp -d /tmp/repro.XXXX)
cd "$w"
args=(train --steps 6 --set r1.sampling.max-new-tokens=32 --set r1.train.eval-limit=0 ${EXTRA:-} --run-id ckr --data-dir D)
"$R1" "${args[@]}" > first.log 2>&1 &
pid=$!
while ! grep -q "^step    3/" first.log 2>/dev/null; do sleep 0.5; kill -0 $pid 2>/dev/null || break; done
kill -9 $pid; wait $pid 2>/dev/null
cp -a D D.saved
crashes=0
for i in $(seq 1 "$n"); do
  rm -rf D; cp -a D.saved D
  "$R1" "${args[@]}" > resume-$i.log 2>&1
  rc=$?
  [ $rc -eq 0 ] || crashes=$((crashes+1))
  echo "resume $i: exit $rc"
done
echo "crashes: $crashes of $n resumes ($w)"
