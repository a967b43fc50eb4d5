// The room page (/r/:slug): access check, login or guest form, lobby, then
// the meeting itself. Plain DOM, no framework; state lives in MediaSession.
import { MediaSession, statsToArray, type EndReason } from './media-session';
import { RequestError, type Requests } from './protocol';

type Phase = 'loading' | 'entry' | 'lobby' | 'joining' | 'joined' | 'ended';

interface AccessView {
  decision: 'enter' | 'lobby' | 'refused';
  reason?: string;
  role: string | null;
  canModerate: boolean;
  room: {
    slug: string;
    name: string;
    accessLevel: string;
    configuration?: { allowScreenShare?: boolean };
  };
}

interface ApiResult<T = any> {
  status: number;
  body: T;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};

const app = $('app');
const slug = app.dataset.slug!;
const LOBBY_POLL_MS = 3000;
/** The moderators' waiting list follows pushed events; this poll only catches up. */
const LOBBY_LIST_POLL_MS = 10_000;

/** Test and debugging options, set before the page loads (e.g. by a test's init script). */
const options: { video?: MediaTrackConstraints } = (window as any).visioOptions ?? {};
const videoConstraints: MediaTrackConstraints = options.video ?? {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30 },
};

let access: AccessView | null = null;
let allowScreenShare = true;
let lobbyTimer: number | undefined;
let lobbyDecided: ((status: 'admitted' | 'denied') => void) | null = null;
let hops = 0;

const session = new MediaSession(
  slug,
  {
    changed: () => render(),
    announce,
    lobbyDecision: (status) => lobbyDecided?.(status),
    lobbyRequested: (entry) => addWaiting(entry),
    lobbyResolved: ({ requestId, status }) => resolveWaiting(requestId, status),
    ended: (reason) => showEnded(reason),
    rejoinNeeded: () => void tryJoin(),
  },
  videoConstraints,
);

// --- HTTP ------------------------------------------------------------------

async function api<T = any>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { message: text };
  }
  return { status: res.status, body: parsed as T };
}

// --- phases ----------------------------------------------------------------

function setPhase(phase: Phase, statusText?: string): void {
  app.dataset.phase = phase;
  const visible: Record<string, boolean> = {
    status: phase === 'loading' || phase === 'joining',
    entry: phase === 'entry',
    lobby: phase === 'lobby',
    room: phase === 'joined',
    ended: phase === 'ended',
  };
  for (const [id, show] of Object.entries(visible)) $(id).hidden = !show;
  if (statusText) $('status-text').textContent = statusText;
}

function announce(text: string): void {
  const log = $('events');
  const item = document.createElement('li');
  const time = new Date().toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' });
  item.textContent = `${time} — ${text}`;
  log.append(item);
  while (log.children.length > 30) log.firstElementChild?.remove();
}

const END_TEXTS: Record<EndReason, [string, string]> = {
  left: ['Vous avez quitté la réunion', ''],
  removed_by_moderator: [
    'Vous avez été retiré de la réunion',
    'Un modérateur vous a retiré de la réunion.',
  ],
  session_revoked: ['Votre session a pris fin', 'Identifiez-vous à nouveau pour revenir.'],
  room_deleted: ['La salle a été supprimée', ''],
  lobby_denied: ['Entrée refusée', "Un modérateur a refusé votre demande d'entrée."],
  error: ['Impossible de rejoindre la réunion', ''],
};

function showEnded(reason: EndReason, detail?: string): void {
  stopLobby();
  stopLobbyAdmin();
  const [title, text] = END_TEXTS[reason];
  $('ended-title').textContent = title;
  $('ended-text').textContent = detail ?? text;
  app.dataset.endReason = reason;
  setPhase('ended');
  $('ended-title').focus?.();
  announce(title);
}

function showEntry(): void {
  setPhase('entry');
  $<HTMLInputElement>('guest-name').focus();
}

// --- joining ---------------------------------------------------------------

