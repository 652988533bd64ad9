/* media_demux: a datagram on a shared media socket finds its stream by the far end's
 * address, port and SSRC, of either family; unbound and moved ids are not found. */
#include "check.h"
#include "media_demux.h"
#include <string.h>

static struct demux_key key(const char *ip, uint16_t port, uint32_t ssrc)
{
	union tl_sockaddr a;
	CU_ASSERT_EQUAL_FATAL(tl_sockaddr_set(&a, ip, port), 0);
	return demux_key_of(&a, ssrc);
}

static void test_find(void)
{
	struct media_demux d;
	CU_ASSERT_EQUAL_FATAL(demux_init(&d, 8), 0);
	struct demux_key a = key("127.0.0.1", 20000, 0x11223344);
	struct demux_key b = key("127.0.0.1", 20000, 0x11223345); /* same source, other SSRC */
	struct demux_key c = key("127.0.0.1", 20002, 0x11223344); /* other port */
	struct demux_key e = key("127.0.0.2", 20000, 0x11223344); /* other address */
	struct demux_key v6 = key("::1", 20000, 0x11223344);
	struct demux_key v6b = key("::2", 20000, 0x11223344);
	demux_bind(&d, 0, &a);
	demux_bind(&d, 1, &b);
	demux_bind(&d, 2, &v6);
	CU_ASSERT_EQUAL(demux_find(&d, &a), 0);
	CU_ASSERT_EQUAL(demux_find(&d, &b), 1);
	CU_ASSERT_EQUAL(demux_find(&d, &v6), 2);
	CU_ASSERT_EQUAL(demux_find(&d, &c), DEMUX_NONE);
	CU_ASSERT_EQUAL(demux_find(&d, &e), DEMUX_NONE);
	CU_ASSERT_EQUAL(demux_find(&d, &v6b), DEMUX_NONE);

	demux_bind(&d, 0, &c); /* moved: the old key finds nothing */
	CU_ASSERT_EQUAL(demux_find(&d, &a), DEMUX_NONE);
	CU_ASSERT_EQUAL(demux_find(&d, &c), 0);
	struct demux_key got;
	CU_ASSERT(demux_key_at(&d, 0, &got) && got.port == c.port && got.ssrc == c.ssrc);
	demux_unbind(&d, 1);
	demux_unbind(&d, 1); /* twice is harmless */
	CU_ASSERT(!demux_key_at(&d, 1, &got));
	CU_ASSERT(!demux_key_at(&d, 8, &got));
	CU_ASSERT_EQUAL(demux_find(&d, &b), DEMUX_NONE);
	CU_ASSERT_EQUAL(demux_find(&d, &v6), 2);
	demux_bind(&d, 9, &b); /* beyond the room: ignored */
	CU_ASSERT_EQUAL(demux_find(&d, &b), DEMUX_NONE);
	union tl_sockaddr none = { 0 };
	struct demux_key z = demux_key_of(&none, 0x11223344);
	CU_ASSERT_EQUAL(demux_find(&d, &z), DEMUX_NONE);
	demux_free(&d);
}

/* Many streams from one far end port (a far end that shares its port too): every one
 * found by its SSRC, also once half of them are gone. */
static void test_many(void)
{
	enum { N = 5000 };
	struct media_demux d;
	CU_ASSERT_EQUAL_FATAL(demux_init(&d, N), 0);
	for (uint32_t i = 0; i < N; i++) {
		struct demux_key k = key("10.1.2.3", 30000, i * 2654435761u);
		demux_bind(&d, i, &k);
	}
	unsigned wrong = 0;
	for (uint32_t i = 0; i < N; i += 2)
		demux_unbind(&d, i);
	for (uint32_t i = 0; i < N; i++) {
		struct demux_key k = key("10.1.2.3", 30000, i * 2654435761u);
		wrong += demux_find(&d, &k) != (i % 2 ? i : DEMUX_NONE);
	}
	CHECK(wrong == 0, "%u of %u looked up wrong", wrong, N);
	demux_free(&d);
}

static const struct tl_case cases[] = {
	{ "find", test_find },
	{ "many", test_many },
};

int main(void)
{
	return tl_run("media_demux", TL_CASES(cases));
}
