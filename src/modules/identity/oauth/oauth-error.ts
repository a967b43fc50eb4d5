import { AppError } from '../../../common/errors/app-error';

/** An RFC 6749 token endpoint error: the standard `error` plus our stable `code`. */
export class OAuthError extends AppError {
  constructor(
    status: number,
    readonly error: string,
    code: string,
    message: string,
  ) {
    super(code, message, status);
  }
}
