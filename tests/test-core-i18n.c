/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-core-i18n"

#include "config.h"

#include <locale.h>
#include <libintl.h>
#include <string.h>

#include <glib/gstdio.h>

#include "clair-dataset.h"
#include "clair-error.h"
#include "clair-project.h"

/* Core's errors come out in the user's language, with the catalogues built in BUILDDIR/po: a German
 * or French window, or a CLI run in that language, does not show English errors. The program binds
 * the catalogue but never calls textdomain(): core looks its messages up in "clair-studio" by name,
 * whatever the program's own text domain. */

typedef struct
{
  const char *language;
  const char *missing_project;   /* "Project “%s” does not exist" */
  const char *bad_jsonl;         /* the start of the error for a JSON lines file with a typo */
  const char *expected_true;     /* part of the reason */
} Expected;

static const Expected expected[] = {
  { "de", "Das Projekt „%s“ existiert nicht",
    "Die Spalten einer JSON-Lines-Datei (ein Objekt pro Zeile) konnten nicht ermittelt werden: ",
    "„true“ erwartet" },
  { "fr", "Le projet « %s » n’existe pas",
    "Impossible de connaître les colonnes d’un fichier JSON Lines (un objet par ligne) : ",
    "« true » attendu" },
  { "C", "Project “%s” does not exist",
    "Could not learn the columns of a JSON lines file (one object per line): ",
    "expected “true”" },
};

static void
use_language (const char *language)
{
  /* gettext rereads LANGUAGE after setlocale(); LC_ALL stays C.UTF-8, which (unlike C) lets
   * LANGUAGE choose the catalogue. "C" means no translation. */
  if (g_strcmp0 (language, "C") == 0)
    g_unsetenv ("LANGUAGE");
  else
    g_setenv ("LANGUAGE", language, TRUE);
  setlocale (LC_ALL, "");
}

static void
test_core_errors_translated (gconstpointer data)
{
  const Expected *lang = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clair-core-i18n-XXXXXX", NULL);
  g_autofree char *project_path = g_build_filename (dir, "missing.clair", NULL);
  g_autofree char *dataset_path = g_build_filename (dir, "typo.jsonl", NULL);
  g_auto(GStrv) parts = NULL;
  g_autofree char *message = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(ClairDataset) dataset = NULL;

  g_assert_nonnull (dir);
  use_language (lang->language);

  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_READ_ONLY, &error);
  g_assert_null (project);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  parts = g_strsplit (lang->missing_project, "%s", 2);
  message = g_strjoinv (project_path, parts);
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);

  /* A message built from a translated frame and a translated reason (clair-jscan.c). */
  g_assert_true (g_file_set_contents (dataset_path, "{\"task\": tru, \"answer\": \"b\"}\n", -1, NULL));
  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_null (dataset);
  g_assert_nonnull (error);
  g_test_message ("%s: %s", lang->language, error->message);
  g_assert_true (g_str_has_prefix (error->message, lang->bad_jsonl));
  g_assert_nonnull (strstr (error->message, lang->expected_true));

  g_unlink (dataset_path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, CLAIR_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = g_strdup_printf ("/i18n/core-errors/%s", expected[i].language);
      g_test_add_data_func (path, &expected[i], test_core_errors_translated);
    }
  return g_test_run ();
}
