/**
 * Typed errors. A user error (bad file, bad config, bad flag) is an MtaError: the CLI prints its
 * message and exits with code 2, never a stack trace. Anything else is a bug in this project.
 */
export type ErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'EMPTY_FILE'
  | 'TRUNCATED'
  | 'BAD_HEADER'
  | 'UNSUPPORTED_FORMAT'
  | 'BAD_AUDIO'
  | 'BAD_CONFIG'
  | 'BAD_ARGUMENT'
  | 'BAD_MODEL'
  | 'BAD_DATA'
  | 'NON_FINITE'
  | 'LIMIT_EXCEEDED';

export interface ErrorDetails {
  /** The file, config field, flag or tensor the error is about. */
  subject?: string;
  expected?: string;
  actual?: string;
  hint?: string;
  cause?: unknown;
}

export class MtaError extends Error {
  readonly code: ErrorCode;
  readonly subject?: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'MtaError';
    this.code = code;
    this.subject = details.subject;
    this.expected = details.expected;
    this.actual = details.actual;
    this.hint = details.hint;
  }

  /** One line for people: `subject: message (expected X, got Y). hint` */
  describe(): string {
    let s = this.subject ? `${this.subject}: ${this.message}` : this.message;
    if (this.expected !== undefined || this.actual !== undefined) {
      s += ` (expected ${this.expected ?? '?'}, got ${this.actual ?? '?'})`;
    }
    if (this.hint) s += `. ${this.hint}`;
    return s;
  }
}

export function isMtaError(e: unknown): e is MtaError {
  return e instanceof MtaError;
}
