import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApplicationEntity } from '../entities/application.entity';

@Injectable()
export class ApplicationsRepository {
  constructor(
    @InjectRepository(ApplicationEntity) private readonly repo: Repository<ApplicationEntity>,
  ) {}

  insert(values: Partial<ApplicationEntity>): Promise<ApplicationEntity> {
    return this.repo.save(this.repo.create(values));
  }

  findLiveById(id: string): Promise<ApplicationEntity | null> {
    return this.repo.findOneBy({ id, revokedAt: IsNull() });
  }

  findLiveByClientId(clientId: string): Promise<ApplicationEntity | null> {
    return this.repo.findOneBy({ clientId, revokedAt: IsNull() });
  }

  listLive(): Promise<ApplicationEntity[]> {
    return this.repo.find({
      where: { revokedAt: IsNull() },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  /** Revokes a live application; false when none matched. */
  async revoke(id: string): Promise<boolean> {
    const res = await this.repo.update({ id, revokedAt: IsNull() }, {
      revokedAt: () => 'now()',
    } as any);
    return (res.affected ?? 0) > 0;
  }
}
