/* RFC 4475 (SIP torture test messages) against sip_parse, one table row per
 * message of section 3 that could be rebuilt byte for byte from the RFC text
 * (CRLF line ends; <allOneLine>, <hex> and <repeat> expanded).
 *
 * trunkload parses a TCP/TLS stream, so a row's verdict is the stream one:
 * valid messages return their whole length with the fields the RFC comments
 * on; invalid ones return -EBADMSG (or -EAGAIN / -EMSGSIZE where framing is
 * what is wrong), or, where the RFC lets a liberal element accept and the
 * flaw lies in a part this parser does not interpret, they parse without harm.
 * Every message and every prefix of it sits right before a PROT_NONE page. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include "sip_parse.h"
#include "tl_test.h"
#include "guard.h"

#define MAX 65536
#define RAW(s) (s), sizeof(s) - 1

/* ---- the SDP bodies the messages share (RFC 4475 varies only the addresses) ---- */

#define SDP_HEAD(o) "v=0\r\no=mhandley 29739 7272939 IN IP4 " o "\r\n"
#define SDP_TAIL \
	"m=audio 49217 RTP/AVP 0 12\r\n" \
	"m=video 3227 RTP/AVP 31\r\n" \
	"a=rtpmap:31 LPC\r\n"
#define SDP(o, c) SDP_HEAD(o) "s=-\r\nc=IN IP4 " c "\r\nt=0 0\r\n" SDP_TAIL
#define SDP_T(o, c, t) SDP_HEAD(o) "s=-\r\nc=IN IP4 " c "\r\nt=" t "\r\n" SDP_TAIL

#define R10(s) s s s s s s s s s s
#define R5(s) s s s s s
#define R20(s) R10(s) R10(s)
#define R25(s) R20(s) R5(s)
#define R50(s) R25(s) R25(s)

/* ---- 3.1.1 valid messages ---- */

#define WSINV_SDP SDP("192.0.2.3", "192.0.2.4")
static const char wsinv[] =
	"INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\r\n"
	"TO :\r\n"
	" sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\r\n"
	"from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n"
	"  ;\r\n"
	"  tag = 98asjd8\r\n"
	"MaX-fOrWaRdS: 0068\r\n"
	"Call-ID: wsinv.ndaksdj@192.0.2.1\r\n"
	"Content-Length   : 150\r\n"
	"cseq: 0009\r\n"
	"  INVITE\r\n"
	"Via  : SIP  /   2.0\r\n"
	" /UDP\r\n"
	"    192.0.2.2;branch=390skdjuw\r\n"
	"s :\r\n"
	"NewFangledHeader:   newfangled value\r\n"
	" continued newfangled value\r\n"
	"UnknownHeaderWithUnusualValue: ;;,,;;,;\r\n"
	"Content-Type: application/sdp\r\n"
	"Route:\r\n"
	" <sip:services.example.com;lr;unknownwith=value;unknown-no-value>\r\n"
	"v:  SIP  / 2.0  / TCP     spindle.example.com   ;\r\n"
	"  branch  =   z9hG4bK9ikj8  ,\r\n"
	" SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n"
	" z9hG4bK30239\r\n"
	"m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n"
	"      newvalue ;\r\n"
	"  secondparam ; q = 0.33\r\n"
	"\r\n"
	WSINV_SDP;

#define INTMETH_NAME "!interesting-Method0123456789_*+`.%indeed'~"
#define INTMETH_CALLID "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"
static const char intmeth[] =
	INTMETH_NAME " sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0\r\n"
	"Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~\r\n"
	"To: \"BEL:\\\x07 NUL:\\\0 DEL:\\\x7F\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>\r\n"
	"From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%="
	"\"\xD1\x80\xD0\xB0\xD0\xB1\xD0\xBE\xD1\x82\xD0\xB0\xD1\x8E\xD1\x89\xD0\xB8\xD0\xB9\""
	";tag=_token~1'+`*%!-.\r\n"
	"Call-ID: " INTMETH_CALLID "\r\n"
	"CSeq: 139122385 " INTMETH_NAME "\r\n"
	"Max-Forwards: 255\r\n"
	"extensionHeader-!.%*+_`'~:\xEF\xBB\xBF\xE5\xA4\xA7\xE5\x81\x9C\xE9\x9B\xBB\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

#define ESC01_SDP SDP("192.0.2.1", "192.0.2.1")
static const char esc01[] =
	"INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0\r\n"
	"To: sip:%75se%72@example.com\r\n"
	"From: <sip:I%20have%20spaces@example.net>;tag=938\r\n"
	"Max-Forwards: 87\r\n"
	"i: esc01.239409asdfakjkn23onasd0-3234\r\n"
	"CSeq: 234234 INVITE\r\n"
	"Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw\r\n"
	"C: application/sdp\r\n"
	"Contact:\r\n"
	"  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>\r\n"
	"Content-Length: 150\r\n"
	"\r\n"
	ESC01_SDP;

static const char escnull[] =
	"REGISTER sip:example.com SIP/2.0\r\n"
	"To: sip:null-%00-null@example.com\r\n"
	"From: sip:null-%00-null@example.com;tag=839923423\r\n"
	"Max-Forwards: 70\r\n"
	"Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd\r\n"
	"CSeq: 14398234 REGISTER\r\n"
	"Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw\r\n"
	"Contact: <sip:%00@host5.example.com>\r\n"
	"Contact: <sip:%00%00@host5.example.com>\r\n"
	"L:0\r\n"
	"\r\n";

static const char esc02[] =
	"RE%47IST%45R sip:registrar.example.com SIP/2.0\r\n"
	"To: \"%Z%45\" <sip:resource@example.com>\r\n"
	"From: \"%Z%45\" <sip:resource@example.com>;tag=f232jadfj23\r\n"
	"Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf\r\n"
	"Via: SIP/2.0/TCP host.example.com;branch=z9hG4bK209%fzsnel234\r\n"
	"CSeq: 29344 RE%47IST%45R\r\n"
	"Max-Forwards: 70\r\n"
	"Contact: <sip:alias1@host1.example.com>\r\n"
	"C%6Fntact: <sip:alias2@host2.example.com>\r\n"
	"Contact: <sip:alias3@host3.example.com>\r\n"
	"l: 0\r\n"
	"\r\n";

static const char lwsdisp[] =
	"OPTIONS sip:user@example.com SIP/2.0\r\n"
	"To: sip:user@example.com\r\n"
	"From: caller<sip:caller@example.com>;tag=323\r\n"
	"Max-Forwards: 70\r\n"
	"Call-ID: lwsdisp.1234abcd@funky.example.com\r\n"
	"CSeq: 60 OPTIONS\r\n"
	"Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw\r\n"
	"l: 0\r\n"
	"\r\n";

