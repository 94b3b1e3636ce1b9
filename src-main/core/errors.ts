/** An error meant for a person: what went wrong, where, and what to do. No stack needed. */
export class UserError extends Error {
  override name = 'UserError';
  constructor(message: string) {
    super(message);
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
