/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-diff-view"

#include "config.h"

#include <adwaita.h>

#include "clair-diff-view.h"

/* ClairDiffView in a real window under Xvfb. */

static GtkWidget *
window_with_view (ClairDiffView **out_view,
                  int             width,
                  int             height)
{
  GtkWidget *window = gtk_window_new ();
  ClairDiffView *view = CLAIR_DIFF_VIEW (clair_diff_view_new ());

  g_object_ref_sink (view);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  *out_view = view;
  return window;
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static void
close_and_finalize (GtkWidget     *window,
                    ClairDiffView *view)
{
  gtk_window_destroy (GTK_WINDOW (window));
  iterate_for (10);
  g_assert_finalize_object (view);
}

/* "start-end,start-end" of the ranges @tag_name covers in @buffer, in characters. */
static char *
tag_ranges (GtkSourceBuffer *buffer,
            const char      *tag_name)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (GTK_TEXT_BUFFER (buffer)), tag_name);
  GString *out = g_string_new (NULL);
  GtkTextIter iter;

  g_assert_nonnull (tag);
  gtk_text_buffer_get_start_iter (GTK_TEXT_BUFFER (buffer), &iter);
  while (TRUE)
    {
      int start;

      if (!gtk_text_iter_starts_tag (&iter, tag) && !gtk_text_iter_forward_to_tag_toggle (&iter, tag))
        break;
      if (!gtk_text_iter_has_tag (&iter, tag))
        continue;
      start = gtk_text_iter_get_offset (&iter);
      gtk_text_iter_forward_to_tag_toggle (&iter, tag);
      g_string_append_printf (out, "%s%d-%d", out->len ? "," : "", start, gtk_text_iter_get_offset (&iter));
    }
  return g_string_free (out, FALSE);
}

static char *
buffer_text (GtkSourceBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (buffer), &start, &end);
  return gtk_text_buffer_get_text (GTK_TEXT_BUFFER (buffer), &start, &end, TRUE);
}

static void
test_tags (void)
{
  ClairDiffView *view;
  GtkWidget *window = window_with_view (&view, 600, 300);
  g_autofree char *deleted = NULL;
  g_autofree char *inserted = NULL;
  g_autofree char *deleted_chars = NULL;
  g_autofree char *inserted_chars = NULL;

  /* "é" is one character: offsets are in characters, not bytes. */
  clair_diff_view_set_texts (view, "Thé cat sat on the mat. The colour is grey.",
                                   "Thé dog sat on the mat. The color is grey!");
  deleted = tag_ranges (clair_diff_view_get_original_buffer (view), "diff-delete");
  inserted = tag_ranges (clair_diff_view_get_revision_buffer (view), "diff-insert");
  deleted_chars = tag_ranges (clair_diff_view_get_original_buffer (view), "diff-delete-char");
  inserted_chars = tag_ranges (clair_diff_view_get_revision_buffer (view), "diff-insert-char");
  g_assert_cmpstr (deleted, ==, "4-7,28-34,42-43");
  g_assert_cmpstr (inserted, ==, "4-7,28-33,41-42");
  /* cat → dog shares nothing: all of it is changed; colour → color loses its u. */
  g_assert_cmpstr (deleted_chars, ==, "4-7,32-33,42-43");
  g_assert_cmpstr (inserted_chars, ==, "4-7,41-42");
  g_assert_cmpuint (clair_diff_view_get_n_changes (view), ==, 3);

  /* The highlighting language is Markdown. */
  g_assert_cmpstr (gtk_source_language_get_id (gtk_source_buffer_get_language (clair_diff_view_get_original_buffer (view))),
                   ==, "markdown");

  close_and_finalize (window, view);
}

static char *
long_text (gboolean revised)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < 120; i++)
    {
      if (revised && (i == 10 || i == 60 || i == 110))
        g_string_append_printf (out, "Line %u says something revised.\n", i);
      else
        g_string_append_printf (out, "Line %u says something original.\n", i);
    }
  return g_string_free (out, FALSE);
}

