/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-cell-text"

#include "config.h"

#include <math.h>

#include "clair-cell-text.h"

struct _ClairCellText
{
  GtkWidget      parent_instance;

  char          *text;
  PangoAttrList *attrs;
  PangoLayout   *layout;   /* made when first drawn, from the shared context */
  guint          serial;   /* of the shared context the layout was made from */
  gboolean       tabular;  /* the layout has tabular digits (the "numeric" class) */
  float          xalign;
  gboolean       ellipsize;
  guint          min_chars;
  guint          nat_chars;
};

G_DEFINE_FINAL_TYPE (ClairCellText, clair_cell_text, GTK_TYPE_WIDGET)

/* The context shared by the cells of a display, made from the first cell that needs one (its
 * font is the list's), and made again after the font settings change (the cells are restyled
 * then, and notice). */

typedef struct
{
  PangoContext *context;
  guint         serial;
} Shared;

static guint shared_serial = 1;

static void
shared_free (gpointer data)
{
  Shared *shared = data;

  g_clear_object (&shared->context);
  g_free (shared);
}

static void
font_settings_changed_cb (GtkSettings *settings)
{
  g_object_set_data (G_OBJECT (settings), "clair-cell-text-shared", NULL);
}

static Shared *
get_shared (ClairCellText *self)
{
  GtkSettings *settings = gtk_widget_get_settings (GTK_WIDGET (self));
  Shared *shared = g_object_get_data (G_OBJECT (settings), "clair-cell-text-shared");

  if (shared == NULL)
    {
      static const char * const font_settings[] = {
        "notify::gtk-font-name", "notify::gtk-xft-dpi", "notify::gtk-xft-antialias",
        "notify::gtk-xft-hinting", "notify::gtk-xft-hintstyle", "notify::gtk-xft-rgba",
        "notify::gtk-hint-font-metrics",
      };

      shared = g_new0 (Shared, 1);
      shared->context = gtk_widget_create_pango_context (GTK_WIDGET (self));
      shared->serial = shared_serial++;
      if (g_object_get_data (G_OBJECT (settings), "clair-cell-text-watched") == NULL)
        {
          for (guint i = 0; i < G_N_ELEMENTS (font_settings); i++)
            g_signal_connect (settings, font_settings[i],
                              G_CALLBACK (font_settings_changed_cb), NULL);
          g_object_set_data (G_OBJECT (settings), "clair-cell-text-watched",
                             GINT_TO_POINTER (TRUE));
        }
      g_object_set_data_full (G_OBJECT (settings), "clair-cell-text-shared", shared, shared_free);
    }
  return shared;
}

static void
update_attributes (ClairCellText *self)
{
  g_autoptr(PangoAttrList) attrs = NULL;

  if (self->layout == NULL)
    return;
  attrs = self->attrs ? pango_attr_list_copy (self->attrs) : pango_attr_list_new ();
  /* The font features the "numeric" class gives a widget's own context. */
  self->tabular = gtk_widget_has_css_class (GTK_WIDGET (self), "numeric");
  if (self->tabular)
    pango_attr_list_insert_before (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (self->layout, attrs);
}

static PangoLayout *
ensure_layout (ClairCellText *self)
{
  Shared *shared = get_shared (self);

  if (self->layout != NULL && self->serial == shared->serial)
    return self->layout;
  g_clear_object (&self->layout);
  self->layout = pango_layout_new (shared->context);
  self->serial = shared->serial;
  pango_layout_set_text (self->layout, self->text ? self->text : "", -1);
  if (self->ellipsize)
    pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_single_paragraph_mode (self->layout, TRUE);
  update_attributes (self);
  return self->layout;
}

static void
clair_cell_text_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  ClairCellText *self = CLAIR_CELL_TEXT (widget);
  PangoFontMetrics *metrics;

  /* Pango keeps the metrics with the context: measured once for all the cells. */
  metrics = pango_context_get_metrics (get_shared (self)->context, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int char_width = MAX (pango_font_metrics_get_approximate_char_width (metrics),
                            pango_font_metrics_get_approximate_digit_width (metrics));

      *minimum = PANGO_PIXELS_CEIL (self->min_chars * char_width);
      *natural = PANGO_PIXELS_CEIL (MAX (self->min_chars, self->nat_chars) * char_width);
    }
  else
    {
      *minimum = *natural = PANGO_PIXELS_CEIL (pango_font_metrics_get_ascent (metrics) +
                                               pango_font_metrics_get_descent (metrics));
    }
  pango_font_metrics_unref (metrics);
}

