export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A minimal page of the service (landing page, login errors); no script, inline style only. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Visio</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#161616}
h1{font-size:1.5rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{color:#666}
a.button,button{display:inline-block;font:inherit;padding:.5rem 1rem;background:#000091;color:#fff;border:0;border-radius:4px;cursor:pointer;text-decoration:none}
p.error{color:#ce0500}</style>
</head><body>${body}</body></html>`;
}
