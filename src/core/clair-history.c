/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-history"

#include "config.h"

#include "clair-history.h"
#include "clair-i18n.h"
#include "clair-team.h"

/* The decisions an annotator can take back: two stacks of steps, each step a GPtrArray of
 * ClairDecisionChange (one row, an edit session, or a bulk decision of many rows). Every step is
 * written through the project before it moves from one stack to the other. */

struct _ClairHistory
{
  GObject       parent_instance;

  ClairProject *project;
  GPtrArray    *undo_stack;   /* of GPtrArray of ClairDecisionChange, oldest first */
  GPtrArray    *redo_stack;
  guint         generation;   /* bumped by clear(): a step written meanwhile is dropped */
};

enum { PROP_0, PROP_PROJECT, PROP_CAN_UNDO, PROP_CAN_REDO, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ClairHistory, clair_history, G_TYPE_OBJECT)

ClairDecisionChange *
clair_decision_change_new (guint index)
{
  ClairDecisionChange *change = g_new0 (ClairDecisionChange, 1);

  change->index = index;
  return change;
}

void
clair_decision_change_free (ClairDecisionChange *change)
{
  if (change == NULL)
    return;
  g_free (change->old_edit);
  g_free (change->old_note);
  g_free (change->new_edit);
  g_free (change->new_note);
  g_free (change);
}

static GPtrArray *
step_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) clair_decision_change_free);
}

static void
clair_history_dispose (GObject *object)
{
  ClairHistory *self = CLAIR_HISTORY (object);

  g_clear_object (&self->project);
  G_OBJECT_CLASS (clair_history_parent_class)->dispose (object);
}

static void
clair_history_finalize (GObject *object)
{
  ClairHistory *self = CLAIR_HISTORY (object);

  g_clear_pointer (&self->undo_stack, g_ptr_array_unref);
  g_clear_pointer (&self->redo_stack, g_ptr_array_unref);
  G_OBJECT_CLASS (clair_history_parent_class)->finalize (object);
}

