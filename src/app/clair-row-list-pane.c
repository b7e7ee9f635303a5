/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-row-list-pane"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "clair-cell-text.h"
#include "clair-row-list-pane.h"

/* The row list of the window. Filter, search and sort go through ClairRowView, which works the
 * order out on a worker thread; the tasks shown are read a screenful at a time on the project's
 * worker, for the rows on screen only. The selection follows the row being read across every
 * change of the list. */

struct _ClairRowListPane
{
  GtkWidget            parent_instance;

  /* Template widgets */
  GtkSearchEntry      *search_entry;
  GtkDropDown         *filter_dropdown;
  GtkStack            *list_stack;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *index_column;
  GtkColumnViewColumn *status_column;
  GtkColumnViewColumn *task_column;
  GtkColumnViewColumn *similarity_column;
  GtkColumnViewColumn *distance_column;
  GtkColumnViewColumn *decision_column;
  GtkLabel            *count_label;

  ClairProject        *project;
  ClairRowList        *rows;
  ClairRowView        *view;             /* the rows shown: filtered, searched, sorted */
  GtkMultiSelection   *selection;
  ClairFilterKind      filter_kind;
  ClairSortKey         sort_key;
  gboolean             sort_descending;
  double               threshold;
  int                  selected_index;   /* the row being read, or -1 */
  guint                selected_position; /* where the list showed it before it changed */
  gboolean             restoring_selection;
  gboolean             select_first;
  guint                focus_row_id;     /* the list's cursor follows the selection */
  guint                focus_row_position;
  guint                focus_row_tries;
  GHashTable          *search_matches;   /* row index → TRUE; NULL when not searching */
  char                *search_text;
  GCancellable        *cancellable;      /* task reads of these rows */
  GCancellable        *search_cancellable;
  guint                search_idle_id;   /* starts the search GtkSearchEntry asked for */
  GArray              *task_queue;       /* row indexes whose task to load */
  GArray              *task_batch;       /* those being read, or NULL */
  guint                visible_tasks_id; /* works out which rows are on screen */
};

