// Starts a fake upstream + the real gateway through the python harness
// (`harness.py up`, see tests/integration/harness.py) and hands back their URLs and the fixed
// numbers the fake answers with. Shared by the conformance suites.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function requireNodeModules() {
  if (!existsSync(join(here, 'node_modules', 'openai')) ||
      !existsSync(join(here, 'node_modules', '@anthropic-ai', 'sdk'))) {
    throw new Error('tests/node/node_modules is missing the SDKs: run scripts/install-deps.sh ' +
                    '(or `npm ci` in tests/node)');
  }
}

export async function startGateway(scenario = 'conformance') {
  const harness = join(here, '..', 'integration', 'harness.py');
  const child = spawn('/usr/bin/python3', [harness, 'up', '--scenario', scenario], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: process.env,
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('harness did not start:\n' + stderr)), 30000);
    lines.once('line', (l) => { clearTimeout(timer); resolve(l); });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`harness exited ${code}:\n${stderr}`));
    });
  });
  const info = JSON.parse(first);
  if (info.error) throw new Error(info.error);
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    ...info,
    // Sequences of behaviours for the next requests of one upstream model (fake control API).
    async script(model, responses) {
      const r = await fetch(info.fake + '/_control/script', {
        method: 'POST', body: JSON.stringify({ model, responses }),
      });
      if (!r.ok) throw new Error('script failed');
    },
    async upstreamRequests() {
      return (await fetch(info.fake + '/_control/requests')).json();
    },
    async reset() {
      await fetch(info.fake + '/_control/reset', { method: 'POST' });
    },
    // Stops the gateway gracefully; resolves to {code, stderr} (code 0 = gateway exited 0).
    async stop() {
      child.stdin.end();
      const code = await exited;
      return { code, stderr };
    },
  };
}
