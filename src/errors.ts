/**
 * The one error type of ispgate. `code` is the snake_case wire code, `status` the HTTP status
 * used in strict mode (HTTP_ERRORS=strict); legacy mode answers application errors with 200.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: Record<string, string>;
  readonly extra?: Record<string, unknown>;

  constructor(
    code: string,
    message: string,
    status = 400,
    opts: { details?: Record<string, string>; extra?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = opts.details;
    this.extra = opts.extra;
  }
}

/**
 * A broken business rule, raised by pure code in src/domain/: it says what is wrong (code, message, details) and
 * not how HTTP answers it. The status follows from the kind here (invalid input 422, too large 413), so domain
 * code decides no HTTP status; everything that handles an AppError handles it alike.
 */
export class DomainError extends AppError {
  constructor(
    code: string,
    message: string,
    opts: { details?: Record<string, string>; cause?: unknown; kind?: 'invalid' | 'too_large' } = {},
  ) {
    super(code, message, opts.kind === 'too_large' ? 413 : 422, { details: opts.details, cause: opts.cause });
    this.name = 'DomainError';
  }
}

export const errors = {
  missing: (field: string) => new AppError(`missing_${field}`, `The field "${field}" is required.`, 422, { details: { [field]: 'required' } }),
  invalid: (field: string, why: string) => new AppError(`invalid_${field}`, why, 422, { details: { [field]: why } }),
  notFound: (what: string, code = 'not_found') => new AppError(code, `${what} was not found.`, 404),
  conflict: (code: string, message: string) => new AppError(code, message, 409),
  forbidden: (message = 'You do not have permission for this action.') => new AppError('forbidden', message, 403),
  unauthorized: (message = 'A valid API key or session is required.') => new AppError('unauthorized', message, 401),
  upstream: (code: string, message: string) => new AppError(code, message, 502),
  providerNotAvailable: (provider: string) =>
    new AppError('provider_not_available', `The provider "${provider}" is not available yet.`, 501),
};

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