G_DEFINE_FINAL_TYPE (ClairRowListPane, clair_row_list_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SELECTED_INDEX,
  PROP_FILTER,
  PROP_THRESHOLD,
  PROP_SEARCH_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum { ROW_ACTIVATED, LIST_CHANGED, SEARCH_FAILED, N_SIGNALS };

static guint signals[N_SIGNALS];

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

#define TASK_CHARS 120   /* of a task's first line, for the list */

static void queue_visible_tasks (ClairRowListPane *self);

/* The matches of @needle in @text marked as the search marks them elsewhere (black on yellow),
 * or NULL when there are none. ASCII folding keeps byte offsets aligned with the text. */
static PangoAttrList *
highlight_attributes (const char *text,
                      const char *needle)
{
  g_autofree char *folded_text = NULL;
  g_autofree char *folded_needle = NULL;
  PangoAttrList *attrs = NULL;
  gsize needle_len;

  if (needle == NULL || *needle == '\0')
    return NULL;
  folded_text = g_ascii_strdown (text, -1);
  folded_needle = g_ascii_strdown (needle, -1);
  needle_len = strlen (folded_needle);
  for (const char *hit = strstr (folded_text, folded_needle); hit != NULL;
       hit = strstr (hit + needle_len, folded_needle))
    {
      PangoAttribute *background = pango_attr_background_new (0xf8f8, 0xe4e4, 0x5c5c);
      PangoAttribute *foreground = pango_attr_foreground_new (0, 0, 0);

      if (attrs == NULL)
        attrs = pango_attr_list_new ();
      background->start_index = foreground->start_index = hit - folded_text;
      background->end_index = foreground->end_index = hit - folded_text + needle_len;
      pango_attr_list_insert (attrs, background);
      pango_attr_list_insert (attrs, foreground);
    }
  return attrs;
}

/* Text cells are ClairCellTexts: GTK 4.8 keeps widgets for 200 rows around the list's top. A
 * GtkLabel lays its text out to say how big it is, several times over as the list measures its
 * rows and columns, and asks for a new layout of the whole list whenever its text changes; a
 * cell text's size comes from the font alone, its text is laid out once, when drawn, and a new
 * text only redraws it. Unlike a GtkInscription, which does the same, it needs no PangoContext
 * of its own: making 800 of them, and measuring the font in each, was most of the cost of the
 * list's first screenful. */
static void
set_cell_text (GtkWidget  *cell,
               const char *text)
{
  clair_cell_text_set_text (CLAIR_CELL_TEXT (cell), text);
}

static void
set_cell_attributes (GtkWidget     *cell,
                     PangoAttrList *attrs)
{
  clair_cell_text_set_attributes (CLAIR_CELL_TEXT (cell), attrs);
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
format_metric (GtkWidget *cell,
               double     value)
{
  char buf[32];

  if (isnan (value))
    set_cell_text (cell, "—");
  else
    {
      g_snprintf (buf, sizeof buf, "%.2f", value);
      set_cell_text (cell, buf);
    }
}

static void
update_cell (GtkListItem *list_item)
{
  ClairRowListPane *self = g_object_get_data (G_OBJECT (list_item), "clair-pane");
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
      set_cell_text (child, buf);
      break;
    case COLUMN_STATUS:
      status_presentation (item, &icon, &name, &css);
      set_cell_icon (child, icon, name, css);
      break;
    case COLUMN_TASK:
      {
        const char *task = clair_row_item_get_task (item);
        g_autoptr(PangoAttrList) attrs = NULL;

        if (task == NULL)
          queue_visible_tasks (self);
        else
          attrs = highlight_attributes (task, self->search_text);
        set_cell_text (child, task ? task : "");
        set_cell_attributes (child, attrs);
      }
      break;
    case COLUMN_SIMILARITY:
      format_metric (child, clair_row_item_get_jaccard (item));
      if (!isnan (clair_row_item_get_jaccard (item)) &&
          clair_row_item_get_jaccard (item) < self->threshold)
        gtk_widget_add_css_class (child, "warning");
      else
        gtk_widget_remove_css_class (child, "warning");
      break;
    case COLUMN_DISTANCE:
      format_metric (child, clair_row_item_get_distance (item));
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
               ClairRowListPane         *self)
{
  ColumnKind kind = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "clair-column"));
  GtkWidget *child;

  g_object_set_data (G_OBJECT (list_item), "clair-pane", self);
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
      /* At least a few words; as wide as the longest task shown when there is room. */
      child = clair_cell_text_new ();
      clair_cell_text_set_ellipsize (CLAIR_CELL_TEXT (child), TRUE);
      clair_cell_text_set_chars (CLAIR_CELL_TEXT (child), 8, TASK_CHARS);
      break;
    case COLUMN_INDEX:
    case COLUMN_SIMILARITY:
    case COLUMN_DISTANCE:
    default:
      /* Their columns have a fixed width: no size of their own. */
      child = clair_cell_text_new ();
      clair_cell_text_set_xalign (CLAIR_CELL_TEXT (child), 1);
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
              ClairRowListPane         *self)
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
                ClairRowListPane         *self)
{
  ClairRowItem *item = gtk_list_item_get_item (list_item);
  gulong id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (list_item), "clair-handler"));

  if (item != NULL && id != 0)
    g_signal_handler_disconnect (item, id);
  g_object_set_data (G_OBJECT (list_item), "clair-handler", NULL);
}

