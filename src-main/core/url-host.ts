/** host[:port] of a URL as a person reads it (the text itself when it is not a URL). Browser-safe: the page uses it too. */
export function hostOf(url: string): string {
  try {
    return new URL(url.trim()).host || url;
  } catch {
    return url;
  }
}
