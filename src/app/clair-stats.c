/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-stats"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "clair-escape.h"
#include "clair-histogram.h"
#include "clair-row-item.h"
#include "clair-stats.h"

struct _ClairStats
{
  GtkPopover  parent_instance;
  GtkWidget  *histogram;
  GtkWidget  *scale;
  GtkWidget  *below_label;
  GHashTable *values;      /* name → GtkLabel */
  guint       n_below;
  guint       n_revised;
  GtkWidget  *agreement_box;    /* shown with two annotators or more */
  GtkWidget  *agreement_grid;
  GtkWidget  *alpha_label;
};

enum { PROP_0, PROP_THRESHOLD, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ClairStats, clair_stats, GTK_TYPE_POPOVER)

static const struct
{
  const char *name;
  const char *label;
} rows[] = {
  { "rows", N_("Rows") },
  { "pending", N_("Pending") },
  { "revised", N_("Revised") },
  { "parse-failed", N_("No usable revision") },
  { "failed", N_("Failed") },
  { "accepted", N_("Accepted") },
  { "rejected", N_("Rejected") },
  { "skipped", N_("Skipped") },
  { "edited", N_("Edited") },
  { "tokens", N_("Tokens (prompt → answer)") },
};

static void
update_below (ClairStats *self)
{
  g_autofree char *text = NULL;

  /* Translators: revisions whose similarity is below the threshold; the plural follows the total. */
  text = g_strdup_printf (ngettext ("%u of %u revision below %.2f (not minimal)",
                                    "%u of %u revisions below %.2f (not minimal)", self->n_revised),
                          self->n_below, self->n_revised, clair_histogram_get_threshold (CLAIR_HISTOGRAM (self->histogram)));
  gtk_label_set_text (GTK_LABEL (self->below_label), text);
}

static void
recount_below (ClairStats *self)
{
  ClairHistogram *histogram = CLAIR_HISTOGRAM (self->histogram);
  double threshold = clair_histogram_get_threshold (histogram);

  self->n_below = 0;
  self->n_revised = 0;
  for (guint i = 0; i < CLAIR_HISTOGRAM_N_BINS; i++)
    {
      guint n = clair_histogram_get_bin (histogram, i);

      self->n_revised += n;
      if ((i + 1) / (double) CLAIR_HISTOGRAM_N_BINS <= threshold + 1e-9)
        self->n_below += n;
    }
  update_below (self);
}

