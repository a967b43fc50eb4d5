import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { sessionCookieName } from '../../src/modules/identity/auth/session-cookie';
import { SessionsService } from '../../src/modules/identity/services/sessions.service';
import { UsersService, type UserView } from '../../src/modules/identity/services/users.service';
import type { TestApp } from './app';

export interface TestUser {
  user: UserView;
  /** `Cookie` header value carrying the user's session. */
  cookie: string;
  sessionId: string;
}

/**
 * A logged-in agent, created through the same services a ProConnect login
 * uses (tests of the login itself drive the real OIDC dance instead).
 */
export async function newUser(
  t: TestApp,
  overrides: Partial<{
    email: string;
    givenName: string;
    usualName: string;
    sub: string;
    idpId: string;
  }> = {},
): Promise<TestUser> {
  const sub = overrides.sub ?? randomUUID();
  const user = await t.app.get(UsersService).upsertFromLogin(overrides.idpId ?? 'test-idp', sub, {
    email: overrides.email ?? `agent-${sub.slice(0, 8)}@example.gouv.fr`,
    givenName: overrides.givenName ?? 'Camille',
    usualName: overrides.usualName ?? 'Test',
    uid: null,
    siret: null,
    organizationLabel: null,
    idpRoles: [],
  });
  const session = await t.app.get(SessionsService).createForUser(user.id);
  return {
    user,
    cookie: `${sessionCookieName(t.config)}=${session.token}`,
    sessionId: session.sessionId,
  };
}

export async function newGuest(
  t: TestApp,
  displayName = 'Guest Dominique',
): Promise<{ cookie: string; sessionId: string }> {
  const session = await t.app.get(SessionsService).createForGuest(displayName);
  return {
    cookie: `${sessionCookieName(t.config)}=${session.token}`,
    sessionId: session.sessionId,
  };
}

/** supertest with the session cookie and our own Origin (as a browser on the site sends). */
export function as(t: TestApp, cookie: string) {
  const agent = request(t.url);
  const wrap = (method: 'get' | 'post' | 'put' | 'patch' | 'delete') => (path: string) =>
    agent[method](path).set('Cookie', cookie).set('Origin', t.url);
  return {
    get: wrap('get'),
    post: wrap('post'),
    put: wrap('put'),
    patch: wrap('patch'),
    delete: wrap('delete'),
  };
}
