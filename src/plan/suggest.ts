/**
 * "did you mean" for an unknown key: the keys the plan's schema allows at
 * that place (read from its JSON Schema, every branch of a union), the
 * closest within two edits.
 */
import { z } from 'zod';
import { planSchema } from './schema.js';

type Node = { properties?: Record<string, Node>; items?: Node; oneOf?: Node[]; anyOf?: Node[]; allOf?: Node[]; $ref?: string; additionalProperties?: Node | boolean };

let root: (Node & { $defs?: Record<string, Node> }) | undefined;

function expand(node: Node | undefined): Node[] {
  if (!node || typeof node !== 'object') return [];
  if (node.$ref?.startsWith('#/$defs/')) return expand(root!.$defs?.[node.$ref.slice(8)]);
  const branches = [...(node.oneOf ?? []), ...(node.anyOf ?? []), ...(node.allOf ?? [])];
  return [node, ...branches.flatMap(expand)];
}

/** The keys allowed in the object at `path` of the plan. */
export function keysAt(path: readonly (string | number)[]): string[] {
  root ??= z.toJSONSchema(planSchema, { io: 'input', unrepresentable: 'any' }) as Node;
  let nodes = expand(root);
  for (const segment of path) {
    nodes = nodes.flatMap((n) => expand(typeof segment === 'number' ? n.items : n.properties?.[segment]));
  }
  return [...new Set(nodes.flatMap((n) => Object.keys(n.properties ?? {})))];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const saved = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length]!;
}

/** The allowed key `key` was most likely meant to be, or undefined. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const ranked = allowed.map((k) => [k, distance(key.toLowerCase(), k.toLowerCase())] as const).sort((a, b) => a[1] - b[1]);
  const best = ranked[0];
  return best && best[1] <= Math.min(2, Math.max(1, Math.floor(key.length / 3))) ? best[0] : undefined;
}