const JOIN_ERRORS: Record<string, string> = {
  room_not_found: "Cette salle n'existe pas.",
  room_access_refused: "Vous n'avez pas accès à cette salle.",
  room_full: 'La salle est pleine.',
  media_unavailable: 'Le service de visioconférence est momentanément indisponible.',
};

/** Failures worth another try: the media service is being replaced, or the network hiccupped. */
const TRANSIENT = new Set(['media_unavailable', 'timeout', 'not_connected', undefined]);
const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 8000];
let joinRun = 0;

async function tryJoin(attempt = 0): Promise<void> {
  const run = ++joinRun;
  setPhase('joining', attempt ? 'Nouvelle tentative de connexion…' : 'Connexion à la réunion…');
  try {
    if (!session.socket?.connected) await session.connect();
    const joined = await session.join();
    hops = 0;
    $('whoami').textContent = `${joined.displayName}${joined.canModerate ? ' · modérateur' : ''}`;
    setPhase('joined');
    announce('Vous avez rejoint la réunion.');
    render();
    startLobbyAdmin();
  } catch (e) {
    if (run !== joinRun) return; // a newer attempt took over
    const err = e as RequestError;
    switch (err.code) {
      case 'unauthenticated':
        showEntry();
        return;
      case 'lobby_required':
        await waitInLobby();
        return;
      case 'already_joined':
        await session.request('leave', {}).catch(() => undefined);
        session.resetMedia();
        return tryJoin(attempt + 1);
      case 'media_room_elsewhere':
        if (hops++ < 2 && err.details?.nodeUrl) {
          session.resetMedia();
          await session.connect(String(err.details.nodeUrl).replace(/\/$/, ''));
          return tryJoin(attempt + 1);
        }
        break;
    }
    session.resetMedia();
    if (TRANSIENT.has(err.code) && attempt < RETRY_DELAYS_MS.length) {
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
      if (run === joinRun && !session.ended) return tryJoin(attempt + 1);
      return;
    }
    showEnded('error', JOIN_ERRORS[err.code] ?? `Erreur : ${err.message ?? String(e)}`);
  }
}

/** Asks to enter, then waits for the decision (socket event, or polling as a fallback). */
async function waitInLobby(): Promise<void> {
  setPhase('lobby');
  $('lobby-text').textContent =
    'Votre demande a été transmise. Un modérateur va vous faire entrer.';
  const ask = await api('POST', `/api/v1/rooms/${slug}/request-entry`);
  if (ask.status === 409 && ask.body?.code === 'lobby_not_required') return tryJoin();
  if (ask.status !== 200) {
    showEnded('error', ask.body?.message ?? "La demande d'entrée a échoué.");
    return;
  }
  const status = await new Promise<string>((resolve) => {
    if (ask.body.status !== 'waiting') return resolve(ask.body.status);
    lobbyDecided = (s) => resolve(s);
    const poll = async () => {
      const r = await api('GET', `/api/v1/rooms/${slug}/request-entry`).catch(() => null);
      if (r?.status === 200 && r.body.status !== 'waiting') resolve(r.body.status);
      else lobbyTimer = window.setTimeout(poll, LOBBY_POLL_MS);
    };
    lobbyTimer = window.setTimeout(poll, LOBBY_POLL_MS);
  });
  stopLobby();
  if (status === 'admitted') {
    announce('Un modérateur vous a fait entrer.');
    return tryJoin();
  }
  if (status === 'denied') return showEnded('lobby_denied');
  showEnded('error', "Votre demande d'entrée a expiré. Rechargez la page pour demander à nouveau.");
}

function stopLobby(): void {
  if (lobbyTimer !== undefined) window.clearTimeout(lobbyTimer);
  lobbyTimer = undefined;
  lobbyDecided = null;
}

