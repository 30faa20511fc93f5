/** Cookies as a Cookie header, from the Set-Cookie lines of an injected answer (later ones win). */
export function mergeCookies(header: string, setCookie: string | string[] | undefined): string {
  const jar = new Map(
    header
      .split('; ')
      .filter(Boolean)
      .map((pair) => [pair.split('=')[0], pair] as const),
  );
  for (const line of [setCookie ?? []].flat()) {
    const pair = line.split(';')[0] as string;
    jar.set(pair.split('=')[0], pair);
  }
  return [...jar.values()].join('; ');
}
