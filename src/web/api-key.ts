const STORAGE_KEY = 'lakestream.apiKey';

/** The API key this browser sends (when the server has keys configured), if one was entered. */
export function storedApiKey(): string | undefined {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Remembers the key in this browser (an empty key forgets it). */
export function saveApiKey(key: string): void {
  if (key.trim() === '') localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, key.trim());
}

/** `url` with the key as `api_key`, for EventSource, which cannot send an Authorization header. */
export function withApiKey(url: string): string {
  const key = storedApiKey();
  if (key === undefined) return url;
  return `${url}${url.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(key)}`;
}
