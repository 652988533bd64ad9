/* --pcap FILE and --pcap-max-mb N, for run and uas alike. */
#ifndef TL_CLI_PCAP_H
#define TL_CLI_PCAP_H
#include <stdint.h>

struct capture;
struct result;

#define CLI_PCAP_DEFAULT_MB 256

/* Opens path for a capture of at most max_mb MiB (NULL path: none, *out NULL). Returns 0,
 * or EXIT_USAGE after saying why. */
int cli_pcap_open(const char *cmd, const char *path, uint64_t max_mb, struct capture **out);

/* Closes the capture and records it in res (cap NULL: nothing); says on stderr when the
 * file is incomplete. */
void cli_pcap_close(const char *cmd, struct capture *cap, const char *path, struct result *res);

#endif
