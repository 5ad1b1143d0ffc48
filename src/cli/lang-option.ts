// --lang: which language the dashboard and the exercises speak (default: the `language` setting,
// else the locale; see src/exercises/lang.ts).
import { type Command, Option } from 'commander';
import { LANGS, resolveLang, type Lang } from '../exercises/lang.js';
import { openSettings } from './settings.js';

export interface LangFlags {
  lang?: Lang;
}

export function withLangOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--lang <lang>', 'language of the dashboard and exercises (default: the `language` setting, else the locale)').choices(
      LANGS,
    ),
  );
}

export async function languageOf(flags: LangFlags): Promise<Lang> {
  return resolveLang(flags.lang, await openSettings());
}
