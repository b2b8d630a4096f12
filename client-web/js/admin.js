// admin.js: the secretariat console (admin.html): sign in (POST /api/login), the list of
// meetings (GET /api/meetings), and one meeting's form (admin-form.js) with its join links
// and attendance (admin-panels.js). Sign out with POST /api/logout.
//
// Screens: login -> list <-> edit. The address keeps the screen (#new, #m=7) so that the
// back button and a reload work. window.kaigi shows the console's state to browser tests.

import { getLang, localize, onLangChange, startI18n, t } from './i18n.js';
import { $, el, setBusy } from './dom.js';
import { api } from './api.js';
import { createMeetingForm, errText } from './admin-form.js';
import { createPanels } from './admin-panels.js';

const els = {
  error: $('error'),
  notice: $('notice'),
  account: $('account'),
  signOut: $('sign-out'),
  lang: $('lang'),
  login: $('login-screen'),
  loginForm: $('login-form'),
  loginName: $('login-name'),
  loginPassword: $('login-password'),
  loginError: $('login-error'),
  loginSubmit: $('login-submit'),
  list: $('list-screen'),
  listHeading: $('list-heading'),
  meetingsBody: $('meetings-body'),
  noMeetings: $('no-meetings'),
  edit: $('edit-screen'),
  editHeading: $('edit-heading'),
  editState: $('edit-state'),
};

const state = { account: null, meetings: [], errors: [], screen: 'loading' };
let form = null;
let panels = null;

window.kaigi = {
  page: 'admin',
  get account() {
    return state.account ? { ...state.account } : null;
  },
  get screen() {
    return state.screen;
  },
  get meetings() {
    return structuredClone(state.meetings);
  },
  get current() {
    return form?.doc ?? null;
  },
  get links() {
    return panels?.links ?? [];
  },
  get attendance() {
    return panels?.attendance ?? null;
  },
  get errors() {
    return state.errors.slice();
  },
};

function notify(key, params = {}, isError = false) {
  const target = isError ? els.error : els.notice;
  (isError ? els.notice : els.error).hidden = true;
  target.hidden = false;
  localize(target, key, params);
  if (isError) state.errors.push({ at: Date.now(), key, message: t(key, params) });
}

function clearMessages() {
  els.error.hidden = true;
  els.notice.hidden = true;
}

function show(screen) {
  state.screen = screen;
  document.body.dataset.screen = screen;
  els.login.hidden = screen !== 'login';
  els.list.hidden = screen !== 'list';
  els.edit.hidden = screen !== 'edit';
  els.signOut.hidden = !state.account;
  els.account.hidden = !state.account;
  if (state.account) localize(els.account, 'admin.signedInAs', { name: state.account.name });
}

// ---- signing in and out ----

function signedOut() {
  state.account = null;
  show('login');
  els.loginName.focus();
}

async function onLogin(ev) {
  ev.preventDefault();
  els.loginError.hidden = true;
  const name = els.loginName.value.trim();
  const password = els.loginPassword.value;
  if (!name || !password) {
    els.loginError.hidden = false;
    localize(els.loginError, 'admin.loginMissing');
    (name ? els.loginPassword : els.loginName).focus();
    return;
  }
  setBusy(els.loginSubmit, true);
  try {
    const res = await api.login(name, password);
    state.account = res.account;
    els.loginPassword.value = '';
    clearMessages();
    await route();
  } catch (err) {
    els.loginError.hidden = false;
    if (err.code === 'bad-login') localize(els.loginError, 'admin.badLogin');
    else localize(els.loginError, 'admin.failed', { message: errText(err) });
    state.errors.push({ at: Date.now(), key: err.code, message: err.message });
    els.loginPassword.focus();
  } finally {
    setBusy(els.loginSubmit, false);
  }
}

async function onSignOut() {
  try {
    await api.logout();
  } catch {
    // Signed out on this page either way.
  }
  location.hash = '';
  signedOut();
}

// ---- the list ----

function handleAuth(err) {
  if (err?.code === 'unauthorized') {
    signedOut();
    return true;
  }
  return false;
}

