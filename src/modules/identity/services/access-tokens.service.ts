import { Injectable } from '@nestjs/common';
import type { ApplicationPrincipal } from '../auth/principal';

/**
 * Bearer access tokens of integration applications (client_credentials).
 * Resolution is filled in by the applications feature.
 */
@Injectable()
export class AccessTokensService {
  async resolve(_token: string): Promise<ApplicationPrincipal | null> {
    return null;
  }
}
