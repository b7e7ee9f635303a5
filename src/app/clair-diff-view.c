/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "clair-diff.h"
#include "clair-diff-view.h"

/* ClairDiffView shows an original answer and its revision side by side, in two GtkSourceViews with
 * Markdown highlighting, the deleted words tagged in the original and the inserted ones in the
 * revision, with the characters that changed inside a replaced word tagged more strongly. The two
 * views scroll together, anchored on the text they share; an overview strip on the right shows
 * where the changes are. It can also show one inline view (deletions struck through, insertions
 * highlighted). The revision side can be made editable: the diff then follows the edits, debounced,
 * and on a worker thread when the texts are long. */

#define DEBOUNCE_MS     150
#define ASYNC_THRESHOLD (32 * 1024)

typedef struct
{
  ClairDiffKind kind;
  int           a0, a1, b0, b1;   /* character offsets */
} OpChars;

typedef struct
{
  int a0, a1, b0, b1;             /* character offsets in the two buffers */
  int i0, i1;                     /* ... and in the inline buffer */
} Change;

/* The overview strip */

#define CLAIR_TYPE_DIFF_OVERVIEW (clair_diff_overview_get_type ())
G_DECLARE_FINAL_TYPE (ClairDiffOverview, clair_diff_overview, CLAIR, DIFF_OVERVIEW, GtkWidget)

typedef struct
{
  double   start;
  double   end;
  gboolean insert;
} OverviewMark;

struct _ClairDiffOverview
{
  GtkWidget  parent_instance;
  GArray    *marks;
  double     view_start;
  double     view_end;
  GdkRGBA    delete_color;
  GdkRGBA    insert_color;
};

G_DEFINE_FINAL_TYPE (ClairDiffOverview, clair_diff_overview, GTK_TYPE_WIDGET)

enum { OVERVIEW_JUMP, N_OVERVIEW_SIGNALS };
static guint overview_signals[N_OVERVIEW_SIGNALS];

static void
clair_diff_overview_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  ClairDiffOverview *self = CLAIR_DIFF_OVERVIEW (widget);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);
  GdkRGBA track = { 0.5f, 0.5f, 0.5f, 0.10f };
  GdkRGBA viewport = { 0.5f, 0.5f, 0.5f, 0.28f };

  gtk_snapshot_append_color (snapshot, &track, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (self->view_end > self->view_start)
    gtk_snapshot_append_color (snapshot, &viewport,
                               &GRAPHENE_RECT_INIT (0, self->view_start * height, width,
                                                    MAX (4, (self->view_end - self->view_start) * height)));
  for (guint i = 0; i < self->marks->len; i++)
    {
      const OverviewMark *mark = &g_array_index (self->marks, OverviewMark, i);
      float y = mark->start * height;
      float h = MAX (3, (mark->end - mark->start) * height);
      float x = mark->insert ? width / 2 : 1;

      gtk_snapshot_append_color (snapshot, mark->insert ? &self->insert_color : &self->delete_color,
                                 &GRAPHENE_RECT_INIT (x, MIN (y, height - h), width / 2 - 1, h));
    }
}

static void
clair_diff_overview_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 12 : 32;
}

static void
overview_pressed_cb (ClairDiffOverview *self,
                     int                n_press,
                     double             x,
                     double             y,
                     GtkGestureClick   *gesture)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  if (height > 0)
    g_signal_emit (self, overview_signals[OVERVIEW_JUMP], 0, y / height);
}

static void
clair_diff_overview_finalize (GObject *object)
{
  ClairDiffOverview *self = CLAIR_DIFF_OVERVIEW (object);

  g_clear_pointer (&self->marks, g_array_unref);
  G_OBJECT_CLASS (clair_diff_overview_parent_class)->finalize (object);
}

static void
clair_diff_overview_class_init (ClairDiffOverviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = clair_diff_overview_finalize;
  widget_class->snapshot = clair_diff_overview_snapshot;
  widget_class->measure = clair_diff_overview_measure;
  gtk_widget_class_set_css_name (widget_class, "clairdiffoverview");

  overview_signals[OVERVIEW_JUMP] =
    g_signal_new ("jump", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_DOUBLE);
}

static void
clair_diff_overview_init (ClairDiffOverview *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->marks = g_array_new (FALSE, FALSE, sizeof (OverviewMark));
  g_signal_connect_swapped (click, "pressed", G_CALLBACK (overview_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), "Changes: deletions left, insertions right");
}

/* The view */

struct _ClairDiffView
{
  GtkWidget          parent_instance;

  GtkWidget         *box;
  GtkWidget         *stack;
  GtkSourceView     *original_view;
  GtkSourceView     *revision_view;
  GtkSourceView     *inline_view;
  GtkSourceBuffer   *original_buffer;
  GtkSourceBuffer   *revision_buffer;
  GtkSourceBuffer   *inline_buffer;
  ClairDiffOverview *overview;

  char              *original_text;
  char              *highlight;  /* the search text marked wherever it occurs, or NULL */
  GArray            *ops;        /* OpChars */
  GArray            *changes;    /* Change */
  GCancellable      *cancellable;
  guint              debounce_id;
  guint              generation;
  int                current_change;

  guint              inline_mode : 1;
  guint              editable : 1;
  guint              ignore_whitespace : 1;
  guint              setting_text : 1;
  guint              no_revision : 1;   /* nothing to compare yet: the original shown plain */
  guint              syncing : 1;
  guint              settle_tick;     /* both views scroll to a change: no syncing meanwhile */
  guint              settle_frames;
  gboolean           original_arrived; /* showed its change since the settling began */
  gboolean           revision_arrived;
};