static void
threshold_changed_cb (ClairHistogram *histogram,
                      GParamSpec     *pspec,
                      ClairStats     *self)
{
  double value = clair_histogram_get_threshold (histogram);

  if (fabs (gtk_range_get_value (GTK_RANGE (self->scale)) - value) > 1e-9)
    gtk_range_set_value (GTK_RANGE (self->scale), value);
  recount_below (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
}

static void
scale_changed_cb (GtkRange   *range,
                  ClairStats *self)
{
  clair_histogram_set_threshold (CLAIR_HISTOGRAM (self->histogram), gtk_range_get_value (range));
}

static void
clair_stats_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_THRESHOLD:
      g_value_set_double (value, clair_stats_get_threshold (CLAIR_STATS (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_stats_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_THRESHOLD:
      clair_stats_set_threshold (CLAIR_STATS (object), g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_stats_finalize (GObject *object)
{
  ClairStats *self = CLAIR_STATS (object);

  g_clear_pointer (&self->values, g_hash_table_unref);
  G_OBJECT_CLASS (clair_stats_parent_class)->finalize (object);
}

static void
clair_stats_class_init (ClairStatsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = clair_stats_get_property;
  object_class->set_property = clair_stats_set_property;
  object_class->finalize = clair_stats_finalize;
  properties[PROP_THRESHOLD] =
    g_param_spec_double ("threshold", NULL, NULL, 0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* The figures stay selectable, to copy one, without the first showing up picked out each time
 * the popover opens: opening focuses it, and GTK selects the whole text of a selectable label
 * that takes the focus, so the number of rows came up highlighted as a search result is. The
 * focus stays there (the keyboard still reaches every figure); only the selection goes. Run after
 * GtkPopover's own show, which moves the focus in. */
static void
shown_cb (GtkWidget *popover,
          gpointer   user_data)
{
  GtkRoot *root = gtk_widget_get_root (popover);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (GTK_IS_LABEL (focus) && gtk_widget_is_ancestor (focus, popover) &&
      gtk_label_get_selectable (GTK_LABEL (focus)))
    gtk_label_select_region (GTK_LABEL (focus), 0, 0);
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

static void
clair_stats_init (ClairStats *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *caption;

  self->values = g_hash_table_new (g_str_hash, g_str_equal);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_size_request (box, 360, -1);

  gtk_box_append (GTK_BOX (box), heading (_("Project")));
  gtk_grid_set_column_spacing (GTK_GRID (grid), 24);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      GtkWidget *name = gtk_label_new (_(rows[i].label));
      GtkWidget *value = gtk_label_new ("0");

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_widget_add_css_class (name, "dim-label");
      gtk_widget_set_hexpand (name, TRUE);
      gtk_label_set_xalign (GTK_LABEL (value), 1);
      gtk_widget_add_css_class (value, "numeric");
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_RELATION_LABELLED_BY, name, NULL, -1);
      gtk_grid_attach (GTK_GRID (grid), name, 0, i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), value, 1, i, 1, 1);
      g_hash_table_insert (self->values, (gpointer) rows[i].name, value);
    }
  gtk_box_append (GTK_BOX (box), grid);

  gtk_box_append (GTK_BOX (box), heading (_("Similarity of Revisions to Answers")));
  caption = gtk_label_new (_("Token Jaccard similarity. A minimal revision keeps most of the answer; "
                             "drag the line to set where “not minimal” begins."));
  gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (caption), 40);
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_box_append (GTK_BOX (box), caption);

  self->histogram = clair_histogram_new ();
  gtk_box_append (GTK_BOX (box), self->histogram);
  self->scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0.0, 1.0, 0.05);
  gtk_scale_set_digits (GTK_SCALE (self->scale), 2);
  gtk_range_set_value (GTK_RANGE (self->scale), 0.5);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Not-minimal threshold"), -1);
  gtk_box_append (GTK_BOX (box), self->scale);
  self->below_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->below_label), 0);
  gtk_widget_add_css_class (self->below_label, "caption");
  gtk_box_append (GTK_BOX (box), self->below_label);

  /* Agreement between annotators, when a team shares the work. */
  self->agreement_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_visible (self->agreement_box, FALSE);
  gtk_box_append (GTK_BOX (self->agreement_box), heading (_("Agreement")));
  self->agreement_grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (self->agreement_grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (self->agreement_grid), 4);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->agreement_grid), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Agreement between annotators"), -1);
  gtk_box_append (GTK_BOX (self->agreement_box), self->agreement_grid);
  self->alpha_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->alpha_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->alpha_label), TRUE);
  gtk_widget_add_css_class (self->alpha_label, "caption");
  gtk_box_append (GTK_BOX (self->agreement_box), self->alpha_label);
  gtk_box_append (GTK_BOX (box), self->agreement_box);

  g_signal_connect (self->histogram, "notify::threshold", G_CALLBACK (threshold_changed_cb), self);
  g_signal_connect (self->scale, "value-changed", G_CALLBACK (scale_changed_cb), self);
  gtk_popover_set_child (GTK_POPOVER (self), box);
  g_signal_connect_after (self, "show", G_CALLBACK (shown_cb), NULL);
  update_below (self);
}

GtkWidget *
clair_stats_new (void)
{
  return g_object_new (CLAIR_TYPE_STATS, NULL);
}

static void
set_value (ClairStats *self,
           const char *name,
           const char *text)
{
  GtkLabel *label = g_hash_table_lookup (self->values, name);

  g_assert (label != NULL);
  gtk_label_set_text (label, text);
}

static void
set_number (ClairStats *self,
            const char *name,
            guint       value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%u", value);
  set_value (self, name, buf);
}

