// The user's defaults for new clusters, kept in the user's config folder
// ($XDG_CONFIG_HOME/raft-console/config.json). Only values that were set are stored; every other
// key has its built-in default. Each value is checked on the way in and on the way out, so a
// hand-edited file with a bad value gives one line that names the key and the fix. Beside it,
// progress.json keeps the exercises completed on this machine.
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
// Modules, not the barrels: `status` and every other command read the settings, and start faster so.
import { defaultStateDir } from '../cluster-model/folder.js';
import { MAX_NODES } from '../cluster-model/launcher.js';
import type { SpeedPreset } from '../cluster-model/model.js';
import { SPEED_PRESETS } from '../cluster-model/timing.js';
import { DEFAULT_RECORDING_CAP_MB } from '../cluster-model/replay-format.js';
import { fail, object, validate, type JsonObject } from '../schema/json-shape.js';
import { readJsonOrNull, writeJsonAtomic } from '../storage/json-file.js';
import { LANGS, isLang, type Lang } from '../exercises/lang.js';
import { didYouMean } from './did-you-mean.js';
import { CliError } from './failure.js';

interface Settings {
  nodes: number;
  speed: SpeedPreset;
  /** null: free ports chosen when a cluster is created ("auto"). */
  'base-port': number | null;
  /** The folder holding every cluster's folder. */
  'data-folder': string;
  language: Lang;
  /** MB of recording each cluster keeps; 0: none. */
  'recording-cap': number;
}

export type SettingKey = keyof Settings;

interface Definition<K extends SettingKey> {
  what: string;
  fallback: () => Settings[K];
  /** The value a user typed, or the one stored; fails (json-shape's fail) with a sentence saying what a good value is. */
  parse(value: unknown): Settings[K];
  /** As stored and as `config get` prints it. */
  show(value: Settings[K]): string | number;
}

/** A number as stored, or the digits a user typed; NaN for anything else. */
function numeric(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
}

const DEFINITIONS: { [K in SettingKey]: Definition<K> } = {
  nodes: {
    what: 'nodes in a new cluster when `up` is given no count',
    fallback: () => 5,
    parse: (v) => {
      const n = numeric(v);
      return Number.isInteger(n) && n >= 1 && n <= MAX_NODES ? n : fail(`nodes must be a whole number from 1 to ${MAX_NODES}`);
    },
    show: (v) => v,
  },
  speed: {
    what: 'speed preset of a new cluster: slow, normal or fast',
    fallback: () => 'normal',
    parse: (v) =>
      SPEED_PRESETS.includes(v as SpeedPreset) ? (v as SpeedPreset) : fail(`speed must be one of ${SPEED_PRESETS.join(', ')}`),
    show: (v) => v,
  },
  'base-port': {
    what: 'first node port of a new cluster (node n gets base + n - 1), or auto for free ports',
    fallback: () => null,
    parse: (v) => {
      if (v === null || v === 'auto') return null;
      const n = numeric(v);
      return Number.isInteger(n) && n >= 1024 && n <= 65535 ? n : fail('base-port must be auto or a port from 1024 to 65535');
    },
    show: (v) => v ?? 'auto',
  },
  'data-folder': {
    what: "the folder that holds every cluster's folder",
    fallback: () => defaultStateDir(),
    parse: (v) => (typeof v === 'string' && v !== '' ? resolve(v) : fail('data-folder must be a path')),
    show: (v) => v,
  },
  language: {
    what: 'language of the exercises and the dashboard: en or zh (unset: from the locale, LANG)',
    fallback: () => 'en',
    parse: (v) => (isLang(v) ? v : fail(`language must be one of ${LANGS.join(', ')}`)),
    show: (v) => v,
  },
  'recording-cap': {
    what: 'MB of recording each cluster keeps for `replay`, oldest dropped first (0: record nothing)',
    fallback: () => DEFAULT_RECORDING_CAP_MB,
    parse: (v) => {
      const n = numeric(v);
      return Number.isInteger(n) && n >= 0 && n <= 1_000_000 ? n : fail('recording-cap must be a whole number of MB from 0 to 1000000');
    },
    show: (v) => v,
  },
};

export const SETTING_KEYS = Object.keys(DEFINITIONS) as SettingKey[];

