// --lang: which language the dashboard and the exercises speak (default: the `language` setting,
// else the locale; see src/exercises/lang.ts); and, on the commands that print the cluster's own
// sentences (events, action results), the language to word them in, English unless given.
import { type Command, Option } from 'commander';
import { LANGS, resolveLang, type Lang } from '../exercises/lang.js';
import { labelsFor, type Labels } from '../tui/labels.js';
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

/** --lang on a command that prints the cluster's sentences: they stay as the cluster tells them (English) unless it is given. */
export function withSentenceLangOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--lang <lang>', 'language of the sentences printed (default: en, as the cluster tells them)').choices(LANGS),
  );
}

/** How events and action results are worded for --lang (the dashboard's words: src/tui/labels.ts); English without it. */
export function sentencesIn(flags: LangFlags): Pick<Labels, 'eventText' | 'resultText'> {
  return labelsFor(flags.lang ?? 'en');
}
