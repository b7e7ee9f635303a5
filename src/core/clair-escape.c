/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "clair-escape.h"

/* Keeping hostile text visible. The CLI prints everything from outside through this (a control
 * character reaching the terminal could clear the screen, retitle the window or start a line that
 * looks like our own), and the app puts it in labels, dialogs and toasts the same way, where a
 * control character would otherwise vanish or draw as an unreadable box. */

static void
append_bytes_escaped (GString    *out,
                      const char *bytes,
                      gsize       len)
{
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, "\\x%02x", (guchar) bytes[i]);
}

/* Everything a terminal acts on is shown as a C-style escape, so that what was there stays
 * visible:
 *
 *   - ESC (U+001B) as \e, the one control people recognise by name;
 *   - every other C0 control (U+0000–U+001F) and DEL (U+007F) as \xHH, its byte in lowercase hex,
 *     except the newline and the tab with CLAIR_ESCAPE_BLOCK (a multi-line text shown on purpose);
 *   - every C1 control (U+0080–U+009F) as the \xHH of each of its two UTF-8 bytes (U+009B is
 *     \xc2\x9b), and every byte that is not part of valid UTF-8 as its own \xHH (a lone 0x9B is
 *     \x9b), so the two never look alike.
 *
 * A backslash already in the text is left alone: the escapes are for reading, not for parsing.
 * With CLAIR_ESCAPE_MARKUP the result is also safe inside Pango markup (toasts, rows' titles). */
char *
clair_escape_controls (const char       *text,
                       ClairEscapeFlags  flags)
{
  GString *out;
  const char *p = text;

  if (text == NULL)
    return NULL;

  out = g_string_sized_new (strlen (text));
  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          append_bytes_escaped (out, p, 1);
          p++;
          continue;
        }
      if (c == 0x1b)
        g_string_append (out, "\\e");
      else if ((flags & CLAIR_ESCAPE_BLOCK) && (c == '\n' || c == '\t'))
        g_string_append_c (out, (char) c);
      else if ((flags & CLAIR_ESCAPE_MARKUP) && c == '<')
        g_string_append (out, "&lt;");
      else if ((flags & CLAIR_ESCAPE_MARKUP) && c == '>')
        g_string_append (out, "&gt;");
      else if ((flags & CLAIR_ESCAPE_MARKUP) && c == '&')
        g_string_append (out, "&amp;");
      else if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
        append_bytes_escaped (out, p, g_utf8_next_char (p) - p);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }

  return g_string_free (out, FALSE);
}

