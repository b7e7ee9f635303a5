/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cell-text"

#include "config.h"

#include <adwaita.h>

#include "clair-cell-text.h"

/* ClairCellText, the row list's text cell, in a real window under Xvfb: sized from the font
 * whatever its text, named by its text for assistive technologies, drawn. */

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
measure (GtkWidget *widget,
         int       *min_width,
         int       *nat_width,
         int       *height)
{
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, min_width, nat_width, NULL, NULL);
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, height, NULL, NULL, NULL);
}

#define LONG_TASK "A task far longer than the cell, which ends in an ellipsis, not in a wider list"

static void
test_size_from_font (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *cell = clair_cell_text_new ();
  GtkWidget *other = clair_cell_text_new ();
  int min, nat, height, long_min, long_nat, long_height, other_min, other_nat, other_height;

  g_object_ref_sink (cell);
  g_object_ref_sink (other);
  clair_cell_text_set_chars (CLAIR_CELL_TEXT (cell), 8, 120);
  clair_cell_text_set_ellipsize (CLAIR_CELL_TEXT (cell), TRUE);
  gtk_box_append (GTK_BOX (box), cell);
  gtk_box_append (GTK_BOX (box), other);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 200, 100);
  gtk_window_present (GTK_WINDOW (window));
  iterate_for (200);

  /* A line's height, a width in characters: the same for a short text and a long one. */
  clair_cell_text_set_text (CLAIR_CELL_TEXT (cell), "Hi");
  measure (cell, &min, &nat, &height);
  g_assert_cmpint (height, >, 5);
  g_assert_cmpint (min, >, 8 * 3);
  g_assert_cmpint (nat, >=, 14 * min);
  g_assert_cmpint (nat, <=, 16 * min);
  clair_cell_text_set_text (CLAIR_CELL_TEXT (cell), LONG_TASK);
  measure (cell, &long_min, &long_nat, &long_height);
  g_assert_cmpint (long_min, ==, min);
  g_assert_cmpint (long_nat, ==, nat);
  g_assert_cmpint (long_height, ==, height);
  /* No characters asked for: no width; the same line height as every cell. */
  measure (other, &other_min, &other_nat, &other_height);
  g_assert_cmpint (other_min, ==, 0);
  g_assert_cmpint (other_nat, ==, 0);
  g_assert_cmpint (other_height, ==, height);

  /* The text is the cell's accessible name, and follows it. */
  g_assert_cmpstr (clair_cell_text_get_text (CLAIR_CELL_TEXT (cell)), ==, LONG_TASK);
  clair_cell_text_set_text (CLAIR_CELL_TEXT (other), "0.86");
  g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (other), GTK_ACCESSIBLE_ROLE_LABEL));
  {
    g_autofree char *mismatch = NULL;

    mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (other),
                                                   GTK_ACCESSIBLE_PROPERTY_LABEL, "0.86");

    g_assert_null (mismatch);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  iterate_for (50);
  g_assert_finalize_object (cell);
  g_assert_finalize_object (other);
}

/* Drawn: the text's pixels differ from an empty cell's, and a search mark shows as its
 * background. */
static void
test_draws_text (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *cell = clair_cell_text_new ();
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
  PangoAttribute *mark = pango_attr_background_new (0xffff, 0, 0);

  g_object_ref_sink (cell);
  clair_cell_text_set_chars (CLAIR_CELL_TEXT (cell), 10, 10);
  gtk_window_set_child (GTK_WINDOW (window), cell);
  gtk_window_present (GTK_WINDOW (window));
  iterate_for (200);

  paintable = gtk_widget_paintable_new (cell);
  gdk_paintable_snapshot (paintable, snapshot, 100, 30);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_null (node);

  clair_cell_text_set_text (CLAIR_CELL_TEXT (cell), "0.86");
  mark->start_index = 0;
  mark->end_index = 1;
  pango_attr_list_insert (attrs, mark);
  clair_cell_text_set_attributes (CLAIR_CELL_TEXT (cell), attrs);
  iterate_for (100);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, 100, 30);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  /* A text node for the glyphs, a colour node for the mark. */
  {
    g_autoptr(GBytes) bytes = gsk_render_node_serialize (node);
    const char *text = g_bytes_get_data (bytes, NULL);

    g_assert_nonnull (g_strstr_len (text, g_bytes_get_size (bytes), "text {"));
    g_assert_nonnull (g_strstr_len (text, g_bytes_get_size (bytes), "color {"));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  iterate_for (50);
  g_clear_object (&paintable);
  g_assert_finalize_object (cell);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/cell-text/size-from-font", test_size_from_font);
  g_test_add_func ("/cell-text/draws-text", test_draws_text);
  return g_test_run ();
}
