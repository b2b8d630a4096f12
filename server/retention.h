/* retention.h: recordings older than [recorder] retention-days are removed by the server
 * itself, at start-up and every hour (recorder/archive.c does the work on the folders).
 * Thread: main loop; the sweep runs on a thread of its own. */
#pragma once

#include "rooms.h"

G_BEGIN_DECLS

typedef struct _KaigiRetention KaigiRetention;

/* NULL if @days is 0 (keep forever). @rooms is not owned and must outlive the result. */
KaigiRetention *kaigi_retention_start (const char *data_dir, guint days, KaigiRooms *rooms);
/* Starts a sweep now (also what the timer does), after the previous one has ended. */
void kaigi_retention_sweep (KaigiRetention *r);
/* Stops the timer and waits for a sweep in progress. */
void kaigi_retention_stop (KaigiRetention *r);

G_END_DECLS
