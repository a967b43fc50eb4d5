import { escapeHtml, htmlPage } from '../../identity/pages/html';

/** What the landing page shows of a logged-in agent. */
export interface LandingAgent {
  displayName: string;
  email: string | null;
  organizationLabel: string | null;
  siret: string | null;
  idpId: string | null;
}

export interface LandingRoom {
  slug: string;
  name: string;
  role: 'owner' | 'administrator' | 'member' | null;
}

/** The "Nouvelle réunion" form as last submitted, with what was wrong. */
export interface NewRoomForm {
  name?: string;
  accessLevel?: string;
  error?: string;
}

const ACCESS_LEVELS: Array<[string, string]> = [
  ['public', 'Publique : tout le monde entre, invités compris'],
  ['trusted', 'Agents : les agents connectés entrent, les invités attendent'],
  ['restricted', 'Restreinte : les membres entrent, les autres attendent'],
];

const ROLE_LABELS: Record<NonNullable<LandingRoom['role']>, string> = {
  owner: 'propriétaire',
  administrator: 'administrateur',
  member: 'membre',
};

/** The landing page for nobody logged in: a login button. */
export function anonymousLandingPage(): string {
  return htmlPage(
    'Visio',
    `<h1>Visio</h1><p>Visioconférence des agents publics.</p>
        <p><a class="button" href="/api/v1/auth/login">S'identifier avec ProConnect</a></p>`,
  );
}

/**
 * The landing page of a logged-in agent: who they are, a form that creates a
 * room (a plain HTML form posting to /r: no script, the CSP stays strict) and
 * the rooms they hold a role in.
 */
export function agentLandingPage(
  agent: LandingAgent,
  rooms: { items: LandingRoom[]; total: number },
  form: NewRoomForm = {},
): string {
  const rows: Array<[string, string | null]> = [
    ['Adresse', agent.email],
    ['Organisation', agent.organizationLabel],
    ['SIRET', agent.siret],
    ['Fournisseur', agent.idpId],
  ];
  const level = form.accessLevel ?? 'trusted';
  const invalid = form.error ? ' aria-invalid="true" aria-describedby="new-room-error"' : '';
  const roomList = rooms.items.length
    ? `<ul>${rooms.items
        .map(
          (r) =>
            `<li><a href="/r/${escapeHtml(r.slug)}">${escapeHtml(r.name)}</a> ${r.role ? `<span class="muted">(${ROLE_LABELS[r.role]})</span>` : ''}</li>`,
        )
        .join('')}</ul>${
        rooms.total > rooms.items.length
          ? `<p class="muted">${rooms.items.length} réunions affichées sur ${rooms.total}.</p>`
          : ''
      }`
    : '<p class="muted">Aucune réunion pour l’instant.</p>';
  return htmlPage(
    'Visio',
    `<h1>Bonjour ${escapeHtml(agent.displayName)}</h1>
        <dl>${rows
          .filter(([, v]) => v)
          .map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v!)}</dd>`)
          .join('')}</dl>
        <section aria-labelledby="new-room-title">
        <h2 id="new-room-title">Nouvelle réunion</h2>
        <form method="post" action="/r">
        <p><label for="new-room-name">Nom de la réunion</label><br>
        <input id="new-room-name" name="name" type="text" required maxlength="200" value="${escapeHtml(form.name ?? '')}"${invalid}></p>
        <p><label for="new-room-access">Qui peut entrer</label><br>
        <select id="new-room-access" name="accessLevel">${ACCESS_LEVELS.map(
          ([value, label]) =>
            `<option value="${value}"${value === level ? ' selected' : ''}>${label}</option>`,
        ).join('')}</select></p>
        ${form.error ? `<p class="error" id="new-room-error" role="alert">${escapeHtml(form.error)}</p>` : ''}
        <p><button type="submit">Créer la réunion</button></p>
        </form>
        </section>
        <section aria-labelledby="my-rooms-title">
        <h2 id="my-rooms-title">Mes réunions</h2>
        ${roomList}
        </section>
        <p><a href="/api/v1/users/me">Mon profil (JSON)</a> · <a href="/api/docs">API</a></p>
        <form method="post" action="/api/v1/auth/logout"><button type="submit">Se déconnecter</button></form>`,
  );
}
