/* Lab PKI: a CA and CA-signed server and client certificates for tests and the demo. */
#ifndef TL_PKI_H
#define TL_PKI_H
#include <stddef.h>

enum pki_key_kind { PKI_KEY_EC = 0, PKI_KEY_RSA2048, PKI_KEY_RSA1024 };

/* Creates dir (mode 0700, parents must exist) and writes ca.crt, ca.key,
 * server.crt, server.key, client.crt, client.key (keys mode 0600, PEM).
 * The server certificate has CN=server_name and SANs DNS:server_name,
 * DNS:localhost, IP:127.0.0.1; the client CN=client_name, SAN DNS:client_name;
 * both carry EKU serverAuth+clientAuth (a trunk certificate serves both roles),
 * valid from one hour ago for 365 days; the CA for 10 years. rsa1024 keys are
 * signed with SHA-1 (legacy peers), the others with SHA-256.
 * Returns 0 or a negative errno with a one-line reason in err. */
int pki_make_lab(const char *dir, enum pki_key_kind kind, const char *server_name,
		 const char *client_name, char *err, size_t errlen);

#endif
