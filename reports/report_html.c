/* report.html: one self-contained page for people — the verdict and its checks first,
 * then load, latency, failures, TLS and SRTP. Charts are inline SVG drawn here; the
 * page has no script and fetches nothing (its Content-Security-Policy forbids it). */
#include "report.h"
#include "report_io.h"
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Chart geometry, in SVG user units: width, height and the plot margins. */
#define CW 960
#define CH 300
#define ML 68
#define MR 36
#define MT 36
#define MB 46
#define MAX_POINTS 1200 /* longer runs are drawn with rows averaged in groups */

static void esc(FILE *f, const char *s)
{
	report_escape(f, s, 0);
}

static void tag_text(FILE *f, const char *open, const char *text, const char *close)
{
	fputs(open, f);
	esc(f, text);
	fputs(close, f);
}

static unsigned long long u(uint64_t v)
{
	return (unsigned long long)v;
}

/* ---- charts ---- */

/* A round step (1, 2 or 5 times a power of ten) that cuts 0..max into about `parts`. */
static double nice_step(double max, int parts)
{
	if (!(max > 0))
		return 1;
	double raw = max / parts, mag = pow(10, floor(log10(raw))), r = raw / mag;
	return mag * (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10);
}

/* The data ranges a plot maps onto its area; y always starts at 0. */
struct frame {
	double xmax, ymax, ystep;
	int top, height; /* top: where the plot starts, below the legend */
};

/* A plot area of plot_h units under `legend_rows` rows of legend. */
static struct frame frame_for(double xmax, double ymax, int plot_h, int legend_rows)
{
	int top = MT + 18 * (legend_rows > 1 ? legend_rows - 1 : 0);
	struct frame fr = { .xmax = xmax > 0 ? xmax : 1, .top = top, .height = top + plot_h + MB };
	fr.ystep = nice_step(ymax, 5);
	fr.ymax = ceil((ymax > 0 ? ymax : 1) / fr.ystep) * fr.ystep;
	return fr;
}

static double px(const struct frame *fr, double x)
{
	return ML + x / fr->xmax * (CW - ML - MR);
}

static double py(const struct frame *fr, double y)
{
	return fr->height - MB - y / fr->ymax * (fr->height - fr->top - MB);
}

static void svg_open(FILE *f, const char *id, const char *title, int height)
{
	fprintf(f, "<svg class=\"chart\" id=\"%s\" viewBox=\"0 0 %d %d\" role=\"img\" "
		   "aria-labelledby=\"%s-title\">\n<title id=\"%s-title\">", id, CW, height, id, id);
	esc(f, title);
	fputs("</title>\n", f);
}

/* Horizontal grid lines with their values, the axis lines and the y axis title. */
static void y_axis(FILE *f, const struct frame *fr, const char *label)
{
	for (double y = 0; y <= fr->ymax * (1 + 1e-9); y += fr->ystep) {
		double yy = py(fr, y);
		fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			   "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
			ML, yy, CW - MR, yy, ML - 8, yy + 4, y);
	}
	fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
		   "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
		ML, fr->top, ML, fr->height - MB, ML, fr->height - MB, CW - MR, fr->height - MB);
	fprintf(f, "<text class=\"label\" transform=\"translate(16 %d) rotate(-90)\" "
		   "text-anchor=\"middle\">", (fr->top + fr->height - MB) / 2);
	esc(f, label);
	fputs("</text>\n", f);
}

static void x_tick(FILE *f, const struct frame *fr, double x, const char *text)
{
	double xx = px(fr, x);
	int base = fr->height - MB;
	fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
		   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", xx, base, xx, base + 5, xx, base + 18);
	esc(f, text);
	fputs("</text>\n", f);
}

static void x_title(FILE *f, const struct frame *fr, const char *label)
{
	fprintf(f, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
		(ML + CW - MR) / 2, fr->height - 8);
	esc(f, label);
	fputs("</text>\n", f);
}

struct legend_item {
	const char *name, *color;
	bool dashed;
};

/* Lays the legend out in rows above the plot, wrapping at the right edge, and draws
 * it when f is not NULL (so that the plot can be placed first). Returns the rows. */
static int legend(FILE *f, const struct legend_item *it, size_t n)
{
	double x = ML + 4;
	int rows = n ? 1 : 0;
	for (size_t i = 0; i < n; i++) {
		double w = 44 + 7.5 * (double)strlen(it[i].name), y;
		if (x + w > CW - MR && x > ML + 4) {
			x = ML + 4;
			rows++;
		}
		y = 20 + 18 * (rows - 1);
		if (f) {
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
				   "stroke-width=\"2.5\"%s/><text x=\"%.1f\" y=\"%.1f\">",
				x + 4, y - 4, x + 26, y - 4, it[i].color,
				it[i].dashed ? " stroke-dasharray=\"6 4\"" : "", x + 32, y);
			esc(f, it[i].name);
			fputs("</text>\n", f);
		}
		x += w;
	}
	return rows;
}

static void nodata(FILE *f, const char *id, const char *why)
{
	fprintf(f, "<div class=\"nodata\" id=\"%s\">", id);
	esc(f, why);
	fputs("</div>\n", f);
}

/* ---- time series ---- */

enum ts_field { TS_STARTED, TS_COMPLETED, TS_FAILED, TS_ACTIVE, TS_P99_MS, TS_LAG_MS };

struct series {
	const char *name, *color;
	enum ts_field field;
};

/* Rows [a, b) as one point: the mean of per-second counts, the worst p99 (0 when no
 * call completed, which the chart draws as a gap). */
static double ts_point(const struct result *r, unsigned a, unsigned b, enum ts_field k)
{
	double sum = 0, worst = 0;
	for (unsigned i = a; i < b; i++) {
		const struct ts_row *row = &r->ts[i];
		double v = k == TS_STARTED ? (double)row->started : k == TS_COMPLETED ? (double)row->completed :
			   k == TS_FAILED ? (double)row->failed : k == TS_ACTIVE ? (double)row->active :
			   k == TS_LAG_MS ? (double)row->lag_max_us / 1000.0 : (double)row->p99_us / 1000.0;
		sum += v;
		worst = v > worst ? v : worst;
	}
	return k == TS_P99_MS || k == TS_LAG_MS ? worst : sum / (double)(b - a);
}

/* The scheduled start rate as a polyline of (second, calls/s): a linear ramp to
 * load.rate over ramp_s, flat until the schedule ends (load.calls started or
 * load.duration_s over), then 0. Returns the number of points. */
