/**
 * `model em --svg` drawn by a real browser (issue 14): Debian's chromium, headless and
 * offline, loads a page embedding each SVG and reports every <text>'s box in canvas
 * coordinates (getBoundingClientRect, so rotated labels count as drawn); every box must
 * lie inside the canvas. A device's axis says it is a device's power, and the legend
 * names inefficient states only when some are marked.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, example, requireTool, toolPath, TOOLS } from './helpers.js';
import { makeTempDir } from './fixtures/sysfs.js';


interface Box { text: string; x: number; y: number; w: number; h: number }
interface Measured { width: number; height: number; texts: Box[] }

/** the boxes of every text of `svgFile` as chromium draws it */
function measure(svgFile: string, dir: string): Measured {
  const svg = fs.readFileSync(svgFile, 'utf8').replace(/^<\?xml[^>]*>\n/, '');
  const page = path.join(dir, `${path.basename(svgFile)}.html`);
  fs.writeFileSync(page, `<!doctype html><html><body style="margin:0">${svg}<script>
const svg = document.querySelector('svg');
const r0 = svg.getBoundingClientRect();
const texts = [...svg.querySelectorAll('text')].map((t) => {
  const b = t.getBoundingClientRect();
  return { text: t.textContent, x: b.left - r0.left, y: b.top - r0.top, w: b.width, h: b.height };
});
const pre = document.createElement('pre');
pre.id = 'boxes';
pre.textContent = JSON.stringify({ width: r0.width, height: r0.height, texts });
document.body.appendChild(pre);
</script></body></html>`);
  const profile = fs.mkdtempSync(path.join(dir, 'chromium-profile-'));
  const r = spawnSync(toolPath(TOOLS.chromium)!, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--dump-dom', `file://${page}`,
  ], { encoding: 'utf8', timeout: 60000, env: { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8' } });
  const m = /<pre id="boxes">(.*?)<\/pre>/s.exec(r.stdout ?? '');
  assert.ok(m, `chromium printed no boxes (status ${r.status}): ${String(r.stderr).slice(-500)}`);
  return JSON.parse(m[1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as Measured;
}

function assertInside(m: Measured, label: string): void {
  assert.ok(m.texts.length > 10, `${label}: texts measured`);
  for (const b of m.texts) {
    const where = `${label}: "${b.text}" at x ${b.x.toFixed(1)}…${(b.x + b.w).toFixed(1)}, y ${b.y.toFixed(1)}…${(b.y + b.h).toFixed(1)} on a ${m.width}×${m.height} canvas`;
    assert.ok(b.w > 0 && b.h > 0, `${where}: drawn`);
    assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.w <= m.width && b.y + b.h <= m.height, `${where}: clipped`);
  }
}

describe('model em --svg in a browser', requireTool(TOOLS.chromium), () => {
  let dir: string;
  before(() => { dir = makeTempDir('powercapctl-plot-'); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const svgOf = (domain: string) => {
    const file = path.join(dir, `${domain}.svg`);
    const r = run(['--snapshot', example('rk3399-dtpm'), 'model', 'em', '-d', domain, '--svg', file]);
    assert.equal(r.code, 0, r.stderr);
    return file;
  };

  test('the GPU (a device, no inefficient state): every label inside, "800 MHz" and the legend too', () => {
    const file = svgOf('ff9a0000.gpu');
    const m = measure(file, dir);
    assertInside(m, 'ff9a0000.gpu');
    const texts = m.texts.map((b) => b.text);
    assert.ok(texts.includes('800 MHz'), texts.join(' | '));
    assert.ok(texts.includes('power of the device'), texts.join(' | '));
    assert.ok(!texts.includes('power per CPU'));
    assert.ok(texts.includes('ff9a0000.gpu (device): energy model, 6 states'), texts.join(' | '));
    assert.ok(texts.includes('performance state'));
    assert.ok(!texts.some((t) => /inefficient/.test(t)), 'no legend entry for what is not marked');
    assert.equal(fs.readFileSync(file, 'utf8').match(/class="inefficient"/g), null);
  });

  for (const [domain, bad] of [['cpu0', 1], ['cpu4', 2]] as const) {
    test(`${domain} (CPUs, ${bad} inefficient): two panels, every label inside, the legend counts them`, () => {
      const file = svgOf(domain);
      const m = measure(file, dir);
      assertInside(m, domain);
      const texts = m.texts.map((b) => b.text);
      assert.ok(texts.includes('power per CPU'));
      assert.ok(texts.includes('cost (power × 10 / performance)'));
      assert.ok(texts.includes(`inefficient (${bad}): a faster state does the same work for less energy`), texts.join(' | '));
      // one marker per inefficient state in each of the two panels
      assert.equal(fs.readFileSync(file, 'utf8').match(/class="inefficient"/g)?.length, 2 * bad);
    });
  }
});
