import request from 'supertest';
import type { MyRoomView } from '../../src/modules/rooms/rooms.views';
import type { TestApp } from './app';
import { as, type TestUser } from './identity';

export interface NewRoomOverrides {
  name?: string;
  accessLevel?: 'public' | 'trusted' | 'restricted';
  slug?: string;
  maxParticipants?: number;
  configuration?: Record<string, unknown>;
}

/** A room created through the HTTP API by `owner` (who becomes its owner). */
export async function newRoom(
  t: TestApp,
  owner: TestUser,
  overrides: NewRoomOverrides = {},
): Promise<MyRoomView> {
  const res = await as(t, owner.cookie)
    .post('/api/v1/rooms')
    .send({ name: 'Test room', ...overrides });
  if (res.status !== 201) throw new Error(`newRoom: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as MyRoomView;
}

/** Gives `user` a role in the room (through the accesses API, as `owner`); returns the access id. */
export async function grantRoomRole(
  t: TestApp,
  owner: TestUser,
  slug: string,
  user: TestUser,
  role: 'owner' | 'administrator' | 'member',
): Promise<string> {
  const res = await as(t, owner.cookie)
    .post(`/api/v1/rooms/${slug}/accesses`)
    .send({ userId: user.user.id, role });
  if (res.status !== 201)
    throw new Error(`grantRoomRole: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** A guest session for a room through the API (as a browser on the site would get it). */
export async function newRoomGuest(
  t: TestApp,
  slug: string,
  displayName = 'Guest Dominique',
): Promise<{ cookie: string; body: any }> {
  const res = await request(t.url)
    .post(`/api/v1/rooms/${slug}/guest-session`)
    .set('Origin', t.url)
    .send({ displayName });
  if (res.status !== 201)
    throw new Error(`newRoomGuest: ${res.status} ${JSON.stringify(res.body)}`);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return { cookie: setCookie[0].split(';')[0], body: res.body };
}

/**
 * Asks to enter as `cookie` and has `moderator` admit (or deny) the request;
 * returns the request id.
 */
export async function passLobby(
  t: TestApp,
  slug: string,
  cookie: string,
  moderator: TestUser,
  decision: 'admit' | 'deny' = 'admit',
): Promise<string> {
  const ask = await as(t, cookie).post(`/api/v1/rooms/${slug}/request-entry`);
  if (ask.status !== 200) throw new Error(`passLobby: ${ask.status} ${JSON.stringify(ask.body)}`);
  const requestId = ask.body.requestId as string;
  const res = await as(t, moderator.cookie).post(
    `/api/v1/rooms/${slug}/lobby/${requestId}/${decision}`,
  );
  if (res.status !== 200) throw new Error(`passLobby: ${res.status} ${JSON.stringify(res.body)}`);
  return requestId;
}
