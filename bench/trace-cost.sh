#!/usr/bin/env bash
# bench/trace-cost.sh [BUILD_DIR] [RATE] [SECONDS] [PAIRS]
# What --trace costs (issue 19). Against one `trunkload uas`, PAIRS (5) pairs of trunk
# runs of scenarios/trunk-capacity.json at RATE (100000) calls/s for SECONDS (6) after its
# 5 s ramp, one without --trace and one with --trace failed, in turn: no call fails, so
# every call is traced while it runs and let go at its end. Prints each run's throughput
# (calls completed per second of the run), p99 INVITE->200 and caller CPU per completed
# call, then the medians: the throughput with and without, and the CPU ratio. Then --trace all:1000
# over 2,000 calls with the default --trace-mem and with 1 MiB: traces kept and dropped,
# and the caller's peak resident memory against the same run without --trace.
set -euo pipefail
BUILD=$(realpath "${1:-build}")
RATE=${2:-100000}
SECS=${3:-6}
PAIRS=${4:-5}
BIN=$BUILD/trunkload
ROOT=$(dirname "$(realpath "$0")")/..
SCN=$(realpath "$ROOT/scenarios/trunk-capacity.json")
W=$(mktemp -d)
UAS=
trap '[ -n "$UAS" ] && kill "$UAS" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
. "$ROOT/bench/lib.sh"

"$BIN" pki "$W/pki" >/dev/null
PORT=$(port)
"$BIN" uas --listen "127.0.0.1:$PORT" --cert "$W/pki/server.crt" --key "$W/pki/server.key" \
	--ca "$W/pki/ca.crt" >"$W/uas.log" 2>&1 &
UAS=$!
wait_listen "$PORT" || { echo "trace-cost: the responder does not listen" >&2; exit 1; }

# run TAG FLAGS...: a run of the capacity scenario; prints
# "tag us_per_call failed p99 max_rss_kib completed kept dropped cps"
run() {
	local tag=$1
	shift
	/usr/bin/time -f "%U %S %M" -o "$W/time" "$BIN" run "$SCN" --target "127.0.0.1:$PORT" \
		--cert "$W/pki/client.crt" --key "$W/pki/client.key" --ca "$W/pki/ca.crt" \
		--report-dir "$W/r-$tag" --quiet "$@" >/dev/null 2>&1 || true
	python3 - "$W/r-$tag/report.json" "$W/time" "$tag" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); c = r["calls"]
u, s, m = open(sys.argv[2]).read().split()[-3:]
n = max(c["completed"], 1)
kept = len(r.get("traces", [])); dropped = r.get("traces_dropped", 0)
print(f"{sys.argv[3]} {(float(u) + float(s)) / n * 1e6:.2f} {c['failed']} "
      f"{r['latency_ms']['invite_to_200']['p99']:.3f} {m} {c['completed']} {kept} {dropped} {c['cps']:.0f}")
PY
}

echo "trunk runs at $RATE calls/s for $SECS s (after the scenario's 5 s ramp), without and with --trace failed, in turn:"
: >"$W/pairs"
for i in $(seq 1 "$PAIRS"); do
	for t in off failed; do
		flags=(--rate "$RATE" --duration $((SECS + 5)) --max-concurrent 400000)
		[ "$t" = failed ] && flags+=(--trace failed)
		line=$(run "$t$i" "${flags[@]}")
		echo "$line" >>"$W/pairs"
		read -r tag us failed p99 _ completed _ _ cps <<<"$line"
		printf '  %-8s %7s calls/s  completed %8s failed %s  p99 %7s ms  caller %6.2f us/call\n' \
			"$tag" "$cps" "$completed" "$failed" "$p99" "$us"
	done
done
python3 - "$W/pairs" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
off = [float(r[1]) for r in rows if r[0].startswith("off")]
on = [float(r[1]) for r in rows if r[0].startswith("failed")]
failed = sum(int(r[2]) for r in rows)
pairs = [b / a for a, b in zip(off, on)]
cps = {t: statistics.median(float(r[8]) for r in rows if r[0].startswith(t)) for t in ("off", "failed")}
p99 = {t: statistics.median(float(r[3]) for r in rows if r[0].startswith(t)) for t in ("off", "failed")}
print(f"median throughput: without {cps['off']:.0f} calls/s, with --trace failed {cps['failed']:.0f} "
      f"calls/s; median p99 INVITE->200 {p99['off']:.3f} ms and {p99['failed']:.3f} ms")
print(f"median caller CPU per call: without {statistics.median(off):.2f} us, with --trace failed "
      f"{statistics.median(on):.2f} us; ratio {statistics.median(on) / statistics.median(off):.3f} "
      f"(pairs {min(pairs):.3f}-{max(pairs):.3f}); failed calls {failed}")
PY

echo "--trace all:1000 over 2000 calls at 2000 calls/s, with the default --trace-mem (64 MiB) and with 1 MiB, against the same without --trace:"
base=$(run mem-off --calls 2000 --rate 2000)
full=$(run mem-all --calls 2000 --rate 2000 --trace all:1000)
capped=$(run mem-cap --calls 2000 --rate 2000 --trace all:1000 --trace-mem 1)
read -r _ _ _ _ rss0 _ _ _ _ <<<"$base"
read -r _ _ _ _ rss1 _ kept1 dropped1 _ <<<"$full"
read -r _ _ _ _ rss2 _ kept2 dropped2 _ <<<"$capped"
echo "  64 MiB: traces kept $kept1, dropped $dropped1; caller peak RSS $((rss1 - rss0)) KiB over the run without ($rss0 KiB)"
echo "  1 MiB:  traces kept $kept2, dropped $dropped2; caller peak RSS $((rss2 - rss0)) KiB over the run without"
