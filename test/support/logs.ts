// A real pino logger whose lines a test can read back, parsed.
import { createLogger, type Logger } from '../../src/observability/logger.ts';

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, parsed from JSON. */
  entries(): Record<string, unknown>[];
  /** Every line written so far, as written. */
  text(): string;
}

export function captureLogs(level: 'info' | 'debug' = 'info'): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return {
    logger,
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => lines.join(''),
  };
}
