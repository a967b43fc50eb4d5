import {
  applyDecorators,
  createParamDecorator,
  SetMetadata,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth } from '@nestjs/swagger';
import type { Principal } from './principal';

export const AUTH_POLICY = 'visio:auth-policy';

export interface AuthPolicy {
  /** Guests (no account) may call this route. */
  guests?: boolean;
  /** Applications holding all these scopes may call this route (users always may). */
  scopes?: string[];
  /** Only applications (bearer tokens) may call this route. */
  applicationsOnly?: boolean;
  /** Only platform administrators. */
  platformAdmin?: boolean;
}

/** The route needs a caller: a logged-in user by default; guests/applications as the policy says. */
export function Authenticated(policy: AuthPolicy = {}): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(AUTH_POLICY, policy),
    ApiCookieAuth('visio_session'),
    ApiBearerAuth(),
  );
}

/** Platform administrators only (set by PLATFORM_ADMINS). */
export function PlatformAdmin(): MethodDecorator & ClassDecorator {
  return Authenticated({ platformAdmin: true });
}

/** The caller, as resolved by the PrincipalGuard (undefined on public routes without credentials). */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest().principal,
);
