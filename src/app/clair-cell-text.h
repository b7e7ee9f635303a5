/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CLAIR_TYPE_CELL_TEXT (clair_cell_text_get_type ())
G_DECLARE_FINAL_TYPE (ClairCellText, clair_cell_text, CLAIR, CELL_TEXT, GtkWidget)

/* One line of text in a cell of the row list, sized from the font like a GtkInscription (a
 * width in characters, a line's height), but drawn with a PangoContext shared by every cell:
 * GTK 4.8 gives each widget a context of its own, and making one (and the font metrics it
 * measures with) was most of the cost of the 800 text cells of 200 rows the list makes at once.
 * CSS name "label", accessible role label (the text is its name). With the "numeric" style
 * class, digits are tabular. */
GtkWidget *clair_cell_text_new            (void);
/* Shows @text (NULL: nothing). */
void       clair_cell_text_set_text       (ClairCellText *self,
                                           const char    *text);
const char *clair_cell_text_get_text      (ClairCellText *self);
/* Attributes over the text (a search's marks), or NULL. */
void       clair_cell_text_set_attributes (ClairCellText *self,
                                           PangoAttrList *attrs);
/* 0: start, 1: end; a text too wide for the cell is cut at the other side. */
void       clair_cell_text_set_xalign     (ClairCellText *self,
                                           float          xalign);
/* A text too wide ends in an ellipsis. */
void       clair_cell_text_set_ellipsize  (ClairCellText *self,
                                           gboolean       ellipsize);
/* The width asked for, in characters of the font: at least @min_chars, @nat_chars if there is
 * room. */
void       clair_cell_text_set_chars      (ClairCellText *self,
                                           guint          min_chars,
                                           guint          nat_chars);

G_END_DECLS
