// Lint: typescript-eslint's type-aware rules where they catch real bugs, plus the determinism
// guard of design.md section 3: no wall-clock time or ambient randomness under src/.
import tseslint from 'typescript-eslint';

const determinism = {
  'no-restricted-properties': [
    'error',
    { object: 'Math', property: 'random', message: 'Use a named, seeded RNG stream from src/engine.' },
    { object: 'Date', property: 'now', message: 'Use the engine clock (virtual time).' },
    { object: 'performance', property: 'now', message: 'Use the engine clock (virtual time).' },
    { object: 'process', property: 'hrtime', message: 'Use the engine clock (virtual time).' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: 'Schedule through the engine event queue.' },
    { name: 'setInterval', message: 'Schedule through the engine event queue.' },
    { name: 'setImmediate', message: 'Schedule through the engine event queue.' },
    { name: 'performance', message: 'Use the engine clock (virtual time).' },
  ],
  'no-restricted-syntax': [
    'error',
    { selector: "NewExpression[callee.name='Date']", message: 'Use the engine clock (virtual time).' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['src/**/*.ts'], ignores: ['src/cli/**'], rules: determinism },
);
