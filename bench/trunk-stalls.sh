#!/usr/bin/env bash
# bench/trunk-stalls.sh [BUILD_DIR] [RUNS] [RATE] [SECONDS]
# Whether the tester stalls: RUNS (10) consecutive runs of scenarios/trunk-capacity.json
# at RATE (150000) calls/s for SECONDS (8) against one trunkload uas, both ends on this
# machine. Per run: p99 INVITE->200, the worst second's p99, the most calls in progress,
# and the kernel's TCP counters over the run (nstat): zero-window advertisements, and
# retransmits. A run is clean when p99 < 20 ms and no zero window was advertised.
# Prints one line per run and "clean N of RUNS"; exits 0 only when every run is clean.
set -euo pipefail
BUILD=$(realpath "${1:-build-perf}")
RUNS=${2:-10} RATE=${3:-150000} SECS=${4:-8}
BIN=$BUILD/trunkload
SCN=$(realpath "$(dirname "$(realpath "$0")")/../scenarios/trunk-capacity.json")
W=$(mktemp -d)
UAS=
trap '[ -n "$UAS" ] && kill "$UAS" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
export NSTAT_HISTORY=$W/nstat.hist # our own baseline, not the user's

"$BIN" pki "$W/pki" >/dev/null
. "$(dirname "$(realpath "$0")")/lib.sh"
PORT=$(port)
"$BIN" uas --listen "127.0.0.1:$PORT" --cert "$W/pki/server.crt" --key "$W/pki/server.key" \
	--ca "$W/pki/ca.crt" >"$W/uas.log" 2>&1 &
UAS=$!
wait_listen "$PORT" || { echo "trunkload uas did not listen on $PORT" >&2; exit 1; }

clean=0
for i in $(seq 1 "$RUNS"); do
	nstat -n
	"$BIN" run "$SCN" --target "127.0.0.1:$PORT" --cert "$W/pki/client.crt" \
		--key "$W/pki/client.key" --ca "$W/pki/ca.crt" --rate "$RATE" --duration "$SECS" \
		--max-concurrent 400000 --report-dir "$W/r" --quiet >/dev/null 2>&1 || true
	nstat -z -j >"$W/nstat.json"
	[ -n "${NSTAT_DUMP:-}" ] && cp "$W/nstat.json" "$NSTAT_DUMP.$i"
	if python3 - "$W/r/report.json" "$W/nstat.json" "$i" <<'PY'; then clean=$((clean + 1)); fi
import json, sys
r = json.load(open(sys.argv[1])); n = json.load(open(sys.argv[2]))["kernel"]
c = r["calls"]; l = r["latency_ms"]["invite_to_200"]
rows = r.get("timeseries", [])
worst = max((row.get("p99_ms", 0) for row in rows), default=0)
zw = n.get("TcpExtTCPToZeroWindowAdv", 0)
print(f"run {sys.argv[3]:>2}: completed {c['completed']:>8} failed {c['failed']:>6} "
      f"p99 {l['p99']:8.2f} ms worst second p99 {worst:8.2f} ms max in progress {c['max_concurrent']:>6} "
      f"zero-window adv {zw} (wanted {n.get('TcpExtTCPWantZeroWindowAdv', 0)}) "
      f"retransmits {n.get('TcpRetransSegs', 0)} loss probes {n.get('TcpExtTCPLossProbes', 0)}")
sys.exit(0 if c["failed"] == 0 and c["completed"] > 0 and l["p99"] < 20 and zw == 0 else 1)
PY
done
echo "clean $clean of $RUNS (rate $RATE calls/s, $SECS s each)"
[ "$clean" = "$RUNS" ]