#define LONG_CALLER R5("amazinglylongcallername")
#define LONGREQ_CALLID "longreq.one" R20("really") "longcallid"
#define LONGREQ_TAG "12" R50("982") "424"
static const char longreq[] =
	"INVITE sip:user@example.com SIP/2.0\r\n"
	"To: \"I have a user name of " R10("extreme") " proportion\""
	"<sip:user@example.com:6000;unknownparam1=very" R20("long") "value;longparam"
	R25("name") "=shortvalue;very" R25("long") "ParameterNameWithNoValue>\r\n"
	"F: sip:" LONG_CALLER "@example.net;tag=" LONGREQ_TAG ";unknownheaderparam"
	R20("name") "=unknowheaderparam" R5("value") R10("value") ";unknownValueless"
	R10("paramname") "\r\n"
	"Call-ID: " LONGREQ_CALLID "\r\n"
	"CSeq: 3882340 INVITE\r\n"
	"Unknown-" R20("Long") "-Name: unknown-" R20("long") "-value; unknown-" R20("long")
	"-parameter-name = unknown-" R20("long") "-parameter-value\r\n"
	"Via: SIP/2.0/TCP sip33.example.com\r\n"
	"v: SIP/2.0/TCP sip32.example.com\r\n"
	"V: SIP/2.0/TCP sip31.example.com\r\n"
	"Via: SIP/2.0/TCP sip30.example.com\r\n"
	"ViA: SIP/2.0/TCP sip29.example.com\r\n"
	"VIa: SIP/2.0/TCP sip28.example.com\r\n"
	"VIA: SIP/2.0/TCP sip27.example.com\r\n"
	"via: SIP/2.0/TCP sip26.example.com\r\n"
	"viA: SIP/2.0/TCP sip25.example.com\r\n"
	"vIa: SIP/2.0/TCP sip24.example.com\r\n"
	"vIA: SIP/2.0/TCP sip23.example.com\r\n"
	"V :  SIP/2.0/TCP sip22.example.com\r\n"
	"v :  SIP/2.0/TCP sip21.example.com\r\n"
	"V  : SIP/2.0/TCP sip20.example.com\r\n"
	"v  : SIP/2.0/TCP sip19.example.com\r\n"
	"Via : SIP/2.0/TCP sip18.example.com\r\n"
	"Via  : SIP/2.0/TCP sip17.example.com\r\n"
	"Via: SIP/2.0/TCP sip16.example.com\r\n"
	"Via: SIP/2.0/TCP sip15.example.com\r\n"
	"Via: SIP/2.0/TCP sip14.example.com\r\n"
	"Via: SIP/2.0/TCP sip13.example.com\r\n"
	"Via: SIP/2.0/TCP sip12.example.com\r\n"
	"Via: SIP/2.0/TCP sip11.example.com\r\n"
	"Via: SIP/2.0/TCP sip10.example.com\r\n"
	"Via: SIP/2.0/TCP sip9.example.com\r\n"
	"Via: SIP/2.0/TCP sip8.example.com\r\n"
	"Via: SIP/2.0/TCP sip7.example.com\r\n"
	"Via: SIP/2.0/TCP sip6.example.com\r\n"
	"Via: SIP/2.0/TCP sip5.example.com\r\n"
	"Via: SIP/2.0/TCP sip4.example.com\r\n"
	"Via: SIP/2.0/TCP sip3.example.com\r\n"
	"Via: SIP/2.0/TCP sip2.example.com\r\n"
	"Via: SIP/2.0/TCP sip1.example.com\r\n"
	"Via: SIP/2.0/TCP host.example.com;received=192.0.2.5;branch=very" R50("long") "branchvalue\r\n"
	"Max-Forwards: 70\r\n"
	"Contact: <sip:" LONG_CALLER "@host5.example.net>\r\n"
	"Content-Type: application/sdp\r\n"
	"l: 150\r\n"
	"\r\n"
	ESC01_SDP;

#define DBLREQ_REGISTER \
	"REGISTER sip:example.com SIP/2.0\r\n" \
	"To: sip:j.user@example.com\r\n" \
	"From: sip:j.user@example.com;tag=43251j3j324\r\n" \
	"Max-Forwards: 8\r\n" \
	"I: dblreq.0ha0isndaksdj99sdfafnl3lk233412\r\n" \
	"Contact: sip:j.user@host.example.com\r\n" \
	"CSeq: 8 REGISTER\r\n" \
	"Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492\r\n" \
	"Content-Length: 0\r\n" \
	"\r\n"
/* The trailing INVITE says Content-Length 150 but carries 153 octets ("m =video"). */
#define DBLREQ_INVITE \
	"INVITE sip:joe@example.com SIP/2.0\r\n" \
	"t: sip:joe@example.com\r\n" \
	"From: sip:caller@example.net;tag=141334\r\n" \
	"Max-Forwards: 8\r\n" \
	"Call-ID: dblreq.0ha0isnda977644900765@192.0.2.15\r\n" \
	"CSeq: 8 INVITE\r\n" \
	"Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw380234\r\n" \
	"Content-Type: application/sdp\r\n" \
	"Content-Length: 150\r\n" \
	"\r\n" \
	SDP_HEAD("192.0.2.15") "s=-\r\nc=IN IP4 192.0.2.15\r\nt=0 0\r\n" \
	"m=audio 49217 RTP/AVP 0 12\r\nm =video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n"
static const char dblreq[] = DBLREQ_REGISTER DBLREQ_INVITE;

static const char semiuri[] =
	"OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0\r\n"
	"To: sip:j_user@example.com\r\n"
	"From: sip:caller@example.org;tag=33242\r\n"
	"Max-Forwards: 3\r\n"
	"Call-ID: semiuri.0ha0isndaksdj\r\n"
	"CSeq: 8 OPTIONS\r\n"
	"Accept: application/sdp, application/pkcs7-mime,\r\n"
	"        multipart/mixed, multipart/signed,\r\n"
	"        message/sip, message/sipfrag\r\n"
	"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw\r\n"
	"l: 0\r\n"
	"\r\n";

static const char transports[] =
	"OPTIONS sip:user@example.com SIP/2.0\r\n"
	"To: sip:user@example.com\r\n"
	"From: <sip:caller@example.com>;tag=323\r\n"
	"Max-Forwards: 70\r\n"
	"Call-ID:  transports.kijh4akdnaqjkwendsasfdj\r\n"
	"Accept: application/sdp\r\n"
	"CSeq: 60 OPTIONS\r\n"
	"Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw\r\n"
	"Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf\r\n"
	"Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj\r\n"
	"Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en\r\n"
	"Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee\r\n"
	"l: 0\r\n"
	"\r\n";

#define UNREASON_PHRASE "= 2**3 * 5**2 " \
	"\xD0\xBD\xD0\xBE \xD1\x81\xD1\x82\xD0\xBE " \
	"\xD0\xB4\xD0\xB5\xD0\xB2\xD1\x8F\xD0\xBD\xD0\xBE\xD1\x81\xD1\x82\xD0\xBE " \
	"\xD0\xB4\xD0\xB5\xD0\xB2\xD1\x8F\xD1\x82\xD1\x8C - " \
	"\xD0\xBF\xD1\x80\xD0\xBE\xD1\x81\xD1\x82\xD0\xBE\xD0\xB5"
#define SDP198 SDP("192.0.2.198", "192.0.2.198")
static const char unreason[] =
	"SIP/2.0 200 " UNREASON_PHRASE "\r\n"
	"Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923\r\n"
	"Call-ID: unreason.1234ksdfak3j2erwedfsASdf\r\n"
	"CSeq: 35 INVITE\r\n"
	"From: sip:user@example.com;tag=11141343\r\n"
	"To: sip:user@example.edu;tag=2229\r\n"
	"Content-Length: 154\r\n"
	"Content-Type: application/sdp\r\n"
	"Contact: <sip:user@host198.example.com>\r\n"
	"\r\n"
	SDP198;

static const char noreason[] =
	"SIP/2.0 100 \r\n"
	"Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\r\n"
	"Call-ID: noreason.asndj203insdf99223ndf\r\n"
	"CSeq: 35 INVITE\r\n"
	"From: <sip:user@example.com>;tag=39ansfi3\r\n"
	"To: <sip:user@example.edu>;tag=902jndnke3\r\n"
	"Content-Length: 0\r\n"
	"Contact: <sip:user@host105.example.com>\r\n"
	"\r\n";

