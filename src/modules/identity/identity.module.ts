import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PrincipalGuard } from './auth/principal.guard';
import { ApplicationsController } from './controllers/applications.controller';
import { AuthController } from './controllers/auth.controller';
import { OAuthController } from './controllers/oauth.controller';
import { UsersController } from './controllers/users.controller';
import { ApplicationEntity } from './entities/application.entity';
import { SessionEntity } from './entities/session.entity';
import { UserEntity } from './entities/user.entity';
import { IdentityRoutes } from './identity.routes';
import { OIDC_SETTINGS, resolveOidcSettings } from './oidc/oidc-settings';
import { AppConfig } from '../../config/app-config';
import { ApplicationsRepository } from './repositories/applications.repository';
import { SessionsRepository } from './repositories/sessions.repository';
import { UsersRepository } from './repositories/users.repository';
import { AccessTokensService } from './services/access-tokens.service';
import { ApplicationsService } from './services/applications.service';
import { AuthService } from './services/auth.service';
import { OidcClientService } from './services/oidc-client.service';
import { SessionsService } from './services/sessions.service';
import { UsersService } from './services/users.service';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, SessionEntity, ApplicationEntity])],
  controllers: [UsersController, ApplicationsController, OAuthController, AuthController],
  providers: [
    UsersRepository,
    SessionsRepository,
    ApplicationsRepository,
    UsersService,
    SessionsService,
    ApplicationsService,
    AccessTokensService,
    { provide: OIDC_SETTINGS, inject: [AppConfig], useFactory: resolveOidcSettings },
    OidcClientService,
    AuthService,
    IdentityRoutes,
    { provide: APP_GUARD, useClass: PrincipalGuard },
  ],
  exports: [UsersService, SessionsService, AccessTokensService, ApplicationsService],
})
export class IdentityModule {}
