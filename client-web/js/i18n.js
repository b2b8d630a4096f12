// i18n.js: every string the page shows, in Japanese and English, and the helpers that put
// them on the page.
//
// The language comes from localStorage ('kaigi.lang') if the person chose one, else from
// navigator.languages (the first ja* -> ja, otherwise en). Elements name their string
// with data-i18n (text), data-i18n-aria-label, data-i18n-title or data-i18n-placeholder,
// plus optional data-i18n-params (JSON); setLang() re-renders all of them, so text that
// the scripts set through localize() follows a language switch too.

const table = {
  en: {
    'app.title': 'kaigi',
    'app.subtitle': 'Online meeting',
    'lang.label': 'Language',
    'lang.ja': '日本語',
    'lang.en': 'English',

    'join.heading': 'Join the meeting',
    'join.name': 'Your name',
    'join.nameHint': 'Other participants see this name. Up to 64 characters.',
    'join.button': 'Join',
    'join.nameEmpty': 'Please enter your name.',
    'join.nameTooLong': 'The name is too long (at most 64 characters).',
    'join.nameControl': 'The name must not contain control characters.',

    'meeting.heading': 'Meeting',
    'meeting.you': 'You',
    'meeting.youSuffix': '{name} (you)',
    'meeting.emptySlot': 'Empty',
    'meeting.alone': 'No one else is here yet. Others appear here when they join.',
    'meeting.videoArea': 'Participants\u2019 video',
    'meeting.cameraOff': 'Camera off',
    'meeting.noCamera': 'No camera',
    'meeting.people': 'Participants ({count})',
    'meeting.controls': 'Meeting controls',
    'meeting.joinedAs': 'You are {name}',

    'control.muteAudio': 'Mute microphone',
    'control.muteVideo': 'Turn camera off',
    'control.leave': 'Leave',
    'control.stateAudioOn': 'Microphone on',
    'control.stateAudioOff': 'Microphone off',
    'control.stateVideoOn': 'Camera on',
    'control.stateVideoOff': 'Camera off',
    'control.rejoin': 'Join again',

    'icon.micOff': 'Microphone off',
    'icon.camOff': 'Camera off',

    'left.heading': 'You left the meeting',
    'left.text': 'Thank you. You can close this page or join again.',
    'ended.heading': 'Disconnected',
    'ended.text': 'The connection to the meeting ended. You can try to join again.',

    'status.idle': 'Not connected',
    'status.media': 'Preparing camera and microphone\u2026',
    'status.connecting': 'Connecting to the server\u2026',
    'status.joining': 'Joining the meeting\u2026',
    'status.negotiating': 'Connecting audio and video\u2026',
    'status.connected': 'Connected',
    'status.interrupted': 'Audio and video interrupted, reconnecting\u2026',
    'status.left': 'Left the meeting',
    'status.error': 'Not connected (error)',

    'notice.noMic': 'No microphone: you join without sound. Others cannot hear you.',
    'notice.noCamera': 'No camera: you join without video. Others cannot see you.',
    'notice.noMedia': 'No camera or microphone: you can watch and listen only.',
    'notice.insecure':
      'This page is not secure (not https), so the browser gives it no camera or microphone. You can watch and listen only.',

    'error.connect': 'Could not connect to the meeting server. Please check the address and try again.',
    'error.closed': 'The connection to the meeting server was lost.',
    'error.media': 'The audio and video connection failed.',
    'error.webrtc': 'The browser could not set up audio and video: {message}',
    'error.noWebrtc': 'This browser does not support WebRTC. Please use a current Chromium, Chrome, Edge or Firefox.',
    'error.server': 'Server error ({code}): {message}',
    'error.bad-json': 'The server could not read a message from this page.',
    'error.unknown-type': 'The server did not understand a message from this page.',
    'error.bad-message': 'A message from this page was incomplete: {message}',
    'error.bad-name': 'The server refused the name: {message}',
    'error.not-joined': 'The page is not in the meeting yet.',
    'error.already-joined': 'This page has already joined.',
    'error.bad-sdp': 'The server refused the audio and video setup of this browser: {message}',
    'error.meeting-full': 'The meeting is full. Please try again later.',
    'error.too-large': 'A message from this page was too large; the connection was closed.',
    'error.rate-limited': 'This page sent too many messages; the connection was closed.',
    'error.internal': 'The server could not set up audio and video for you. Please try again.',
  },

  ja: {
    'app.title': 'kaigi',
    'app.subtitle': 'オンライン会議',
    'lang.label': '言語',
    'lang.ja': '日本語',
    'lang.en': 'English',

    'join.heading': '会議に参加する',
    'join.name': 'お名前',
    'join.nameHint': 'ほかの参加者に表示される名前です（64文字まで）。',
    'join.button': '参加する',
    'join.nameEmpty': 'お名前を入力してください。',
    'join.nameTooLong': 'お名前が長すぎます（64文字まで）。',
    'join.nameControl': 'お名前に制御文字は使えません。',

    'meeting.heading': '会議',
    'meeting.you': 'あなた',
    'meeting.youSuffix': '{name}（あなた）',
    'meeting.emptySlot': '空き',
    'meeting.alone': 'ほかの参加者はまだいません。参加するとここに表示されます。',
    'meeting.videoArea': '参加者の映像',
    'meeting.cameraOff': 'カメラオフ',
    'meeting.noCamera': 'カメラなし',
    'meeting.people': '参加者（{count}人）',
    'meeting.controls': '会議の操作',
    'meeting.joinedAs': '{name} として参加中',

    'control.muteAudio': 'マイクをミュート',
    'control.muteVideo': 'カメラをオフ',
    'control.leave': '退出する',
    'control.stateAudioOn': 'マイク オン',
    'control.stateAudioOff': 'マイク オフ',
    'control.stateVideoOn': 'カメラ オン',
    'control.stateVideoOff': 'カメラ オフ',
    'control.rejoin': 'もう一度参加する',

    'icon.micOff': 'マイクオフ',
    'icon.camOff': 'カメラオフ',

    'left.heading': '会議から退出しました',
    'left.text': 'ご参加ありがとうございました。このページを閉じるか、もう一度参加できます。',
    'ended.heading': '接続が切れました',
    'ended.text': '会議への接続が終了しました。もう一度参加をお試しください。',

    'status.idle': '未接続',
    'status.media': 'カメラとマイクを準備しています…',
    'status.connecting': 'サーバーに接続しています…',
    'status.joining': '会議に参加しています…',
    'status.negotiating': '音声と映像を接続しています…',
    'status.connected': '接続中',
    'status.interrupted': '音声と映像が途切れています。再接続しています…',
    'status.left': '退出しました',
    'status.error': '未接続（エラー）',

    'notice.noMic': 'マイクが使えないため、音声なしで参加します。ほかの参加者にあなたの声は聞こえません。',
    'notice.noCamera': 'カメラが使えないため、映像なしで参加します。ほかの参加者にあなたの映像は見えません。',
    'notice.noMedia': 'カメラもマイクも使えないため、視聴のみで参加します。',
    'notice.insecure':
      'このページは安全な接続（https）ではないため、ブラウザーがカメラとマイクを使わせません。視聴のみで参加します。',

    'error.connect': '会議サーバーに接続できませんでした。アドレスを確認して、もう一度お試しください。',
    'error.closed': '会議サーバーとの接続が切れました。',
    'error.media': '音声と映像の接続に失敗しました。',
    'error.webrtc': 'ブラウザーで音声と映像を準備できませんでした：{message}',
    'error.noWebrtc': 'このブラウザーは WebRTC に対応していません。最新の Chromium、Chrome、Edge、Firefox をお使いください。',
    'error.server': 'サーバーのエラー（{code}）：{message}',
    'error.bad-json': 'サーバーがこのページからのメッセージを読めませんでした。',
    'error.unknown-type': 'サーバーがこのページからのメッセージを理解できませんでした。',
    'error.bad-message': 'このページからのメッセージに不足がありました：{message}',
    'error.bad-name': 'このお名前は使えません：{message}',
    'error.not-joined': 'まだ会議に参加していません。',
    'error.already-joined': 'このページはすでに参加しています。',
    'error.bad-sdp': 'サーバーがこのブラウザーの音声・映像の設定を受け付けませんでした：{message}',
    'error.meeting-full': '会議が満員です。しばらくしてからもう一度お試しください。',
    'error.too-large': 'このページからのメッセージが大きすぎたため、接続が切られました。',
    'error.rate-limited': 'このページからのメッセージが多すぎたため、接続が切られました。',
    'error.internal': 'サーバーで音声と映像を準備できませんでした。もう一度お試しください。',
  },
};

