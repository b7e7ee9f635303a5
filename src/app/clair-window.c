/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "clair-diff-view.h"
#include "clair-preferences-window.h"
#include "clair-stats.h"
#include "clair-window-private.h"

/* The main window: the row list on the left, the selected row on the right. Loading, searching
 * and exporting run in worker threads through GTask; every decision is written to the project
 * the moment it is made (clair-window-actions.c). */

G_DEFINE_FINAL_TYPE (ClairWindow, clair_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_CURRENT_ROW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The icon, its accessible name and a CSS class for each status of the list. */
static void
status_presentation (ClairRowItem  *item,
                     const char   **icon,
                     const char   **name,
                     const char   **css)
{
  if (clair_row_item_get_running (item))
    {
      *icon = "emblem-synchronizing-symbolic";
      *name = _("Running");
      *css = "accent";
      return;
    }
  switch (clair_row_item_get_status (item))
    {
    case CLAIR_ROW_REVISED:
      *icon = "media-record-symbolic";
      *name = _("Revised");
      *css = "revised";
      break;
    case CLAIR_ROW_PARSE_FAILED:
      *icon = "dialog-question-symbolic";
      *name = _("No usable revision");
      *css = "warning";
      break;
    case CLAIR_ROW_FAILED:
      *icon = "dialog-error-symbolic";
      *name = _("Failed");
      *css = "error";
      break;
    case CLAIR_ROW_PENDING:
    default:
      *icon = "radio-symbolic";
      *name = _("Pending");
      *css = "dim-label";
      break;
    }
}

static void
decision_presentation (ClairRowItem  *item,
                       const char   **icon,
                       const char   **name,
                       const char   **css)
{
  gboolean edited = clair_row_item_get_edited (item);

  *icon = NULL;
  *name = edited ? _("Edited") : _("Undecided");
  *css = "accent";
  switch (clair_row_item_get_decision (item))
    {
    case CLAIR_DECISION_ACCEPTED:
      *icon = edited ? "document-edit-symbolic" : "object-select-symbolic";
      *name = edited ? _("Accepted with edits") : _("Accepted");
      *css = "success";
      break;
    case CLAIR_DECISION_REJECTED:
      *icon = "window-close-symbolic";
      *name = _("Rejected");
      *css = "error";
      break;
    case CLAIR_DECISION_SKIPPED:
      *icon = "media-skip-forward-symbolic";
      *name = _("Skipped");
      *css = "dim-label";
      break;
    case CLAIR_DECISION_NONE:
    default:
      if (edited)
        *icon = "document-edit-symbolic";
      break;
    }
}

/* Cells: every column has a setup that builds the widget and a bind that follows the item's
 * "changed" signal until unbind. */

typedef enum
{
  COLUMN_INDEX,
  COLUMN_STATUS,
  COLUMN_TASK,
  COLUMN_SIMILARITY,
  COLUMN_DISTANCE,
  COLUMN_DECISION,
} ColumnKind;

static void queue_visible_tasks (ClairWindow *self);
static void set_busy (ClairWindow *self, gboolean busy);

static char *
highlight_markup (const char *text,
                  const char *needle)
{
  g_autofree char *folded_text = NULL;
  g_autofree char *folded_needle = NULL;
  GString *out;
  const char *p;
  gsize needle_len;

  if (needle == NULL || *needle == '\0')
    return g_markup_escape_text (text, -1);

  /* ASCII folding keeps byte offsets aligned with the original text. */
  folded_text = g_ascii_strdown (text, -1);
  folded_needle = g_ascii_strdown (needle, -1);
  needle_len = strlen (folded_needle);
  out = g_string_new (NULL);
  p = folded_text;
  while (TRUE)
    {
      const char *hit = strstr (p, folded_needle);
      g_autofree char *before = NULL;
      g_autofree char *match = NULL;

      if (hit == NULL)
        break;
      before = g_markup_escape_text (text + (p - folded_text), hit - p);
      match = g_markup_escape_text (text + (hit - folded_text), needle_len);
      g_string_append (out, before);
      g_string_append_printf (out, "<span background=\"#f8e45c\" foreground=\"#000000\">%s</span>",
                              match);
      p = hit + needle_len;
    }
  {
    g_autofree char *rest = g_markup_escape_text (text + (p - folded_text), -1);
    g_string_append (out, rest);
  }
  return g_string_free (out, FALSE);
}

/* A cell pointed at another row often shows the same thing: GTK lays a label out again, and
 * restyles a widget given its classes again, even when nothing changed. */
static void
set_cell_text (GtkLabel   *label,
               const char *text)
{
  if (gtk_label_get_use_markup (label) || g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static void
set_cell_icon (GtkWidget  *image,
               const char *icon,
               const char *name,
               const char *css)
{
  /* The presentation's strings are static: compared by address. */
  if (g_object_get_data (G_OBJECT (image), "clair-icon") == icon &&
      g_object_get_data (G_OBJECT (image), "clair-css") == css &&
      g_object_get_data (G_OBJECT (image), "clair-name") == name)
    return;
  gtk_image_set_from_icon_name (GTK_IMAGE (image), icon);
  gtk_widget_set_css_classes (image, (const char *[]) { css, NULL });
  gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_object_set_data (G_OBJECT (image), "clair-icon", (gpointer) icon);
  g_object_set_data (G_OBJECT (image), "clair-css", (gpointer) css);
  g_object_set_data (G_OBJECT (image), "clair-name", (gpointer) name);
}

static void
format_metric (GtkLabel *label,
               double    value)
{
  char buf[32];

  if (isnan (value))
    set_cell_text (label, "—");
  else
    {
      g_snprintf (buf, sizeof buf, "%.2f", value);
      set_cell_text (label, buf);
    }
}

static void
update_cell (GtkListItem *list_item)
{
  ClairWindow *self = g_object_get_data (G_OBJECT (list_item), "clair-window");
  ColumnKind kind = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (list_item), "clair-column"));
  ClairRowItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  const char *icon, *name, *css;
  char buf[32];

  if (item == NULL)
    return;

  switch (kind)
    {
    case COLUMN_INDEX:
      g_snprintf (buf, sizeof buf, "%u", clair_row_item_get_index (item));
      set_cell_text (GTK_LABEL (child), buf);
      break;
    case COLUMN_STATUS:
      status_presentation (item, &icon, &name, &css);
      set_cell_icon (child, icon, name, css);
      break;
    case COLUMN_TASK:
      {
        const char *task = clair_row_item_get_task (item);

        if (task == NULL)
          {
            set_cell_text (GTK_LABEL (child), "");
            queue_visible_tasks (self);
          }
        else if (self->search_text == NULL || *self->search_text == '\0')
          set_cell_text (GTK_LABEL (child), task);
        else
          {
            g_autofree char *markup = highlight_markup (task, self->search_text);
            gtk_label_set_markup (GTK_LABEL (child), markup);
          }
      }
      break;
    case COLUMN_SIMILARITY:
      format_metric (GTK_LABEL (child), clair_row_item_get_jaccard (item));
      if (!isnan (clair_row_item_get_jaccard (item)) &&
          clair_row_item_get_jaccard (item) < self->threshold)
        gtk_widget_add_css_class (child, "warning");
      else
        gtk_widget_remove_css_class (child, "warning");
      break;
    case COLUMN_DISTANCE:
      format_metric (GTK_LABEL (child), clair_row_item_get_distance (item));
      break;
    case COLUMN_DECISION:
      decision_presentation (item, &icon, &name, &css);
      set_cell_icon (child, icon, name, css);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
item_changed_cb (ClairRowItem *item,
                 GtkListItem  *list_item)
{
  update_cell (list_item);
}

/* Status and decision icons say what they mean in a tooltip, asked for when shown: setting tooltip
 * text on every bind costs GTK 4.8 a round trip to the X server, thousands of times a scroll. */
static gboolean
icon_query_tooltip_cb (GtkWidget   *widget,
                       int          x,
                       int          y,
                       gboolean     keyboard,
                       GtkTooltip  *tooltip,
                       GtkListItem *list_item)
{
  ClairRowItem *item = gtk_list_item_get_item (list_item);
  ColumnKind kind = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (list_item), "clair-column"));
  const char *icon, *name, *css;

  if (item == NULL)
    return FALSE;
  if (kind == COLUMN_STATUS)
    status_presentation (item, &icon, &name, &css);
  else
    decision_presentation (item, &icon, &name, &css);
  if (name == NULL || *name == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, name);
  return TRUE;
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ClairWindow              *self)
{
  ColumnKind kind = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "clair-column"));
  GtkWidget *child;

  g_object_set_data (G_OBJECT (list_item), "clair-window", self);
  g_object_set_data (G_OBJECT (list_item), "clair-column", GUINT_TO_POINTER (kind));
  switch (kind)
    {
    case COLUMN_STATUS:
    case COLUMN_DECISION:
      child = gtk_image_new ();
      gtk_widget_set_has_tooltip (child, TRUE);
      g_signal_connect (child, "query-tooltip", G_CALLBACK (icon_query_tooltip_cb), list_item);
      break;
    case COLUMN_TASK:
      child = gtk_label_new (NULL);
      gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_END);
      gtk_label_set_single_line_mode (GTK_LABEL (child), TRUE);
      gtk_label_set_xalign (GTK_LABEL (child), 0);
      gtk_label_set_width_chars (GTK_LABEL (child), 8);
      break;
    case COLUMN_INDEX:
    case COLUMN_SIMILARITY:
    case COLUMN_DISTANCE:
    default:
      child = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (child), 1);
      gtk_widget_add_css_class (child, "numeric");
      if (kind == COLUMN_INDEX)
        gtk_widget_add_css_class (child, "dim-label");
      break;
    }
  gtk_list_item_set_child (list_item, child);
  /* The cell knows its list item, so a row widget can be found by position (focus_row). */
  g_object_set_data (G_OBJECT (child), "clair-list-item", list_item);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ClairWindow              *self)
{
  ClairRowItem *item = gtk_list_item_get_item (list_item);
  gulong id;

  id = g_signal_connect (item, "changed", G_CALLBACK (item_changed_cb), list_item);
  g_object_set_data (G_OBJECT (list_item), "clair-handler", GSIZE_TO_POINTER (id));
  update_cell (list_item);
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                ClairWindow              *self)
{
  ClairRowItem *item = gtk_list_item_get_item (list_item);
  gulong id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (list_item), "clair-handler"));

  if (item != NULL && id != 0)
    g_signal_handler_disconnect (item, id);
  g_object_set_data (G_OBJECT (list_item), "clair-handler", NULL);
}