static void
clair_history_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ClairHistory *self = CLAIR_HISTORY (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, clair_history_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, clair_history_can_redo (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_history_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ClairHistory *self = CLAIR_HISTORY (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_history_class_init (ClairHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = clair_history_dispose;
  object_class->finalize = clair_history_finalize;
  object_class->get_property = clair_history_get_property;
  object_class->set_property = clair_history_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, CLAIR_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
clair_history_init (ClairHistory *self)
{
  self->undo_stack = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->redo_stack = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
}

ClairHistory *
clair_history_new (ClairProject *project)
{
  g_return_val_if_fail (CLAIR_IS_PROJECT (project), NULL);

  return g_object_new (CLAIR_TYPE_HISTORY, "project", project, NULL);
}

ClairProject *
clair_history_get_project (ClairHistory *self)
{
  g_return_val_if_fail (CLAIR_IS_HISTORY (self), NULL);

  return self->project;
}

gboolean
clair_history_can_undo (ClairHistory *self)
{
  g_return_val_if_fail (CLAIR_IS_HISTORY (self), FALSE);

  return self->undo_stack->len > 0;
}

gboolean
clair_history_can_redo (ClairHistory *self)
{
  g_return_val_if_fail (CLAIR_IS_HISTORY (self), FALSE);

  return self->redo_stack->len > 0;
}

static guint
top_size (GPtrArray *stack)
{
  return stack->len > 0 ? ((GPtrArray *) g_ptr_array_index (stack, stack->len - 1))->len : 0;
}

guint
clair_history_get_undo_size (ClairHistory *self)
{
  g_return_val_if_fail (CLAIR_IS_HISTORY (self), 0);

  return top_size (self->undo_stack);
}

guint
clair_history_get_redo_size (ClairHistory *self)
{
  g_return_val_if_fail (CLAIR_IS_HISTORY (self), 0);

  return top_size (self->redo_stack);
}

/* Runs @statement on the stacks and notifies whichever of can-undo and can-redo changed. */
#define NOTIFY_AROUND(self, statement)                                                   \
  G_STMT_START {                                                                         \
    gboolean could_undo = (self)->undo_stack->len > 0;                                   \
    gboolean could_redo = (self)->redo_stack->len > 0;                                   \
    statement;                                                                           \
    if (could_undo != ((self)->undo_stack->len > 0))                                     \
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);             \
    if (could_redo != ((self)->redo_stack->len > 0))                                     \
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);             \
  } G_STMT_END

void
clair_history_clear (ClairHistory *self)
{
  g_return_if_fail (CLAIR_IS_HISTORY (self));

  self->generation++;
  NOTIFY_AROUND (self, {
    g_ptr_array_set_size (self->undo_stack, 0);
    g_ptr_array_set_size (self->redo_stack, 0);
  });
}

static void
push_step (ClairHistory *self,
           GPtrArray    *step)
{
  NOTIFY_AROUND (self, {
    g_ptr_array_add (self->undo_stack, step);
    g_ptr_array_set_size (self->redo_stack, 0);
    if (self->undo_stack->len > CLAIR_HISTORY_MAX_STEPS)
      g_ptr_array_remove_index (self->undo_stack, 0);
  });
}

static gboolean
write_state (ClairProject               *project,
             const ClairDecisionChange  *change,
             gboolean                    old,
             GError                    **error)
{
  gint64 attempt = old ? change->old_attempt : change->new_attempt;
  ClairDecision decision = old ? change->old_decision : change->new_decision;
  const char *edit = old ? change->old_edit : change->new_edit;
  const char *note = old ? change->old_note : change->new_note;

  /* Undoing a resolution (a decision of none) withdraws it. */
  if (change->resolution)
    return clair_project_resolve (project, change->index, attempt, decision, edit, note, error);
  return clair_project_set_decision_on (project, change->index, attempt, decision, edit, note, error);
}

gboolean
clair_history_apply (ClairHistory         *self,
                     ClairDecisionChange  *change,
                     GError              **error)
{
  g_autoptr(ClairDecisionChange) owned = change;
  GPtrArray *step;

  g_return_val_if_fail (CLAIR_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (change != NULL, FALSE);

  if (!write_state (self->project, change, FALSE, error))
    return FALSE;
  step = step_new ();
  g_ptr_array_add (step, g_steal_pointer (&owned));
  push_step (self, step);
  return TRUE;
}

void
clair_history_push (ClairHistory        *self,
                    ClairDecisionChange *change)
{
  GPtrArray *step;

  g_return_if_fail (CLAIR_IS_HISTORY (self));
  g_return_if_fail (change != NULL);

  step = step_new ();
  g_ptr_array_add (step, change);
  push_step (self, step);
}

void
clair_history_push_bulk (ClairHistory  *self,
                         GArray        *before,
                         ClairDecision  decision)
{
  GPtrArray *step;

  g_return_if_fail (CLAIR_IS_HISTORY (self));
  g_return_if_fail (before != NULL);

  if (before->len == 0)
    return;
  step = g_ptr_array_new_full (before->len, (GDestroyNotify) clair_decision_change_free);
  for (guint i = 0; i < before->len; i++)
    {
      const ClairDecisionState *state = &g_array_index (before, ClairDecisionState, i);
      ClairDecisionChange *change = clair_decision_change_new (state->index);

      change->old_decision = state->decision;
      change->old_edit = g_strdup (state->edited_revision);
      change->old_note = g_strdup (state->note);
      /* A bulk decision keeps each row tied to the revision it was decided on. */
      change->old_attempt = change->new_attempt = state->attempt_id;
      change->new_decision = decision;
      change->new_edit = g_strdup (state->edited_revision);
      change->new_note = g_strdup (state->note);
      g_ptr_array_add (step, change);
    }
  push_step (self, step);
}

static GPtrArray *
step_sync (ClairHistory  *self,
           gboolean       undo,
           GError       **error)
{
  GPtrArray *from = undo ? self->undo_stack : self->redo_stack;
  GPtrArray *to = undo ? self->redo_stack : self->undo_stack;
  GPtrArray *step;

  if (from->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           undo ? _("There is nothing to undo") : _("There is nothing to redo"));
      return NULL;
    }
  step = g_ptr_array_index (from, from->len - 1);
  for (guint i = 0; i < step->len; i++)
    {
      ClairDecisionChange *change = g_ptr_array_index (step, undo ? step->len - 1 - i : i);

      if (!write_state (self->project, change, undo, error))
        return NULL;
    }
  NOTIFY_AROUND (self, {
    g_ptr_array_add (to, g_ptr_array_steal_index (from, from->len - 1));
  });
  return g_ptr_array_ref (step);
}

GPtrArray *
clair_history_undo (ClairHistory  *self,
                    GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_HISTORY (self), NULL);

  return step_sync (self, TRUE, error);
}

GPtrArray *
clair_history_redo (ClairHistory  *self,
                    GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_HISTORY (self), NULL);

  return step_sync (self, FALSE, error);
}