G_DEFINE_FINAL_TYPE (ClairDiffView, clair_diff_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_INLINE,
  PROP_EDITABLE,
  PROP_IGNORE_WHITESPACE,
  PROP_N_CHANGES,
  PROP_CURRENT_CHANGE,
  N_PROPS
};

enum { REVISION_CHANGED, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *tag_names[] = { "diff-delete", "diff-insert", "diff-delete-char", "diff-insert-char" };

static void
update_actions (ClairDiffView *self)
{
  int n = self->changes->len;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diff.next-change",
                                 n > 0 && self->current_change < n - 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diff.previous-change",
                                 n > 0 && self->current_change != 0);
}

/* Colours: the scheme's diff colours, laid over the text as translucent backgrounds */

static void
scheme_color (GtkSourceStyleScheme *scheme,
              const char           *style_id,
              const char           *fallback,
              GdkRGBA              *color)
{
  GtkSourceStyle *style = scheme ? gtk_source_style_scheme_get_style (scheme, style_id) : NULL;
  g_autofree char *foreground = NULL;
  gboolean set = FALSE;

  if (style != NULL)
    g_object_get (style, "foreground", &foreground, "foreground-set", &set, NULL);
  if (!set || foreground == NULL || !gdk_rgba_parse (color, foreground))
    gdk_rgba_parse (color, fallback);
}

static void
color_buffer_tags (GtkSourceBuffer *buffer,
                   const GdkRGBA   *red,
                   const GdkRGBA   *green,
                   const GdkRGBA   *text,
                   gboolean         dark,
                   gboolean         high_contrast,
                   gboolean         strike)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (GTK_TEXT_BUFFER (buffer));
  float weak = high_contrast ? 0.35f : dark ? 0.24f : 0.16f;
  float strong = high_contrast ? 0.75f : dark ? 0.55f : 0.42f;
  GdkRGBA colors[4] = { *red, *green, *red, *green };

  colors[0].alpha = colors[1].alpha = weak;
  colors[2].alpha = colors[3].alpha = strong;
  for (guint i = 0; i < G_N_ELEMENTS (tag_names); i++)
    {
      GtkTextTag *tag = gtk_text_tag_table_lookup (table, tag_names[i]);

      /* Over the dark style's strong red and green the Markdown colours (orange numbers, say)
       * cannot be read: changed text there takes the scheme's text colour. The diff tags sit
       * above the highlighting's, so theirs wins. */
      g_object_set (tag,
                    "background-rgba", &colors[i],
                    "foreground-rgba", dark || high_contrast ? text : NULL,
                    "underline", high_contrast && i >= 2 ? PANGO_UNDERLINE_SINGLE : PANGO_UNDERLINE_NONE,
                    "strikethrough", strike && (i == 0 || i == 2),
                    NULL);
    }
}

static void
update_style (ClairDiffView *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (manager);
  gboolean high_contrast = adw_style_manager_get_high_contrast (manager);
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  GtkSourceStyleScheme *scheme;
  GdkRGBA red, green, text;

  scheme = gtk_source_style_scheme_manager_get_scheme (schemes, dark ? "Adwaita-dark" : "Adwaita");
  gtk_source_buffer_set_style_scheme (self->original_buffer, scheme);
  gtk_source_buffer_set_style_scheme (self->revision_buffer, scheme);
  gtk_source_buffer_set_style_scheme (self->inline_buffer, scheme);

  scheme_color (scheme, "diff:removed-line", "#e01b24", &red);
  scheme_color (scheme, "diff:added-line", "#2ec27e", &green);
  scheme_color (scheme, "text", dark ? "#ffffff" : "#000000", &text);
  color_buffer_tags (self->original_buffer, &red, &green, &text, dark, high_contrast, FALSE);
  color_buffer_tags (self->revision_buffer, &red, &green, &text, dark, high_contrast, FALSE);
  color_buffer_tags (self->inline_buffer, &red, &green, &text, dark, high_contrast, TRUE);

  self->overview->delete_color = red;
  self->overview->insert_color = green;
  self->overview->delete_color.alpha = self->overview->insert_color.alpha = 0.9f;
  gtk_widget_queue_draw (GTK_WIDGET (self->overview));
}

/* Applying a diff */

/* Converts increasing byte offsets of one text into character offsets. */
typedef struct
{
  const char *text;
  gsize       byte;
  int         chars;
} Cursor;

static int
cursor_to (Cursor *cursor,
           gsize   byte)
{
  g_assert (byte >= cursor->byte);
  cursor->chars += g_utf8_strlen (cursor->text + cursor->byte, byte - cursor->byte);
  cursor->byte = byte;
  return cursor->chars;
}

static void
apply_tag (GtkSourceBuffer *buffer,
           const char      *name,
           int              start,
           int              end)
{
  GtkTextIter s, e;

  if (end <= start)
    return;
  gtk_text_buffer_get_iter_at_offset (GTK_TEXT_BUFFER (buffer), &s, start);
  gtk_text_buffer_get_iter_at_offset (GTK_TEXT_BUFFER (buffer), &e, end);
  gtk_text_buffer_apply_tag_by_name (GTK_TEXT_BUFFER (buffer), name, &s, &e);
}

