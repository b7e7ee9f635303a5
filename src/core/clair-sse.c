/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-sse"

#include "config.h"

#include <string.h>

#include "clair-error.h"
#include "clair-i18n.h"
#include "clair-sse.h"

struct _ClairSseParser
{
  ClairSseEventFunc  func;
  gpointer           user_data;
  gsize              max_line;
  GString           *line;       /* the current, unfinished line */
  GString           *data;       /* data of the current event */
  char              *event;      /* "event:" of the current event */
  guint64            n_events;
  guint              has_data : 1;
  guint              after_cr : 1;   /* the last byte was CR: a following LF belongs to it */
  guint              stopped : 1;
};

ClairSseParser *
clair_sse_parser_new (gsize             max_line,
                      ClairSseEventFunc func,
                      gpointer          user_data)
{
  ClairSseParser *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (ClairSseParser, 1);
  self->func = func;
  self->user_data = user_data;
  self->max_line = max_line > 0 ? max_line : 16 * 1024 * 1024;
  self->line = g_string_sized_new (256);
  self->data = g_string_sized_new (256);
  return self;
}

void
clair_sse_parser_free (ClairSseParser *self)
{
  if (self == NULL)
    return;
  g_string_free (self->line, TRUE);
  g_string_free (self->data, TRUE);
  g_free (self->event);
  g_free (self);
}

guint64
clair_sse_parser_get_n_events (ClairSseParser *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_events;
}

static gboolean
dispatch (ClairSseParser *self)
{
  gboolean go_on = TRUE;

  if (self->has_data)
    {
      self->n_events++;
      go_on = self->func (self->event, self->data->str, self->data->len, self->user_data);
    }
  g_string_truncate (self->data, 0);
  g_clear_pointer (&self->event, g_free);
  self->has_data = FALSE;
  return go_on;
}

/* Handles one complete line (without its end). Returns FALSE when the callback stopped. */
static gboolean
process_line (ClairSseParser *self,
              const char     *line,
              gsize           len,
              GError        **error)
{
  const char *colon;
  const char *value;
  gsize name_len;
  gsize value_len;

  if (len == 0)
    return dispatch (self);
  if (line[0] == ':')
    return TRUE;

  colon = memchr (line, ':', len);
  if (colon != NULL)
    {
      name_len = colon - line;
      value = colon + 1;
      value_len = len - name_len - 1;
      if (value_len > 0 && value[0] == ' ')
        {
          value++;
          value_len--;
        }
    }
  else
    {
      name_len = len;
      value = line + len;
      value_len = 0;
    }

  if (name_len == 4 && memcmp (line, "data", 4) == 0)
    {
      if (self->data->len + value_len + 1 > self->max_line)
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                       _("The server sent a streamed event larger than %zu bytes"),
                       self->max_line);
          return FALSE;
        }
      if (self->has_data)
        g_string_append_c (self->data, '\n');
      g_string_append_len (self->data, value, value_len);
      self->has_data = TRUE;
    }
  else if (name_len == 5 && memcmp (line, "event", 5) == 0)
    {
      g_free (self->event);
      self->event = g_strndup (value, value_len);
    }
  /* "id", "retry" and unknown fields are ignored: nothing here reconnects. */
  return TRUE;
}

gboolean
clair_sse_parser_feed (ClairSseParser *self,
                       const char     *buf,
                       gsize           len,
                       GError        **error)
{
  const char *p = buf;
  const char *end = buf + len;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (buf != NULL || len == 0, FALSE);

  if (self->stopped)
    return FALSE;

  while (p < end)
    {
      const char *eol;
      const char *cr;
      const char *lf;

      if (self->after_cr)
        {
          self->after_cr = FALSE;
          if (*p == '\n')
            {
              p++;
              continue;
            }
        }

      lf = memchr (p, '\n', end - p);
      cr = memchr (p, '\r', (lf ? lf : end) - p);
      eol = cr ? cr : lf;

      if (eol == NULL)
        {
          if (self->line->len + (end - p) > self->max_line)
            {
              g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                           _("The server sent a streamed line longer than %zu bytes"),
                           self->max_line);
              self->stopped = TRUE;
              return FALSE;
            }
          g_string_append_len (self->line, p, end - p);
          break;
        }

      if (self->line->len + (eol - p) > self->max_line)
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                       _("The server sent a streamed line longer than %zu bytes"),
                       self->max_line);
          self->stopped = TRUE;
          return FALSE;
        }

      if (self->line->len > 0)
        {
          gboolean ok;

          g_string_append_len (self->line, p, eol - p);
          ok = process_line (self, self->line->str, self->line->len, error);
          g_string_truncate (self->line, 0);
          if (!ok)
            {
              self->stopped = TRUE;
              return FALSE;
            }
        }
      else if (!process_line (self, p, eol - p, error))
        {
          self->stopped = TRUE;
          return FALSE;
        }

      self->after_cr = *eol == '\r';
      p = eol + 1;
    }

  return TRUE;
}

gboolean
clair_sse_parser_finish (ClairSseParser *self)
{
  gboolean clean;

  g_return_val_if_fail (self != NULL, FALSE);

  clean = self->line->len == 0 && !self->has_data;
  g_string_truncate (self->line, 0);
  g_string_truncate (self->data, 0);
  g_clear_pointer (&self->event, g_free);
  self->has_data = FALSE;
  return clean;
}
