/**
 * ASL files under statemachines/ carry `${Name}` placeholders where ARNs go. CDK fills them through
 * definitionSubstitutions; the local stack fills them here with local ARNs, from the very same file, so both
 * runtimes execute one definition.
 */
import { readFile } from 'node:fs/promises';

/** An ASL state machine definition, as read from its file. */
export type AslDefinition = { StartAt: string; States: Record<string, AslState>; [key: string]: unknown };
export type AslState = { Type: string; [key: string]: unknown };

/** Region and account of every ARN the local stack makes up; AWS-shaped so ARN parsing code works unchanged. */
export const LOCAL_REGION = 'local';
export const LOCAL_ACCOUNT = '000000000000';

export const localFunctionArn = (functionName: string): string =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`;

/** Placeholder → local function ARN, from a WorkflowSpec's `tasks` table. */
export const localSubstitutions = (tasks: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(tasks).map(([placeholder, fn]) => [placeholder, localFunctionArn(fn)]));

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Names of the placeholders a definition text uses, each once. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/**
 * Replaces every `${Name}` in the raw text (as CloudFormation does). A placeholder without a value is an error
 * naming the file, so a typo in the ASL or a missing WorkflowSpec.tasks entry fails at load, not mid-execution.
 */
export function substitutePlaceholders(text: string, values: Record<string, string>, source = 'definition'): string {
  const unknown = placeholdersIn(text).filter((name) => !Object.hasOwn(values, name));
  if (unknown.length > 0) {
    const known = Object.keys(values).join(', ') || 'none';
    throw new Error(`${source}: unknown placeholder(s) ${unknown.map((n) => `\${${n}}`).join(', ')} (known: ${known})`);
  }
  // Escaped as JSON string content so a value can never break the document structure.
  return text.replace(PLACEHOLDER, (_, name: string) => JSON.stringify(values[name]).slice(1, -1));
}

export function parseAsl(text: string, values: Record<string, string>, source = 'definition'): AslDefinition {
  const substituted = substitutePlaceholders(text, values, source);
  let parsed: unknown;
  try {
    parsed = JSON.parse(substituted);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(parsed) || typeof parsed.StartAt !== 'string' || !isObject(parsed.States)) {
    throw new Error(`${source}: not a state machine definition (StartAt and States are required)`);
  }
  assertJsonPathOnly(parsed as AslDefinition, source);
  return parsed as AslDefinition;
}

/** Reads `statemachines/<name>.asl.json` (or any path) and substitutes its placeholders. */
export async function loadAslFile(path: string, values: Record<string, string>): Promise<AslDefinition> {
  return parseAsl(await readFile(path, 'utf8'), values, path);
}

// Fields that exist only in JSONata mode or need variables; aws-local-stepfunctions ignores them silently.
const JSONATA_ONLY_FIELDS = ['Assign', 'Arguments', 'Output'] as const;

/**
 * The local engine silently ignores JSONata and variables, so a definition using them would behave differently
 * locally than in AWS. Refuse it instead, naming the state.
 */
export function assertJsonPathOnly(definition: AslDefinition, source = 'definition'): void {
  if (definition.QueryLanguage !== undefined && definition.QueryLanguage !== 'JSONPath') {
    throw new Error(`${source}: QueryLanguage ${String(definition.QueryLanguage)} is not supported; write JSONPath`);
  }
  forEachState(definition, (name, state) => {
    if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONPath') {
      throw new Error(`${source}: state '${name}' uses QueryLanguage ${String(state.QueryLanguage)}; write JSONPath`);
    }
    const field = JSONATA_ONLY_FIELDS.find((f) => state[f] !== undefined);
    if (field) throw new Error(`${source}: state '${name}' uses '${field}', which needs JSONata or variables`);
  });
}

/** Visits every state, including those nested in Map (ItemProcessor/Iterator) and Parallel (Branches). */
export function forEachState(definition: { States: Record<string, AslState> }, visit: (name: string, state: AslState) => void): void {
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state);
    for (const nested of nestedMachines(state)) forEachState(nested, visit);
  }
}

export function nestedMachines(state: AslState): { States: Record<string, AslState> }[] {
  const out: { States: Record<string, AslState> }[] = [];
  for (const key of ['ItemProcessor', 'Iterator'] as const) {
    const machine = state[key];
    if (isObject(machine) && isObject(machine.States)) out.push(machine as { States: Record<string, AslState> });
  }
  if (Array.isArray(state.Branches)) {
    for (const branch of state.Branches) {
      if (isObject(branch) && isObject(branch.States)) out.push(branch as { States: Record<string, AslState> });
    }
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
