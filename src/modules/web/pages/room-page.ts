/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

export interface RoomPageAssets {
  /** Cache-busting fingerprints of the bundle and the style sheet. */
  scriptVersion: string;
  styleVersion: string;
}

/**
 * The shell of the room page. Everything dynamic (access decision, login or
 * guest form, lobby, the meeting itself) is driven by /assets/room.page.js;
 * no inline script, so the CSP stays `script-src 'self'`.
 */
export function roomPage(slug: string, assets: RoomPageAssets): string {
  const s = escapeHtml(slug);
  const returnTo = encodeURIComponent(`/r/${slug}`);
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Réunion ${s} · Visio</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/room.css?v=${escapeHtml(assets.styleVersion)}">
<script type="module" src="/assets/room.page.js?v=${escapeHtml(assets.scriptVersion)}"></script>
</head>
<body>
<a class="skip" href="#controls">Aller aux commandes de la réunion</a>
<header class="top">
  <h1><span class="brand">Visio</span> <span id="room-name">${s}</span></h1>
  <p id="whoami" class="whoami"></p>
</header>
<main id="app" data-slug="${s}" data-phase="loading">
  <section id="status" class="panel" aria-busy="true">
    <p id="status-text">Chargement…</p>
  </section>

  <section id="entry" class="panel" hidden aria-labelledby="entry-title">
    <h2 id="entry-title">Rejoindre la réunion</h2>
    <p><a class="button" id="login-link" href="/api/v1/auth/login?returnTo=${returnTo}">S'identifier avec ProConnect</a></p>
    <p class="or">ou</p>
    <form id="guest-form" novalidate>
      <label for="guest-name">Votre nom, tel que les autres participants le verront</label>
      <input id="guest-name" name="displayName" type="text" required maxlength="100" autocomplete="name">
      <button type="submit" id="guest-submit">Rejoindre en invité</button>
      <p id="guest-error" class="error" role="alert"></p>
    </form>
  </section>

  <section id="lobby" class="panel" hidden aria-labelledby="lobby-title">
    <h2 id="lobby-title">Salle d'attente</h2>
    <p id="lobby-text" role="status">Un modérateur va vous faire entrer.</p>
  </section>

  <section id="room" hidden aria-label="Réunion">
    <section id="lobby-admin" class="lobby-admin" hidden aria-labelledby="lobby-admin-title">
      <h2 id="lobby-admin-title">Salle d'attente</h2>
      <p id="lobby-admin-empty" class="lobby-admin-empty">Personne n'attend.</p>
      <ul id="lobby-admin-list" aria-label="Personnes en attente"></ul>
    </section>
    <ul id="tiles" class="tiles" aria-label="Participants"></ul>
    <div id="controls" class="controls" role="toolbar" aria-label="Commandes de la réunion">
      <button type="button" id="mic" aria-pressed="false">Couper le micro</button>
      <button type="button" id="camera" aria-pressed="false">Couper la caméra</button>
      <button type="button" id="screen" aria-pressed="false">Partager l'écran</button>
      <button type="button" id="leave" class="danger">Quitter</button>
    </div>
  </section>

  <section id="ended" class="panel" hidden aria-labelledby="ended-title">
    <h2 id="ended-title">Vous avez quitté la réunion</h2>
    <p id="ended-text"></p>
    <p><a class="button" id="rejoin" href="/r/${s}">Rejoindre à nouveau</a></p>
  </section>

  <h2 class="visually-hidden" id="events-title">Évènements</h2>
  <ol id="events" class="events" role="log" aria-live="polite" aria-labelledby="events-title"></ol>
</main>
</body>
</html>
`;
}

/** The page for an address that cannot be a room. */
export function notFoundPage(): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Salle introuvable · Visio</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/room.css"></head>
<body><main class="panel"><h1>Salle introuvable</h1><p>Cette adresse ne correspond à aucune salle.</p>
<p><a class="button" href="/">Accueil</a></p></main></body></html>
`;
}
