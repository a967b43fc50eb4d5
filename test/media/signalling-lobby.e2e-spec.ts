import request from 'supertest';
import type { TestApp } from '../support/app';
import { as, newUser, type TestUser } from '../support/identity';
import { grantRoomRole, newRoom } from '../support/rooms';
import { describeWithWorker } from './media-test-kit';
import { connectMedia, startTwoNodes, type MediaClient } from './signalling-test-kit';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The lobby as moderators see it on /media: `lobbyRequested` when someone
 * starts waiting, `lobbyResolved` when an entry is decided — to the room's
 * joined moderators only, from whichever node served the REST call.
 */
describeWithWorker('media signalling: lobby news for moderators', () => {
  let a: TestApp;
  let b: TestApp;
  let owner: TestUser;
  const clients: MediaClient[] = [];
  /** A page of the site (Origin: PUBLIC_URL) talking to one node. */
  const connect = async (node: TestApp, cookie: string) => {
    const c = await connectMedia(node.url, { cookie, origin: a.url });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    ({ a, b, owner } = await startTwoNodes());
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('tells the joined moderators, not the other peers, who waits and how it was decided', async () => {
    const room = await newRoom(a, owner, { accessLevel: 'restricted' });
    const admin = await newUser(a, { givenName: 'Adèle', usualName: 'Admin' });
    const member = await newUser(a, { givenName: 'Marc', usualName: 'Member' });
    await grantRoomRole(a, owner, room.slug, admin, 'administrator');
    await grantRoomRole(a, owner, room.slug, member, 'member');
    const moderator = await connect(a, owner.cookie);
    const second = await connect(a, admin.cookie);
    const peer = await connect(a, member.cookie);
    expect(await moderator.ok('join', { slug: room.slug })).toMatchObject({ canModerate: true });
    expect(await second.ok('join', { slug: room.slug })).toMatchObject({ canModerate: true });
    expect(await peer.ok('join', { slug: room.slug })).toMatchObject({ canModerate: false });
    // The owner's other socket, in another room of theirs, hears nothing of this one.
    const elsewhere = await connect(a, owner.cookie);
    await elsewhere.ok('join', { slug: (await newRoom(a, owner, { accessLevel: 'public' })).slug });
    // A socket of the owner that joined no room hears nothing either.
    const idle = await connect(a, owner.cookie);

    const stranger = await newUser(a, { givenName: 'Sami', usualName: 'Stranger' });
    const ask = await as(a, stranger.cookie).post(`/api/v1/rooms/${room.slug}/request-entry`);
    expect(ask.status).toBe(200);
    const requestId = ask.body.requestId as string;
    const expected = { slug: room.slug, requestId, displayName: 'Sami Stranger' };
    expect(await moderator.next('lobbyRequested')).toEqual(expected);
    expect(await second.next('lobbyRequested')).toEqual(expected);

    // Asking again while waiting is the same entry: no second notice.
    await as(a, stranger.cookie).post(`/api/v1/rooms/${room.slug}/request-entry`).expect(200);

    await as(a, owner.cookie)
      .post(`/api/v1/rooms/${room.slug}/lobby/${requestId}/admit`)
      .expect(200);
    const resolved = { slug: room.slug, requestId, status: 'admitted' };
    expect(await moderator.next('lobbyResolved')).toEqual(resolved);
    expect(await second.next('lobbyResolved')).toEqual(resolved);

    await sleep(300);
    expect(moderator.events.filter(([n]) => n === 'lobbyRequested')).toHaveLength(1);
    for (const c of [peer, elsewhere, idle]) {
      expect(c.saw('lobbyRequested')).toBe(false);
      expect(c.saw('lobbyResolved')).toBe(false);
    }
  });

  it('stops telling a moderator demoted to member', async () => {
    const room = await newRoom(a, owner, { accessLevel: 'restricted' });
    const admin = await newUser(a);
    const accessId = await grantRoomRole(a, owner, room.slug, admin, 'administrator');
    const demoted = await connect(a, admin.cookie);
    const moderator = await connect(a, owner.cookie);
    const { peerId } = await moderator.ok('join', { slug: room.slug });
    expect(await demoted.ok('join', { slug: room.slug })).toMatchObject({ canModerate: true });
    await as(a, owner.cookie)
      .patch(`/api/v1/rooms/${room.slug}/accesses/${accessId}`)
      .send({ role: 'member' })
      .expect(200);
    // Settled: a moderation request now reads the new role (and the re-check runs in the background).
    expect(await demoted.request('moderatorMute', { peerId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden_not_moderator' },
    });

    const ask = await as(a, (await newUser(a)).cookie).post(
      `/api/v1/rooms/${room.slug}/request-entry`,
    );
    expect(ask.status).toBe(200);
    await moderator.next('lobbyRequested', (e) => e.requestId === ask.body.requestId);
    await sleep(300);
    expect(demoted.saw('lobbyRequested')).toBe(false);
  });

  it('reaches moderators on the node hosting the room when another node serves the REST calls', async () => {
    const room = await newRoom(a, owner, { accessLevel: 'restricted' });
    const onA = await connect(a, owner.cookie);
    await onA.ok('join', { slug: room.slug });

    const stranger = await newUser(a, { givenName: 'Nora', usualName: 'Node' });
    // Both through node B: the site's origin, as behind a load balancer.
    const ask = await request(b.url)
      .post(`/api/v1/rooms/${room.slug}/request-entry`)
      .set('Cookie', stranger.cookie)
      .set('Origin', a.url);
    expect(ask.status).toBe(200);
    expect(await onA.next('lobbyRequested')).toEqual({
      slug: room.slug,
      requestId: ask.body.requestId,
      displayName: 'Nora Node',
    });
    await request(b.url)
      .post(`/api/v1/rooms/${room.slug}/lobby/${ask.body.requestId}/deny`)
      .set('Cookie', owner.cookie)
      .set('Origin', a.url)
      .expect(200);
    expect(await onA.next('lobbyResolved')).toEqual({
      slug: room.slug,
      requestId: ask.body.requestId,
      status: 'denied',
    });
  });
});
