import { z } from 'zod';
import { planSchema } from '../plan/schema.js';
import type { Command } from './context.js';

/** The JSON Schema of the plan, generated from the zod schema (also written to schemas/). */
export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(planSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $id: 'https://restorable.dev/schemas/restorable.schema.json',
    title: 'restorable plan',
    description: 'A declarative backup plan for restorable (restorable.yml).',
    ...schema,
  };
}

export const schema: Command = async (_input, io) => {
  const json = planJsonSchema();
  io.reporter.output(JSON.stringify(json, null, 2));
  return undefined;
};
