/** What crosses every process boundary: values, never thrown errors. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface ApiError {
  name: string;
  message: string;
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

export async function settle<T>(work: () => Promise<T> | T): Promise<ApiResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}

/** Rebuilds a thrown error on the calling side from a result. */
export function unwrap<T>(result: ApiResult<T>): T {
  if (result.ok) return result.value;
  const err = new Error(result.error.message);
  err.name = result.error.name;
  throw err;
}
