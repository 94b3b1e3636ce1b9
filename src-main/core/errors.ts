/** An error meant for a person: what went wrong, where, and what to do. No stack needed. */
export class UserError extends Error {
  override name = 'UserError';
  constructor(message: string) {
    super(message);
  }
}

/** A thrown error whose name tells the UI that the thing asked for does not exist. */
export class NotFoundError extends UserError {
  override name = 'NotFound';
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
