/* Lab PKI: a CA, CA-signed server and client certificates, the broken variants that
 * negative tests need, and certificate signing requests for an enterprise CA. */
#ifndef TL_PKI_H
#define TL_PKI_H
#include <stdbool.h>
#include <stddef.h>

enum pki_key_kind { PKI_KEY_EC = 0, PKI_KEY_RSA2048, PKI_KEY_RSA1024 };

/* Creates dir (mode 0700, parents must exist) and writes ca.crt, ca.key,
 * server.crt, server.key, client.crt, client.key (keys mode 0600, PEM).
 * The server certificate has CN=server_name and SANs DNS:server_name,
 * DNS:localhost, IP:127.0.0.1; the client CN=client_name, SAN DNS:client_name;
 * both carry EKU serverAuth+clientAuth (a trunk certificate serves both roles),
 * valid from one hour ago for 365 days; the CA for 10 years. rsa1024 keys are
 * signed with SHA-1 (legacy peers), the others with SHA-256.
 *
 * Beside them, each as NAME.crt (0644) + NAME.key (0600):
 *   ca-other            a second CA ("trunkload untrusted CA", same kind and dates as
 *                       ca) that nobody trusts
 *   ica                 an issuing CA signed by ca (same kind, dates as ca)
 * and for each role, ROLE being server or client, the same as ROLE.crt except:
 *   ROLE-expired        valid from 400 days ago to 35 days ago
 *   ROLE-notyet         valid from 30 days from now, for 365 days
 *   ROLE-wrongname      CN and only SAN DNS:wrong.trunkload.test (no localhost, no IP)
 *   ROLE-selfsigned     its own issuer, signed with its own key
 *   ROLE-untrusted      signed by ca-other
 *   ROLE-legacy         an RSA-1024 key, signed by ca with SHA-1: sha1WithRSAEncryption
 *                       when ca is RSA, ecdsa-with-SHA1 when ca is EC
 *   ROLE-rsa2048        an RSA-2048 key, signed by ca with SHA-256 (ecdsa-with-SHA256
 *                       when ca is EC)
 *   ROLE-ica            issued by ica, an issuing CA ("trunkload lab issuing CA",
 *                       pathlen 0) that ca signed: a two-tier enterprise CA
 *   ROLE-revoked        as ROLE, then revoked (keyCompromise) in crl.pem
 *   ROLE-serverauth-only  EKU serverAuth only, as public CAs issue from 2026
 *   server-cnonly       CN=server_name and no subjectAltName at all
 * and beside them ROLE-ica-chain.crt (ROLE-ica.crt then ica.crt, as a far end sends
 * its chain; its key is ROLE-ica.key) and crl.pem (two v2 CRLs, PEM: ca's, listing
 * server-revoked and client-revoked, then ica's, empty; valid as long as a leaf).
 * The variants of a role share one key per key kind: ROLE-expired.key ... 
 * ROLE-untrusted.key hold ROLE.key's key, ROLE-legacy.key and ROLE-rsa2048.key their
 * own (or ROLE.key's when kind is that kind already). Key generation is the cost, and
 * no negative test depends on the key being new. A lab already in dir (any of its
 * files) is kept, -EEXIST naming the file, unless force: then every file is
 * overwritten. Returns 0 or a negative errno with a one-line reason in err. */
int pki_make_lab(const char *dir, enum pki_key_kind kind, const char *server_name,
		 const char *client_name, bool force, char *err, size_t errlen);

/* The i-th certificate pki_make_lab writes, as a base name ("ca", "server-expired"):
 * the files are NAME.crt and NAME.key. Sets *what (if not NULL) to a short description.
 * NULL past the last. Static strings. */
const char *pki_lab_name(size_t i, const char **what);

/* The i-th other file pki_make_lab writes (the chains and crl.pem), as a file name, with
 * *what set as pki_lab_name does. NULL past the last. */
const char *pki_lab_extra(size_t i, const char **what);

/* Makes a key and a certificate signing request for an enterprise CA to sign. The key
 * (kind ec: P-256, or rsa2048; rsa1024 is refused) goes to key_path, PKCS#8 PEM, mode
 * 0600, and never over an existing file (-EEXIST naming it); the request to csr_path
 * (PEM, 0644, overwritten), and if that fails the new key file is removed. The request
 * has subject CN=cn (1-64 hostname characters), is signed with SHA-256, and asks for
 * the extensions subjectAltName, extendedKeyUsage serverAuth+clientAuth and keyUsage
 * digitalSignature (+keyEncipherment for RSA). sans is a comma-separated list of
 * "DNS:hostname" (a leading "*." allowed) and "IP:address" (IPv4 or IPv6) items, at
 * most 16; NULL or "" means DNS:cn. Returns 0 or a negative errno with a one-line
 * reason in err (a bad SAN item is quoted). */
int pki_make_csr(const char *key_path, const char *csr_path, const char *cn, const char *sans,
		 enum pki_key_kind kind, char *err, size_t errlen);

#endif