static gboolean
offset_visible (GtkSourceView *view,
                int            offset)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GdkRectangle visible, location;
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_offset (buffer, &iter, offset);
  gtk_text_view_get_visible_rect (GTK_TEXT_VIEW (view), &visible);
  gtk_text_view_get_iter_location (GTK_TEXT_VIEW (view), &iter, &location);
  return location.y >= visible.y && location.y + location.height <= visible.y + visible.height;
}

/* Waits (2 s at most) for both sides to show line @line of the revision, where its change is. */
static void
wait_for_change_shown (ClairDiffView *view,
                       int            line_number)
{
  GtkTextBuffer *revision = GTK_TEXT_BUFFER (clair_diff_view_get_revision_buffer (view));
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  GtkTextIter line;

  gtk_text_buffer_get_iter_at_line (revision, &line, line_number);
  gtk_text_iter_forward_chars (&line, strlen ("Line 10 says something "));
  while (g_get_monotonic_time () < deadline
         && !(offset_visible (clair_diff_view_get_revision_view (view), gtk_text_iter_get_offset (&line))
              && offset_visible (clair_diff_view_get_original_view (view), gtk_text_iter_get_offset (&line))))
    g_main_context_iteration (NULL, FALSE);
  iterate_for (50);
  g_assert_true (offset_visible (clair_diff_view_get_revision_view (view), gtk_text_iter_get_offset (&line)));
  g_assert_true (offset_visible (clair_diff_view_get_original_view (view), gtk_text_iter_get_offset (&line)));
}

static void
test_navigation (void)
{
  ClairDiffView *view;
  GtkWidget *window = window_with_view (&view, 600, 200);
  g_autofree char *a = long_text (FALSE);
  g_autofree char *b = long_text (TRUE);
  int expected_lines[] = { 10, 60, 110 };

  clair_diff_view_set_texts (view, a, b);
  iterate_for (100);
  g_assert_cmpuint (clair_diff_view_get_n_changes (view), ==, 3);
  g_assert_cmpint (clair_diff_view_get_current_change (view), ==, -1);

  for (int i = 0; i < 3; i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "diff.next-change", NULL));
      g_assert_cmpint (clair_diff_view_get_current_change (view), ==, i);
      /* The change is scrolled into view on both sides (scrolling happens at the next layout). */
      wait_for_change_shown (view, expected_lines[i]);
    }
  /* At the last change, next does nothing; previous walks back. */
  gtk_widget_activate_action (GTK_WIDGET (view), "diff.next-change", NULL);
  g_assert_cmpint (clair_diff_view_get_current_change (view), ==, 2);
  gtk_widget_activate_action (GTK_WIDGET (view), "diff.previous-change", NULL);
  g_assert_cmpint (clair_diff_view_get_current_change (view), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (view), "diff.previous-change", NULL);
  g_assert_cmpint (clair_diff_view_get_current_change (view), ==, 0);
  wait_for_change_shown (view, expected_lines[0]);

  /* Scrolling one side brings the other along, anchored on the shared text. */
  {
    GtkAdjustment *left = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (clair_diff_view_get_original_view (view)));
    GtkAdjustment *right = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (clair_diff_view_get_revision_view (view)));

    gtk_adjustment_set_value (left, gtk_adjustment_get_upper (left) / 2);
    iterate_for (50);
    g_assert_cmpfloat (ABS (gtk_adjustment_get_value (right) - gtk_adjustment_get_value (left)), <, 30);
  }

  close_and_finalize (window, view);
}