/* ---- 3.1.2 invalid messages ---- */

#define SDP15 SDP("192.0.2.15", "192.0.2.15")
static const char badinv01[] =
	"INVITE sip:user@example.com SIP/2.0\r\n"
	"To: sip:j.user@example.com\r\n"
	"From: sip:caller@example.net;tag=134161461246\r\n"
	"Max-Forwards: 7\r\n"
	"Call-ID: badinv01.0ha0isndaksdjasdf3234nas\r\n"
	"CSeq: 8 INVITE\r\n"
	"Via: SIP/2.0/UDP 192.0.2.15;;,;,,\r\n"
	"Contact: \"Joe\" <sip:joe@example.org>;;;;\r\n"
	"Content-Length: 152\r\n"
	"Content-Type: application/sdp\r\n"
	"\r\n"
	SDP15;

static const char clerr[] =
	"INVITE sip:user@example.com SIP/2.0\r\n"
	"Max-Forwards: 80\r\n"
	"To: sip:j.user@example.com\r\n"
	"From: sip:caller@example.net;tag=93942939o2\r\n"
	"Contact: <sip:caller@hungry.example.net>\r\n"
	"Call-ID: clerr.0ha0isndaksdjweiafasdk3\r\n"
	"CSeq: 8 INVITE\r\n"
	"Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 9999\r\n"
	"\r\n"
	SDP("192.0.2.155", "192.0.2.155");

static const char ncl[] =
	"INVITE sip:user@example.com SIP/2.0\r\n"
	"Max-Forwards: 254\r\n"
	"To: sip:j.user@example.com\r\n"
	"From: sip:caller@example.net;tag=32394234\r\n"
	"Call-ID: ncl.0ha0isndaksdj2193423r542w35\r\n"
	"CSeq: 0 INVITE\r\n"
	"Via: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw\r\n"
	"Contact: <sip:caller@example53.example.net>\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: -999\r\n"
	"\r\n"
	SDP("192.0.2.53", "192.0.2.53");

static const char scalar02[] =
	"REGISTER sip:example.com SIP/2.0\r\n"
	"Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3\r\n"
	"To: <sip:user@example.com>\r\n"
	"From: <sip:user@example.com>;tag=239232jh3\r\n"
	"CSeq: 36893488147419103232 REGISTER\r\n"
	"Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32\r\n"
	"Max-Forwards: 300\r\n"
	"Expires: 1" R50("0") R50("0") "\r\n"
	"Contact: <sip:user@host129.example.com>\r\n"
	"  ;expires=280297596632815\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

static const char scalarlg[] =
	"SIP/2.0 503 Service Unavailable\r\n"
	"Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bKzzxdiwo34sw;received=192.0.2.129\r\n"
	"To: <sip:user@example.com>\r\n"
	"From: <sip:other@example.net>;tag=2easdjfejw\r\n"
	"CSeq: 9292394834772304023312 OPTIONS\r\n"
	"Call-ID: scalarlg.noase0of0234hn2qofoaf0232aewf2394r\r\n"
	"Retry-After: 949302838503028349304023988\r\n"
	"Warning: 1812 overture \"In Progress\"\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

static const char quotbal[] =
	"INVITE sip:user@example.com SIP/2.0\r\n"
	"To: \"Mr. J. User <sip:j.user@example.com>\r\n"
	"From: sip:caller@example.net;tag=93334\r\n"
	"Max-Forwards: 10\r\n"
	"Call-ID: quotbal.aksdj\r\n"
	"Contact: <sip:caller@host59.example.net>\r\n"
	"CSeq: 8 INVITE\r\n"
	"Via: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 152\r\n"
	"\r\n"
	SDP15;

static const char ltgtruri[] =
	"INVITE <sip:user@example.com> SIP/2.0\r\n"
	"To: sip:user@example.com\r\n"
	"From: sip:caller@example.net;tag=39291\r\n"
	"Max-Forwards: 23\r\n"
	"Call-ID: ltgtruri.1@192.0.2.5\r\n"
	"CSeq: 1 INVITE\r\n"
	"Via: SIP/2.0/UDP 192.0.2.5\r\n"
	"Contact: <sip:caller@host5.example.net>\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 159\r\n"
	"\r\n"
	SDP_T("192.0.2.5", "192.0.2.5", "3149328700 0");

static const char lwsruri[] =
	"INVITE sip:user@example.com; lr SIP/2.0\r\n"
	"To: sip:user@example.com;tag=3xfe-9921883-z9f\r\n"
	"From: sip:caller@example.net;tag=231413434\r\n"
	"Max-Forwards: 5\r\n"
	"Call-ID: lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423\r\n"
	"CSeq: 2130706432 INVITE\r\n"
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKkdjuw2395\r\n"
	"Contact: <sip:caller@host1.example.net>\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 159\r\n"
	"\r\n"
	SDP_T("192.0.2.1", "192.0.2.1", "3149328700 0");

static const char lwsstart[] =
	"INVITE  sip:user@example.com  SIP/2.0\r\n"
	"Max-Forwards: 8\r\n"
	"To: sip:user@example.com\r\n"
	"From: sip:caller@example.net;tag=8814\r\n"
	"Call-ID: lwsstart.dfknq234oi243099adsdfnawe3@example.com\r\n"
	"CSeq: 1893884 INVITE\r\n"
	"Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw3923\r\n"
	"Contact: <sip:caller@host1.example.net>\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 150\r\n"
	"\r\n"
	ESC01_SDP;

static const char trws[] =
	"OPTIONS sip:remote-target@example.com SIP/2.0  \r\n"
	"Via: SIP/2.0/TCP host1.examle.com;branch=z9hG4bK299342093\r\n"
	"To: <sip:remote-target@example.com>\r\n"
	"From: <sip:local-resource@example.com>;tag=329429089\r\n"
	"Call-ID: trws.oicu34958239neffasdhr2345r\r\n"
	"Accept: application/sdp\r\n"
	"CSeq: 238923 OPTIONS\r\n"
	"Max-Forwards: 70\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

static const char escruri[] =
	"INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0\r\n"
	"To: sip:user@example.com\r\n"
	"From: sip:caller@example.net;tag=341518\r\n"
	"Max-Forwards: 7\r\n"
	"Contact: <sip:caller@host39923.example.net>\r\n"
	"Call-ID: escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5\r\n"
	"CSeq: 149209342 INVITE\r\n"
	"Via: SIP/2.0/UDP host-of-the-hour.example.com;branch=z9hG4bKkdjuw\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 150\r\n"
	"\r\n"
	ESC01_SDP;

#define SDP5 SDP("192.0.2.5", "192.0.2.5")
static const char baddate[] =
	"INVITE sip:user@example.com SIP/2.0\r\n"
	"To: sip:user@example.com\r\n"
	"From: sip:caller@example.net;tag=2234923\r\n"
	"Max-Forwards: 70\r\n"
	"Call-ID: baddate.239423mnsadf3j23lj42--sedfnm234\r\n"
	"CSeq: 1392934 INVITE\r\n"
	"Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw\r\n"
	"Date: Fri, 01 Jan 2010 16:00:00 EST\r\n"
	"Contact: <sip:caller@host5.example.net>\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 150\r\n"
	"\r\n"
	SDP5;

