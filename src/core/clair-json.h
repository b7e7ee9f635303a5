/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

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
/* g_string_append_len() without the call when @out has room (GLib 2.74 has no inline form):
 * for writers that append many short pieces, such as a diff's ops. */
static inline void
clair_json_append_len (GString    *out,
                       const char *text,
                       gsize       len)
{
  if (out->len + len < out->allocated_len)
    {
      memcpy (out->str + out->len, text, len);
      out->len += len;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_len (out, text, len);
}

void clair_json_append_double (GString    *out,
                               double      value);
void clair_json_append_int    (GString    *out,
                               gint64      value);
/* Appends `"key":` (with the comma before it when @first is FALSE). */
void clair_json_append_key    (GString    *out,
                               const char *key,
                               gboolean    first);
/* Appends one chat message, `{"role":ROLE,"content":CONTENT}`, as request bodies and the
 * conversational exports write it (a NULL @content as null, as clair_json_append_string()). */
void clair_json_append_message (GString    *out,
                                const char *role,
                                const char *content);

/* Reading (clair-json-read.c): every JSON text from outside (replies, error bodies, stream
 * events, results files, stored settings) is loaded through clair_json_load(), which refuses
 * anything but exactly one JSON value (json-glib 1.6 reads "{}{}" as one object and drops the
 * rest) and turns \u0000 and lone surrogates into U+FFFD. Errors are CLAIR_ERROR_INVALID_DATA. */
gboolean    clair_json_load            (JsonParser  *parser,
                                        const char  *data,
                                        gssize       len,
                                        GError     **error);
/* clair_json_load() of a text that must be an object; the object belongs to @parser. */
JsonObject *clair_json_load_object     (JsonParser  *parser,
                                        const char  *data,
                                        gssize       len,
                                        GError     **error);

/* Members of a given type, or NULL (or @default_value) when absent or of another type; @object
 * may be NULL. Integers accept whole doubles below 9e15 as servers sometimes write them. */
JsonObject *clair_json_member_object   (JsonObject  *object,
                                        const char  *name);
JsonArray  *clair_json_member_array    (JsonObject  *object,
                                        const char  *name);
const char *clair_json_member_string   (JsonObject  *object,
                                        const char  *name);
gint64      clair_json_member_int      (JsonObject  *object,
                                        const char  *name,
                                        gint64       default_value);
/* A scalar member as text: strings as they are, numbers and booleans written out; NULL for null,
 * containers or absent. */
char       *clair_json_member_as_text  (JsonObject  *object,
                                        const char  *name);

G_END_DECLS
