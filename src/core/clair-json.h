/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A small, fast JSON writer used on every hot path (request bodies, exports, batch files).
 * json-glib's generator is slow for bulk work and writes doubles such as 1e-08 as "1e-08.0";
 * these helpers write valid JSON for any input: invalid UTF-8 becomes U+FFFD, control characters
 * are escaped, and so are U+2028, U+2029 and U+0085. */

void clair_json_append_string (GString    *out,
                               const char *str,
                               gssize      len);
/* Appends valid UTF-8 or validated JSON text as it is, but for U+2028, U+2029 and U+0085, which
 * go out as \u escapes (Python's str.splitlines() splits lines on them). */
void clair_json_append_raw    (GString    *out,
                               const char *text,
                               gsize       len);
/* JSON text with every \u0000 and every lone surrogate escape (\ud800 without its partner) written
 * as \ufffd, as dataset rows are read: json-glib would cut a string at the NUL, and a lone
 * surrogate is not text. @text must be valid JSON. Returns NULL when nothing needed replacing. */
char *clair_json_sanitize_escapes (const char *text,
                                   gsize       len,
                                   gsize      *out_len);
void clair_json_append_double (GString    *out,
                               double      value);
void clair_json_append_int    (GString    *out,
                               gint64      value);
/* Appends `"key":` (with the comma before it when @first is FALSE). */
void clair_json_append_key    (GString    *out,
                               const char *key,
                               gboolean    first);

G_END_DECLS