static void
setup_column (ClairRowListPane    *self,
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
describe_column_headers (ClairRowListPane *self)
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
sorter_changed_cb (GtkSorter        *sorter,
                   GtkSorterChange   change,
                   ClairRowListPane *self)
{
  g_autoptr(ClairRowItem) a = clair_row_item_new (&(ClairRowSummary) { 0 });
  g_autoptr(ClairRowItem) b = clair_row_item_new (&(ClairRowSummary) { 1 });
  GtkOrdering order;

  probe.active = TRUE;
  probe.key = CLAIR_SORT_NONE;
  order = gtk_sorter_compare (sorter, a, b);
  probe.active = FALSE;
  self->sort_key = probe.key;
  self->sort_descending = order == GTK_ORDERING_LARGER;
  clair_row_list_pane_refilter (self);
}

/* Filtering */

static void
update_list_state (ClairRowListPane *self)
{
  guint shown = clair_row_view_get_n_shown (self->view);
  guint total = self->rows ? g_list_model_get_n_items (G_LIST_MODEL (self->rows)) : 0;
  g_autofree char *text = NULL;

  if (shown == total)
    text = g_strdup_printf (ngettext ("%u row", "%u rows", total), total);
  else
    /* Translators: rows shown by the filter, of all rows; the plural follows the total. */
    text = g_strdup_printf (ngettext ("%u of %u row", "%u of %u rows", total), shown, total);
  gtk_label_set_text (self->count_label, text);
  gtk_stack_set_visible_child_name (self->list_stack,
                                    shown == 0 && total > 0 ? "no-match" : "list");
}

void
clair_row_list_pane_refilter (ClairRowListPane *self)
{
  ClairRowQuery query = { self->filter_kind, self->threshold, self->search_matches,
                          self->sort_key, self->sort_descending };

  g_return_if_fail (CLAIR_IS_ROW_LIST_PANE (self));

  /* A search that ends as the pane goes. */
  if (self->view == NULL)
    return;
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
focus_row (ClairRowListPane *self)
{
  GtkWidget *list = find_list_view (GTK_WIDGET (self->column_view));
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

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
  ClairRowListPane *self = user_data;

  if (focus_row (self) || ++self->focus_row_tries > 20)
    {
      self->focus_row_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
select_position (ClairRowListPane *self,
                 guint             position)
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
view_before_change_cb (ClairRowView     *view,
                       ClairRowListPane *self)
{
  self->selected_position = self->selected_index >= 0 ? clair_row_view_find (view, self->selected_index)
                                                       : G_MAXUINT;
  self->restoring_selection = TRUE;
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  self->restoring_selection = FALSE;
}

static void
view_changed_cb (ClairRowView     *view,
                 ClairRowListPane *self)
{
  guint shown_at;

  update_list_state (self);
  g_signal_emit (self, signals[LIST_CHANGED], 0);
  /* A freshly loaded project selects its first row as soon as the filter lets one through. */
  if (self->select_first && g_list_model_get_n_items (G_LIST_MODEL (self->selection)) > 0)
    {
      self->select_first = FALSE;
      select_position (self, 0);
    }
  /* The row being read stays selected when shown, and in sight when it moved; when the filter
   * hides it, the first row shown takes its place, so the keys never decide on a row the list
   * does not show. */
  else if (self->selected_index >= 0 &&
           (shown_at = clair_row_view_find (self->view, self->selected_index)) != G_MAXUINT)
    {
      self->restoring_selection = TRUE;
      if (shown_at != self->selected_position)
        select_position (self, shown_at);
      else
        gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), shown_at, TRUE);
      self->restoring_selection = FALSE;
    }
  else if (self->selected_index >= 0 && g_list_model_get_n_items (G_LIST_MODEL (self->view)) > 0)
    select_position (self, 0);
}

static void
set_selected_index (ClairRowListPane *self,
                    int               index)
{
  if (self->selected_index == index)
    return;
  self->selected_index = index;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_INDEX]);
}

/* The user picking a row, or the list putting the first row shown in place of one it hides. */
static void
selection_changed_cb (GtkSelectionModel *model,
                      guint              position,
                      guint              n_items,
                      ClairRowListPane  *self)
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
  set_selected_index (self, index);
}

/* A row picked with Enter or a double click. */
static void
activate_cb (GtkColumnView    *column_view,
             guint             position,
             ClairRowListPane *self)
{
  ClairRowItem *item = clair_row_view_peek_row (self->view, position);

  if (item != NULL)
    g_signal_emit (self, signals[ROW_ACTIVATED], 0, clair_row_item_get_index (item));
}

