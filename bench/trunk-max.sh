#!/usr/bin/env bash
# bench/trunk-max.sh [BUILD_DIR] [SECONDS]
# The highest trunk-mode call rate (INVITE..BYE, no media, 4 mutual-TLS 1.3 connections)
# that trunkload sustains against its own responder for SECONDS (default 10) at full
# rate after a 5 s ramp with no failed call. Both ends run on this machine. Searches
# by bisection between rates that passed and failed; prints one line per try and the
# result, with the CPU each process used.
# A try passes with no failed call and p99 INVITE->200 within LAT_BOUND_MS (100, as
# bench/run-all.sh): a caller that falls behind starts its calls late rather than failing them.
# Environment: SCN (the scenario, default scenarios/trunk-capacity.json), UAS_ARGS (more
# responder flags), MAX_CONCURRENT (200000), e.g. for calls refreshed by the far end:
# SCN=scenarios/trunk-session-timer.json UAS_ARGS="--min-se 2" MAX_CONCURRENT=400000.
set -euo pipefail
BUILD=$(realpath "${1:-build}")
SECS=${2:-10}
BIN=$BUILD/trunkload
SCN=$(realpath "${SCN:-$(dirname "$(realpath "$0")")/../scenarios/trunk-capacity.json}")
read -r -a UAS_EXTRA <<<"${UAS_ARGS:-}"
W=$(mktemp -d)
UAS=
trap '[ -n "$UAS" ] && kill "$UAS" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT

"$BIN" pki "$W/pki" >/dev/null
. "$(dirname "$(realpath "$0")")/lib.sh"
PORT=$(port)
"$BIN" uas --listen "127.0.0.1:$PORT" --cert "$W/pki/server.crt" --key "$W/pki/server.key" \
	--ca "$W/pki/ca.crt" "${UAS_EXTRA[@]}" >"$W/uas.log" 2>&1 &
UAS=$!
wait_listen "$PORT" || true

try() { # rate -> prints a line; returns 0 when no call failed
	local rate=$1 before after
	before=$(cpu "$UAS")
	/usr/bin/time -f "%U %S" -o "$W/time" "$BIN" run "$SCN" --target "127.0.0.1:$PORT" \
		--cert "$W/pki/client.crt" --key "$W/pki/client.key" --ca "$W/pki/ca.crt" \
		--rate "$rate" --duration $((SECS + 5)) --max-concurrent "${MAX_CONCURRENT:-200000}" \
		--report-dir "$W/r" --quiet >/dev/null 2>&1 || true
	after=$(cpu "$UAS")
	python3 - "$W/r/report.json" "$rate" "$W/time" "$before" "$after" "${LAT_BOUND_MS:-100}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); c = r["calls"]; l = r["latency_ms"]["invite_to_200"]
u, s = map(float, open(sys.argv[3]).read().split()[-2:])
uas = float(sys.argv[5]) - float(sys.argv[4])
n = max(c["completed"], 1)
print(f"rate {sys.argv[2]:>7}: completed {c['completed']:>8} failed {c['failed']:>6} "
      f"cps {c['cps']:>9.0f} p50 {l['p50']:.3f} ms p99 {l['p99']:.3f} ms  "
      f"cpu caller {u+s:.2f} s ({(u+s)/n*1e6:.1f} us/call) responder {uas:.2f} s ({uas/n*1e6:.1f} us/call)"
      f"  failures {c['failures']}")
# a caller that fell behind fails no call but queues them: a p99 past the bound is no pass
queued = (l.get("p99") or 0) > float(sys.argv[6])
sys.exit(0 if c["failed"] == 0 and c["completed"] > 0 and not queued else 1)
PY
}

lo=0 hi=0 rate=20000
while [ "$hi" = 0 ]; do # grow until a rate fails
	if try "$rate"; then lo=$rate; rate=$((rate * 2)); else hi=$rate; fi
	[ "$rate" -gt 2000000 ] && break
done
while [ "$hi" -gt 0 ] && [ $((hi - lo)) -gt $((lo / 20 + 1000)) ]; do # bisect to 5 %
	mid=$(((lo + hi) / 2))
	if try "$mid"; then lo=$mid; else hi=$mid; fi
done
echo "highest rate sustained ${SECS} s with no failed call and p99 INVITE->200 within ${LAT_BOUND_MS:-100} ms: $lo calls/s (first failing: $hi)"
