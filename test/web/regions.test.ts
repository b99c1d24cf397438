import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegionsHarness, THREE_REGIONS, type RegionsHarness } from '../fixtures/regions-harness.js';
import { requireChromium, suiteName } from '../fixtures/services.js';

/**
 * The dashboard over three simulated regions, in a real Chromium, offline: the fleet shows each
 * cluster's region in a column, filters by region, and shows the other regions when one fails.
 */

const chromiumFound = await requireChromium(suiteName(import.meta.url));
const WAIT = { timeout: 20_000, interval: 50 };

describe.skipIf(!chromiumFound)('the dashboard over three regions, in Chromium', () => {
  let webDir: string;
  let h: RegionsHarness;
  let browser: Browser;
  let page: Page;
  let base: string;
  const problems: string[] = [];

  beforeAll(async () => {
    webDir = await mkdtemp(join(tmpdir(), 'ems-gateway-web-'));
    await build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), logLevel: 'warn', build: { outDir: webDir, emptyOutDir: true } });
    h = await startRegionsHarness({ aksk: false, env: { EMS_MAX_RETRIES: '0' }, webDir: pathToFileURL(`${webDir}/`) });
    base = new URL(h.url).origin;
    browser = await chromium.launch({ executablePath: chromiumFound!.executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${base}/`)) return route.continue();
      problems.push(`off-origin request refused: ${url}`);
      return route.abort('internetdisconnected');
    });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    if (webDir) await rm(webDir, { recursive: true, force: true });
  });

  it('shows a region column and filters by region; a region that fails leaves the others shown', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('textbox', { name: /EMS token/ }).fill(h.token);
    await page.keyboard.press('Enter');
    const rows = page.locator('table.fleet tbody tr');
    await expect.poll(() => rows.count(), WAIT).toBe(60);
    expect(await page.locator('table.fleet thead th').allInnerTexts()).toEqual(['Name', 'Region', 'Status', 'Nodes', 'Huge-page memory', 'Release', 'Last update']);
    const regionsShown = async () => [...new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-region'))))];
    expect(await regionsShown()).toEqual([...THREE_REGIONS]);
    // Each row's Region cell says its region.
    expect((await rows.first().innerText()).split('\t')[1]).toBe(THREE_REGIONS[0]);

    await page.getByLabel('Region', { exact: true }).selectOption('cn-east-3');
    await expect.poll(async () => (await rows.count()) === 20 && (await regionsShown()).join(), WAIT).toBe('cn-east-3');

    await page.getByLabel('Region', { exact: true }).selectOption('');
    await expect.poll(() => rows.count(), WAIT).toBe(60);
    h.sims.region('ap-southeast-1').setFaults({ errorRate: 1 });
    try {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect.poll(() => page.getByRole('alert').filter({ hasText: 'ap-southeast-1 did not answer' }).count(), WAIT).toBe(1);
      await expect.poll(async () => (await regionsShown()).join(), WAIT).toBe('cn-north-4,cn-east-3');
    } finally {
      h.sims.region('ap-southeast-1').resetFaults();
    }
    // A new cluster needs its region: the gateway says so at the field; with one, it is created there.
    await page.getByRole('button', { name: 'New cluster' }).click();
    const create = page.locator('form', { has: page.getByRole('heading', { name: 'New cluster' }) });
    await create.getByRole('textbox', { name: 'Name (required)' }).fill('kvcache-region-east');
    await create.getByRole('textbox', { name: 'CCE cluster ID (required)' }).fill('3f0c2a4e-8b1d-4c6f-9a7e-5d2b1c0e9f8a');
    await create.getByRole('button', { name: 'Create cluster' }).click();
    const regionField = create.getByRole('combobox', { name: /^Region/ });
    await expect.poll(() => regionField.getAttribute('aria-invalid'), WAIT).toBe('true');
    await regionField.selectOption('cn-east-3');
    await create.getByRole('button', { name: 'Create cluster' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText(), WAIT).toBe('kvcache-region-east');
    await expect.poll(() => page.locator('dl.facts').innerText(), WAIT).toMatch(/Region\s+cn-east-3\b/);
    expect(h.sims.regions.map((s) => s.stats.count('CreateCluster'))).toEqual([0, 1, 0]);

    await page.screenshot({ path: fileURLToPath(new URL('../../test-artifacts/dashboard-regions.png', import.meta.url)), fullPage: true });
    expect(problems).toEqual([]);
  });
});