static void
clear_tags (GtkSourceBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (buffer), &start, &end);
  for (guint i = 0; i < G_N_ELEMENTS (tag_names); i++)
    gtk_text_buffer_remove_tag_by_name (GTK_TEXT_BUFFER (buffer), tag_names[i], &start, &end);
}

/* The text searched for, marked in @buffer wherever it occurs (case aside), above the diff's own
 * colours. */
void
clair_text_buffer_mark_matches (GtkTextBuffer *buffer,
                                const char    *text)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "search-match");
  GtkTextIter start, end, match_start, match_end;

  if (tag == NULL)
    {
      tag = gtk_text_buffer_create_tag (buffer, "search-match", "background", "#f6d32d", "foreground", "#000000",
                                        NULL);
      gtk_text_tag_set_priority (tag, gtk_text_tag_table_get_size (gtk_text_buffer_get_tag_table (buffer)) - 1);
    }
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, tag, &start, &end);
  if (text == NULL || *text == '\0')
    return;
  while (gtk_text_iter_forward_search (&start, text, GTK_TEXT_SEARCH_CASE_INSENSITIVE | GTK_TEXT_SEARCH_TEXT_ONLY,
                                       &match_start, &match_end, NULL))
    {
      gtk_text_buffer_apply_tag (buffer, tag, &match_start, &match_end);
      start = match_end;
    }
}

static void
mark_highlight (ClairDiffView *self)
{
  clair_text_buffer_mark_matches (GTK_TEXT_BUFFER (self->original_buffer), self->highlight);
  clair_text_buffer_mark_matches (GTK_TEXT_BUFFER (self->revision_buffer), self->highlight);
  clair_text_buffer_mark_matches (GTK_TEXT_BUFFER (self->inline_buffer), self->highlight);
}

void
clair_diff_view_set_highlight (ClairDiffView *self,
                               const char    *text)
{
  g_return_if_fail (CLAIR_IS_DIFF_VIEW (self));

  if (g_strcmp0 (self->highlight, text) == 0)
    return;
  g_free (self->highlight);
  self->highlight = text && *text ? g_strdup (text) : NULL;
  mark_highlight (self);
}

static void
append_inline (GtkSourceBuffer *buffer,
               const char      *text,
               gsize            len,
               const char      *tag)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (GTK_TEXT_BUFFER (buffer), &end);
  if (tag != NULL)
    gtk_text_buffer_insert_with_tags_by_name (GTK_TEXT_BUFFER (buffer), &end, text, len, tag, NULL);
  else
    gtk_text_buffer_insert (GTK_TEXT_BUFFER (buffer), &end, text, len);
}

/* Where a character sits in its view, as a share of the document's height; by characters until
 * the view has been laid out. */
static double
view_fraction (GtkSourceView *view,
               int            offset)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  double upper = gtk_adjustment_get_upper (adj);
  GtkTextIter iter;
  int y, height;

  gtk_text_buffer_get_iter_at_offset (buffer, &iter, offset);
  if (upper <= 0 || !gtk_widget_get_realized (GTK_WIDGET (view)))
    return (double) offset / MAX (1, gtk_text_buffer_get_char_count (buffer));
  /* The line's range from the layout's stored heights (estimated for lines not laid out yet):
   * an iter location would lay out every line with a change, 4 per change. */
  gtk_text_view_get_line_yrange (GTK_TEXT_VIEW (view), &iter, &y, &height);
  return CLAMP ((y + height / 2.0) / upper, 0.0, 1.0);
}

static void
update_overview (ClairDiffView *self)
{
  g_array_set_size (self->overview->marks, 0);
  for (guint i = 0; i < self->changes->len; i++)
    {
      const Change *change = &g_array_index (self->changes, Change, i);

      if (change->a1 > change->a0)
        {
          OverviewMark mark = { view_fraction (self->original_view, change->a0),
                                view_fraction (self->original_view, change->a1), FALSE };

          g_array_append_val (self->overview->marks, mark);
        }
      if (change->b1 > change->b0)
        {
          OverviewMark mark = { view_fraction (self->revision_view, change->b0),
                                view_fraction (self->revision_view, change->b1), TRUE };

          g_array_append_val (self->overview->marks, mark);
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self->overview));
}

