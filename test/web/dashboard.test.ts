import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { pino } from 'pino';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loadSimulatorEnv, startSimulator } from '../../src/simulator/dev.js';
import type { EmsSimulator } from '../../src/simulator/index.js';
import { requireChromium, suiteName } from '../fixtures/services.js';
import { apiKey } from '../security/helpers.js';

/**
 * The dashboard and GraphiQL in a real Chromium, on the gateway with its embedded simulator, with no
 * way out to the internet: every request that is not to the gateway is refused and fails the test,
 * as does any console error or failed request. The test owns the simulator's clock (frozen, advanced
 * step by step) and waits for states, never for fixed times. Screenshots go to test-artifacts/.
 */

const chromiumFound = await requireChromium(suiteName(import.meta.url));

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const WAIT = { timeout: 20_000, interval: 50 };
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!chromiumFound)('the dashboard and GraphiQL in Chromium, offline', () => {
  let webDir: string;
  let app: App;
  let sim: EmsSimulator;
  let base: string;
  let token: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Console errors, page errors, failed or refused requests: each fails the test it happened in. */
  const problems: string[] = [];

  const shot = (name: string, target: Page = page) => target.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  function watch(target: Page) {
    target.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    target.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // An abort the page asked for (a component unmounted mid-request) is not a failure.
    target.on('requestfailed', (request) => {
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
    });
    target.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
  }

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    // The dashboard as `npm run build:web` builds it, from the current sources, into a directory of its own.
    webDir = await mkdtemp(join(tmpdir(), 'ems-gateway-web-'));
    await build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), logLevel: 'warn', build: { outDir: webDir, emptyOutDir: true } });

    // The development simulator, as `npm start` runs it without EMS_ENDPOINT, with a clock the test moves by hand.
    sim = await startSimulator(loadSimulatorEnv({ SIMULATOR_PORT: '0', SIMULATOR_HOST: '127.0.0.1' }));
    sim.clock.setSpeed(0);
    const config = loadConfig({ EMS_ENDPOINT: sim.url, LOG_LEVEL: 'silent', AUDIT_LOG: 'off', POLL_ACTIVE_MS: '100', POLL_IDLE_MS: '500' });
    app = await buildApp(config, { logger: pino({ level: 'silent' }), webDir: pathToFileURL(`${webDir}/`) });
    base = new URL(await app.start(0, '127.0.0.1')).origin;
    token = sim.credentials.token;

    browser = await chromium.launch({ executablePath: chromiumFound!.executablePath, args: CHROMIUM_FLAGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${base}/`)) return route.continue();
      problems.push(`off-origin request refused: ${url}`);
      return route.abort('internetdisconnected');
    });
    page = await context.newPage();
    watch(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await sim?.stop();
    if (webDir) await rm(webDir, { recursive: true, force: true });
  });

  afterEach(async (context) => {
    // A failed test leaves a picture of where it stopped.
    if (context.task.result?.state === 'fail') await shot(`failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => {});
    expect(problems.splice(0)).toEqual([]);
  });

  /** Controls (inputs, selects, text areas, buttons, links) with no accessible name. */
  const unlabelledControls = (target: Page) =>
    target.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('input, select, textarea, button, a[href]')]
        .filter((el) => el.offsetParent !== null)
        .filter((el) => {
          const labelled = el.getAttribute('aria-labelledby')?.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join('');
          const labels = 'labels' in el ? [...((el as HTMLInputElement).labels ?? [])].map((l) => l.textContent ?? '').join('') : '';
          const own = el.tagName === 'BUTTON' || el.tagName === 'A' ? (el.textContent ?? '') : '';
          return !`${el.getAttribute('aria-label') ?? ''}${labelled ?? ''}${labels}${own}`.trim();
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    );

  /** The text of the error list an input points to with aria-describedby. */
  const errorsOf = (input: Locator) =>
    input.evaluate((el) =>
      (el.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .filter((id) => id.endsWith('-error'))
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );

  const progressOf = async (bar: Locator) => Number(await bar.getAttribute('aria-valuenow'));
  const clusterStatus = () => page.getByTestId('cluster-status').innerText();

  it('asks for the token, keeps it for the session, and shows the seeded fleet', async () => {
    await page.goto(`${base}/`);
    const tokenInput = page.getByRole('textbox', { name: /EMS token/ });
    // Keyboard only: Tab to the token field, type, Enter.
    for (let i = 0; i < 10 && !(await tokenInput.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    await expect.poll(() => tokenInput.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type(token);
    await page.keyboard.press('Enter');

    const rows = page.locator('table.fleet tbody tr');
    await expect.poll(() => rows.count(), WAIT).toBe(20);
    await expect.poll(() => page.getByText(/^Showing 20 of 20 clusters$/).count(), WAIT).toBe(1);
    const prod = page.locator('tr', { has: page.getByRole('link', { name: 'kvcache-prod-01', exact: true }) });
    await expect(prod.innerText()).resolves.toMatch(/kvcache-prod-01\s+RUNNING\s+16\s+512 GiB\s+25\.12\.0\s+\d+ d ago/);
    expect(await page.evaluate(() => sessionStorage.getItem('ems-gateway.token'))).toBe(token);
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(token);
    expect(await unlabelledControls(page)).toEqual([]);
    await shot('dashboard-fleet');

    // Filter by status (server side), search by name (as typed).
    await page.getByLabel('Status', { exact: true }).selectOption('DELETED');
    await expect.poll(async () => (await rows.allInnerTexts()).every((t) => t.includes('DELETED')) && (await rows.count()), WAIT).toBe(2);
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByRole('searchbox', { name: 'Search by name' }).fill('kvcache-prod');
    await expect.poll(async () => (await rows.allInnerTexts()).map((t) => t.split('\t')[0]), WAIT).toEqual([
      'kvcache-prod-01',
      'kvcache-prod-02',
      'kvcache-prod-03',
      'kvcache-prod-04',
    ]);

    // A reload keeps the session's token.
    await page.reload();
    await expect.poll(() => rows.count(), WAIT).toBe(20);

    // Keyboard: from the search field to the first cluster's page.
    const search = page.getByRole('searchbox', { name: 'Search by name' });
    await search.fill('kvcache-prod-01');
    await expect.poll(() => rows.count(), WAIT).toBe(1);
    await search.focus();
    await page.keyboard.press('Tab'); // Refresh
    await page.keyboard.press('Tab'); // the cluster's link
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText(), WAIT).toBe('kvcache-prod-01');
    await expect.poll(() => page.getByRole('progressbar').count(), WAIT).toBeGreaterThan(0);
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByRole('link', { name: '← All clusters' }).click();
  });

  let clusterName: string;

  it('shows typed errors at their inputs, then follows a new cluster to RUNNING', async () => {
    await page.getByRole('button', { name: 'New cluster' }).click();
    const form = page.getByRole('form', { name: 'New cluster' });
    const name = form.getByRole('textbox', { name: 'Name (required)', exact: true });
    const nodeCount = form.getByRole('textbox', { name: /^Node count/ });
    expect(await unlabelledControls(page)).toEqual([]);

    // A ValidationError: node count below 3, shown at "Node count"; nothing is created.
    clusterName = `dash-e2e-${Date.now().toString(36)}`;
    await name.fill(clusterName);
    await form.getByRole('textbox', { name: /^CCE cluster ID/ }).fill(crypto.randomUUID());
    await nodeCount.fill('2');
    await form.getByRole('button', { name: 'Create cluster' }).click();
    await expect.poll(() => nodeCount.getAttribute('aria-invalid'), WAIT).toBe('true');
    expect(await errorsOf(nodeCount)).toMatch(/at least 3/);
    expect(await name.getAttribute('aria-invalid')).toBeNull();
    await expect.poll(() => nodeCount.evaluate((el) => el === document.activeElement)).toBe(true);
    await shot('dashboard-validation-error');

    // A DuplicateNameError, at "Name".
    await name.fill('kvcache-prod-01');
    await nodeCount.fill('3');
    await form.getByRole('button', { name: 'Create cluster' }).click();
    await expect.poll(() => name.getAttribute('aria-invalid'), WAIT).toBe('true');
    expect(await errorsOf(name)).toMatch(/exist/);
    expect(await nodeCount.getAttribute('aria-invalid')).toBeNull();

    // Accepted: the cluster's page shows its job at once, at 0% while the clock stands still.
    await name.fill(clusterName);
    await form.getByRole('button', { name: 'Create cluster' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText(), WAIT).toBe(clusterName);
    const bar = page.getByRole('progressbar', { name: /^Progress of job CreateCluster/ });
    await expect.poll(() => bar.count(), WAIT).toBe(1);
    expect(await progressOf(bar)).toBe(0);
    await expect.poll(clusterStatus, WAIT).toBe('CREATING');

    // Half-way (2 s of INIT, then 118 s of tasks): the bar moves with jobProgress.
    sim.clock.advance(62_000);
    await expect.poll(() => progressOf(bar), WAIT).toBeGreaterThan(40);
    expect(await progressOf(bar)).toBeLessThan(60);
    // Let the bar's width animation settle before the picture.
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    await shot('dashboard-job-progress');

    // The end: 100%, COMPLETED, and the cluster RUNNING (from clusterStatus).
    sim.clock.advance(120_000);
    await expect.poll(() => progressOf(bar), WAIT).toBe(100);
    await expect.poll(() => page.locator('li.job', { has: bar }).getAttribute('data-status'), WAIT).toBe('COMPLETED');
    await expect.poll(clusterStatus, WAIT).toBe('RUNNING');
    await shot('dashboard-cluster-running');
  });

  it('expands the cluster, then deletes it after confirmation', async () => {
    const expand = page.getByRole('form', { name: 'Expand' });
    await expand.getByRole('textbox', { name: 'Nodes to add' }).fill(`${clusterName}-extra-1`);
    await expand.getByRole('button', { name: 'Expand cluster' }).click();
    const expandBar = page.getByRole('progressbar', { name: /^Progress of job ExpandCluster/ });
    await expect.poll(() => expandBar.count(), WAIT).toBe(1);
    await expect.poll(clusterStatus, WAIT).toBe('EXPANDING');
    sim.clock.advance(30_000);
    await expect.poll(() => progressOf(expandBar), WAIT).toBe(100);
    await expect.poll(clusterStatus, WAIT).toBe('RUNNING');
    await expect.poll(() => page.locator('dl.facts').innerText(), WAIT).toMatch(/Nodes\s+4\b/);

    // Delete asks first; Escape keeps the cluster.
    const deleteButton = page.getByRole('button', { name: 'Delete cluster…' });
    await deleteButton.click();
    const dialog = page.getByRole('dialog', { name: `Delete ${clusterName}?` });
    await expect.poll(() => dialog.isVisible(), WAIT).toBe(true);
    await expect.poll(() => dialog.getByRole('button', { name: 'Go back' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await shot('dashboard-delete-confirm');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count(), WAIT).toBe(0);
    expect(await clusterStatus()).toBe('RUNNING');

    // Confirmed by keyboard: Tab to "Delete cluster", Enter.
    await deleteButton.click();
    await expect.poll(() => dialog.isVisible(), WAIT).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const deleteBar = page.getByRole('progressbar', { name: /^Progress of job DeleteCluster/ });
    await expect.poll(() => deleteBar.count(), WAIT).toBe(1);
    await expect.poll(clusterStatus, WAIT).toBe('DELETING');
    sim.clock.advance(150_000);
    await expect.poll(() => progressOf(deleteBar), WAIT).toBe(100);
    await expect.poll(clusterStatus, WAIT).toBe('DELETED');
    await expect.poll(() => page.getByText('This cluster has been deleted.').count(), WAIT).toBe(1);
    await shot('dashboard-deleted');
  });

  it('enrolls a cluster and cancels its job after confirmation; authorizes and shrinks a seeded cluster', async () => {
    await page.getByRole('link', { name: 'Back to all clusters' }).click();
    await page.getByRole('button', { name: 'Enroll cluster' }).click();
    const form = page.getByRole('form', { name: 'Enroll an existing EMS deployment' });
    const enrolled = `${clusterName}-enr`;
    await form.getByRole('textbox', { name: 'Name (required)', exact: true }).fill(enrolled);
    await form.getByRole('textbox', { name: /^CCE cluster ID/ }).fill(crypto.randomUUID());
    await form.getByRole('textbox', { name: /^Namespace of the deployment/ }).fill('ems-system');
    expect(await unlabelledControls(page)).toEqual([]);
    await form.getByRole('button', { name: 'Enroll cluster' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText(), WAIT).toBe(enrolled);

    // Cancel the enrollment while it waits to start: select the job, confirm.
    const job = page.locator('li.job', { has: page.getByRole('progressbar', { name: /^Progress of job EnrollCluster/ }) });
    await expect.poll(() => job.count(), WAIT).toBe(1);
    await job.getByRole('checkbox', { name: /^Select job EnrollCluster/ }).check();
    await page.getByRole('button', { name: 'Cancel selected jobs (1)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel 1 job?' });
    await dialog.getByRole('button', { name: 'Cancel jobs' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Cancelled 1 job.' }).count(), WAIT).toBe(1);
    await expect.poll(() => job.getAttribute('data-status'), WAIT).toBe('STOPPED');
    await expect.poll(clusterStatus, WAIT).toBe('DELETED');

    // A seeded RUNNING cluster of 4 nodes: authorize it, then shrink it by one node (confirmed).
    await page.getByRole('link', { name: 'Back to all clusters' }).click();
    await page.getByRole('searchbox', { name: 'Search by name' }).fill('kvcache-dev-02');
    await page.getByRole('link', { name: 'kvcache-dev-02', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText(), WAIT).toBe('kvcache-dev-02');
    await page.getByRole('button', { name: 'Authorize cluster' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'EMS granted the cluster the permissions it needs.' }).count(), WAIT).toBe(1);

    const shrink = page.getByRole('form', { name: 'Shrink' });
    await shrink.getByRole('textbox', { name: 'Nodes to remove' }).fill('kvcache-dev-02-n004');
    await shrink.getByRole('button', { name: 'Shrink cluster' }).click();
    await page.getByRole('dialog', { name: 'Remove 1 node(s) from kvcache-dev-02?' }).getByRole('button', { name: 'Shrink cluster' }).click();
    const bar = page.getByRole('progressbar', { name: /^Progress of job ShrinkCluster/ });
    await expect.poll(() => bar.count(), WAIT).toBe(1);
    await expect.poll(clusterStatus, WAIT).toBe('SHRINKING');
    sim.clock.advance(30_000);
    await expect.poll(() => progressOf(bar), WAIT).toBe(100);
    await expect.poll(clusterStatus, WAIT).toBe('RUNNING');
    await expect.poll(() => page.locator('dl.facts').innerText(), WAIT).toMatch(/Nodes\s+3\b/);

    // A refusal for the cluster's state shows above the form's buttons: expanding by a node it has.
    const expand = page.getByRole('form', { name: 'Expand' });
    await expand.getByRole('textbox', { name: 'Nodes to add' }).fill('kvcache-dev-02-n001');
    await expand.getByRole('button', { name: 'Expand cluster' }).click();
    await expect.poll(() => expand.getByRole('alert').innerText(), WAIT).toMatch(/\[UPSTREAM_VALIDATION\]/);
  });

  it('signs in with a gateway API key when the gateway authenticates its callers (GATEWAY_AUTH=apikey)', async () => {
    // A gateway that holds an EMS token itself, and admits callers by API key only.
    const key = apiKey('dashboard-e2e', ['admin']);
    const config = loadConfig({
      EMS_ENDPOINT: sim.url,
      EMS_AUTH_TOKEN: token,
      GATEWAY_AUTH: 'apikey',
      GATEWAY_API_KEYS: JSON.stringify([key.entry]),
      LOG_LEVEL: 'silent',
      AUDIT_LOG: 'off',
      POLL_ACTIVE_MS: '100',
    });
    const secured = await buildApp(config, { logger: pino({ level: 'silent' }), webDir: pathToFileURL(`${webDir}/`) });
    const securedBase = new URL(await secured.start(0, '127.0.0.1')).origin;
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      await other.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(`${securedBase}/`)) return route.continue();
        problems.push(`off-origin request refused: ${url}`);
        return route.abort('internetdisconnected');
      });
      const tab = await other.newPage();
      watch(tab);
      await tab.goto(`${securedBase}/`);

      // A wrong key is refused, and says so; the 401s it costs are the expected ones.
      await tab.getByRole('textbox', { name: 'Gateway credential' }).fill('egk_not-a-key');
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => tab.getByRole('alert').filter({ hasText: 'The gateway refused these credentials' }).count(), WAIT).toBe(1);
      const refused = problems.splice(0);
      expect(refused.length).toBeGreaterThan(0);
      for (const problem of refused) expect(problem).toMatch(/401/);

      // The right key: the fleet, then a cluster with its live status (graphql-ws, authorization in connection_init).
      await tab.getByRole('button', { name: 'Sign in again' }).click();
      await tab.getByRole('textbox', { name: 'Gateway credential' }).fill(key.key);
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => tab.locator('table.fleet tbody tr').count(), WAIT).toBeGreaterThan(10);
      expect(await tab.evaluate(() => sessionStorage.getItem('ems-gateway.token'))).toBeNull();
      await tab.getByRole('link', { name: 'kvcache-prod-01', exact: true }).click();
      await expect.poll(() => tab.getByTestId('cluster-status').innerText(), WAIT).toBe('RUNNING');
      await expect.poll(() => tab.getByRole('progressbar').count(), WAIT).toBeGreaterThan(0);
      await shot('dashboard-api-key', tab);
    } finally {
      await other.close();
      await secured.stop();
    }
  });

  it('GraphiQL, linked from the dashboard, runs a query and a subscription with the Headers pane token, kept across reloads', async () => {
    await page.getByRole('link', { name: 'GraphiQL' }).click();
    await page.waitForURL(`${base}/graphql`);
    const sent: unknown[] = [];
    page.on('websocket', (ws) => ws.on('framesent', (frame) => sent.push(JSON.parse(String(frame.payload)))));

    const queryEditor = page.locator('.graphiql-query-editor .monaco-editor');
    const toolEditor = page.locator('.graphiql-editor-tool .monaco-editor:visible');
    // Monaco renders spaces as no-break spaces.
    const responseText = async () => (await page.locator('.graphiql-response').innerText()).replace(/\u00a0/g, ' ');
    // What GraphiQL keeps of an editor (in localStorage): it runs what it keeps, so an edit counts once kept.
    const kept = (editor: 'query' | 'variables' | 'headers') => page.evaluate((key) => localStorage.getItem(key) ?? '', `graphiql:${editor}`);
    await queryEditor.getByText('clusters(first').waitFor(WAIT);

    // The token goes between the quotes of the Headers pane's "X-Auth-Token": "".
    await toolEditor.getByText('X-Auth-Token').click();
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.insertText(token);
    await expect.poll(() => kept('headers'), WAIT).toContain(token);

    // The Fleet query: cursor in it, Ctrl-Enter.
    await queryEditor.getByText('clusters(first').click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(responseText, WAIT).toMatch(/"totalCount": \d+/);
    await shot('graphiql-query', page);

    // A job to follow, submitted while the clock stands still.
    const created = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': token },
      body: JSON.stringify({
        query: 'mutation ($input: CreateClusterInput!) { createCluster(input: $input) { ... on CreateClusterPayload { jobId } } }',
        variables: { input: { name: `${clusterName}-gql`, k8s: { k8sClusterId: crypto.randomUUID() } } },
      }),
    });
    const jobId: string = ((await created.json()) as { data: { createCluster: { jobId: string } } }).data.createCluster.jobId;

    // Variables, pasted; then the WatchJob subscription (the document's last operation).
    await page.getByRole('button', { name: 'Variables' }).click();
    await toolEditor.click();
    await page.evaluate((text) => navigator.clipboard.writeText(text), JSON.stringify({ id: jobId }));
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+V');
    await expect.poll(() => kept('variables'), WAIT).toContain(jobId);
    await queryEditor.getByText('clusters(first').click();
    await page.keyboard.press('Control+End');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Control+Enter');
    await expect.poll(responseText, WAIT).toContain(jobId);
    await expect.poll(responseText, WAIT).toMatch(/"status": "INIT"/);
    sim.clock.advance(200_000);
    await expect.poll(responseText, WAIT).toMatch(/"status": "COMPLETED"/);
    await shot('graphiql-subscription', page);
    // The WebSocket was authenticated by the Headers pane's token, in connection_init.
    expect(sent).toContainEqual({ type: 'connection_init', payload: { headers: { 'X-Auth-Token': token } } });

    // After a reload GraphiQL opens a fresh tab (its own habit); the Headers pane still holds the
    // token, so a query typed there runs as is.
    await page.reload();
    await queryEditor.waitFor(WAIT);
    await page.getByRole('button', { name: 'Headers' }).click();
    await expect.poll(async () => (await toolEditor.innerText()).replace(/\u00a0/g, ' '), WAIT).toContain(`"X-Auth-Token": "${token.slice(0, 20)}`);
    await queryEditor.click();
    await page.evaluate((text) => navigator.clipboard.writeText(text), 'query AfterReload { clusters(first: 1) { totalCount } }');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+V');
    await expect.poll(() => kept('query'), WAIT).toContain('AfterReload');
    await page.keyboard.press('Control+Enter');
    await expect.poll(responseText, WAIT).toMatch(/"totalCount": \d+/);
  });

  it('keeps one idempotency key per submission across retries, and takes a new one when the form changes', async () => {
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator('table.fleet tbody tr').count(), WAIT).toBeGreaterThan(0);
    const keys: string[] = [];
    const onRequest = (request: import('playwright-core').Request) => {
      if (request.method() !== 'POST' || request.url() !== `${base}/graphql`) return;
      const body = request.postDataJSON() as { query?: string; variables?: { input?: { idempotencyKey?: string } } } | null;
      if (body?.query?.includes('createCluster(')) keys.push(body.variables!.input!.idempotencyKey!);
    };
    page.on('request', onRequest);
    try {
      await page.getByRole('button', { name: 'New cluster' }).click();
      const form = page.getByRole('form', { name: 'New cluster' });
      const name = form.getByRole('textbox', { name: 'Name (required)', exact: true });
      const submit = form.getByRole('button', { name: 'Create cluster' });
      const first = `retry-e2e-${Date.now().toString(36)}`;
      await name.fill(first);
      await form.getByRole('textbox', { name: /^CCE cluster ID/ }).fill(crypto.randomUUID());
      // EMS fails every create: each attempt is refused, so the key is free for the next.
      sim.setFaults({ errorRate: 1, operations: ['CreateCluster'] });
      for (let attempt = 1; attempt <= 2; attempt++) {
        await submit.click();
        await expect.poll(() => keys.length, WAIT).toBe(attempt);
        await expect.poll(() => form.getByRole('alert').count(), WAIT).toBe(1);
        await expect.poll(() => submit.isEnabled(), WAIT).toBe(true);
      }
      expect(keys[1]).toBe(keys[0]);
      // A changed form is another submission.
      const second = `${first}-b`;
      await name.fill(second);
      await submit.click();
      await expect.poll(() => keys.length, WAIT).toBe(3);
      expect(keys[2]).not.toBe(keys[0]);
      await expect.poll(() => submit.isEnabled(), WAIT).toBe(true);
      // EMS answers again: the retry, with the same key, creates the cluster once.
      sim.resetFaults();
      await submit.click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText(), WAIT).toBe(second);
      expect(keys).toHaveLength(4);
      expect(keys[3]).toBe(keys[2]);
    } finally {
      page.off('request', onRequest);
      sim.resetFaults();
    }
  });

  it('shows the error state instead of an empty table when the token is refused, and every error of a failed read', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('textbox', { name: /EMS token/ }).fill(`not-a-token-${crypto.randomUUID()}`);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'The gateway refused these credentials' }).count(), WAIT).toBe(1);
    expect(await page.locator('table.fleet').count()).toBe(0);
    expect(await page.getByText(/^Showing \d+ of \d+ clusters$/).count()).toBe(0);
    await shot('dashboard-token-refused');
    // The 401s of the refused token are the expected ones.
    for (const problem of problems.splice(0)) expect(problem).toMatch(/401/);

    await page.getByRole('button', { name: 'Sign in again' }).click();
    await page.getByRole('textbox', { name: /EMS token/ }).fill(token);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('table.fleet tbody tr').count(), WAIT).toBeGreaterThan(0);

    // A fleet that cannot be read: its errors, each with its code, listed.
    sim.setFaults({ errorRate: 1, operations: ['ListClusters'] });
    try {
      await page.getByRole('button', { name: 'Refresh' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'The fleet could not be read' });
      await expect.poll(() => alert.count(), WAIT).toBe(1);
      const items = await alert.getByRole('listitem').allInnerTexts();
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) expect(item).toMatch(/\[[A-Z_]+\]$/);
    } finally {
      sim.resetFaults();
    }
  });

  it('links GraphiQL only when the gateway serves it (GRAPHIQL)', async () => {
    expect(await page.getByRole('link', { name: 'GraphiQL' }).count()).toBe(1);
    const config = loadConfig({ EMS_ENDPOINT: sim.url, GRAPHIQL: 'false', LOG_LEVEL: 'silent', AUDIT_LOG: 'off' });
    const off = await buildApp(config, { logger: pino({ level: 'silent' }), webDir: pathToFileURL(`${webDir}/`) });
    const offBase = new URL(await off.start(0, '127.0.0.1')).origin;
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      await other.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(`${offBase}/`)) return route.continue();
        problems.push(`off-origin request refused: ${url}`);
        return route.abort('internetdisconnected');
      });
      const tab = await other.newPage();
      watch(tab);
      await tab.goto(`${offBase}/`);
      await tab.getByRole('textbox', { name: /EMS token/ }).fill(token);
      await tab.keyboard.press('Enter');
      await expect.poll(() => tab.locator('table.fleet tbody tr').count(), WAIT).toBeGreaterThan(0);
      expect(await tab.getByRole('link', { name: 'GraphiQL' }).count()).toBe(0);
      expect(await tab.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    } finally {
      await other.close();
      await off.stop();
    }
  });
}, 180_000);
