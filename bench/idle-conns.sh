#!/usr/bin/env bash
# bench/idle-conns.sh [BUILD_DIR] [CONNECTIONS] [RATE]   (env: PROCS processes per side,
# default: enough to stay under the open-files limit; RESUME=1 resumes TLS sessions)
# Holds CONNECTIONS (50000) idle mutual-TLS 1.3 connections at once, both ends on this
# machine: `trunkload run --mode handshake --hold-ms` in PROCS shards (--shard I/N),
# bound to 127.0.0.1-127.0.0.8 in turn (--source), set up at RATE (600) per second in
# all, against PROCS `trunkload uas` sharing one port (SO_REUSEPORT). A full TLS 1.3
# handshake with 12,500 connections open per process costs both ends about 2.5 ms of
# CPU here (1.1 ms caller, 1.4 ms responder), so 2 cores set up at most about 800 a
# second; a rate above that queues handshakes until they time out. Each connection is
# held for the whole set-up time plus 5 s, so all are open together. The resident
# memory per connection is the growth of the summed peak RSS over a run of the same
# processes with 100 connections each, divided by the extra connections held; the result
# line also gives the most connections held (the sum of the shards' peaks) and the CPU
# each side used.
set -euo pipefail
BUILD=$(realpath "${1:-build}")
N=${2:-50000}
RATE=${3:-600}
BIN=$BUILD/trunkload
W=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$W"' EXIT
ulimit -n "$(ulimit -Hn)"
LIMIT=$(ulimit -n)
# a caller holds N/PROCS sockets, a responder about as many (SO_REUSEPORT spreads them)
PROCS=${PROCS:-$(((N + LIMIT * 8 / 10 - 1) / (LIMIT * 8 / 10)))}
RA=(); [ "${RESUME:-0}" = 1 ] && RA=(--resume)

"$BIN" pki "$W/pki" >/dev/null
. "$(dirname "$(realpath "$0")")/lib.sh"

# hold N connections; prints "held caller_peak_kib uas_peak_kib caller_cpu uas_cpu failed"
hold() {
	local n=$1 p i uas=() run=() peak=0 upeak=0 ucpu=0 ccpu=0
	local hold_ms=$((n * 1000 / RATE + 5000))
	p=$(port)
	for ((i = 0; i < PROCS; i++)); do
		"$BIN" uas --listen "127.0.0.1:$p" --cert "$W/pki/server.crt" --key "$W/pki/server.key" \
			--ca "$W/pki/ca.crt" --share-port >"$W/uas.$i.log" 2>&1 &
		uas+=($!); PIDS+=($!)
	done
	wait_listen "$p" "$PROCS" || true
	for ((i = 0; i < PROCS; i++)); do
		/usr/bin/time -f "%U %S" -o "$W/time.$i" "$BIN" run --mode handshake --target "127.0.0.1:$p" \
			--cert "$W/pki/client.crt" --key "$W/pki/client.key" --ca "$W/pki/ca.crt" \
			--calls "$n" --rate "$RATE" --hold-ms "$hold_ms" --max-concurrent "$n" --shard "$i/$PROCS" \
			--source 127.0.0.1-127.0.0.8 "${RA[@]}" --report-dir "$W/r.$i" --quiet >"$W/run.$i.log" 2>&1 &
		run+=($!); PIDS+=($!)
	done
	while :; do # sample the summed RSS of each side every 200 ms until the callers end
		local alive=0 sum=0 usum=0
		for i in "${run[@]}"; do # /usr/bin/time's child is the caller
			kill -0 "$i" 2>/dev/null && alive=1
			sum=$((sum + $(rss "$(pgrep -P "$i" | head -1)")))
		done
		for i in "${uas[@]}"; do usum=$((usum + $(rss "$i"))); done
		[ "$sum" -gt "$peak" ] && peak=$sum
		[ "$usum" -gt "$upeak" ] && upeak=$usum
		[ "$alive" = 0 ] && break
		sleep 0.2
	done
	wait "${run[@]}" 2>/dev/null || true
	for i in "${uas[@]}"; do ucpu=$(python3 -c "print($ucpu + $(cpu "$i"))"); kill "$i"; wait "$i" 2>/dev/null || true; done
	python3 - "$W" "$PROCS" "$peak" "$upeak" "$ucpu" <<'PY'
import json, sys
w, procs, peak, upeak, ucpu = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
held = failed = 0; ccpu = 0.0; fails = {}
for i in range(procs):
    r = json.load(open(f"{w}/r.{i}/report.json"))
    held += r["calls"]["max_concurrent"]; failed += r["calls"]["failed"]
    for k, v in r["calls"].get("failures", {}).items(): fails[k] = fails.get(k, 0) + v
    ccpu += sum(map(float, open(f"{w}/time.{i}").read().split()[-2:]))
print(held, peak, upeak, f"{ccpu:.1f}", f"{float(ucpu):.1f}", failed, json.dumps(fails).replace(" ", ""))
PY
}

# (run in this shell, not a subshell, so that the exit trap knows every pid)
hold $((100 * PROCS)) >"$W/base"
read -r _ base ubase _ _ _ _ <"$W/base"
hold "$N" >"$W/full"
read -r held peak upeak ccpu ucpu failed fails <"$W/full"
extra=$((held - 100 * PROCS)); [ "$extra" -lt 1 ] && extra=1
python3 - "$N" "$held" "$peak" "$base" "$upeak" "$ubase" "$extra" "$ccpu" "$ucpu" "$failed" "$fails" "$PROCS" <<'PY'
import sys
n, held, peak, base, upeak, ubase, extra = map(int, sys.argv[1:8])
ccpu, ucpu, failed, fails, procs = sys.argv[8], sys.argv[9], int(sys.argv[10]), sys.argv[11], sys.argv[12]
per = (peak - base) / extra; uper = (upeak - ubase) / extra
ok = failed == 0 and held >= n
print(f"idle mutual-TLS connections: held {held} of {n} at once ({procs} processes per side), "
      f"failed {failed} {fails if failed else ''}; resident memory per connection: caller {per:.1f} KiB, "
      f"responder {uper:.1f} KiB (peak RSS caller {peak} KiB, responder {upeak} KiB); "
      f"cpu caller {ccpu} s responder {ucpu} s  {'ok' if ok else 'FAILED'}")
sys.exit(0 if ok else 1)
PY