static void
apply_diff (ClairDiffView *self,
            ClairDiff     *diff,
            const char    *revision)
{
  const char *original = self->original_text ? self->original_text : "";
  const ClairDiffOp *ops, *refined;
  guint n_ops, n_refined, r = 0;
  Cursor ca = { original, 0, 0 }, cb = { revision, 0, 0 };
  Cursor ra = { original, 0, 0 }, rb = { revision, 0, 0 };
  guint old_n = self->changes->len;
  int inline_pos = 0;
  GtkTextIter start, end;

  ops = clair_diff_get_ops (diff, &n_ops);
  refined = clair_diff_get_refined (diff, &n_refined);

  clear_tags (self->original_buffer);
  clear_tags (self->revision_buffer);
  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (self->inline_buffer), &start, &end);
  gtk_text_buffer_delete (GTK_TEXT_BUFFER (self->inline_buffer), &start, &end);
  g_array_set_size (self->ops, 0);
  g_array_set_size (self->changes, 0);

  for (guint k = 0; k < n_ops; k++)
    {
      const ClairDiffOp *op = &ops[k];
      OpChars chars;
      int inline_start = inline_pos;

      chars.kind = op->kind;
      chars.a0 = cursor_to (&ca, op->a_start);
      chars.a1 = cursor_to (&ca, op->a_end);
      chars.b0 = cursor_to (&cb, op->b_start);
      chars.b1 = cursor_to (&cb, op->b_end);
      g_array_append_val (self->ops, chars);

      switch (op->kind)
        {
        case CLAIR_DIFF_EQUAL:
          append_inline (self->inline_buffer, revision + op->b_start, op->b_end - op->b_start, NULL);
          inline_pos += chars.b1 - chars.b0;
          continue;
        case CLAIR_DIFF_DELETE:
          apply_tag (self->original_buffer, "diff-delete", chars.a0, chars.a1);
          append_inline (self->inline_buffer, original + op->a_start, op->a_end - op->a_start, "diff-delete");
          inline_pos += chars.a1 - chars.a0;
          break;
        case CLAIR_DIFF_INSERT:
          apply_tag (self->revision_buffer, "diff-insert", chars.b0, chars.b1);
          append_inline (self->inline_buffer, revision + op->b_start, op->b_end - op->b_start, "diff-insert");
          inline_pos += chars.b1 - chars.b0;
          break;
        default:
          g_assert_not_reached ();
        }

      /* Character spans inside this op, in both the side view and the inline view. */
      for (; r < n_refined; r++)
        {
          const ClairDiffOp *span = &refined[r];
          gboolean is_delete = span->kind == CLAIR_DIFF_DELETE;
          gsize s = is_delete ? span->a_start : span->b_start;
          gsize e = is_delete ? span->a_end : span->b_end;
          gsize op_s = op->kind == CLAIR_DIFF_DELETE ? op->a_start : op->b_start;
          gsize op_e = op->kind == CLAIR_DIFF_DELETE ? op->a_end : op->b_end;
          Cursor *cursor = is_delete ? &ra : &rb;
          int cs, ce;

          if (span->kind != op->kind || s >= op_e)
            break;
          if (s < op_s)
            continue;
          cs = cursor_to (cursor, s);
          ce = cursor_to (cursor, e);
          apply_tag (is_delete ? self->original_buffer : self->revision_buffer,
                     is_delete ? "diff-delete-char" : "diff-insert-char", cs, ce);
          apply_tag (self->inline_buffer, is_delete ? "diff-delete-char" : "diff-insert-char",
                     inline_start + cs - (is_delete ? chars.a0 : chars.b0),
                     inline_start + ce - (is_delete ? chars.a0 : chars.b0));
        }

      if (k > 0 && ops[k - 1].kind != CLAIR_DIFF_EQUAL)
        {
          Change *last = &g_array_index (self->changes, Change, self->changes->len - 1);

          last->a1 = chars.a1;
          last->b1 = chars.b1;
          last->i1 = inline_pos;
        }
      else
        {
          Change change = { chars.a0, chars.a1, chars.b0, chars.b1, inline_start, inline_pos };

          g_array_append_val (self->changes, change);
        }
    }

  update_overview (self);
  if (self->highlight != NULL)
    mark_highlight (self);
  if (self->current_change >= (int) self->changes->len)
    {
      self->current_change = (int) self->changes->len - 1;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_CHANGE]);
    }
  if (old_n != self->changes->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CHANGES]);
  update_actions (self);
}

typedef struct
{
  ClairDiffView *self;
  guint          generation;
  char          *revision;
} Pending;

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->self);
  g_free (pending->revision);
  g_free (pending);
}

static void
diff_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(ClairDiff) diff = clair_diff_compute_finish (result, NULL);

  /* A newer edit or new texts make this result stale. */
  if (pending->generation == pending->self->generation)
    {
      g_clear_object (&pending->self->cancellable);
      if (diff != NULL)
        apply_diff (pending->self, diff, pending->revision);
    }
  pending_free (pending);
}

static char *
buffer_text (GtkSourceBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (buffer), &start, &end);
  return gtk_text_buffer_get_text (GTK_TEXT_BUFFER (buffer), &start, &end, TRUE);
}

static void
recompute (ClairDiffView *self)
{
  g_autofree char *revision = buffer_text (self->revision_buffer);
  const char *original = self->original_text ? self->original_text : "";
  ClairDiffFlags flags = self->ignore_whitespace ? CLAIR_DIFF_IGNORE_WHITESPACE : CLAIR_DIFF_FLAGS_NONE;

  /* A row with no revision yet is not a revision that deleted everything: compared with itself,
   * the original shows as plain text, with no change to step through. */
  if (self->no_revision)
    {
      g_free (revision);
      revision = g_strdup (original);
    }

  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (strlen (original) + strlen (revision) > ASYNC_THRESHOLD)
    {
      Pending *pending = g_new0 (Pending, 1);

      pending->self = g_object_ref (self);
      pending->generation = self->generation;
      pending->revision = g_steal_pointer (&revision);
      self->cancellable = g_cancellable_new ();
      clair_diff_compute_async (original, pending->revision, flags, self->cancellable, diff_done_cb, pending);
    }
  else
    {
      g_autoptr(ClairDiff) diff = clair_diff_compute (original, -1, revision, -1, flags);

      apply_diff (self, diff, revision);
    }
}

