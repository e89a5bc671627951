// node-postgres's quoting helpers (a CommonJS module: a default import under Node's ESM), which @types/pg declares only on the whole client.
declare module 'pg/lib/utils.js' {
  const utils: { escapeIdentifier(name: string): string; escapeLiteral(value: string): string };
  export default utils;
}
