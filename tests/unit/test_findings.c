/* findings.h: what a far end's chain and handshake tell, for the chain findings, the
 * name rule and revocation. Facts are written by hand, as tls.c would collect them. */
#include "tl_test.h"
#include "findings.h"

#include <stdio.h>
#include <string.h>

#define V_CERT_REVOKED 23
#define V_UNABLE_TO_GET_ISSUER_CERT_LOCALLY 20

static void cert(struct cert_facts *c, const char *cn, const char *issuer_cn, const char *san)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->subject_cn, sizeof(c->subject_cn), "%s", cn);
	snprintf(c->subject, sizeof(c->subject), "CN=%s,O=lab", cn);
	snprintf(c->issuer, sizeof(c->issuer), "CN=%s,O=lab", issuer_cn);
	snprintf(c->san, sizeof(c->san), "%s", san);
	c->self_signed = !strcmp(cn, issuer_cn);
	c->is_ca = c->self_signed || strstr(cn, "CA") != NULL;
	c->days_left = 300;
}

static const struct finding *find(const struct finding *f, unsigned n, const char *code)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(f[i].code, code))
			return &f[i];
	return NULL;
}

static unsigned judge(const struct cert_facts *chain, unsigned n, const struct handshake_facts *h,
		      struct finding *out)
{
	return findings_for_peer(chain, n, h, 30, true, out, FINDINGS_MAX);
}

/* A leaf whose issuer (an intermediate) was neither sent nor trusted: untrusted and
 * incomplete_chain, the latter naming the missing issuer. */
static void test_incomplete_chain(void)
{
	struct cert_facts chain[1];
	struct handshake_facts h = { .verify_error = V_UNABLE_TO_GET_ISSUER_CERT_LOCALLY };
	struct finding f[FINDINGS_MAX];
	cert(&chain[0], "sbc.example.com", "Issuing CA", "DNS:sbc.example.com");
	unsigned n = judge(chain, 1, &h, f);
	const struct finding *ic = find(f, n, "incomplete_chain");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ic);
	CU_ASSERT_EQUAL(ic->severity, FINDING_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(ic->message, "CN=Issuing CA,O=lab"));
	CU_ASSERT_PTR_NOT_NULL(find(f, n, "untrusted"));
	/* the whole chain sent, in order: neither */
	struct cert_facts full[2];
	cert(&full[0], "sbc.example.com", "Issuing CA", "DNS:sbc.example.com");
	cert(&full[1], "Issuing CA", "Root CA", "");
	struct handshake_facts ok = { 0 };
	n = judge(full, 2, &ok, f);
	CU_ASSERT_PTR_NULL(find(f, n, "incomplete_chain"));
	CU_ASSERT_PTR_NULL(find(f, n, "chain_order"));
	/* a self-signed certificate that is not trusted is no missing intermediate */
	struct cert_facts self[1];
	cert(&self[0], "Other CA", "Other CA", "");
	struct handshake_facts bad = { .verify_error = V_UNABLE_TO_GET_ISSUER_CERT_LOCALLY };
	n = judge(self, 1, &bad, f);
	CU_ASSERT_PTR_NULL(find(f, n, "incomplete_chain"));
}

/* leaf, root, intermediate: every issuer sent, the intermediate late */
static void test_chain_order(void)
{
	struct cert_facts chain[3];
	cert(&chain[0], "sbc.example.com", "Issuing CA", "DNS:sbc.example.com");
	cert(&chain[1], "Root CA", "Root CA", "");
	cert(&chain[2], "Issuing CA", "Root CA", "");
	struct handshake_facts h = { 0 };
	struct finding f[FINDINGS_MAX];
	unsigned n = judge(chain, 3, &h, f);
	const struct finding *co = find(f, n, "chain_order");
	CU_ASSERT_PTR_NOT_NULL_FATAL(co);
	CU_ASSERT_EQUAL(co->severity, FINDING_WARNING);
	CU_ASSERT_PTR_NOT_NULL(strstr(co->message, "position 2, not 1"));
	/* a chain that simply stops is no order problem */
	n = judge(chain, 2, &h, f);
	CU_ASSERT_PTR_NULL(find(f, n, "chain_order"));
}