export function settingKey(key: string): SettingKey {
  if (!(SETTING_KEYS as string[]).includes(key))
    throw new CliError(
      `there is no setting "${key}"${didYouMean(key, SETTING_KEYS)}: the settings are ${SETTING_KEYS.join(', ')}`,
      'usage',
    );
  return key as SettingKey;
}

export function describeSetting(key: SettingKey): string {
  return DEFINITIONS[key].what;
}

/**
 * The folder the settings live in: the one the `conf` package chose for them in earlier versions
 * (env-paths' config folder), so that their files are found where they are.
 */
function configFolder(): string {
  const name = 'raft-console';
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Preferences', name);
  // An empty variable counts as unset, as it did for conf.
  if (process.platform === 'win32') return join(process.env.APPDATA || join(homedir(), 'AppData', 'Roaming'), name, 'Config');
  return resolve(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), name);
}

/** One JSON object of keys and values in the config folder, read when opened and written whole on each change. */
class KeyValueFile {
  private constructor(
    readonly path: string,
    private readonly values: Map<string, unknown>,
  ) {}

  /** `<name>.json` in the config folder; a broken file is one line naming it and the fix. */
  static open(name: string, what: string): KeyValueFile {
    const path = join(configFolder(), `${name}.json`);
    const broken = (why: string): CliError =>
      new CliError(`your raft-console ${what} file ${why}: fix or delete it (it lives in ${dirname(path)})`);
    let values: JsonObject | null;
    try {
      values = readJsonOrNull(
        path,
        (v) => object(v, `${name}.json`),
        (d) => broken(d.code === 'not-json' ? 'is not valid JSON' : `is not valid (${d.problem})`),
      );
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw broken(`cannot be read (${err instanceof Error ? err.message : String(err)})`);
    }
    return new KeyValueFile(path, new Map(Object.entries(values ?? {})));
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  get(key: string): unknown {
    return this.values.get(key);
  }

  entries(): Iterable<[string, unknown]> {
    return this.values.entries();
  }

  async set(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
    await this.save();
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.values.delete(key);
    await this.save();
  }

  private async save(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await writeJsonAtomic(this.path, Object.fromEntries(this.values));
  }
}

export class SettingsStore {
  constructor(private readonly file: KeyValueFile) {}

  get path(): string {
    return this.file.path;
  }

  /** Whether the key was set (rather than left at its default). */
  isSet(key: SettingKey): boolean {
    return this.file.has(key);
  }

  get<K extends SettingKey>(key: K): Settings[K] {
    const def = DEFINITIONS[key] as Definition<K>;
    if (!this.file.has(key)) return def.fallback();
    const stored = this.file.get(key);
    const read = validate(() => def.parse(stored));
    if (read.ok) return read.value;
    throw new CliError(
      `${this.path} has a bad ${key} (${JSON.stringify(stored)}): ${read.problem}; fix it with \`raft-console config set ${key} ...\` or \`raft-console config reset ${key}\``,
    );
  }

  /** Sets a key from the text a user typed; returns the value as stored. */
  async set<K extends SettingKey>(key: K, text: string): Promise<Settings[K]> {
    const def = DEFINITIONS[key] as Definition<K>;
    const read = validate(() => def.parse(text));
    if (!read.ok) throw new CliError(`${read.problem}, got "${text}"`, 'usage');
    await this.file.set(key, def.show(read.value));
    return read.value;
  }

  show<K extends SettingKey>(key: K, value: Settings[K]): string | number {
    return (DEFINITIONS[key] as Definition<K>).show(value);
  }

  async reset(keys: readonly SettingKey[]): Promise<void> {
    await this.file.delete(keys);
  }
}

export async function openSettings(): Promise<SettingsStore> {
  return new SettingsStore(KeyValueFile.open('config', 'config'));
}

/** The workshop exercises completed on this machine, kept beside the settings in progress.json. */
export class ProgressStore {
  constructor(private readonly file: KeyValueFile) {}

  /** Exercise id -> when it was last completed (ms since the epoch). */
  completed(): Map<string, number> {
    return new Map([...this.file.entries()].filter((e): e is [string, number] => typeof e[1] === 'number'));
  }

  markCompleted(id: string, at: number): Promise<void> {
    return this.file.set(id, at);
  }
}

export async function openProgress(): Promise<ProgressStore> {
  return new ProgressStore(KeyValueFile.open('progress', 'exercise progress'));
}
