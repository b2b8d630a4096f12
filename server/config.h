/* config.h: kaigi-server's settings, from embedded defaults, conf/kaigi.conf and the command line.
 *
 * Main thread only: loaded once at start-up, then read-only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *listen_host;       /* [server] listen, host part */
  guint port;              /* [server] listen, port part */
  char *data_dir;          /* [server] data-dir */
  char *web_root;          /* [server] web-root: the client-web folder */
  char *tls_certificate;   /* [server] tls-certificate: PEM chain; NULL: plain HTTP */
  char *tls_key;           /* [server] tls-key: PEM private key */
  char *meeting_title;     /* [meeting] title of the demo meeting */
  guint slots;             /* [media] slots: K video slots per participant */
  guint jitter_latency_ms; /* [media] jitterbuffer-latency */
  guint max_participants;  /* [media] max-participants */
  guint audio_bitrate;     /* [media] audio-bitrate, bit/s of each mix-minus */
  char **ice_addresses;    /* [webrtc] ice-addresses: local addresses ICE may use (empty: all) */
  char *stun_server;       /* [webrtc] stun-server, stun://host:port or NULL */
  char **turn_servers;     /* [webrtc] turn-servers: turn:host:port?transport=udp; ... */
  char *turn_username;     /* [webrtc] turn-username (long-term credentials) */
  char *turn_password;     /* [webrtc] turn-password */
  char *turn_secret;       /* [webrtc] turn-secret (coturn static-auth-secret, REST scheme) */
  guint turn_ttl;          /* [webrtc] turn-ttl: seconds a REST credential stays valid */
  char *log_level;         /* [log] level: GST_DEBUG syntax, e.g. "*:2,kaigi*:4" */
  guint max_message;       /* [signal] max-message, bytes */
  guint rate;              /* [signal] rate, messages per second */
  guint burst;             /* [signal] burst, messages */
  gboolean record;         /* [recorder] enabled: every participant's media is recorded */
  guint retention_days;    /* [recorder] retention-days: media older are deleted; 0 keep */
  gboolean public_stream;  /* [public] enabled: the program (傍聴) as HLS under /hls/ID/ */
  guint public_segment_s;  /* [public] segment-seconds */
  guint public_width;      /* [public] width, height, fps: the program picture */
  guint public_height;
  guint public_fps;
  guint public_video_bitrate; /* [public] video-bitrate, bit/s (H.264) */
  guint public_audio_bitrate; /* [public] audio-bitrate, bit/s (AAC, and Opus to Icecast) */
  char *public_icecast;       /* [public] icecast: http://source:PASSWORD@HOST:PORT or NULL */
  guint public_whep_max;      /* [public] whep-max-viewers: WebRTC viewers per meeting */
  char *asr_engine;           /* [minutes] asr-engine: pocketsphinx, vosk, whisper, command, none */
  char *asr_model;            /* [minutes] asr-model, asr-dict, asr-lm: pocketsphinx's files */
  char *asr_dict;
  char *asr_lm;
  char *asr_url;      /* [minutes] asr-url: ws://... (vosk), http://... (whisper) */
  char *asr_command;  /* [minutes] asr-command: a command line, the WAV file appended */
  char *asr_language; /* [minutes] asr-language: whisper's language (ja, en, auto) */
  guint asr_workers;  /* [minutes] asr-workers: recognitions at once */
  guint asr_timeout;  /* [minutes] asr-timeout: seconds for one utterance (network, command) */
} KaigiConfig;

KaigiConfig *kaigi_config_new (void);
gboolean kaigi_config_load_file (KaigiConfig *config, const char *path, GError **error);
gboolean kaigi_config_set_listen (KaigiConfig *config, const char *host_port, GError **error);
gboolean kaigi_config_validate (const KaigiConfig *config, GError **error);
gboolean kaigi_config_loopback_only (const KaigiConfig *config);
void kaigi_config_free (KaigiConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiConfig, kaigi_config_free)

G_END_DECLS