/* the expected name through the CN of a certificate without SANs: a warning; through a
 * SAN: nothing */
static void test_cn_only(void)
{
	struct cert_facts leaf;
	struct handshake_facts h = { 0 };
	struct finding f[FINDINGS_MAX];
	snprintf(h.expected_names, sizeof(h.expected_names), "sbc.example.com");
	cert(&leaf, "sbc.example.com", "Root CA", "");
	unsigned n = judge(&leaf, 1, &h, f);
	const struct finding *c = find(f, n, "cn_only");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->severity, FINDING_WARNING);
	cert(&leaf, "sbc.example.com", "Root CA", "DNS:sbc.example.com");
	n = judge(&leaf, 1, &h, f);
	CU_ASSERT_PTR_NULL(find(f, n, "cn_only"));
	/* no name expected: nothing to say */
	h.expected_names[0] = 0;
	cert(&leaf, "sbc.example.com", "Root CA", "");
	n = judge(&leaf, 1, &h, f);
	CU_ASSERT_PTR_NULL(find(f, n, "cn_only"));
}

/* revoked by a CRL (the verify error) or by a stapled OCSP response; a CRL missing for
 * an issuer is said */
static void test_revocation(void)
{
	struct cert_facts leaf;
	struct finding f[FINDINGS_MAX];
	cert(&leaf, "sbc.example.com", "Root CA", "DNS:sbc.example.com");
	struct handshake_facts h = { .verify_error = V_CERT_REVOKED };
	snprintf(h.revoked, sizeof(h.revoked), "CN=sbc.example.com on 2026-12-06T21:10:45Z, keyCompromise");
	unsigned n = judge(&leaf, 1, &h, f);
	const struct finding *r = find(f, n, "revoked");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->severity, FINDING_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->message, "keyCompromise"));
	CU_ASSERT_PTR_NULL(find(f, n, "verify_failed"));

	struct handshake_facts o = { 0 };
	snprintf(o.ocsp, sizeof(o.ocsp), "revoked");
	snprintf(o.revoked, sizeof(o.revoked), "on 2026-12-06T21:10:45Z, superseded");
	n = judge(&leaf, 1, &o, f);
	r = find(f, n, "revoked");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->message, "OCSP"));
	snprintf(o.ocsp, sizeof(o.ocsp), "good");
	n = judge(&leaf, 1, &o, f);
	CU_ASSERT_PTR_NULL(find(f, n, "revoked"));
	CU_ASSERT_PTR_NULL(find(f, n, "ocsp_unusable"));
	/* a staple that does not verify, or that its responder cannot vouch for: a warning */
	static const char *const unusable[] = { "invalid", "unknown" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(o.ocsp, sizeof(o.ocsp), "%s", unusable[i]);
		n = judge(&leaf, 1, &o, f);
		r = find(f, n, "ocsp_unusable");
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->severity, FINDING_WARNING);
		CU_ASSERT_PTR_NULL(find(f, n, "revoked"));
	}

	struct handshake_facts m = { 0 };
	snprintf(m.crl_missing, sizeof(m.crl_missing), "CN=Issuing CA,O=lab");
	n = judge(&leaf, 1, &m, f);
	r = find(f, n, "revocation_unchecked");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->severity, FINDING_WARNING);
}

/* every code findings_for_peer gives is listed, once */
static void test_codes_listed(void)
{
	static const char *const mine[] = { "revoked", "incomplete_chain", "chain_order", "cn_only",
					    "revocation_unchecked", "ocsp_unusable" };
	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++) {
		unsigned seen = 0;
		for (unsigned k = 0; finding_codes[k]; k++)
			seen += !strcmp(finding_codes[k], mine[i]);
		CU_ASSERT_EQUAL(seen, 1);
	}
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "incomplete_chain names the missing issuer", test_incomplete_chain },
		{ "chain_order", test_chain_order },
		{ "cn_only", test_cn_only },
		{ "revoked (CRL, OCSP), revocation_unchecked", test_revocation },
		{ "the new codes are listed", test_codes_listed },
	};
	return tl_run("findings", TL_CASES(cases));
}
