#!/usr/bin/env bash
# bench/media-max.sh [BUILD_DIR] [HOLD_SECONDS]   (env: START first try, CONNECTIONS trunk
# connections, default 2 so that the caller's two workers each carry half the media;
# SUITE the SDES suite offered, default AES_CM_128_HMAC_SHA1_80; SHARED=1 both ends on
# shared media ports, --shared-media-ports)
# The most concurrent bidirectional SRTP calls (20 ms PCMU, SUITE, CONNECTIONS
# mutual-TLS trunk connections for signalling) that trunkload holds against its
# own responder for HOLD_SECONDS (default 30) with no failed call, loss under 0.1 %
# and no authentication failure in either direction. Doubles from START (500) until
# a try fails, then bisects to about 10 %. Both ends run on this machine. Each
# try starts N calls over 5 s; every call carries media for HOLD + 5 s, so all N are
# up together for HOLD seconds. Prints one line per try (with the CPU each process
# used) and the result.
# PIN=1: the caller alone - the responder pinned (taskset) to core 1, the caller with one
# worker and one trunk connection to core 0, so that neither takes the other's core;
# each try also prints the share of its core the caller was busy while all calls were
# up (its CPU over that time, from /proc), and the result line the calls per caller
# core: the most held, over that share (what one core given to a tester holds).
set -euo pipefail
BUILD=$(realpath "${1:-build}")
HOLD=${2:-30}
BIN=$BUILD/trunkload
W=$(mktemp -d)
SUITE=${SUITE:-AES_CM_128_HMAC_SHA1_80}
CONNECTIONS=${CONNECTIONS:-${PIN:+1}} # one worker pinned: one connection; else 2
CONNECTIONS=${CONNECTIONS:-2}
SCN=$W/media.json # the basic call, offering SUITE only
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s.setdefault("media",{})["crypto"]=[sys.argv[3]]; json.dump(s,open(sys.argv[2],"w"))' \
	"$(dirname "$(realpath "$0")")/../scenarios/basic-call.json" "$SCN" "$SUITE"
UAS=
RUN=
trap '[ -n "$RUN" ] && pkill -P "$RUN" 2>/dev/null; [ -n "$UAS" ] && kill "$UAS" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
ulimit -n "$(ulimit -Hn)"

"$BIN" pki "$W/pki" >/dev/null
. "$(dirname "$(realpath "$0")")/lib.sh"

try() { # calls -> prints a line; 0 when loss < 0.1 % and no auth failure both ways
	local n=$1 p
	p=$(port)
	rm -rf "$W/u"
	${PIN:+taskset -c 1} "$BIN" uas --listen "127.0.0.1:$p" --cert "$W/pki/server.crt" --key "$W/pki/server.key" \
		--ca "$W/pki/ca.crt" --media-ports 30000-59999 --report-dir "$W/u" ${PIN:+--threads 1} \
		${SHARED:+--shared-media-ports} >"$W/uas.log" 2>&1 &
	UAS=$!
	wait_listen "$p" || true
	/usr/bin/time -f "%U %S" -o "$W/time" ${PIN:+taskset -c 0} "$BIN" run "$SCN" --target "127.0.0.1:$p" \
		--cert "$W/pki/client.crt" --key "$W/pki/client.key" --ca "$W/pki/ca.crt" \
		--calls "$n" --rate "$(python3 -c "print(max($n / 5, 1))")" --media-ms $(((HOLD + 5) * 1000)) \
		--max-concurrent $((n + 10)) --media-ports 2000-29999 --connections "$CONNECTIONS" \
		${PIN:+--threads 1} ${SHARED:+--shared-media-ports} --report-dir "$W/r" --quiet >/dev/null 2>&1 &
	RUN=$!
	local busy=-1 c0 caller
	if [ -n "${PIN:-}" ]; then # the caller's CPU while all calls are up: from 6 s to HOLD + 4 s
		sleep 6; caller=$(pgrep -P "$RUN" | head -n 1); c0=$(cpu "$caller")
		sleep $((HOLD - 2)); busy=$(python3 -c "print(($(cpu "$caller") - $c0) / ($HOLD - 2))")
	fi
	wait "$RUN" || true; RUN=
	echo "$busy" >"$W/busy.$n"
	local uas_cpu
	uas_cpu=$(cpu "$UAS")
	kill "$UAS"; wait "$UAS" 2>/dev/null || true; UAS=
	python3 - "$W/r/report.json" "$n" "$W/time" "$uas_cpu" "$W/u/report.json" "$HOLD" "$busy" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); c = r["calls"]; s = r["srtp"]
u, st = map(float, open(sys.argv[3]).read().split()[-2:])
try: # the responder's own report (written when it stops)
    us = json.load(open(sys.argv[5]))["srtp"]
except (OSError, ValueError, KeyError):
    us = {}
usent, urecv, uauth = (us.get(k, 0) for k in ("packets_sent", "packets_received", "auth_failures"))
lost_pct_uac = 100 * (1 - s["packets_received"] / usent) if usent else 100
lost_pct_uas = 100 * (1 - urecv / s["packets_sent"]) if s["packets_sent"] else 100
secs = int(sys.argv[6]) + 10
busy = f" caller core busy {100 * float(sys.argv[7]):.0f} %" if float(sys.argv[7]) >= 0 else ""
ok = (c["failed"] == 0 and s["auth_failures"] == 0 and uauth == 0 and
      lost_pct_uac < 0.1 and lost_pct_uas < 0.1)
print(f"calls {sys.argv[2]:>6}: completed {c['completed']:>6} failed {c['failed']:>5} "
      f"caller received {s['packets_received']}/{usent} ({lost_pct_uac:.3f} % lost) "
      f"responder received {urecv}/{s['packets_sent']} ({lost_pct_uas:.3f} % lost) "
      f"auth failures {s['auth_failures']}/{uauth}  jitter {s['jitter_ms']:.2f} ms  "
      f"cpu caller {u + st:.1f} s responder {float(sys.argv[4]):.1f} s over ~{secs} s{busy}"
      f"  {'ok' if ok else 'FAILED'} {c['failures']}")
sys.exit(0 if ok else 1)
PY
}

lo=0 hi=0 n=${START:-500}
while [ "$hi" = 0 ]; do
	if try "$n"; then lo=$n; n=$((n * 2)); else hi=$n; fi
	[ "$n" -gt 12000 ] && break
done
while [ "$hi" -gt 0 ] && [ $((hi - lo)) -gt $((lo / 10 + 50)) ]; do
	mid=$(((lo + hi) / 2))
	if try "$mid"; then lo=$mid; else hi=$mid; fi
done
echo "most concurrent bidirectional SRTP calls ($SUITE${SHARED:+, shared media ports}) held ${HOLD} s (loss < 0.1 %, no auth failure): $lo (first failing: $hi)"
if [ -n "${PIN:-}" ] && [ -f "$W/busy.$lo" ]; then
	echo "calls per caller core (pinned, one worker; extrapolated): $(python3 -c "print(round($lo / max($(cat "$W/busy.$lo"), 0.01)))") ($lo held with the caller's core $(python3 -c "print(round(100 * $(cat "$W/busy.$lo")))") % busy)"
fi
