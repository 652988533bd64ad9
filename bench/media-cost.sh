#!/usr/bin/env bash
# bench/media-cost.sh BUILD_A BUILD_B [CALLS] [HOLD_SECONDS] [PAIRS]
# Whether a change made media dearer: the CPU (both ends: trunkload run and trunkload
# uas of the same build, on this machine) of CALLS (1500) concurrent bidirectional SRTP
# calls (20 ms PCMU, AES_CM_128_HMAC_SHA1_80, two trunk connections) held HOLD_SECONDS
# (10), for build A and build B in turn, PAIRS (9) times. A media capacity figure is
# CPU-bound (bench/media-max.sh: both ends share two cores), so the ratio A/B of CPU for the
# same calls is the inverse of the capacity ratio, without media-max.sh's 10 % steps.
# Prints each run (CPU, calls failed, packets each way, authentication failures, the
# caller's mean jitter) and the
# median of the pair-by-pair ratios. FLAGS_A / FLAGS_B: more flags for both ends of A / B
# (to compare two modes of one build: FLAGS_B=--shared-media-ports with A and B the same).
set -euo pipefail
A=$(realpath "$1") B=$(realpath "$2")
CALLS=${3:-1500} HOLD=${4:-10} PAIRS=${5:-9}
ROOT=$(dirname "$(realpath "$0")")/..
W=$(mktemp -d)
UAS=
trap '[ -n "$UAS" ] && kill "$UAS" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
ulimit -n "$(ulimit -Hn)"
. "$ROOT/bench/lib.sh"
"$A/trunkload" pki "$W/pki" >/dev/null

# one BUILD_DIR TAG: a run against a responder of the same build; prints
# "tag cpu_s failed sent received auth_failures"
one() {
	local bin=$1/trunkload tag=$2 flags=$3 p uas_cpu
	p=$(port)
	"$bin" uas --listen "127.0.0.1:$p" --cert "$W/pki/server.crt" --key "$W/pki/server.key" \
		--ca "$W/pki/ca.crt" --media-ports 30000-59999 --report-dir "$W/u" $flags >"$W/uas.log" 2>&1 &
	UAS=$!
	wait_listen "$p" || { echo "media-cost: the responder of $1 does not listen" >&2; exit 1; }
	/usr/bin/time -f "%U %S" -o "$W/time" "$bin" run --target "127.0.0.1:$p" \
		--cert "$W/pki/client.crt" --key "$W/pki/client.key" --ca "$W/pki/ca.crt" \
		--calls "$CALLS" --rate $((CALLS / 5)) --media-ms $(((HOLD + 5) * 1000)) \
		--max-concurrent $((CALLS + 10)) --media-ports 2000-29999 --connections 2 \
		--report-dir "$W/r" --quiet $flags >/dev/null 2>&1 || true
	uas_cpu=$(cpu "$UAS")
	kill "$UAS"; wait "$UAS" 2>/dev/null || true; UAS=
	python3 - "$W/r/report.json" "$W/time" "$uas_cpu" "$tag" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); s = r["srtp"]
u, st = map(float, open(sys.argv[2]).read().split()[-2:])
print(f"{sys.argv[4]} {u + st + float(sys.argv[3]):.2f} {r['calls']['failed']} "
      f"{s['packets_sent']} {s['packets_received']} {s['auth_failures']} {s['jitter_ms']:.2f}")
PY
}

echo "media CPU, both ends: $CALLS calls held $HOLD s; A $A ${FLAGS_A:-}, B $B ${FLAGS_B:-}, in turn:"
show() { tail -n 1 "$W/runs" | awk '{printf "  %-4s cpu %7.2f s  failed %d  sent %d  received %d  auth failures %d  jitter %s ms\n", $1, $2, $3, $4, $5, $6, $7}'; }
: >"$W/runs"
for i in $(seq 1 "$PAIRS"); do
	one "$A" "A$i" "${FLAGS_A:-}" >>"$W/runs" && show
	one "$B" "B$i" "${FLAGS_B:-}" >>"$W/runs" && show
done
python3 - "$W/runs" <<'PY'
import statistics, sys
runs = [l.split() for l in open(sys.argv[1])]
a = [float(r[1]) for r in runs if r[0][0] == "A"]
b = [float(r[1]) for r in runs if r[0][0] == "B"]
ratios = [x / y for x, y in zip(a, b)]
print(f"median CPU A {statistics.median(a):.2f} s, B {statistics.median(b):.2f} s; "
      f"A/B pair by pair: median {statistics.median(ratios):.3f} "
      f"(min {min(ratios):.3f}, max {max(ratios):.3f}, {len(ratios)} pairs)")
PY
