// minutes.js: the secretariat's minutes editor (minutes.html?m=MEETING), signed in on the
// console (session cookie).
//
// Shows the draft (GET /api/meetings/ID/minutes) as statements under their agenda headings
// with the decisions; each statement has its clip, its text (saved with Save or when the
// field loses focus), its speaker (roster or a name), merge with the next, split at the
// cursor, retract, and its history. Filler removal previews first and asks. The draft goes
// to review, back to draft or is published (asked first: final). After every change the draft
// is read again and drawn anew, focus kept on the same control. window.kaigi shows the state
// to browser tests.

import { localize, onLangChange, startI18n, t } from './i18n.js';
import { $, el, confirmAction, setBusy } from './dom.js';
import {
  clipPlayer,
  clockOf,
  decisionList,
  groupByItem,
  groupHeading,
  minutesErrorText,
  minutesRequest,
  statementMarks,
} from './minutes-view.js';

const meetingId = Number(new URLSearchParams(location.search).get('m')) || null;
const LOW_CONFIDENCE = 0.6;
const base = `/api/meetings/${meetingId}/minutes`;
const els = {
  error: $('error'),
  notice: $('notice'),
  heading: $('minutes-heading'),
  draftState: $('draft-state'),
  signIn: $('sign-in-hint'),
  draftPanel: $('draft-panel'),
  draftHelp: $('draft-help'),
  toReview: $('to-review'),
  toDraft: $('to-draft'),
  publish: $('publish'),
  fillers: $('fillers'),
  reload: $('reload'),
  progress: $('review-progress'),
  exportPanel: $('export-panel'),
  exportFormat: $('export-format'),
  exportLang: $('export-lang'),
  exportPublic: $('export-public'),
  exportLink: $('export-link'),
  publicRow: $('public-link-row'),
  publicLink: $('public-link'),
  statements: $('statements'),
};

const state = { doc: null, errors: [], busy: 0, loaded: false };
// Text typed but not saved yet, by statement id (kept across redraws).
const unsaved = new Map();
// The save in flight per statement: a split waits for it.
const saving = new Map();

