import { HospitalImportRefused, importHospitalsFile } from '../staff/hospitals.ts';
import { audit } from '../audit/log.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';

export const hospitalCommands: CommandGroup = {
  help: [
    'prom hospitals import <file.csv>              load hospital → health trust (HF) → region (RHF) reference data',
  ],
  commands: { hospitals },
};

async function hospitals(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { positionals } = parse(rest, {});
  if (sub !== 'import' || positionals.length !== 1) {
    throw new UsageError(
      'Usage: prom hospitals import <file.csv>   (columns code,name,health_trust,region; see docs/hospitals.example.csv)',
    );
  }
  return withServices('prom hospitals import', false, async (s) => {
    try {
      const report = await importHospitalsFile(s.database.db, positionals[0]!);
      for (const p of report.problems) console.error(p);
      await audit(s.database.db, {
        actor: `cli:${process.env.USER ?? 'unknown'}`,
        action: 'change',
        entity: 'hospital',
        details: {
          change: 'import',
          inserted: report.inserted,
          updated: report.updated,
          rejected: report.rejected,
          via: 'cli',
        },
      });
      console.log(`${report.inserted} new and ${report.updated} updated hospitals; ${report.rejected} rows rejected.`);
      return report.rejected > 0 ? 1 : 0;
    } catch (err) {
      if (!(err instanceof HospitalImportRefused) && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      console.error(
        err instanceof HospitalImportRefused ? err.message : `Cannot read ${positionals[0]}: no such file.`,
      );
      return 1;
    }
  });
}