void
clair_stats_set_counts (ClairStats               *self,
                        const ClairProjectCounts *counts)
{
  char buf[64];

  g_return_if_fail (CLAIR_IS_STATS (self));
  g_return_if_fail (counts != NULL);

  set_number (self, "rows", counts->n_rows);
  set_number (self, "pending", counts->by_status[CLAIR_ROW_PENDING]);
  set_number (self, "revised", counts->by_status[CLAIR_ROW_REVISED]);
  set_number (self, "parse-failed", counts->by_status[CLAIR_ROW_PARSE_FAILED]);
  set_number (self, "failed", counts->by_status[CLAIR_ROW_FAILED]);
  set_number (self, "accepted", counts->by_decision[CLAIR_DECISION_ACCEPTED]);
  set_number (self, "rejected", counts->by_decision[CLAIR_DECISION_REJECTED]);
  set_number (self, "skipped", counts->by_decision[CLAIR_DECISION_SKIPPED]);
  set_number (self, "edited", counts->n_edited);
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT " → %" G_GINT64_FORMAT,
              counts->prompt_tokens, counts->completion_tokens);
  set_value (self, "tokens", buf);
}

void
clair_stats_set_rows (ClairStats *self,
                      GListModel *model)
{
  guint bins[CLAIR_HISTOGRAM_N_BINS] = { 0 };
  guint n;

  g_return_if_fail (CLAIR_IS_STATS (self));
  g_return_if_fail (G_IS_LIST_MODEL (model));

  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ClairRowItem) item = g_list_model_get_item (model, i);
      double jaccard = clair_row_item_get_jaccard (item);
      int bin;

      if (isnan (jaccard))
        continue;
      bin = (int) floor (jaccard * CLAIR_HISTOGRAM_N_BINS);
      bins[CLAMP (bin, 0, CLAIR_HISTOGRAM_N_BINS - 1)]++;
    }
  clair_histogram_set_bins (CLAIR_HISTOGRAM (self->histogram), bins);
  recount_below (self);
}

double
clair_stats_get_threshold (ClairStats *self)
{
  g_return_val_if_fail (CLAIR_IS_STATS (self), 0.0);
  return clair_histogram_get_threshold (CLAIR_HISTOGRAM (self->histogram));
}

void
clair_stats_set_threshold (ClairStats *self,
                           double      threshold)
{
  g_return_if_fail (CLAIR_IS_STATS (self));
  clair_histogram_set_threshold (CLAIR_HISTOGRAM (self->histogram), threshold);
}

GtkWidget *
clair_stats_get_histogram (ClairStats *self)
{
  g_return_val_if_fail (CLAIR_IS_STATS (self), NULL);
  return self->histogram;
}

const char *
clair_stats_get_value (ClairStats *self,
                       const char *name)
{
  GtkLabel *label;

  g_return_val_if_fail (CLAIR_IS_STATS (self), NULL);
  label = g_hash_table_lookup (self->values, name);
  return label ? gtk_label_get_text (label) : NULL;
}

static GtkWidget *
grid_label (const char *text,
            gboolean    numeric)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1 : 0);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  else
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  return label;
}

static char *
format_measure (double value,
                int    digits)
{
  return isnan (value) ? g_strdup ("—") : g_strdup_printf ("%.*f", digits, value);
}

