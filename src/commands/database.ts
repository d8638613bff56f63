import { withServices, type CommandGroup } from './command.ts';

export const databaseCommands: CommandGroup = {
  help: ['prom migrate                                  run database migrations'],
  commands: {
    migrate: () =>
      // withServices has run the migrations by the time this is called.
      withServices('prom migrate', false, () => {
        console.log('Database is up to date.');
        return Promise.resolve(0);
      }),
  },
};
