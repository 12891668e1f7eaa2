import { chromium } from 'playwright';
const [email, url, sel, width, out] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: +width, height: 900 } });
await page.goto('http://127.0.0.1:8093/sign-in');
await page.fill('#email', email); await page.fill('#password', 'demo-cordon-planning-2026');
await page.click('button[type=submit]');
await page.goto('http://127.0.0.1:8093' + url);
await page.locator(sel).first().screenshot({ path: out });
if (process.argv[7] === 'pdf') { await page.pdf({ path: out.replace('.png', '.pdf'), format: 'A4' }); }
await browser.close();
