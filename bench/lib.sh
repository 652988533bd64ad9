# Helpers the bench scripts share; sourced, not run.
# port: a free TCP port on 127.0.0.1
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
# cpu PID: user+system seconds so far (USER_HZ 100); 0 once the process is gone
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# rss PID: resident KiB; 0 for no pid or a process that is gone
rss() { local v=; [ -n "$1" ] && v=$(awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null); echo "${v:-0}"; }
# wait_listen PORT [N]: until N (1) sockets listen on PORT, 5 s at most; 1 if they never do
wait_listen() {
	local i
	for i in $(seq 1 50); do
		[ "$(ss -Hltn "sport = :$1" | wc -l)" -ge "${2:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}
