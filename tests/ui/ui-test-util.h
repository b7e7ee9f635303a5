/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the UI tests (tests/ui/): running the main loop, waiting for a condition,
 * windows, screenshots, and the test server's edit. Static inline, so a test that leaves one
 * unused still builds warning-free.
 *
 * How long the loops pause between two iterations, in microseconds; a test may define these
 * before including this header (test-app-scale polls more often). */
#ifndef UI_TEST_ITERATE_PAUSE_US
#define UI_TEST_ITERATE_PAUSE_US 0
#endif
#ifndef UI_TEST_WAIT_PAUSE_US
#define UI_TEST_WAIT_PAUSE_US 500
#endif

#include <adwaita.h>
#include <string.h>

#include "../test-util.h"
#include "clair-row-list-pane.h"
#include "clair-run-bar.h"
#include "clair-window.h"

/* Runs the default main context for @ms milliseconds (at least one iteration). */
static inline void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  do
    {
      g_main_context_iteration (NULL, FALSE);
      if (UI_TEST_ITERATE_PAUSE_US > 0)
        g_usleep (UI_TEST_ITERATE_PAUSE_US);
    }
  while (g_get_monotonic_time () < end);
}

typedef gboolean (*Condition) (gpointer data);

/* Runs the default main context until @condition holds (TRUE) or @timeout_ms pass (FALSE). */
static inline gboolean
wait_until (Condition condition,
            gpointer  data,
            guint     timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (UI_TEST_WAIT_PAUSE_US);
    }
  return TRUE;
}

static inline gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Destroys @window and asserts that it is finalised. */
static inline void
destroy_and_finalize (gpointer window)
{
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  iterate_for (50);
  g_assert_finalize_object (window);
}

