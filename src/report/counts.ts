/** A manifest's counts as words: `1 database, 12 tables`, never `1 databases`. */
const SINGULAR: Record<string, string> = { files: 'file', dirs: 'dir', symlinks: 'symlink', databases: 'database', tables: 'table', rows: 'row', bytes: 'byte' };

export function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([key, n]) => `${n} ${n === 1 ? (SINGULAR[key] ?? key) : key}`)
    .join(', ');
}

/** `n thing(s)`: `1 copy`, `3 copies`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
