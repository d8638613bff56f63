import { importSurvivorsFile } from '../cohort/import.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';

export const cohortCommands: CommandGroup = {
  help: ['prom import <file.csv> [--dry-run]            import or update survivors from the register'],
  commands: {
    import: async (args) => {
      const { values, positionals } = parse(args, { 'dry-run': { type: 'boolean' } });
      if (positionals.length !== 1)
        throw new UsageError('prom import takes one file: prom import <file.csv> [--dry-run]');
      return withServices('prom import', false, async (s) => {
        const report = await importSurvivorsFile(s.database.db, positionals[0]!, {
          dryRun: values['dry-run'] === true,
          erasureKey: s.config.erasureKey,
        });
        for (const n of report.notices) console.log(n);
        for (const p of report.problems) console.error(p);
        if (report.moreProblems > 0)
          console.error(
            `… and ${report.moreProblems} more problems (only the first ${report.problems.length} are listed).`,
          );
        const verb = values['dry-run'] ? 'would be' : 'were';
        console.log(
          `${report.inserted} new and ${report.updated} updated survivors ${verb} imported; ${report.rejected} rows rejected.`,
        );
        return report.rejected > 0 ? 1 : 0;
      });
    },
  },
};