static void
setup_column (ClairWindow         *self,
              GtkColumnViewColumn *column,
              ColumnKind           kind)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_object_set_data (G_OBJECT (factory), "clair-column", GUINT_TO_POINTER (kind));
  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind_cb), self);
  gtk_column_view_column_set_factory (column, factory);
}

/* The column headers are short (an icon column has none): each says what it shows in a tooltip
 * and to assistive technologies. GTK 4.8 has no API for a column's header widget; they are the
 * children of the column view's header row, in column order. */
static void
describe_column_headers (ClairWindow *self)
{
  const struct
  {
    const char *name;
    const char *tooltip;
  } headers[] = {
    { N_("Row"), N_("Row number in the dataset") },
    { N_("Status"), N_("Status: pending, running, revised or failed") },
    { N_("Task"), NULL },
    { N_("Similarity"), N_("Similarity of the revision to the original (token Jaccard); low means not minimal") },
    { N_("Edit distance"), N_("Edit distance from the original to the revision (character Levenshtein, normalised)") },
    { N_("Decision"), N_("Decision: accepted, rejected, skipped or edited") },
  };
  GtkWidget *header = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
  GtkWidget *title = header ? gtk_widget_get_first_child (header) : NULL;

  for (guint i = 0; title != NULL && i < G_N_ELEMENTS (headers); i++, title = gtk_widget_get_next_sibling (title))
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (title), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(headers[i].name), -1);
      if (headers[i].tooltip != NULL)
        gtk_widget_set_tooltip_text (title, _(headers[i].tooltip));
    }
}

/* Sorting. The column view's sorter says which column is sorted and in which direction, but
 * GTK 4.8 has no API to ask it; so each column's sorter, when probed, names itself and answers
 * "smaller", and the view's sorter answers with the first (primary) column's verdict, reversed
 * when descending. The rows are then sorted by ClairRowView on a worker thread. */

static struct
{
  gboolean      active;
  ClairSortKey  key;
} probe;

static int
probe_compare_cb (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  if (!probe.active)
    return 0;
  if (probe.key == CLAIR_SORT_NONE)
    probe.key = GPOINTER_TO_UINT (data);
  return probe.key == GPOINTER_TO_UINT (data) ? -1 : 0;
}

