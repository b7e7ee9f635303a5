/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

#define CLAIR_TYPE_DIFF_VIEW (clair_diff_view_get_type ())

G_DECLARE_FINAL_TYPE (ClairDiffView, clair_diff_view, CLAIR, DIFF_VIEW, GtkWidget)

GtkWidget       *clair_diff_view_new                  (void);
/* Shows @original ⇄ @revision and diffs them. A NULL @revision means none yet: the original is
 * shown as plain text (nothing marked deleted) and the revision side stays empty. */
void             clair_diff_view_set_texts            (ClairDiffView *self,
                                                       const char    *original,
                                                       const char    *revision);
/* Marks @text (a search, case aside) wherever it occurs in both panes; NULL or "" for none. */
void             clair_diff_view_set_highlight        (ClairDiffView *self,
                                                       const char    *text);
/* The same in any text buffer (the task pane's). */
void             clair_text_buffer_mark_matches       (GtkTextBuffer *buffer,
                                                       const char    *text);
/* The revision as it is now, with the annotator's edits. Free with g_free(). */
char            *clair_diff_view_get_revision_text    (ClairDiffView *self);

gboolean         clair_diff_view_get_inline           (ClairDiffView *self);
void             clair_diff_view_set_inline           (ClairDiffView *self,
                                                       gboolean       inline_mode);
gboolean         clair_diff_view_get_editable         (ClairDiffView *self);
void             clair_diff_view_set_editable         (ClairDiffView *self,
                                                       gboolean       editable);
gboolean         clair_diff_view_get_ignore_whitespace (ClairDiffView *self);
void             clair_diff_view_set_ignore_whitespace (ClairDiffView *self,
                                                        gboolean       ignore_whitespace);
guint            clair_diff_view_get_n_changes        (ClairDiffView *self);
/* The change last navigated to, or -1. */
int              clair_diff_view_get_current_change   (ClairDiffView *self);
void             clair_diff_view_set_current_change   (ClairDiffView *self,
                                                       int            change);

/* The buffers behind the views, for the app (search, undo) and the tests. */
GtkSourceBuffer *clair_diff_view_get_original_buffer  (ClairDiffView *self);
GtkSourceBuffer *clair_diff_view_get_revision_buffer  (ClairDiffView *self);
GtkSourceBuffer *clair_diff_view_get_inline_buffer    (ClairDiffView *self);
GtkSourceView   *clair_diff_view_get_original_view    (ClairDiffView *self);
GtkSourceView   *clair_diff_view_get_revision_view    (ClairDiffView *self);
GtkSourceView   *clair_diff_view_get_inline_view      (ClairDiffView *self);

/* TRUE while the diff of long texts is computed on a worker thread. */
gboolean        clair_diff_view_get_computing     (ClairDiffView *self);

G_END_DECLS