static unsigned target_line(const struct scenario *s, double xmax, double pts[6][2])
{
	double rate = s->rate, ramp = s->ramp_s, end = xmax;
	if (s->calls && rate > 0) {
		double ramp_calls = rate * ramp / 2, k = (double)s->calls;
		end = ramp > 0 && k < ramp_calls ? sqrt(2 * ramp * k / rate) :
			ramp + (k - (ramp > 0 ? ramp_calls : 0)) / rate;
	}
	if (s->duration_s > 0 && s->duration_s < end)
		end = s->duration_s;
	end = end < xmax ? end : xmax;
	unsigned n = 0;
	pts[n][0] = 0, pts[n++][1] = ramp > 0 ? 0 : rate;
	if (ramp > 0 && ramp < end)
		pts[n][0] = ramp, pts[n++][1] = rate;
	pts[n][0] = end, pts[n++][1] = ramp > end ? rate * end / ramp : rate;
	if (end < xmax) {
		pts[n][0] = end, pts[n++][1] = 0;
		pts[n][0] = xmax, pts[n++][1] = 0;
	}
	return n;
}

/* Each series as a line over the run's seconds (a point mid-second), with markers
 * when there are few points; p99 leaves a gap where nothing completed. */
static void ts_chart(FILE *f, const struct report *rep, const char *id, const char *title,
		     const char *ylabel, const struct series *s, size_t ns, bool target)
{
	const struct result *r = rep->res;
	if (!r->n_ts) {
		nodata(f, id, "no data: the run recorded no complete second");
		return;
	}
	unsigned group = r->n_ts <= MAX_POINTS ? 1 : (r->n_ts + MAX_POINTS - 1) / MAX_POINTS;
	double tgt[6][2];
	unsigned nt = target ? target_line(rep->scn, r->n_ts, tgt) : 0;
	double ymax = 0;
	for (unsigned i = 0; i < nt; i++)
		ymax = tgt[i][1] > ymax ? tgt[i][1] : ymax;
	for (size_t k = 0; k < ns; k++)
		for (unsigned a = 0; a < r->n_ts; a += group) {
			unsigned b = a + group < r->n_ts ? a + group : r->n_ts;
			double v = ts_point(r, a, b, s[k].field);
			ymax = v > ymax ? v : ymax;
		}
	struct legend_item li[8];
	size_t nl = 0;
	if (nt)
		li[nl++] = (struct legend_item){ "target", "#57606a", true };
	for (size_t k = 0; k < ns && nl < 8; k++)
		li[nl++] = (struct legend_item){ s[k].name, s[k].color, false };
	struct frame fr = frame_for(r->n_ts, ymax * 1.05, CH - MT - MB, legend(NULL, li, nl));
	svg_open(f, id, title, fr.height);
	y_axis(f, &fr, ylabel);
	double xstep = nice_step(r->n_ts, 10);
	for (double x = 0; x <= r->n_ts * (1 + 1e-9); x += xstep) {
		char t[32];
		snprintf(t, sizeof(t), "%g", x);
		x_tick(f, &fr, x, t);
	}
	x_title(f, &fr, "seconds since the start");
	if (nt) {
		fputs("<polyline class=\"target\" points=\"", f);
		for (unsigned i = 0; i < nt; i++)
			fprintf(f, "%.1f,%.1f ", px(&fr, tgt[i][0]), py(&fr, tgt[i][1]));
		fputs("\"/>\n", f);
	}
	bool markers = r->n_ts / group <= 60;
	for (size_t k = 0; k < ns; k++) {
		fprintf(f, "<path class=\"series\" stroke=\"%s\" d=\"", s[k].color);
		bool pen = false;
		for (unsigned a = 0; a < r->n_ts; a += group) {
			unsigned b = a + group < r->n_ts ? a + group : r->n_ts;
			double v = ts_point(r, a, b, s[k].field);
			if (s[k].field == TS_P99_MS && v <= 0) {
				pen = false;
				continue;
			}
			fprintf(f, "%c%.1f %.1f ", pen ? 'L' : 'M', px(&fr, (a + b) / 2.0), py(&fr, v));
			pen = true;
		}
		fputs("\"/>\n", f);
		for (unsigned a = 0; markers && a < r->n_ts; a += group) {
			double v = ts_point(r, a, a + 1, s[k].field);
			if (s[k].field != TS_P99_MS || v > 0)
				fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
					px(&fr, a + 0.5), py(&fr, v), s[k].color);
		}
	}
	legend(f, li, nl);
	fputs("</svg>\n", f);
}

/* ---- latency distribution ---- */

static const char *const lat_colors[LAT_COUNT] = {
	"#8250df", "#57606a", "#bf8700", "#0969da", "#1a7f37", "#cf222e", "#bc4c00",
};

/* Percentile curves as HdrHistogram plots them: x is log10(1/(1-p)), so 90 %, 99 %,
 * 99.9 % ... are evenly spaced and the tail gets the room it deserves. */
static void latency_chart(FILE *f, const struct result *r)
{
	const double xmax = 5; /* 99.999 % */
	double ymax = 0;
	uint64_t n = 0;
	for (int i = 0; i < LAT_COUNT; i++) {
		n += r->lat[i].count;
		if (r->lat[i].count && r->lat[i].max / 1000.0 > ymax)
			ymax = r->lat[i].max / 1000.0;
	}
	if (!n) {
		nodata(f, "chart-latency", "no data: no latency was measured");
		return;
	}
	struct legend_item li[LAT_COUNT];
	size_t nl = 0;
	for (int i = 0; i < LAT_COUNT; i++)
		if (r->lat[i].count)
			li[nl++] = (struct legend_item){ lat_interval_name((enum lat_interval)i), lat_colors[i], false };
	struct frame fr = frame_for(xmax, ymax * 1.05, 280, legend(NULL, li, nl));
	svg_open(f, "chart-latency", "Latency by percentile", fr.height);
	y_axis(f, &fr, "latency (ms)");
	static const char *const ticks[] = { "0%", "90%", "99%", "99.9%", "99.99%", "99.999%" };
	for (int i = 0; i <= 5; i++)
		x_tick(f, &fr, i, ticks[i]);
	x_title(f, &fr, "percentile (log scale of 1/(1-p))");
	for (int i = 0; i < LAT_COUNT; i++) {
		const struct hist *h = &r->lat[i];
		if (!h->count)
			continue;
		fprintf(f, "<path class=\"series\" stroke=\"%s\" d=\"", lat_colors[i]);
		for (int k = 0; k <= 100; k++) {
			double x = k * xmax / 100, p = 100 * (1 - pow(10, -x));
			double ms = (k ? (double)hist_percentile(h, p) : (double)h->min) / 1000.0;
			fprintf(f, "%c%.1f %.1f ", k ? 'L' : 'M', px(&fr, x), py(&fr, ms));
		}
		fputs("\"/>\n", f);
	}
	legend(f, li, nl);
	fputs("</svg>\n", f);
}

/* ---- failures ---- */

