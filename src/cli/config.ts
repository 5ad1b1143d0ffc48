// `raft-console config get|set|list|reset`: the user's defaults for new clusters (node count,
// speed, base port, data folder, language), kept in the user's config folder.
import { type Command } from 'commander';
import { paintFor } from './colour.js';
import { guarded } from './failure.js';
import { SETTING_KEYS, describeSetting, openSettings, settingKey, type SettingKey } from './settings.js';
import { table } from './table.js';

interface JsonFlag {
  json?: boolean;
}

function print(flags: JsonFlag, doc: unknown, text: string): void {
  process.stdout.write(`${flags.json === true ? JSON.stringify(doc) : text}\n`);
}

export function registerConfigCommand(program: Command): Command {
  const config = program.command('config').description(`show or change your defaults: ${SETTING_KEYS.join(', ')}`);
  config
    .command('list')
    .description('show every setting, its value and whether it is the default')
    .option('--json', 'print {key: value, ...} as one JSON document')
    .action(
      guarded('config list', async (flags: JsonFlag) => {
        const store = await openSettings();
        const values = Object.fromEntries(SETTING_KEYS.map((k) => [k, store.show(k, store.get(k))]));
        const paint = paintFor(process.stdout);
        const rows = SETTING_KEYS.map((k) => [
          k,
          String(values[k]),
          store.isSet(k) ? 'set' : { text: 'default', style: 'dim' as const },
          describeSetting(k),
        ]);
        print(
          flags,
          values,
          [...table(['KEY', 'VALUE', 'FROM', 'MEANING'], rows, paint), paint('dim', `(stored in ${store.path})`)].join('\n'),
        );
      }),
    );
  config
    .command('get')
    .description('print one setting')
    .argument('<key>', SETTING_KEYS.join(', '))
    .option('--json', 'print {key, value} as one JSON document')
    .action(
      guarded('config get', async (key: string, flags: JsonFlag) => {
        const k = settingKey(key);
        const store = await openSettings();
        const value = store.show(k, store.get(k));
        print(flags, { key: k, value }, String(value));
      }),
    );
  config
    .command('set')
    .description('change one setting (for clusters created from now on)')
    .argument('<key>', SETTING_KEYS.join(', '))
    .argument('<value>', 'the new value')
    .option('--json', 'print {key, value} as one JSON document')
    .action(
      guarded('config set', async (key: string, text: string, flags: JsonFlag) => {
        const k = settingKey(key);
        const store = await openSettings();
        const value = store.show(k, await store.set(k, text));
        print(flags, { key: k, value }, `${k} = ${value}`);
      }),
    );
  config
    .command('reset')
    .description('put one setting, or all of them, back to the default')
    .argument('[key]', SETTING_KEYS.join(', '))
    .option('--json', 'print {reset: [keys]} as one JSON document')
    .action(
      guarded('config reset', async (key: string | undefined, flags: JsonFlag) => {
        const keys: SettingKey[] = key === undefined ? SETTING_KEYS : [settingKey(key)];
        await (await openSettings()).reset(keys);
        print(flags, { reset: keys }, `reset ${keys.join(', ')} to the default${keys.length === 1 ? '' : 's'}`);
      }),
    );
  return config;
}
