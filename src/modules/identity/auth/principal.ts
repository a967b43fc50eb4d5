/**
 * Who is calling. Every module reasons about callers through this type only.
 * - user: an agent logged in through ProConnect (cookie session)
 * - guest: a person without an account, with a display name (cookie session)
 * - application: an integration client (bearer token), possibly acting for a user
 */
export type Principal = UserPrincipal | GuestPrincipal | ApplicationPrincipal;

export interface UserPrincipal {
  kind: 'user';
  userId: string;
  sessionId: string;
  email: string | null;
  displayName: string;
  platformRoles: string[];
}

export interface GuestPrincipal {
  kind: 'guest';
  guestId: string;
  sessionId: string;
  displayName: string;
}

export interface ApplicationPrincipal {
  kind: 'application';
  applicationId: string;
  scopes: string[];
  /** Set when the token was issued to act on behalf of this user. */
  actingUserId: string | null;
}

/** The user a request acts as: the logged-in user, or the one an application acts for. */
export function actingUserId(p: Principal | undefined): string | null {
  if (!p) return null;
  if (p.kind === 'user') return p.userId;
  if (p.kind === 'application') return p.actingUserId;
  return null;
}

export function displayNameOf(user: {
  givenName: string | null;
  usualName: string | null;
  email: string | null;
}): string {
  const name = [user.givenName, user.usualName].filter(Boolean).join(' ').trim();
  return name || user.email || 'Agent';
}
