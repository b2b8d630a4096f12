// admin-form.js: the meeting form of the secretariat console (admin.html): body, title,
// number, date and time, visibility, quorum, venues, agenda (with materials per saved item)
// and roster, saved with POST /api/meetings (new) or PUT /api/meetings/ID (whole document;
// rows keep their `id` so that the server keeps them and their materials).
//
// The server is the judge of the rules (meetings-api.md); its `invalid` answer names the
// field (`roster[2].role: …`), which is shown in #form-errors and next to that control.
// Once the meeting has left `scheduled` the form is read-only (the fieldset is disabled).

import { localize, t } from './i18n.js';
import { $, el, confirmAction, setBusy } from './dom.js';
import { api, ApiError } from './api.js';

const VENUE_KINDS = ['main', 'satellite', 'online'];
const ROLES = ['chair', 'member', 'presenter', 'secretariat'];

// "2021-03-10T10:30" (the browser's local time) -> "2021-03-10T10:30:00+09:00".
export function localToIso(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  const pad = (n) => String(n).padStart(2, '0');
  return `${value.slice(0, 16)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// ISO 8601 with offset -> the value of a datetime-local input in the browser's time zone.
export function isoToLocal(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function field(id, labelKey, input, hintKey = null) {
  input.id = id;
  const parts = [el('label', { for: id, i18n: labelKey }), input];
  if (hintKey) {
    parts.push(el('p', { id: `${id}-hint`, class: 'hint', i18n: hintKey }));
    input.setAttribute('aria-describedby', `${id}-hint`);
  }
  return el('div', { class: 'field' }, parts);
}

function select(options, labelPrefix) {
  return el(
    'select',
    {},
    options.map((o) => el('option', { value: o, i18n: `${labelPrefix}${o}` })),
  );
}

let rowSeq = 0;

export function createMeetingForm({ host, onSaved, notify }) {
  let doc = null; // the stored document (null for a new meeting)

  const f = {
    body: el('input', { type: 'text', maxlength: 200, 'data-field': 'body' }),
    title: el('input', { type: 'text', maxlength: 200, required: true, 'data-field': 'title' }),
    number: el('input', { type: 'text', maxlength: 200, 'data-field': 'number' }),
    scheduled: el('input', { type: 'datetime-local', required: true, 'data-field': 'scheduled_at' }),
    visPublic: el('input', { type: 'radio', name: 'visibility', value: 'public', id: 'f-vis-public', 'data-field': 'visibility' }),
    visClosed: el('input', { type: 'radio', name: 'visibility', value: 'closed', id: 'f-vis-closed' }),
    reason: el('input', { type: 'text', maxlength: 200, 'data-field': 'visibility_reason' }),
    quorumRule: select(['all', 'in-room'], 'admin.quorumRule.'),
    quorum: el('input', { type: 'number', min: 0, max: 999, step: 1, inputmode: 'numeric', 'data-field': 'quorum' }),
  };
  f.quorumRule.dataset.field = 'quorum_rule';

  const venuesBody = el('tbody', { id: 'venues-body' });
  const agendaBody = el('tbody', { id: 'agenda-body' });
  const rosterBody = el('tbody', { id: 'roster-body' });
  const errors = el('div', { id: 'form-errors', class: 'error', role: 'alert', tabindex: '-1', hidden: true });
  const readonlyNote = el('p', { id: 'form-readonly', class: 'notice-inline', i18n: 'admin.readOnly', hidden: true });
  const save = el('button', { type: 'submit', id: 'save-meeting', class: 'primary', i18n: 'admin.save' });
  const del = el('button', { type: 'button', id: 'delete-meeting', class: 'danger', i18n: 'admin.delete', hidden: true });
  const reasonField = field('f-reason', 'admin.f.reason', f.reason);

  const table = (id, headKeys, body, addId, addKey) =>
    el('div', { class: 'table-wrap' }, [
      el('table', { id, class: 'data rows' }, [
        el('thead', {}, [el('tr', {}, headKeys.map((k) => el('th', { scope: 'col', i18n: k })))]),
        body,
      ]),
      el('button', { type: 'button', id: addId, class: 'add', i18n: addKey }),
    ]);

  const fields = el('fieldset', { id: 'meeting-fields', class: 'plain' }, [
    el('legend', { class: 'visually-hidden', i18n: 'admin.formLegend' }),
    el('div', { class: 'grid-2' }, [
      field('f-body', 'admin.f.body', f.body),
      field('f-number', 'admin.f.number', f.number),
    ]),
    field('f-title', 'admin.f.title', f.title),
    field('f-scheduled', 'admin.f.scheduled', f.scheduled, 'admin.f.scheduledHint'),
    el('fieldset', { id: 'f-visibility', class: 'radios' }, [
      el('legend', { i18n: 'admin.f.visibility' }),
      el('label', { for: 'f-vis-public', class: 'radio' }, [f.visPublic, el('span', { i18n: 'visibility.public' })]),
      el('label', { for: 'f-vis-closed', class: 'radio' }, [f.visClosed, el('span', { i18n: 'visibility.closed' })]),
    ]),
    reasonField,
    el('div', { class: 'grid-2' }, [
      field('f-quorum-rule', 'admin.f.quorumRule', f.quorumRule),
      field('f-quorum', 'admin.f.quorum', f.quorum, 'admin.f.quorumHint'),
    ]),
    el('h2', { id: 'venues-heading', i18n: 'admin.venues' }),
    table('venues', ['admin.col.kind', 'admin.col.name', 'admin.col.remove'], venuesBody, 'add-venue', 'admin.addVenue'),
    el('h2', { id: 'agenda-heading', i18n: 'admin.agenda' }),
    table(
      'agenda',
      ['admin.col.number', 'admin.col.title', 'admin.col.materials', 'admin.col.remove'],
      agendaBody,
      'add-item',
      'admin.addItem',
    ),
    el('h2', { id: 'roster-heading', i18n: 'admin.roster' }),
    table(
      'roster',
      ['admin.col.name', 'admin.col.personTitle', 'admin.col.role', 'admin.col.site', 'admin.col.remove'],
      rosterBody,
      'add-person',
      'admin.addPerson',
    ),
  ]);

  const form = el('form', { id: 'meeting-form', class: 'meeting-form', novalidate: true, 'aria-labelledby': 'edit-heading' }, [
    readonlyNote,
    errors,
    fields,
    el('div', { class: 'button-row sticky-actions' }, [save, del]),
  ]);
  host.replaceChildren(form);

  // ---- rows ----

  function removeButton(row, labelKey, labelOf) {
    const b = el('button', { type: 'button', class: 'remove', 'data-action': 'remove-row' });
    const update = () => localize(b, labelKey, { name: labelOf() || t('admin.thisRow') });
    update();
    row.addEventListener('input', update);
    return b;
  }

  function cellInput(labelKey, input, row) {
    // Each control in a table row carries its own label (column + row) for screen readers.
    const id = `c${++rowSeq}`;
    input.id = id;
    return el('td', {}, [el('label', { for: id, class: 'visually-hidden', i18n: labelKey }), input]);
  }

  function venueRow(v = {}) {
    const row = el('tr', { 'data-id': v.id ?? '' });
    const kind = select(VENUE_KINDS, 'venue.kind.');
    kind.value = v.kind ?? (venuesBody.children.length ? 'satellite' : 'main');
    const name = el('input', { type: 'text', maxlength: 64, value: v.name ?? '' });
    row.append(
      cellInput('admin.col.kind', kind, row),
      cellInput('admin.col.name', name, row),
      el('td', {}, [removeButton(row, 'admin.removeVenue', () => name.value)]),
    );
    row.addEventListener('input', refreshSites);
    return row;
  }

  function agendaRow(a = {}) {
    const row = el('tr', { 'data-id': a.id ?? '' });
    const number = el('input', { type: 'text', maxlength: 200, value: a.number ?? '' });
    const title = el('input', { type: 'text', maxlength: 200, value: a.title ?? '' });
    row.append(
      cellInput('admin.col.number', number, row),
      cellInput('admin.col.title', title, row),
      el('td', { class: 'materials-cell' }, [materialsCell(a)]),
      el('td', {}, [removeButton(row, 'admin.removeItem', () => [number.value, title.value].filter(Boolean).join(' '))]),
    );
    return row;
  }

  function materialsCell(a) {
    if (a.id == null) return el('p', { class: 'hint', i18n: 'admin.saveFirst' });
    const list = el('ul', { class: 'materials', 'data-item': a.id });
    const renderList = (mats) =>
      list.replaceChildren(
        ...mats.map((m) =>
          el('li', { 'data-material': m.id }, [
            el('a', { href: api.materialUrl(m.id), download: m.name, text: m.name }),
            el('span', { class: 'hint', text: ` (${formatSize(m.size)})` }),
            el('button', {
              type: 'button',
              class: 'remove small',
              'data-action': 'delete-material',
              'data-material': m.id,
              i18n: ['admin.deleteMaterial', { name: m.name }],
            }),
          ]),
        ),
      );
    renderList(a.materials ?? []);
    const fileId = `c${++rowSeq}`;
    const file = el('input', { type: 'file', id: fileId, 'data-item': a.id });
    const upload = el('button', { type: 'button', 'data-action': 'upload', 'data-item': a.id, i18n: 'admin.upload' });
    upload.addEventListener('click', async () => {
      const chosen = file.files?.[0];
      if (!chosen) {
        file.focus();
        return;
      }
      setBusy(upload, true);
      try {
        const res = await api.uploadMaterial(doc.id, a.id, chosen);
        const mat = res?.material ?? res;
        a.materials = [...(a.materials ?? []), mat];
        renderList(a.materials);
        file.value = '';
        notify('admin.uploaded', { name: chosen.name });
      } catch (err) {
        notify('admin.uploadFailed', { name: chosen.name, message: errText(err) }, true);
      } finally {
        setBusy(upload, isReadOnly());
      }
    });
    list.addEventListener('click', async (ev) => {
      const b = ev.target.closest('button[data-action=delete-material]');
      if (!b) return;
      const mat = Number(b.dataset.material);
      const m = (a.materials ?? []).find((x) => x.id === mat);
      if (!confirmAction('admin.confirmDeleteMaterial', { name: m?.name ?? '' })) return;
      try {
        await api.deleteMaterial(mat);
        a.materials = (a.materials ?? []).filter((x) => x.id !== mat);
        renderList(a.materials);
      } catch (err) {
        notify('admin.failed', { message: errText(err) }, true);
      }
    });
    return el('div', { class: 'materials-box' }, [
      list,
      el('div', { class: 'upload' }, [el('label', { for: fileId, i18n: 'admin.materialFile' }), file, upload]),
    ]);
  }

  function siteSelect(value) {
    const s = el('select', { class: 'site' });
    fillSites(s, value);
    return s;
  }

  function venueNames() {
    return [...venuesBody.querySelectorAll('tr')]
      .map((r) => r.querySelector('input[type=text]').value.trim())
      .filter(Boolean);
  }

  function fillSites(s, value) {
    const names = venueNames();
    const opts = [el('option', { value: '', i18n: 'admin.chooseSite' }), ...names.map((n) => el('option', { value: n, text: n }))];
    if (value && !names.includes(value)) opts.push(el('option', { value, text: value }));
    s.replaceChildren(...opts);
    s.value = value ?? '';
  }

  function refreshSites() {
    for (const s of rosterBody.querySelectorAll('select.site')) fillSites(s, s.value);
  }

  function rosterRow(r = {}) {
    const row = el('tr', { 'data-id': r.id ?? '' });
    const name = el('input', { type: 'text', maxlength: 64, value: r.name ?? '' });
    const title = el('input', { type: 'text', maxlength: 64, value: r.title ?? '' });
    const role = select(ROLES, 'role.');
    role.value = r.role ?? 'member';
    const site = siteSelect(r.site ?? venueNames()[0] ?? '');
    row.append(
      cellInput('admin.col.name', name, row),
      cellInput('admin.col.personTitle', title, row),
      cellInput('admin.col.role', role, row),
      cellInput('admin.col.site', site, row),
      el('td', {}, [removeButton(row, 'admin.removePerson', () => name.value)]),
    );
    return row;
  }

  function addRow(body, row) {
    body.append(row);
    row.querySelector('input, select')?.focus();
    if (body === venuesBody) refreshSites();
  }

  form.querySelector('#add-venue').addEventListener('click', () => addRow(venuesBody, venueRow()));
  form.querySelector('#add-item').addEventListener('click', () => addRow(agendaBody, agendaRow()));
  form.querySelector('#add-person').addEventListener('click', () => addRow(rosterBody, rosterRow()));
  form.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-action=remove-row]');
    if (!b) return;
    const row = b.closest('tr');
    const body = row.parentElement;
    const next = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    if (body === venuesBody) refreshSites();
    (next?.querySelector('input, select') ?? body.closest('.table-wrap').querySelector('button.add')).focus();
  });
  for (const r of [f.visPublic, f.visClosed]) r.addEventListener('change', renderVisibility);

  function renderVisibility() {
    reasonField.hidden = !f.visClosed.checked;
  }

  // ---- reading and writing ----

  function fill(d) {
    f.body.value = d?.body ?? '';
    f.title.value = d?.title ?? '';
    f.number.value = d?.number ?? '';
    f.scheduled.value = isoToLocal(d?.scheduled_at ?? '');
    f.visPublic.checked = (d?.visibility ?? 'public') === 'public';
    f.visClosed.checked = d?.visibility === 'closed';
    f.reason.value = d?.visibility_reason ?? '';
    f.quorumRule.value = d?.quorum_rule ?? 'all';
    f.quorum.value = String(d?.quorum ?? 0);
    venuesBody.replaceChildren();
    for (const v of d?.venues ?? [{ kind: 'main', name: '' }, { kind: 'online', name: t('venue.defaultOnline') }])
      venuesBody.append(venueRow(v));
    agendaBody.replaceChildren(...(d?.agenda ?? [{}]).map(agendaRow));
    rosterBody.replaceChildren(...(d?.roster ?? [{ role: 'chair' }]).map(rosterRow));
    refreshSites();
    renderVisibility();
  }

  const rows = (body) => [...body.querySelectorAll(':scope > tr')];
  const withId = (row, obj) => {
    const id = row.dataset.id;
    return id ? { id: Number(id), ...obj } : obj;
  };

  // The document to send; every control gets its data-field so that an `invalid` answer can
  // point at it.
  function read() {
    const vis = f.visClosed.checked ? 'closed' : 'public';
    const venues = rows(venuesBody).map((row, i) => {
      const [kind, name] = row.querySelectorAll('select, input');
      kind.dataset.field = `venues[${i}].kind`;
      name.dataset.field = `venues[${i}].name`;
      return withId(row, { kind: kind.value, name: name.value.trim() });
    });
    const agenda = rows(agendaBody).map((row, i) => {
      const [number, title] = row.querySelectorAll('input[type=text]');
      number.dataset.field = `agenda[${i}].number`;
      title.dataset.field = `agenda[${i}].title`;
      return withId(row, { number: number.value.trim(), title: title.value.trim() });
    });
    const roster = rows(rosterBody).map((row, i) => {
      const [name, title] = row.querySelectorAll('input[type=text]');
      const [role, site] = row.querySelectorAll('select');
      name.dataset.field = `roster[${i}].name`;
      title.dataset.field = `roster[${i}].title`;
      role.dataset.field = `roster[${i}].role`;
      site.dataset.field = `roster[${i}].site`;
      return withId(row, { name: name.value.trim(), title: title.value.trim(), role: role.value, site: site.value });
    });
    const out = {
      body: f.body.value.trim(),
      title: f.title.value.trim(),
      number: f.number.value.trim(),
      scheduled_at: localToIso(f.scheduled.value),
      visibility: vis,
      visibility_reason: vis === 'closed' ? f.reason.value.trim() : '',
      quorum_rule: f.quorumRule.value,
      quorum: Math.max(0, Number.parseInt(f.quorum.value, 10) || 0),
      venues,
      agenda,
      roster,
    };
    if (doc?.id != null) out.id = doc.id;
    return out;
  }

  function clearErrors() {
    errors.hidden = true;
    errors.replaceChildren();
    for (const e of form.querySelectorAll('[aria-invalid=true]')) e.removeAttribute('aria-invalid');
    for (const e of form.querySelectorAll('.field-error.inline')) e.remove();
  }

  // Shows an error message; with a field, also next to that control (or the nearest one:
  // `venues` -> the venues table).
  function showError(message, fieldName) {
    errors.hidden = false;
    const target = fieldName ? findControl(fieldName) : null;
    const item = el('p', {}, [
      fieldName ? el('strong', { text: `${fieldLabel(fieldName)}: ` }) : '',
      message.replace(/^[\w.[\]]+:\s*/, ''),
    ]);
    errors.append(item);
    if (target) {
      target.setAttribute('aria-invalid', 'true');
      const id = `${target.id || `c${++rowSeq}`}-error`;
      if (!target.id) target.id = id.replace(/-error$/, '');
      const note = el('p', { class: 'field-error inline', id, text: message.replace(/^[\w.[\]]+:\s*/, '') });
      target.insertAdjacentElement('afterend', note);
      target.setAttribute('aria-describedby', [target.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
      const link = el('a', { href: `#${target.id}`, i18n: 'admin.goToField' });
      link.addEventListener('click', (ev) => {
        ev.preventDefault();
        target.focus();
      });
      item.append(' ', link);
    }
    errors.focus();
  }

  function findControl(name) {
    let found = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (found) return found;
    // `roster[2]` or `venues`: the row, or the table's add button.
    const m = /^(\w+)(?:\[(\d+)\])?/.exec(name);
    if (!m) return null;
    const body = { venues: venuesBody, agenda: agendaBody, roster: rosterBody }[m[1]];
    if (!body) return null;
    if (m[2] != null) found = body.children[Number(m[2])]?.querySelector('input, select');
    return found ?? body.closest('.table-wrap').querySelector('button.add');
  }

  function fieldLabel(name) {
    const m = /^(\w+)(?:\[(\d+)\])?(?:\.(\w+))?/.exec(name);
    if (!m) return name;
    const base = t(`admin.field.${m[1]}`);
    const parts = [base === `admin.field.${m[1]}` ? m[1] : base];
    if (m[2] != null) parts.push(t('admin.rowN', { n: Number(m[2]) + 1 }));
    if (m[3]) {
      const sub = t(`admin.field.${m[3]}`);
      parts.push(sub === `admin.field.${m[3]}` ? m[3] : sub);
    }
    return parts.join(' ');
  }

  // A few checks before the server's, for what a browser can tell at once.
  function precheck(d) {
    if (!d.title) return ['title', t('admin.needTitle')];
    if (!d.scheduled_at) return ['scheduled_at', t('admin.needDate')];
    if (d.visibility === 'closed' && !d.visibility_reason) return ['visibility_reason', t('admin.needReason')];
    return null;
  }

  async function onSubmit(ev) {
    ev.preventDefault();
    if (isReadOnly()) return;
    clearErrors();
    const d = read();
    const problem = precheck(d);
    if (problem) {
      showError(problem[1], problem[0]);
      return;
    }
    setBusy(save, true);
    try {
      const stored = doc?.id != null ? await api.saveMeeting(doc.id, d) : await api.createMeeting(d);
      load(stored);
      notify('admin.saved', { title: stored.title ?? d.title });
      onSaved?.(stored);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid') showError(err.message, err.field);
      else if (err instanceof ApiError && err.code === 'meeting-started') {
        showError(t('admin.startedCannotEdit'));
      } else showError(t('admin.saveFailed', { message: errText(err) }));
      if (err?.code === 'unauthorized') onSaved?.(null, err);
    } finally {
      setBusy(save, isReadOnly());
    }
  }

  form.addEventListener('submit', onSubmit);
  del.addEventListener('click', async () => {
    if (!doc?.id || !confirmAction('admin.confirmDelete', { title: doc.title })) return;
    try {
      await api.deleteMeeting(doc.id);
      notify('admin.deleted', { title: doc.title });
      onSaved?.(null);
    } catch (err) {
      showError(t('admin.failed', { message: errText(err) }));
    }
  });

  function isReadOnly() {
    return !!doc && doc.state && doc.state !== 'scheduled';
  }

  function load(d) {
    doc = d ? structuredClone(d) : null;
    clearErrors();
    fill(doc);
    const ro = isReadOnly();
    fields.disabled = ro;
    readonlyNote.hidden = !ro;
    save.hidden = ro;
    save.disabled = false;
    del.hidden = !doc?.id || ro;
    // Materials can only change before the meeting starts, like the rest.
    for (const b of form.querySelectorAll('.materials-box button, .materials-box input')) b.disabled = ro;
  }

  return {
    load,
    get doc() {
      return doc ? structuredClone(doc) : null;
    },
    read,
    isReadOnly,
  };
}

export function errText(err) {
  if (err instanceof ApiError) return err.code === 'network' ? t('admin.network') : `${err.code}: ${err.message}`;
  return err?.message ?? String(err);
}

function formatSize(n) {
  if (!Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
