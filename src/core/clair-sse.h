/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An incremental parser for text/event-stream (the WHATWG rules): bytes go in as they arrive, in
 * chunks of any size, and complete events come out. Lines end with CR, LF or CRLF; lines starting
 * with ':' are comments (keep-alives); "data:" lines of one event are joined with '\n'; an event is
 * dispatched at a blank line; an event left unfinished at the end of the stream is dropped, as the
 * standard says (clair_sse_parser_finish() reports whether that happened). Kept apart from the HTTP
 * client so it can be fuzzed. */

typedef struct _ClairSseParser ClairSseParser;

/* @event is the "event:" field or NULL; @data is NUL-terminated (@len excludes the NUL). Return
 * FALSE to stop parsing: clair_sse_parser_feed() then returns FALSE without an error. */
typedef gboolean (*ClairSseEventFunc) (const char *event,
                                       const char *data,
                                       gsize       len,
                                       gpointer    user_data);

/* @max_line bounds the memory one line or event may take (0 = 16 MiB). */
ClairSseParser *clair_sse_parser_new    (gsize              max_line,
                                         ClairSseEventFunc  func,
                                         gpointer           user_data);
void            clair_sse_parser_free   (ClairSseParser    *self);
/* FALSE with @error (CLAIR_ERROR_PROTOCOL) when a line or event exceeds the bound, FALSE without
 * an error when the callback asked to stop. */
gboolean        clair_sse_parser_feed   (ClairSseParser    *self,
                                         const char        *buf,
                                         gsize              len,
                                         GError           **error);
/* Ends the stream. Returns TRUE when nothing was left unfinished (no partial line or event). */
gboolean        clair_sse_parser_finish (ClairSseParser    *self);
/* Events dispatched so far. */
guint64         clair_sse_parser_get_n_events (ClairSseParser *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairSseParser, clair_sse_parser_free)

G_END_DECLS