/* Renders @widget into a PNG named @name in CLAIR_SCREENSHOT_DIR (or the temporary directory). */
static inline void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  int width = 0, height = 0;

  /* A window just shown may not have been laid out and drawn yet on a busy machine: wait for
   * it (up to 10 s) rather than photograph nothing. */
  for (guint tries = 0; node == NULL && tries < 200; tries++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      /* The paintable's own size: a window's takes in its shadow, and drawn at the window's
       * size it was scaled down by a percent or two, which blurred one-pixel lines in the
       * picture (rows 20 px apart came out 19.75 px apart) that the window itself draws sharp. */
      width = gdk_paintable_get_intrinsic_width (paintable);
      height = gdk_paintable_get_intrinsic_height (paintable);
      if (width > 0 && height > 0 && gtk_widget_get_mapped (widget))
        {
          gdk_paintable_snapshot (paintable, snapshot, width, height);
          node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
        }
      if (node == NULL)
        iterate_for (50);
    }
  g_assert_cmpint (width, >, 0);
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (g_getenv ("CLAIR_SCREENSHOT_DIR") ? g_getenv ("CLAIR_SCREENSHOT_DIR") : g_get_tmp_dir (),
                           name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* The first widget under @root that activates @action (a button's action-name), or NULL: tests
 * look at the window as a user does, not at its private members. */
static inline GtkWidget *
find_actionable (GtkWidget  *root,
                 const char *action)
{
  if (GTK_IS_ACTIONABLE (root) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_actionable (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The first widget under @root (itself included) whose accessible label is @label: controls are
 * found as a screen reader names them. GTK 4.8 has no getter for an accessible property; the test
 * context (GTK_A11Y=test, as tests/ui/meson.build sets it) compares it. */
static inline GtkWidget *
find_by_label (GtkWidget  *root,
               const char *label)
{
  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL))
    {
      g_autofree char *differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (root),
                                                                     GTK_ACCESSIBLE_PROPERTY_LABEL, label);

      if (differs == NULL)
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_label (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The same, asserted to exist. */
static inline GtkWidget *
get_by_label (gpointer    root,
              const char *label)
{
  GtkWidget *found = find_by_label (GTK_WIDGET (root), label);

  if (found == NULL)
    g_error ("No widget labelled “%s”", label);
  return found;
}

/* The first widget of @type under @root (itself included), or NULL. */
static inline GtkWidget *
find_by_type (GtkWidget *root,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static inline gboolean
row_list_settled (gpointer window)
{
  return !clair_row_list_pane_get_pending (CLAIR_ROW_LIST_PANE (clair_window_get_row_list_pane (window)));
}

/* The decision the window's list shows for row @index, once the list has settled (the row is
 * asserted to be shown). */
static inline ClairDecision
list_decision (gpointer window,
               guint    index)
{
  GListModel *rows = clair_window_get_rows (window);

  g_assert_true (wait_until (row_list_settled, window, 10000));
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(ClairRowItem) item = g_list_model_get_item (rows, i);

      if (clair_row_item_get_index (item) == index)
        return clair_row_item_get_decision (item);
    }
  g_error ("Row %u is not in the list", index);
}

static inline ClairRowListPane *
row_list (gpointer window)
{
  return CLAIR_ROW_LIST_PANE (clair_window_get_row_list_pane (window));
}

/* The run controls of @window's header bar. */
static inline ClairRunBar *
run_bar (gpointer window)
{
  GtkWidget *bar = find_by_type (GTK_WIDGET (window), CLAIR_TYPE_RUN_BAR);

  g_assert_nonnull (bar);
  return CLAIR_RUN_BAR (bar);
}

static inline GtkMenuButton *
stats_button (gpointer window)
{
  return GTK_MENU_BUTTON (get_by_label (window, "Project statistics"));
}

typedef struct
{
  GType    type;
  gpointer found;
} FindWindow;

static inline gboolean
window_for_type (gpointer data)
{
  FindWindow *find = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, find->type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          find->found = window;
          return TRUE;
        }
    }
  return FALSE;
}

/* The visible toplevel of @type, waited for up to @timeout_ms (asserted). */
static inline gpointer
find_window (GType type,
             guint timeout_ms)
{
  FindWindow find = { type, NULL };

  g_assert_true (wait_until (window_for_type, &find, timeout_ms));
  return find.found;
}

static inline gboolean
window_has_rows (gpointer data)
{
  ClairWindow *window = data;

  return clair_window_get_project (window) != NULL && !clair_window_get_busy (window) &&
         g_list_model_get_n_items (clair_window_get_rows (window)) > 0;
}

/* A 1280×800 main window, with @project_path (if not NULL) open and its rows loaded. */
static inline ClairWindow *
open_window (const char *project_path)
{
  ClairWindow *window = clair_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  if (project_path)
    {
      clair_window_open_project (window, project_path);
      g_assert_true (wait_until (window_has_rows, window, 10000));
    }
  iterate_for (100);
  return window;
}

/* The test server's edit (tests/clair-test-server.c, minimal_edit), written out again here so
 * the tests check the app's output against an independent expectation. */
static inline char *
server_edit (const char *solution)
{
  GString *out = g_string_new (NULL);
  gboolean changed = FALSE;

  for (const char *p = solution; *p; p++)
    {
      if (*p == ' ' && p[1] == ' ')
        {
          changed = TRUE;
          continue;
        }
      g_string_append_c (out, *p);
    }
  if (out->len > 0 && g_ascii_islower (out->str[0]))
    {
      out->str[0] = g_ascii_toupper (out->str[0]);
      changed = TRUE;
    }
  while (out->len > 0 && g_ascii_isspace (out->str[out->len - 1]))
    g_string_truncate (out, out->len - 1);
  if (out->len == 0 || strchr (".!?", out->str[out->len - 1]) == NULL)
    {
      g_string_append_c (out, '.');
      changed = TRUE;
    }
  if (!changed)
    g_string_append (out, " That is the whole answer.");
  return g_string_free (out, FALSE);
}