static const char regbadct[] =
	"REGISTER sip:example.com SIP/2.0\r\n"
	"To: sip:user@example.com\r\n"
	"From: sip:user@example.com;tag=998332\r\n"
	"Max-Forwards: 70\r\n"
	"Call-ID: regbadct.k345asrl3fdbv@10.0.0.1\r\n"
	"CSeq: 1 REGISTER\r\n"
	"Via: SIP/2.0/UDP 135.180.130.133:5060;branch=z9hG4bKkdjuw\r\n"
	"Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E\r\n"
	"l: 0\r\n"
	"\r\n";

static const char badaspec[] =
	"OPTIONS sip:user@example.org SIP/2.0\r\n"
	"Via: SIP/2.0/UDP host4.example.com:5060;branch=z9hG4bKkdju43234\r\n"
	"Max-Forwards: 70\r\n"
	"From: \"Bell, Alexander\" <sip:a.g.bell@example.com>;tag=433423\r\n"
	"To: \"Watson, Thomas\" < sip:t.watson@example.org >\r\n"
	"Call-ID: badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3\r\n"
	"Accept: application/sdp\r\n"
	"CSeq: 3923239 OPTIONS\r\n"
	"l: 0\r\n"
	"\r\n";

/* As printed in the RFC (and as in its archive): no empty line ends the headers. */
static const char baddn[] =
	"OPTIONS sip:t.watson@example.org SIP/2.0\r\n"
	"Via:     SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw\r\n"
	"Max-Forwards:      70\r\n"
	"From:    Bell, Alexander <sip:a.g.bell@example.com>;tag=43\r\n"
	"To:      Watson, Thomas <sip:t.watson@example.org>\r\n"
	"Call-ID: baddn.31415@c.example.com\r\n"
	"Accept: application/sdp\r\n"
	"CSeq:    3923239 OPTIONS\r\n"
	"l: 0\r\n";

static const char badvers[] =
	"OPTIONS sip:t.watson@example.org SIP/7.0\r\n"
	"Via:     SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw\r\n"
	"Max-Forwards:     70\r\n"
	"From:    A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe\r\n"
	"To:      T. Watson <sip:t.watson@example.org>\r\n"
	"Call-ID: badvers.31417@c.example.com\r\n"
	"CSeq:    1 OPTIONS\r\n"
	"l: 0\r\n"
	"\r\n";

static const char mismatch01[] =
	"OPTIONS sip:user@example.com SIP/2.0\r\n"
	"To: sip:j.user@example.com\r\n"
	"From: sip:caller@example.net;tag=34525\r\n"
	"Max-Forwards: 6\r\n"
	"Call-ID: mismatch01.dj0234sxdfl3\r\n"
	"CSeq: 8 INVITE\r\n"
	"Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw\r\n"
	"l: 0\r\n"
	"\r\n";

static const char mismatch02[] =
	"NEWMETHOD sip:user@example.com SIP/2.0\r\n"
	"To: sip:j.user@example.com\r\n"
	"From: sip:caller@example.net;tag=34525\r\n"
	"Max-Forwards: 6\r\n"
	"Call-ID: mismatch02.dj0234sxdfl3\r\n"
	"CSeq: 8 INVITE\r\n"
	"Contact: <sip:caller@host.example.net>\r\n"
	"Via: SIP/2.0/UDP host.example.net;branch=z9hG4bKkdjuw\r\n"
	"Content-Type: application/sdp\r\n"
	"l: 138\r\n"
	"\r\n"
	SDP_HEAD("192.0.2.1") "c=IN IP4 192.0.2.1\r\n" SDP_TAIL;

static const char bigcode[] =
	"SIP/2.0 4294967301 better not break the receiver\r\n"
	"Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\r\n"
	"Call-ID: bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i\r\n"
	"CSeq: 353494 INVITE\r\n"
	"From: <sip:user@example.com>;tag=39ansfi3\r\n"
	"To: <sip:user@example.edu>;tag=902jndnke3\r\n"
	"Content-Length: 0\r\n"
	"Contact: <sip:user@host105.example.com>\r\n"
	"\r\n";

/* ---- 3.2 transaction layer ---- */

static const char badbranch[] =
	"OPTIONS sip:user@example.com SIP/2.0\r\n"
	"To: sip:user@example.com\r\n"
	"From: sip:caller@example.org;tag=33242\r\n"
	"Max-Forwards: 3\r\n"
	"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK\r\n"
	"Accept: application/sdp\r\n"
	"Call-ID: badbranch.sadonfo23i420jv0as0derf3j3n\r\n"
	"CSeq: 8 OPTIONS\r\n"
	"l: 0\r\n"
	"\r\n";

/* ---- 3.3 application layer ---- */

static const char insuf[] =
	"INVITE sip:user@example.com SIP/2.0\r\n"
	"CSeq: 193942 INVITE\r\n"
	"Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\r\n"
	"Content-Type: application/sdp\r\n"
	"l: 152\r\n"
	"\r\n"
	SDP("192.0.2.95", "192.0.2.95");

static const char unkscm[] =
	"OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0\r\n"
	"To: sip:user@example.com\r\n"
	"From: sip:caller@example.net;tag=384\r\n"
	"Max-Forwards: 3\r\n"
	"Call-ID: unkscm.nasdfasser0q239nwsdfasdkl34\r\n"
	"CSeq: 3923423 OPTIONS\r\n"
	"Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

static const char novelsc[] =
	"OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0\r\n"
	"To: sip:user@example.com\r\n"
	"From: sip:caller@example.net;tag=384\r\n"
	"Max-Forwards: 3\r\n"
	"Call-ID: novelsc.asdfasser0q239nwsdfasdkl34\r\n"
	"CSeq: 3923423 OPTIONS\r\n"
	"Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

static const char unksm2[] =
	"REGISTER sip:example.com SIP/2.0\r\n"
	"To: isbn:2983792873\r\n"
	"From: <http://www.example.com>;tag=3234233\r\n"
	"Call-ID: unksm2.daksdj@hyphenated-host.example.com\r\n"
	"CSeq: 234902 REGISTER\r\n"
	"Max-Forwards: 70\r\n"
	"Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bKkdjuw\r\n"
	"Contact: <name:John_Smith>\r\n"
	"l: 0\r\n"
	"\r\n";

static const char bext01[] =
	"OPTIONS sip:user@example.com SIP/2.0\r\n"
	"To: sip:j_user@example.com\r\n"
	"From: sip:caller@example.net;tag=242etr\r\n"
	"Max-Forwards: 6\r\n"
	"Call-ID: bext01.0ha0isndaksdj\r\n"
	"Require: nothingSupportsThis, nothingSupportsThisEither\r\n"
	"Proxy-Require: noProxiesSupportThis, norDoAnyProxiesSupportThis\r\n"
	"CSeq: 8 OPTIONS\r\n"
	"Via: SIP/2.0/TLS fold-and-staple.example.com;branch=z9hG4bKkdjuw\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

#define INVUT_BODY "<audio>\r\n <pcmu port=\"443\"/>\r\n</audio>\r\n"
static const char invut[] =
	"INVITE sip:user@example.com SIP/2.0\r\n"
	"Contact: <sip:caller@host5.example.net>\r\n"
	"To: sip:j.user@example.com\r\n"
	"From: sip:caller@example.net;tag=8392034\r\n"
	"Max-Forwards: 70\r\n"
	"Call-ID: invut.0ha0isndaksdjadsfij34n23d\r\n"
	"CSeq: 235448 INVITE\r\n"
	"Via: SIP/2.0/UDP somehost.example.com;branch=z9hG4bKkdjuw\r\n"
	"Content-Type: application/unknownformat\r\n"
	"Content-Length: 40\r\n"
	"\r\n"
	INVUT_BODY;

