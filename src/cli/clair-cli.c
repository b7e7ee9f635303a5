/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "clair-cli.h"

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

gboolean
clair_cli_is_project_file (const char *path)
{
  static const char magic[] = "SQLite format 3";
  char header[sizeof magic] = { 0 };
  FILE *file;
  gboolean is_sqlite = FALSE;

  g_return_val_if_fail (path != NULL, FALSE);

  /* Opening a FIFO for reading blocks until something writes to it: leave anything that is not a
   * regular file to the dataset import, which refuses it with a clear message. */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  file = fopen (path, "rb");
  if (file == NULL)
    return FALSE;
  if (fread (header, 1, sizeof header, file) == sizeof header)
    is_sqlite = memcmp (header, magic, sizeof magic) == 0;
  fclose (file);
  return is_sqlite;
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
