/* Number plans for scripted calls: the named columns of call.numbers that a call's
 * URIs and headers name as {column}. A column is a range ("1000-1999") or a column of
 * a CSV file whose header row names the columns; call k of the run (counted over all
 * workers) takes row numbers_pick(k, ...). Pure: the C library only. */
#ifndef TL_NUMBERS_H
#define TL_NUMBERS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NUMBERS_MAX_COLUMNS 8
#define NUMBERS_NAME_MAX 32          /* a column name, NUL included */
#define NUMBERS_FIELD_MAX 64         /* a CSV field, NUL included */
#define NUMBERS_FILE_MAX (256u << 20) /* bytes of a CSV file */

struct number_range {
	uint64_t lo, count;
	unsigned width; /* zero-padded to this many digits; 0: not padded */
};

/* "A-B": decimal digits only (at most 18 each), A <= B; width is A's length when A
 * has a leading zero ("0100-0199"), else 0. 0, or -EINVAL with err saying
 * "expected ..., got ...". out is set only on success. */
int number_range_parse(const char *text, struct number_range *out, char *err, size_t cap);
/* The i-th number of the range (i < count) into out, NUL-terminated and cut to cap
 * like snprintf; the length of the whole number. */
size_t number_range_format(const struct number_range *r, uint64_t i, char *out, size_t cap);

/* A CSV file of numbers: a header row names the columns, each following row gives
 * one value per column. The table owns its memory (number_table_free). */
struct number_table {
	unsigned n_cols;
	char cols[NUMBERS_MAX_COLUMNS][NUMBERS_NAME_MAX];
	uint64_t n_rows;
	/* private: the values, row by row */
	char *text;
	uint32_t *fields; /* n_rows * n_cols offsets into text, each value NUL-terminated */
};

/* Parses buf[0..len): fields separated by ',', lines ending in LF or CRLF, spaces and
 * tabs around a field trimmed, blank lines skipped; a header row of 1..8 distinct
 * names [A-Za-z_][A-Za-z0-9_]*, then at least one row of exactly n_cols non-empty
 * values of visible ASCII without " < > ; , or backslash (they go into SIP URIs and
 * headers unquoted). 0; -EINVAL with err naming the line (1-based) and the column, what
 * was expected and what was there; -ENOMEM. t is set only on success; on failure
 * nothing is left allocated. buf is not kept. */
int number_table_parse(const char *buf, size_t len, struct number_table *t, char *err, size_t cap);
/* Reads the file at path (at most NUMBERS_FILE_MAX bytes) and parses it: the returns
 * of number_table_parse, -EFBIG for a larger file, or -errno when it cannot be read.
 * err does not name the file: the caller does. */
int number_table_load(const char *path, struct number_table *t, char *err, size_t cap);
/* Frees what the table owns and leaves it empty; safe on a zeroed or freed table. */
void number_table_free(struct number_table *t);
/* The index of column name[0..name_len), or -1. */
int number_table_column(const struct number_table *t, const char *name, size_t name_len);
/* The value at row, col (row < n_rows, col < n_cols), owned by the table. */
const char *number_table_get(const struct number_table *t, uint64_t row, unsigned col);

/* Which of count (> 0) values call k uses: k % count in order; with random, one drawn
 * uniformly from seed and k alone, so that a run is reproducible from its seed. */
uint64_t numbers_pick(uint64_t k, uint64_t count, bool random, uint64_t seed);

#endif
