// "did you mean ...?" for a mistyped word: the closest allowed one when it is close enough to be a
// typo, and nothing for a word that is nowhere near.
import { describe, expect, test } from 'vitest';
import { didYouMean } from '../../src/cli/did-you-mean.js';
import { settingKey } from '../../src/cli/settings.js';

const KEYS = ['nodes', 'speed', 'base-port', 'data-folder', 'language', 'recording-cap'];

describe('did you mean', () => {
  test('names the closest key for a typo', () => {
    expect(didYouMean('nods', KEYS)).toBe(' (did you mean nodes?)');
    expect(didYouMean('baseport', KEYS)).toBe(' (did you mean base-port?)');
    expect(didYouMean('Langauge', KEYS)).toBe(' (did you mean language?)');
  });

  test('says nothing for a word nowhere near', () => {
    expect(didYouMean('colour', KEYS)).toBe('');
    expect(didYouMean('x', KEYS)).toBe('');
  });

  test('an unknown config key is refused with the suggestion and the list', () => {
    expect(() => settingKey('sped')).toThrow(
      'there is no setting "sped" (did you mean speed?): the settings are nodes, speed, base-port, data-folder, language, recording-cap',
    );
  });
});
