/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-studio"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "clair-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ClairApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Run from the build directory, the program finds the schema compiled there. */
  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL)
    {
      g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
      g_autofree char *dir = exe ? g_path_get_dirname (exe) : NULL;

      if (dir != NULL && g_str_equal (dir, CLAIR_BUILD_APP_DIR))
        g_setenv ("GSETTINGS_SCHEMA_DIR", CLAIR_BUILD_SCHEMA_DIR, TRUE);
    }

  app = clair_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
