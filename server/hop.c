/* hop.c: see hop.h. */
#include "hop.h"

typedef struct {
  const KaigiHopOwner *kind;
  gpointer owner; /* ref */
  KaigiHopFunc run;
  gpointer data;
  GDestroyNotify free_data;
} Hop;

/* Main thread. */
static gboolean
hop_run (gpointer user_data)
{
  Hop *h = user_data;

  if (h->kind->alive (h->owner))
    h->run (h->owner, h->data);
  return G_SOURCE_REMOVE;
}

static void
hop_free (gpointer user_data)
{
  Hop *h = user_data;

  if (h->free_data)
    h->free_data (h->data);
  h->kind->unref (h->owner);
  g_free (h);
}

void
kaigi_hop (const KaigiHopOwner *kind, gpointer owner, KaigiHopFunc run, gpointer data,
           GDestroyNotify free_data)
{
  Hop *h = g_new0 (Hop, 1);

  h->kind = kind;
  h->owner = kind->ref (owner);
  h->run = run;
  h->data = data;
  h->free_data = free_data;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, hop_run, h, hop_free);
}
