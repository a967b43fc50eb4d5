import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../../common/errors/app-error';
import type { ApplicationEntity } from '../entities/application.entity';
import { ApplicationsRepository } from '../repositories/applications.repository';

/** What administrators see of an application (never its secret). */
export interface ApplicationView {
  id: string;
  name: string;
  clientId: string;
  scopes: string[];
  allowedDomains: string[];
  createdBy: string | null;
  createdAt: string;
}

export function toApplicationView(a: ApplicationEntity): ApplicationView {
  return {
    id: a.id,
    name: a.name,
    clientId: a.clientId,
    scopes: a.scopes,
    allowedDomains: a.allowedDomains,
    createdBy: a.createdBy,
    createdAt: a.createdAt.toISOString(),
  };
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Integration clients (calendar systems and the like). The secret is random,
 * shown once at creation and stored as its SHA-256 only.
 */
@Injectable()
export class ApplicationsService {
  constructor(private readonly applications: ApplicationsRepository) {}

  async create(
    input: { name: string; scopes: string[]; allowedDomains?: string[] },
    createdBy: string | null,
  ): Promise<{ application: ApplicationView; clientSecret: string }> {
    const clientSecret = randomBytes(32).toString('base64url');
    const row = await this.applications.insert({
      name: input.name.trim(),
      clientId: `visio_${randomBytes(12).toString('hex')}`,
      secretHash: sha256(clientSecret),
      scopes: Array.from(new Set(input.scopes)).sort(),
      allowedDomains: Array.from(
        new Set((input.allowedDomains ?? []).map((d) => d.toLowerCase())),
      ).sort(),
      createdBy,
    });
    return { application: toApplicationView(row), clientSecret };
  }

  async list(): Promise<ApplicationView[]> {
    return (await this.applications.listLive()).map(toApplicationView);
  }

  /** Revokes the application: its tokens stop working at once (checked at each request). */
  async revoke(id: string): Promise<void> {
    if (!(await this.applications.revoke(id)))
      throw AppError.notFound('application_not_found', 'No such application');
  }

  /** The live application these credentials belong to, or null (unknown id, wrong secret, revoked). */
  async authenticate(clientId: string, clientSecret: string): Promise<ApplicationEntity | null> {
    if (clientId.length > 100 || clientSecret.length > 200) return null;
    const app = await this.applications.findLiveByClientId(clientId);
    // Hash even when unknown, so timing does not tell which client ids exist.
    const given = sha256(clientSecret);
    const expected = app?.secretHash ?? sha256(`${clientSecret}:unknown`);
    return app && timingSafeEqual(given, expected) ? app : null;
  }

  findLive(id: string): Promise<ApplicationEntity | null> {
    return this.applications.findLiveById(id);
  }
}