static void
set_sorter (GtkColumnViewColumn *column,
            ClairSortKey         key)
{
  g_autoptr(GtkSorter) sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare_cb, GUINT_TO_POINTER (key), NULL));

  gtk_column_view_column_set_sorter (column, sorter);
}

static void
sorter_changed_cb (GtkSorter       *sorter,
                   GtkSorterChange  change,
                   ClairWindow     *self)
{
  g_autoptr(ClairRowItem) a = clair_row_item_new (&(ClairRowSummary) { 0 });
  g_autoptr(ClairRowItem) b = clair_row_item_new (&(ClairRowSummary) { 1 });
  GtkOrdering order;

  /* The columns leave the sorter as the window goes. */
  if (self->view == NULL)
    return;
  probe.active = TRUE;
  probe.key = CLAIR_SORT_NONE;
  order = gtk_sorter_compare (sorter, a, b);
  probe.active = FALSE;
  self->sort_key = probe.key;
  self->sort_descending = order == GTK_ORDERING_LARGER;
  _clair_window_refilter (self);
}

/* Filtering */

static void
update_list_state (ClairWindow *self)
{
  guint shown = clair_row_view_get_n_shown (self->view);
  guint total = self->rows ? g_list_model_get_n_items (G_LIST_MODEL (self->rows)) : 0;
  g_autofree char *text = NULL;

  if (shown == total)
    text = g_strdup_printf (ngettext ("%u row", "%u rows", total), total);
  else
    /* Translators: rows shown by the filter, of all rows; the plural follows the total. */
    text = g_strdup_printf (ngettext ("%u of %u row", "%u of %u rows", total), shown, total);
  gtk_label_set_text (self->list_count_label, text);
  gtk_stack_set_visible_child_name (self->list_stack,
                                    shown == 0 && total > 0 ? "no-match" : "list");
}

void
_clair_window_refilter (ClairWindow *self)
{
  ClairRowQuery query = { self->filter_kind, self->threshold, self->search_matches,
                          self->sort_key, self->sort_descending };

  clair_row_view_set_query (self->view, &query);
  update_list_state (self);
}

/* The list widget inside the column view, which owns the scroll-to-item action in GTK 4.8. */
static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LIST_VIEW (child))
        return child;
      if ((found = find_list_view (child)) != NULL)
        return found;
    }
  return NULL;
}

/* The position of the row widget @row of the list, from the list item of its first cell. */
static guint
row_widget_position (GtkWidget *row)
{
  for (GtkWidget *cell = gtk_widget_get_first_child (row); cell; cell = gtk_widget_get_next_sibling (cell))
    for (GtkWidget *child = gtk_widget_get_first_child (cell); child; child = gtk_widget_get_next_sibling (child))
      {
        GtkListItem *item = g_object_get_data (G_OBJECT (child), "clair-list-item");

        if (item != NULL)
          return gtk_list_item_get_position (item);
      }
  return GTK_INVALID_LIST_POSITION;
}

/* J, K, N, a decision: the list's own cursor moves with the selection when the list has the
 * focus, so that the next ↓ goes on from the row being read, not from where the list last had
 * it. GTK 4.8 follows the focused row widget. Returns FALSE when that row has no widget yet (the
 * list has still to scroll there). */
static gboolean
focus_row (ClairWindow *self)
{
  GtkWidget *list = find_list_view (GTK_WIDGET (self->column_view));
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (list == NULL || focus == NULL || !gtk_widget_is_ancestor (focus, list))
    return TRUE;
  for (GtkWidget *row = gtk_widget_get_first_child (list); row; row = gtk_widget_get_next_sibling (row))
    if (gtk_widget_get_visible (row) && row_widget_position (row) == self->focus_row_position)
      {
        if (focus != row)
          gtk_widget_grab_focus (row);
        return TRUE;
      }
  return FALSE;
}

static gboolean
focus_row_cb (gpointer user_data)
{
  ClairWindow *self = user_data;

  if (focus_row (self) || ++self->focus_row_tries > 20)
    {
      self->focus_row_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
select_position (ClairWindow *self,
                 guint        position)
{
  GtkWidget *list = find_list_view (GTK_WIDGET (self->column_view));

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  if (list != NULL)
    gtk_widget_activate_action (list, "list.scroll-to-item", "u", position);
  self->focus_row_position = position;
  self->focus_row_tries = 0;
  if (!focus_row (self) && self->focus_row_id == 0)
    self->focus_row_id = g_timeout_add (25, focus_row_cb, self);
}

/* When the list changes (a new filter, search or sort), its positions hold other rows: the
 * selection is let go of before, quietly, and the row being read selected again after. */
static void
view_before_change_cb (ClairRowView *view,
                       ClairWindow  *self)
{
  self->current_row_position = self->current_row >= 0 ? clair_row_view_find (view, self->current_row)
                                                      : G_MAXUINT;
  self->restoring_selection = TRUE;
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  self->restoring_selection = FALSE;
}

static void
view_changed_cb (ClairRowView *view,
                 ClairWindow  *self)
{
  guint shown_at;

  update_list_state (self);
  /* A project read is loaded once its list is whole. */
  if (self->busy && self->rows != NULL)
    {
      set_busy (self, FALSE);
      _clair_window_update_actions (self);
    }
  /* A freshly loaded project selects its first row as soon as the filter lets one through. */
  if (self->select_first && g_list_model_get_n_items (G_LIST_MODEL (self->selection)) > 0)
    {
      self->select_first = FALSE;
      select_position (self, 0);
    }
  /* The row being read stays selected when shown, and in sight when it moved; when the filter
   * hides it, the first row shown takes its place, so the keys never decide on a row the list
   * does not show. */
  else if (self->current_row >= 0 &&
           (shown_at = clair_row_view_find (self->view, self->current_row)) != G_MAXUINT)
    {
      self->restoring_selection = TRUE;
      if (shown_at != self->current_row_position)
        select_position (self, shown_at);
      else
        gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), shown_at, TRUE);
      self->restoring_selection = FALSE;
    }
  else if (self->current_row >= 0 && g_list_model_get_n_items (G_LIST_MODEL (self->view)) > 0)
    select_position (self, 0);
}

/* A row picked (Enter, double click) from the list laid over a narrow window: the list makes
 * way for the record. */
static void
row_activated_cb (ClairWindow *self)
{
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
}

static void
filter_dropdown_changed_cb (GtkDropDown *dropdown,
                            GParamSpec  *pspec,
                            ClairWindow *self)
{
  self->filter_kind = gtk_drop_down_get_selected (dropdown);
  _clair_window_refilter (self);
}

