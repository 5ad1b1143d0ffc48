// Which language the exercises (and the dashboard's own labels) speak: English or Chinese. One rule,
// used everywhere: the --lang flag, else the `language` setting if the user set it, else the locale
// (LC_ALL, LC_MESSAGES, LANG: the first one set decides, as POSIX says), else English.
export const LANGS = ['en', 'zh'] as const;

export type Lang = (typeof LANGS)[number];

export function isLang(value: unknown): value is Lang {
  return (LANGS as readonly unknown[]).includes(value);
}

/** The part of the user's settings the language comes from (SettingsStore has it). */
export interface LanguageSetting {
  isSet(key: 'language'): boolean;
  get(key: 'language'): Lang;
}

/** "zh_CN.UTF-8", "zh_TW", "zh" -> zh; anything else (C, POSIX, en_US.UTF-8...) -> en. */
function localeLang(env: NodeJS.ProcessEnv): Lang {
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '');
  return locale !== undefined && /^zh([_.@-]|$)/i.test(locale) ? 'zh' : 'en';
}

export function resolveLang(flag: Lang | undefined, settings: LanguageSetting | null, env: NodeJS.ProcessEnv = process.env): Lang {
  if (flag !== undefined) return flag;
  if (settings !== null && settings.isSet('language')) return settings.get('language');
  return localeLang(env);
}
