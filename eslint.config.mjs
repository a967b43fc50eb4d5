import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.data/**',
      'client/dist/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      // Nest modules and DTO namespaces are classes/namespaces by design.
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // Repositories are the only code that imports typeorm (entities and migrations declare the schema).
    files: ['src/modules/**/*.ts'],
    ignores: [
      'src/modules/**/repositories/**',
      'src/modules/**/entities/**',
      'src/modules/**/*.module.ts',
      'src/modules/**/*.spec.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'typeorm', message: 'Only repositories (and entities) import typeorm.' }],
        },
      ],
    },
  },
);