void
_clair_window_set_threshold (ClairWindow *self,
                             double       threshold)
{
  if (self->threshold == threshold)
    return;
  self->threshold = threshold;
  g_settings_set_double (self->settings, "not-minimal-threshold", threshold);
  if (self->filter_kind == CLAIR_FILTER_NOT_MINIMAL)
    _clair_window_refilter (self);
}

/* Search: runs on the project's worker once GtkSearchEntry says the text changed. The entry
 * already waits for a pause in the typing before it emits `search-changed`, so that is the one
 * delay: the search starts from an idle right after (Enter starts it at once), and a newer text
 * cancels the search still running. */

static void
search_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ClairWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  GHashTable *matches = clair_project_search_finish (CLAIR_PROJECT (source), result, &error);

  if (g_task_get_cancellable (G_TASK (result)) == self->search_cancellable)
    g_clear_object (&self->search_cancellable);
  if (matches == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _clair_window_show_error (self, _("Search Failed"), error);
      return;
    }
  g_clear_pointer (&self->search_matches, g_hash_table_unref);
  self->search_matches = matches;
  /* The cells shown are updated when the list changes, so their highlight follows the text. */
  _clair_window_refilter (self);
}

static gboolean
search_start_cb (gpointer user_data)
{
  ClairWindow *self = user_data;

  self->search_idle_id = 0;
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  if (self->project == NULL || self->rows == NULL)
    return G_SOURCE_REMOVE;

  if (self->search_text == NULL)
    {
      g_clear_pointer (&self->search_matches, g_hash_table_unref);
      _clair_window_refilter (self);
      return G_SOURCE_REMOVE;
    }
  self->search_cancellable = g_cancellable_new ();
  clair_project_search_async (self->project, self->search_text, self->search_cancellable, search_done_cb,
                              g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   ClairWindow    *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_clear_pointer (&self->search_text, g_free);
  if (text != NULL && *text != '\0')
    self->search_text = g_strdup (text);
  g_clear_handle_id (&self->search_idle_id, g_source_remove);
  self->search_idle_id = g_idle_add (search_start_cb, self);
  /* What is searched for is marked in the row being read too. */
  clair_record_pane_set_search (self->record_pane, self->search_text);
}

static void
search_stop_cb (GtkSearchEntry *entry,
                ClairWindow    *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

/* Return in the search entry goes to the results: the list gets the focus, on the first match
 * unless the row being read is one of them. */
static void
search_activate_cb (GtkSearchEntry *entry,
                    ClairWindow    *self)
{
  /* A search whose idle has not run yet: now. */
  if (self->search_idle_id != 0)
    {
      g_source_remove (self->search_idle_id);
      search_start_cb (self);
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
  if (self->search_cancellable != NULL || clair_row_view_get_pending (self->view))
    {
      /* Results still to come: the first one is selected when the list shows them. */
      self->select_first = TRUE;
      return;
    }
  if (g_list_model_get_n_items (G_LIST_MODEL (self->view)) > 0 &&
      (self->current_row < 0 || clair_row_view_find (self->view, self->current_row) == G_MAXUINT))
    select_position (self, 0);
}

/* Tasks of visible rows are read in small batches on the project's worker. */

#define TASK_BATCH_MAX 48
#define TASK_CHARS     120   /* of a task's first line, for the list */

static void load_task_batch (ClairWindow *self);

static void
task_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ClairWindow) self = user_data;
  g_autoptr(GPtrArray) tasks = clair_project_get_tasks_finish (CLAIR_PROJECT (source), result, NULL);
  g_autoptr(GArray) rows = NULL;

  /* A batch of a project since closed says nothing of this one's. */
  if (source != (GObject *) self->project)
    return;
  rows = g_steal_pointer (&self->task_batch);
  if (tasks == NULL || self->rows == NULL)
    return;
  for (guint i = 0; i < tasks->len; i++)
    {
      ClairRowItem *item = clair_row_list_lookup (self->rows, g_array_index (rows, guint, i));

      if (item != NULL)
        clair_row_item_set_task (item, g_ptr_array_index (tasks, i));
    }
  load_task_batch (self);
}

static void
load_task_batch (ClairWindow *self)
{
  guint n;

  if (self->task_batch != NULL || self->task_queue->len == 0 || self->project == NULL)
    return;
  /* At most a screenful at a time: each task shown costs the main thread a label layout. */
  n = MIN (self->task_queue->len, TASK_BATCH_MAX);
  self->task_batch = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
  g_array_append_vals (self->task_batch, self->task_queue->data, n);
  g_array_remove_range (self->task_queue, 0, n);
  clair_project_get_tasks_async (self->project, (guint *) self->task_batch->data, n, TASK_CHARS,
                                 self->cancellable, task_done_cb, g_object_ref (self));
}

static void
request_task (ClairWindow  *self,
              ClairRowItem *item)
{
  guint index;

  if (clair_row_item_get_task_requested (item))
    return;
  clair_row_item_set_task_requested (item, TRUE);
  index = clair_row_item_get_index (item);
  g_array_append_val (self->task_queue, index);
  load_task_batch (self);
}

/* GTK 4.8 binds 200 rows around the top one shown, a screenful of which is on screen; each task
 * shown costs the main loop a label layout. So tasks are read for the rows on screen and a few
 * around them, worked out from the scroll position (the rows are all one height). */
#define TASK_MARGIN 8

static gboolean
load_visible_tasks_cb (gpointer user_data)
{
  ClairWindow *self = user_data;
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->view));
  double upper = adjustment ? gtk_adjustment_get_upper (adjustment) : 0;
  double page = adjustment ? gtk_adjustment_get_page_size (adjustment) : 0;
  double value = adjustment ? gtk_adjustment_get_value (adjustment) : 0;
  guint first = 0, last;

  self->visible_tasks_id = 0;
  if (n == 0 || self->rows == NULL)
    return G_SOURCE_REMOVE;
  if (upper <= 0 || page <= 0)
    last = TASK_BATCH_MAX;
  else
    {
      first = (guint) CLAMP (floor (value / upper * n), 0, n - 1);
      last = (guint) CLAMP (ceil ((value + page) / upper * n), 0, n - 1);
    }
  first = first > TASK_MARGIN ? first - TASK_MARGIN : 0;
  last = MIN ((guint64) last + TASK_MARGIN, n - 1);
  for (guint i = first; i <= last; i++)
    {
      ClairRowItem *row = clair_row_view_peek_row (self->view, i);

      if (row != NULL && clair_row_item_get_task (row) == NULL)
        request_task (self, row);
    }
  return G_SOURCE_REMOVE;
}