static void
test_inline (void)
{
  ClairDiffView *view;
  GtkWidget *window = window_with_view (&view, 600, 300);
  g_autofree char *text = NULL;
  g_autofree char *struck = NULL;
  g_autofree char *inserted = NULL;
  GtkTextTag *tag;
  gboolean strikethrough = FALSE;

  clair_diff_view_set_texts (view, "The cat sat.", "The dog sat down.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "diff.inline", NULL));
  g_assert_true (clair_diff_view_get_inline (view));
  text = buffer_text (clair_diff_view_get_inline_buffer (view));
  g_assert_cmpstr (text, ==, "The catdog sat down.");
  struck = tag_ranges (clair_diff_view_get_inline_buffer (view), "diff-delete");
  inserted = tag_ranges (clair_diff_view_get_inline_buffer (view), "diff-insert");
  g_assert_cmpstr (struck, ==, "4-7");
  g_assert_cmpstr (inserted, ==, "7-10,14-19");
  tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (GTK_TEXT_BUFFER (clair_diff_view_get_inline_buffer (view))),
                                   "diff-delete");
  g_object_get (tag, "strikethrough", &strikethrough, NULL);
  g_assert_true (strikethrough);

  clair_diff_view_set_inline (view, FALSE);
  g_assert_false (clair_diff_view_get_inline (view));
  close_and_finalize (window, view);
}

/* Inline, Alt+Down scrolls to each change like the split view does, and never sideways: the
 * lines wrap, so the text keeps its left edge. */
static void
test_inline_navigation (void)
{
  ClairDiffView *view;
  GtkWidget *window = window_with_view (&view, 600, 200);
  g_autofree char *a = long_text (FALSE);
  g_autofree char *b = long_text (TRUE);
  int expected_lines[] = { 10, 60, 110 };
  GtkSourceView *inline_view;
  GtkTextBuffer *buffer;

  clair_diff_view_set_texts (view, a, b);
  clair_diff_view_set_inline (view, TRUE);
  inline_view = clair_diff_view_get_inline_view (view);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (inline_view));
  iterate_for (100);
  for (int i = 0; i < 3; i++)
    {
      gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
      GtkTextIter line;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "diff.next-change", NULL));
      gtk_text_buffer_get_iter_at_line (buffer, &line, expected_lines[i]);
      while (g_get_monotonic_time () < deadline
             && !offset_visible (inline_view, gtk_text_iter_get_offset (&line)))
        g_main_context_iteration (NULL, FALSE);
      iterate_for (50);
      g_assert_true (offset_visible (inline_view, gtk_text_iter_get_offset (&line)));
      g_assert_cmpfloat (gtk_adjustment_get_value (gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (inline_view))),
                         ==, 0);
    }
  close_and_finalize (window, view);
}