static void
filter_dropdown_changed_cb (GtkDropDown      *dropdown,
                            GParamSpec       *pspec,
                            ClairRowListPane *self)
{
  ClairFilterKind filter = gtk_drop_down_get_selected (dropdown);

  if (filter == self->filter_kind)
    return;
  self->filter_kind = filter;
  clair_row_list_pane_refilter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
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
  g_autoptr(ClairRowListPane) self = user_data;
  g_autoptr(GError) error = NULL;
  GHashTable *matches = clair_project_search_finish (CLAIR_PROJECT (source), result, &error);

  if (g_task_get_cancellable (G_TASK (result)) == self->search_cancellable)
    g_clear_object (&self->search_cancellable);
  if (matches == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_signal_emit (self, signals[SEARCH_FAILED], 0, error);
      return;
    }
  g_clear_pointer (&self->search_matches, g_hash_table_unref);
  self->search_matches = matches;
  /* The cells shown are updated when the list changes, so their highlight follows the text. */
  clair_row_list_pane_refilter (self);
}

static gboolean
search_start_cb (gpointer user_data)
{
  ClairRowListPane *self = user_data;

  self->search_idle_id = 0;
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  if (self->project == NULL || self->rows == NULL)
    return G_SOURCE_REMOVE;

  if (self->search_text == NULL)
    {
      g_clear_pointer (&self->search_matches, g_hash_table_unref);
      clair_row_list_pane_refilter (self);
      return G_SOURCE_REMOVE;
    }
  self->search_cancellable = g_cancellable_new ();
  clair_project_search_async (self->project, self->search_text, self->search_cancellable, search_done_cb,
                              g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
search_changed_cb (GtkSearchEntry   *entry,
                   ClairRowListPane *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_clear_pointer (&self->search_text, g_free);
  if (text != NULL && *text != '\0')
    self->search_text = g_strdup (text);
  g_clear_handle_id (&self->search_idle_id, g_source_remove);
  self->search_idle_id = g_idle_add (search_start_cb, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
}

static void
search_stop_cb (GtkSearchEntry   *entry,
                ClairRowListPane *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

/* Return in the search entry goes to the results: the list gets the focus, on the first match
 * unless the row being read is one of them. */
static void
search_activate_cb (GtkSearchEntry   *entry,
                    ClairRowListPane *self)
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
      (self->selected_index < 0 || clair_row_view_find (self->view, self->selected_index) == G_MAXUINT))
    select_position (self, 0);
}

/* Tasks of visible rows are read in small batches on the project's worker. */

#define TASK_BATCH_MAX 48

static void load_task_batch (ClairRowListPane *self);

static void
task_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ClairRowListPane) self = user_data;
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
load_task_batch (ClairRowListPane *self)
{
  guint n;

  if (self->task_batch != NULL || self->task_queue->len == 0 || self->project == NULL)
    return;
  /* At most a screenful at a time: each task shown costs the main thread a text layout. */
  n = MIN (self->task_queue->len, TASK_BATCH_MAX);
  self->task_batch = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
  g_array_append_vals (self->task_batch, self->task_queue->data, n);
  g_array_remove_range (self->task_queue, 0, n);
  clair_project_get_tasks_async (self->project, (guint *) self->task_batch->data, n, TASK_CHARS,
                                 self->cancellable, task_done_cb, g_object_ref (self));
}

static void
request_task (ClairRowListPane *self,
              ClairRowItem     *item)
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
 * shown costs the main loop a text layout. So tasks are read for the rows on screen and a few
 * around them, worked out from the scroll position (the rows are all one height). */
#define TASK_MARGIN 8

static gboolean
load_visible_tasks_cb (gpointer user_data)
{
  ClairRowListPane *self = user_data;
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
queue_visible_tasks (ClairRowListPane *self)
{
  if (self->visible_tasks_id == 0)
    self->visible_tasks_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, load_visible_tasks_cb, self, NULL);
}

/* Stops every read and search of the rows shown. */
static void
forget_rows (ClairRowListPane *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_handle_id (&self->search_idle_id, g_source_remove);
  g_clear_handle_id (&self->visible_tasks_id, g_source_remove);
  g_clear_handle_id (&self->focus_row_id, g_source_remove);
  g_clear_pointer (&self->task_batch, g_array_unref);
  g_array_set_size (self->task_queue, 0);
  g_clear_pointer (&self->search_matches, g_hash_table_unref);
  g_clear_object (&self->rows);
  g_clear_object (&self->project);
}

static void
clair_row_list_pane_dispose (GObject *object)
{
  ClairRowListPane *self = CLAIR_ROW_LIST_PANE (object);
  GtkWidget *child;

  forget_rows (self);
  if (self->view != NULL)
    g_signal_handlers_disconnect_by_data (self->view, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  /* The columns leave the sorter as the pane goes: that is no new order. */
  if (self->column_view != NULL && gtk_column_view_get_sorter (self->column_view) != NULL)
    g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view), self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CLAIR_TYPE_ROW_LIST_PANE);
  /* The template's children without an id too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->view);
  G_OBJECT_CLASS (clair_row_list_pane_parent_class)->dispose (object);
}

static void
clair_row_list_pane_finalize (GObject *object)
{
  ClairRowListPane *self = CLAIR_ROW_LIST_PANE (object);

  g_clear_pointer (&self->task_queue, g_array_unref);
  g_clear_pointer (&self->search_text, g_free);
  G_OBJECT_CLASS (clair_row_list_pane_parent_class)->finalize (object);
}

static void
clair_row_list_pane_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ClairRowListPane *self = CLAIR_ROW_LIST_PANE (object);

  switch (prop_id)
    {
    case PROP_SELECTED_INDEX:
      g_value_set_int (value, self->selected_index);
      break;
    case PROP_FILTER:
      g_value_set_uint (value, self->filter_kind);
      break;
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_SEARCH_TEXT:
      g_value_set_string (value, self->search_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_row_list_pane_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ClairRowListPane *self = CLAIR_ROW_LIST_PANE (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      clair_row_list_pane_set_filter (self, g_value_get_uint (value));
      break;
    case PROP_THRESHOLD:
      clair_row_list_pane_set_threshold (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_row_list_pane_class_init (ClairRowListPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clair_row_list_pane_dispose;
  object_class->finalize = clair_row_list_pane_finalize;
  object_class->get_property = clair_row_list_pane_get_property;
  object_class->set_property = clair_row_list_pane_set_property;

  properties[PROP_SELECTED_INDEX] =
    g_param_spec_int ("selected-index", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* A ClairFilterKind. */
  properties[PROP_FILTER] =
    g_param_spec_uint ("filter", NULL, NULL, CLAIR_FILTER_ALL, CLAIR_FILTER_DISAGREED, CLAIR_FILTER_ALL,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_THRESHOLD] =
    g_param_spec_double ("threshold", NULL, NULL, 0, 1, 0.5,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SEARCH_TEXT] =
    g_param_spec_string ("search-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The row with this index was picked with Enter or a double click. */
  signals[ROW_ACTIVATED] = g_signal_new ("row-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /* The rows shown changed: a filter, search or sort applied, rows added or gone. */
  signals[LIST_CHANGED] = g_signal_new ("list-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The project could not be searched (a GError). */
  signals[SEARCH_FAILED] = g_signal_new ("search-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/clair-row-list-pane.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ClairRowListPane, name)
  BIND (search_entry);
  BIND (filter_dropdown);
  BIND (list_stack);
  BIND (column_view);
  BIND (index_column);
  BIND (status_column);
  BIND (task_column);
  BIND (similarity_column);
  BIND (distance_column);
  BIND (decision_column);
  BIND (count_label);
#undef BIND
}

static void
clair_row_list_pane_init (ClairRowListPane *self)
{
  GtkAdjustment *vadjustment;
  GtkSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->selected_index = -1;
  self->threshold = 0.5;
  self->cancellable = g_cancellable_new ();
  self->task_queue = g_array_new (FALSE, FALSE, sizeof (guint));
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view));
  g_signal_connect_object (vadjustment, "value-changed", G_CALLBACK (queue_visible_tasks), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (vadjustment, "changed", G_CALLBACK (queue_visible_tasks), self, G_CONNECT_SWAPPED);

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
  /* Rows come in index order: the index column's header says so with its arrow (drawn by the
   * theme for a column view of the "view" class, which the template keeps). */
  gtk_column_view_sort_by_column (self->column_view, self->index_column, GTK_SORT_ASCENDING);
  g_signal_connect (self->filter_dropdown, "notify::selected", G_CALLBACK (filter_dropdown_changed_cb), self);
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  g_signal_connect (self->search_entry, "stop-search", G_CALLBACK (search_stop_cb), self);
  g_signal_connect (self->search_entry, "activate", G_CALLBACK (search_activate_cb), self);
  g_signal_connect (self->column_view, "activate", G_CALLBACK (activate_cb), self);
}

GtkWidget *
clair_row_list_pane_new (void)
{
  return g_object_new (CLAIR_TYPE_ROW_LIST_PANE, NULL);
}

void
clair_row_list_pane_set_rows (ClairRowListPane *self,
                              ClairProject     *project,
                              ClairRowList     *rows)
{
  g_return_if_fail (CLAIR_IS_ROW_LIST_PANE (self));
  g_return_if_fail (project == NULL || CLAIR_IS_PROJECT (project));
  g_return_if_fail (rows == NULL || CLAIR_IS_ROW_LIST (rows));

  forget_rows (self);
  self->cancellable = g_cancellable_new ();
  self->project = project ? g_object_ref (project) : NULL;
  self->rows = rows ? g_object_ref (rows) : NULL;
  self->select_first = rows != NULL;
  clair_row_view_set_rows (self->view, rows);
  clair_row_list_pane_refilter (self);
  if (rows == NULL)
    set_selected_index (self, -1);
}

void
clair_row_list_pane_hold (ClairRowListPane *self)
{
  g_return_if_fail (CLAIR_IS_ROW_LIST_PANE (self));

  forget_rows (self);
  self->cancellable = g_cancellable_new ();
  self->select_first = FALSE;
  /* Before the view changes: no row is being read, so none gets selected in its place. */
  set_selected_index (self, -1);
  clair_row_view_hold (self->view);
  update_list_state (self);
}

GListModel *
clair_row_list_pane_get_model (ClairRowListPane *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_LIST_PANE (self), NULL);

  return G_LIST_MODEL (self->selection);
}

guint
clair_row_list_pane_get_n_rows (ClairRowListPane *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_LIST_PANE (self), 0);

  return self->rows ? g_list_model_get_n_items (G_LIST_MODEL (self->rows)) : 0;
}

int
clair_row_list_pane_get_selected_index (ClairRowListPane *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_LIST_PANE (self), -1);

  return self->selected_index;
}