/* Coalesced; before the frame clock's work, which on a slow machine can keep coming. The
 * adjustment says again when a layout moved it. */
static void
queue_visible_tasks (ClairWindow *self)
{
  if (self->visible_tasks_id == 0)
    self->visible_tasks_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, load_visible_tasks_cb, self, NULL);
}

/* Loading a project: open it, read the summaries of every row on its worker, then make the
 * list's items from them on another. */
static void
forget_page_paint (ClairWindow *self)
{
  if (self->page_painted_id != 0)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

      /* Unrealized since, the clock is gone and took the handler with it. */
      if (clock != NULL)
        g_signal_handler_disconnect (clock, self->page_painted_id);
      self->page_painted_id = 0;
    }
  g_clear_handle_id (&self->show_rows_id, g_source_remove);
}

static void
clear_project (ClairWindow *self)
{
  _clair_window_import_stop (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  /* A bulk change stops after its current chunk; what it wrote stays. */
  g_cancellable_cancel (self->bulk_cancellable);
  g_clear_object (&self->bulk_cancellable);
  _clair_window_leave_edit (self);
  clair_row_view_set_rows (self->view, NULL);
  clair_row_list_unref_in_thread (g_steal_pointer (&self->rows));
  /* The guidelines being edited are saved before the project goes. */
  if (self->guidelines_pane != NULL)
    clair_guidelines_pane_set_project (self->guidelines_pane, NULL);
  if (self->guidelines_button != NULL)
    {
      gtk_toggle_button_set_active (self->guidelines_button, FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->guidelines_button), FALSE);
    }
  g_clear_object (&self->project);
  g_clear_pointer (&self->record, clair_record_free);
  g_clear_pointer (&self->search_matches, g_hash_table_unref);
  forget_page_paint (self);
  g_array_set_size (self->task_queue, 0);
  g_clear_handle_id (&self->visible_tasks_id, g_source_remove);
  g_clear_pointer (&self->task_batch, g_array_unref);
  self->current_row = -1;
  g_clear_object (&self->history);
}

void
_clair_window_close_project (ClairWindow *self)
{
  clear_project (self);
  adw_window_title_set_subtitle (self->window_title, NULL);
  gtk_stack_set_visible_child_name (self->main_stack, "empty");
  _clair_window_update_actions (self);
}

static void
set_busy (ClairWindow *self,
          gboolean     busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Puts the loaded rows in the list, which selects the first. */
static void
show_rows (ClairWindow *self)
{
  self->select_first = TRUE;
  clair_row_view_set_rows (self->view, self->rows);
  _clair_window_refilter (self);
  /* With rows, the list's "changed" says when it is whole (view_changed_cb). */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->rows)) == 0)
    set_busy (self, FALSE);
  /* While a dataset is imported, every count would read the rows again on this thread: the
   * import's reads bring the counts instead. */
  if (!_clair_window_is_importing (self))
    _clair_window_refresh_counts (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
  _clair_window_update_actions (self);
}

static gboolean
show_rows_idle_cb (gpointer user_data)
{
  ClairWindow *self = user_data;

  self->show_rows_id = 0;
  forget_page_paint (self);
  show_rows (self);
  return G_SOURCE_REMOVE;
}

static void
page_painted_cb (ClairWindow *self)
{
  forget_page_paint (self);
  /* In a turn of its own, not in the frame just painted (and not behind the next ones). */
  self->show_rows_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, show_rows_idle_cb, self, NULL);
}

static void
load_failed (ClairWindow  *self,
             const GError *error)
{
  /* A load of a project closed since was cancelled with it. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  _clair_window_show_error (self, _("Could Not Open the Project"), error);
  _clair_window_close_project (self);
}

static void
rows_made_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ClairWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairRowList) rows = clair_row_list_new_finish (result, &error);
  g_autofree char *basename = NULL;
  g_autofree char *display_name = NULL;
  GdkFrameClock *clock;

  if (rows == NULL)
    {
      load_failed (self, error);
      return;
    }
  /* Decisions made here are under the annotator named in Preferences (else the default name;
   * a shard of a split keeps its own annotator). */
  {
    g_autofree char *annotator = clair_preferences_dup_annotator (self->settings);
    g_autofree char *shard_of = clair_project_get_setting (self->project, CLAIR_TEAM_SHARD_ANNOTATOR_KEY);

    if (shard_of == NULL)
      clair_project_set_annotator (self->project, annotator);
  }
  /* A project with guidelines (a shard of a split, say) shows them beside the record. */
  clair_guidelines_pane_set_project (self->guidelines_pane, self->project);
  gtk_widget_set_sensitive (GTK_WIDGET (self->guidelines_button), TRUE);
  {
    g_autofree char *guidelines = clair_project_get_guidelines (self->project);

    gtk_toggle_button_set_active (self->guidelines_button, guidelines != NULL && *guidelines != '\0');
  }
  self->rows = g_steal_pointer (&rows);

  basename = g_path_get_basename (clair_project_get_path (self->project));
  display_name = clair_escape_controls (basename, CLAIR_ESCAPE_LINE);
  adw_window_title_set_subtitle (self->window_title, display_name);
  gtk_stack_set_visible_child_name (self->detail_stack, "none");
  /* Showing the page (list, detail view, source views) and filling a screenful of row widgets
   * take some 50 ms each on two cores with software rendering; in one turn of the main loop they
   * held it past 100 ms. So the page is painted empty first, and the rows go in after. */
  gtk_stack_set_visible_child_name (self->main_stack, "project");
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (clock == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      show_rows (self);
      return;
    }
  self->page_painted_id = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (page_painted_cb), self);
  /* A window that paints nothing (minimized) gets its rows all the same. */
  self->show_rows_id = g_timeout_add (250, show_rows_idle_cb, self);
}

static void
summaries_loaded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(ClairWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) summaries = NULL;

  summaries = clair_project_get_summaries_finish (CLAIR_PROJECT (source), result, NULL, &error);
  if (summaries == NULL)
    load_failed (self, error);
  else
    clair_row_list_new_async (summaries, g_task_get_cancellable (G_TASK (result)), rows_made_cb,
                              g_object_ref (self));
}

