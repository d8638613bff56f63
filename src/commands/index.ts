// Which module holds each `prom` command. A command loads only its own group (and what that
// imports): loading every group — the web app, pdfkit, the report engine — took about a second
// of every command's start. `prom --help` loads them all. test/unit/cli-commands.test.ts checks
// that each group defines exactly the commands listed here.
import type { CommandGroup } from './command.ts';

export interface GroupEntry {
  commands: readonly string[];
  load: () => Promise<CommandGroup>;
}

export const COMMAND_GROUPS: readonly GroupEntry[] = [
  { commands: ['migrate'], load: async () => (await import('./database.ts')).databaseCommands },
  { commands: ['import'], load: async () => (await import('./cohort.ts')).cohortCommands },
  { commands: ['schedule'], load: async () => (await import('./invitations.ts')).invitationCommands },
  {
    commands: ['deaths', 'consent', 'programme', 'channel', 'contacts'],
    load: async () => (await import('./lifecycle.ts')).lifecycleCommands,
  },
  { commands: ['score', 'export'], load: async () => (await import('./reports.ts')).reportCommands },
  { commands: ['user'], load: async () => (await import('./staff.ts')).staffCommands },
  { commands: ['hospitals'], load: async () => (await import('./hospitals.ts')).hospitalCommands },
  { commands: ['norms', 'report'], load: async () => (await import('./analysis.ts')).analysisCommands },
  { commands: ['apikey'], load: async () => (await import('./apikeys.ts')).apiKeyCommands },
  { commands: ['letters'], load: async () => (await import('./letters.ts')).letterCommands },
  { commands: ['register'], load: async () => (await import('./register.ts')).registerCommands },
  { commands: ['demo'], load: async () => (await import('./demo.ts')).demoCommands },
  { commands: ['instruments'], load: async () => (await import('./instruments.ts')).instrumentCommands },
];

/** The group defining `name`, loaded; undefined for an unknown command. */
export async function loadCommandGroup(name: string): Promise<CommandGroup | undefined> {
  return COMMAND_GROUPS.find((g) => g.commands.includes(name))?.load();
}
