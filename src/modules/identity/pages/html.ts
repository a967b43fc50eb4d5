export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/**
 * A minimal page of the service (landing page, login errors); no script,
 * inline style only. Its referrer policy lets its same-origin forms send
 * their Origin (under helmet's `no-referrer` a browser sends `Origin: null`,
 * which the CSRF check refuses).
 */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Visio</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#161616}
h1{font-size:1.5rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{color:#666}
a.button,button{display:inline-block;font:inherit;padding:.5rem 1rem;background:#000091;color:#fff;border:0;border-radius:4px;cursor:pointer;text-decoration:none}
p.error{color:#ce0500}.muted{color:#666}
input,select{font:inherit;padding:.4rem;max-width:100%}input[type=text]{width:100%}input[aria-invalid=true]{border-color:#ce0500}</style>
</head><body>${body}</body></html>`;
}
