import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: Record<string, string> | string[] }>;
};

/** The Node release lines we support: Node 22 and 24 LTS. */
const SUPPORTED_MAJORS = [22, 24];
/** The npm major every release of a Node line bundles, checked at its first version so as to be conservative. */
const BUNDLED_NPM: Record<number, string> = { 22: '10.0.0', 24: '11.0.0' };

const declared = pkg.engines.node;
/** The lowest Node version of each `||` alternative of the declared range: `^22.15.0 || ^24.0.0` gives 22.15.0 and 24.0.0. */
const lowest = new semver.Range(declared).set.map((comparators) => semver.minVersion(comparators.map(String).join(' '))!.version);

/** Every package the lockfile installs that states an engines range, as npm reads it (an `engines` array is ignored by npm). */
const installed = Object.entries(lock.packages)
  .filter(([path]) => path !== '')
  .flatMap(([path, entry]) => {
    const engines = entry.engines;
    if (!engines || Array.isArray(engines)) return [];
    return [{ name: `${path.replace(/^.*node_modules\//, '')}@${entry.version} (${path})`, node: engines.node, npm: engines.npm }];
  });

describe('package.json engines', () => {
  it('declares Node 22 and 24 LTS and nothing older', () => {
    expect(semver.validRange(declared)).not.toBeNull();
    expect(lowest.map((v) => semver.major(v))).toEqual(SUPPORTED_MAJORS);
    expect(semver.intersects(declared, '<22')).toBe(false);
    for (const major of SUPPORTED_MAJORS) expect(semver.satisfies(`${major}.99.0`, declared)).toBe(true);
  });

  it('is met by every installed package on the lowest supported versions, so npm prints no engine warning there', () => {
    const problems: string[] = [];
    for (const dependency of installed) {
      if (dependency.node) {
        for (const version of lowest) {
          if (!semver.satisfies(version, dependency.node, { includePrerelease: true })) {
            problems.push(`${dependency.name} needs node ${dependency.node}, so Node ${version} warns`);
          }
        }
        // Beyond the lowest versions: no declared version may fall outside the package's range.
        if (!semver.subset(declared, dependency.node, { includePrerelease: true })) {
          problems.push(`${dependency.name} needs node ${dependency.node}, which does not cover all of ${declared}`);
        }
      }
      if (dependency.npm) {
        for (const version of lowest) {
          const npm = BUNDLED_NPM[semver.major(version)]!;
          if (!semver.satisfies(npm, dependency.npm)) problems.push(`${dependency.name} needs npm ${dependency.npm}; Node ${version} may bundle npm ${npm}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('reads the lockfile it checks', () => {
    // A lockfile without engines data would make the check above pass vacuously.
    expect(installed.filter((d) => d.node).length).toBeGreaterThan(100);
  });
});
