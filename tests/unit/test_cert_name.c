/* cert_name.h: the one rule for "does this certificate carry that name", as a table. */
#include "tl_test.h"
#include "cert_name.h"

#include <string.h>

static void test_table(void)
{
	static const struct {
		const char *cn, *san, *name;
		bool carried;
	} cases[] = {
		/* CN and DNS SANs, case-insensitively */
		{ "cucm-b.example.com", "", "cucm-b.example.com", true },
		{ "CUCM-B.example.com", "", "cucm-b.EXAMPLE.com", true },
		{ "x", "DNS:a.example.com, DNS:cucm-b.example.com", "CUCM-B.example.com", true },
		{ "x", "DNS:a.example.com", "b.example.com", false },
		{ "", "", "a", false },
		{ "a", "", "", false },
		/* a trailing dot is the same name */
		{ "x", "DNS:a.example.com.", "a.example.com", true },
		{ "x", "DNS:a.example.com", "a.example.com.", true },
		/* wildcards: the whole left-most label, one label, at least two more */
		{ "x", "DNS:*.example.com", "cucm-b.example.com", true },
		{ "*.example.com", "", "cucm-b.example.com", true },
		{ "x", "DNS:*.example.com", "example.com", false },
		{ "x", "DNS:*.example.com", "a.b.example.com", false },
		{ "x", "DNS:*.example.com", ".example.com", false },
		{ "x", "DNS:*.com", "example.com", false },
		{ "x", "DNS:f*.example.com", "foo.example.com", false },
		{ "x", "DNS:a.*.example.com", "a.b.example.com", false },
		{ "x", "DNS:cucm-b.example.com", "*.example.com", false },
		/* no prefix or suffix matches */
		{ "x", "DNS:cucm-b.example.com.evil.net", "cucm-b.example.com", false },
		{ "x", "DNS:evil-cucm-b.example.com", "cucm-b.example.com", false },
		{ "cucm-b.example.com2", "", "cucm-b.example.com", false },
		/* certfacts writes ',' inside a value as '?': no forged entry */
		{ "x", "DNS:evil.net? DNS:cucm-b.example.com", "cucm-b.example.com", false },
		/* a SIP domain in a URI SAN (RFC 5922), no user part, no wildcard */
		{ "x", "URI:sip:cucm-b.example.com", "CUCM-B.example.com", true },
		{ "x", "URI:sips:cucm-b.example.com", "cucm-b.example.com", true },
		{ "x", "URI:sip:1000@cucm-b.example.com", "cucm-b.example.com", false },
		{ "x", "URI:sip:*.example.com", "cucm-b.example.com", false },
		{ "x", "URI:https://cucm-b.example.com", "cucm-b.example.com", false },
		/* other SAN types do not carry DNS names */
		{ "x", "email:cucm-b.example.com", "cucm-b.example.com", false },
		/* the CN only when no DNS, URI or IP SAN exists (RFC 6125 6.4.4) */
		{ "cucm-b.example.com", "DNS:a.example.com", "cucm-b.example.com", false },
		{ "cucm-b.example.com", "IP:127.0.0.1", "cucm-b.example.com", false },
		{ "cucm-b.example.com", "URI:sip:a.example.com", "cucm-b.example.com", false },
		{ "cucm-b.example.com", "email:x@example.com", "cucm-b.example.com", true },
		/* IP literals: IP SANs only, in any textual form */
		{ "x", "IP:127.0.0.1", "127.0.0.1", true },
		{ "127.0.0.1", "", "127.0.0.1", false },
		{ "x", "DNS:127.0.0.1", "127.0.0.1", false },
		{ "x", "IP:0:0:0:0:0:0:0:1", "::1", true },
		{ "x", "IP:::1", "0::1", true },
		{ "x", "IP:127.0.0.2", "127.0.0.1", false },
		{ "x", "IP:?", "127.0.0.1", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = cert_name_carried(cases[i].cn, cases[i].san, cases[i].name, strlen(cases[i].name));
		if (got != cases[i].carried)
			fprintf(stderr, "case %zu: CN \"%s\" SAN \"%s\" name \"%s\": got %d\n", i, cases[i].cn,
				cases[i].san, cases[i].name, got);
		CU_ASSERT_EQUAL(got, cases[i].carried);
	}
}

/* how: a SAN, or the CN of a certificate without name SANs */
static void test_how(void)
{
	CU_ASSERT_EQUAL(cert_name_match("a.example.com", "DNS:a.example.com", "a.example.com", 13),
			CERT_NAME_SAN);
	CU_ASSERT_EQUAL(cert_name_match("a.example.com", "", "a.example.com", 13), CERT_NAME_CN);
	CU_ASSERT_EQUAL(cert_name_match("a.example.com", NULL, "b.example.com", 13), CERT_NAME_NONE);
	/* a list: a SAN match wins over an earlier CN-only one, and none over nothing */
	CU_ASSERT_EQUAL(cert_names_match("a.example.com", "", "x.example.com a.example.com"),
			CERT_NAME_CN);
	CU_ASSERT_EQUAL(cert_names_match("a.example.com", "DNS:a.example.com", "a.example.com"),
			CERT_NAME_SAN);
}

static void test_lists(void)
{
	static const struct {
		const char *names;
		bool carried;
	} cases[] = {
		{ "b.example.com a.example.com", true },
		{ "b.example.com,a.example.com", true },
		{ "b.example.com;;a.example.com", true },
		{ "b.example.com:a.example.com", true },
		{ " , ;", false },
		{ "", false },
		{ "b.example.com c.example.com", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT_EQUAL(cert_names_carried("x", "DNS:a.example.com", cases[i].names), cases[i].carried);
	CU_ASSERT_FALSE(cert_names_carried(NULL, NULL, "a"));
	CU_ASSERT_FALSE(cert_names_carried("a", "", NULL));
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "one name against CN and SANs", test_table },
		{ "a trunk profile's list of names", test_lists },
		{ "how a name is carried: SAN or CN", test_how },
	};
	return tl_run("cert_name", TL_CASES(cases));
}
