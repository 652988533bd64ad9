/* --pcap: 100 calls with SRTP between trunkload run and trunkload uas, each writing a
 * capture. tshark, with no key log, lists in each every INVITE, BYE and their 200s,
 * the same messages in both (Call-ID, CSeq and first line, in order), TCP checksums
 * that hold and the RTP headers of the media; sngrep finds the 100 dialogs. Past
 * --pcap-max-mb the file stops growing, stays readable, and what was left out is
 * counted. */
#include "proc.h"
#include "tl_test.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TIMEOUT_MS 60000
#define CALLS 100

static char pki[512];

static int lines_of(const char *path)
{
	char *text = proc_read_file(path);
	int n = 0;
	for (const char *p = text; p && *p; p++)
		n += *p == '\n';
	free(text);
	return n;
}

/* Lines tshark prints for the packets of file matching filter, fields (-T fields -e ...,
 * NULL: the summary lines) in out. The count, or -1 when tshark failed. */
static int tshark(const char *file, const char *filter, const char *const *fields, const char *out,
		  const char *const *prefs)
{
	struct proc_args a = { 0 };
	args_add(&a, "tshark");
	args_add(&a, "-n");
	args_add(&a, "-r");
	args_add(&a, "%s", file);
	for (size_t i = 0; prefs && prefs[i]; i++) {
		args_add(&a, "-o");
		args_add(&a, "%s", prefs[i]);
	}
	if (filter) {
		args_add(&a, "-Y");
		args_add(&a, "%s", filter);
	}
	if (fields) {
		args_add(&a, "-T");
		args_add(&a, "fields");
		for (size_t i = 0; fields[i]; i++) {
			if (fields[i][0] != '-')
				args_add(&a, "-e");
			args_add(&a, "%s", fields[i]);
		}
	}
	char err[620]; /* out and ".err" */
	snprintf(err, sizeof(err), "%s.err", out);
	int rc = proc_run(a.v, out, err, TIMEOUT_MS, NULL);
	if (rc) {
		proc_show_log("tshark", err, 2000);
		return -1;
	}
	return lines_of(out);
}