static const char regaut01[] =
	"REGISTER sip:example.com SIP/2.0\r\n"
	"To: sip:j.user@example.com\r\n"
	"From: sip:j.user@example.com;tag=87321hj23128\r\n"
	"Max-Forwards: 8\r\n"
	"Call-ID: regaut01.0ha0isndaksdj\r\n"
	"CSeq: 9338 REGISTER\r\n"
	"Via: SIP/2.0/TCP 192.0.2.253;branch=z9hG4bKkdjuw\r\n"
	"Authorization: NoOneKnowsThisScheme opaque-data=here\r\n"
	"Content-Length:0\r\n"
	"\r\n";

/* Its body ends with an extra empty line: 152 octets of SDP + CRLF = 154. */
static const char multi01[] =
	"INVITE sip:user@company.com SIP/2.0\r\n"
	"Contact: <sip:caller@host25.example.net>\r\n"
	"Via: SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw\r\n"
	"Max-Forwards: 70\r\n"
	"CSeq: 5 INVITE\r\n"
	"Call-ID: multi01.98asdh@192.0.2.1\r\n"
	"CSeq: 59 INVITE\r\n"
	"Call-ID: multi01.98asdh@192.0.2.2\r\n"
	"From: sip:caller@example.com;tag=3413415\r\n"
	"To: sip:user@example.com\r\n"
	"To: sip:other@example.net\r\n"
	"From: sip:caller@example.net;tag=2923420123\r\n"
	"Content-Type: application/sdp\r\n"
	"l: 154\r\n"
	"Contact: <sip:caller@host36.example.net>\r\n"
	"Max-Forwards: 5\r\n"
	"\r\n"
	SDP("192.0.2.25", "192.0.2.25") "\r\n";

static const char mcl01[] =
	"OPTIONS sip:user@example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bK293423\r\n"
	"To: sip:user@example.com\r\n"
	"From: sip:other@example.net;tag=3923942\r\n"
	"Call-ID: mcl01.fhn2323orihawfdoa3o4r52o3irsdf\r\n"
	"CSeq: 15932 OPTIONS\r\n"
	"Content-Length: 13\r\n"
	"Max-Forwards: 60\r\n"
	"Content-Length: 5\r\n"
	"Content-Type: text/plain\r\n"
	"\r\n"
	"There's no way to know how many octets are supposed to be here.\r\n";

static const char bcast[] =
	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923\r\n"
	"Via: SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23\r\n"
	"Call-ID: bcast.0384840201234ksdfak3j2erwedfsASdf\r\n"
	"CSeq: 35 INVITE\r\n"
	"From: sip:user@example.com;tag=11141343\r\n"
	"To: sip:user@example.edu;tag=2229\r\n"
	"Content-Length: 154\r\n"
	"Content-Type: application/sdp\r\n"
	"Contact: <sip:user@host28.example.com>\r\n"
	"\r\n"
	SDP198;

static const char zeromf[] =
	"OPTIONS sip:user@example.com SIP/2.0\r\n"
	"To: sip:user@example.com\r\n"
	"From: sip:caller@example.net;tag=3ghsd41\r\n"
	"Call-ID: zeromf.jfasdlfnm2o2l43r5u0asdfas\r\n"
	"CSeq: 39234321 OPTIONS\r\n"
	"Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw2349i\r\n"
	"Max-Forwards: 0\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

static const char cparam01[] =
	"REGISTER sip:example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw\r\n"
	"Max-Forwards: 70\r\n"
	"From: sip:watson@example.com;tag=DkfVgjkrtMwaerKKpe\r\n"
	"To: sip:watson@example.com\r\n"
	"Call-ID: cparam01.70710@saturn.example.com\r\n"
	"CSeq: 2 REGISTER\r\n"
	"Contact: sip:+19725552222@gw1.example.net;unknownparam\r\n"
	"l: 0\r\n"
	"\r\n";

static const char cparam02[] =
	"REGISTER sip:example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw\r\n"
	"Max-Forwards: 70\r\n"
	"From: sip:watson@example.com;tag=838293\r\n"
	"To: sip:watson@example.com\r\n"
	"Call-ID: cparam02.70710@saturn.example.com\r\n"
	"CSeq: 3 REGISTER\r\n"
	"Contact: <sip:+19725552222@gw1.example.net;unknownparam>\r\n"
	"l: 0\r\n"
	"\r\n";

static const char regescrt[] =
	"REGISTER sip:example.com SIP/2.0\r\n"
	"To: sip:user@example.com\r\n"
	"From: sip:user@example.com;tag=8\r\n"
	"Max-Forwards: 70\r\n"
	"Call-ID: regescrt.k345asrl3fdbv@192.0.2.1\r\n"
	"CSeq: 14398234 REGISTER\r\n"
	"Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw\r\n"
	"M: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>\r\n"
	"L:0\r\n"
	"\r\n";

static const char sdp01[] =
	"INVITE sip:user@example.com SIP/2.0\r\n"
	"To: sip:j_user@example.com\r\n"
	"Contact: <sip:caller@host15.example.net>\r\n"
	"From: sip:caller@example.net;tag=234\r\n"
	"Max-Forwards: 5\r\n"
	"Call-ID: sdp01.ndaksdj9342dasdd\r\n"
	"Accept: text/nobodyKnowsThis\r\n"
	"CSeq: 8 INVITE\r\n"
	"Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw\r\n"
	"Content-Length: 150\r\n"
	"Content-Type: application/sdp\r\n"
	"\r\n"
	SDP5;

/* ---- 3.4 backward compatibility ---- */

static const char inv2543[] =
	"INVITE sip:UserB@example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP iftgw.example.com\r\n"
	"From: <sip:+13035551111@ift.client.example.net;user=phone>\r\n"
	"Record-Route: <sip:UserB@example.com;maddr=ss1.example.com>\r\n"
	"To: sip:+16505552222@ss1.example.net;user=phone\r\n"
	"Call-ID: inv2543.1717@ift.client.example.com\r\n"
	"CSeq: 56 INVITE\r\n"
	"Content-Type: application/sdp\r\n"
	"\r\n"
	SDP_HEAD("192.0.2.5") "s=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0\r\n";

/* ---- the table ---- */

#define ABSENT ((const char *)&absent_mark) /* the slice must be missing */
static const char absent_mark = 0;
#define MF(n) ((n) + 2) /* want.mf: Max-Forwards + 2, so 0 means "not checked" */

struct want {
	enum sip_kind kind;
	enum sip_method method;
	const char *method_name, *ruri; /* NULL: not checked */
	int status;
	const char *reason;
	unsigned via_count;
	const char *branch, *from_tag, *to_tag, *call_id, *contact, *content_type;
	uint32_t cseq;
	const char *cseq_method_name;
	int mf;
	const char *body; /* checked with content_length when set */
	size_t body_len;  /* for bodies with NUL bytes; 0: strlen */
};

struct row {
	const char *name; /* RFC 4475 section and message name */
	const char *raw;
	size_t len;
	int rc;          /* 0: the whole message parses; else the negative errno */
	size_t msg_len;  /* when rc == 0 and the message is shorter than raw */
	size_t max_size; /* 0: MAX */
	struct want w;
};