gboolean
clair_row_list_pane_select_index (ClairRowListPane *self,
                                  guint             index)
{
  guint position;

  g_return_val_if_fail (CLAIR_IS_ROW_LIST_PANE (self), FALSE);

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
      clair_row_list_pane_refilter (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
      clair_row_view_refresh_now (self->view);
      position = clair_row_view_find (self->view, index);
      if (position == G_MAXUINT)
        return FALSE;
    }
  select_position (self, position);
  return TRUE;
}

void
clair_row_list_pane_move (ClairRowListPane *self,
                          int               delta)
{
  g_autoptr(GtkBitset) selected = NULL;
  guint n;
  gint64 position;

  g_return_if_fail (CLAIR_IS_ROW_LIST_PANE (self));

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  if (n == 0)
    return;
  if (gtk_bitset_is_empty (selected))
    position = delta > 0 ? 0 : n - 1;
  else
    position = CLAMP ((gint64) gtk_bitset_get_minimum (selected) + delta, 0, (gint64) n - 1);
  select_position (self, position);
}

guint
clair_row_list_pane_get_selected_indexes (ClairRowListPane *self,
                                          GArray           *out)
{
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint position;

  g_return_val_if_fail (CLAIR_IS_ROW_LIST_PANE (self), 0);
  g_return_val_if_fail (out != NULL, 0);

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
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
clair_row_list_pane_get_shown_indexes (ClairRowListPane *self,
                                       GArray           *out)
{
  guint n;

  g_return_if_fail (CLAIR_IS_ROW_LIST_PANE (self));
  g_return_if_fail (out != NULL);

  n = clair_row_view_get_n_shown (self->view);
  for (guint i = 0; i < n; i++)
    {
      guint index = clair_row_item_get_index (clair_row_view_peek_row (self->view, i));

      g_array_append_val (out, index);
    }
}

int
clair_row_list_pane_find_next_undecided (ClairRowListPane *self)
{
  guint n, start;

  g_return_val_if_fail (CLAIR_IS_ROW_LIST_PANE (self), -1);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->view));
  start = self->selected_index >= 0 ? clair_row_view_find (self->view, self->selected_index) : G_MAXUINT;
  for (guint step = 1; step <= n; step++)
    {
      guint position = start == G_MAXUINT ? step - 1 : (start + step) % n;
      ClairRowItem *item = clair_row_view_peek_row (self->view, position);

      if (item != NULL && clair_row_item_get_decision (item) == CLAIR_DECISION_NONE)
        return clair_row_item_get_index (item);
    }
  return -1;
}