static void failures_chart(FILE *f, const struct result *r)
{
	if (!r->n_reasons) {
		nodata(f, "chart-failures", "no failures");
		return;
	}
	unsigned idx[RESULT_MAX_REASONS], n = r->n_reasons;
	for (unsigned i = 0; i < n; i++) { /* most frequent first */
		unsigned j = i;
		for (; j > 0 && r->reasons[idx[j - 1]].n < r->reasons[i].n; j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
	}
	const int label_w = 240, bar_h = 26, top = 12, right = 90;
	int height = top + (int)n * bar_h + 36;
	double max = (double)r->reasons[idx[0]].n, step = nice_step(max, 5);
	max = max >= 1 ? ceil(max / step) * step : 1;
	double w = CW - label_w - right;
	svg_open(f, "chart-failures", "Failures by reason", height);
	for (double x = 0; x <= max * (1 + 1e-9); x += step) {
		double xx = label_w + x / max * w;
		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
			   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
			xx, top, xx, height - 30, xx, height - 14, x);
	}
	fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", label_w, top,
		label_w, height - 30);
	for (unsigned k = 0; k < n; k++) {
		const struct reason_count *rc = &r->reasons[idx[k]];
		int y = top + (int)k * bar_h;
		double bw = (double)rc->n / max * w;
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"mono\">", label_w - 8,
			y + 17);
		esc(f, rc->name);
		fprintf(f, "</text><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>"
			   "<text x=\"%.1f\" y=\"%d\">%llu</text>\n",
			label_w, y + 4, bw > 1 ? bw : 1, bar_h - 8, label_w + bw + 6, y + 17, u(rc->n));
	}
	fputs("</svg>\n", f);
}

/* ---- MOS ---- */

/* Streams by MOS in steps of 0.1, from 1 to 4.5 (x: the MOS less 1). */
static void mos_chart(FILE *f, const struct mos_tally *t)
{
	if (!t->streams) {
		nodata(f, "chart-mos", "no MOS: no stream received media");
		return;
	}
	enum { GROUPS = 35 };
	uint64_t g[GROUPS] = { 0 }, most = 0;
	for (unsigned i = 0; i < MOS_BINS; i++) {
		unsigned k = i / 10 < GROUPS ? i / 10 : GROUPS - 1;
		g[k] += t->bins[i];
	}
	for (unsigned k = 0; k < GROUPS; k++)
		most = g[k] > most ? g[k] : most;
	struct frame fr = frame_for(3.5, (double)most, 200, 1);
	svg_open(f, "chart-mos", "Streams by MOS (E-model, G.107)", fr.height);
	y_axis(f, &fr, "streams");
	for (int m = 10; m <= 45; m += 5) {
		char label[8];
		snprintf(label, sizeof(label), "%.1f", m / 10.0);
		x_tick(f, &fr, (m - 10) / 10.0, label);
	}
	double w = px(&fr, 0.1) - px(&fr, 0) - 2;
	for (unsigned k = 0; k < GROUPS; k++) {
		if (!g[k])
			continue;
		double x = px(&fr, k / 10.0) + 1, y = py(&fr, (double)g[k]);
		fprintf(f, "<rect class=\"bar mos\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
			   "<title>MOS %.1f-%.1f: %llu streams</title></rect>\n", x, y, w, py(&fr, 0) - y,
			1 + k / 10.0, 1.09 + k / 10.0, u(g[k]));
	}
	fputs("</svg>\n", f);
}

/* ---- page parts ---- */