static const struct row rows[] = {
	/* 3.1.1.1: folding everywhere, LWS around colons, compact and long forms
	 * mixed, two Via values in one folded v:, leading zeros in scalars. */
	{ "3.1.1.1 wsinv", RAW(wsinv), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_INVITE, .method_name = "INVITE",
		.ruri = "sip:vivekg@chair-dnrc.example.com;unknownparam",
		.via_count = 3, .branch = "390skdjuw",
		.from_tag = "98asjd8", .to_tag = "1918181833n",
		.call_id = "wsinv.ndaksdj@192.0.2.1",
		.contact = "\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n"
			   "      newvalue ;\r\n  secondparam ; q = 0.33",
		.content_type = "application/sdp",
		.cseq = 9, .cseq_method_name = "INVITE", .mf = MF(68), .body = WSINV_SDP } },
	/* 3.1.1.2: an unknown method of every token character is kept verbatim;
	 * the To display name holds BEL, NUL and DEL as quoted-pairs. */
	{ "3.1.1.2 intmeth", RAW(intmeth), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_METHOD_UNKNOWN, .method_name = INTMETH_NAME,
		.via_count = 1, .branch = "z9hG4bK-.!%66*_+`'~",
		.from_tag = "_token~1'+`*%!-.", .to_tag = ABSENT,
		.call_id = INTMETH_CALLID,
		.cseq = 139122385, .cseq_method_name = INTMETH_NAME, .mf = MF(255), .body = "" } },
	/* 3.1.1.3: % HEX HEX escapes; compact i: and C:. */
	{ "3.1.1.3 esc01", RAW(esc01), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_INVITE,
		.ruri = "sip:sips%3Auser%40example.com@example.net",
		.via_count = 1, .branch = "z9hG4bKkdjuw", .from_tag = "938",
		.call_id = "esc01.239409asdfakjkn23onasd0-3234",
		.contact = "<sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>",
		.content_type = "application/sdp",
		.cseq = 234234, .cseq_method_name = "INVITE", .mf = MF(87), .body = ESC01_SDP } },
	/* 3.1.1.4: %00 in URIs must not shorten anything; L:0 compact. */
	{ "3.1.1.4 escnull", RAW(escnull), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_REGISTER, .ruri = "sip:example.com",
		.via_count = 1, .from_tag = "839923423",
		.call_id = "escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd",
		.contact = "<sip:%00@host5.example.com>",
		.cseq = 14398234, .cseq_method_name = "REGISTER", .mf = MF(70), .body = "" } },
	/* 3.1.1.5: RE%47IST%45R is an unknown method, not REGISTER; C%6Fntact is
	 * not Contact. */
	{ "3.1.1.5 esc02", RAW(esc02), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_METHOD_UNKNOWN, .method_name = "RE%47IST%45R",
		.via_count = 1, .branch = "z9hG4bK209%fzsnel234", .from_tag = "f232jadfj23",
		.contact = "<sip:alias1@host1.example.com>",
		.cseq = 29344, .cseq_method_name = "RE%47IST%45R", .mf = MF(70), .body = "" } },
	/* 3.1.1.6: no LWS between display name and <: accept. */
	{ "3.1.1.6 lwsdisp", RAW(lwsdisp), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_OPTIONS, .via_count = 1, .from_tag = "323",
		.call_id = "lwsdisp.1234abcd@funky.example.com",
		.cseq = 60, .cseq_method_name = "OPTIONS", .mf = MF(70), .body = "" } },
	/* 3.1.1.7: long values and 34 Via values; only 8 are kept, all are counted;
	 * the top Via has no branch. */
	{ "3.1.1.7 longreq", RAW(longreq), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_INVITE,
		.via_count = 34, .branch = ABSENT, .from_tag = LONGREQ_TAG, .to_tag = ABSENT,
		.call_id = LONGREQ_CALLID, .contact = "<sip:" LONG_CALLER "@host5.example.net>",
		.cseq = 3882340, .cseq_method_name = "INVITE", .mf = MF(70), .body = ESC01_SDP } },
	/* longreq again with max_size one byte short of its headers: too large. */
	{ "3.1.1.7 longreq, max_size below its headers", RAW(longreq), -EMSGSIZE, 0,
	  sizeof(longreq) - 1 - 150 - 1, { 0 } },
	/* 3.1.1.8: a REGISTER with Content-Length 0 then octets that look like an
	 * INVITE. Over UDP they are noise; over a stream they are the next message,
	 * so the REGISTER alone is consumed (test_dblreq_stream checks the rest). */
	{ "3.1.1.8 dblreq", RAW(dblreq), 0, sizeof(DBLREQ_REGISTER) - 1, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_REGISTER, .via_count = 1,
		.branch = "z9hG4bKkdjuw23492", .from_tag = "43251j3j324",
		.call_id = "dblreq.0ha0isndaksdj99sdfafnl3lk233412",
		.contact = "sip:j.user@host.example.com",
		.cseq = 8, .cseq_method_name = "REGISTER", .mf = MF(8), .body = "" } },
	/* 3.1.1.9: ; and escaped @ in the Request-URI user part; folded Accept. */
	{ "3.1.1.9 semiuri", RAW(semiuri), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_OPTIONS,
		.ruri = "sip:user;par=u%40example.net@example.com",
		.via_count = 1, .from_tag = "33242", .call_id = "semiuri.0ha0isndaksdj",
		.cseq = 8, .cseq_method_name = "OPTIONS", .mf = MF(3), .body = "" } },
	/* 3.1.1.10: known and unknown transports in Via. */
	{ "3.1.1.10 transports", RAW(transports), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_OPTIONS,
		.via_count = 5, .branch = "z9hG4bKkdjuw",
		.call_id = "transports.kijh4akdnaqjkwendsasfdj",
		.cseq = 60, .cseq_method_name = "OPTIONS", .mf = MF(70), .body = "" } },
	/* 3.1.1.12: a reason phrase with UTF-8 and reserved characters. */
	{ "3.1.1.12 unreason", RAW(unreason), 0, 0, 0, {
		.kind = SIP_KIND_RESPONSE, .status = 200, .reason = UNREASON_PHRASE,
		.via_count = 1, .branch = "z9hG4bK1324923", .from_tag = "11141343", .to_tag = "2229",
		.call_id = "unreason.1234ksdfak3j2erwedfsASdf", .content_type = "application/sdp",
		.cseq = 35, .cseq_method_name = "INVITE", .mf = MF(-1), .body = SDP198 } },
	/* 3.1.1.13: empty reason phrase (the SP after the code is there). */
	{ "3.1.1.13 noreason", RAW(noreason), 0, 0, 0, {
		.kind = SIP_KIND_RESPONSE, .status = 100, .reason = "",
		.via_count = 1, .to_tag = "902jndnke3",
		.call_id = "noreason.asndj203insdf99223ndf",
		.cseq = 35, .cseq_method_name = "INVITE", .body = "" } },

	/* 3.1.2.1: empty Via values between commas: 400. */
	{ "3.1.2.1 badinv01", RAW(badinv01), -EBADMSG, 0, 0, { 0 } },
	/* 3.1.2.2: Content-Length 9999 past the end. The RFC: over a stream there
	 * is nothing to do but wait for more, so -EAGAIN; and once the announced
	 * body cannot fit max_size, -EMSGSIZE. */
	{ "3.1.2.2 clerr", RAW(clerr), -EAGAIN, 0, 0, { 0 } },
	{ "3.1.2.2 clerr, max_size 4096", RAW(clerr), -EMSGSIZE, 0, 4096, { 0 } },
	/* 3.1.2.3: negative Content-Length: the framing is unrecoverable. */
	{ "3.1.2.3 ncl", RAW(ncl), -EBADMSG, 0, 0, { 0 } },
	/* 3.1.2.4: CSeq >= 2**32 (and Max-Forwards 300): 400 for the CSeq. */
	{ "3.1.2.4 scalar02", RAW(scalar02), -EBADMSG, 0, 0, { 0 } },
	/* 3.1.2.5: a response with CSeq > 2**32-1: discarded. An overflowing scalar
	 * is malformed, not oversized, so -EBADMSG rather than -EMSGSIZE. */
	{ "3.1.2.5 scalarlg", RAW(scalarlg), -EBADMSG, 0, 0, { 0 } },
	/* 3.1.2.6: unterminated quote in To. The RFC lets an element infer the
	 * quote; this parser keeps To whole and must not invent a tag from it. */
	{ "3.1.2.6 quotbal", RAW(quotbal), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_INVITE, .to_tag = ABSENT,
		.from_tag = "93334", .call_id = "quotbal.aksdj",
		.cseq = 8, .cseq_method_name = "INVITE", .mf = MF(10), .body = SDP15 } },
	/* 3.1.2.7: Request-URI in <>: "reasonable always to reject", a liberal
	 * element may accept; this parser does not interpret the URI and passes it
	 * through, brackets included. */
	{ "3.1.2.7 ltgtruri", RAW(ltgtruri), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_INVITE, .ruri = "<sip:user@example.com>",
		.via_count = 1, .branch = ABSENT, .cseq = 1, .cseq_method_name = "INVITE",
		.mf = MF(23), .body = SDP_T("192.0.2.5", "192.0.2.5", "3149328700 0") } },
	/* 3.1.2.8: LWS inside the Request-URI: 400. */
	{ "3.1.2.8 lwsruri", RAW(lwsruri), -EBADMSG, 0, 0, { 0 } },
	/* 3.1.2.9: several SP between start-line elements: acceptable to reject. */
	{ "3.1.2.9 lwsstart", RAW(lwsstart), -EBADMSG, 0, 0, { 0 } },
	/* 3.1.2.10: SP after SIP-Version: acceptable to reject. */
	{ "3.1.2.10 trws", RAW(trws), -EBADMSG, 0, 0, { 0 } },
	/* 3.1.2.11: escaped headers in the Request-URI: a liberal element may
	 * accept; the URI is passed through untouched. */
	{ "3.1.2.11 escruri", RAW(escruri), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_INVITE,
		.ruri = "sip:user@example.com?Route=%3Csip:example.com%3E",
		.cseq = 149209342, .cseq_method_name = "INVITE", .mf = MF(7), .body = ESC01_SDP } },
	/* 3.1.2.12: non-GMT Date: only matters to whoever reads Date; accept. */
	{ "3.1.2.12 baddate", RAW(baddate), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_INVITE,
		.call_id = "baddate.239423mnsadf3j23lj42--sedfnm234",
		.cseq = 1392934, .cseq_method_name = "INVITE", .mf = MF(70), .body = SDP5 } },
	/* 3.1.2.13: Contact addr-spec with escaped header, no <>: a liberal element
	 * may accept; Contact is kept whole, not interpreted. */
	{ "3.1.2.13 regbadct", RAW(regbadct), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_REGISTER,
		.contact = "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
		.cseq = 1, .cseq_method_name = "REGISTER", .mf = MF(70), .body = "" } },
	/* 3.1.2.14: spaces inside <> in To: "parsers must not break"; may accept.
	 * The comma inside the quoted display name must not hide From's tag. */
	{ "3.1.2.14 badaspec", RAW(badaspec), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_OPTIONS, .from_tag = "433423",
		.to_tag = ABSENT, .cseq = 3923239, .cseq_method_name = "OPTIONS",
		.mf = MF(70), .body = "" } },
	/* 3.1.2.15: unquoted display names with a comma. The RFC's text (and its
	 * archive) has no empty line after the headers, so over a stream the
	 * message never ends: -EAGAIN, and nothing is read past the buffer. */
	{ "3.1.2.15 baddn", RAW(baddn), -EAGAIN, 0, 0, { 0 } },
	/* 3.1.2.16: SIP/7.0: the RFC wants 505; a stream parser can only refuse. */
	{ "3.1.2.16 badvers", RAW(badvers), -EBADMSG, 0, 0, { 0 } },
	/* 3.1.2.17: start-line method OPTIONS, CSeq INVITE: 400. */
	{ "3.1.2.17 mismatch01", RAW(mismatch01), -EBADMSG, 0, 0, { 0 } },
	/* 3.1.2.18: unknown method, CSeq INVITE: 501 or 400. */
	{ "3.1.2.18 mismatch02", RAW(mismatch02), -EBADMSG, 0, 0, { 0 } },
	/* 3.1.2.19: status code 4294967301: drop. */
	{ "3.1.2.19 bigcode", RAW(bigcode), -EBADMSG, 0, 0, { 0 } },

	/* 3.2.1: z9hG4bK with no identifier: a parser must not break. */
	{ "3.2.1 badbranch", RAW(badbranch), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_OPTIONS, .via_count = 1, .branch = "z9hG4bK",
		.call_id = "badbranch.sadonfo23i420jv0as0derf3j3n",
		.cseq = 8, .cseq_method_name = "OPTIONS", .mf = MF(3), .body = "" } },

	/* 3.3.1: From, To, Call-ID (and Max-Forwards) missing: 400. */
	{ "3.3.1 insuf", RAW(insuf), -EBADMSG, 0, 0, { 0 } },
	/* 3.3.2, 3.3.3, 3.3.4: unknown URI schemes are the application's (416). */
	{ "3.3.2 unkscm", RAW(unkscm), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_OPTIONS,
		.ruri = "nobodyKnowsThisScheme:totallyopaquecontent",
		.cseq = 3923423, .cseq_method_name = "OPTIONS", .mf = MF(3), .body = "" } },
	{ "3.3.3 novelsc", RAW(novelsc), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_OPTIONS,
		.ruri = "soap.beep://192.0.2.103:3002",
		.cseq = 3923423, .cseq_method_name = "OPTIONS", .mf = MF(3), .body = "" } },
	{ "3.3.4 unksm2", RAW(unksm2), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_REGISTER,
		.from_tag = "3234233", .to_tag = ABSENT, .contact = "<name:John_Smith>",
		.cseq = 234902, .cseq_method_name = "REGISTER", .mf = MF(70), .body = "" } },
	/* 3.3.5: unsupported Require / Proxy-Require: 420 is the application's. */
	{ "3.3.5 bext01", RAW(bext01), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_OPTIONS, .via_count = 1,
		.cseq = 8, .cseq_method_name = "OPTIONS", .mf = MF(6), .body = "" } },
	/* 3.3.6: unknown Content-Type: 415 is the application's; framing is fine. */
	{ "3.3.6 invut", RAW(invut), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_INVITE,
		.content_type = "application/unknownformat",
		.cseq = 235448, .cseq_method_name = "INVITE", .mf = MF(70), .body = INVUT_BODY } },
	/* 3.3.7: unknown Authorization scheme: the registrar's business. */
	{ "3.3.7 regaut01", RAW(regaut01), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_REGISTER,
		.cseq = 9338, .cseq_method_name = "REGISTER", .mf = MF(8), .body = "" } },
	/* 3.3.8: two CSeq, Call-ID, To, From and Max-Forwards: 400. */
	{ "3.3.8 multi01", RAW(multi01), -EBADMSG, 0, 0, { 0 } },
	/* 3.3.9: two different Content-Lengths: the framing is unknowable. */
	{ "3.3.9 mcl01", RAW(mcl01), -EBADMSG, 0, 0, { 0 } },
	/* 3.3.10: a 200 whose second Via is a broadcast address: the parser frames
	 * it; not forwarding it there is the transport's job. */
	{ "3.3.10 bcast", RAW(bcast), 0, 0, 0, {
		.kind = SIP_KIND_RESPONSE, .status = 200, .reason = "OK", .via_count = 2,
		.branch = "z9hG4bK1324923", .cseq = 35, .cseq_method_name = "INVITE",
		.mf = MF(-1), .body = SDP198 } },
	/* 3.3.11: Max-Forwards 0 is a value (483 at proxies), not an absence. */
	{ "3.3.11 zeromf", RAW(zeromf), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_OPTIONS,
		.cseq = 39234321, .cseq_method_name = "OPTIONS", .mf = MF(0), .body = "" } },
	/* 3.3.12, 3.3.13: where a Contact parameter belongs is the registrar's
	 * question; Contact is kept whole. */
	{ "3.3.12 cparam01", RAW(cparam01), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_REGISTER,
		.contact = "sip:+19725552222@gw1.example.net;unknownparam",
		.cseq = 2, .cseq_method_name = "REGISTER", .mf = MF(70), .body = "" } },
	{ "3.3.13 cparam02", RAW(cparam02), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_REGISTER,
		.contact = "<sip:+19725552222@gw1.example.net;unknownparam>",
		.cseq = 3, .cseq_method_name = "REGISTER", .mf = MF(70), .body = "" } },
	/* 3.3.14: escaped Route in a Contact URI (compact M:). */
	{ "3.3.14 regescrt", RAW(regescrt), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_REGISTER,
		.contact = "<sip:user@example.com?Route=%3Csip:sip.example.com%3E>",
		.cseq = 14398234, .cseq_method_name = "REGISTER", .mf = MF(70), .body = "" } },
	/* 3.3.15: Accept lists no SDP: the 406 is the UA's decision (this parser
	 * does not read SDP); the message frames with its body. */
	{ "3.3.15 sdp01", RAW(sdp01), 0, 0, 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_INVITE, .content_type = "application/sdp",
		.cseq = 8, .cseq_method_name = "INVITE", .mf = MF(5), .body = SDP5 } },

	/* 3.4.1: RFC 2543 syntax without Content-Length. Over UDP it is accepted;
	 * over a stream Content-Length is mandatory (RFC 3261 18.3, 20.14), so it
	 * is legitimately refused. */
	{ "3.4.1 inv2543", RAW(inv2543), -EBADMSG, 0, 0, { 0 } },
};

