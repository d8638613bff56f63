import { withServices, type CommandGroup } from './command.ts';

export const databaseCommands: CommandGroup = {
  help: ['prom migrate                                  run database migrations'],
  commands: {
    migrate: () =>
      withServices('prom migrate', false, async () => {
        console.log('Database is up to date.');
        return 0;
      }),
  },
};
