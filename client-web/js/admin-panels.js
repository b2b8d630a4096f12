// admin-panels.js: the join links and the attendance report of one saved meeting, under the
// meeting form of the secretariat console (admin.html).
//
// Links: POST /api/meetings/ID/links makes new tokens for every roster entry, venue and
// the console; each is shown with its role and a copy button (#links-table). Attendance:
// GET /api/meetings/ID/attendance (#attendance-table, counts and quorum), and the in-room
// checkbox of each member sends PUT /api/meetings/ID/attendance/ROSTER.

import { getLang, localize, t } from './i18n.js';
import { el, setBusy, timeOfUs } from './dom.js';
import { api } from './api.js';
import { errText } from './admin-form.js';

export function createPanels({ host, notify, onUnauthorized }) {
  let meetingId = null;
  let links = [];
  let report = null;

  const hoursInput = el('input', { type: 'number', id: 'links-hours', min: 1, max: 720, value: 48, inputmode: 'numeric' });
  const linksButton = el('button', { type: 'button', id: 'links-button', class: 'primary', i18n: 'admin.makeLinks' });
  const linksBody = el('tbody', { id: 'links-body' });
  const linksTable = el('div', { class: 'table-wrap', hidden: true }, [
    el('table', { id: 'links-table', class: 'data' }, [
      el('caption', { class: 'visually-hidden', i18n: 'admin.links' }),
      el('thead', {}, [
        el('tr', {}, ['admin.col.kind', 'admin.col.name', 'admin.col.role', 'admin.col.link', 'admin.col.copy', 'admin.col.review'].map((k) =>
          el('th', { scope: 'col', i18n: k }),
        )),
      ]),
      linksBody,
    ]),
  ]);
  const copied = el('p', { id: 'copy-status', class: 'hint', role: 'status', 'aria-live': 'polite' });

  const refresh = el('button', { type: 'button', id: 'attendance-refresh', i18n: 'admin.refresh' });
  const counts = el('div', { id: 'attendance-counts', class: 'quorum', 'aria-live': 'polite' });
  const attBody = el('tbody', { id: 'attendance-body' });
  const attTable = el('div', { class: 'table-wrap' }, [
    el('table', { id: 'attendance-table', class: 'data' }, [
      el('caption', { class: 'visually-hidden', i18n: 'admin.attendance' }),
      el('thead', {}, [
        el('tr', {}, [
          'admin.col.name',
          'admin.col.personTitle',
          'admin.col.role',
          'admin.col.site',
          'admin.col.status',
          'admin.col.times',
          'admin.col.inRoom',
        ].map((k) => el('th', { scope: 'col', i18n: k }))),
      ]),
      attBody,
    ]),
  ]);

  host.replaceChildren(
    el('section', { id: 'links-panel', class: 'panel', 'aria-labelledby': 'links-heading' }, [
      el('h2', { id: 'links-heading', i18n: 'admin.links' }),
      el('p', { class: 'hint', i18n: 'admin.linksHint' }),
      el('div', { class: 'field-row' }, [el('label', { for: 'links-hours', i18n: 'admin.linksHours' }), hoursInput, linksButton]),
      copied,
      linksTable,
    ]),
    el('section', { id: 'attendance-panel', class: 'panel', 'aria-labelledby': 'attendance-heading' }, [
      el('div', { class: 'screen-head' }, [el('h2', { id: 'attendance-heading', i18n: 'admin.attendance' }), refresh]),
      counts,
      attTable,
    ]),
  );

  async function makeLinks() {
    if (meetingId == null) return;
    const hours = Math.min(720, Math.max(1, Number.parseInt(hoursInput.value, 10) || 48));
    setBusy(linksButton, true);
    try {
      const res = await api.links(meetingId, hours);
      // A member reviews the minutes draft with the same token (review.html, docs/minutes.md).
      links = (res?.links ?? []).map((l) => ({
        ...l,
        url: new URL(l.url, location.origin).href,
        review: l.kind === 'roster' ? new URL(`/review.html?m=${meetingId}#t=${l.token}`, location.origin).href : null,
      }));
      renderLinks();
      linksBody.querySelector('button')?.focus();
    } catch (err) {
      if (err?.code === 'unauthorized') onUnauthorized();
      notify('admin.failed', { message: errText(err) }, true);
    } finally {
      setBusy(linksButton, false);
    }
  }

  function renderLinks() {
    linksTable.hidden = links.length === 0;
    linksBody.replaceChildren(
      ...links.map((l, i) => {
        const id = `link-${i}`;
        const who = l.name || l.ref || '';
        const input = el('input', { type: 'text', id, readonly: true, value: l.url, class: 'link-url' });
        input.addEventListener('focus', () => input.select());
        const label = el('label', { for: id, class: 'visually-hidden', i18n: ['admin.linkOf', { name: who }] });
        const copy = el('button', {
          type: 'button',
          'data-action': 'copy',
          'data-url': l.url,
          'data-kind': l.kind,
          'data-ref': l.ref ?? '',
          i18n: ['admin.copyLinkOf', { name: who }],
        });
        copy.addEventListener('click', () => copyText(l.url, input, who));
        return el('tr', { 'data-kind': l.kind, 'data-ref': l.ref ?? '' }, [
          el('td', { i18n: `link.kind.${l.kind}` }),
          el('th', { scope: 'row', text: who }),
          el('td', { i18n: l.role ? `role.${l.role}` : 'link.kind.console' }),
          el('td', {}, [label, input]),
          el('td', {}, [copy]),
          el('td', {}, [
            l.review
              ? el('a', { href: l.review, 'data-review': l.ref ?? '', i18n: ['admin.reviewLinkOf', { name: who }] })
              : null,
          ]),
        ]);
      }),
    );
  }

  async function copyText(text, input, who) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Without the clipboard API (http, old browsers): select the text for Ctrl+C.
      input.focus();
      input.select();
      try {
        document.execCommand('copy');
      } catch {
        localize(copied, 'admin.copyManual');
        return;
      }
    }
    localize(copied, 'admin.copied', { name: who });
  }

  async function loadAttendance() {
    if (meetingId == null) return;
    setBusy(refresh, true);
    try {
      report = await api.attendance(meetingId);
      renderAttendance();
    } catch (err) {
      if (err?.code === 'unauthorized') onUnauthorized();
      notify('admin.failed', { message: errText(err) }, true);
    } finally {
      setBusy(refresh, false);
    }
  }

  function sessionsText(sessions) {
    const lang = getLang();
    return (sessions ?? [])
      .map((s) => `${timeOfUs(s.joined_at_us, lang)}–${s.left_at_us ? timeOfUs(s.left_at_us, lang) : ''}`)
      .join(', ');
  }

  function renderAttendance() {
    const c = report?.counts;
    if (c) {
      counts.dataset.quorate = String(!!c.quorate);
      counts.replaceChildren(
        el('p', {}, [
          el('strong', { i18n: ['chair.quorumLine', { present: c.present_for_quorum ?? 0, needed: c.quorum ?? 0 }] }),
          ' ',
          el('span', { class: c.quorate ? 'ok' : 'bad', i18n: c.quorate ? 'chair.quorate' : 'chair.notQuorate' }),
        ]),
        el('p', {
          i18n: ['chair.quorumCounts', { members: c.members ?? 0, online: c.online ?? 0, in_room: c.in_room ?? 0, absent: c.absent ?? 0 }],
        }),
      );
    } else counts.replaceChildren();
    attBody.replaceChildren(
      ...(report?.members ?? []).map((m) => {
        const id = `att-room-${m.roster}`;
        const box = el('input', { type: 'checkbox', id, 'data-roster': m.roster });
        box.checked = !!m.in_room;
        box.addEventListener('change', () => markInRoom(m, box));
        return el('tr', { 'data-roster': m.roster, 'data-status': m.status }, [
          el('th', { scope: 'row', text: m.name }),
          el('td', { text: m.title ?? '' }),
          el('td', { i18n: `role.${m.role}` }),
          el('td', { text: m.site ?? '' }),
          el('td', { class: `att-${m.status}`, i18n: `attendance.${m.status}` }),
          el('td', { text: sessionsText(m.sessions) }),
          el('td', {}, [el('label', { for: id, class: 'visually-hidden', i18n: ['admin.inRoomOf', { name: m.name }] }), box]),
        ]);
      }),
    );
  }

  async function markInRoom(m, box) {
    box.disabled = true;
    try {
      await api.markInRoom(meetingId, m.roster, box.checked);
      await loadAttendance();
      attBody.querySelector(`#att-room-${m.roster}`)?.focus();
    } catch (err) {
      box.checked = !box.checked;
      box.disabled = false;
      if (err?.code === 'unauthorized') onUnauthorized();
      notify('admin.failed', { message: errText(err) }, true);
    }
  }

  linksButton.addEventListener('click', makeLinks);
  refresh.addEventListener('click', loadAttendance);

  return {
    show(id) {
      meetingId = id;
      links = [];
      report = null;
      renderLinks();
      host.hidden = id == null;
      counts.replaceChildren();
      attBody.replaceChildren();
      if (id != null) loadAttendance();
    },
    rerender() {
      renderLinks();
      renderAttendance();
    },
    get links() {
      return links.map((l) => ({ ...l }));
    },
    get attendance() {
      return report ? structuredClone(report) : null;
    },
  };
}
