/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-sse"

#include "config.h"

#include "clair-error.h"
#include "clair-sse.h"
#include "fuzz-common.h"

/* The event-stream parser. The network cuts a stream anywhere, so the input is fed twice: whole,
 * and in chunks whose sizes come from the input itself (splitting CRLF pairs, UTF-8 sequences and
 * "data:" prefixes). Both must dispatch exactly the same events and agree on how the stream ended. */

typedef struct
{
  GString *log;
  guint    n_events;
} Events;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static gboolean
event_cb (const char *event,
          const char *data,
          gsize       len,
          gpointer    user_data)
{
  Events *events = user_data;

  g_assert (data != NULL);
  g_assert (data[len] == '\0');
  g_string_append_printf (events->log, "%s|%" G_GSIZE_FORMAT "|", event ? event : "(none)", len);
  g_string_append_len (events->log, data, len);
  g_string_append_c (events->log, '\n');
  events->n_events++;
  return TRUE;
}

static gboolean
run (const uint8_t *data,
     size_t         size,
     gsize          max_line,
     const uint8_t *chunks,
     size_t         n_chunks,
     Events        *events,
     gboolean      *finished_clean,
     gboolean      *overflowed)
{
  g_autoptr(ClairSseParser) parser = clair_sse_parser_new (max_line, event_cb, events);
  g_autoptr(GError) error = NULL;
  size_t pos = 0, c = 0;

  *overflowed = FALSE;
  while (pos < size)
    {
      size_t n = size - pos;

      if (n_chunks > 0)
        {
          size_t chunk = (size_t) chunks[c++ % n_chunks] % 17 + 1;
          n = MIN (n, chunk);
        }
      if (!clair_sse_parser_feed (parser, (const char *) data + pos, n, &error))
        {
          g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL);
          *overflowed = TRUE;
          return FALSE;
        }
      pos += n;
    }
  *finished_clean = clair_sse_parser_finish (parser);
  g_assert_cmpuint (clair_sse_parser_get_n_events (parser), ==, events->n_events);
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Events whole = { NULL, 0 };
  Events chunked = { NULL, 0 };
  gboolean whole_clean = FALSE, chunked_clean = FALSE;
  gboolean whole_overflow, chunked_overflow;
  const uint8_t *chunks;
  size_t n_chunks;
  gsize max_line;

  if (size < 2 || size > 64 * 1024)
    return 0;
  whole.log = g_string_new (NULL);
  chunked.log = g_string_new (NULL);

  /* Byte 0: a small line bound sometimes, to reach the overflow path. Then 8 chunk sizes. */
  max_line = data[0] < 32 ? (gsize) data[0] * 4 + 1 : 0;
  n_chunks = MIN (size - 1, 8);
  chunks = data + 1;
  data += 1 + n_chunks;
  size -= 1 + n_chunks;

  run (data, size, max_line, NULL, 0, &whole, &whole_clean, &whole_overflow);
  run (data, size, max_line, chunks, n_chunks, &chunked, &chunked_clean, &chunked_overflow);

  g_assert_cmpint (whole_overflow, ==, chunked_overflow);
  if (!whole_overflow)
    {
      g_assert_cmpint (whole_clean, ==, chunked_clean);
      g_assert_cmpuint (whole.n_events, ==, chunked.n_events);
      g_assert_cmpstr (whole.log->str, ==, chunked.log->str);
    }

  g_string_free (whole.log, TRUE);
  g_string_free (chunked.log, TRUE);
  return 0;
}
