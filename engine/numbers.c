#include "numbers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RANGE_DIGITS 18 /* 10^18 - 1 and a count of up to 10^18 fit in 64 bits */
#define GOT_MAX 40      /* bytes of a bad input shown in a message */

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t cap, const char *fmt, ...)
{
	if (err && cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* p[0..n) in double quotes, readable whatever it holds: bytes outside visible ASCII
 * as \xNN, and the first GOT_MAX bytes only, then "...". */
static const char *quote(char *buf, size_t cap, const char *p, size_t n)
{
	size_t o = 0;
	buf[o++] = '"';
	for (size_t i = 0; i < n && i < GOT_MAX; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	if (n > GOT_MAX) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = 0;
	return buf;
}
#define QUOTE_CAP (GOT_MAX * 4 + 6)

/* ---- ranges ---- */

/* Decimal digits at p, at most RANGE_DIGITS of them (more: 0); how many. */
static size_t digits(const char *p, uint64_t *v)
{
	size_t n = 0;
	uint64_t x = 0;
	for (; p[n] >= '0' && p[n] <= '9'; n++) {
		if (n == RANGE_DIGITS)
			return 0;
		x = x * 10 + (uint64_t)(p[n] - '0');
	}
	*v = x;
	return n;
}

static bool long_run(const char *s)
{
	for (size_t run = 0; *s; s++) {
		run = *s >= '0' && *s <= '9' ? run + 1 : 0;
		if (run > RANGE_DIGITS)
			return true;
	}
	return false;
}

int number_range_parse(const char *text, struct number_range *out, char *err, size_t cap)
{
	char q[QUOTE_CAP];
	size_t len = text ? strlen(text) : 0;
	uint64_t a = 0, b = 0;
	size_t na = len ? digits(text, &a) : 0;
	size_t nb = na && text[na] == '-' ? digits(text + na + 1, &b) : 0;
	if (!nb || na + 1 + nb != len || a > b) {
		text = text ? text : "";
		if (long_run(text))
			return fail(err, cap, "expected a range FROM-TO of decimal numbers of at most "
				    "%d digits each, got %s", RANGE_DIGITS, quote(q, sizeof(q), text, len));
		return fail(err, cap, "expected a range FROM-TO of decimal numbers with FROM <= TO, "
			    "got %s", quote(q, sizeof(q), text, len));
	}
	*out = (struct number_range){
		.lo = a,
		.count = b - a + 1,
		.width = na > 1 && text[0] == '0' ? (unsigned)na : 0,
	};
	return 0;
}

size_t number_range_format(const struct number_range *r, uint64_t i, char *out, size_t cap)
{
	char t[24];
	size_t n = sizeof(t);
	uint64_t v = r->lo + i;
	do {
		t[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (sizeof(t) - n < r->width && n > 0)
		t[--n] = '0';
	size_t len = sizeof(t) - n;
	if (cap) {
		size_t k = len < cap ? len : cap - 1;
		memcpy(out, t + n, k);
		out[k] = 0;
	}
	return len;
}

/* ---- CSV tables ---- */

struct csv {
	const char *buf;
	size_t len, pos;
	uint64_t line; /* of the line last read, 1-based */
	char *err;
	size_t cap;
};

struct slice {
	const char *p;
	size_t len;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct slice trim(const char *p, size_t n)
{
	while (n && blank(*p))
		p++, n--;
	while (n && blank(p[n - 1]))
		n--;
	return (struct slice){ p, n };
}

/* The next line that is not blank, without its LF or CRLF and trimmed; false at the
 * end of the buffer (with *e 0) or on a NUL byte (with *e -EINVAL). */
static bool next_line(struct csv *c, struct slice *line, int *e)
{
	*e = 0;
	while (c->pos < c->len) {
		const char *p = c->buf + c->pos;
		size_t room = c->len - c->pos;
		const char *lf = memchr(p, '\n', room);
		size_t n = lf ? (size_t)(lf - p) : room;
		c->pos += lf ? n + 1 : n;
		c->line++;
		if (memchr(p, 0, n)) {
			*e = fail(c->err, c->cap, "line %llu: expected text, got a NUL byte",
				  (unsigned long long)c->line);
			return false;
		}
		if (n && p[n - 1] == '\r')
			n--;
		*line = trim(p, n);
		if (line->len)
			return true;
	}
	return false;
}

/* Splits a line at ',' into at most max trimmed fields; how many it has. */
static size_t split(struct slice line, struct slice *f, size_t max)
{
	size_t n = 0;
	const char *p = line.p, *end = line.p + line.len;
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *fe = comma ? comma : end;
		if (n < max)
			f[n] = trim(p, (size_t)(fe - p));
		n++;
		if (!comma)
			return n;
		p = comma + 1;
	}
}

static bool name_ok(struct slice s)
{
	if (!s.len || s.len >= NUMBERS_NAME_MAX)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char ch = s.p[i];
		bool alpha = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_';
		if (!alpha && !(i && ch >= '0' && ch <= '9'))
			return false;
	}
	return true;
}

/* Nothing in a value may end a URI user part or a header, or start a quoted string. */
static bool value_chars_ok(struct slice s)
{
	if (!s.len)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.p[i];
		if (ch < 0x21 || ch > 0x7e || strchr("\"<>;,\\", ch))
			return false;
	}
	return true;
}

static int parse_header(struct csv *c, struct number_table *t)
{
	char q[QUOTE_CAP];
	struct slice line, f[NUMBERS_MAX_COLUMNS];
	int e;
	if (!next_line(c, &line, &e))
		return e ? e : fail(c->err, c->cap, "line 1: expected a header row naming the "
				    "columns, got %s", c->len ? "only blank lines" : "an empty file");
	size_t n = split(line, f, NUMBERS_MAX_COLUMNS);
	if (n > NUMBERS_MAX_COLUMNS)
		return fail(c->err, c->cap, "line %llu: expected a header row naming 1-%d columns, "
			    "got %zu", (unsigned long long)c->line, NUMBERS_MAX_COLUMNS, n);
	for (size_t i = 0; i < n; i++) {
		if (!name_ok(f[i]))
			return fail(c->err, c->cap, "line %llu, column %zu: expected a column name of "
				    "letters, digits and _ not starting with a digit, at most %d "
				    "bytes, got %s", (unsigned long long)c->line, i + 1,
				    NUMBERS_NAME_MAX - 1, quote(q, sizeof(q), f[i].p, f[i].len));
		for (size_t j = 0; j < i; j++)
			if (f[j].len == f[i].len && !memcmp(f[j].p, f[i].p, f[i].len))
				return fail(c->err, c->cap, "line %llu: column \"%.*s\" named twice",
					    (unsigned long long)c->line, (int)f[i].len, f[i].p);
		memcpy(t->cols[i], f[i].p, f[i].len);
		t->cols[i][f[i].len] = 0;
	}
	t->n_cols = (unsigned)n;
	return 0;
}

/* "from,to", for messages */
static const char *col_list(const struct number_table *t, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < t->n_cols; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? "," : "", t->cols[i]);
	return buf;
}
#define COL_LIST_CAP (NUMBERS_MAX_COLUMNS * NUMBERS_NAME_MAX)

/* One row's values into t->text and t->fields (which have room for them). */
static int parse_row(struct csv *c, struct number_table *t, struct slice line, size_t *text_n)
{
	char q[QUOTE_CAP], cols[COL_LIST_CAP];
	struct slice f[NUMBERS_MAX_COLUMNS];
	size_t n = split(line, f, NUMBERS_MAX_COLUMNS);
	if (n != t->n_cols)
		return fail(c->err, c->cap, "line %llu: expected %u field%s (%s), got %zu",
			    (unsigned long long)c->line, t->n_cols, t->n_cols > 1 ? "s" : "",
			    col_list(t, cols, sizeof(cols)), n);
	uint32_t *out = t->fields + t->n_rows * t->n_cols;
	for (size_t i = 0; i < n; i++) {
		if (!value_chars_ok(f[i]))
			return fail(c->err, c->cap, "line %llu, column %s: expected a number of visible "
				    "characters without \" < > ; , \\, got %s",
				    (unsigned long long)c->line, t->cols[i],
				    quote(q, sizeof(q), f[i].p, f[i].len));
		if (f[i].len >= NUMBERS_FIELD_MAX)
			return fail(c->err, c->cap, "line %llu, column %s: expected a number of at most "
				    "%d characters, got %zu", (unsigned long long)c->line,
				    t->cols[i], NUMBERS_FIELD_MAX - 1, f[i].len);
		out[i] = (uint32_t)*text_n;
		memcpy(t->text + *text_n, f[i].p, f[i].len);
		t->text[*text_n + f[i].len] = 0;
		*text_n += f[i].len + 1;
	}
	t->n_rows++;
	return 0;
}

int number_table_parse(const char *buf, size_t len, struct number_table *t, char *err, size_t cap)
{
	struct csv c = { .buf = buf, .len = len, .err = err, .cap = cap };
	struct number_table tmp = { 0 };
	struct slice line;
	uint64_t fields_cap = 0;
	size_t text_n = 0;
	int e;
	/* Offsets into text are 32-bit. */
	if (len > NUMBERS_FILE_MAX)
		return fail(err, cap, "expected at most %u bytes, got %zu", NUMBERS_FILE_MAX, len);
	e = parse_header(&c, &tmp);
	if (e)
		goto out;
	/* Each value is followed by a separator in buf, or is the last byte: values and
	 * their NULs need at most len + 1 bytes. */
	tmp.text = malloc(len + 1);
	if (!tmp.text)
		goto nomem;
	while (next_line(&c, &line, &e)) {
		if ((tmp.n_rows + 1) * tmp.n_cols > fields_cap) {
			uint64_t n = fields_cap ? 2 * fields_cap : 1024;
			uint32_t *f = realloc(tmp.fields, n * sizeof(*f));
			if (!f)
				goto nomem;
			tmp.fields = f;
			fields_cap = n;
		}
		e = parse_row(&c, &tmp, line, &text_n);
		if (e)
			goto out;
	}
	if (e)
		goto out;
	if (!tmp.n_rows) {
		char cols[COL_LIST_CAP];
		uint64_t end_line = 1;
		for (size_t i = 0; i < len; i++)
			end_line += buf[i] == '\n';
		e = fail(err, cap, "line %llu: expected a row of values (%s) after the header, got "
			 "the end of the file", (unsigned long long)end_line,
			 col_list(&tmp, cols, sizeof(cols)));
		goto out;
	}
	char *shrunk = realloc(tmp.text, text_n);
	if (shrunk)
		tmp.text = shrunk;
	*t = tmp;
	return 0;
nomem:
	e = -ENOMEM;
	if (err && cap)
		snprintf(err, cap, "out of memory");
out:
	number_table_free(&tmp);
	return e;
}

static int too_big(char *err, size_t cap, const char *got)
{
	if (err && cap)
		snprintf(err, cap, "expected at most %u bytes, got %s", NUMBERS_FILE_MAX, got);
	return -EFBIG;
}

int number_table_load(const char *path, struct number_table *t, char *err, size_t cap)
{
	char ebuf[128];
	struct stat st;
	char *buf = NULL;
	size_t n = 0, room;
	int e;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		goto ioerr;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > NUMBERS_FILE_MAX) {
		snprintf(ebuf, sizeof(ebuf), "%llu bytes", (unsigned long long)st.st_size);
		e = too_big(err, cap, ebuf);
		goto out;
	}
	/* A regular file is read in one go (the byte more sees it has not grown); a pipe
	 * grows the buffer as it comes. */
	room = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
	buf = malloc(room);
	if (!buf)
		goto nomem;
	for (;;) {
		if (n == room) {
			if (n > NUMBERS_FILE_MAX) {
				e = too_big(err, cap, "more");
				goto out;
			}
			size_t more = room * 2 > NUMBERS_FILE_MAX + 1u ? NUMBERS_FILE_MAX + 1u : room * 2;
			char *b = realloc(buf, more);
			if (!b)
				goto nomem;
			buf = b;
			room = more;
		}
		ssize_t r = read(fd, buf + n, room - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto ioerr;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	e = number_table_parse(buf, n, t, err, cap);
	goto out;
nomem:
	e = -ENOMEM;
	if (err && cap)
		snprintf(err, cap, "out of memory");
	goto out;
ioerr:
	e = errno ? -errno : -EIO;
	if (err && cap)
		snprintf(err, cap, "cannot read: %s", strerror_r(-e, ebuf, sizeof(ebuf)));
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return e;
}

void number_table_free(struct number_table *t)
{
	free(t->text);
	free(t->fields);
	memset(t, 0, sizeof(*t));
}

int number_table_column(const struct number_table *t, const char *name, size_t name_len)
{
	for (unsigned i = 0; i < t->n_cols; i++)
		if (strlen(t->cols[i]) == name_len && !memcmp(t->cols[i], name, name_len))
			return (int)i;
	return -1;
}

const char *number_table_get(const struct number_table *t, uint64_t row, unsigned col)
{
	return t->text + t->fields[row * t->n_cols + col];
}

/* splitmix64's finaliser: consecutive inputs give unrelated outputs. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t numbers_pick(uint64_t k, uint64_t count, bool random, uint64_t seed)
{
	if (!random)
		return k % count;
	/* Multiply-shift: no division, and a bias of at most count / 2^64. */
	__extension__ typedef unsigned __int128 u128;
	return (uint64_t)(((u128)mix64(seed ^ k) * count) >> 64);
}
