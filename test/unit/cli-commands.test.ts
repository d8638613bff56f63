// The `prom` command index (src/commands/index.ts) loads one group per command: each group must
// define exactly the commands the index names for it, and no command may be named twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_GROUPS, loadCommandGroup } from '../../src/commands/index.ts';

test('each command group defines exactly the commands the index lists for it', async () => {
  for (const entry of COMMAND_GROUPS) {
    const group = await entry.load();
    assert.deepEqual(Object.keys(group.commands).sort(), [...entry.commands].sort());
    assert.ok(group.help.length > 0, `${entry.commands.join(', ')}: help lines`);
  }
});

test('no command is listed twice; an unknown name loads nothing', async () => {
  const names = COMMAND_GROUPS.flatMap((g) => g.commands);
  assert.equal(new Set(names).size, names.length);
  assert.equal(await loadCommandGroup('nonsense'), undefined);
  assert.equal(await loadCommandGroup('toString'), undefined);
  assert.ok((await loadCommandGroup('report'))?.commands.report);
});
