/* report.html's traces (--trace): each kept call as a sequence diagram - trunkload and
 * the far end as lifelines, an arrow per message labelled with its method or status and
 * its time, the message the call failed on marked - with each message's text behind
 * it, grouped by failure reason. Read back from the trace's own text. */
#include "report_io.h"
#include "result.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MSGS 64   /* arrows drawn per call; a longer trace is cut, and says so */
#define LX 130        /* trunkload's lifeline */
#define RX 470        /* the far end's */
#define ROW 30

struct msg {
	bool sent;
	double ms;
	int status;          /* a response's, 0 for a request */
	char label[48];      /* "INVITE", "486 Busy Here" */
	const char *text;    /* its start line ... */
	size_t len;          /* ... to the next message */
};

/* The next line "--- sent +" or "--- received +" from p on (its "---"), NULL if none. */
static const char *next_header(const char *p, const char *end)
{
	while (p < end && (p = memmem(p, (size_t)(end - p), "\n--- ", 5))) {
		p++;
		size_t left = (size_t)(end - p);
		if ((left > 10 && !memcmp(p, "--- sent +", 10)) || (left > 14 && !memcmp(p, "--- received +", 14)))
			return p;
	}
	return NULL;
}

/* The messages of a trace (its text ends in a NUL): each starts after a header line. */
static unsigned split(const struct trace_kept *t, struct msg *m, unsigned max, bool *cut)
{
	unsigned n = 0;
	const char *p = t->text, *end = t->text + t->len;
	*cut = false;
	while (p < end && (p = next_header(p, end))) {
		p += 4;
		if (n == max) {
			*cut = true;
			break;
		}
		struct msg *x = &m[n];
		x->sent = !strncmp(p, "sent", 4);
		const char *plus = memchr(p, '+', (size_t)(end - p));
		x->ms = plus ? strtod(plus + 1, NULL) : 0;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		x->text = nl + 1;
		const char *next = next_header(x->text - 1, end);
		x->len = (size_t)((next ? next - 1 : end) - x->text);
		const char *eol = memchr(x->text, '\r', x->len);
		size_t line = eol ? (size_t)(eol - x->text) : x->len;
		x->status = 0;
		if (line > 12 && !strncmp(x->text, "SIP/2.0 ", 8)) { /* "SIP/2.0 486 Busy Here" */
			x->status = atoi(x->text + 8);
			snprintf(x->label, sizeof(x->label), "%.*s", (int)(line - 8), x->text + 8);
		} else { /* the method */
			const char *sp = memchr(x->text, ' ', line);
			snprintf(x->label, sizeof(x->label), "%.*s", (int)(sp ? sp - x->text : 0), x->text);
		}
		n++;
		p = x->text;
	}
	return n;
}

/* The message the call failed on: a response with the status its reason names, else the
 * last one; -1 for a call that completed. */
static int failing(const struct trace_kept *t, const struct msg *m, unsigned n)
{
	if (!strcmp(t->reason, "completed") || !n)
		return -1;
	int status = !strncmp(t->reason, "status_", 7) ? atoi(t->reason + 7) : 0;
	for (int i = (int)n - 1; status && i >= 0; i--)
		if (m[i].status == status)
			return i;
	return (int)n - 1;
}

/* Text of a message for <pre>: NUL-terminated, without its carriage returns. */
static void message_text(FILE *f, const struct msg *x)
{
	char *s = malloc(x->len + 1);
	if (!s)
		return;
	size_t k = 0;
	for (size_t i = 0; i < x->len; i++)
		if (x->text[i] != '\r')
			s[k++] = x->text[i];
	s[k] = '\0';
	report_escape(f, s, 0);
	free(s);
}