/* What a capture says, checked the same way for the caller's and the responder's. */
static void check_capture(const char *who, const char *file)
{
	static const struct {
		const char *what, *filter;
	} each[] = {
		{ "INVITE", "sip.Method == \"INVITE\"" },
		{ "200 to INVITE", "sip.Status-Code == 200 && sip.CSeq.method == \"INVITE\"" },
		{ "ACK", "sip.Method == \"ACK\"" },
		{ "BYE", "sip.Method == \"BYE\"" },
		{ "200 to BYE", "sip.Status-Code == 200 && sip.CSeq.method == \"BYE\"" },
	};
	for (size_t i = 0; i < sizeof(each) / sizeof(each[0]); i++) {
		int n = proc_tshark_count(file, each[i].filter);
		CHECK(n == CALLS, "%s: tshark -Y sip lists %d %s (got %d)", who, CALLS, each[i].what, n);
	}
	char out[600];
	proc_path(out, sizeof(out), "callids.out");
	static const char *const id[] = { "sip.Call-ID", NULL };
	tshark(file, "sip.Method == \"INVITE\"", id, out, NULL);
	char sorted[700];
	snprintf(sorted, sizeof(sorted), "%s.sorted", out);
	char *argv[] = { (char *)"sort", (char *)"-u", out, NULL };
	proc_run(argv, sorted, NULL, TIMEOUT_MS, NULL);
	int distinct = lines_of(sorted);
	CHECK(distinct == CALLS, "%s: %d distinct Call-IDs (got %d)", who, CALLS, distinct);

	static const char *const check_sums[] = { "tcp.check_checksum:TRUE", "ip.check_checksum:TRUE", NULL };
	proc_path(out, sizeof(out), "sums.out");
	int tcp = proc_tshark_count(file, "tcp");
	int good = tshark(file, "tcp.checksum.status == 1 && ip.checksum.status == 1", NULL, out, check_sums);
	CHECK(tcp > 0 && good == tcp, "%s: every TCP segment's checksums hold (%d of %d)", who, good, tcp);
	int rtp = proc_tshark_count(file, "rtp && ip.src == 127.0.0.1 && ip.dst == 127.0.0.1");
	CHECK(rtp >= CALLS * 2, "%s: the RTP headers of the media are there (%d packets)", who, rtp);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends each '|'-separated piece of field (up to its end or a tab) to rows, with
 * prefix and, when zip is given, the same-numbered piece of zip. */
static void pieces(char **rows, size_t *n, size_t cap, const char *prefix, const char *field,
		   const char *zip)
{
	while (*field && *field != '\t' && *field != '\n' && *n < cap) {
		size_t len = strcspn(field, "|\t\n"), zlen = zip ? strcspn(zip, "|\t\n") : 0;
		char row[600];
		snprintf(row, sizeof(row), "%s%.*s %.*s", prefix, (int)len, field, (int)zlen, zip ? zip : "");
		rows[(*n)++] = strdup(row);
		field += len + (field[len] == '|');
		if (zip)
			zip += zlen + (zip[zlen] == '|');
	}
}

/* The SIP messages of a capture as sorted lines: each message's Call-ID and CSeq, and
 * each first line. Two captures of the same calls must agree on them, however the
 * messages were cut into segments (tshark joins the messages of one frame with '|'). */
static char *messages(const char *file, const char *tag)
{
	char out[600];
	proc_path(out, sizeof(out), tag);
	static const char *const fields[] = { "sip.Call-ID", "sip.CSeq", "sip.Request-Line",
					      "sip.Status-Line", "-Eaggregator=|", NULL };
	if (tshark(file, "sip", fields, out, NULL) < 0)
		return NULL;
	char *text = proc_read_file(out);
	enum { CAP = 4096 };
	char **rows = calloc(CAP, sizeof(*rows));
	size_t n = 0;
	for (char *line = text; line && rows && *line;) {
		const char *f[4] = { line, "", "", "" };
		for (int i = 1; i < 4; i++) {
			const char *tab = strchr(f[i - 1], '\t');
			f[i] = tab ? tab + 1 : "";
		}
		pieces(rows, &n, CAP, "M ", f[0], f[1]);
		pieces(rows, &n, CAP, "L ", f[2], NULL);
		pieces(rows, &n, CAP, "L ", f[3], NULL);
		char *nl = strchr(line, '\n');
		line = nl ? nl + 1 : line + strlen(line);
	}
	free(text);
	if (!rows)
		return NULL;
	qsort(rows, n, sizeof(*rows), by_text);
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(rows[i]) + 1;
	char *all = malloc(len), *p = all;
	for (size_t i = 0; i < n; i++) {
		if (all)
			p += sprintf(p, "%s\n", rows[i]);
		free(rows[i]);
	}
	free(rows);
	return all;
}

/* trunkload run against the lab responder on port, with flags, capturing into pcap;
 * report in dir, output in out (shown when it fails). Its exit status. */
static int run(uint16_t port, const char *const *flags, const char *pcap, const char *dir,
	       const char *out)
{
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", port);
	args_add_list(&a, flags);
	args_add_list(&a, (const char *const[]){ "--quiet", "--pcap", pcap, NULL });
	args_lab_client(&a, pki, dir);
	int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
	if (rc)
		proc_show_log("run", out, 2500);
	return rc;
}

static void both_ends_captured(void)
{
	char dir[512], run_pcap[600], uas_pcap[600], log[600], out[600];
	proc_path(dir, sizeof(dir), "calls");
	proc_path(run_pcap, sizeof(run_pcap), "run.pcap");
	proc_path(uas_pcap, sizeof(uas_pcap), "uas.pcap");
	proc_path(log, sizeof(log), "uas.log");
	proc_path(out, sizeof(out), "run.out");
	uint16_t port;
	const char *const uflags[] = { "--pcap", uas_pcap, NULL };
	pid_t uas = lab_uas(pki, "server", uflags, log, &port);
	CU_ASSERT_FATAL(uas > 0);
	const char *const flags[] = { "--calls", "100", "--rate", "100", "--media-ms", "200", "--threads",
				      "2", NULL };
	int rc = run(port, flags, run_pcap, dir, out);
	CHECK(rc == 0, "the run passes (got %d)", rc);
	int stopped = proc_stop(uas, SIGTERM, 10000);
	CHECK(stopped == 0, "the responder ends cleanly on SIGTERM, its capture written (got %d)", stopped);

	char report[600];
	snprintf(report, sizeof(report), "%s/report.json", dir);
	double packets = proc_json_value(report, "pcap.packets");
	int frames = proc_tshark_count(run_pcap, NULL);
	CHECK(packets > 0 && frames == (int)packets, "report.json pcap.packets (%g) is what the file "
	      "holds (%d)", packets, frames);
	CHECK(proc_json_value(report, "pcap.dropped") == 0, "nothing left out under the default cap");

	check_capture("caller", run_pcap);
	check_capture("responder", uas_pcap);
	char *ours = messages(run_pcap, "run.sip"), *theirs = messages(uas_pcap, "uas.sip");
	CHECK(ours && theirs && strlen(ours) > 1000 && strcmp(ours, theirs) == 0,
	      "both captures hold the same SIP messages");
	free(ours);
	free(theirs);

	if (!proc_have("sngrep")) {
		fprintf(stderr, "\nSKIPPED sngrep: not installed\n");
		return;
	}
	char sng[600], sng_out[600];
	proc_path(sng, sizeof(sng), "sngrep.pcap");
	proc_path(sng_out, sizeof(sng_out), "sngrep.out");
	char *sargv[] = { (char *)"sngrep", (char *)"-N", (char *)"-I", run_pcap, (char *)"-O", sng, NULL };
	rc = proc_run(sargv, sng_out, NULL, TIMEOUT_MS, NULL);
	char *said = proc_read_file(sng_out);
	CHECK(rc == 0 && said && strstr(said, "Dialog count: 100"), "sngrep finds the 100 dialogs (%s)",
	      said ? said : "nothing said");
	free(said);
}

/* 1 MiB for 600 calls' SIP: the file stops at the cap, whole records only. */
static void size_cap_holds(void)
{
	char dir[512], pcap[600], log[600], out[600];
	proc_path(dir, sizeof(dir), "capped");
	proc_path(pcap, sizeof(pcap), "capped.pcap");
	proc_path(log, sizeof(log), "uas-capped.log");
	proc_path(out, sizeof(out), "capped.out");
	uint16_t port;
	pid_t uas = lab_uas(pki, "server", NULL, log, &port);
	CU_ASSERT_FATAL(uas > 0);
	const char *const flags[] = { "--calls", "600", "--rate", "600", "--media-ms", "0", "--pcap-max-mb",
				      "1", NULL };
	int rc = run(port, flags, pcap, dir, out);
	proc_stop(uas, SIGTERM, 5000);
	CHECK(rc == 0, "the run passes (got %d)", rc);
	char report[600];
	snprintf(report, sizeof(report), "%s/report.json", dir);
	double packets = proc_json_value(report, "pcap.packets"), bytes = proc_json_value(report, "pcap.bytes");
	double dropped = proc_json_value(report, "pcap.dropped");
	struct stat st;
	CHECK(stat(pcap, &st) == 0 && (double)st.st_size == bytes && bytes <= 1 << 20,
	      "the file is pcap.bytes (%g) long, within 1 MiB (%lld)", bytes, (long long)st.st_size);
	CHECK(dropped > 0, "packets past the cap are counted (%g)", dropped);
	int frames = proc_tshark_count(pcap, NULL);
	CHECK(frames == (int)packets && packets > 500, "tshark reads the %g packets written (%d)", packets,
	      frames);
}

int main(void)
{
	if (!proc_have("tshark")) {
		fprintf(stderr, "test_pcap: tshark is not installed\n");
		return 77;
	}
	if (!proc_tmpdir() || lab_pki("pki", pki, sizeof(pki)))
		return 1;
	static const struct tl_case cases[] = {
		{ "both_ends_captured", both_ends_captured },
		{ "size_cap_holds", size_cap_holds },
	};
	return tl_run("pcap", TL_CASES(cases));
}
