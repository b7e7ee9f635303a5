/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-i18n"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <adwaita.h>

#include "clair-application.h"
#include "clair-window.h"

/* The main window under LANGUAGE=de (and fr), with the catalogues built in BUILDDIR/po: its visible
 * labels come out translated. Runs under Xvfb:
 *   xvfb-run -a dbus-run-session -- meson test -C BUILDDIR test-i18n */

static void
collect_texts (GtkWidget *widget,
               GPtrArray *texts)
{
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_label (GTK_LABEL (widget))));
  else if (ADW_IS_STATUS_PAGE (widget))
    {
      g_ptr_array_add (texts, g_strdup (adw_status_page_get_title (ADW_STATUS_PAGE (widget))));
      if (adw_status_page_get_description (ADW_STATUS_PAGE (widget)) != NULL)
        g_ptr_array_add (texts,
                         g_strdup (adw_status_page_get_description (ADW_STATUS_PAGE (widget))));
    }
  if (gtk_widget_get_tooltip_text (widget) != NULL)
    g_ptr_array_add (texts, g_strdup (gtk_widget_get_tooltip_text (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_texts (child, texts);
}

static gboolean
has_text (GPtrArray  *texts,
          const char *text)
{
  return g_ptr_array_find_with_equal_func (texts, text, g_str_equal, NULL);
}

typedef struct
{
  const char *language;
  const char *title;         /* "Open a Dataset" in that language */
  const char *open_button;   /* "_Open…" */
  const char *tooltip;       /* "Open a Dataset or Project (Ctrl+O)" */
} Expected;

static const Expected expected[] = {
  { "de", "Datensatz öffnen", "_Öffnen…", "Datensatz oder Projekt öffnen (Strg+O)" },
  { "fr", "Ouvrir un jeu de données", "_Ouvrir…", "Ouvrir un jeu de données ou un projet (Ctrl+O)" },
};

/* One application for the whole program: its id can be registered on the bus only once. */
static ClairApplication *app;

static void
test_window_translated (gconstpointer data)
{
  const Expected *lang = data;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *window;

  /* Switch the catalogue: gettext rereads LANGUAGE after setlocale(). */
  g_setenv ("LANGUAGE", lang->language, TRUE);
  setlocale (LC_ALL, "");

  window = GTK_WIDGET (clair_window_new (app));
  collect_texts (window, texts);
  gtk_window_destroy (GTK_WINDOW (window));

  g_assert_true (has_text (texts, lang->title));
  g_assert_true (has_text (texts, lang->open_button));
  g_assert_true (has_text (texts, lang->tooltip));
  g_assert_false (has_text (texts, "Open a Dataset"));
  g_assert_false (has_text (texts, "_Open…"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *schemas = g_build_filename (CLAIR_BUILD_ROOT, "data", NULL);
  g_autoptr(GError) error = NULL;
  int status;

  /* LANGUAGE is ignored in the plain C locale; C.UTF-8 is always there. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, CLAIR_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  app = clair_application_new ();
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = g_strdup_printf ("/i18n/window/%s", expected[i].language);
      g_test_add_data_func (path, &expected[i], test_window_translated);
    }

  status = g_test_run ();
  g_clear_object (&app);
  return status;
}
