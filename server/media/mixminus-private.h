/* mixminus-private.h: what the parts of kaigimixminus share: the pad and element structs,
 * the period, and the input side (mixminus-input.c) that mixminus.c calls. Not a public
 * header. Thread: see each field. */
#pragma once

#include <opus.h>

#include "mixdsp.h"
#include "mixminus.h"

#define PERIOD KAIGI_MIXMINUS_PERIOD
#define RATE KAIGI_MIXMINUS_RATE
#define PERIOD_MS (PERIOD * 1000 / RATE)
#define PERIOD_TIME ((GstClockTime)PERIOD * GST_SECOND / RATE)
#define NO_OFFSET G_MAXUINT64
/* A buffer stamped this close to where the previous one ended continues it: RTP-derived
 * timestamps jitter by a sample or two, and a one-sample gap would click. */
#define ALIGN_SAMPLES (RATE / 50)

#define KAIGI_TYPE_MIX_MINUS_PAD (kaigi_mix_minus_pad_get_type ())
G_DECLARE_FINAL_TYPE (KaigiMixMinusPad, kaigi_mix_minus_pad, KAIGI, MIX_MINUS_PAD, GstAggregatorPad)

/* One participant: sink_N and its ear src_N. */
struct _KaigiMixMinusPad {
  GstAggregatorPad parent;
  GstPad *ear; /* owned: src_N, also in the element while sink_N is */

  /* Aggregate thread only. */
  gint16 in[PERIOD];    /* this period's input; zeros where nothing came */
  guint filled;         /* samples of this period accounted for (data or known gap) */
  GstBuffer *head;      /* not owned: the queued buffer whose offset is head_offset */
  guint64 head_offset;  /* in samples of running time */
  guint64 next_offset;  /* where the last buffer ended, NO_OFFSET at first */
  gboolean spent;       /* the head buffer ends with this period: dropped once it is mixed */
  KaigiVoice voice;     /* speaking and silence */
  KaigiLimiter limiter; /* of this ear's own mix */
  gboolean shared;      /* got the shared total last period */
  guint group_now;      /* "group", read once per period */
  gint flushed;         /* atomic: set by a flush (streaming thread), seen by collect() */

  /* Object lock: what the properties read. */
  double level_db;
  gboolean speaking;
  gboolean shared_prop;
  guint group; /* 0: alone */
};

struct _KaigiMixMinus {
  GstAggregator parent;

  /* Aggregate thread only (reset by start and flush, while the task is stopped). */
  guint64 offset;          /* running time of the next period in samples, or NO_OFFSET */
  gboolean discont;        /* the next output starts a new stream */
  gint32 total[PERIOD];    /* exact sum of this period's inputs */
  KaigiLimiter limiter;    /* of the total */
  KaigiLimiter limiter_at; /* the total's limiter at the start of this period */
  GPtrArray *pads;         /* refs of the sink pads during one aggregate() */
  OpusEncoder *opus;       /* owned, nullable: the shared total's encoder (opus-bitrate) */
  guint64 opus_packets;    /* encoded by it (tests, benchmarks) */

  /* Object lock. */
  gint opus_bitrate; /* 0: the total is not encoded here */
};

static inline GstClockTime
offset_time (guint64 offset)
{
  return gst_util_uint64_scale_int (offset, GST_SECOND, RATE);
}

/* mixminus-input.c, aggregate thread: */
/* Takes what @pad's queue holds for the current period. TRUE when the period is complete
 * for this input: covered, or its next data is later, or it is EOS, or time is up. */
gboolean kaigi_mix_minus_collect (KaigiMixMinus *self, KaigiMixMinusPad *pad, gboolean timeout);
/* Sets self->offset for the first period (self->pads holds the sink pads). */
void kaigi_mix_minus_choose_start (KaigiMixMinus *self);
/* The element's running time now, or GST_CLOCK_TIME_NONE without a clock. Any thread. */
GstClockTime kaigi_mix_minus_running_time_now (KaigiMixMinus *self);
