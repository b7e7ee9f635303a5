/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-histogram"

#include "config.h"

#include <glib/gi18n.h>

#include <adwaita.h>
#include <math.h>

#include "clair-histogram.h"

/* The contrastiveness histogram: token Jaccard similarity of every revised row, in bins of 0.05.
 * Bars left of the threshold (not minimal revisions) are drawn in the warning colour. */

struct _ClairHistogram
{
  GtkWidget parent_instance;
  guint     bins[CLAIR_HISTOGRAM_N_BINS];
  double    threshold;
};

enum { PROP_0, PROP_THRESHOLD, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ClairHistogram, clair_histogram, GTK_TYPE_WIDGET)

#define PAD_BOTTOM 18.0

static void
clair_histogram_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  ClairHistogram *self = CLAIR_HISTOGRAM (widget);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget) - PAD_BOTTOM;
  float bar_width = width / CLAIR_HISTOGRAM_N_BINS;
  guint max = 1;
  GdkRGBA fg, accent = { 0.208f, 0.518f, 0.894f, 1.0f }, warning = { 0.898f, 0.647f, 0.039f, 1.0f };

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  if (adw_style_manager_get_high_contrast (adw_style_manager_get_default ()))
    accent = fg;
  for (guint i = 0; i < CLAIR_HISTOGRAM_N_BINS; i++)
    max = MAX (max, self->bins[i]);

  for (guint i = 0; i < CLAIR_HISTOGRAM_N_BINS; i++)
    {
      float h = self->bins[i] == 0 ? 0 : MAX (2.0f, height * self->bins[i] / (float) max);
      gboolean below = (i + 1) / (double) CLAIR_HISTOGRAM_N_BINS <= self->threshold + 1e-9;

      gtk_snapshot_append_color (snapshot, below ? &warning : &accent,
                                 &GRAPHENE_RECT_INIT (i * bar_width + 1, height - h, bar_width - 2, h));
    }

  /* Axis and threshold */
  {
    GdkRGBA axis = fg;
    float x = self->threshold * width;
    PangoLayout *layout;
    g_autofree char *text = NULL;

    axis.alpha = 0.3f;
    gtk_snapshot_append_color (snapshot, &axis, &GRAPHENE_RECT_INIT (0, height, width, 1));
    gtk_snapshot_append_color (snapshot, &fg, &GRAPHENE_RECT_INIT (MAX (0, x - 1), 0, 2, height));

    text = g_strdup_printf ("%.2f", self->threshold);
    layout = gtk_widget_create_pango_layout (widget, text);
    gtk_snapshot_save (snapshot);
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (CLAMP (x - 12, 0, width - 28), height + 2));
    gtk_snapshot_append_layout (snapshot, layout, &fg);
    gtk_snapshot_restore (snapshot);
    g_object_unref (layout);

    layout = gtk_widget_create_pango_layout (widget, "0");
    gtk_snapshot_save (snapshot);
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, height + 2));
    if (x > 40)
      gtk_snapshot_append_layout (snapshot, layout, &axis);
    gtk_snapshot_restore (snapshot);
    pango_layout_set_text (layout, "1", -1);
    gtk_snapshot_save (snapshot);
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (width - 8, height + 2));
    if (x < width - 40)
      gtk_snapshot_append_layout (snapshot, layout, &axis);
    gtk_snapshot_restore (snapshot);
    g_object_unref (layout);
  }
}

static void
clair_histogram_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 100;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : 140;
}

static void
move_to (ClairHistogram *self,
         double          x)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));

  if (width <= 0)
    return;
  /* Snap to the bin edges: the filter then matches whole bars. */
  clair_histogram_set_threshold (self, CLAMP (round (x / width * CLAIR_HISTOGRAM_N_BINS) / CLAIR_HISTOGRAM_N_BINS, 0.0, 1.0));
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               ClairHistogram *self)
{
  move_to (self, x);
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                ClairHistogram *self)
{
  double x, y;

  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  move_to (self, x + dx);
}

static void
clair_histogram_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_THRESHOLD:
      g_value_set_double (value, CLAIR_HISTOGRAM (object)->threshold);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_histogram_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_THRESHOLD:
      clair_histogram_set_threshold (CLAIR_HISTOGRAM (object), g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_histogram_class_init (ClairHistogramClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = clair_histogram_get_property;
  object_class->set_property = clair_histogram_set_property;
  widget_class->snapshot = clair_histogram_snapshot;
  widget_class->measure = clair_histogram_measure;

  properties[PROP_THRESHOLD] =
    g_param_spec_double ("threshold", NULL, NULL, 0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (widget_class, "histogram");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
clair_histogram_init (ClairHistogram *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  self->threshold = 0.5;
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Histogram of the similarity between answers and revisions"), -1);
}

GtkWidget *
clair_histogram_new (void)
{
  return g_object_new (CLAIR_TYPE_HISTOGRAM, NULL);
}

void
clair_histogram_set_bins (ClairHistogram *self,
                          const guint    *bins)
{
  g_return_if_fail (CLAIR_IS_HISTOGRAM (self));
  memcpy (self->bins, bins, sizeof self->bins);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
clair_histogram_get_bin (ClairHistogram *self,
                         guint           bin)
{
  g_return_val_if_fail (CLAIR_IS_HISTOGRAM (self), 0);
  g_return_val_if_fail (bin < CLAIR_HISTOGRAM_N_BINS, 0);
  return self->bins[bin];
}

double
clair_histogram_get_threshold (ClairHistogram *self)
{
  g_return_val_if_fail (CLAIR_IS_HISTOGRAM (self), 0.0);
  return self->threshold;
}

void
clair_histogram_set_threshold (ClairHistogram *self,
                               double          threshold)
{
  g_return_if_fail (CLAIR_IS_HISTOGRAM (self));

  threshold = CLAMP (threshold, 0.0, 1.0);
  if (self->threshold == threshold)
    return;
  self->threshold = threshold;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
}
