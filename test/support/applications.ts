import request from 'supertest';
import type { ApplicationScope } from '../../src/modules/identity/auth/scopes';
import { ApplicationsService } from '../../src/modules/identity/services/applications.service';
import type { TestApp } from './app';

export interface TestApplication {
  id: string;
  clientId: string;
  clientSecret: string;
}

/** An integration application, created through the same service the admin API uses. */
export async function newApplication(
  t: TestApp,
  options: { scopes: ApplicationScope[]; allowedDomains?: string[]; name?: string },
): Promise<TestApplication> {
  const { application, clientSecret } = await t.app.get(ApplicationsService).create(
    {
      name: options.name ?? 'Test calendar',
      scopes: options.scopes,
      allowedDomains: options.allowedDomains ?? [],
    },
    null,
  );
  return { id: application.id, clientId: application.clientId, clientSecret };
}

/**
 * A bearer access token for the application, obtained from the real token
 * endpoint (client_credentials). `actAs` makes it act for that user's email
 * (its domain must be one of the application's allowed domains).
 */
export async function appToken(
  t: TestApp,
  app: TestApplication,
  options: { actAs?: string; scope?: string } = {},
): Promise<string> {
  const form: Record<string, string> = { grant_type: 'client_credentials' };
  if (options.scope !== undefined) form.scope = options.scope;
  if (options.actAs !== undefined) form.act_as = options.actAs;
  const res = await request(t.url)
    .post('/api/v1/oauth/token')
    .auth(app.clientId, app.clientSecret)
    .type('form')
    .send(form);
  if (res.status !== 200)
    throw new Error(`token request failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

/** supertest with the application's bearer token. */
export function asApp(t: TestApp, token: string) {
  const agent = request(t.url);
  const wrap = (method: 'get' | 'post' | 'put' | 'patch' | 'delete') => (path: string) =>
    agent[method](path).set('Authorization', `Bearer ${token}`);
  return {
    get: wrap('get'),
    post: wrap('post'),
    put: wrap('put'),
    patch: wrap('patch'),
    delete: wrap('delete'),
  };
}
