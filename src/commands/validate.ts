import { ruleName } from '../plan/policy.js';
import { load, type Command } from './context.js';

export const validate: Command = async (input, io) => {
  const { plan, file, warnings } = await load(input, io);
  if (!input.json) {
    io.reporter.output(`${file}: plan "${plan.name}" is valid: ${plan.sources.length} source(s), ${plan.targets.length} target(s), ${ruleName(plan.policy.rule)} reachable.`);
  }
  return { ok: true, file, plan: plan.name, warnings };
};