static void ladder(FILE *f, const struct trace_kept *t, unsigned id)
{
	static struct msg m[MAX_MSGS];
	bool cut;
	unsigned n = split(t, m, MAX_MSGS, &cut);
	int bad = failing(t, m, n);
	unsigned h = 60 + ROW * n;
	fprintf(f, "<svg class=\"ladder\" id=\"ladder-%u\" viewBox=\"0 0 600 %u\" width=\"600\" height=\"%u\" "
		   "role=\"img\" aria-labelledby=\"ladder-%u-title\">\n<title id=\"ladder-%u-title\">", id, h, h,
		id, id);
	report_escape(f, t->call_id, 0);
	fprintf(f, ": %u messages</title>\n<defs><marker id=\"ah-%u\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
		   "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\"/>"
		   "</marker></defs>\n", n, id);
	fprintf(f, "<text x=\"%d\" y=\"18\" text-anchor=\"middle\">trunkload</text><text x=\"%d\" y=\"18\" "
		   "text-anchor=\"middle\">far end</text>\n<line class=\"life\" x1=\"%d\" y1=\"26\" x2=\"%d\" "
		   "y2=\"%u\"/><line class=\"life\" x1=\"%d\" y1=\"26\" x2=\"%d\" y2=\"%u\"/>\n", LX, RX, LX, LX,
		h - 8, RX, RX, h - 8);
	for (unsigned i = 0; i < n; i++) {
		unsigned y = 50 + ROW * i;
		bool fail = (int)i == bad;
		fprintf(f, "<g class=\"msg%s\"><line x1=\"%d\" y1=\"%u\" x2=\"%d\" y2=\"%u\" "
			   "marker-end=\"url(#ah-%u)\"/><text x=\"%d\" y=\"%u\" text-anchor=\"middle\">",
			fail ? " fail" : "", m[i].sent ? LX : RX, y, m[i].sent ? RX : LX, y, id, (LX + RX) / 2,
			y - 6);
		report_escape(f, m[i].label, 0);
		fprintf(f, "</text><text class=\"t\" x=\"4\" y=\"%u\">+%.1f ms</text></g>\n", y + 4, m[i].ms);
	}
	fputs("</svg>\n", f);
	if (cut)
		fprintf(f, "<p class=\"meta\">the first %d messages are drawn; the file has them all</p>\n",
			MAX_MSGS);
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "<details%s><summary>%s ", (int)i == bad ? " class=\"fail\"" : "",
			m[i].sent ? "&rarr;" : "&larr;");
		report_escape(f, m[i].label, 0);
		fprintf(f, ", +%.1f ms%s</summary><pre>", m[i].ms, (int)i == bad ? " (the call failed here)" : "");
		message_text(f, &m[i]);
		fputs("</pre></details>\n", f);
	}
}

void report_html_traces(FILE *f, const struct result *r)
{
	if (!r->n_traces && !r->traces_dropped)
		return;
	fputs("<section id=\"traces\">\n<h2>Traces</h2>\n", f);
	if (r->traces_dropped)
		fprintf(f, "<p class=\"meta\">%llu more traces were dropped past --trace-mem</p>\n",
			(unsigned long long)r->traces_dropped);
	for (unsigned i = 0; i < r->n_traces; i++) { /* each reason once, in order of first kept */
		const char *reason = r->traces[i].reason;
		bool seen = false;
		for (unsigned j = 0; j < i && !seen; j++)
			seen = !strcmp(r->traces[j].reason, reason);
		if (seen)
			continue;
		fprintf(f, "<h3>");
		report_escape(f, reason, 0);
		fprintf(f, " (%u call%s)</h3>\n", result_traces_of(r, reason),
			result_traces_of(r, reason) == 1 ? "" : "s");
		for (unsigned j = i; j < r->n_traces; j++) {
			if (strcmp(r->traces[j].reason, reason))
				continue;
			fputs("<h4 class=\"mono\">", f);
			report_escape(f, r->traces[j].call_id, 0);
			fputs("</h4>\n", f);
			ladder(f, &r->traces[j], j);
		}
	}
	fputs("</section>\n", f);
}