static void tile(FILE *f, const char *cls, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A labelled figure; the value is formatted from numbers (text goes through esc). */
static void tile(FILE *f, const char *cls, const char *label, const char *fmt, ...)
{
	char v[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	fprintf(f, "<div class=\"tile %s\"><span class=\"k\">", cls);
	esc(f, label);
	fputs("</span><span class=\"v\">", f);
	esc(f, v);
	fputs("</span></div>\n", f);
}

static const char css[] =
	":root{--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--info:#0969da;--muted:#57606a;"
	"--line:#d0d7de;--bg:#f6f8fa;--ink:#1f2328}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',"
	"Arial,sans-serif;color:var(--ink);background:#fff}\n"
	"main{max-width:1120px;margin:0 auto;padding:24px 28px 40px}\n"
	"h1{font-size:23px;margin:0 0 4px}h2{font-size:17px;margin:0 0 12px;padding-bottom:6px;"
	"border-bottom:1px solid var(--line)}h3{font-size:14px;margin:18px 0 8px}\n"
	".meta{color:var(--muted);font-size:13px;margin:2px 0}\n"
	"code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',"
	"monospace;font-size:12px}\n"
	"td.mono{overflow-wrap:anywhere}table.chain td:nth-child(5){white-space:nowrap}\n"
	"nav{margin:10px 0 0;font-size:13px}nav a{color:var(--info);margin-right:14px;"
	"text-decoration:none}\n"
	".banner{display:flex;align-items:center;gap:22px;padding:16px 22px;border-radius:8px;"
	"color:#fff;margin:18px 0 14px}\n"
	".banner.pass{background:var(--pass)}.banner.fail{background:var(--fail)}\n"
	".banner .word{font-size:32px;font-weight:800;letter-spacing:.06em}\n"
	".banner .why{font-size:14px;opacity:.95}\n"
	"section{margin:30px 0}\n"
	"table{border-collapse:collapse;width:100%;font-size:13px}\n"
	"th,td{text-align:left;padding:5px 9px;border-bottom:1px solid var(--line);vertical-align:top}\n"
	"th{background:var(--bg);font-weight:600}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.fail td{background:#ffebe9}tr.warn td{background:#fff8c5}td.none{text-align:center;color:var(--muted)}\n"
	".pill{display:inline-block;min-width:52px;text-align:center;padding:1px 8px;border-radius:10px;"
	"font-size:11px;font-weight:700;color:#fff;text-transform:uppercase}\n"
	".pill.pass{background:var(--pass)}.pill.fail,.pill.error{background:var(--fail)}"
	".pill.warn,.pill.warning{background:var(--warn)}.pill.info{background:var(--info)}\n"
	".tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:10px;"
	"margin:0 0 14px}\n"
	".tile{border:1px solid var(--line);border-radius:6px;padding:8px 12px;background:var(--bg)}\n"
	".tile .k{display:block;color:var(--muted);font-size:12px}\n"
	".tile .v{font-size:19px;font-weight:600;font-variant-numeric:tabular-nums;word-break:break-word}\n"
	".tile.bad{border-color:var(--fail);background:#ffebe9}.tile.bad .v{color:var(--fail)}\n"
	".tile.warn{border-color:var(--warn);background:#fff8c5}.tile.warn .v{color:var(--warn)}\n"
	".tile.good .v{color:var(--pass)}.tile.small .v{font-size:14px}.tile.wide{grid-column:span 2}\n"
	"svg.chart{width:100%;height:auto;display:block;border:1px solid var(--line);"
	"border-radius:6px;background:#fff;margin:6px 0 16px}\n"
	"svg text{font-size:12px;fill:var(--ink);font-family:system-ui,sans-serif}\n"
	"svg text.label{fill:var(--muted)}svg text.mono{font-family:ui-monospace,monospace}\n"
	"svg .grid{stroke:#eaeef2}svg .axis{stroke:#8c959f}\n"
	"svg .series{fill:none;stroke-width:2;stroke-linejoin:round}\n"
	"svg .target{fill:none;stroke:#57606a;stroke-width:2;stroke-dasharray:6 4}\n"
	"svg .bar{fill:var(--fail)}\n"
	"svg.ladder .life{stroke:#8c959f;stroke-dasharray:4 4}svg.ladder .msg line{stroke:#57606a;"
	"stroke-width:1.5}svg.ladder marker path{fill:#57606a}svg.ladder .fail line{stroke:var(--fail)}"
	"svg.ladder .fail text{fill:var(--fail);font-weight:600}svg.ladder text.t{fill:var(--muted)}\n"
	"details pre{margin:4px 0 8px;padding:8px;background:#f6f8fa;overflow-x:auto;font-size:12px}"
	"details.fail summary{color:var(--fail)}\n"
	".nodata{padding:22px;text-align:center;color:var(--muted);border:1px dashed var(--line);"
	"border-radius:6px;margin:6px 0 16px}\n"
	".cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:18px}\n"
	".days-bad{color:var(--fail);font-weight:600}.days-warn{color:var(--warn);font-weight:600}\n"
	"footer{color:var(--muted);font-size:12px;margin-top:36px;border-top:1px solid var(--line);"
	"padding-top:10px}\n";

static void head(FILE *f, const struct report *rep)
{
	const struct scenario *s = rep->scn;
	const struct result *r = rep->res;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<link rel=\"icon\" href=\"data:,\">\n", f);
	tag_text(f, "<title>trunkload: ", s->name, rep->verdict->pass ? " (pass)</title>\n" :
		 " (fail)</title>\n");
	fprintf(f, "<style>\n%s</style>\n</head>\n<body>\n<main>\n<header>\n", css);
	tag_text(f, "<h1>trunkload report: ", s->name, "</h1>\n");
	char when[40] = "";
	time_t t = (time_t)rep->started_at;
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	tag_text(f, "<p class=\"meta\">target <b>", s->host, "");
	fprintf(f, ":%u</b>", s->port);
	if (s->transport == SCN_TLS)
		tag_text(f, " (server name ", scn_server_name(s), ")");
	fprintf(f, " &middot; %s, %s, %u connection%s &middot; started %s &middot; ran %.1f s%s</p>\n",
		s->transport == SCN_TLS ? "mutual TLS" : "TCP", scn_mode_name(s->mode), s->connections,
		s->connections == 1 ? "" : "s", when, r->elapsed_s, r->interrupted ? " (interrupted)" : "");
	if (rep->shard)
		tag_text(f, "<p class=\"meta\">shard ", rep->shard, " of a sharded run</p>\n");
	if (s->path[0])
		tag_text(f, "<p class=\"meta\">scenario file <code>", s->path, "</code></p>\n");
	if (rep->command && rep->command[0])
		tag_text(f, "<p class=\"meta\">command <code>", rep->command, "</code></p>\n");
	fputs("<nav><a href=\"#checks\">checks</a><a href=\"#load\">load</a><a href=\"#latency\">latency</a>"
	      "<a href=\"#failures\">failures</a><a href=\"#tls\">TLS</a><a href=\"#srtp\">SRTP</a></nav>\n"
	      "</header>\n", f);
}

static void verdict_section(FILE *f, const struct report *rep)
{
	const struct verdict *v = rep->verdict;
	const struct result *r = rep->res;
	unsigned n[3] = { 0 };
	for (unsigned i = 0; i < v->n_checks; i++)
		n[v->checks[i].status <= CHECK_WARN ? v->checks[i].status : CHECK_FAIL]++;
	fprintf(f, "<div class=\"banner %s\" id=\"verdict\"><span class=\"word\">%s</span>"
		   "<span class=\"why\">%u check%s: %u passed, %u failed, %u warning%s",
		v->pass ? "pass" : "fail", v->pass ? "PASS" : "FAIL", v->n_checks,
		v->n_checks == 1 ? "" : "s", n[CHECK_PASS], n[CHECK_FAIL], n[CHECK_WARN],
		n[CHECK_WARN] == 1 ? "" : "s");
	if (r->could_not_run)
		tag_text(f, "<br>could not run: ", r->could_not_run_why, "");
	else if (r->aborted[0])
		tag_text(f, "<br>stopped early: ", r->aborted, "");
	if (r->interrupted)
		fputs("<br>the run was interrupted", f);
	fputs("</span></div>\n<section id=\"checks\">\n<h2>Checks</h2>\n", f);
	if (!v->n_checks) {
		fputs("<div class=\"nodata\">no checks</div>\n</section>\n", f);
		return;
	}
	fputs("<table><thead><tr><th>status</th><th>check</th><th>expected</th><th>observed</th>"
	      "</tr></thead><tbody>\n", f);
	for (unsigned i = 0; i < v->n_checks; i++) {
		const struct check *c = &v->checks[i];
		const char *st = check_status_name(c->status);
		fprintf(f, "<tr class=\"%s\"><td><span class=\"pill %s\">%s</span></td>", st, st, st);
		tag_text(f, "<td class=\"mono\">", c->name, "</td>");
		tag_text(f, "<td>", c->expected, "</td>");
		tag_text(f, "<td>", c->observed, "</td></tr>\n");
	}
	fputs("</tbody></table>\n</section>\n", f);
}

/* load.stages: p99 INVITE->200 of each stage's calls against its offered rate, a point
 * red where calls failed; then the figures as a table. */
static void stages_chart(FILE *f, const struct report *rep)
{
	const struct result *r = rep->res;
	const struct scenario *s = rep->scn;
	double top_rate = 0, top_p99 = 0;
	for (unsigned i = 0; i < r->n_stages; i++) {
		double rate = i < s->n_stages ? s->stages[i].rate : 0;
		double p99 = hist_percentile(&r->stages[i].invite_to_200, 99) / 1000.0;
		top_rate = rate > top_rate ? rate : top_rate;
		top_p99 = p99 > top_p99 ? p99 : top_p99;
	}
	fputs("<h3>Stages: p99 against the offered rate</h3>\n", f);
	struct frame fr = frame_for(top_rate * 1.05, top_p99 * 1.1, 220, 1);
	svg_open(f, "chart-stages", "p99 INVITE to 200 OK of each stage's calls against its offered "
		 "rate; red where calls failed", fr.height);
	y_axis(f, &fr, "p99 ms");
	for (unsigned i = 0; i < r->n_stages && i < s->n_stages; i++) {
		char label[32];
		snprintf(label, sizeof(label), "%g", s->stages[i].rate);
		x_tick(f, &fr, s->stages[i].rate, label);
	}
	x_title(f, &fr, "offered calls per second");
	for (unsigned i = 0; i < r->n_stages && i < s->n_stages; i++) {
		const struct stage_result *g = &r->stages[i];
		uint64_t ended = g->completed + g->failed;
		double p99 = hist_percentile(&g->invite_to_200, 99) / 1000.0;
		fprintf(f, "<circle class=\"stage%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\">"
			   "<title>stage %u: %g calls/s offered, p99 %.2f ms, %llu of %llu failed</title>"
			   "</circle>\n", g->failed ? " failed" : "", px(&fr, s->stages[i].rate), py(&fr, p99),
			g->failed ? "#cf222e" : "#bc4c00", i + 1, s->stages[i].rate, p99, u(g->failed),
			u(ended));
	}
	fputs("</svg>\n<table><thead><tr><th>stage</th><th class=\"n\">offered /s</th>"
	      "<th class=\"n\">from s</th><th class=\"n\">started</th><th class=\"n\">achieved /s</th>"
	      "<th class=\"n\">failed</th><th class=\"n\">p99 ms</th></tr></thead><tbody>\n", f);
	double start = 0;
	for (unsigned i = 0; i < r->n_stages && i < s->n_stages; i++) {
		const struct stage_result *g = &r->stages[i];
		double len = s->stages[i].ramp_s + s->stages[i].duration_s;
		uint64_t ended = g->completed + g->failed;
		fprintf(f, "<tr class=\"%s\"><td>%u</td><td class=\"n\">%g</td><td class=\"n\">%g</td>"
			   "<td class=\"n\">%llu</td><td class=\"n\">%.1f</td><td class=\"n\">%llu "
			   "(%.2f %%)</td><td class=\"n\">%.2f</td></tr>\n", g->failed ? "fail" : "", i + 1,
			s->stages[i].rate, start, u(g->started), len > 0 ? (double)g->completed / len : 0,
			u(g->failed), ended ? 100.0 * (double)g->failed / (double)ended : 0,
			hist_percentile(&g->invite_to_200, 99) / 1000.0);
		start += len;
	}
	fputs("</tbody></table>\n", f);
}

/* target.hosts: how the calls spread over the destinations and how each one fared. */
static void dests_table(FILE *f, const struct report *rep)
{
	const struct result *r = rep->res;
	fprintf(f, "<h3 id=\"destinations\">Destinations (%s", dest_policy_name(rep->scn->distribution));
	if (rep->scn->resolved_from[0])
		tag_text(f, ", the SRV records of ", rep->scn->resolved_from, "");
	fputs(")</h3>\n", f);
	fputs("<table><thead><tr><th>destination</th><th>server name</th><th class=\"n\">calls</th>"
	      "<th class=\"n\">completed</th><th class=\"n\">failed</th><th>failures</th>"
	      "<th class=\"n\">connections up</th><th class=\"n\">connect / TLS failures</th>"
	      "<th class=\"n\">went down</th><th class=\"n\">p99 ms</th></tr></thead><tbody>\n", f);
	for (unsigned i = 0; i < r->n_dests; i++) {
		const struct dest_result *d = &r->dests[i];
		struct scn_dest_view v = scn_dest(rep->scn, i);
		uint64_t ended = d->completed + d->failed;
		fprintf(f, "<tr class=\"%s\"><td class=\"mono\">", d->failed ? "fail" : "");
		esc(f, v.host);
		fprintf(f, ":%u", v.port);
		if (rep->scn->addresses[i][0])
			tag_text(f, "<br>at ", rep->scn->addresses[i], "");
		if (rep->scn->distribution == DEST_SRV)
			fprintf(f, "<br>priority %u, weight %u", v.priority, v.weight);
		fputs("</td>", f);
		tag_text(f, "<td class=\"mono\">", v.server_name, "</td>");
		fprintf(f, "<td class=\"n\">%llu</td><td class=\"n\">%llu</td><td class=\"n\">%llu "
			   "(%.2f %%)</td><td class=\"mono\">", u(d->calls), u(d->completed), u(d->failed),
			ended ? 100.0 * (double)d->failed / (double)ended : 0);
		for (unsigned k = 0; k < d->n_reasons; k++) {
			fputs(k ? ", " : "", f);
			esc(f, d->reasons[k].name);
			fprintf(f, " %llu", u(d->reasons[k].n));
		}
		fprintf(f, "%s</td><td class=\"n\">%llu</td><td class=\"n\">%llu / %llu</td>"
			   "<td class=\"n\">%llu</td><td class=\"n\">%.2f</td></tr>\n",
			d->n_reasons ? "" : "-", u(d->connections_up), u(d->connect_failures),
			u(d->tls_failures), u(d->went_down), hist_percentile(&d->invite_to_200, 99) / 1000.0);
	}
	fputs("</tbody></table>\n", f);
}

/* transport.options_ping_s: the trunk connections that went out of service, when. */
static void keepalive_table(FILE *f, const struct report *rep)
{
	const struct trunk_keepalive *k = &rep->res->keepalive;
	fprintf(f, "<h3 id=\"keepalive\">Trunk keepalive (OPTIONS every %u s)</h3>\n<p>%llu sent, %llu "
		   "answered, %llu failed</p>\n", rep->scn->options_ping_s, u(k->pings), u(k->answered),
		u(k->failed));
	if (!k->n_events) {
		fputs("<div class=\"nodata\">no connection went out of service</div>\n", f);
		return;
	}
	fputs("<table><thead><tr><th>destination</th><th class=\"n\">connection</th><th>reason</th>"
	      "<th class=\"n\">out at s</th><th class=\"n\">back at s</th></tr></thead><tbody>\n", f);
	for (unsigned i = 0; i < k->n_events; i++) {
		const struct oos_event *e = &k->events[i];
		tag_text(f, "<tr class=\"warn\"><td class=\"mono\">", e->where, "</td>");
		fprintf(f, "<td class=\"n\">%u</td>", e->trunk);
		tag_text(f, "<td class=\"mono\">", e->reason, "</td>");
		fprintf(f, "<td class=\"n\">%.1f</td><td class=\"n\">", e->at_s);
		if (e->back_s >= 0)
			fprintf(f, "%.1f</td></tr>\n", e->back_s);
		else
			fputs("still out</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void load_section(FILE *f, const struct report *rep)
{
	const struct result *r = rep->res;
	double cps = 0, failed_pct = 0;
	verdict_metric(r, "calls.cps", "", &cps);
	verdict_metric(r, "calls.failed_pct", "", &failed_pct);
	fputs("<section id=\"load\">\n<h2>Load</h2>\n<div class=\"tiles\">\n", f);
	tile(f, "", "calls attempted", "%llu", u(r->attempted));
	tile(f, r->completed ? "good" : "", "completed", "%llu", u(r->completed));
	tile(f, r->failed ? "bad" : "", "failed", "%llu (%.2f %%)", u(r->failed), failed_pct);
	if (r->capacity.searched && r->capacity.concurrent > 0)
		tile(f, "good", "capacity (concurrent calls, every check held)", "%g (%g calls/s)",
		     r->capacity.concurrent, r->capacity.cps);
	else if (r->capacity.searched)
		tile(f, r->capacity.cps > 0 ? "good" : "bad", "capacity (calls/s, every check held)", "%g",
		     r->capacity.cps);
	else
		tile(f, "", "calls/s achieved", "%.1f of %g", cps, rep->scn->rate);
	tile(f, r->concurrency_cap_hits ? "bad" : "", "max concurrent", "%llu", u(r->max_concurrent));
	tile(f, "", "duration", "%.1f s", r->elapsed_s);
	fputs("</div>\n<h3>Calls per second</h3>\n", f);
	static const struct series cps_series[] = {
		{ "started", "#0969da", TS_STARTED },
		{ "completed", "#1a7f37", TS_COMPLETED },
		{ "failed", "#cf222e", TS_FAILED },
	};
	ts_chart(f, rep, "chart-cps", "Calls per second: started, completed and failed, with the target rate",
		 "calls per second", cps_series, 3, true);
	fputs("<h3>Concurrent calls</h3>\n", f);
	static const struct series active[] = { { "active calls", "#8250df", TS_ACTIVE } };
	ts_chart(f, rep, "chart-active", "Calls in progress", "calls", active, 1, false);
	if (rep->res->n_stages)
		stages_chart(f, rep);
	if (rep->res->n_dests)
		dests_table(f, rep);
	if (rep->scn->options_ping_s)
		keepalive_table(f, rep);
	fputs("</section>\n", f);
}

/* The tester's own delay, beside the latency it would otherwise hide in. */
static void tester_tiles(FILE *f, const struct report *rep)
{
	const struct tester_health *t = &rep->res->tester;
	const struct check *lag = NULL;
	for (unsigned i = 0; i < rep->verdict->n_checks; i++)
		if (!strcmp(rep->verdict->checks[i].name, "tester.schedule_lag"))
			lag = &rep->verdict->checks[i];
	const char *cls = !lag ? "" : lag->status == CHECK_FAIL ? "bad" : lag->status == CHECK_WARN ? "warn" : "good";
	fputs("<div class=\"tiles\" id=\"tester\">\n", f);
	tile(f, cls, "trunkload behind schedule, p99", "%.2f ms", hist_percentile(&t->schedule_lag, 99) / 1000.0);
	tile(f, cls, "behind schedule, max", "%.2f ms", t->schedule_lag.max / 1000.0);
	tile(f, t->long_turns ? "warn" : "", "loop turns over 10 ms", "%llu (worst %.1f ms)", u(t->long_turns),
	     t->worst_turn_us / 1000.0);
	tile(f, t->zero_window_ours ? "bad" : "", "our receive window at zero", "%llu of %llu samples",
	     u(t->zero_window_ours), u(t->tcp_samples));
	tile(f, "", "busiest worker", "%.0f %% CPU", t->busiest_worker_pct);
	fputs("</div>\n", f);
	if (lag && lag->status != CHECK_PASS)
		tag_text(f, "<p class=\"meta\">", lag->observed, "</p>\n");
}

static void latency_section(FILE *f, const struct report *rep)
{
	const struct result *r = rep->res;
	fputs("<section id=\"latency\">\n<h2>Latency</h2>\n<h3>INVITE to 200 OK, p99 per second</h3>\n", f);
	static const struct series p99[] = { { "p99 INVITE to 200", "#bc4c00", TS_P99_MS },
					     { "trunkload behind its schedule (worst)", "#57606a", TS_LAG_MS } };
	ts_chart(f, rep, "chart-p99", "p99 latency from INVITE to 200 OK, and how far trunkload itself "
		 "was behind its schedule, per second", "ms", p99, 2, false);
	tester_tiles(f, rep);
	fputs("<h3>Distribution</h3>\n", f);
	latency_chart(f, r);
	fputs("<table><thead><tr><th>interval</th><th class=\"n\">count</th><th class=\"n\">min</th>"
	      "<th class=\"n\">p50</th><th class=\"n\">p90</th><th class=\"n\">p99</th>"
	      "<th class=\"n\">p99.9</th><th class=\"n\">max</th><th class=\"n\">mean</th></tr>"
	      "</thead><tbody>\n", f);
	for (int i = 0; i < LAT_COUNT; i++) {
		const struct hist *h = &r->lat[i];
		fprintf(f, "<tr><td><span style=\"color:%s\">&#9632;</span> %s</td><td class=\"n\">%llu</td>",
			lat_colors[i], lat_interval_name((enum lat_interval)i), u(h->count));
		if (!h->count) {
			fputs("<td class=\"none\" colspan=\"7\">&mdash;</td></tr>\n", f);
			continue;
		}
		const double ps[] = { 50, 90, 99, 99.9 };
		fprintf(f, "<td class=\"n\">%.2f</td>", h->min / 1000.0);
		for (int k = 0; k < 4; k++)
			fprintf(f, "<td class=\"n\">%.2f</td>", hist_percentile(h, ps[k]) / 1000.0);
		fprintf(f, "<td class=\"n\">%.2f</td><td class=\"n\">%.2f</td></tr>\n", h->max / 1000.0,
			(double)h->sum / (double)h->count / 1000.0);
	}
	fputs("</tbody></table>\n<p class=\"meta\">milliseconds; measured from each call's scheduled "
	      "start where the load is open-loop</p>\n</section>\n", f);
}

static void failures_section(FILE *f, const struct result *r)
{
	fputs("<section id=\"failures\">\n<h2>Failures by reason</h2>\n", f);
	failures_chart(f, r);
	fputs("</section>\n", f);
}

static void names_table(FILE *f, const char *title, const struct name_count *tab)
{
	tag_text(f, "<div><h3>", title, "</h3>\n");
	if (!tab[0].name[0]) {
		fputs("<div class=\"nodata\">none</div></div>\n", f);
		return;
	}
	fputs("<table><tbody>\n", f);
	for (int i = 0; i < RESULT_MAX_NAMES && tab[i].name[0]; i++) {
		tag_text(f, "<tr><td class=\"mono\">", tab[i].name, "</td>");
		fprintf(f, "<td class=\"n\">%llu</td></tr>\n", u(tab[i].n));
	}
	fputs("</tbody></table></div>\n", f);
}

static void alerts_table(FILE *f, const struct result *r)
{
	fputs("<div><h3>Alerts</h3>\n", f);
	bool any = false;
	for (unsigned a = 0; a < 256; a++) {
		for (int dir = 0; dir < 2; dir++) {
			uint64_t n = dir ? r->alerts.received[a] : r->alerts.sent[a];
			if (!n)
				continue;
			if (!any)
				fputs("<table><thead><tr><th>direction</th><th>alert</th><th class=\"n\">code</th>"
				      "<th class=\"n\">count</th></tr></thead><tbody>\n", f);
			any = true;
			fprintf(f, "<tr><td>%s</td>", dir ? "received" : "sent");
			tag_text(f, "<td class=\"mono\">", tls_alert_name(a), "</td>");
			fprintf(f, "<td class=\"n\">%u</td><td class=\"n\">%llu</td></tr>\n", a, u(n));
		}
	}
	fputs(any ? "</tbody></table></div>\n" : "<div class=\"nodata\">no alerts</div></div>\n", f);
}

static void fact(FILE *f, const char *name, const char *value)
{
	tag_text(f, "<tr><th>", name, "</th>");
	tag_text(f, "<td class=\"mono\">", value[0] ? value : "-", "</td></tr>\n");
}

static void handshake_table(FILE *f, const struct tls_peer *p)
{
	const struct handshake_facts *h = &p->hs;
	fputs("<h3>First handshake</h3>\n<table><tbody>\n", f);
	fact(f, "version", h->version);
	fact(f, "cipher", h->cipher);
	fact(f, "key exchange group", h->group);
	fact(f, "forward secrecy", h->version[0] ? (h->forward_secrecy ? "yes" : "no") : "");
	fact(f, "resumed", h->version[0] ? (h->resumed ? "yes" : "no") : "");
	fact(f, "certificate request", h->cert_request ? "yes" : "no");
	fact(f, "CA names requested", h->ca_names);
	if (h->verify_error) {
		char v[200];
		snprintf(v, sizeof(v), "%d at depth %d: %s", h->verify_error, h->verify_depth, h->verify_text);
		fact(f, "peer chain verification", v);
	} else {
		fact(f, "peer chain verification", p->seen ? "ok" : "");
	}
	fputs("</tbody></table>\n", f);
}

static void chain_table(FILE *f, const struct tls_peer *p)
{
	fputs("<h3>Peer certificate chain (leaf first)</h3>\n", f);
	if (!p->n_chain) {
		fputs("<div class=\"nodata\">no certificate seen</div>\n", f);
		return;
	}
	fputs("<table class=\"chain\"><thead><tr><th>#</th><th>subject / issuer</th><th>names (SAN)</th><th>key</th>"
	      "<th>valid</th><th>serial / SHA-256</th></tr></thead><tbody>\n", f);
	for (unsigned i = 0; i < p->n_chain && i < CERTFACTS_MAX_CHAIN; i++) {
		const struct cert_facts *c = &p->chain[i];
		fprintf(f, "<tr><td class=\"n\">%u</td>", i);
		tag_text(f, "<td class=\"mono\"><b>", c->subject, "</b><br>issuer ");
		esc(f, c->issuer);
		fputs(c->self_signed ? "<br><i>self-signed</i>" : "", f);
		fputs(c->is_ca ? " <i>CA</i>" : "", f);
		tag_text(f, "</td><td class=\"mono\">", c->san[0] ? c->san : "-", "</td>");
		tag_text(f, "<td class=\"mono\">", c->key, "<br>");
		esc(f, c->signature_algorithm);
		tag_text(f, "</td><td class=\"mono\">", c->not_before, " to<br>");
		esc(f, c->not_after);
		fprintf(f, "<br><span class=\"%s\">%ld days left</span></td>", /* as pki show */
			c->days_left < 0 ? "days-bad" : c->days_left < 30 ? "days-warn" : "",
			(long)c->days_left);
		tag_text(f, "<td class=\"mono\">", c->serial, "<br>");
		esc(f, c->sha256);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

/* Every distinct certificate the far end presented, when there were several (a
 * cluster's nodes; a renewal that reached some of them). */
static void peers_table(FILE *f, const struct result *r)
{
	if (r->n_peers < 2)
		return;
	fprintf(f, "<h3>Certificates presented (%u distinct)</h3>\n", r->n_peers);
	fputs("<table class=\"chain\"><thead><tr><th>subject</th><th>serial / SHA-256</th>"
	      "<th>expires</th><th>seen at</th><th>handshakes</th><th>findings</th></tr></thead>"
	      "<tbody>\n", f);
	for (unsigned i = 0; i < r->n_peers; i++) {
		const struct peer_seen *ps = &r->peers[i];
		const struct cert_facts *c = ps->peer.n_chain ? &ps->peer.chain[0] : NULL;
		tag_text(f, "<tr><td class=\"mono\">", c ? c->subject : "-", "</td>");
		tag_text(f, "<td class=\"mono\">", c ? c->serial : "-", "<br>");
		esc(f, c ? c->sha256 : "");
		fprintf(f, "</td><td class=\"mono %s\">",
			c && c->days_left < 0 ? "days-bad" : c && c->days_left < 30 ? "days-warn" : "");
		esc(f, c ? c->not_after : "-");
		tag_text(f, "</td><td class=\"mono\">", ps->where, "</td>");
		fprintf(f, "<td class=\"n\">%llu</td><td class=\"mono\">", u(ps->handshakes));
		for (unsigned k = 0; k < ps->peer.n_findings; k++) {
			fputs(k ? ", " : "", f);
			esc(f, ps->peer.findings[k].code);
		}
		fputs(ps->peer.n_findings ? "</td></tr>\n" : "-</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void findings_table(FILE *f, const struct result *r)
{
	const struct tls_peer *p = &r->peer;
	struct finding_seen all[FINDINGS_MAX];
	unsigned n = result_findings(r, all, FINDINGS_MAX);
	fputs("<h3>Findings</h3>\n", f);
	if (!n) {
		fputs(p->seen ? "<div class=\"nodata\">no findings</div>\n" :
				"<div class=\"nodata\">no certificate seen</div>\n", f);
		return;
	}
	fputs("<table><thead><tr><th>severity</th><th>code</th><th>message</th></tr></thead><tbody>\n", f);
	for (unsigned i = 0; i < n; i++) {
		const struct finding *fd = all[i].f;
		const char *sev = finding_severity_name(fd->severity);
		fprintf(f, "<tr class=\"%s\"><td><span class=\"pill %s\">",
			fd->severity == FINDING_ERROR ? "fail" : fd->severity == FINDING_WARNING ? "warn" : "",
			sev);
		esc(f, sev);
		tag_text(f, "</span></td><td class=\"mono\">", fd->code, "</td>");
		tag_text(f, "<td>", fd->message, all[i].where[0] ? " (from " : "");
		esc(f, all[i].where);
		fputs(all[i].where[0] ? ")</td></tr>\n" : "</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void tls_section(FILE *f, const struct report *rep)
{
	const struct result *r = rep->res;
	fputs("<section id=\"tls\">\n<h2>TLS</h2>\n", f);
	if (rep->scn->transport != SCN_TLS) {
		fputs("<div class=\"nodata\">plain TCP: no TLS in this run</div>\n</section>\n", f);
		return;
	}
	fputs("<div class=\"tiles\">\n", f);
	tile(f, r->hs_ok ? "good" : "", "handshakes ok", "%llu", u(r->hs_ok));
	tile(f, r->hs_failed ? "bad" : "", "handshakes failed", "%llu", u(r->hs_failed));
	for (int i = 0; i < HS_OUTCOMES; i++)
		if (r->hs_outcome[i])
			tile(f, i == HS_ACCEPTED ? "" : "small", hs_outcome_name((enum hs_outcome)i), "%llu",
			     u(r->hs_outcome[i]));
	fputs("</div>\n", f);
	if (r->first_tls_error[0])
		tag_text(f, "<p>first error: <code>", r->first_tls_error, "</code></p>\n");
	fputs("<div class=\"cols\">\n", f);
	names_table(f, "Versions", r->versions);
	names_table(f, "Ciphers", r->ciphers);
	alerts_table(f, r);
	fputs("</div>\n", f);
	handshake_table(f, &r->peer);
	chain_table(f, &r->peer);
	peers_table(f, r);
	findings_table(f, r);
	fputs("</section>\n", f);
}

/* Counters that should stay at zero: a tile is red when the verdict failed a check
 * on it, amber when it is not zero but no check judged it. */
static bool srtp_bad(enum srtp_counter c)
{
	switch (c) {
	case SRTP_AUTH_FAILURES: case SRTP_REPLAY_FAILURES: case SRTP_BAD_PACKETS:
	case SRTP_UNEXPECTED_SSRC: case SRTP_UNEXPECTED_SOURCE: case SRTP_LOST:
	case SRTP_LATE_SENDS: case SRTP_SEND_ERRORS: case SRTP_RTCP_AUTH_FAILURES:
	case SRTP_SILENT_STREAMS: case SRTP_STALE_KEY_PACKETS:
		return true;
	default:
		return false;
	}
}

/* Whether the verdict failed a check on metric (or on metric_pct). */
static bool check_failed(const struct verdict *v, const char *metric)
{
	size_t n = strlen(metric);
	for (unsigned i = 0; i < v->n_checks; i++)
		if (v->checks[i].status == CHECK_FAIL && !strncmp(v->checks[i].name, metric, n) &&
		    (!v->checks[i].name[n] || !strcmp(v->checks[i].name + n, "_pct")))
			return true;
	return false;
}

static const char *counter_class(const struct verdict *v, enum srtp_counter c, uint64_t n)
{
	char metric[64];
	snprintf(metric, sizeof(metric), "srtp.%s", srtp_counter_name(c));
	if (check_failed(v, metric))
		return "bad";
	return n && srtp_bad(c) ? "warn" : "";
}

static void srtp_section(FILE *f, const struct result *r, const struct verdict *v)
{
	fputs("<section id=\"srtp\">\n<h2>SRTP media</h2>\n", f);
	const uint64_t *n = r->srtp.n;
	if (!n[SRTP_STREAMS]) {
		fputs("<div class=\"nodata\">no media in this run</div>\n</section>\n", f);
		return;
	}
	double lost_pct = 0, jitter = 0;
	verdict_metric(r, "srtp.lost_pct", "", &lost_pct);
	verdict_metric(r, "srtp.jitter_ms", "", &jitter);
	fputs("<div class=\"tiles\">\n", f);
	tile(f, "wide", "suite", "%s", r->srtp.suite[0] ? r->srtp.suite : "-");
	const char *lost = counter_class(v, SRTP_LOST, n[SRTP_LOST]);
	tile(f, *lost ? lost : "good", "packets lost", "%.3f %%", lost_pct);
	tile(f, "wide", "jitter mean / max", "%.2f / %.2f ms", jitter, r->srtp.jitter_ms_max);
	const char *auth = counter_class(v, SRTP_AUTH_FAILURES, n[SRTP_AUTH_FAILURES]);
	tile(f, *auth ? auth : "good", "auth failures", "%llu", u(n[SRTP_AUTH_FAILURES]));
	const struct mos_tally *mos = &r->srtp.mos;
	if (mos->streams)
		tile(f, check_failed(v, "srtp.mos") || check_failed(v, "srtp.mos_p5") ||
				check_failed(v, "srtp.mos_min") ? "bad wide" : "wide", "MOS mean / p5 / min",
		     "%.2f / %.2f / %.2f", mos_mean(mos), mos_percentile(mos, 5), mos->min);
	const struct srtp_far_end *fe = &r->srtp.far_end;
	if (fe->streams)
		tile(f, "wide", "far end reports: lost / jitter / rtt", "%.3f %% / %.2f ms / %.2f ms",
		     srtp_far_end_lost_pct(fe),
		     fe->jitter_ms_sum / (double)fe->streams,
		     fe->rtt_samples ? fe->rtt_ms_sum / (double)fe->rtt_samples : 0);
	fputs("</div>\n", f);
	mos_chart(f, mos);
	fputs("<div class=\"tiles\">\n", f);
	for (int i = 0; i < SRTP_COUNTERS; i++) {
		char cls[24];
		snprintf(cls, sizeof(cls), "%s small", counter_class(v, (enum srtp_counter)i, n[i]));
		if (i == SRTP_LOST) /* signed (RFC 3550) */
			tile(f, cls, srtp_counter_name((enum srtp_counter)i), "%lld", (long long)(int64_t)n[i]);
		else
			tile(f, cls, srtp_counter_name((enum srtp_counter)i), "%llu", u(n[i]));
	}
	fputs("</div>\n</section>\n", f);
}

int report_write_html(const char *path, const struct report *rep, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 8];
	FILE *f;
	int open_rc = report_open_tmp(path, tmp, sizeof(tmp), &f, err, errlen);
	if (open_rc)
		return open_rc;
	head(f, rep);
	verdict_section(f, rep);
	load_section(f, rep);
	latency_section(f, rep);
	failures_section(f, rep->res);
	report_html_traces(f, rep->res);
	tls_section(f, rep);
	srtp_section(f, rep->res, rep->verdict);
	fputs("<footer>trunkload ", f);
	esc(f, rep->version ? rep->version : "");
	fputs(" &middot; every figure on this page is also in report.json; the per-second rows are "
	      "in timeseries.csv</footer>\n</main>\n</body>\n</html>\n", f);
	return report_commit(f, tmp, path, err, errlen);
}
