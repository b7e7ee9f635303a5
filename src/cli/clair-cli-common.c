/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-escape.h"

/* The helpers both programs link: `clair` (clair-launch.c), which runs `clair diff` itself and so
 * must not load the project and dataset code (SQLite, JSON-GLib), and clair-full with every other
 * command. Nothing here may call into those: what needs them is in clair-cli.c.
 *
 * The CLI's names for clair_escape_controls(): every printed text from outside goes through one of
 * these (see clair-escape.c for what is escaped and why). */

char *
clair_cli_escape (const char *text)
{
  return clair_escape_controls (text, CLAIR_ESCAPE_LINE);
}

char *
clair_cli_escape_block (const char *text)
{
  return clair_escape_controls (text, CLAIR_ESCAPE_BLOCK);
}

/* One line on stderr, "PREFIX: MESSAGE": scripts read the first line of stderr as the reason.
 * Escaping the newlines too (not only the controls a terminal acts on) keeps it one, and shows
 * where a name, the command line or a server's message held one. */
static void
print_reason (const char *prefix,
              const char *format,
              va_list     args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);
  g_autofree char *escaped = clair_cli_escape (message);

  fprintf (stderr, "%s: %s\n", prefix, escaped);
}

int
clair_cli_fail (const char *format,
                ...)
{
  va_list args;

  va_start (args, format);
  print_reason ("clair", format, args);
  va_end (args);
  return CLAIR_EXIT_FAILURE;
}

int
clair_cli_usage_error (const char *subcommand,
                       const char *format,
                       ...)
{
  g_autofree char *prefix = g_strdup_printf ("clair %s", subcommand);
  va_list args;

  va_start (args, format);
  print_reason (prefix, format, args);
  va_end (args);
  fprintf (stderr, _("Run “clair %s --help” for usage.\n"), subcommand);
  return CLAIR_EXIT_USAGE;
}

int
clair_cli_parse (GOptionContext   *context,
                 const char       *subcommand,
                 int              *argc,
                 char           ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("clair %s", subcommand);

  g_set_prgname (prgname);
  if (!g_option_context_parse (context, argc, argv, &error))
    return clair_cli_usage_error (subcommand, "%s", error->message);

  return -1;
}
