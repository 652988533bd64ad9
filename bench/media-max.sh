#!/usr/bin/env bash
# bench/media-max.sh [BUILD_DIR] [HOLD_SECONDS]   (env: START first try, CONNECTIONS trunk
# connections, default 2 so that the caller's two workers each carry half the media;
# SUITE the SDES suite offered, default AES_CM_128_HMAC_SHA1_80)
# The most concurrent bidirectional SRTP calls (20 ms PCMU, SUITE, CONNECTIONS
# mutual-TLS trunk connections for signalling) that trunkload holds against its
# own responder for HOLD_SECONDS (default 30) with no failed call, loss under 0.1 %
# and no authentication failure in either direction. Doubles from START (500) until
# a try fails, then bisects to about 10 %. Both ends run on this machine. Each
# try starts N calls over 5 s; every call carries media for HOLD + 5 s, so all N are
# up together for HOLD seconds. Prints one line per try (with the CPU each process
# used) and the result.
set -euo pipefail
BUILD=$(realpath "${1:-build}")
HOLD=${2:-30}
BIN=$BUILD/trunkload
W=$(mktemp -d)
SUITE=${SUITE:-AES_CM_128_HMAC_SHA1_80}
SCN=$W/media.json # the basic call, offering SUITE only
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s.setdefault("media",{})["crypto"]=[sys.argv[3]]; json.dump(s,open(sys.argv[2],"w"))' \
	"$(dirname "$(realpath "$0")")/../scenarios/basic-call.json" "$SCN" "$SUITE"
UAS=
trap '[ -n "$UAS" ] && kill "$UAS" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
ulimit -n "$(ulimit -Hn)"

"$BIN" pki "$W/pki" >/dev/null
. "$(dirname "$(realpath "$0")")/lib.sh"

try() { # calls -> prints a line; 0 when loss < 0.1 % and no auth failure both ways
	local n=$1 p
	p=$(port)
	rm -rf "$W/u"
	"$BIN" uas --listen "127.0.0.1:$p" --cert "$W/pki/server.crt" --key "$W/pki/server.key" \
		--ca "$W/pki/ca.crt" --media-ports 30000-59999 --report-dir "$W/u" >"$W/uas.log" 2>&1 &
	UAS=$!
	wait_listen "$p" || true
	/usr/bin/time -f "%U %S" -o "$W/time" "$BIN" run "$SCN" --target "127.0.0.1:$p" \
		--cert "$W/pki/client.crt" --key "$W/pki/client.key" --ca "$W/pki/ca.crt" \
		--calls "$n" --rate "$(python3 -c "print(max($n / 5, 1))")" --media-ms $(((HOLD + 5) * 1000)) \
		--max-concurrent $((n + 10)) --media-ports 2000-29999 --connections "${CONNECTIONS:-2}" \
		--report-dir "$W/r" --quiet >/dev/null 2>&1 || true
	local uas_cpu
	uas_cpu=$(cpu "$UAS")
	kill "$UAS"; wait "$UAS" 2>/dev/null || true; UAS=
	python3 - "$W/r/report.json" "$n" "$W/time" "$uas_cpu" "$W/u/report.json" "$HOLD" <<'PY'
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
ok = (c["failed"] == 0 and s["auth_failures"] == 0 and uauth == 0 and
      lost_pct_uac < 0.1 and lost_pct_uas < 0.1)
print(f"calls {sys.argv[2]:>6}: completed {c['completed']:>6} failed {c['failed']:>5} "
      f"caller received {s['packets_received']}/{usent} ({lost_pct_uac:.3f} % lost) "
      f"responder received {urecv}/{s['packets_sent']} ({lost_pct_uas:.3f} % lost) "
      f"auth failures {s['auth_failures']}/{uauth}  jitter {s['jitter_ms']:.2f} ms  "
      f"cpu caller {u + st:.1f} s responder {float(sys.argv[4]):.1f} s over ~{secs} s"
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
echo "most concurrent bidirectional SRTP calls ($SUITE) held ${HOLD} s (loss < 0.1 %, no auth failure): $lo (first failing: $hi)"