static gboolean
debounce_cb (gpointer user_data)
{
  ClairDiffView *self = user_data;

  self->debounce_id = 0;
  recompute (self);
  g_signal_emit (self, signals[REVISION_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
revision_changed_cb (ClairDiffView *self)
{
  if (self->setting_text)
    return;
  self->no_revision = FALSE;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (DEBOUNCE_MS, debounce_cb, self);
}

/* Scrolling */

/* The character offset on the other side that corresponds to @offset, through the diff. */
static int
map_offset (ClairDiffView *self,
            int            offset,
            gboolean       from_original)
{
  guint lo = 0, hi = self->ops->len;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      const OpChars *op = &g_array_index (self->ops, OpChars, mid);
      int end = from_original ? op->a1 : op->b1;

      if (end <= offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo >= self->ops->len)
    return G_MAXINT;
  {
    const OpChars *op = &g_array_index (self->ops, OpChars, lo);
    int from = from_original ? op->a0 : op->b0;
    int to0 = from_original ? op->b0 : op->a0;
    int to1 = from_original ? op->b1 : op->a1;

    if (op->kind == CLAIR_DIFF_EQUAL)
      return MIN (to1, to0 + (offset - from));
    return to0;
  }
}

static void
sync_scroll (ClairDiffView *self,
             GtkTextView   *from,
             GtkTextView   *to,
             gboolean       from_original)
{
  GtkAdjustment *from_adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (from));
  GtkAdjustment *to_adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (to));
  GtkTextBuffer *to_buffer = gtk_text_view_get_buffer (to);
  GtkTextIter iter, target;
  int y, line_top, height, to_y, to_height, offset;
  double fraction;

  if (self->syncing || self->settle_tick != 0 || self->inline_mode)
    return;
  y = (int) gtk_adjustment_get_value (from_adj);
  gtk_text_view_get_line_at_y (from, &iter, y, &line_top);
  gtk_text_view_get_line_yrange (from, &iter, &line_top, &height);
  fraction = height > 0 ? CLAMP ((double) (y - line_top) / height, 0.0, 1.0) : 0.0;
  offset = map_offset (self, gtk_text_iter_get_offset (&iter), from_original);
  gtk_text_buffer_get_iter_at_offset (to_buffer, &target, offset);
  gtk_text_iter_set_line_offset (&target, 0);
  gtk_text_view_get_line_yrange (to, &target, &to_y, &to_height);

  self->syncing = TRUE;
  gtk_adjustment_set_value (to_adj, to_y + fraction * to_height);
  self->syncing = FALSE;
}

static void
update_viewport (ClairDiffView *self)
{
  GtkTextView *view = GTK_TEXT_VIEW (self->inline_mode ? self->inline_view : self->revision_view);
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  double upper = gtk_adjustment_get_upper (adj);

  if (upper <= 0)
    return;
  self->overview->view_start = gtk_adjustment_get_value (adj) / upper;
  self->overview->view_end = (gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj)) / upper;
  gtk_widget_queue_draw (GTK_WIDGET (self->overview));
}

static gboolean shows_target (GtkSourceView *view);
static void     end_settling (ClairDiffView *self);

/* A view that had come to its change and leaves it while settling was scrolled away (by the
 * reader): syncing is back on at once. */
static void
check_left (ClairDiffView *self,
            GtkSourceView *view,
            gboolean       arrived)
{
  if (self->settle_tick != 0 && !self->syncing && arrived && !shows_target (view))
    end_settling (self);
}

static void
original_scrolled_cb (ClairDiffView *self)
{
  check_left (self, self->original_view, self->original_arrived);
  sync_scroll (self, GTK_TEXT_VIEW (self->original_view), GTK_TEXT_VIEW (self->revision_view), TRUE);
}

static void
revision_scrolled_cb (ClairDiffView *self)
{
  check_left (self, self->revision_view, self->revision_arrived);
  sync_scroll (self, GTK_TEXT_VIEW (self->revision_view), GTK_TEXT_VIEW (self->original_view), FALSE);
  update_viewport (self);
}

/* Where a view is scrolled to: the change shown. */
#define TARGET_MARK "clair-diff-target"

/* Scrolls @view to its target mark, a third of the way down (when its lines are measured). */
static void
rescroll (GtkSourceView *view)
{
  GtkTextMark *mark = gtk_text_buffer_get_mark (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), TARGET_MARK);

  if (mark != NULL)
    gtk_text_view_scroll_to_mark (GTK_TEXT_VIEW (view), mark, 0.0, TRUE, 0.0, 0.3);
  /* The views wrap their lines: nothing to scroll sideways, whatever a layout made of it. */
  gtk_adjustment_set_value (gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (view)), 0);
}

static void
scroll_view_to (GtkSourceView *view,
                int            offset)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextMark *mark = gtk_text_buffer_get_mark (buffer, TARGET_MARK);
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_offset (buffer, &iter, offset);
  /* From the start of the wrapped line the change is on: scrolled to with an x alignment, a mark
   * inside the line would scroll the text sideways, its start cut off at the left edge. */
  if (!gtk_text_view_starts_display_line (GTK_TEXT_VIEW (view), &iter))
    gtk_text_view_backward_display_line_start (GTK_TEXT_VIEW (view), &iter);
  if (mark == NULL)
    gtk_text_buffer_create_mark (buffer, TARGET_MARK, &iter, TRUE);
  else
    gtk_text_buffer_move_mark (buffer, mark, &iter);
  rescroll (view);
}

/* Whether the view shows the line its target mark (the change scrolled to) is on. */
static gboolean
shows_target (GtkSourceView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextMark *mark = gtk_text_buffer_get_mark (buffer, TARGET_MARK);
  GdkRectangle visible, location;
  GtkTextIter iter;

  if (mark == NULL)
    return TRUE;
  gtk_text_buffer_get_iter_at_mark (buffer, &iter, mark);
  gtk_text_view_get_visible_rect (GTK_TEXT_VIEW (view), &visible);
  gtk_text_view_get_iter_location (GTK_TEXT_VIEW (view), &iter, &location);
  return location.y >= visible.y && location.y + location.height <= visible.y + visible.height;
}