ClairFilterKind
clair_row_list_pane_get_filter (ClairRowListPane *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_LIST_PANE (self), CLAIR_FILTER_ALL);

  return self->filter_kind;
}

void
clair_row_list_pane_set_filter (ClairRowListPane *self,
                                ClairFilterKind   filter)
{
  g_return_if_fail (CLAIR_IS_ROW_LIST_PANE (self));
  g_return_if_fail (filter <= CLAIR_FILTER_DISAGREED);

  /* The dropdown applies it and notifies. */
  gtk_drop_down_set_selected (self->filter_dropdown, filter);
}

double
clair_row_list_pane_get_threshold (ClairRowListPane *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_LIST_PANE (self), 0);

  return self->threshold;
}

void
clair_row_list_pane_set_threshold (ClairRowListPane *self,
                                   double            threshold)
{
  g_return_if_fail (CLAIR_IS_ROW_LIST_PANE (self));

  if (self->threshold == threshold)
    return;
  self->threshold = threshold;
  if (self->filter_kind == CLAIR_FILTER_NOT_MINIMAL)
    clair_row_list_pane_refilter (self);
  /* The similarity cells mark values below the threshold. */
  clair_row_view_update_shown (self->view);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
}

const char *
clair_row_list_pane_get_search_text (ClairRowListPane *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_LIST_PANE (self), NULL);

  return self->search_text;
}