void
clair_stats_set_agreement (ClairStats           *self,
                           const ClairAgreement *agreement)
{
  GtkWidget *child;
  g_autofree char *alpha = NULL;
  g_autofree char *alpha_text = NULL;
  int row = 0;

  g_return_if_fail (CLAIR_IS_STATS (self));

  while ((child = gtk_widget_get_first_child (self->agreement_grid)) != NULL)
    gtk_grid_remove (GTK_GRID (self->agreement_grid), child);
  if (agreement == NULL || agreement->annotators->len < 2)
    {
      gtk_widget_set_visible (self->agreement_box, FALSE);
      return;
    }

  /* Per annotator: decisions, share accepted and edited, the usual pace. */
  gtk_grid_attach (GTK_GRID (self->agreement_grid), grid_label (_("Annotator"), FALSE), 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (self->agreement_grid), grid_label (_("Decided"), TRUE), 1, row, 1, 1);
  gtk_grid_attach (GTK_GRID (self->agreement_grid), grid_label (_("Accepted"), TRUE), 2, row, 1, 1);
  gtk_grid_attach (GTK_GRID (self->agreement_grid), grid_label (_("Edited"), TRUE), 3, row, 1, 1);
  for (GtkWidget *c = gtk_widget_get_first_child (self->agreement_grid); c; c = gtk_widget_get_next_sibling (c))
    gtk_widget_add_css_class (c, "dim-label");
  row++;
  for (guint i = 0; i < agreement->annotators->len; i++, row++)
    {
      const ClairAnnotatorStats *a = g_ptr_array_index (agreement->annotators, i);
      g_autofree char *name = clair_escape_controls (a->name, CLAIR_ESCAPE_LINE);
      g_autofree char *decided = g_strdup_printf ("%u", a->decisions);
      g_autofree char *accepted = g_strdup_printf ("%.0f %%", a->accepted * 100.0);
      g_autofree char *edited = g_strdup_printf ("%.0f %%", a->edited * 100.0);

      gtk_grid_attach (GTK_GRID (self->agreement_grid), grid_label (name, FALSE), 0, row, 1, 1);
      gtk_grid_attach (GTK_GRID (self->agreement_grid), grid_label (decided, TRUE), 1, row, 1, 1);
      gtk_grid_attach (GTK_GRID (self->agreement_grid), grid_label (accepted, TRUE), 2, row, 1, 1);
      gtk_grid_attach (GTK_GRID (self->agreement_grid), grid_label (edited, TRUE), 3, row, 1, 1);
    }

  /* Per pair: the rows both decided, percent agreement and Cohen's κ. */
  for (guint i = 0; i < agreement->pairs->len; i++, row++)
    {
      const ClairPairStats *p = g_ptr_array_index (agreement->pairs, i);
      g_autofree char *a = clair_escape_controls (p->a, CLAIR_ESCAPE_LINE);
      g_autofree char *b = clair_escape_controls (p->b, CLAIR_ESCAPE_LINE);
      g_autofree char *pair = g_strdup_printf ("%s – %s", a, b);
      g_autofree char *rows_text = g_strdup_printf (ngettext ("%u row", "%u rows", p->rows), p->rows);
      g_autofree char *percent = g_strdup_printf ("%.0f %%", p->percent);
      g_autofree char *kappa = format_measure (p->kappa, 2);
      g_autofree char *kappa_text = g_strdup_printf ("κ %s", kappa);

      gtk_grid_attach (GTK_GRID (self->agreement_grid), grid_label (pair, FALSE), 0, row, 1, 1);
      gtk_grid_attach (GTK_GRID (self->agreement_grid), grid_label (rows_text, TRUE), 1, row, 1, 1);
      gtk_grid_attach (GTK_GRID (self->agreement_grid), grid_label (percent, TRUE), 2, row, 1, 1);
      gtk_grid_attach (GTK_GRID (self->agreement_grid), grid_label (kappa_text, TRUE), 3, row, 1, 1);
    }

  alpha = format_measure (agreement->alpha, 2);
  /* Translators: Krippendorff's alpha over every annotator; "—" when it is not defined. */
  alpha_text = g_strdup_printf (_("Krippendorff's α (nominal) over all annotators: %s"), alpha);
  gtk_label_set_text (GTK_LABEL (self->alpha_label), alpha_text);
  gtk_widget_set_visible (self->agreement_box, TRUE);
}

const char *
clair_stats_get_alpha_text (ClairStats *self)
{
  g_return_val_if_fail (CLAIR_IS_STATS (self), NULL);

  return gtk_widget_get_visible (self->agreement_box) ? gtk_label_get_text (GTK_LABEL (self->alpha_label)) : NULL;
}