/* Each view scrolls to its side of a change at one of its next layouts (a long text is measured
 * over several): syncing waits until both show their change and a frame has been drawn so, or
 * a second at most. */
#define SETTLE_MIN_FRAMES   3
#define SETTLE_RETRY_FRAMES 5
#define SETTLE_MAX_FRAMES   60


static gboolean
settle_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  ClairDiffView *self = CLAIR_DIFF_VIEW (widget);
  /* Inline, the one view stands for both. */
  GtkSourceView *second = self->inline_mode ? self->inline_view : self->revision_view;

  self->settle_frames++;
  self->original_arrived |= self->inline_mode || shows_target (self->original_view);
  self->revision_arrived |= shows_target (second);
  /* GtkTextView can drop a scroll it put off until its lines were measured (the highlighting
   * remeasures them): asked again until it is there. */
  if (self->settle_frames % SETTLE_RETRY_FRAMES == 0)
    {
      if (!self->original_arrived)
        rescroll (self->original_view);
      if (!self->revision_arrived)
        rescroll (second);
    }
  if (self->settle_frames < SETTLE_MAX_FRAMES &&
      (self->settle_frames < SETTLE_MIN_FRAMES || !self->original_arrived || !self->revision_arrived))
    return G_SOURCE_CONTINUE;
  self->settle_tick = 0;
  return G_SOURCE_REMOVE;
}

static void
end_settling (ClairDiffView *self)
{
  if (self->settle_tick == 0)
    return;
  gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->settle_tick);
  self->settle_tick = 0;
}

static void
show_current_change (ClairDiffView *self)
{
  const Change *change;

  if (self->current_change < 0 || self->current_change >= (int) self->changes->len)
    return;
  change = &g_array_index (self->changes, Change, self->current_change);
  /* Scroll both; syncing stays off until they have settled, so neither drags the other away
   * from its change (line heights not measured yet make the mapping approximate). The inline
   * view settles the same way, or a scroll dropped before its lines were measured loses it. */
  self->settle_frames = 0;
  self->original_arrived = self->revision_arrived = FALSE;
  if (self->settle_tick == 0)
    self->settle_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), settle_tick_cb, NULL, NULL);
  if (self->inline_mode)
    scroll_view_to (self->inline_view, change->i0);
  else
    {
      scroll_view_to (self->original_view, change->a0);
      scroll_view_to (self->revision_view, change->b0);
    }
}

static void
overview_jump_cb (ClairDiffView *self,
                  double         fraction)
{
  int total = MAX (1, gtk_text_buffer_get_char_count (GTK_TEXT_BUFFER (self->revision_buffer)));
  int best = -1;
  double best_distance = G_MAXDOUBLE;

  for (guint i = 0; i < self->changes->len; i++)
    {
      const Change *change = &g_array_index (self->changes, Change, i);
      double distance = ABS ((double) change->b0 / total - fraction);

      if (distance < best_distance)
        {
          best_distance = distance;
          best = i;
        }
    }
  if (best >= 0)
    clair_diff_view_set_current_change (self, best);
}

/* Actions */

static void
next_change_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ClairDiffView *self = CLAIR_DIFF_VIEW (widget);

  if (self->current_change < (int) self->changes->len - 1)
    clair_diff_view_set_current_change (self, self->current_change + 1);
}

static void
previous_change_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ClairDiffView *self = CLAIR_DIFF_VIEW (widget);

  if (self->changes->len == 0)
    return;
  if (self->current_change < 0)
    clair_diff_view_set_current_change (self, (int) self->changes->len - 1);
  else if (self->current_change > 0)
    clair_diff_view_set_current_change (self, self->current_change - 1);
}

/* Construction */

static GtkSourceView *
create_view (GtkSourceBuffer *buffer,
             GtkWidget      **scroller)
{
  GtkWidget *view = gtk_source_view_new_with_buffer (buffer);

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_pixels_below_lines (GTK_TEXT_VIEW (view), 2);
  *scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (*scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (*scroller), view);
  gtk_widget_set_hexpand (*scroller, TRUE);
  gtk_widget_set_vexpand (*scroller, TRUE);
  return GTK_SOURCE_VIEW (view);
}

/* A pane: its title above its scroller. */
static GtkWidget *
create_pane (const char *title,
             GtkWidget  *scroller)
{
  GtkWidget *pane = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *label = gtk_label_new (title);

  gtk_widget_add_css_class (pane, "pane");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "pane-title");
  gtk_box_append (GTK_BOX (pane), label);
  gtk_box_append (GTK_BOX (pane), scroller);
  /* The view inside is known by the same name. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller))),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  return pane;
}

static GtkSourceBuffer *
create_buffer (void)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  GtkSourceBuffer *buffer = gtk_source_buffer_new (NULL);

  gtk_source_buffer_set_language (buffer, gtk_source_language_manager_get_language (languages, "markdown"));
  gtk_source_buffer_set_highlight_syntax (buffer, TRUE);
  gtk_source_buffer_set_highlight_matching_brackets (buffer, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (tag_names); i++)
    {
      GtkTextTag *tag = gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (buffer), tag_names[i], NULL);

      /* Above the syntax highlighting, which only colours the text. */
      gtk_text_tag_set_priority (tag, gtk_text_tag_table_get_size (gtk_text_buffer_get_tag_table (GTK_TEXT_BUFFER (buffer))) - 1);
    }
  return buffer;
}

