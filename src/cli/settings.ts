// The user's defaults for new clusters, kept with conf in the user's config folder
// ($XDG_CONFIG_HOME/raft-console/config.json). Only values that were set are stored; every other
// key has its built-in default. Each value is checked on the way in and on the way out, so a
// hand-edited file with a bad value gives one line that names the key and the fix.
import { resolve } from 'node:path';
import type Conf from 'conf';
import { SPEED_PRESETS, defaultStateDir, type SpeedPreset } from '../cluster-model/index.js';
import { MAX_NODES } from '../supervisor/index.js';
import { LANGS, isLang, type Lang } from '../exercises/lang.js';
import { CliError } from './failure.js';

interface Settings {
  nodes: number;
  speed: SpeedPreset;
  /** null: free ports chosen when a cluster is created ("auto"). */
  'base-port': number | null;
  /** The folder holding every cluster's folder. */
  'data-folder': string;
  language: Lang;
}

export type SettingKey = keyof Settings;

interface Definition<K extends SettingKey> {
  what: string;
  fallback: () => Settings[K];
  /** The value a user typed, or the one stored; throws a sentence saying what a good value is. */
  parse(value: unknown): Settings[K];
  /** As stored and as `config get` prints it. */
  show(value: Settings[K]): string | number;
}

function problem(text: string): never {
  throw new Error(text);
}

const DEFINITIONS: { [K in SettingKey]: Definition<K> } = {
  nodes: {
    what: 'nodes in a new cluster when `up` is given no count',
    fallback: () => 5,
    parse: (v) => {
      const n = typeof v === 'number' ? v : /^\d+$/.test(String(v)) ? Number(v) : NaN;
      return Number.isInteger(n) && n >= 1 && n <= MAX_NODES ? n : problem(`nodes must be a whole number from 1 to ${MAX_NODES}`);
    },
    show: (v) => v,
  },
  speed: {
    what: 'speed preset of a new cluster: slow, normal or fast',
    fallback: () => 'normal',
    parse: (v) => (SPEED_PRESETS.includes(v as SpeedPreset) ? (v as SpeedPreset) : problem(`speed must be one of ${SPEED_PRESETS.join(', ')}`)),
    show: (v) => v,
  },
  'base-port': {
    what: 'first node port of a new cluster (node n gets base + n - 1), or auto for free ports',
    fallback: () => null,
    parse: (v) => {
      if (v === null || v === 'auto') return null;
      const n = typeof v === 'number' ? v : /^\d+$/.test(String(v)) ? Number(v) : NaN;
      return Number.isInteger(n) && n >= 1024 && n <= 65535 ? n : problem('base-port must be auto or a port from 1024 to 65535');
    },
    show: (v) => v ?? 'auto',
  },
  'data-folder': {
    what: 'the folder that holds every cluster\'s folder',
    fallback: () => defaultStateDir(),
    parse: (v) => (typeof v === 'string' && v !== '' ? resolve(v) : problem('data-folder must be a path')),
    show: (v) => v,
  },
  language: {
    what: 'language of the exercises and the dashboard: en or zh (unset: from the locale, LANG)',
    fallback: () => 'en',
    parse: (v) => (isLang(v) ? v : problem(`language must be one of ${LANGS.join(', ')}`)),
    show: (v) => v,
  },
};

export const SETTING_KEYS = Object.keys(DEFINITIONS) as SettingKey[];

export function settingKey(key: string): SettingKey {
  if (!(SETTING_KEYS as string[]).includes(key)) throw new CliError(`there is no setting "${key}": the settings are ${SETTING_KEYS.join(', ')}`, 'usage');
  return key as SettingKey;
}

export function describeSetting(key: SettingKey): string {
  return DEFINITIONS[key].what;
}

export class SettingsStore {
  constructor(private readonly conf: Conf<Record<string, unknown>>) {}

  get path(): string {
    return this.conf.path;
  }

  /** Whether the key was set (rather than left at its default). */
  isSet(key: SettingKey): boolean {
    return this.conf.has(key);
  }

  get<K extends SettingKey>(key: K): Settings[K] {
    const def = DEFINITIONS[key] as Definition<K>;
    if (!this.conf.has(key)) return def.fallback();
    try {
      return def.parse(this.conf.get(key));
    } catch (err) {
      throw new CliError(`${this.path} has a bad ${key} (${JSON.stringify(this.conf.get(key))}): ${(err as Error).message}; fix it with \`raft-console config set ${key} ...\` or \`raft-console config reset ${key}\``);
    }
  }

  /** Sets a key from the text a user typed; returns the value as stored. */
  set<K extends SettingKey>(key: K, text: string): Settings[K] {
    const def = DEFINITIONS[key] as Definition<K>;
    let value: Settings[K];
    try {
      value = def.parse(text);
    } catch (err) {
      throw new CliError(`${(err as Error).message}, got "${text}"`, 'usage');
    }
    this.conf.set(key, def.show(value));
    return value;
  }

  show<K extends SettingKey>(key: K, value: Settings[K]): string | number {
    return (DEFINITIONS[key] as Definition<K>).show(value);
  }

  reset(keys: readonly SettingKey[]): void {
    for (const key of keys) this.conf.delete(key);
  }
}

/**
 * Loads conf. Its file writer (atomically, through when-exit) hooks SIGINT, SIGTERM, SIGHUP and
 * other signals as it is imported, and sends each one to the process again: a first Ctrl-C would
 * then cut the supervisor's orderly shutdown short. Those hooks are taken off again here.
 */
type Listener = (...args: unknown[]) => void;

async function loadConf(): Promise<typeof Conf> {
  const signalListeners = (): Array<[string, Listener[]]> =>
    process.eventNames().flatMap((e) => (typeof e === 'string' && e.startsWith('SIG') ? [[e, process.rawListeners(e) as Listener[]] as [string, Listener[]]] : []));
  const before = new Map(signalListeners());
  const { default: conf } = await import('conf');
  for (const [signal, listeners] of signalListeners()) for (const l of listeners) if (!before.get(signal)?.includes(l)) process.removeListener(signal, l);
  return conf;
}

/** Opens `<name>.json` in the config folder, turning a broken file into one line naming it and the fix. */
async function openConf(name: string, what: string): Promise<Conf<Record<string, unknown>>> {
  const Conf = await loadConf();
  try {
    return new Conf<Record<string, unknown>>({ projectName: 'raft-console', projectSuffix: '', configName: name, accessPropertiesByDotNotation: false });
  } catch (err) {
    const why = err instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(err as Error).message})`;
    throw new CliError(`your raft-console ${what} file ${why}: fix or delete it (it lives in $XDG_CONFIG_HOME/raft-console, by default ~/.config/raft-console)`);
  }
}

export async function openSettings(): Promise<SettingsStore> {
  return new SettingsStore(await openConf('config', 'config'));
}

/** The workshop exercises completed on this machine, kept beside the settings in progress.json. */
export class ProgressStore {
  constructor(private readonly conf: Conf<Record<string, unknown>>) {}

  /** Exercise id -> when it was last completed (ms since the epoch). */
  completed(): Map<string, number> {
    return new Map(Object.entries(this.conf.store).filter((e): e is [string, number] => typeof e[1] === 'number'));
  }

  markCompleted(id: string, at: number): void {
    this.conf.set(id, at);
  }
}

export async function openProgress(): Promise<ProgressStore> {
  return new ProgressStore(await openConf('progress', 'exercise progress'));
}
