// chair.js: the chair console on join.html, for the roles chair (会長) and secretariat
// (事務局). Everything of the member screen except the hand, plus panels built here in
// #console: the meeting's state commands, the floor (hands queue, take floor, give the floor
// to someone in a room), the agenda, the participants (mute, ask to unmute, remove),
// decisions (了承 and votes), the quorum, and in-room attendance.
//
// Sends: state, agenda, floor, mute-other, unmute-request, remove, decision, attendance, pin,
// unpin.
// Reads: every `meeting` message (hands and quorum come to chair and secretariat only) and
// the participants of meeting.js. The roster (names for votes and attendance) is not in the
// WebSocket contract yet: it is taken from welcome.roster if the server sends it, else from
// GET /api/meetings/ID when this browser is signed in as secretariat, else from the people
// online (their `ref`).
//
// Lists are rebuilt on every change; the focused button is found again by its data-key so
// that someone working by keyboard keeps their place.

import { localize, t } from './i18n.js';
import { $, el, confirmAction } from './dom.js';
import { api } from './api.js';
import { STATE_COMMANDS, STATE_TRANSITIONS } from './protocol.js';
import { agendaLabel, currentItem } from './info.js';

export const VIEW = 'chair';

const VOTING_ROLES = new Set(['chair', 'member']);

function section(id, headingKey, children) {
  const hid = `${id}-heading`;
  return el('section', { id: `${id}-panel`, class: 'panel', 'aria-labelledby': hid }, [
    el('h2', { id: hid, i18n: headingKey }),
    ...children,
  ]);
}

// Replaces the children of list and puts the focus back on the button with the same key.
function rebuild(list, nodes) {
  const active = document.activeElement;
  const key = list.contains(active) ? active.dataset.key : null;
  list.replaceChildren(...nodes);
  if (key) {
    const again = list.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again && !again.disabled) {
      again.focus();
    } else {
      const heading = list.closest('section')?.querySelector('h2');
      if (heading) {
        heading.tabIndex = -1;
        heading.focus();
      }
    }
  }
}

function personLabel(p) {
  return [p?.name, p?.title].filter(Boolean).join(' ');
}