async function main(): Promise<void> {
  const a = await api<AccessView>('GET', `/api/v1/rooms/${slug}/access`);
  if (a.status === 404) return showEnded('error', JOIN_ERRORS.room_not_found);
  if (a.status !== 200) return showEnded('error', (a.body as any)?.message ?? 'Erreur inattendue.');
  access = a.body;
  $('room-name').textContent = access.room.name;
  document.title = `${access.room.name} · Visio`;
  allowScreenShare = access.room.configuration?.allowScreenShare !== false;

  // 401: nobody (offer login or a guest session); 403: a guest session; 200: an agent.
  const me = await api('GET', '/api/v1/users/me');
  if (me.status === 401) return showEntry();
  if (me.status === 200) $('whoami').textContent = me.body.displayName ?? '';
  if (access.decision === 'refused') {
    return showEnded(
      access.reason === 'lobby_denied' ? 'lobby_denied' : 'error',
      access.reason === 'lobby_denied' ? undefined : JOIN_ERRORS.room_access_refused,
    );
  }
  await tryJoin();
}

$('guest-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('guest-name');
  const error = $('guest-error');
  const displayName = input.value.trim();
  if (!displayName) {
    error.textContent = 'Indiquez votre nom.';
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  const submit = $<HTMLButtonElement>('guest-submit');
  submit.disabled = true;
  void (async () => {
    const r = await api('POST', `/api/v1/rooms/${slug}/guest-session`, { displayName });
    submit.disabled = false;
    if (r.status !== 201) {
      error.textContent =
        r.body?.details?.[0]?.message ??
        r.body?.message ??
        "Impossible de créer la session d'invité.";
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    $('whoami').textContent = `${displayName} · invité`;
    // The socket authenticates at its handshake: open it now that the cookie exists.
    session.socket?.disconnect();
    session.socket = null;
    if (r.body.access?.decision === 'refused') return showEnded('lobby_denied');
    await tryJoin();
  })();
});

// --- the lobby, for moderators ------------------------------------------------

interface WaitingEntry {
  requestId: string;
  displayName: string;
}

const waiting = new Map<string, WaitingEntry>();
/** Entries decided since we listed them: a poll answered late must not bring them back. */
const resolved = new Set<string>();
let lobbyListTimer: number | undefined;

/** Shows the waiting list to a moderator and keeps it in sync (events, then a slow poll). */
function startLobbyAdmin(): void {
  if (!session.canModerate) return stopLobbyAdmin();
  $('lobby-admin').hidden = false;
  if (lobbyListTimer !== undefined) window.clearTimeout(lobbyListTimer);
  const poll = async () => {
    await refreshWaiting();
    if (session.canModerate) lobbyListTimer = window.setTimeout(poll, LOBBY_LIST_POLL_MS);
  };
  void poll();
}

function stopLobbyAdmin(): void {
  if (lobbyListTimer !== undefined) window.clearTimeout(lobbyListTimer);
  lobbyListTimer = undefined;
  waiting.clear();
  $('lobby-admin').hidden = true;
  renderWaiting();
}

async function refreshWaiting(): Promise<void> {
  const r = await api<{ items: WaitingEntry[] }>('GET', `/api/v1/rooms/${slug}/lobby`).catch(
    () => null,
  );
  if (r?.status === 403) return stopLobbyAdmin(); // no longer a moderator
  if (r?.status !== 200) return;
  const listed = new Set(r.body.items.map((e) => e.requestId));
  for (const id of [...waiting.keys()]) if (!listed.has(id)) waiting.delete(id);
  for (const entry of r.body.items) addWaiting(entry);
  renderWaiting();
}

function addWaiting({ requestId, displayName }: WaitingEntry): void {
  if (!session.canModerate || waiting.has(requestId) || resolved.has(requestId)) return;
  waiting.set(requestId, { requestId, displayName });
  announce(`${displayName} attend dans la salle d'attente.`);
  renderWaiting();
}

function resolveWaiting(requestId: string, status: 'admitted' | 'denied' | 'gone'): void {
  resolved.add(requestId);
  const entry = waiting.get(requestId);
  if (!entry) return;
  waiting.delete(requestId);
  if (status === 'admitted') announce(`${entry.displayName} a été admis dans la réunion.`);
  else if (status === 'denied') announce(`L'entrée de ${entry.displayName} a été refusée.`);
  else announce(`La demande de ${entry.displayName} n'est plus en attente.`);
  renderWaiting();
}

async function decide(entry: WaitingEntry, action: 'admit' | 'deny'): Promise<void> {
  const r = await api('POST', `/api/v1/rooms/${slug}/lobby/${entry.requestId}/${action}`);
  if (r.status === 200)
    return resolveWaiting(entry.requestId, action === 'admit' ? 'admitted' : 'denied');
  // Expired, or another moderator was quicker: the entry is no longer ours to decide.
  if (r.status === 404 || r.status === 409) return resolveWaiting(entry.requestId, 'gone');
  throw new Error(r.body?.message ?? `erreur ${r.status}`);
}

function renderWaiting(): void {
  const list = $('lobby-admin-list');
  const entries = [...waiting.values()];
  $('lobby-admin-title').textContent = entries.length
    ? `Salle d'attente (${entries.length})`
    : "Salle d'attente";
  $('lobby-admin-empty').hidden = entries.length > 0;
  const wanted = new Set(entries.map((e) => e.requestId));
  for (const li of [...list.querySelectorAll<HTMLLIElement>(':scope > li')])
    if (!wanted.has(li.dataset.requestId!)) li.remove();
  for (const entry of entries) {
    if (list.querySelector(`:scope > li[data-request-id="${CSS.escape(entry.requestId)}"]`))
      continue;
    const li = document.createElement('li');
    li.dataset.requestId = entry.requestId;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = entry.displayName;
    const actions = document.createElement('span');
    actions.className = 'actions';
    const admit = document.createElement('button');
    admit.type = 'button';
    admit.className = 'admit';
    admit.textContent = 'Admettre';
    admit.setAttribute('aria-label', `Admettre ${entry.displayName}`);
    admit.addEventListener('click', () => guarded(admit, () => decide(entry, 'admit')));
    const deny = document.createElement('button');
    deny.type = 'button';
    deny.className = 'deny danger';
    deny.textContent = 'Refuser';
    deny.setAttribute('aria-label', `Refuser ${entry.displayName}`);
    deny.addEventListener('click', () => guarded(deny, () => decide(entry, 'deny')));
    actions.append(admit, deny);
    li.append(name, actions);
    list.append(li);
  }
}

// --- controls --------------------------------------------------------------

async function guarded(button: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
  button.disabled = true;
  try {
    await action();
  } catch (e) {
    announce(`Action impossible : ${(e as Error).message}`);
  } finally {
    button.disabled = false;
    render();
  }
}

$<HTMLButtonElement>('mic').addEventListener('click', (e) =>
  guarded(e.currentTarget as HTMLButtonElement, () => session.setMic(!session.micOn)),
);
$<HTMLButtonElement>('camera').addEventListener('click', (e) =>
  guarded(e.currentTarget as HTMLButtonElement, () => session.setCamera(!session.cameraOn)),
);
$<HTMLButtonElement>('screen').addEventListener('click', (e) =>
  guarded(e.currentTarget as HTMLButtonElement, () =>
    session.producers.has('screen') ? session.stopScreenShare() : session.startScreenShare(),
  ),
);
$<HTMLButtonElement>('leave').addEventListener('click', () => void session.leave());
window.addEventListener('pagehide', () => {
  if (session.joined) session.socket?.emit('leave', {}, () => undefined);
});

// --- rendering -------------------------------------------------------------

interface TileSpec {
  key: string;
  peerId: string;
  self: boolean;
  name: string;
  video?: MediaStreamTrack;
  audio?: MediaStreamTrack;
  screen: boolean;
  micState: 'on' | 'off' | 'moderator' | 'none';
  cameraOff: boolean;
}

function tileSpecs(): TileSpec[] {
  const specs: TileSpec[] = [];
  const me = session.joined;
  if (me) {
    const mic = session.producers.get('mic');
    specs.push({
      key: 'self',
      peerId: me.peerId,
      self: true,
      name: `${me.displayName} (vous)`,
      video: session.cameraOn ? session.localTracks.camera : undefined,
      screen: false,
      micState: !mic
        ? 'none'
        : session.micMutedByModerator
          ? 'moderator'
          : session.micOn
            ? 'on'
            : 'off',
      cameraOff: !session.cameraOn || !session.localTracks.camera,
    });
  }
  for (const peer of session.peers.values()) {
    const consumers = [...session.consumers.values()].filter((c) => c.peerId === peer.peerId);
    const mic = [...peer.producers.values()].find((p) => p.source === 'mic');
    const camera = [...peer.producers.values()].find((p) => p.source === 'camera');
    const camConsumer = consumers.find((c) => c.source === 'camera');
    specs.push({
      key: `peer:${peer.peerId}`,
      peerId: peer.peerId,
      self: false,
      name: peer.displayName,
      video: camera && !camera.paused ? camConsumer?.consumer.track : undefined,
      audio: consumers.find((c) => c.source === 'mic')?.consumer.track,
      screen: false,
      micState: !mic ? 'none' : mic.paused ? (mic.byModerator ? 'moderator' : 'off') : 'on',
      cameraOff: !camera || camera.paused,
    });
    const screen = consumers.find((c) => c.source === 'screen');
    if (screen)
      specs.push({
        key: `screen:${peer.peerId}`,
        peerId: peer.peerId,
        self: false,
        name: `Écran de ${peer.displayName}`,
        video: screen.consumer.track,
        screen: true,
        micState: 'none',
        cameraOff: false,
      });
  }
  return specs;
}

const MIC_TEXT = {
  on: '',
  off: 'Micro coupé',
  moderator: 'Micro coupé par un modérateur',
  none: 'Sans micro',
};

function setTrack(el: HTMLMediaElement, track: MediaStreamTrack | undefined): void {
  const current = (el.srcObject as MediaStream | null)?.getTracks()[0];
  if (current === track) return;
  el.srcObject = track ? new MediaStream([track]) : null;
  if (track) void el.play().catch(() => undefined);
}

function buildTile(spec: TileSpec): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'tile';
  li.dataset.key = spec.key;
  li.dataset.peerId = spec.peerId;
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true; // sound goes through the <audio> element
  const placeholder = document.createElement('div');
  placeholder.className = 'placeholder';
  placeholder.setAttribute('aria-hidden', 'true');
  const caption = document.createElement('div');
  caption.className = 'caption';
  const name = document.createElement('span');
  name.className = 'name';
  const mic = document.createElement('span');
  mic.className = 'mic-state';
  caption.append(name, mic);
  li.append(video, placeholder, caption);
  if (!spec.self && !spec.screen) {
    const audio = document.createElement('audio');
    audio.autoplay = true;
    li.append(audio);
    if (session.canModerate) {
      const tools = document.createElement('div');
      tools.className = 'moderation';
      const mute = document.createElement('button');
      mute.type = 'button';
      mute.className = 'mute-peer';
      mute.addEventListener('click', () =>
        guarded(mute, async () => {
          await session.moderatorMute(spec.peerId);
        }),
      );
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'remove-peer danger';
      remove.addEventListener('click', () =>
        guarded(remove, async () => {
          if (
            window.confirm(
              `Retirer ${session.peers.get(spec.peerId)?.displayName ?? 'ce participant'} de la réunion ?`,
            )
          )
            await session.moderatorRemove(spec.peerId);
        }),
      );
      tools.append(mute, remove);
      li.append(tools);
    }
  }
  return li;
}

