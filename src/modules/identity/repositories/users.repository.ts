import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository, type EntityManager } from 'typeorm';
import { UserEntity } from '../entities/user.entity';

export type UserProfile = Pick<
  UserEntity,
  'email' | 'givenName' | 'usualName' | 'uid' | 'siret' | 'organizationLabel' | 'idpRoles'
>;

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>) {}

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByIds(ids: string[]): Promise<UserEntity[]> {
    return ids.length
      ? this.repo.createQueryBuilder('u').where('u.id IN (:...ids)', { ids }).getMany()
      : Promise.resolve([]);
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    // Active accounts first: a pending row only stands in until first login.
    return this.repo
      .createQueryBuilder('u')
      .where('u.email = :email', { email })
      .orderBy('u.sub IS NULL', 'ASC')
      .getOne();
  }

  /**
   * Creates or refreshes the user keyed by (idp_id, sub); a pending user with
   * the same email is turned into that user (merge on first login). One
   * transaction, so two simultaneous first logins cannot create two users.
   */
  upsertFromIdentity(
    idpId: string,
    sub: string,
    profile: UserProfile,
    isAdmin: boolean,
  ): Promise<UserEntity> {
    return this.repo.manager.transaction(async (tx: EntityManager) => {
      const users = tx.getRepository(UserEntity);
      const roles = (existing: string[]) =>
        isAdmin ? Array.from(new Set([...existing, 'admin'])) : existing;
      let user = await users.findOne({
        where: { idpId, sub },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user && profile.email) {
        user = await users.findOne({
          where: { email: profile.email, sub: IsNull() },
          lock: { mode: 'pessimistic_write' },
        });
        if (user) Object.assign(user, { idpId, sub });
      }
      if (!user) user = users.create({ idpId, sub, platformRoles: [] });
      Object.assign(user, profile, {
        lastLoginAt: new Date(),
        platformRoles: roles(user.platformRoles ?? []),
      });
      return users.save(user);
    });
  }

  /** A user known only by email (invited before first login); returns the existing one if any. */
  async findOrCreatePending(email: string): Promise<UserEntity> {
    const existing = await this.findByEmail(email);
    if (existing) return existing;
    await this.repo
      .createQueryBuilder()
      .insert()
      .into(UserEntity)
      .values({ email, platformRoles: [] })
      .orIgnore()
      .execute();
    return (await this.findByEmail(email))!;
  }
}
