import { Body, Controller, Header, HttpCode, Post, Req, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { parseWith } from '../../../common/http/validation';
import { TokenRequestSchema } from '../dto/applications.dto';
import { OAuthError } from '../oauth/oauth-error';
import { OAuthErrorFilter } from '../oauth/oauth-error.filter';
import { AccessTokensService, type TokenResponse } from '../services/access-tokens.service';
import { ApplicationsService } from '../services/applications.service';

@ApiTags('oauth')
@Controller('oauth')
@UseFilters(OAuthErrorFilter)
export class OAuthController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly tokens: AccessTokensService,
  ) {}

  /**
   * RFC 6749 client credentials grant. Client authentication by HTTP Basic or
   * `client_id`/`client_secret` in the body; `scope` narrows the token;
   * `act_as` (an email) makes the token act for that user.
   */
  @Post('token')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async token(@Req() req: FastifyRequest, @Body() rawBody: unknown): Promise<TokenResponse> {
    if (await this.tokens.overRateLimit(req.ip)) {
      throw new OAuthError(
        429,
        'temporarily_unavailable',
        'rate_limited',
        'Too many token requests, retry in a minute',
      );
    }
    let body;
    try {
      body = parseWith(TokenRequestSchema, rawBody ?? {});
    } catch {
      throw new OAuthError(
        400,
        'invalid_request',
        'invalid_token_request',
        'grant_type is required; parameters must be strings',
      );
    }
    const credentials = clientCredentials(req.headers.authorization, body);
    if (body.grant_type !== 'client_credentials') {
      throw new OAuthError(
        400,
        'unsupported_grant_type',
        'unsupported_grant_type',
        'Only client_credentials is supported',
      );
    }
    const app = await this.applications.authenticate(
      credentials.clientId,
      credentials.clientSecret,
    );
    if (!app)
      throw new OAuthError(
        401,
        'invalid_client',
        'invalid_client',
        'Unknown client or wrong secret',
      );
    return this.tokens.issue(app, { scope: body.scope, actAs: body.act_as });
  }
}

function clientCredentials(
  authorization: string | undefined,
  body: { client_id?: string; client_secret?: string },
): { clientId: string; clientSecret: string } {
  if (authorization?.toLowerCase().startsWith('basic ')) {
    if (body.client_secret !== undefined) {
      throw new OAuthError(
        400,
        'invalid_request',
        'multiple_client_authentication',
        'Use one client authentication method',
      );
    }
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0)
      throw new OAuthError(401, 'invalid_client', 'invalid_client', 'Malformed Basic credentials');
    try {
      // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
      };
    } catch {
      throw new OAuthError(401, 'invalid_client', 'invalid_client', 'Malformed Basic credentials');
    }
  }
  if (!body.client_id || !body.client_secret) {
    throw new OAuthError(
      401,
      'invalid_client',
      'invalid_client',
      'Client authentication is required',
    );
  }
  return { clientId: body.client_id, clientSecret: body.client_secret };
}
