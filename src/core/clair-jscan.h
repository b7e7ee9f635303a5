/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A small, allocation-free JSON scanner for bulk work (dataset rows, result files).
 *
 * It validates JSON (RFC 8259, strings checked for valid UTF-8) and hands out byte spans into the
 * caller's buffer instead of building a tree: the members of an object as key/value spans, the
 * elements of an array, and the end of any value. Strings are unescaped only on request. Buffers
 * are (start, end) pairs and need not be NUL-terminated. */

typedef enum
{
  CLAIR_JSCAN_INVALID,
  CLAIR_JSCAN_STRING,
  CLAIR_JSCAN_NUMBER,
  CLAIR_JSCAN_OBJECT,
  CLAIR_JSCAN_ARRAY,
  CLAIR_JSCAN_TRUE,
  CLAIR_JSCAN_FALSE,
  CLAIR_JSCAN_NULL,
} ClairJscanType;

/* What went wrong and where. @message says what was expected ("expected “:” after the key");
 * when @show_found is TRUE the caller should add what was found at @where (see
 * clair_jscan_describe()). @bad_utf8 tells invalid UTF-8 from a syntax error. */
typedef struct
{
  const char *where;
  gboolean    show_found;
  gboolean    bad_utf8;
  char        message[200];  /* room for the translated message */
} ClairJscanError;

/* A value or key: @start points at its first byte (the opening quote for strings), @len covers it
 * entirely (closing quote or bracket included). */
typedef struct
{
  const char     *start;
  gsize           len;
  ClairJscanType  type;
} ClairJscanSpan;

typedef struct
{
  /*< private >*/
  const char *p;
  const char *end;
  int         state;
} ClairJscanIter;

/* The type a value starting with @c has (CLAIR_JSCAN_INVALID when no value starts so). */
ClairJscanType  clair_jscan_type_of         (char                 c);
/* "a string", "a number", "an object", …: for messages. */
const char     *clair_jscan_type_name       (ClairJscanType       type);

const char     *clair_jscan_skip_ws         (const char          *p,
                                             const char          *end);
/* Validates the value starting at @p (no leading whitespace) and returns the byte after it, or NULL
 * with @error set. */
const char     *clair_jscan_value           (const char          *p,
                                             const char          *end,
                                             ClairJscanError     *error);
/* TRUE when [@text, @text + @len) is exactly one JSON value, with optional whitespace around it. */
gboolean        clair_jscan_validate        (const char          *text,
                                             gsize                len,
                                             ClairJscanError     *error);

/* Walks the members of the object starting at @p (which must be '{'). Each call of _next()
 * validates one member and returns 1 with its spans, 0 after the closing brace, -1 on error. */
gboolean        clair_jscan_object_begin    (ClairJscanIter      *iter,
                                             const char          *p,
                                             const char          *end,
                                             ClairJscanError     *error);
int             clair_jscan_object_next     (ClairJscanIter      *iter,
                                             ClairJscanSpan      *key,
                                             ClairJscanSpan      *value,
                                             ClairJscanError     *error);
/* The same for the elements of an array starting at @p (which must be '['). */
gboolean        clair_jscan_array_begin     (ClairJscanIter      *iter,
                                             const char          *p,
                                             const char          *end,
                                             ClairJscanError     *error);
int             clair_jscan_array_next      (ClairJscanIter      *iter,
                                             ClairJscanSpan      *value,
                                             ClairJscanError     *error);
/* After _next() returned 0: the byte after the closing bracket. */
const char     *clair_jscan_iter_end        (const ClairJscanIter *iter);

/* Unescapes a validated string span (quotes included) into a new NUL-terminated string. Lone
 * surrogates and \u0000 become U+FFFD, so the result is valid UTF-8 without embedded NULs. */
char           *clair_jscan_unescape        (const char          *quoted,
                                             gsize                len,
                                             gsize               *out_len);
void            clair_jscan_unescape_append (GString             *out,
                                             const char          *quoted,
                                             gsize                len);
/* Whether a validated string span (quotes included) unescapes to @text. */
gboolean        clair_jscan_string_equal    (const char          *quoted,
                                             gsize                len,
                                             const char          *text,
                                             gsize                text_len);

/* Finds the end of the value at @p without validating it: strings, brackets and nesting only.
 * Counts the newlines it passes in @n_newlines. Meant for indexing: finding element boundaries
 * of a large array fast, leaving validation to the reader of each element. */
const char     *clair_jscan_skip_lenient    (const char          *p,
                                             const char          *end,
                                             guint               *n_newlines,
                                             ClairJscanError     *error);

/* Describes what is at @where for "found …" messages: “x”, byte 0xC3, the end of the input. */
void            clair_jscan_describe        (const char          *where,
                                             const char          *end,
                                             char                *buf,
                                             gsize                size);

G_END_DECLS
