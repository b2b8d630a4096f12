/* sdp-offer.c: reading offers and completing answers for WHEP and WHIP (sdp-offer.h). */
#include "sdp-offer.h"

#include <stdlib.h>
#include <string.h>

static gboolean
h264_fmtp_ok (const char *fmtp, KaigiSdpH264 h264)
{
  const char *plid = strstr (fmtp, "profile-level-id=");

  if (!strstr (fmtp, "packetization-mode=1"))
    return FALSE;
  return h264 == KAIGI_SDP_H264_ANY
         || (plid
             && (g_ascii_strncasecmp (plid + 17, "42e0", 4) == 0
                 || g_ascii_strncasecmp (plid + 17, "42c0", 4) == 0
                 || g_ascii_strncasecmp (plid + 17, "4200", 4) == 0));
}

int
kaigi_sdp_offered_pt (const GstSDPMedia *media, const char *encoding, KaigiSdpH264 h264)
{
  gboolean is_h264 = g_ascii_strcasecmp (encoding, "H264") == 0;

  for (guint i = 0; i < gst_sdp_media_formats_len (media); i++) {
    int pt = atoi (gst_sdp_media_get_format (media, i));
    g_autofree char *prefix = g_strdup_printf ("%d ", pt);
    gboolean name_ok = FALSE, fmtp_ok = !is_h264;

    for (guint a = 0; a < gst_sdp_media_attributes_len (media); a++) {
      const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, a);
      if (!attr->value || !g_str_has_prefix (attr->value, prefix))
        continue;
      if (g_strcmp0 (attr->key, "rtpmap") == 0) {
        const char *enc = attr->value + strlen (prefix);
        name_ok = g_ascii_strncasecmp (enc, encoding, strlen (encoding)) == 0
                  && enc[strlen (encoding)] == '/';
      } else if (g_strcmp0 (attr->key, "fmtp") == 0 && !fmtp_ok) {
        fmtp_ok = h264_fmtp_ok (attr->value + strlen (prefix), h264);
      }
    }
    if (name_ok && fmtp_ok)
      return pt;
  }
  return -1;
}

char *
kaigi_sdp_answer_with_candidates (const char *answer, const GPtrArray *candidates)
{
  g_autoptr (GstSDPMessage) sdp = NULL;

  if (gst_sdp_message_new_from_text (answer, &sdp) != GST_SDP_OK
      || gst_sdp_message_medias_len (sdp) == 0)
    return NULL;
  if (!strstr (answer, "a=candidate:")) {
    for (guint i = 0; i < candidates->len; i++) {
      const char *c = g_ptr_array_index (candidates, i);
      const char *tab = strchr (c, '\t');
      guint mline = (guint)atoi (c);
      if (tab && g_str_has_prefix (tab + 1, "candidate:")
          && mline < gst_sdp_message_medias_len (sdp))
        gst_sdp_media_add_attribute ((GstSDPMedia *)gst_sdp_message_get_media (sdp, mline),
                                     "candidate", tab + 1 + strlen ("candidate:"));
    }
  }
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    gst_sdp_media_add_attribute ((GstSDPMedia *)gst_sdp_message_get_media (sdp, i),
                                 "end-of-candidates", "");
  return gst_sdp_message_as_text (sdp);
}
