import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, configSchema, parseConfig } from './config.schema';

describe('parseConfig', () => {
  it('applies defaults on an empty environment', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      NODE_ENV: 'development',
      APP_ROLE: 'all',
      PORT: 3000,
      PUBLIC_URL: 'http://localhost:3000',
    });
  });

  it('names every bad variable at once', () => {
    try {
      parseConfig({ PORT: 'abc', APP_ROLE: 'both', RATE_LIMIT_MAX: '-1' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT: /m);
      expect(problems).toMatch(/^APP_ROLE: /m);
      expect(problems).toMatch(/^RATE_LIMIT_MAX: /m);
    }
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig({ PORT: '' }).PORT).toBe(3000);
  });

  it('parses lists and booleans', () => {
    const c = parseConfig({
      CORS_ORIGINS: 'https://a.example, https://b.example',
      TRUST_PROXY: 'true',
    });
    expect(c.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(c.TRUST_PROXY).toBe(true);
  });
});

const ENV_EXAMPLE = join(__dirname, '..', '..', '.env.example');

describe('.env.example', () => {
  it('documents every variable of the schema, and only those', () => {
    const text = readFileSync(ENV_EXAMPLE, 'utf8');
    const documented = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(configSchema.shape).sort());
  });

  it('holds values the schema accepts', () => {
    const text = readFileSync(ENV_EXAMPLE, 'utf8');
    const env = Object.fromEntries(
      [...text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2]]),
    );
    expect(() => parseConfig(env)).not.toThrow();
  });
});
