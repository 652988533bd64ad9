#!/usr/bin/env bash
# bench/trunk-stalls.sh [BUILD_DIR] [RUNS] [RATE] [SECONDS]
# Whether the tester stalls: RUNS (10) consecutive runs of scenarios/trunk-capacity.json
# at RATE (150000) calls/s for SECONDS (8) against one trunkload uas, both ends on this
# machine. Per run: p99 INVITE->200, the worst second's p99, the most calls in progress,
# and the kernel's TCP counters over the run (nstat): zero-window advertisements, and
# retransmits. A run is clean when p99 < 20 ms and no zero window was advertised.
# HICCUP=1: beside each run, bench/hiccup measures the machine itself: how late a
# real-time thread on each CPU woke, from just before the run until it has drained (its
# "at T s" counts from there; the worst second's "(s N)" from the run's first call). Off by
# default: its 2,000 preemptions a second cost the runs (bench/RESULTS.md, "The machine probe's cost").
# Prints one line per run and "clean N of RUNS"; exits 0 only when every run is clean.
set -euo pipefail
BUILD=$(realpath "${1:-build-perf}")
RUNS=${2:-10} RATE=${3:-150000} SECS=${4:-8}
BIN=$BUILD/trunkload
SCN=$(realpath "$(dirname "$(realpath "$0")")/../scenarios/trunk-capacity.json")
W=$(mktemp -d)
UAS= HIC=
trap '[ -n "$UAS" ] && kill "$UAS" 2>/dev/null; [ -n "$HIC" ] && kill "$HIC" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
export NSTAT_HISTORY=$W/nstat.hist # our own baseline, not the user's

"$BIN" pki "$W/pki" >/dev/null
. "$(dirname "$(realpath "$0")")/lib.sh"
PORT=$(port)
"$BIN" uas --listen "127.0.0.1:$PORT" --cert "$W/pki/server.crt" --key "$W/pki/server.key" \
	--ca "$W/pki/ca.crt" >"$W/uas.log" 2>&1 &
UAS=$!
wait_listen "$PORT" || { echo "trunkload uas did not listen on $PORT" >&2; exit 1; }

[ "${HICCUP:-0}" = 1 ] && [ ! -x "$BUILD/hiccup" ] &&
	echo "no $BUILD/hiccup: the lines say nothing of the machine's own stalls" >&2
clean=0
for i in $(seq 1 "$RUNS"); do
	nstat -n
	: >"$W/hiccup.out"
	if [ "${HICCUP:-0}" = 1 ] && [ -x "$BUILD/hiccup" ]; then
		"$BUILD/hiccup" 3600 >"$W/hiccup.out" 2>&1 & # until the run has drained: TERM below
		HIC=$!
	fi
	"$BIN" run "$SCN" --target "127.0.0.1:$PORT" --cert "$W/pki/client.crt" \
		--key "$W/pki/client.key" --ca "$W/pki/ca.crt" --rate "$RATE" --duration "$SECS" \
		--max-concurrent 400000 --report-dir "$W/r" --quiet >/dev/null 2>&1 || true
	nstat -z -j >"$W/nstat.json"
	[ -n "$HIC" ] && { kill -TERM "$HIC" 2>/dev/null; wait "$HIC" 2>/dev/null || true; HIC=; }
	[ -n "${NSTAT_DUMP:-}" ] && cp "$W/nstat.json" "$NSTAT_DUMP.$i"
	if python3 - "$W/r/report.json" "$W/nstat.json" "$i" "$W/hiccup.out" <<'PY'; then clean=$((clean + 1)); fi
import json, sys
r = json.load(open(sys.argv[1])); n = json.load(open(sys.argv[2]))["kernel"]
c = r["calls"]; l = r["latency_ms"]["invite_to_200"]
rows = r.get("timeseries", [])
def machine(path):
    # hiccup's "all" line: "all wakeups=N late_1ms=A late_5ms=B late_20ms=C worst_ms=W worst_at_s=T realtime=R pinned=P"
    lines = [line.split() for line in open(path) if line.startswith("all ")]
    if not lines:
        return ""
    h = dict(kv.split("=", 1) for kv in lines[-1][1:] if "=" in kv)
    caveat = "".join(f" (not {k.replace('realtime', 'real-time')})" for k in ("realtime", "pinned")
                     if h.get(k) == "0")  # weaker figures
    if not all(k in h for k in ("worst_ms", "worst_at_s", "late_5ms", "late_20ms")):
        return " | machine: hiccup's output not understood (an older hiccup? rebuild it)"
    return (f" | machine: worst wakeup {h['worst_ms']} ms at {h['worst_at_s']} s, "
            f"late >5 ms {h['late_5ms']}x, >20 ms {h['late_20ms']}x{caveat}")

worst_row = max(rows, key=lambda row: row.get("p99_ms", 0), default={})
worst = worst_row.get("p99_ms", 0)
zw = n.get("TcpExtTCPToZeroWindowAdv", 0)
print(f"run {sys.argv[3]:>2}: completed {c['completed']:>8} failed {c['failed']:>6} "
      f"p99 {l['p99']:8.2f} ms worst second p99 {worst:8.2f} ms (s {worst_row.get('t', 0):>2}) max in progress {c['max_concurrent']:>6} "
      f"zero-window adv {zw} (wanted {n.get('TcpExtTCPWantZeroWindowAdv', 0)}) "
      f"retransmits {n.get('TcpRetransSegs', 0)} loss probes {n.get('TcpExtTCPLossProbes', 0)}"
      + machine(sys.argv[4]))
sys.exit(0 if c["failed"] == 0 and c["completed"] > 0 and l["p99"] < 20 and zw == 0 else 1)
PY
done
echo "clean $clean of $RUNS (rate $RATE calls/s, $SECS s each)"
[ "$clean" = "$RUNS" ]