static void
clair_diff_view_dispose (GObject *object)
{
  ClairDiffView *self = CLAIR_DIFF_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  end_settling (self);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->original_buffer);
  g_clear_object (&self->revision_buffer);
  g_clear_object (&self->inline_buffer);

  G_OBJECT_CLASS (clair_diff_view_parent_class)->dispose (object);
}

static void
clair_diff_view_finalize (GObject *object)
{
  ClairDiffView *self = CLAIR_DIFF_VIEW (object);

  g_clear_pointer (&self->highlight, g_free);
  g_clear_pointer (&self->original_text, g_free);
  g_clear_pointer (&self->ops, g_array_unref);
  g_clear_pointer (&self->changes, g_array_unref);

  G_OBJECT_CLASS (clair_diff_view_parent_class)->finalize (object);
}

static void
clair_diff_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ClairDiffView *self = CLAIR_DIFF_VIEW (object);

  switch (prop_id)
    {
    case PROP_INLINE:
      g_value_set_boolean (value, self->inline_mode);
      break;
    case PROP_EDITABLE:
      g_value_set_boolean (value, self->editable);
      break;
    case PROP_IGNORE_WHITESPACE:
      g_value_set_boolean (value, self->ignore_whitespace);
      break;
    case PROP_N_CHANGES:
      g_value_set_uint (value, self->changes->len);
      break;
    case PROP_CURRENT_CHANGE:
      g_value_set_int (value, self->current_change);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_diff_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ClairDiffView *self = CLAIR_DIFF_VIEW (object);

  switch (prop_id)
    {
    case PROP_INLINE:
      clair_diff_view_set_inline (self, g_value_get_boolean (value));
      break;
    case PROP_EDITABLE:
      clair_diff_view_set_editable (self, g_value_get_boolean (value));
      break;
    case PROP_IGNORE_WHITESPACE:
      clair_diff_view_set_ignore_whitespace (self, g_value_get_boolean (value));
      break;
    case PROP_CURRENT_CHANGE:
      clair_diff_view_set_current_change (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_diff_view_class_init (ClairDiffViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clair_diff_view_dispose;
  object_class->finalize = clair_diff_view_finalize;
  object_class->get_property = clair_diff_view_get_property;
  object_class->set_property = clair_diff_view_set_property;

  properties[PROP_INLINE] =
    g_param_spec_boolean ("inline", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EDITABLE] =
    g_param_spec_boolean ("editable", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IGNORE_WHITESPACE] =
    g_param_spec_boolean ("ignore-whitespace", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_CHANGES] =
    g_param_spec_uint ("n-changes", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT_CHANGE] =
    g_param_spec_int ("current-change", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted, debounced, after the annotator edited the revision: time to save it. */
  signals[REVISION_CHANGED] =
    g_signal_new ("revision-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "diff.next-change", NULL, next_change_action);
  gtk_widget_class_install_action (widget_class, "diff.previous-change", NULL, previous_change_action);
  gtk_widget_class_install_property_action (widget_class, "diff.inline", "inline");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK, "diff.next-change", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "diff.previous-change", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "diff.inline", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "clairdiffview");
}

static void
clair_diff_view_init (ClairDiffView *self)
{
  GtkWidget *split, *original_scroller, *revision_scroller, *inline_scroller;
  GtkWidget *original_pane, *revision_pane;

  self->ops = g_array_new (FALSE, FALSE, sizeof (OpChars));
  self->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  self->current_change = -1;

  self->original_buffer = create_buffer ();
  self->revision_buffer = create_buffer ();
  self->inline_buffer = create_buffer ();
  self->original_view = create_view (self->original_buffer, &original_scroller);
  self->revision_view = create_view (self->revision_buffer, &revision_scroller);
  /* The one view that becomes editable keeps its caret throughout (see set_editable). */
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (self->revision_view), TRUE);
  self->inline_view = create_view (self->inline_buffer, &inline_scroller);
  original_pane = create_pane (_("Original"), original_scroller);
  revision_pane = create_pane (_("Revision"), revision_scroller);

  split = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_box_set_homogeneous (GTK_BOX (split), TRUE);
  gtk_box_append (GTK_BOX (split), original_pane);
  gtk_box_append (GTK_BOX (split), revision_pane);
  gtk_widget_set_margin_end (original_pane, 1);

  self->stack = gtk_stack_new ();
  gtk_stack_add_named (GTK_STACK (self->stack), split, "split");
  gtk_stack_add_named (GTK_STACK (self->stack),
                       /* Translators: the title of the single pane that shows the revision's
                        * changes to the original inline. */
                       create_pane (_("Changes Inline"), inline_scroller), "inline");
  gtk_widget_set_hexpand (self->stack, TRUE);

  self->overview = g_object_new (CLAIR_TYPE_DIFF_OVERVIEW, NULL);
  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_box_append (GTK_BOX (self->box), self->stack);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->overview));
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  g_signal_connect_swapped (self->revision_buffer, "changed", G_CALLBACK (revision_changed_cb), self);
  g_signal_connect_swapped (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->original_view)),
                            "value-changed", G_CALLBACK (original_scrolled_cb), self);
  g_signal_connect_swapped (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->revision_view)),
                            "value-changed", G_CALLBACK (revision_scrolled_cb), self);
  g_signal_connect_swapped (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->inline_view)),
                            "value-changed", G_CALLBACK (update_viewport), self);
  g_signal_connect_swapped (self->overview, "jump", G_CALLBACK (overview_jump_cb), self);
  /* Marks follow the layout: the document's height is known only once the views are laid out. */
  g_signal_connect_swapped (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->revision_view)),
                            "changed", G_CALLBACK (update_overview), self);
  g_signal_connect_swapped (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->revision_view)),
                            "changed", G_CALLBACK (update_viewport), self);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_style), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::high-contrast",
                           G_CALLBACK (update_style), self, G_CONNECT_SWAPPED);
  update_style (self);
  update_actions (self);
}

