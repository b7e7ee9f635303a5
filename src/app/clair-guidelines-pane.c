/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-guidelines-pane"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "clair-guidelines-pane.h"
#include "clair-team.h"

struct _ClairGuidelinesPane
{
  GtkWidget        parent_instance;

  GtkWidget       *box;
  GtkToggleButton *edit_button;
  GtkStack        *stack;
  GtkSourceView   *view;

  ClairProject    *project;
  guint            save_id;
  gboolean         filling;
  gboolean         dirty;
};

G_DEFINE_FINAL_TYPE (ClairGuidelinesPane, clair_guidelines_pane, GTK_TYPE_WIDGET)

static GtkTextBuffer *
buffer_of (ClairGuidelinesPane *self)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view));
}

char *
clair_guidelines_pane_get_text (ClairGuidelinesPane *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (CLAIR_IS_GUIDELINES_PANE (self), NULL);

  gtk_text_buffer_get_bounds (buffer_of (self), &start, &end);
  return gtk_text_buffer_get_text (buffer_of (self), &start, &end, TRUE);
}

static void
update_page (ClairGuidelinesPane *self)
{
  GtkTextIter start, end;
  gboolean empty;

  gtk_text_buffer_get_bounds (buffer_of (self), &start, &end);
  empty = gtk_text_iter_equal (&start, &end);
  gtk_stack_set_visible_child_name (self->stack, empty && !gtk_toggle_button_get_active (self->edit_button)
                                                   ? "empty" : "text");
}

void
clair_guidelines_pane_flush (ClairGuidelinesPane *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (CLAIR_IS_GUIDELINES_PANE (self));

  g_clear_handle_id (&self->save_id, g_source_remove);
  if (!self->dirty || self->project == NULL)
    return;
  self->dirty = FALSE;
  text = clair_guidelines_pane_get_text (self);
  if (!clair_project_set_guidelines (self->project, text, &error))
    g_warning ("Could not save the guidelines: %s", error->message);
}

static gboolean
save_cb (gpointer user_data)
{
  ClairGuidelinesPane *self = user_data;

  self->save_id = 0;
  clair_guidelines_pane_flush (self);
  return G_SOURCE_REMOVE;
}

static void
changed_cb (ClairGuidelinesPane *self)
{
  if (self->filling)
    return;
  self->dirty = TRUE;
  g_clear_handle_id (&self->save_id, g_source_remove);
  self->save_id = g_timeout_add (500, save_cb, self);
}

void
clair_guidelines_pane_set_text (ClairGuidelinesPane *self,
                                const char          *markdown)
{
  g_return_if_fail (CLAIR_IS_GUIDELINES_PANE (self));

  gtk_text_buffer_set_text (buffer_of (self), markdown ? markdown : "", -1);
  update_page (self);
}

void
clair_guidelines_pane_set_project (ClairGuidelinesPane *self,
                                   ClairProject        *project)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CLAIR_IS_GUIDELINES_PANE (self));

  clair_guidelines_pane_flush (self);
  g_set_object (&self->project, project);
  text = project ? clair_project_get_guidelines (project) : NULL;
  self->filling = TRUE;
  gtk_toggle_button_set_active (self->edit_button, FALSE);
  gtk_text_buffer_set_text (buffer_of (self), text ? text : "", -1);
  self->filling = FALSE;
  self->dirty = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->edit_button), project != NULL);
  update_page (self);
}

static void
edit_toggled_cb (ClairGuidelinesPane *self)
{
  gboolean editing = gtk_toggle_button_get_active (self->edit_button);

  /* The caret stays: GTK 4.8 asserts when a cursor made invisible blinks on. */
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->view), editing);
  update_page (self);
  if (editing)
    gtk_widget_grab_focus (GTK_WIDGET (self->view));
  else
    clair_guidelines_pane_flush (self);
}

static void
style_cb (ClairGuidelinesPane *self)
{
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (buffer_of (self));
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();

  gtk_source_buffer_set_style_scheme (buffer, gtk_source_style_scheme_manager_get_scheme (
      schemes, adw_style_manager_get_dark (adw_style_manager_get_default ()) ? "Adwaita-dark" : "Adwaita"));
}

static void
clair_guidelines_pane_dispose (GObject *object)
{
  ClairGuidelinesPane *self = CLAIR_GUIDELINES_PANE (object);

  clair_guidelines_pane_flush (self);
  g_clear_object (&self->project);
  gtk_widget_dispose_template (GTK_WIDGET (self), CLAIR_TYPE_GUIDELINES_PANE);

  G_OBJECT_CLASS (clair_guidelines_pane_parent_class)->dispose (object);
}

static void
clair_guidelines_pane_class_init (ClairGuidelinesPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clair_guidelines_pane_dispose;

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/clair-guidelines-pane.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, ClairGuidelinesPane, box);
  gtk_widget_class_bind_template_child (widget_class, ClairGuidelinesPane, edit_button);
  gtk_widget_class_bind_template_child (widget_class, ClairGuidelinesPane, stack);
  gtk_widget_class_bind_template_child (widget_class, ClairGuidelinesPane, view);
}

static void
clair_guidelines_pane_init (ClairGuidelinesPane *self)
{
  GtkSourceLanguage *markdown = gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (),
                                                                          "markdown");

  gtk_widget_init_template (GTK_WIDGET (self));
  if (markdown != NULL)
    gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (buffer_of (self)), markdown);
  style_cb (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark", G_CALLBACK (style_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_swapped (buffer_of (self), "changed", G_CALLBACK (changed_cb), self);
  g_signal_connect_swapped (self->edit_button, "toggled", G_CALLBACK (edit_toggled_cb), self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->edit_button), FALSE);
  update_page (self);
}

GtkWidget *
clair_guidelines_pane_new (void)
{
  return g_object_new (CLAIR_TYPE_GUIDELINES_PANE, NULL);
}
