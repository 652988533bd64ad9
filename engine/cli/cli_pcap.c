#include "cli_pcap.h"
#include "capture.h"
#include "cli.h"
#include "result.h"
#include <stdio.h>

int cli_pcap_open(const char *cmd, const char *path, uint64_t max_mb, struct capture **out)
{
	*out = NULL;
	if (!path)
		return 0;
	char err[600];
	if (capture_open(out, path, max_mb << 20, err, sizeof(err)))
		return cli_usage_error(cmd, "--pcap %s", err);
	return 0;
}

void cli_pcap_close(const char *cmd, struct capture *cap, const char *path, struct result *res)
{
	if (!cap)
		return;
	struct capture_stats st = capture_stats(cap);
	char err[300];
	if (capture_close(cap, err, sizeof(err)))
		fprintf(stderr, "trunkload %s: --pcap %s: %s\n", cmd, path, err);
	snprintf(res->pcap.file, sizeof(res->pcap.file), "%s", path);
	res->pcap.packets = st.packets;
	res->pcap.bytes = st.bytes;
	res->pcap.dropped = st.dropped;
	res->pcap.max_bytes = st.max_bytes;
}
