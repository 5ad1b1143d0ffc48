// The exercises as data: twelve of them, numbered in order, every text in both languages, and every
// step a reference names exists. And which language a learner gets.
import { describe, expect, it } from 'vitest';
import { EXERCISES, findExercise } from '../../src/exercises/catalog/index.js';
import { resolveLang, type Lang, type LanguageSetting } from '../../src/exercises/lang.js';
import type { Texts } from '../../src/exercises/types.js';
import { expectChinese } from '../support/full-width.js';

/** Every Texts value in an exercise, with where it sits. */
function texts(value: unknown, path: string): Array<[string, Texts]> {
  if (typeof value !== 'object' || value === null) return [];
  if ('en' in value && 'zh' in value) return [[path, value as Texts]];
  return Object.entries(value).flatMap(([k, v]) => texts(v, `${path}.${k}`));
}

const HAN = /\p{Script=Han}/u;

describe('the exercise catalogue', () => {
  it('has the twelve exercises of the workshop, numbered 1 to 12, with distinct ids', () => {
    expect(EXERCISES.map((e) => e.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(new Set(EXERCISES.map((e) => e.id)).size).toBe(12);
  });

  it.each(EXERCISES.map((e) => [e.id, e] as const))('%s has every text in English and in Chinese', (_, e) => {
    const all = texts(e, e.id);
    expect(all.length).toBeGreaterThan(4 + 2 * e.steps.length);
    for (const [where, t] of all) {
      expect(t.en.trim(), `${where}.en`).not.toBe('');
      expect(HAN.test(t.en), `${where}.en is not English`).toBe(false);
      expect(HAN.test(t.zh), `${where}.zh is not Chinese`).toBe(true);
    }
  });

  it.each(EXERCISES.map((e) => [e.id, e] as const))('%s writes its Chinese with full-width punctuation and quotes', (_, e) => {
    for (const [where, t] of texts(e, e.id)) {
      expectChinese(t.zh);
      expect(t.zh, `${where}.zh`).not.toContain('"');
    }
  });

  it.each(EXERCISES.map((e) => [e.id, e] as const))('%s names only steps it has', (_, e) => {
    const ids = e.steps.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(e.prediction.revealAfter);
    for (const id of e.trigger?.steps ?? []) expect(ids).toContain(id);
    if (e.rebuild !== undefined) expect(ids).toContain(e.rebuild.after);
  });

  it('finds an exercise by number or by id, and nothing else', () => {
    expect(findExercise('3')?.id).toBe('leader-failure');
    expect(findExercise(' Split-Vote ')?.number).toBe(5);
    expect(findExercise('13')).toBeNull();
    expect(findExercise('leader')).toBeNull();
  });
});

describe('the language of the texts', () => {
  const setting = (lang: Lang | null): LanguageSetting => ({ isSet: () => lang !== null, get: () => lang ?? 'en' });

  it('takes the flag first, then the setting, then the locale', () => {
    expect(resolveLang('en', setting('zh'), { LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(resolveLang(undefined, setting('zh'), { LANG: 'en_US.UTF-8' })).toBe('zh');
    expect(resolveLang(undefined, setting(null), { LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(resolveLang(undefined, null, {})).toBe('en');
  });

  it('reads the locale as POSIX does: LC_ALL, then LC_MESSAGES, then LANG', () => {
    expect(resolveLang(undefined, null, { LC_ALL: 'C', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(resolveLang(undefined, null, { LC_ALL: '', LC_MESSAGES: 'zh_TW.UTF-8', LANG: 'en_GB' })).toBe('zh');
    expect(resolveLang(undefined, null, { LANG: 'zh' })).toBe('zh');
    expect(resolveLang(undefined, null, { LANG: 'zu_ZA.UTF-8' })).toBe('en');
  });
});
