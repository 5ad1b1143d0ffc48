// What a Chinese sentence must look like: Chinese words, full-width punctuation (，：（）；), and
// ASCII punctuation only inside values: partition groups "{1,2}" or "[[1, 2], [3]]", addresses
// "127.0.0.1:7001", paths and commands in backquotes.
import { expect } from 'vitest';

const VALUES = [/\{[\d,]*\}/g, /\[[[\]\d, ]*\]/g, /\d+\.\d+\.\d+\.\d+:\d+/g, /`[^`]*`/g, /\/[\w./-]+/g];

export function expectChinese(sentence: string): void {
  expect(sentence, sentence).toMatch(/[\u4e00-\u9fff]/);
  expect(sentence, sentence).not.toMatch(/undefined|NaN|null|\[object/);
  const words = VALUES.reduce((s, value) => s.replace(value, ''), sentence);
  expect(words, sentence).not.toMatch(/[,:;()]/);
}