async function showList() {
  show('list');
  try {
    const res = await api.meetings();
    state.meetings = res?.meetings ?? [];
  } catch (err) {
    if (handleAuth(err)) return;
    notify('admin.failed', { message: errText(err) }, true);
  }
  renderList();
  els.listHeading.focus();
}

function formatWhen(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return iso ?? '';
  return d.toLocaleString(getLang() === 'ja' ? 'ja-JP' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

function renderList() {
  els.noMeetings.hidden = state.meetings.length > 0;
  els.meetingsBody.replaceChildren(
    ...state.meetings.map((m) => {
      const label = [m.number, m.title].filter(Boolean).join(' ');
      return el('tr', { 'data-meeting': m.id, 'data-state': m.state }, [
        el('td', {}, [el('time', { datetime: m.scheduled_at ?? '', text: formatWhen(m.scheduled_at) })]),
        el('th', { scope: 'row', text: label }),
        el('td', { text: m.body ?? '' }),
        el('td', {}, [el('span', { class: 'state-chip', 'data-meeting-state': m.state, i18n: `state.${m.state}` })]),
        el('td', { i18n: `visibility.${m.visibility}` }),
        el('td', {}, [
          el('a', {
            href: `#m=${m.id}`,
            class: 'link-button',
            'data-meeting': m.id,
            i18n: [m.state === 'scheduled' ? 'admin.editMeeting' : 'admin.openMeeting', { title: label }],
          }),
          ' ',
          el('a', {
            href: `minutes.html?m=${m.id}`,
            class: 'link-button',
            'data-minutes': m.id,
            i18n: ['admin.minutesOf', { title: label }],
          }),
        ]),
      ]);
    }),
  );
}

// ---- one meeting ----

async function showMeeting(id) {
  show('edit');
  let doc = null;
  if (id != null) {
    try {
      doc = await api.meeting(id);
    } catch (err) {
      if (handleAuth(err)) return;
      notify('admin.failed', { message: errText(err) }, true);
      location.hash = '';
      return;
    }
  }
  form.load(doc);
  renderEditHead(doc);
  panels.show(doc?.id ?? null);
  els.editHeading.focus();
}

function renderEditHead(doc) {
  if (doc) {
    delete els.editHeading.dataset.i18n;
    els.editHeading.textContent = [doc.number, doc.title].filter(Boolean).join(' ');
    els.editState.hidden = false;
    els.editState.dataset.meetingState = doc.state;
    localize(els.editState, `state.${doc.state}`);
  } else {
    localize(els.editHeading, 'admin.newMeeting');
    els.editState.hidden = true;
  }
}

function onSaved(doc, err) {
  if (err && handleAuth(err)) return;
  if (!doc) {
    location.hash = '';
    return;
  }
  renderEditHead(doc);
  const wanted = `#m=${doc.id}`;
  if (location.hash !== wanted) history.replaceState(null, '', wanted);
  panels.show(doc.id);
}

// ---- routing ----

async function route() {
  if (!state.account) {
    try {
      const me = await api.me();
      state.account = me.account;
    } catch (err) {
      if (err.code !== 'unauthorized') notify('admin.failed', { message: errText(err) }, true);
      signedOut();
      return;
    }
  }
  clearMessages();
  const h = location.hash;
  const m = /^#m=(\d+)$/.exec(h);
  if (h === '#new') await showMeeting(null);
  else if (m) await showMeeting(Number(m[1]));
  else await showList();
}

function init() {
  startI18n(els.lang);
  onLangChange(() => {
    if (state.screen === 'list') renderList();
    panels?.rerender();
  });
  form = createMeetingForm({ host: $('meeting-form-host'), onSaved, notify });
  panels = createPanels({ host: $('panels-host'), notify, onUnauthorized: signedOut });
  els.loginForm.addEventListener('submit', onLogin);
  els.signOut.addEventListener('click', onSignOut);
  $('new-meeting').addEventListener('click', () => {
    location.hash = '#new';
  });
  $('refresh-meetings').addEventListener('click', showList);
  $('back-to-list').addEventListener('click', () => {
    location.hash = '';
  });
  window.addEventListener('hashchange', route);
  route();
}

init();