export function mount(ctx) {
  const root = $('console');
  root.hidden = false;
  let roster = ctx.roster ? ctx.roster.slice() : null;
  let rosterSource = roster ? 'welcome' : null;
  const inRoom = new Map(); // roster id -> bool, as marked here or told by the server
  for (const r of roster ?? []) if (typeof r.in_room === 'boolean') inRoom.set(r.id, r.in_room);
  let venues = null;

  // ---- building ----

  const stateButtons = el(
    'div',
    { id: 'state-buttons', class: 'button-row', role: 'group', 'aria-labelledby': 'state-heading' },
    STATE_COMMANDS.map((cmd) =>
      el('button', {
        type: 'button',
        id: `state-${cmd}`,
        'data-action': 'state',
        'data-to': cmd,
        class: cmd === 'adjourned' ? 'danger' : '',
        i18n: `chair.cmd.${cmd}`,
      }),
    ),
  );
  const stateNow = el('p', { id: 'chair-state-now', class: 'hint' });

  const hands = el('ol', { id: 'hands', class: 'queue', 'aria-labelledby': 'hands-heading' });
  const noHands = el('p', { id: 'no-hands', class: 'hint', i18n: 'chair.noHands' });
  const takeFloor = el('button', { type: 'button', id: 'take-floor', 'data-action': 'take', i18n: 'chair.takeFloor' });
  const venuePerson = el('select', { id: 'venue-person' });
  const giveRoster = el('button', { type: 'button', id: 'give-roster', 'data-action': 'give-roster', i18n: 'chair.giveFloor' });

  const agendaList = el('ol', { id: 'agenda-list', class: 'agenda-list', 'aria-labelledby': 'agenda-heading' });

  const programSource = el('select', { id: 'program-source', 'aria-describedby': 'program-showing' });
  const programShowing = el('p', { id: 'program-showing', class: 'hint', 'aria-live': 'polite' });

  const people = el('ul', { id: 'chair-participants', class: 'chair-people', 'aria-labelledby': 'people-ctl-heading' });

  const approve = el('button', { type: 'button', id: 'approve', 'data-action': 'approve', i18n: 'chair.approve' });
  const voteText = el('input', { id: 'vote-text', type: 'text', maxlength: 200 });
  const voteRows = el('tbody', { id: 'vote-members' });
  const voteSubmit = el('button', { type: 'submit', id: 'vote-submit', i18n: 'chair.voteSubmit' });
  const voteTally = el('p', { id: 'vote-tally', class: 'hint', 'aria-live': 'polite' });
  const voteForm = el('form', { id: 'vote-form', class: 'vote-form', 'aria-labelledby': 'vote-heading', novalidate: true }, [
    el('h3', { id: 'vote-heading', i18n: 'chair.vote' }),
    el('label', { for: 'vote-text', i18n: 'chair.voteText' }),
    voteText,
    el('table', { class: 'vote-table' }, [
      el('caption', { class: 'visually-hidden', i18n: 'chair.voteMembers' }),
      el('thead', {}, [
        el('tr', {}, [
          el('th', { scope: 'col', i18n: 'chair.member' }),
          ...['for', 'against', 'abstain', 'none'].map((v) => el('th', { scope: 'col', i18n: `chair.vote.${v}` })),
        ]),
      ]),
      voteRows,
    ]),
    voteTally,
    voteSubmit,
  ]);
  const decisions = el('ol', { id: 'decisions', class: 'decisions', 'aria-labelledby': 'decisions-list-heading' });

  const quorum = el('div', { id: 'quorum', class: 'quorum', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const attendance = el('ul', { id: 'attendance', class: 'attendance', 'aria-labelledby': 'attendance-heading' });
  const rosterNote = el('p', { id: 'roster-note', class: 'hint', hidden: true });

  root.replaceChildren(
    section('state', 'chair.state', [stateNow, stateButtons]),
    section('floor', 'chair.floor', [
      el('h3', { id: 'hands-heading', i18n: 'chair.hands' }),
      noHands,
      hands,
      el('div', { class: 'button-row' }, [takeFloor]),
      el('h3', { id: 'venue-floor-heading', i18n: 'chair.venueFloor' }),
      el('div', { class: 'field-row' }, [el('label', { for: 'venue-person', i18n: 'chair.venuePerson' }), venuePerson, giveRoster]),
    ]),
    section('agenda', 'chair.agenda', [agendaList]),
    section('program', 'chair.program', [
      el('div', { class: 'field-row' }, [el('label', { for: 'program-source', i18n: 'chair.programSource' }), programSource]),
      programShowing,
    ]),
    section('people-ctl', 'chair.participants', [people]),
    section('decide', 'chair.decisions', [
      el('div', { class: 'button-row' }, [approve]),
      el('p', { id: 'approve-hint', class: 'hint', i18n: 'chair.approveHint' }),
      voteForm,
      el('h3', { id: 'decisions-list-heading', i18n: 'chair.decisionsSoFar' }),
      decisions,
    ]),
    section('quorum', 'chair.quorum', [quorum]),
    section('attendance', 'chair.attendance', [rosterNote, attendance]),
  );
  approve.setAttribute('aria-describedby', 'approve-hint');

  // ---- helpers ----

  const others = () => ctx.meeting?.participants ?? [];
  function participantName(id) {
    if (id === ctx.you?.id) return t('meeting.youSuffix', { name: personLabel(ctx.you) });
    const p = others().find((x) => x.id === id);
    return p ? personLabel(p) : id;
  }
  const rosterEntry = (id) => roster?.find((r) => r.id === id) ?? null;
  const s = () => ctx.state ?? {};

  // ---- rendering ----

  function renderState() {
    const state = s().state ?? 'scheduled';
    const valid = new Set(STATE_TRANSITIONS[state] ?? []);
    for (const b of stateButtons.querySelectorAll('button')) b.disabled = !valid.has(b.dataset.to);
    localize(stateNow, 'chair.stateNow', { state: t(`state.${state}`) });
  }

  function renderHands() {
    const ids = Array.isArray(s().hands) ? s().hands : [];
    noHands.hidden = ids.length > 0;
    rebuild(
      hands,
      ids.map((id, i) => {
        const name = participantName(id);
        return el('li', { 'data-participant': id }, [
          el('span', { class: 'who', text: `${i + 1}. ${name}` }),
          el('button', {
            type: 'button',
            'data-action': 'give',
            'data-participant': id,
            'data-key': `give:${id}`,
            i18n: ['chair.giveFloorTo', { name }],
          }),
        ]);
      }),
    );
    takeFloor.disabled = !s().floor;
  }

  function renderVenueSelect() {
    const online = new Set(others().filter((p) => p.role !== 'venue' && p.ref != null).map((p) => p.ref));
    // refs are "r<ID>" strings; roster ids are numbers
    const onlineVenueNames = new Set((venues ?? []).filter((v) => v.kind === 'online').map((v) => v.name));
    const candidates = (roster ?? []).filter((r) => r.site && !onlineVenueNames.has(r.site) && !online.has(`r${r.id}`));
    const keep = venuePerson.value;
    const bySite = new Map();
    for (const r of candidates) {
      if (!bySite.has(r.site)) bySite.set(r.site, []);
      bySite.get(r.site).push(r);
    }
    venuePerson.replaceChildren(
      el('option', { value: '', i18n: 'chair.choosePerson' }),
      ...[...bySite].map(([site, list]) =>
        el('optgroup', { label: site }, list.map((r) => el('option', { value: String(r.id), text: personLabel(r) }))),
      ),
    );
    venuePerson.value = candidates.some((r) => String(r.id) === keep) ? keep : '';
    venuePerson.disabled = candidates.length === 0;
    giveRoster.disabled = candidates.length === 0;
  }

  // The public program's picture (傍聴): automatic, pinned to one participant's camera, or a
  // material (a picture or a PDF's first page; value "m:ID").
  const showable = (m) => ['image/png', 'image/jpeg', 'application/pdf'].includes(m.type);
  const materials = () => (ctx.agenda ?? []).flatMap((a) => (a.materials ?? []).filter(showable).map((m) => ({ ...m, item: a })));
  function renderProgram() {
    const prog = s().program ?? {};
    const list = [ctx.you, ...others()].filter((p) => p && p.role !== 'viewer' && p.media !== false);
    const mats = materials();
    programSource.replaceChildren(
      el('option', { value: '', i18n: 'chair.programAuto' }),
      ...list.map((p) => el('option', { value: p.id, text: participantName(p.id) })),
      ...(mats.length
        ? [el('optgroup', { label: t('chair.programMaterials') }, mats.map((m) => el('option', { value: `m:${m.id}`, text: `${agendaLabel(m.item)}: ${m.name}` })))]
        : []),
    );
    const mat = prog.material ? mats.find((m) => m.id === prog.material) : null;
    programSource.value = mat ? `m:${mat.id}` : prog.pinned && list.some((p) => p.id === prog.pinned) ? prog.pinned : '';
    if (prog.live === false) localize(programShowing, 'chair.programOff');
    else if (mat) localize(programShowing, prog.material_shown ? 'chair.programMaterial' : 'chair.programMaterialPreparing', { name: mat.name });
    else if (prog.showing) localize(programShowing, 'chair.programShowing', { name: participantName(prog.showing) });
    else localize(programShowing, 'chair.programNone');
  }

  function renderAgenda() {
    const cur = s().item ?? null;
    rebuild(
      agendaList,
      ctx.agenda.map((a) => {
        const isCur = a.id === cur;
        return el('li', { 'aria-current': isCur ? 'true' : false, class: isCur ? 'current' : '' }, [
          el('span', { class: 'what', text: agendaLabel(a) }),
          isCur ? el('span', { class: 'badge', i18n: 'chair.currentItem' }) : null,
          el('button', {
            type: 'button',
            'data-action': 'agenda',
            'data-item': a.id,
            'data-key': `agenda:${a.id}`,
            disabled: isCur,
            i18n: ['chair.makeCurrent', { item: agendaLabel(a) }],
          }),
        ]);
      }),
    );
  }

  function renderPeople() {
    const list = others().filter((p) => p.role !== 'viewer');
    if (list.length === 0) {
      rebuild(people, [el('li', { class: 'hint', i18n: 'chair.nobody' })]);
      return;
    }
    rebuild(
      people,
      list.map((p) => {
        const name = personLabel(p);
        const facts = [];
        if (p.role) facts.push(t(`role.${p.role}`));
        if (p.hand) facts.push(t('chair.handUp'));
        if (p.forced) facts.push(t('chair.forced'));
        else if (p.audio === false) facts.push(t('icon.micOff'));
        const btn = (action, key, extra = {}) =>
          el('button', {
            type: 'button',
            'data-action': action,
            'data-participant': p.id,
            'data-key': `${action}:${p.id}`,
            i18n: [key, { name }],
            ...extra,
          });
        const pinned = s().pinned === p.id;
        return el('li', { 'data-participant': p.id }, [
          el('span', { class: 'who' }, [el('strong', { text: name }), ' ', el('span', { class: 'facts', text: facts.join('・') })]),
          el('span', { class: 'button-row' }, [
            btn('mute', 'chair.mute', { disabled: p.audio === false && p.forced === true }),
            btn('unmute', 'chair.askUnmute', { disabled: p.audio !== false }),
            btn('give', 'chair.giveFloorTo', {}),
            // First in everyone's video slots (after the main venue); pressed again: unpinned.
            btn(pinned ? 'unpin' : 'pin', pinned ? 'chair.unpin' : 'chair.pin', {
              'aria-pressed': String(pinned),
              disabled: p.media === false && !pinned,
            }),
            btn('remove', 'chair.remove', { class: 'danger' }),
          ]),
        ]);
      }),
    );
  }

  function voters() {
    return (roster ?? []).filter((r) => VOTING_ROLES.has(r.role));
  }

  function renderVoteRows() {
    const prev = new Map([...voteRows.querySelectorAll('input:checked')].map((i) => [i.name, i.value]));
    voteRows.replaceChildren(
      ...voters().map((r) => {
        const name = `vote-${r.id}`;
        const who = personLabel(r);
        return el('tr', { 'data-roster': r.id }, [
          el('th', { scope: 'row', id: `${name}-who`, text: who }),
          ...['for', 'against', 'abstain', 'none'].map((v) => {
            const input = el('input', {
              type: 'radio',
              name,
              value: v,
              id: `${name}-${v}`,
              'aria-label': t('chair.voteOption', { who, option: t(`chair.vote.${v}`) }),
            });
            input.checked = (prev.get(name) ?? 'none') === v;
            return el('td', {}, [input]);
          }),
        ]);
      }),
    );
    renderTally();
  }

  function tally() {
    const out = { for: [], against: [], abstain: [] };
    for (const input of voteRows.querySelectorAll('input:checked')) {
      if (input.value in out) out[input.value].push(Number(input.name.slice(5)));
    }
    return out;
  }

  function renderTally() {
    const v = tally();
    localize(voteTally, 'chair.tally', { for: v.for.length, against: v.against.length, abstain: v.abstain.length });
  }

  function renderDecide() {
    const item = currentItem(ctx);
    approve.disabled = !item;
    voteSubmit.disabled = !item || voters().length === 0;
    if (item) localize(approve, 'chair.approveItem', { item: agendaLabel(item) });
    else localize(approve, 'chair.approve');
    const list = Array.isArray(s().decisions) ? s().decisions : [];
    decisions.replaceChildren(
      ...(list.length
        ? list.map((d) => {
            const a = ctx.agenda.find((x) => x.id === d.item);
            const what =
              d.kind === 'vote'
                ? t('chair.decisionVote', {
                    for: d.for?.length ?? 0,
                    against: d.against?.length ?? 0,
                    abstain: d.abstain?.length ?? 0,
                  })
                : t('chair.decisionApproved');
            return el('li', { 'data-decision': d.id }, [
              el('strong', { text: agendaLabel(a) || String(d.item ?? '') }),
              ' ',
              what,
              d.text ? ` — ${d.text}` : '',
            ]);
          })
        : [el('li', { class: 'hint', i18n: 'chair.noDecisions' })]),
    );
  }

  function renderQuorum() {
    const q = s().quorum;
    if (!q) {
      quorum.replaceChildren(el('p', { class: 'hint', i18n: 'chair.noQuorum' }));
      return;
    }
    quorum.dataset.quorate = String(!!q.quorate);
    quorum.replaceChildren(
      el('p', { class: 'quorum-main' }, [
        el('strong', { i18n: ['chair.quorumLine', { present: q.present_for_quorum ?? 0, needed: q.quorum ?? 0 }] }),
        ' ',
        el('span', { class: q.quorate ? 'ok' : 'bad', i18n: q.quorate ? 'chair.quorate' : 'chair.notQuorate' }),
      ]),
      el('p', {
        i18n: [
          'chair.quorumCounts',
          { members: q.members ?? 0, online: q.online ?? 0, in_room: q.in_room ?? 0, absent: q.absent ?? 0 },
        ],
      }),
    );
  }

  function renderAttendance() {
    rosterNote.hidden = rosterSource === 'welcome' || rosterSource === 'api';
    if (!rosterNote.hidden) localize(rosterNote, 'chair.rosterPartial');
    rebuild(
      attendance,
      (roster ?? []).map((r) => {
        const id = `in-room-${r.id}`;
        const box = el('input', { type: 'checkbox', id, 'data-roster': r.id, 'data-key': `room:${r.id}` });
        box.checked = inRoom.get(r.id) === true;
        return el('li', {}, [
          box,
          el('label', { for: id, text: `${personLabel(r)}${r.site ? `（${r.site}）` : ''}` }),
        ]);
      }),
    );
  }

  function renderAll() {
    renderState();
    renderHands();
    renderVenueSelect();
    renderAgenda();
    renderProgram();
    renderPeople();
    renderVoteRows();
    renderDecide();
    renderQuorum();
    renderAttendance();
  }

  // ---- actions ----

  const actions = {
    state(b) {
      const to = b.dataset.to;
      if (to === 'adjourned' && !confirmAction('chair.confirmAdjourn')) return;
      ctx.send('state', { to });
    },
    agenda: (b) => ctx.send('agenda', { item: Number(b.dataset.item) }),
    give: (b) => ctx.send('floor', { give: b.dataset.participant }),
    take: () => ctx.send('floor', { take: true }),
    'give-roster'() {
      if (!venuePerson.value) {
        venuePerson.focus();
        return;
      }
      ctx.send('floor', { roster: Number(venuePerson.value) });
    },
    mute: (b) => ctx.send('mute-other', { participant: b.dataset.participant }),
    unmute: (b) => ctx.send('unmute-request', { participant: b.dataset.participant }),
    pin: (b) => ctx.send('pin', { participant: b.dataset.participant }),
    unpin: () => ctx.send('unpin'),
    remove(b) {
      const id = b.dataset.participant;
      if (confirmAction('chair.confirmRemove', { name: participantName(id) })) ctx.send('remove', { participant: id });
    },
    approve() {
      const item = currentItem(ctx);
      if (item) ctx.send('decision', { item: item.id, kind: 'approved' });
    },
  };

  function onClick(ev) {
    const b = ev.target.closest('button[data-action]');
    if (!b || b.disabled || !root.contains(b)) return;
    actions[b.dataset.action]?.(b);
  }

  function onChange(ev) {
    const box = ev.target;
    if (box.matches('input[type=checkbox][data-roster]')) {
      const id = Number(box.dataset.roster);
      inRoom.set(id, box.checked);
      ctx.send('attendance', { roster: id, in_room: box.checked });
    } else if (box.matches('#vote-members input')) {
      renderTally();
    } else if (box === programSource) {
      const v = programSource.value;
      ctx.send('program', v.startsWith('m:') ? { material: Number(v.slice(2)) } : { participant: v || null });
    }
  }

  function onVote(ev) {
    ev.preventDefault();
    const item = currentItem(ctx);
    if (!item) return;
    const v = tally();
    const text = voteText.value.trim();
    if (!ctx.send('decision', { item: item.id, kind: 'vote', ...(text ? { text } : {}), ...v })) return;
    voteForm.reset();
    renderTally();
  }

  root.addEventListener('click', onClick);
  root.addEventListener('change', onChange);
  voteForm.addEventListener('submit', onVote);

  async function loadRoster() {
    if (rosterSource === 'welcome') return;
    try {
      const doc = await api.meeting(ctx.meetingId);
      roster = Array.isArray(doc.roster) ? doc.roster : roster;
      venues = Array.isArray(doc.venues) ? doc.venues : null;
      rosterSource = 'api';
      try {
        const rep = await api.attendance(ctx.meetingId);
        for (const m of rep.members ?? []) if (!inRoom.has(m.roster)) inRoom.set(m.roster, !!m.in_room);
      } catch {
        // Marks made from here still show.
      }
    } catch {
      rosterFromParticipants();
    }
    renderAll();
  }

  // Without a roster from the server, the people online who have a roster `ref` stand in.
  function rosterFromParticipants() {
    if (rosterSource === 'api' || rosterSource === 'welcome') return;
    const known = new Map((roster ?? []).map((r) => [r.id, r]));
    const all = [...others(), ...(ctx.you ? [{ ...ctx.you, id: ctx.you.id }] : [])];
    for (const p of all) {
      if (p.role === 'venue' || p.role === 'viewer' || p.ref == null || known.has(p.ref)) continue;
      known.set(p.ref, { id: p.ref, name: p.name, title: p.title ?? '', role: p.role, site: '' });
    }
    roster = [...known.values()];
    rosterSource = 'participants';
  }

  renderAll();
  loadRoster();

  return {
    onMeeting() {
      if (Array.isArray(s().roster)) {
        roster = s().roster;
        rosterSource = 'welcome';
        for (const r of roster) if (typeof r.in_room === 'boolean') inRoom.set(r.id, r.in_room);
      }
      renderAll();
    },
    onParticipants() {
      rosterFromParticipants();
      renderHands();
      renderVenueSelect();
      renderPeople();
      renderAttendance();
      renderVoteRows();
    },
    onSelf(p) {
      if (p.forced === false) ctx.mic?.cleared();
    },
    unmount() {
      root.removeEventListener('click', onClick);
      root.removeEventListener('change', onChange);
      root.replaceChildren();
      root.hidden = true;
    },
  };
}