/* A step written on the project's worker. It leaves its stack at once, so nothing else takes it
 * meanwhile, and comes back to one of the stacks when written. */
typedef struct
{
  GPtrArray *step;
  gboolean   undo;
  guint      generation;
  guint      n_written;
} StepJob;

static void
step_job_free (StepJob *job)
{
  g_clear_pointer (&job->step, g_ptr_array_unref);
  g_free (job);
}

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ClairHistory *self = g_task_get_source_object (task);
  StepJob *job = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean ok;

  ok = clair_project_write_decisions_finish (CLAIR_PROJECT (source), result, &job->n_written, &error);
  if (job->generation == self->generation)
    NOTIFY_AROUND (self, {
      /* Written, the step moves across; written in part, it goes back. */
      gboolean to_redo = ok ? job->undo : !job->undo;

      g_ptr_array_add (to_redo ? self->redo_stack : self->undo_stack, g_ptr_array_ref (job->step));
    });
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
step_async (ClairHistory        *self,
            gboolean             undo,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GPtrArray *from = undo ? self->undo_stack : self->redo_stack;
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GArray) states = NULL;
  StepJob *job;

  g_task_set_source_tag (task, step_async);
  if (from->len == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               undo ? _("There is nothing to undo") : _("There is nothing to redo"));
      return;
    }
  job = g_new0 (StepJob, 1);
  job->undo = undo;
  job->generation = self->generation;
  NOTIFY_AROUND (self, { job->step = g_ptr_array_steal_index (from, from->len - 1); });
  g_task_set_task_data (task, job, (GDestroyNotify) step_job_free);

  /* The states borrow the changes' strings: the job holds the step until the write is done. */
  states = g_array_sized_new (FALSE, TRUE, sizeof (ClairDecisionState), job->step->len);
  for (guint i = 0; i < job->step->len; i++)
    {
      ClairDecisionChange *change = g_ptr_array_index (job->step, undo ? job->step->len - 1 - i : i);
      ClairDecisionState state = { change->index,
                                   undo ? change->old_decision : change->new_decision,
                                   undo ? change->old_edit : change->new_edit,
                                   undo ? change->old_note : change->new_note,
                                   FALSE,
                                   undo ? change->old_attempt : change->new_attempt };

      g_array_append_val (states, state);
    }
  clair_project_write_decisions_async (self->project, states, cancellable, write_done_cb,
                                       g_steal_pointer (&task));
}

void
clair_history_undo_async (ClairHistory        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (CLAIR_IS_HISTORY (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  step_async (self, TRUE, cancellable, callback, user_data);
}

void
clair_history_redo_async (ClairHistory        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (CLAIR_IS_HISTORY (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  step_async (self, FALSE, cancellable, callback, user_data);
}

gboolean
clair_history_step_finish (ClairHistory  *self,
                           GAsyncResult  *result,
                           GPtrArray    **step,
                           guint         *n_written,
                           GError       **error)
{
  StepJob *job;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == step_async, FALSE);

  job = g_task_get_task_data (G_TASK (result));
  if (step != NULL)
    *step = job != NULL && job->step != NULL ? g_ptr_array_ref (job->step) : NULL;
  if (n_written != NULL)
    *n_written = job != NULL ? job->n_written : 0;
  return g_task_propagate_boolean (G_TASK (result), error);
}
