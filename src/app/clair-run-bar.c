/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-run-bar"

#include "config.h"

#include <glib/gi18n.h>

#include "clair-run-bar.h"

struct _ClairRunBar
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkButton      *run_button;
  GtkButton      *stop_button;
  GtkWidget      *progress_box;
  GtkLabel       *progress_label;
  GtkProgressBar *progress_bar;

  gboolean        running;
  gboolean        paused;
  gboolean        importing;
};

G_DEFINE_FINAL_TYPE (ClairRunBar, clair_run_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_PAUSED,
  PROP_IMPORTING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The run button pauses a run going, resumes a paused one, and starts one otherwise; its
 * tooltip and accessible name say which. */
static void
update_buttons (ClairRunBar *self)
{
  const char *icon = "media-playback-start-symbolic";
  const char *tooltip = _("Run Pending Rows (Ctrl+Shift+R)");
  const char *name = _("Run pending rows");

  if (self->running && !self->paused)
    {
      icon = "media-playback-pause-symbolic";
      tooltip = _("Pause the Run (Ctrl+Shift+R)");
      name = _("Pause the run");
    }
  else if (self->paused)
    {
      tooltip = _("Resume the Run (Ctrl+Shift+R)");
      name = _("Resume the run");
    }
  gtk_button_set_icon_name (self->run_button, icon);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->run_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->run_button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->stop_button),
                               self->importing ? _("Stop the Import") : _("Stop the Run"));
}

/* Running, paused and importing: each changes what the buttons say. */
static void
set_flag (ClairRunBar *self,
          gboolean    *flag,
          gboolean     value,
          GParamSpec  *pspec)
{
  if (*flag == !!value)
    return;
  *flag = !!value;
  update_buttons (self);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
clair_run_bar_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), CLAIR_TYPE_RUN_BAR);
  /* The template's children without an id too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (clair_run_bar_parent_class)->dispose (object);
}

static void
clair_run_bar_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ClairRunBar *self = CLAIR_RUN_BAR (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;
    case PROP_IMPORTING:
      g_value_set_boolean (value, self->importing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_run_bar_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ClairRunBar *self = CLAIR_RUN_BAR (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      clair_run_bar_set_running (self, g_value_get_boolean (value));
      break;
    case PROP_PAUSED:
      clair_run_bar_set_paused (self, g_value_get_boolean (value));
      break;
    case PROP_IMPORTING:
      clair_run_bar_set_importing (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_run_bar_class_init (ClairRunBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clair_run_bar_dispose;
  object_class->get_property = clair_run_bar_get_property;
  object_class->set_property = clair_run_bar_set_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_IMPORTING] =
    g_param_spec_boolean ("importing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/clair-run-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, ClairRunBar, run_button);
  gtk_widget_class_bind_template_child (widget_class, ClairRunBar, stop_button);
  gtk_widget_class_bind_template_child (widget_class, ClairRunBar, progress_box);
  gtk_widget_class_bind_template_child (widget_class, ClairRunBar, progress_label);
  gtk_widget_class_bind_template_child (widget_class, ClairRunBar, progress_bar);
}

static void
clair_run_bar_init (ClairRunBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
clair_run_bar_new (void)
{
  return g_object_new (CLAIR_TYPE_RUN_BAR, NULL);
}

gboolean
clair_run_bar_get_running (ClairRunBar *self)
{
  g_return_val_if_fail (CLAIR_IS_RUN_BAR (self), FALSE);

  return self->running;
}

void
clair_run_bar_set_running (ClairRunBar *self,
                           gboolean     running)
{
  g_return_if_fail (CLAIR_IS_RUN_BAR (self));

  set_flag (self, &self->running, running, properties[PROP_RUNNING]);
}

gboolean
clair_run_bar_get_paused (ClairRunBar *self)
{
  g_return_val_if_fail (CLAIR_IS_RUN_BAR (self), FALSE);

  return self->paused;
}

void
clair_run_bar_set_paused (ClairRunBar *self,
                          gboolean     paused)
{
  g_return_if_fail (CLAIR_IS_RUN_BAR (self));

  set_flag (self, &self->paused, paused, properties[PROP_PAUSED]);
}

gboolean
clair_run_bar_get_importing (ClairRunBar *self)
{
  g_return_val_if_fail (CLAIR_IS_RUN_BAR (self), FALSE);

  return self->importing;
}

void
clair_run_bar_set_importing (ClairRunBar *self,
                             gboolean     importing)
{
  g_return_if_fail (CLAIR_IS_RUN_BAR (self));

  set_flag (self, &self->importing, importing, properties[PROP_IMPORTING]);
}

void
clair_run_bar_show_progress (ClairRunBar *self,
                             const char  *text,
                             double       fraction)
{
  g_return_if_fail (CLAIR_IS_RUN_BAR (self));
  g_return_if_fail (text != NULL);

  gtk_label_set_text (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0, 1));
  gtk_widget_set_visible (self->progress_box, TRUE);
}

void
clair_run_bar_hide_progress (ClairRunBar *self)
{
  g_return_if_fail (CLAIR_IS_RUN_BAR (self));

  gtk_widget_set_visible (self->progress_box, FALSE);
}

gboolean
clair_run_bar_get_progress_visible (ClairRunBar *self)
{
  g_return_val_if_fail (CLAIR_IS_RUN_BAR (self), FALSE);

  return gtk_widget_get_visible (self->progress_box);
}

const char *
clair_run_bar_get_progress_text (ClairRunBar *self)
{
  g_return_val_if_fail (CLAIR_IS_RUN_BAR (self), NULL);

  return gtk_label_get_text (self->progress_label);
}
