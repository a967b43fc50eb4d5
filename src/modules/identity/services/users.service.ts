import { Injectable } from '@nestjs/common';
import { AppError } from '../../../common/errors/app-error';
import { AppConfig } from '../../../config/app-config';
import { displayNameOf } from '../auth/principal';
import type { UserEntity } from '../entities/user.entity';
import { UsersRepository, type UserProfile } from '../repositories/users.repository';

/** What other modules and clients see of a user. */
export interface UserView {
  id: string;
  email: string | null;
  displayName: string;
  givenName: string | null;
  usualName: string | null;
  uid: string | null;
  siret: string | null;
  organizationLabel: string | null;
  idpId: string | null;
  roles: unknown;
  platformRoles: string[];
  pending: boolean;
}

export function toUserView(u: UserEntity): UserView {
  return {
    id: u.id,
    email: u.email,
    displayName: displayNameOf(u),
    givenName: u.givenName,
    usualName: u.usualName,
    uid: u.uid,
    siret: u.siret,
    organizationLabel: u.organizationLabel,
    idpId: u.idpId,
    roles: u.idpRoles,
    platformRoles: u.platformRoles,
    pending: u.sub === null,
  };
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly config: AppConfig,
  ) {}

  async get(id: string): Promise<UserView> {
    const user = await this.users.findById(id);
    if (!user) throw AppError.notFound('user_not_found', 'No such user');
    return toUserView(user);
  }

  async findByIds(ids: string[]): Promise<UserView[]> {
    return (await this.users.findByIds(ids)).map(toUserView);
  }

  async findByEmail(email: string): Promise<UserView | null> {
    const u = await this.users.findByEmail(email.toLowerCase());
    return u ? toUserView(u) : null;
  }

  /** The user for an invitation by email: the existing account, or a pending one merged at first login. */
  async findOrCreateByEmail(email: string): Promise<UserView> {
    return toUserView(await this.users.findOrCreatePending(email.toLowerCase()));
  }

  /** Called at each ProConnect login: creates, merges or refreshes the user. */
  async upsertFromLogin(idpId: string, sub: string, profile: UserProfile): Promise<UserView> {
    const admins = this.config.PLATFORM_ADMINS.map((a) => a.toLowerCase());
    const isAdmin =
      admins.includes(sub.toLowerCase()) ||
      (!!profile.email && admins.includes(profile.email.toLowerCase()));
    return toUserView(await this.users.upsertFromIdentity(idpId, sub, profile, isAdmin));
  }
}
