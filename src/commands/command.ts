// What every `prom` command module shares: the command shape, usage errors, argument parsing
// and opening the services for the length of one command.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig } from '../config.ts';
import { openServices, type Services } from '../services.ts';

/** Returns the exit code: 0 done, 1 refused input. */
export type Command = (args: string[]) => Promise<number>;

export interface CommandGroup {
  /** Lines for `prom --help`, one per command. */
  help: string[];
  commands: Record<string, Command>;
}

export class UsageError extends Error {}

export function parse<const T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true } as const);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Opens database (and Redis if asked) for one command; with PGlite this takes the folder lock. */
export async function withServices(
  command: string,
  redis: boolean,
  fn: (s: Services) => Promise<number>,
): Promise<number> {
  const services = await openServices(loadConfig(), { command, redis });
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}