/* Public API */

GtkWidget *
clair_diff_view_new (void)
{
  return g_object_new (CLAIR_TYPE_DIFF_VIEW, NULL);
}

void
clair_diff_view_set_texts (ClairDiffView *self,
                           const char    *original,
                           const char    *revision)
{
  g_return_if_fail (CLAIR_IS_DIFF_VIEW (self));

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_free (self->original_text);
  self->original_text = g_strdup (original ? original : "");

  self->setting_text = TRUE;
  gtk_text_buffer_begin_irreversible_action (GTK_TEXT_BUFFER (self->original_buffer));
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->original_buffer), self->original_text, -1);
  gtk_text_buffer_end_irreversible_action (GTK_TEXT_BUFFER (self->original_buffer));
  gtk_text_buffer_begin_irreversible_action (GTK_TEXT_BUFFER (self->revision_buffer));
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->revision_buffer), revision ? revision : "", -1);
  gtk_text_buffer_end_irreversible_action (GTK_TEXT_BUFFER (self->revision_buffer));
  self->setting_text = FALSE;
  self->no_revision = revision == NULL;

  if (self->current_change != -1)
    {
      self->current_change = -1;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_CHANGE]);
    }
  recompute (self);
}

gboolean
clair_diff_view_get_computing (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), FALSE);

  /* The cancellable lives as long as a diff runs on a worker thread. */
  return self->cancellable != NULL && !g_cancellable_is_cancelled (self->cancellable);
}

char *
clair_diff_view_get_revision_text (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), NULL);

  return buffer_text (self->revision_buffer);
}

gboolean
clair_diff_view_get_inline (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), FALSE);

  return self->inline_mode;
}

void
clair_diff_view_set_inline (ClairDiffView *self,
                            gboolean       inline_mode)
{
  g_return_if_fail (CLAIR_IS_DIFF_VIEW (self));

  inline_mode = !!inline_mode;
  if (self->inline_mode == inline_mode)
    return;
  self->inline_mode = inline_mode;
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), inline_mode ? "inline" : "split");
  update_viewport (self);
  show_current_change (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INLINE]);
}

gboolean
clair_diff_view_get_editable (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), FALSE);

  return self->editable;
}

void
clair_diff_view_set_editable (ClairDiffView *self,
                              gboolean       editable)
{
  g_return_if_fail (CLAIR_IS_DIFF_VIEW (self));

  editable = !!editable;
  if (self->editable == editable)
    return;
  self->editable = editable;
  /* Only editable-ness changes: GTK 4.8 asserts when a cursor made invisible blinks on (a
   * read-only view does not blink, so the caret may as well stay for keyboard selection). */
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->revision_view), editable);
  if (editable && self->inline_mode)
    clair_diff_view_set_inline (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITABLE]);
}

gboolean
clair_diff_view_get_ignore_whitespace (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), FALSE);

  return self->ignore_whitespace;
}

void
clair_diff_view_set_ignore_whitespace (ClairDiffView *self,
                                       gboolean       ignore_whitespace)
{
  g_return_if_fail (CLAIR_IS_DIFF_VIEW (self));

  ignore_whitespace = !!ignore_whitespace;
  if (self->ignore_whitespace == ignore_whitespace)
    return;
  self->ignore_whitespace = ignore_whitespace;
  recompute (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IGNORE_WHITESPACE]);
}

guint
clair_diff_view_get_n_changes (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), 0);

  return self->changes->len;
}

int
clair_diff_view_get_current_change (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), -1);

  return self->current_change;
}

void
clair_diff_view_set_current_change (ClairDiffView *self,
                                    int            change)
{
  g_return_if_fail (CLAIR_IS_DIFF_VIEW (self));
  g_return_if_fail (change >= -1);

  change = MIN (change, (int) self->changes->len - 1);
  if (self->current_change != change)
    {
      self->current_change = change;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_CHANGE]);
    }
  show_current_change (self);
  update_actions (self);
}

GtkSourceBuffer *
clair_diff_view_get_original_buffer (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), NULL);

  return self->original_buffer;
}

GtkSourceBuffer *
clair_diff_view_get_revision_buffer (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), NULL);

  return self->revision_buffer;
}

GtkSourceBuffer *
clair_diff_view_get_inline_buffer (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), NULL);

  return self->inline_buffer;
}

GtkSourceView *
clair_diff_view_get_original_view (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), NULL);

  return self->original_view;
}

GtkSourceView *
clair_diff_view_get_inline_view (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), NULL);

  return self->inline_view;
}

GtkSourceView *
clair_diff_view_get_revision_view (ClairDiffView *self)
{
  g_return_val_if_fail (CLAIR_IS_DIFF_VIEW (self), NULL);

  return self->revision_view;
}