void
clair_window_open_project (ClairWindow *self,
                           const char  *path)
{
  g_autoptr(GError) error = NULL;
  ClairProject *project;

  g_return_if_fail (CLAIR_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  if (_clair_window_run_is_active (self))
    _clair_window_run_stop (self);
  project = clair_project_open (path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  if (project == NULL)
    {
      _clair_window_show_error (self, _("Could Not Open the Project"), error);
      return;
    }
  clear_project (self);
  self->project = project;
  self->history = clair_history_new (project);
  _clair_window_add_recent (self, path);
  gtk_label_set_text (self->loading_label, _("Reading rows…"));
  gtk_progress_bar_pulse (self->loading_bar);
  gtk_stack_set_visible_child_name (self->main_stack, "loading");
  set_busy (self, TRUE);
  _clair_window_update_actions (self);

  /* The first count of a big project reads every row (100 ms at 400k): the worker warms the
   * project's cache, so the window's counts come from it. */
  clair_project_get_summaries_async (project, 0, CLAIR_SUMMARY_WARM_COUNTS, self->cancellable,
                                     summaries_loaded_cb, g_object_ref (self));
}

/* The detail view */

/* A revision that came after the row was decided (a rerun, an imported batch) does not replace
 * the one reviewed: the window shows the reviewed one, which exports use, and offers the new one.
 * While the new one is shown, a decision is about it. */
static void
show_newer_banner (ClairWindow *self)
{
  ClairRecord *record = self->record;
  gboolean showing = self->showing_newer == (int) record->index && clair_record_has_newer_revision (record);

  self->newer_shown = showing;
  if (showing)
    {
      /* Swap: the newer attempt is shown (and decided on); the reviewed one waits. */
      ClairAttempt *reviewed = record->attempt;

      record->attempt = record->newer;
      record->newer = reviewed;
    }
}

/* What the pane needs to know beside the record. */
static ClairRecordPaneFlags
record_flags (ClairWindow *self)
{
  ClairRecordPaneFlags flags = 0;

  if (self->record == NULL)
    return 0;
  if (_clair_window_run_is_row_running (self, self->record->index))
    flags |= CLAIR_RECORD_PANE_RUNNING;
  if (self->newer_shown)
    flags |= CLAIR_RECORD_PANE_NEWER_SHOWN;
  else if (clair_record_has_newer_revision (self->record))
    flags |= CLAIR_RECORD_PANE_HAS_NEWER;
  return flags;
}

void
_clair_window_update_record_status (ClairWindow *self)
{
  if (self->record != NULL)
    clair_record_pane_update_status (self->record_pane, self->record, record_flags (self));
}

void
_clair_window_toggle_newer (ClairWindow *self)
{
  if (self->record == NULL)
    return;
  self->showing_newer = self->showing_newer == (int) self->record->index ? -1 : (int) self->record->index;
  _clair_window_show_record (self, self->record->index);
}

void
_clair_window_show_record (ClairWindow *self,
                           int          index)
{
  g_autoptr(GError) error = NULL;
  ClairRecord *record;

  if (self->project == NULL || index < 0)
    {
      g_clear_pointer (&self->record, clair_record_free);
      self->current_row = -1;
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      _clair_window_update_actions (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ROW]);
      return;
    }
  record = clair_project_get_record (self->project, index, &error);
  if (record == NULL)
    {
      _clair_window_show_error (self, _("Could Not Read the Row"), error);
      return;
    }
  /* Save a pending edit of the previous row before switching. */
  _clair_window_leave_edit (self);
  g_clear_pointer (&self->record, clair_record_free);
  self->record = record;
  if (self->current_row != index)
    self->showing_newer = -1;
  self->current_row = index;
  show_newer_banner (self);
  self->loading_record = TRUE;
  clair_record_pane_show (self->record_pane, record, record_flags (self),
                          _clair_window_run_get_live_text (self, record->index));
  /* Several annotators: each one's decision beside the others. */
  if (record->team_state != CLAIR_TEAM_SINGLE)
    {
      g_autoptr(GPtrArray) annotations = clair_project_get_annotations (self->project, record->index, NULL);

      clair_record_pane_set_annotations (self->record_pane, annotations, record->team_state);
    }
  else
    clair_record_pane_set_annotations (self->record_pane, NULL, CLAIR_TEAM_SINGLE);
  gtk_stack_set_visible_child_name (self->detail_stack, "row");
  self->loading_record = FALSE;
  _clair_window_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ROW]);
}

void
_clair_window_refresh_row (ClairWindow *self,
                           guint        index)
{
  g_autoptr(ClairRecord) record = NULL;
  ClairRowItem *item;
  ClairRowSummary summary;

  if (self->project == NULL || self->rows == NULL)
    return;
  item = clair_row_list_lookup (self->rows, index);
  record = clair_project_get_record (self->project, index, NULL);
  if (item == NULL || record == NULL)
    return;
  summary = *clair_row_item_get_summary (item);
  summary.status = clair_record_get_latest (record) ? clair_record_get_latest (record)->status : CLAIR_ROW_PENDING;
  summary.decision = record->decision;
  summary.edited = record->edited_revision != NULL;
  summary.n_attempts = MIN (record->n_attempts, 255);
  summary.team_state = record->team_state;
  summary.jaccard = record->attempt && record->attempt->has_metrics ? record->attempt->metrics.jaccard : NAN;
  summary.levenshtein_norm = record->attempt && record->attempt->has_metrics
                               ? record->attempt->metrics.levenshtein_norm : NAN;
  clair_row_item_set_summary (item, &summary);
  if ((int) index == self->current_row && !clair_diff_view_get_editable (CLAIR_DIFF_VIEW (self->diff_view)))
    _clair_window_show_record (self, index);
}

void
_clair_window_refresh_counts (ClairWindow *self)
{
  ClairProjectCounts counts;

  if (self->project == NULL || !clair_project_get_counts (self->project, &counts, NULL))
    return;
  _clair_window_show_counts (self, &counts);
}

/* Counts made elsewhere (a worker thread while a dataset is imported). */
void
_clair_window_show_counts (ClairWindow              *self,
                           const ClairProjectCounts *counts)
{
  clair_stats_set_counts (CLAIR_STATS (gtk_menu_button_get_popover (self->stats_button)), counts);
}

static void
selection_changed_cb (GtkSelectionModel *model,
                      guint              position,
                      guint              n_items,
                      ClairWindow       *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  g_autoptr(ClairRowItem) item = NULL;
  int index = -1;

  /* The list changing under the selection is not the user picking a row. */
  if (self->restoring_selection)
    return;
  selected = gtk_selection_model_get_selection (model);
  if (!gtk_bitset_is_empty (selected))
    {
      item = g_list_model_get_item (G_LIST_MODEL (model), gtk_bitset_get_minimum (selected));
      if (item != NULL)
        index = clair_row_item_get_index (item);
    }
  if (index != self->current_row || index < 0)
    _clair_window_show_record (self, index);
  else
    _clair_window_update_actions (self);
}

