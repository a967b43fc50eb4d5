import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { AppConfig } from '../../../config/app-config';
import { AppError } from '../../../common/errors/app-error';
import { displayNameOf, type GuestPrincipal, type UserPrincipal } from '../auth/principal';
import { SessionsRepository } from '../repositories/sessions.repository';
import { UsersRepository } from '../repositories/users.repository';

export const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();

/** Sessions are touched at most this often, not on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionView {
  id: string;
  kind: 'user' | 'guest';
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

/**
 * Server-side sessions: the browser holds an opaque random token, the
 * database only its SHA-256. Absolute lifetime and idle timeout both apply.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly users: UsersRepository,
    private readonly config: AppConfig,
  ) {}

  async createForUser(
    userId: string,
    meta: { idToken?: string | null; userAgent?: string | null; ip?: string | null } = {},
  ): Promise<{ token: string; sessionId: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.SESSION_TTL_HOURS * 3600_000);
    const row = await this.sessions.insert({
      tokenHash: hashToken(token),
      kind: 'user',
      userId,
      idToken: meta.idToken ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      ip: meta.ip ?? null,
      expiresAt,
    });
    return { token, sessionId: row.id, expiresAt };
  }

  async createForGuest(
    displayName: string,
    meta: { userAgent?: string | null; ip?: string | null } = {},
  ): Promise<{ token: string; sessionId: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.GUEST_SESSION_TTL_MINUTES * 60_000);
    const row = await this.sessions.insert({
      tokenHash: hashToken(token),
      kind: 'guest',
      guestName: displayName,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      ip: meta.ip ?? null,
      expiresAt,
    });
    return { token, sessionId: row.id, expiresAt };
  }

  /** The principal behind a session token, or null when unknown, revoked, expired or idle. */
  async resolve(token: string): Promise<UserPrincipal | GuestPrincipal | null> {
    if (!token || token.length > 200) return null;
    const idleSince = new Date(Date.now() - this.config.SESSION_IDLE_MINUTES * 60_000);
    const session = await this.sessions.findLive(hashToken(token), idleSince);
    if (!session) return null;
    if (Date.now() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS)
      await this.sessions.touch(session.id);
    if (session.kind === 'guest') {
      return {
        kind: 'guest',
        guestId: session.id,
        sessionId: session.id,
        displayName: session.guestName!,
      };
    }
    const user = await this.users.findById(session.userId!);
    if (!user) return null;
    return {
      kind: 'user',
      userId: user.id,
      sessionId: session.id,
      email: user.email,
      displayName: displayNameOf(user),
      platformRoles: user.platformRoles,
    };
  }

  async listForUser(userId: string, currentSessionId: string): Promise<SessionView[]> {
    const rows = await this.sessions.listLiveForUser(userId);
    return rows.map((s) => ({
      id: s.id,
      kind: s.kind,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      userAgent: s.userAgent,
      ip: s.ip,
      current: s.id === currentSessionId,
    }));
  }

  async revokeForUser(userId: string, sessionId: string): Promise<void> {
    if (!(await this.sessions.revokeForUser(userId, sessionId))) {
      throw AppError.notFound('session_not_found', 'No such session');
    }
  }

  revoke(sessionId: string): Promise<void> {
    return this.sessions.revoke(sessionId);
  }

  /** The ID token kept for RP-initiated logout. */
  async idTokenOf(sessionId: string): Promise<string | null> {
    return (await this.sessions.findById(sessionId))?.idToken ?? null;
  }
}
