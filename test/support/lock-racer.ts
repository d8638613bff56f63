// A child process for the PGlite lock race test: on each "go <dir> <at>" line from stdin it
// waits until the wall-clock millisecond <at> (so two racers start together), tries the lock,
// answers "won" or "refused", and keeps a won lock until "release".
import { createInterface } from 'node:readline';
import { DataDirInUseError, lockDataDir, type Lock } from '../../src/db/pglite-lock.ts';

let held: Lock | undefined;
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, dir, at] = line.split(' ');
  if (cmd === 'release') {
    held?.release();
    held = undefined;
    console.log('released');
  } else if (cmd === 'go') {
    while (Date.now() < Number(at)) {
      /* spin: a timer would start the two racers milliseconds apart */
    }
    try {
      held = lockDataDir(dir!, 'racer');
      console.log('won');
    } catch (err) {
      console.log(err instanceof DataDirInUseError ? 'refused' : `error ${(err as Error).message}`);
    }
  }
}