guint
_clair_window_get_selected_indexes (ClairWindow *self,
                                    GArray      *out)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GtkBitsetIter iter;
  guint position;

  if (gtk_bitset_iter_init_first (&iter, selected, &position))
    do
      {
        guint index = clair_row_item_get_index (clair_row_view_peek_row (self->view, position));

        g_array_append_val (out, index);
      }
    while (gtk_bitset_iter_next (&iter, &position));
  return out->len;
}

void
_clair_window_move (ClairWindow *self,
                    int          delta)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  gint64 position;

  if (n == 0)
    return;
  if (gtk_bitset_is_empty (selected))
    position = delta > 0 ? 0 : n - 1;
  else
    position = CLAMP ((gint64) gtk_bitset_get_minimum (selected) + delta, 0, (gint64) n - 1);
  select_position (self, position);
}

gboolean
clair_window_select_row (ClairWindow *self,
                         guint        index)
{
  guint position;

  g_return_val_if_fail (CLAIR_IS_WINDOW (self), FALSE);

  if (self->rows == NULL || clair_row_list_find_position (self->rows, index) == G_MAXUINT)
    return FALSE;
  if (clair_row_view_get_pending (self->view))
    clair_row_view_refresh_now (self->view);
  position = clair_row_view_find (self->view, index);
  if (position == G_MAXUINT)
    {
      /* Not shown: clear the filter and the search, then look again. */
      g_clear_handle_id (&self->search_idle_id, g_source_remove);
      g_clear_pointer (&self->search_matches, g_hash_table_unref);
      self->filter_kind = CLAIR_FILTER_ALL;
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      gtk_drop_down_set_selected (self->filter_dropdown, CLAIR_FILTER_ALL);
      _clair_window_refilter (self);
      clair_row_view_refresh_now (self->view);
      position = clair_row_view_find (self->view, index);
      if (position == G_MAXUINT)
        return FALSE;
    }
  select_position (self, position);
  return TRUE;
}

/* Messages */

void
_clair_window_toast (ClairWindow *self,
                     const char  *message)
{
  /* A toast's title is markup, and messages name files and hold servers' words. */
  g_autofree char *title = clair_escape_controls (message, CLAIR_ESCAPE_LINE | CLAIR_ESCAPE_MARKUP);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

void
_clair_window_show_error (ClairWindow  *self,
                          const char   *heading,
                          const GError *error)
{
  g_autofree char *body = error ? clair_escape_controls (error->message, CLAIR_ESCAPE_BLOCK) : NULL;
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
run_error_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       ClairWindow      *self)
{
  if (g_strcmp0 (response, "preferences") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "app.preferences", NULL);
}

void
_clair_window_show_run_error (ClairWindow  *self,
                              const char   *heading,
                              const GError *error)
{
  g_autofree char *body = error ? clair_escape_controls (error->message, CLAIR_ESCAPE_BLOCK) : NULL;
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Close"),
                                    "preferences", _("Open _Preferences"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "preferences",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "preferences");
  g_signal_connect_object (dialog, "response", G_CALLBACK (run_error_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject */

static void
stats_threshold_cb (ClairStats  *stats,
                    GParamSpec  *pspec,
                    ClairWindow *self)
{
  _clair_window_set_threshold (self, clair_stats_get_threshold (stats));
  /* The similarity cells mark values below the threshold: redraw the rows shown. */
  if (self->rows != NULL)
    {
      clair_row_view_update_shown (self->view);
    }
}

static void
agreement_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ClairStats) stats = user_data;
  g_autoptr(ClairAgreement) agreement = clair_project_compute_agreement_finish (CLAIR_PROJECT (source), result, NULL);

  clair_stats_set_agreement (stats, agreement);
}

static void
stats_show_cb (GtkWidget   *popover,
               ClairWindow *self)
{
  _clair_window_refresh_counts (self);
  if (self->rows != NULL)
    clair_stats_set_rows (CLAIR_STATS (popover), G_LIST_MODEL (self->rows));
  /* Agreement between annotators, worked out on the project's own reader. */
  if (self->project != NULL)
    clair_project_compute_agreement_async (self->project, self->cancellable, agreement_cb, g_object_ref (popover));
}

static void
clair_window_dispose (GObject *object)
{
  ClairWindow *self = CLAIR_WINDOW (object);

  _clair_window_run_dispose (self);
  if (self->view != NULL)
    g_signal_handlers_disconnect_by_data (self->view, self);
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_handle_id (&self->search_idle_id, g_source_remove);
  clear_project (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->selection);
  g_clear_object (&self->view);
  g_clear_pointer (&self->go_to_popover, gtk_widget_unparent);
  g_clear_pointer (&self->hub_settings, g_hash_table_unref);
  g_clear_handle_id (&self->focus_row_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CLAIR_TYPE_WINDOW);
  G_OBJECT_CLASS (clair_window_parent_class)->dispose (object);
}

static void
clair_window_finalize (GObject *object)
{
  ClairWindow *self = CLAIR_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->task_queue, g_array_unref);
  g_clear_pointer (&self->task_batch, g_array_unref);
  g_clear_pointer (&self->search_text, g_free);
  G_OBJECT_CLASS (clair_window_parent_class)->finalize (object);
}

static void
clair_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ClairWindow *self = CLAIR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_CURRENT_ROW:
      g_value_set_int (value, self->current_row);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_window_close_request_save (ClairWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
clair_window_close_request (GtkWindow *window)
{
  ClairWindow *self = CLAIR_WINDOW (window);

  clair_window_close_request_save (self);
  _clair_window_leave_edit (self);
  return GTK_WINDOW_CLASS (clair_window_parent_class)->close_request (window);
}

static void
clair_window_class_init (ClairWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = clair_window_dispose;
  object_class->finalize = clair_window_finalize;
  object_class->get_property = clair_window_get_property;
  window_class->close_request = clair_window_close_request;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CURRENT_ROW] =
    g_param_spec_int ("current-row", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CLAIR_TYPE_RECORD_PANE);
  g_type_ensure (CLAIR_TYPE_GUIDELINES_PANE);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/clair-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ClairWindow, name)
  BIND (toast_overlay);
  BIND (header_bar);
  BIND (window_title);
  BIND (run_button);
  BIND (stop_button);
  BIND (progress_box);
  BIND (progress_bar);
  BIND (progress_label);
  BIND (stats_button);
  BIND (main_stack);
  BIND (empty_page);
  BIND (recent_list);
  BIND (recent_group);
  BIND (recent_hub_list);
  BIND (recent_hub_group);
  BIND (loading_label);
  BIND (loading_bar);
  BIND (flap);
  BIND (sidebar);
  BIND (sidebar_clamp);
  BIND (sidebar_button);
  BIND (filter_dropdown);
  BIND (search_entry);
  BIND (list_stack);
  BIND (column_view);
  BIND (index_column);
  BIND (status_column);
  BIND (task_column);
  BIND (similarity_column);
  BIND (distance_column);
  BIND (decision_column);
  BIND (list_count_label);
  BIND (detail_stack);
  BIND (record_pane);
  BIND (guidelines_revealer);
  BIND (guidelines_pane);
  BIND (guidelines_button);
#undef BIND

  _clair_window_install_actions (widget_class);
}

