/** One field-level problem of a rejected input. */
export interface FieldIssue {
  path: string;
  message: string;
  code?: string;
}

/**
 * The base of every error the service means to return: a stable `code` that
 * clients can branch on, an HTTP status and optional details. Modules subclass
 * it (or call the helpers below) rather than throwing Nest's HttpExceptions.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }

  static badRequest(code: string, message: string, details?: unknown): AppError {
    return new AppError(code, message, 400, details);
  }
  static unauthorized(code = 'unauthenticated', message = 'Authentication required'): AppError {
    return new AppError(code, message, 401);
  }
  static forbidden(code = 'forbidden', message = 'You may not do this'): AppError {
    return new AppError(code, message, 403);
  }
  static notFound(code = 'not_found', message = 'Not found'): AppError {
    return new AppError(code, message, 404);
  }
  static conflict(code: string, message: string, details?: unknown): AppError {
    return new AppError(code, message, 409, details);
  }
}

export class ValidationError extends AppError {
  constructor(issues: FieldIssue[], message = 'The request is not valid') {
    super('validation_failed', message, 400, issues);
  }
}