static void
clair_cell_text_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  ClairCellText *self = CLAIR_CELL_TEXT (widget);

  if (self->layout != NULL && self->ellipsize)
    pango_layout_set_width (self->layout, width * PANGO_SCALE);
}

static void
clair_cell_text_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  ClairCellText *self = CLAIR_CELL_TEXT (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  PangoLayout *layout;
  PangoRectangle logical;
  GdkRGBA color;
  float xalign = self->xalign;
  float x, y;

  if (self->text == NULL || *self->text == '\0')
    return;
  layout = ensure_layout (self);
  if (self->ellipsize)
    pango_layout_set_width (layout, width * PANGO_SCALE);
  pango_layout_get_pixel_extents (layout, NULL, &logical);
  if (gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL)
    xalign = 1 - xalign;
  x = floorf (xalign * (width - logical.width)) - logical.x;
  y = floorf ((height - logical.height) / 2.0f) - logical.y;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
  gtk_snapshot_pop (snapshot);
}

/* A restyle: GTK draws the cell again for a new colour; new font settings are measured again,
 * and the "numeric" class, given or taken, changes the digits. Laid out again only then: a row
 * restyles its cells as it is hovered or selected, and the window as it loses the focus. */
static void
clair_cell_text_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  ClairCellText *self = CLAIR_CELL_TEXT (widget);

  GTK_WIDGET_CLASS (clair_cell_text_parent_class)->css_changed (widget, change);
  if (self->layout == NULL)
    return;
  if (self->serial != get_shared (self)->serial)
    {
      g_clear_object (&self->layout);
      gtk_widget_queue_resize (widget);
    }
  else if (self->tabular != gtk_widget_has_css_class (widget, "numeric"))
    {
      update_attributes (self);
      gtk_widget_queue_draw (widget);
    }
}

static void
clair_cell_text_finalize (GObject *object)
{
  ClairCellText *self = CLAIR_CELL_TEXT (object);

  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->attrs, pango_attr_list_unref);
  g_clear_object (&self->layout);
  G_OBJECT_CLASS (clair_cell_text_parent_class)->finalize (object);
}

static void
clair_cell_text_class_init (ClairCellTextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = clair_cell_text_finalize;
  widget_class->measure = clair_cell_text_measure;
  widget_class->size_allocate = clair_cell_text_size_allocate;
  widget_class->snapshot = clair_cell_text_snapshot;
  widget_class->css_changed = clair_cell_text_css_changed;
  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
clair_cell_text_init (ClairCellText *self)
{
}

GtkWidget *
clair_cell_text_new (void)
{
  return g_object_new (CLAIR_TYPE_CELL_TEXT, NULL);
}

void
clair_cell_text_set_text (ClairCellText *self,
                          const char    *text)
{
  g_return_if_fail (CLAIR_IS_CELL_TEXT (self));

  if (g_strcmp0 (self->text, text) == 0)
    return;
  g_free (self->text);
  self->text = g_strdup (text);
  if (self->layout != NULL)
    pango_layout_set_text (self->layout, text ? text : "", -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  text ? text : "", -1);
  /* Its size comes from the font: a new text is only drawn. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
clair_cell_text_get_text (ClairCellText *self)
{
  g_return_val_if_fail (CLAIR_IS_CELL_TEXT (self), NULL);

  return self->text;
}

void
clair_cell_text_set_attributes (ClairCellText *self,
                                PangoAttrList *attrs)
{
  g_return_if_fail (CLAIR_IS_CELL_TEXT (self));

  if (self->attrs == attrs)
    return;
  if (attrs != NULL)
    pango_attr_list_ref (attrs);
  g_clear_pointer (&self->attrs, pango_attr_list_unref);
  self->attrs = attrs;
  update_attributes (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
clair_cell_text_set_xalign (ClairCellText *self,
                            float          xalign)
{
  g_return_if_fail (CLAIR_IS_CELL_TEXT (self));

  self->xalign = CLAMP (xalign, 0, 1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
clair_cell_text_set_ellipsize (ClairCellText *self,
                               gboolean       ellipsize)
{
  g_return_if_fail (CLAIR_IS_CELL_TEXT (self));

  self->ellipsize = ellipsize;
  g_clear_object (&self->layout);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
clair_cell_text_set_chars (ClairCellText *self,
                           guint          min_chars,
                           guint          nat_chars)
{
  g_return_if_fail (CLAIR_IS_CELL_TEXT (self));

  self->min_chars = min_chars;
  self->nat_chars = nat_chars;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}