/* ---- checks that name the failing row ---- */

static void expect_at(bool ok, const char *what, const char *name, int line)
{
	if (!ok)
		printf("\n    row \"%s\": %s", name, what);
	CU_assertImplementation(ok, (unsigned)line, what, __FILE__, "", CU_FALSE);
}

#define EXPECT(name, cond) expect_at((cond), #cond, (name), __LINE__)

/* NULL: not checked; ABSENT: must be missing. */
static bool str_ok(struct tl_str got, const char *want)
{
	if (!want)
		return true;
	if (want == ABSENT)
		return got.p == NULL;
	return got.p && got.len == strlen(want) && memcmp(got.p, want, got.len) == 0;
}

static void check_fields(const struct row *r, const struct sip_msg *m)
{
	const struct want *w = &r->w;
	const char *n = r->name;

	EXPECT(n, m->kind == w->kind);
	if (w->kind == SIP_KIND_REQUEST) {
		EXPECT(n, m->method == w->method);
		EXPECT(n, str_ok(m->method_name, w->method_name));
		EXPECT(n, str_ok(m->ruri, w->ruri));
	} else {
		EXPECT(n, m->status == w->status);
		EXPECT(n, w->reason == NULL || (m->reason.len == strlen(w->reason) &&
						 memcmp(m->reason.p, w->reason, m->reason.len) == 0));
	}
	EXPECT(n, w->via_count == 0 || m->via_count == w->via_count);
	EXPECT(n, str_ok(m->branch, w->branch));
	EXPECT(n, str_ok(m->from_tag, w->from_tag));
	EXPECT(n, str_ok(m->to_tag, w->to_tag));
	EXPECT(n, str_ok(m->call_id, w->call_id));
	EXPECT(n, str_ok(m->contact, w->contact));
	EXPECT(n, str_ok(m->content_type, w->content_type));
	EXPECT(n, w->cseq == 0 || m->cseq == w->cseq);
	EXPECT(n, str_ok(m->cseq_method_name, w->cseq_method_name));
	EXPECT(n, w->mf == 0 || m->max_forwards == w->mf - 2);
	if (w->body) {
		size_t bl = w->body_len ? w->body_len : strlen(w->body);
		EXPECT(n, m->content_length == bl);
		EXPECT(n, m->body.len == bl && memcmp(m->body.p, w->body, bl) == 0);
	}
	/* No kept Via value is empty. */
	for (unsigned i = 0; i < m->via_count && i < SIP_MAX_VIA; i++)
		EXPECT(n, m->via[i].len > 0);
}

