// @ts-check
// ESLint (flat config) with typescript-eslint's type-aware rules; Prettier owns layout (see .prettierrc.json),
// so eslint-config-prettier comes last and turns off every rule that would fight it.
import { existsSync } from 'node:fs';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Type information comes from the TypeScript projects themselves. tsconfig.test.json covers src/, test/ and
// vitest.config.ts in one program (tsconfig.json covers only src/, so the project service, which looks for the
// nearest tsconfig.json, would miss test/). A top-level bench/ folder brings its own bench/tsconfig.json: it is
// used once it exists, and until then linting does not ask for it.
const projects = ['./tsconfig.test.json'];
if (existsSync(new URL('./bench/tsconfig.json', import.meta.url))) projects.push('./bench/tsconfig.json');

export default defineConfig(
  // ESLint does not read .gitignore: build output (dist/, and dist-bench/ from bench/tsconfig.json) is listed here.
  globalIgnores(['**/dist/', 'dist-bench/', '**/coverage/', '**/node_modules/', '.raft-console-sim/']),

  {
    linterOptions: {
      // A disable comment that no longer suppresses anything is an error, so none outlives its reason.
      reportUnusedDisableDirectives: 'error',
    },
  },

  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: projects,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Promises in a networked process: every one is awaited, handled or explicitly voided.
      // (no-floating-promises, no-misused-promises, await-thenable: on through strictTypeChecked.)

      // A switch over a union must name every member, or say in a `default` what happens to the rest.
      // why relaxed (considerDefaultExhaustiveForUnions): the role handlers (stepLeader, stepCandidate, ...)
      // each take a subset of the message types on purpose and say so in their `default`; without this
      // option every such switch is reported even though it is exhaustive by its default.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],

      // The code already marks type-only imports (`import type`, and inline `type` in a mixed import); keep it so.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],

      // why relaxed: `_`-prefixed names are the usual way to say "unused on purpose" (a parameter an
      // interface requires, an element skipped in destructuring, a caught error that is not needed).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],

      // why relaxed: numbers and booleans print unambiguously in a template (terms, indexes, node ids are
      // numbers and appear in nearly every message: 1,500 findings otherwise); objects, nullish values and
      // `any` are still reported, since those print as "[object Object]", "undefined" or worse.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],

      // why off: tsconfig has noUncheckedIndexedAccess, so every `a[i]` is `T | undefined`; the code uses `!`
      // where the index is known to be in range (about 800 places, most in loops and tests). Replacing each with
      // a runtime check would add branches that cannot run; the compiler's stricter indexing is the real guard.
      '@typescript-eslint/no-non-null-assertion': 'off',

      // why relaxed (ignoreVoidReturningFunctions, ignoreArrowShorthand): `if (bad) return this.fail(...)` inside
      // a function that itself returns void, and `() => resolve()` callbacks, are the code's idiom for an early
      // exit and are not confusing; a void value used anywhere else (an argument, a variable, a condition) is
      // still reported.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreVoidReturningFunctions: true, ignoreArrowShorthand: true }],

      // why off: an `async` function with no `await` is how this code implements a Promise-returning
      // interface (ReadyHandler.apply, test fakes) so that a throw inside becomes a rejection; the bug the
      // rule hunts (a promise left unawaited) is caught by no-floating-promises and no-misused-promises.
      '@typescript-eslint/require-await': 'off',
    },
  },

  // The dashboard (src/tui) is Ink on React 19: the rules of hooks and the React Compiler's checks. Every
  // component and hook lives in a .tsx file; these rules cost ~10% of a lint run, so .ts files skip them.
  {
    files: ['**/*.tsx'],
    extends: [reactHooks.configs.flat.recommended],
  },

  {
    files: ['test/**/*.{ts,tsx}'],
    rules: {
      // why off in tests: vitest's asymmetric matchers (expect.any(Number), expect.stringMatching(...),
      // expect.objectContaining(...)) are typed `any` by design so they fit any expected shape; every
      // expected object that uses one is otherwise an "unsafe assignment". src/ keeps the rule.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },

  // Plain JavaScript (bin/, this file): not in any tsconfig, so no type-aware rules; Node's globals.
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },

  prettier,
);
