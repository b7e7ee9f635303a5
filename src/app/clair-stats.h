/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "clair-project.h"
#include "clair-team.h"

G_BEGIN_DECLS

#define CLAIR_TYPE_STATS (clair_stats_get_type ())
G_DECLARE_FINAL_TYPE (ClairStats, clair_stats, CLAIR, STATS, GtkPopover)

/* The statistics popover: counts by status and decision, tokens used, and the similarity
 * histogram whose threshold ("threshold" property) drives the "Not minimal" filter. */
GtkWidget *clair_stats_new           (void);
void       clair_stats_set_counts    (ClairStats               *self,
                                      const ClairProjectCounts *counts);
/* Recomputes the histogram from a GListModel of ClairRowItem. */
void       clair_stats_set_rows      (ClairStats               *self,
                                      GListModel               *rows);
double     clair_stats_get_threshold (ClairStats               *self);
void       clair_stats_set_threshold (ClairStats               *self,
                                      double                    threshold);
GtkWidget *clair_stats_get_histogram (ClairStats               *self);
/* The text of a count ("revised", "accepted", "tokens", ...), for tests. */
const char *clair_stats_get_value    (ClairStats               *self,
                                      const char               *name);

/* Agreement between annotators (clair_project_compute_agreement()); hidden with fewer than two. */
void        clair_stats_set_agreement   (ClairStats               *self,
                                         const ClairAgreement     *agreement);
/* The α line when agreement is shown, else NULL (for tests). */
const char *clair_stats_get_alpha_text  (ClairStats               *self);

G_END_DECLS
