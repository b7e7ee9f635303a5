/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "clair-cli.h"

int
clair_cli_fail (const char *format,
                ...)
{
  g_autofree char *message = NULL;
  g_autofree char *escaped = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line: scripts read the first line of stderr as the reason. Escaping the newlines too (not
   * only the controls a terminal acts on) keeps it one, and shows where a name or a server's
   * message held one. */
  escaped = clair_cli_escape (message);
  fprintf (stderr, "clair: %s\n", escaped);
  return CLAIR_EXIT_FAILURE;
}

int
clair_cli_usage_error (const char *subcommand,
                       const char *format,
                       ...)
{
  g_autofree char *message = NULL;
  g_autofree char *escaped = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Option errors quote the command line, and many messages quote a file name. */
  escaped = clair_cli_escape (message);
  fprintf (stderr, "clair %s: %s\n", subcommand, escaped);
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

gboolean
clair_cli_parse_range (const char *text,
                       guint      *first,
                       guint      *last)
{
  const char *dash;
  char *end = NULL;
  guint64 a = 0, b = G_MAXUINT;

  g_return_val_if_fail (text != NULL, FALSE);

  dash = strchr (text, '-');
  if (dash == NULL)
    {
      if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT - 1, &a, NULL))
        return FALSE;
      *first = *last = (guint) a;
      return TRUE;
    }

  if (dash > text)
    {
      g_autofree char *left = g_strndup (text, dash - text);
      if (!g_ascii_string_to_unsigned (left, 10, 0, G_MAXUINT - 1, &a, NULL))
        return FALSE;
    }
  if (dash[1] != '\0')
    {
      b = g_ascii_strtoull (dash + 1, &end, 10);
      if (end == NULL || *end != '\0' || b >= G_MAXUINT)
        return FALSE;
    }
  if (dash == text && dash[1] == '\0')
    return FALSE;
  if (a > b)
    return FALSE;

  *first = (guint) a;
  *last = (guint) b;
  return TRUE;
}

ClairProject *
clair_cli_open_project (const char *path,
                        gboolean    writable)
{
  g_autoptr(GError) error = NULL;
  ClairProject *project;

  project = clair_project_open (path,
                                writable ? CLAIR_PROJECT_OPEN_DEFAULT : CLAIR_PROJECT_OPEN_READ_ONLY,
                                &error);
  if (project == NULL)
    clair_cli_fail ("%s", error->message);
  return project;
}
