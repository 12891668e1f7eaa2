import { chromium } from 'playwright';
const base = 'http://127.0.0.1:8093';
const [email, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
for (const width of [1280, 320]) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(base + '/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', 'demo-cordon-planning-2026');
  await page.click('button[type=submit]');
  for (const p of paths) {
    let url = p;
    if (p.startsWith('FIRST:')) {
      // follow the first link matching a prefix from /advice or /events
      const [, from, prefix] = p.split(':');
      await page.goto(base + from);
      url = await page.$eval(`a[href^="${prefix}"]`, a => a.getAttribute('href'));
    }
    await page.goto(base + url);
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    const name = `/tmp/shot-${width}-${url.replace(/[^a-z0-9]+/gi, '_').slice(0, 60)}.png`;
    await page.screenshot({ path: name, fullPage: width === 320 ? false : false });
    console.log(width, url, 'scrollWidth', sw, name);
  }
  await page.close();
}
await browser.close();