void
clair_row_list_pane_sort_by (ClairRowListPane *self,
                             ClairSortKey      key,
                             GtkSortType       order)
{
  GtkColumnViewColumn *columns[] = {
    [CLAIR_SORT_NONE] = NULL,
    [CLAIR_SORT_INDEX] = self->index_column,
    [CLAIR_SORT_STATUS] = self->status_column,
    [CLAIR_SORT_SIMILARITY] = self->similarity_column,
    [CLAIR_SORT_DISTANCE] = self->distance_column,
    [CLAIR_SORT_DECISION] = self->decision_column,
  };

  g_return_if_fail (CLAIR_IS_ROW_LIST_PANE (self));
  g_return_if_fail (key < G_N_ELEMENTS (columns));

  gtk_column_view_sort_by_column (self->column_view, columns[key], order);
}

gboolean
clair_row_list_pane_get_pending (ClairRowListPane *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_LIST_PANE (self), FALSE);

  return self->search_idle_id != 0 || self->search_cancellable != NULL ||
         clair_row_view_get_pending (self->view);
}

void
clair_row_list_pane_focus_list (ClairRowListPane *self)
{
  g_return_if_fail (CLAIR_IS_ROW_LIST_PANE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

void
clair_row_list_pane_focus_search (ClairRowListPane *self)
{
  g_return_if_fail (CLAIR_IS_ROW_LIST_PANE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}