/* The window's stylesheet, loaded once per display whether or not a ClairApplication runs
 * (AdwApplication would only load a "style.css"). */
static void
load_style (void)
{
  static gboolean loaded;
  g_autoptr(GtkCssProvider) provider = NULL;

  if (loaded || gdk_display_get_default () == NULL)
    return;
  loaded = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, RESOURCE_BASE "/clair-style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
clair_window_init (ClairWindow *self)
{
  GtkSorter *sorter;

  load_style ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (BASE_APP_ID);
  self->current_row = -1;
  self->showing_newer = -1;
  self->cancellable = g_cancellable_new ();
  self->task_queue = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect_object (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view)), "value-changed",
                           G_CALLBACK (queue_visible_tasks), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view)), "changed",
                           G_CALLBACK (queue_visible_tasks), self, G_CONNECT_SWAPPED);
  self->threshold = g_settings_get_double (self->settings, "not-minimal-threshold");

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  /* The row list beside the record while both fit at their smallest, over it (shown on demand)
   * in a narrower window; the record keeps the width. The button shows or hides the list in
   * either case (its visibility never follows the fold: that changes during allocation). */
  {
    /* A fixed width (the flap gets its smallest beside a content that expands). */
    int width = CLAMP (g_settings_get_int (self->settings, "sidebar-width"), 300, 520);

    adw_clamp_set_maximum_size (self->sidebar_clamp, width);
    adw_clamp_set_tightening_threshold (self->sidebar_clamp, width);
    gtk_widget_set_size_request (GTK_WIDGET (self->sidebar_clamp), width, -1);
  }
  g_object_bind_property (self->flap, "reveal-flap", self->sidebar_button, "active",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);

  /* The guidelines beside the record, shown on demand (and for a project that has some). */
  g_object_bind_property (self->guidelines_button, "active", self->guidelines_revealer, "reveal-child",
                          G_BINDING_SYNC_CREATE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->guidelines_button), FALSE);

  /* The record pane's diff view, which the actions drive. */
  self->diff_view = GTK_WIDGET (clair_record_pane_get_diff_view (self->record_pane));

  /* The list: rows → filter → sort (by the clicked column) → selection. */
  setup_column (self, self->index_column, COLUMN_INDEX);
  setup_column (self, self->status_column, COLUMN_STATUS);
  setup_column (self, self->task_column, COLUMN_TASK);
  setup_column (self, self->similarity_column, COLUMN_SIMILARITY);
  setup_column (self, self->distance_column, COLUMN_DISTANCE);
  setup_column (self, self->decision_column, COLUMN_DECISION);
  describe_column_headers (self);
  set_sorter (self->index_column, CLAIR_SORT_INDEX);
  set_sorter (self->status_column, CLAIR_SORT_STATUS);
  set_sorter (self->similarity_column, CLAIR_SORT_SIMILARITY);
  set_sorter (self->distance_column, CLAIR_SORT_DISTANCE);
  set_sorter (self->decision_column, CLAIR_SORT_DECISION);
  sorter = gtk_column_view_get_sorter (self->column_view);
  if (sorter != NULL)
    g_signal_connect (sorter, "changed", G_CALLBACK (sorter_changed_cb), self);
  self->view = clair_row_view_new ();
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->view)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect (self->view, "changed", G_CALLBACK (view_changed_cb), self);
  g_signal_connect (self->view, "before-change", G_CALLBACK (view_before_change_cb), self);
  /* Rows come in index order: the index column's header says so with its arrow. */
  gtk_column_view_sort_by_column (self->column_view, self->index_column, GTK_SORT_ASCENDING);
  g_signal_connect (self->filter_dropdown, "notify::selected", G_CALLBACK (filter_dropdown_changed_cb), self);
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  g_signal_connect (self->search_entry, "stop-search", G_CALLBACK (search_stop_cb), self);
  g_signal_connect (self->search_entry, "activate", G_CALLBACK (search_activate_cb), self);
  g_signal_connect_swapped (self->column_view, "activate", G_CALLBACK (row_activated_cb), self);

  /* Statistics */
  {
    GtkWidget *stats = clair_stats_new ();

    clair_stats_set_threshold (CLAIR_STATS (stats), self->threshold);
    g_signal_connect (stats, "notify::threshold", G_CALLBACK (stats_threshold_cb), self);
    g_signal_connect (stats, "show", G_CALLBACK (stats_show_cb), self);
    gtk_menu_button_set_popover (self->stats_button, stats);
  }

  _clair_window_setup_shortcuts (self);
  _clair_window_setup_drop (self);
  _clair_window_run_init (self);
  _clair_window_fill_recent (self);
  gtk_stack_set_visible_child_name (self->main_stack, "empty");
  _clair_window_update_actions (self);
}

ClairWindow *
clair_window_new (ClairApplication *application)
{
  return g_object_new (CLAIR_TYPE_WINDOW, "application", application, NULL);
}

ClairProject *
clair_window_get_project (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), NULL);
  return self->project;
}

int
clair_window_get_current_row (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), -1);
  return self->current_row;
}

GtkWidget *
clair_window_get_record_pane (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->record_pane);
}

GtkWidget *
clair_window_get_diff_view (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), NULL);
  return self->diff_view;
}

GListModel *
clair_window_get_rows (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->selection);
}

gboolean
clair_window_get_busy (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), FALSE);
  return self->busy;
}
