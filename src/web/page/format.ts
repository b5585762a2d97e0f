/** 1234 → "1.23 k", 11_000 → "11.0 k", 10_200_000 → "10.2 M": three significant digits, SI prefix. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units: [number, string][] = [
    [1e9, ' G'],
    [1e6, ' M'],
    [1e3, ' k'],
  ];
  for (const [scale, unit] of units) {
    if (Math.abs(n) >= scale) return `${(n / scale).toPrecision(3)}${unit}`;
  }
  return String(n);
}

export function formatPercent(p: number): string {
  return `${(100 * p).toFixed(1)}%`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** An MtaError's one-line description (it has describe()), or any other error's message. */
export function describeError(e: unknown): string {
  if (e && typeof e === 'object' && 'describe' in e && typeof e.describe === 'function') {
    const code = 'code' in e ? `[${String(e.code)}] ` : '';
    return `${code}${String(e.describe())}`;
  }
  return e instanceof Error ? e.message : String(e);
}