function updateTile(li: HTMLLIElement, spec: TileSpec): void {
  li.classList.toggle('self', spec.self);
  li.classList.toggle('screen', spec.screen);
  li.classList.toggle('speaking', !spec.screen && session.activeSpeakerId === spec.peerId);
  li.classList.toggle('no-video', !spec.video);
  li.setAttribute('aria-label', spec.name);
  li.dataset.mic = spec.micState;
  li.querySelector('.name')!.textContent = spec.name;
  li.querySelector('.mic-state')!.textContent = MIC_TEXT[spec.micState];
  li.querySelector('.placeholder')!.textContent = spec.name.slice(0, 1).toUpperCase();
  setTrack(li.querySelector('video')!, spec.video);
  const audio = li.querySelector('audio');
  if (audio) setTrack(audio, spec.audio);
  const peerName = session.peers.get(spec.peerId)?.displayName ?? '';
  const mute = li.querySelector<HTMLButtonElement>('.mute-peer');
  if (mute) {
    mute.textContent = 'Couper le micro';
    mute.setAttribute('aria-label', `Couper le micro de ${peerName}`);
    mute.disabled = spec.micState !== 'on';
  }
  const remove = li.querySelector<HTMLButtonElement>('.remove-peer');
  if (remove) {
    remove.textContent = 'Retirer';
    remove.setAttribute('aria-label', `Retirer ${peerName} de la réunion`);
  }
}