/* The whole message, then every strict prefix, each ending at a guard page. */
static void test_rows(void)
{
	struct guard g;
	guard_init(&g, MAX);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		size_t max = r->max_size ? r->max_size : MAX;
		size_t want_len = r->msg_len ? r->msg_len : r->len;
		struct sip_msg m;

		const char *p = guard_put(&g, r->raw, r->len);
		memset(&m, 0x5a, sizeof(m));
		int rc = sip_parse_msg(p, r->len, max, &m);
		if (r->rc == 0) {
			EXPECT(r->name, rc == (int)want_len);
			if (rc == (int)want_len)
				check_fields(r, &m);
		} else {
			EXPECT(r->name, rc == r->rc);
		}

		for (size_t k = 0; k < r->len; k++) {
			p = guard_put(&g, r->raw, k);
			rc = sip_parse_msg(p, k, max, &m);
			if (r->rc == 0 && k >= want_len)
				EXPECT(r->name, rc == (int)want_len);
			else if (r->rc == 0)
				EXPECT(r->name, rc == -EAGAIN);
			else /* an invalid message: never a success, never a third answer */
				EXPECT(r->name, rc == -EAGAIN || rc == r->rc ||
						(r->rc == -EAGAIN && rc == -EMSGSIZE && k >= max));
		}
	}
	guard_free(&g);
}

/* 3.1.1.8 over a stream: after the REGISTER, the INVITE octets frame as the
 * next message (Content-Length 150 of the 153 octets that follow), and what
 * is left ("C\r\n"... the tail of its SDP) is refused as a start line. */
static void test_dblreq_stream(void)
{
	struct guard g;
	struct sip_msg m;
	size_t first = sizeof(DBLREQ_REGISTER) - 1, n = sizeof(dblreq) - 1;

	guard_init(&g, MAX);
	const char *p = guard_put(&g, dblreq, n);
	CU_ASSERT_EQUAL_FATAL(sip_parse_msg(p, n, MAX, &m), (int)first);
	int rc = sip_parse_msg(p + first, n - first, MAX, &m);
	CU_ASSERT_EQUAL_FATAL(rc, (int)(n - first - 3));
	CU_ASSERT_EQUAL(m.method, SIP_INVITE);
	CU_ASSERT_EQUAL(m.content_length, 150);
	CU_ASSERT_EQUAL(sip_parse_msg(p + first + rc, 3, MAX, &m), -EBADMSG);
	guard_free(&g);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "RFC 4475 messages, whole and every prefix, against a guard page", test_rows },
		{ "RFC 4475 3.1.1.8 dblreq read as a stream", test_dblreq_stream },
	};
	return tl_run("rfc4475", TL_CASES(cases));
}
