import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PrincipalGuard } from './auth/principal.guard';
import { UsersController } from './controllers/users.controller';
import { SessionEntity } from './entities/session.entity';
import { UserEntity } from './entities/user.entity';
import { SessionsRepository } from './repositories/sessions.repository';
import { UsersRepository } from './repositories/users.repository';
import { AccessTokensService } from './services/access-tokens.service';
import { SessionsService } from './services/sessions.service';
import { UsersService } from './services/users.service';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, SessionEntity])],
  controllers: [UsersController],
  providers: [
    UsersRepository,
    SessionsRepository,
    UsersService,
    SessionsService,
    AccessTokensService,
    { provide: APP_GUARD, useClass: PrincipalGuard },
  ],
  exports: [UsersService, SessionsService, AccessTokensService],
})
export class IdentityModule {}