window.kaigi = {
  page: 'minutes',
  get doc() {
    return state.doc ? structuredClone(state.doc) : null;
  },
  get loaded() {
    return state.loaded;
  },
  get busy() {
    return state.busy;
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
}

function fail(err) {
  state.errors.push({ at: Date.now(), code: err?.code, message: err?.message });
  if (err?.code === 'unauthorized') els.signIn.hidden = false;
  els.notice.hidden = true;
  els.error.hidden = false;
  delete els.error.dataset.i18n;
  els.error.textContent = minutesErrorText(err);
}

// Runs @fn as one change: busy count for tests, errors shown, the draft read again after.
async function change(fn, { reload = true } = {}) {
  state.busy++;
  try {
    await fn();
    if (reload) await load();
    return true;
  } catch (err) {
    fail(err);
    if (reload) await load().catch(() => {});
    return false;
  } finally {
    state.busy--;
  }
}

async function load() {
  const doc = await minutesRequest('GET', base);
  state.doc = doc;
  render();
  state.loaded = true;
}

// ---- drawing ----

function render() {
  const doc = state.doc;
  // Drawing anew must not move the person: focus, and the caret in a text, stay where they were.
  const active = document.activeElement;
  const focused = active?.closest?.('[data-utterance]')
    ? {
        id: active.closest('[data-utterance]').dataset.utterance,
        action: active.dataset.action,
        caret: active.tagName === 'TEXTAREA' ? [active.selectionStart, active.selectionEnd] : null,
      }
    : null;
  delete els.heading.dataset.i18n;
  els.heading.textContent = [doc.meeting.number, doc.meeting.title].filter(Boolean).join(' ');
  document.title = `${els.heading.textContent} – kaigi`;
  els.draftState.hidden = false;
  els.draftState.dataset.draftState = doc.draft.state;
  localize(els.draftState, `minutes.draft.${doc.draft.state}`);
  renderDraftPanel(doc);
  renderExport(doc);
  const published = doc.draft.state === 'published';
  els.statements.replaceChildren(
    ...groupByItem(doc).map((g) =>
      el('section', { class: 'minutes-item', 'aria-labelledby': `item-${g.item?.id ?? 'none'}` }, [
        groupHeading(g),
        decisionList(g),
        ...g.utterances.map((u) => statement(doc, u, published, nextOf(doc, u))),
        g.utterances.length ? null : el('p', { class: 'hint', i18n: 'minutes.noStatements' }),
      ]),
    ),
  );
  if (focused) {
    const sel = `[data-utterance="${focused.id}"] ${focused.action ? `[data-action="${focused.action}"]` : 'textarea'}`;
    let target = els.statements.querySelector(sel);
    // A Save button that has nothing left to save is disabled: on to the next control.
    if (target?.disabled)
      target = [...els.statements.querySelectorAll(`[data-utterance="${focused.id}"] button, [data-utterance="${focused.id}"] summary`)].find(
        (b) => !b.disabled && b.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_PRECEDING,
      );
    target?.focus();
    if (target?.tagName === 'TEXTAREA' && focused.caret) target.setSelectionRange(...focused.caret);
  }
}

function nextOf(doc, u) {
  const i = doc.utterances.findIndex((x) => x.id === u.id);
  return doc.utterances[i + 1] ?? null;
}

function renderDraftPanel(doc) {
  const s = doc.draft.state;
  els.draftPanel.hidden = false;
  localize(els.draftHelp, `minutes.help.${s}`);
  els.toReview.hidden = s !== 'draft';
  els.toDraft.hidden = s !== 'review';
  els.publish.hidden = s !== 'review';
  els.fillers.hidden = s === 'published';
  const speakers = doc.utterances.filter((u) => u.speaker && !u.retracted);
  const confirmed = speakers.filter((u) => u.state === 'confirmed').length;
  localize(els.progress, 'minutes.progress', { confirmed, total: speakers.length });
}

function renderExport(doc) {
  els.exportPanel.hidden = false;
  const q = new URLSearchParams({ format: els.exportFormat.value, lang: els.exportLang.value });
  if (els.exportPublic.checked) q.set('public', '1');
  els.exportLink.href = `${base}/export?${q}`;
  els.exportLink.setAttribute('download', '');
  const published = doc.draft.state === 'published';
  els.publicRow.hidden = !published;
  const pub = `/api/public/meetings/${meetingId}/minutes?format=${els.exportFormat.value}&lang=${els.exportLang.value}`;
  els.publicLink.href = pub;
  els.publicLink.textContent = new URL(pub, location.origin).href;
}

function speakerSelect(doc, u, disabled) {
  const id = `speaker-${u.id}`;
  const select = el('select', { id, 'data-action': 'speaker', disabled });
  for (const p of doc.roster) {
    const opt = el('option', { value: String(p.id), text: p.title ? `${p.name}（${p.title}）` : p.name });
    opt.selected = u.speaker === p.id;
    select.append(opt);
  }
  if (!u.speaker) {
    const opt = el('option', { value: 'name', text: u.speaker_name || t('minutes.unknownSpeaker') });
    opt.selected = true;
    select.append(opt);
  }
  select.append(el('option', { value: 'other', i18n: 'minutes.otherSpeaker' }));
  select.addEventListener('change', () => onSpeaker(u, select));
  return [el('label', { for: id, class: 'visually-hidden', i18n: ['minutes.speakerOf', { time: clockOf(u.start_us) }] }), select];
}

function statement(doc, u, published, next) {
  const textId = `text-${u.id}`;
  const area = el('textarea', { id: textId, rows: 3, 'data-action': 'text', readonly: published, lang: 'ja' });
  area.value = unsaved.get(u.id) ?? u.text;
  const save = el('button', { type: 'button', 'data-action': 'save', i18n: 'admin.save', disabled: !unsaved.has(u.id) });
  area.addEventListener('input', () => {
    if (area.value === u.text) unsaved.delete(u.id);
    else unsaved.set(u.id, area.value);
    save.disabled = !unsaved.has(u.id);
  });
  area.addEventListener('blur', () => saveText(u));
  save.addEventListener('click', () => saveText(u));
  const actions = published
    ? []
    : [
        save,
        // Only within one agenda item: the merged statement keeps the first one's item.
        button('merge', 'minutes.mergeNext', () => onMerge(u, next), !next || next.item !== u.item),
        button('split', 'minutes.splitAtCursor', () => onSplit(u, area)),
        button('retract', u.retracted ? 'minutes.unretract' : 'minutes.retract', () => onRetract(u)),
      ];
  const history = el('details', { class: 'history', 'data-history': u.id }, [el('summary', { i18n: 'minutes.history' })]);
  history.addEventListener('toggle', () => history.open && showHistory(u, history));
  return el(
    'article',
    {
      class: `statement${u.retracted ? ' retracted' : ''}${u.public ? '' : ' closed'}`,
      'data-utterance': u.id,
      'data-state': u.state,
      'data-speaker': u.speaker ?? '',
      'aria-label': t('minutes.statementOf', { name: u.speaker_name, time: clockOf(u.start_us) }),
    },
    [
      el('div', { class: 'statement-head' }, [
        el('time', { text: clockOf(u.start_us) }),
        ...speakerSelect(doc, u, published),
        ...statementMarks(u),
        // Recognition was unsure and nobody has looked yet: worth a listen.
        u.state === 'transcribed' && u.confidence < LOW_CONFIDENCE
          ? el('span', { class: 'mark unsure', i18n: ['minutes.unsure', { percent: Math.round(u.confidence * 100) }] })
          : null,
      ]),
      clipPlayer(meetingId, u),
      el('label', { for: textId, class: 'visually-hidden', i18n: ['minutes.textOf', { name: u.speaker_name, time: clockOf(u.start_us) }] }),
      area,
      el('div', { class: 'button-row' }, actions),
      history,
    ],
  );
}

function button(action, key, onClick, disabled = false) {
  const b = el('button', { type: 'button', 'data-action': action, i18n: key, disabled });
  b.addEventListener('click', async () => {
    setBusy(b, true);
    await onClick();
    setBusy(b, false);
  });
  return b;
}

// ---- changes ----

function saveText(u) {
  const text = unsaved.get(u.id);
  if (text === undefined || saving.has(u.id)) return saving.get(u.id);
  const p = change(async () => {
    // `was`: refused (409 changed) if someone else saved this statement meanwhile.
    await minutesRequest('PATCH', `${base}/utterances/${u.id}`, { json: { text, was: u.text } });
    // Typed on while it was saved: keep the newer text for the next save.
    if (unsaved.get(u.id) === text) unsaved.delete(u.id);
    notify('minutes.saved');
  }).finally(() => saving.delete(u.id));
  saving.set(u.id, p);
  return p;
}

async function onSpeaker(u, select) {
  let body;
  if (select.value === 'other') {
    const name = window.prompt(t('minutes.otherSpeakerName'), u.speaker ? '' : u.speaker_name);
    if (!name || !name.trim()) {
      render();
      return;
    }
    body = { speaker: null, speaker_name: name.trim() };
  } else if (select.value === 'name') return;
  else body = { speaker: Number(select.value) };
  await change(async () => {
    await minutesRequest('PATCH', `${base}/utterances/${u.id}`, { json: body });
    notify('minutes.saved');
  });
}

async function onMerge(u, next) {
  if (!next) return;
  await saving.get(u.id);
  await saving.get(next.id);
  if (unsaved.has(u.id) || unsaved.has(next.id)) return;
  await change(async () => {
    await minutesRequest('POST', `${base}/utterances/${u.id}/merge`, { json: { with: next.id } });
    notify('minutes.merged');
  });
}

async function onSplit(u, area) {
  // The caret in characters (the server counts code points, JavaScript UTF-16 units).
  const offset = [...area.value.slice(0, area.selectionStart)].length;
  await saving.get(u.id);
  if (unsaved.has(u.id)) return;
  await change(async () => {
    await minutesRequest('POST', `${base}/utterances/${u.id}/split`, { json: { offset } });
    notify('minutes.split');
  });
}

async function onRetract(u) {
  if (!u.retracted && !confirmAction('minutes.confirmRetract', { name: u.speaker_name })) return;
  await change(async () => {
    await minutesRequest('POST', `${base}/utterances/${u.id}/retract`, { json: { retracted: !u.retracted } });
  });
}

async function onFillers() {
  await change(async () => {
    const preview = await minutesRequest('POST', `${base}/fillers`, { json: { preview: true } });
    if (!preview.removed) {
      notify('minutes.noFillers');
      return;
    }
    if (!confirmAction('minutes.confirmFillers', { count: preview.removed, statements: preview.changes.length })) return;
    const done = await minutesRequest('POST', `${base}/fillers`, { json: {} });
    notify('minutes.fillersRemoved', { count: done.removed, statements: done.changes.length });
  });
}

async function toState(to, confirmKey) {
  if (confirmKey && !confirmAction(confirmKey)) return;
  await change(async () => {
    await minutesRequest('POST', `${base}/state`, { json: { to } });
    notify(`minutes.nowState.${to}`);
  });
}

async function showHistory(u, details) {
  try {
    const { history } = await minutesRequest('GET', `${base}/utterances/${u.id}/history`);
    const list = el(
      'ol',
      { class: 'history-list' },
      history.map((h) =>
        el('li', {
          text: t('minutes.historyRow', {
            time: clockOf(h.at_us),
            who: h.who_name ?? h.who,
            field: t(`minutes.field.${h.field}`),
            old: h.old ?? '',
            new: h.new ?? '',
          }),
        }),
      ),
    );
    details.querySelector('ol')?.remove();
    details.append(history.length ? list : el('ol', { class: 'history-list' }, [el('li', { i18n: 'minutes.noHistory' })]));
  } catch (err) {
    fail(err);
  }
}

function init() {
  startI18n($('lang'));
  onLangChange(() => state.doc && render());
  if (!meetingId) {
    notify('minutes.noMeeting', {}, true);
    return;
  }
  els.toReview.addEventListener('click', () => toState('review', 'minutes.confirmReview'));
  els.toDraft.addEventListener('click', () => toState('draft', null));
  els.publish.addEventListener('click', () => toState('published', 'minutes.confirmPublish'));
  els.fillers.addEventListener('click', onFillers);
  els.reload.addEventListener('click', () => change(async () => {}));
  for (const c of [els.exportFormat, els.exportLang, els.exportPublic]) c.addEventListener('change', () => state.doc && renderExport(state.doc));
  els.exportLang.value = document.documentElement.lang === 'en' ? 'en' : 'ja';
  change(async () => {});
}

init();