function render(): void {
  const list = $('tiles');
  const specs = tileSpecs();
  const wanted = new Set(specs.map((s) => s.key));
  for (const li of [...list.querySelectorAll<HTMLLIElement>(':scope > li')])
    if (!wanted.has(li.dataset.key!)) li.remove();
  for (const spec of specs) {
    let li = list.querySelector<HTMLLIElement>(`:scope > li[data-key="${CSS.escape(spec.key)}"]`);
    if (!li) {
      li = buildTile(spec);
      list.append(li);
    }
    updateTile(li, spec);
  }
  list.dataset.count = String(specs.length);

  const mic = $<HTMLButtonElement>('mic');
  mic.setAttribute('aria-pressed', String(!session.micOn));
  mic.hidden = !session.producers.has('mic');
  const camera = $<HTMLButtonElement>('camera');
  camera.setAttribute('aria-pressed', String(!session.cameraOn));
  camera.hidden = !session.producers.has('camera');
  const screen = $<HTMLButtonElement>('screen');
  screen.setAttribute('aria-pressed', String(session.producers.has('screen')));
  screen.hidden =
    !allowScreenShare || !session.sendTransport || !navigator.mediaDevices?.getDisplayMedia;
}

// --- test hook -------------------------------------------------------------

/** What browser tests read: state and the real RTCPeerConnections' stats. */
(window as any).visio = {
  session,
  phase: () => app.dataset.phase,
  peerId: () => session.peerId,
  canModerate: () => session.canModerate,
  waiting: () => [...waiting.values()].map((e) => ({ ...e })),
  peers: () =>
    [...session.peers.values()].map((p) => ({
      peerId: p.peerId,
      displayName: p.displayName,
      producers: [...p.producers.values()].map((x) => ({ ...x })),
    })),
  consumers: () =>
    [...session.consumers.values()].map((c) => ({
      id: c.consumer.id,
      producerId: c.producerId,
      peerId: c.peerId,
      kind: c.kind,
      source: c.source,
      paused: c.consumer.paused,
      trackState: c.consumer.track.readyState,
    })),
  producers: () =>
    [...session.producers.entries()].map(([source, p]) => ({
      id: p.id,
      source,
      kind: p.kind,
      paused: p.paused,
      encodings: p.rtpParameters.encodings?.length ?? 0,
    })),
  events: () => session.events.map((e) => ({ ...e })),
  stats: async () => ({
    send: statsToArray(await session.sendTransport?.getStats()),
    recv: statsToArray(await session.recvTransport?.getStats()),
  }),
  request: <N extends keyof Requests>(name: N, payload: Requests[N][0]) =>
    session.request(name, payload),
  setPreferredLayers: (consumerId: string, spatialLayer: number, temporalLayer?: number) =>
    session.setPreferredLayers(consumerId, spatialLayer, temporalLayer),
  consumerStats: (consumerId: string) => session.consumerStats(consumerId),
};

void main().catch((e) => {
  console.error(e);
  showEnded('error', `Erreur inattendue : ${(e as Error).message}`);
});