export const languages = Object.freeze(Object.keys(table));
const storageKey = 'kaigi.lang';
const listeners = new Set();

function initialLang() {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved && saved in table) return saved;
  } catch {
    // localStorage can be unavailable (privacy settings); fall back to the browser.
  }
  const prefs = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
  for (const l of prefs) {
    const tag = String(l).toLowerCase();
    if (tag.startsWith('ja')) return 'ja';
  }
  return 'en';
}

let lang = initialLang();

export function getLang() {
  return lang;
}

// The string for key in the current language; {name} placeholders come from params.
// A missing key falls back to English, then to the key itself, so a gap shows, not crashes.
export function t(key, params = {}) {
  const text = table[lang][key] ?? table.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, p) => (p in params ? String(params[p]) : m));
}

export function hasKey(key) {
  return key in table.en;
}

// Sets el's text to t(key, params) and remembers both, so a language switch re-renders it.
export function localize(el, key, params = {}, attr = null) {
  const data = attr ? `i18n${attr.replace(/(^|-)(\w)/g, (m, d, c) => c.toUpperCase())}` : 'i18n';
  el.dataset[data] = key;
  if (Object.keys(params).length) el.dataset[`${data}Params`] = JSON.stringify(params);
  else delete el.dataset[`${data}Params`];
  renderOne(el, data, attr);
}

function renderOne(el, data, attr) {
  const key = el.dataset[data];
  let params = {};
  try {
    params = JSON.parse(el.dataset[`${data}Params`] || '{}');
  } catch {
    params = {};
  }
  if (attr) el.setAttribute(attr, t(key, params));
  else el.textContent = t(key, params);
}

const attributes = [
  ['i18n', null],
  ['i18nAriaLabel', 'aria-label'],
  ['i18nTitle', 'title'],
  ['i18nPlaceholder', 'placeholder'],
];

// Renders every element under root that names a string.
export function applyI18n(root = document) {
  for (const [data, attr] of attributes) {
    const sel = `[data-${data.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`;
    for (const el of root.querySelectorAll(sel)) renderOne(el, data, attr);
  }
}

export function setLang(next) {
  if (!(next in table)) return;
  lang = next;
  try {
    localStorage.setItem(storageKey, next);
  } catch {
    // Not remembered; the choice still holds for this page.
  }
  document.documentElement.lang = next;
  applyI18n();
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