static void
count_cb (gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_editing (void)
{
  ClairDiffView *view;
  GtkWidget *window = window_with_view (&view, 600, 300);
  GtkTextBuffer *revision;
  GtkTextIter end;
  guint n_saved = 0;
  g_autofree char *inserted = NULL;
  g_autofree char *text = NULL;
  gint64 deadline;

  clair_diff_view_set_texts (view, "One two three.", "One two three.");
  g_assert_cmpuint (clair_diff_view_get_n_changes (view), ==, 0);
  clair_diff_view_set_editable (view, TRUE);
  g_assert_true (gtk_text_view_get_editable (GTK_TEXT_VIEW (clair_diff_view_get_revision_view (view))));
  g_signal_connect_swapped (view, "revision-changed", G_CALLBACK (count_cb), &n_saved);

  revision = GTK_TEXT_BUFFER (clair_diff_view_get_revision_buffer (view));
  gtk_text_buffer_get_end_iter (revision, &end);
  gtk_text_buffer_insert (revision, &end, " Four", -1);
  /* Nothing happens before the debounce fires. */
  g_assert_cmpuint (clair_diff_view_get_n_changes (view), ==, 0);
  deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (n_saved == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (n_saved, ==, 1);
  g_assert_cmpuint (clair_diff_view_get_n_changes (view), ==, 1);
  inserted = tag_ranges (clair_diff_view_get_revision_buffer (view), "diff-insert");
  g_assert_cmpstr (inserted, ==, "14-19");
  text = clair_diff_view_get_revision_text (view);
  g_assert_cmpstr (text, ==, "One two three. Four");

  close_and_finalize (window, view);
}

static void
test_editing_large_async (void)
{
  ClairDiffView *view;
  GtkWidget *window = window_with_view (&view, 600, 300);
  GString *a = g_string_new (NULL);
  GtkTextBuffer *revision;
  GtkTextIter start;
  gint64 deadline;

  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (a, "word%u ", i);
  /* Large texts are diffed on a worker thread: the count arrives later. */
  clair_diff_view_set_texts (view, a->str, a->str);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  clair_diff_view_set_editable (view, TRUE);
  revision = GTK_TEXT_BUFFER (clair_diff_view_get_revision_buffer (view));
  gtk_text_buffer_get_start_iter (revision, &start);
  gtk_text_buffer_insert (revision, &start, "New ", -1);
  while (clair_diff_view_get_n_changes (view) != 1 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (clair_diff_view_get_n_changes (view), ==, 1);

  g_string_free (a, TRUE);
  close_and_finalize (window, view);
}

static void
test_ignore_whitespace (void)
{
  ClairDiffView *view;
  GtkWidget *window = window_with_view (&view, 600, 300);

  clair_diff_view_set_texts (view, "a  paragraph\nrewrapped", "a paragraph rewrapped");
  g_assert_cmpuint (clair_diff_view_get_n_changes (view), ==, 2);
  g_object_set (view, "ignore-whitespace", TRUE, NULL);
  g_assert_cmpuint (clair_diff_view_get_n_changes (view), ==, 0);
  close_and_finalize (window, view);
}

static void
save_screenshot (GtkWidget  *window,
                 GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  /* At the paintable's own size, so that the picture is not scaled (ui-test-util.h). */
  int width = gdk_paintable_get_intrinsic_width (paintable);
  int height = gdk_paintable_get_intrinsic_height (paintable);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));

  g_assert_cmpint (width, >, 0);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static const char screenshot_original[] =
  "# Photosynthesis\n\n"
  "Plants make their food by **photosynthesis**. They take in carbon dioxide from the air and "
  "water from the soil, and use the energy of sunlight to turn them into glucose and nitrogen.\n\n"
  "- It happens mostly in the leafs.\n"
  "- The green colour comes from chlorophyl.\n\n"
  "Without it, there would be no oxygen in the atmosphere, and most life on Earth would not exist.\n";
static const char screenshot_revision[] =
  "# Photosynthesis\n\n"
  "Plants make their food by **photosynthesis**. They take in carbon dioxide from the air and "
  "water from the soil, and use the energy of sunlight to turn them into glucose and oxygen.\n\n"
  "- It happens mostly in the leaves.\n"
  "- The green colour comes from chlorophyll.\n\n"
  "Without it, there would be almost no oxygen in the atmosphere, and most life on Earth would not exist.\n";

static void
test_screenshot (void)
{
  ClairDiffView *view;
  GtkWidget *window = window_with_view (&view, 1000, 330);

  clair_diff_view_set_texts (view, screenshot_original, screenshot_revision);
  iterate_for (300);
  save_screenshot (window, GTK_WIDGET (view), "diff-view-light.png");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  iterate_for (300);
  save_screenshot (window, GTK_WIDGET (view), "diff-view-dark.png");

  clair_diff_view_set_inline (view, TRUE);
  iterate_for (300);
  save_screenshot (window, GTK_WIDGET (view), "diff-view-inline-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  close_and_finalize (window, view);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  gtk_source_init ();

  g_test_add_func ("/diff-view/tags", test_tags);
  g_test_add_func ("/diff-view/navigation", test_navigation);
  g_test_add_func ("/diff-view/inline", test_inline);
  g_test_add_func ("/diff-view/inline-navigation", test_inline_navigation);
  g_test_add_func ("/diff-view/editing", test_editing);
  g_test_add_func ("/diff-view/editing-large-async", test_editing_large_async);
  g_test_add_func ("/diff-view/ignore-whitespace", test_ignore_whitespace);
  g_test_add_func ("/diff-view/screenshot", test_screenshot);

  return g_test_run ();
}
