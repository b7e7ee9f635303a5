/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "clair-cli.h"

/* The `clair` command. `clair diff` runs here, in a program that links only what the diff needs
 * (GLib and GObject), so a diff starts in about a millisecond instead of the three and a half that
 * loading GIO, SQLite, JSON-GLib, libsoup and their dependencies take. Every other command, and
 * --help and --version, replaces this process with the full tool (clair-full, built from clair.c):
 * same process id, arguments, environment and exit status.
 *
 * clair-full is looked for next to this program (the build tree), then at CLAIR_FULL_RELATIVE from
 * it (an installed tree, wherever it was moved or staged with DESTDIR), then at CLAIR_FULL_PATH. */

static char *
find_full_tool (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  const char *candidates[3] = { NULL, NULL, CLAIR_FULL_PATH };
  g_autofree char *sibling = NULL;
  g_autofree char *relative = NULL;

  if (dir != NULL)
    {
      sibling = g_build_filename (dir, "clair-full", NULL);
      relative = g_build_filename (dir, CLAIR_FULL_RELATIVE, NULL);
      candidates[0] = sibling;
      candidates[1] = relative;
    }
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (candidates[i] != NULL && g_file_test (candidates[i], G_FILE_TEST_IS_EXECUTABLE))
      return g_strdup (candidates[i]);
  return g_strdup (CLAIR_FULL_PATH);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *full = NULL;

  if (argc >= 2 && strcmp (argv[1], "diff") == 0)
    {
      /* As clair.c's main() does before it dispatches. */
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
      g_set_prgname ("clair");
      return clair_cmd_diff (argc - 1, argv + 1);
    }

  full = find_full_tool ();
  execv (full, argv);
  return clair_cli_fail ("cannot run %s: %s; the installation is incomplete, "
                         "reinstall CLAIR Studio", full, g_strerror (errno));
}
