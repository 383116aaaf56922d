// Drives the console in Debian's Chromium (playwright-core, no browser download): the call
// screen sees a ticket the clerk calls, the clerk accepts a case through the checklist form,
// the reviewer decides it. Run by tests/integration/test_console.py, which starts the hall,
// prepares the staff and the ticket, and checks the outcome through the API. The plan comes
// as JSON on argv[2]; the outcome is printed as one JSON line on stdout.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const plan = JSON.parse(process.argv[2]);
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
const ROLE_SIZE = { width: 1366, height: 768 }, SCREEN_SIZE = { width: 1920, height: 1080 };
const out = { consoleErrors: [], failedCalls: [], steps: [] };
const pages = [];
if (plan.screens) mkdirSync(plan.screens, { recursive: true });

const browser = await chromium.launch({ executablePath: plan.chromium || "/usr/bin/chromium", args: FLAGS });

async function page(size, init) {
  const context = await browser.newContext({ viewport: size, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  if (init) await context.addInitScript(init.fn, init.arg);
  const p = await context.newPage();
  pages.push(p);
  p.on("console", (m) => { if (m.type() === "error") out.consoleErrors.push(`${p.url()}: ${m.text()}`); });
  p.on("pageerror", (e) => out.consoleErrors.push(`${p.url()}: ${e.message}`));
  p.on("response", async (r) => {
    if (r.status() >= 400) out.failedCalls.push(`${r.url()} ${r.status()} ${(await r.text().catch(() => "")).slice(0, 300)}`);
  });
  p.setDefaultTimeout(15000);
  return p;
}

async function shot(p, name) {
  if (plan.screens) await p.screenshot({ path: `${plan.screens}/${name}.png` });
}

async function signIn(p, who) {
  await p.goto(`${plan.base}/login`);
  await p.locator("input[name=staffId]").fill(who.staffId);
  await p.locator("input[name=password]").fill(who.password);
  await p.locator("input[name=password]").press("Enter");  // the keyboard alone signs in
  await p.waitForURL((u) => !u.pathname.startsWith("/login"));
}

// an Element Plus input: its attributes land on the <input> itself
const field = (name) => `:is(input[data-test=${name}], [data-test=${name}] input)`;

// an Element Plus select: open it, then the option whose text contains `text`
async function choose(p, selector, text) {
  await p.locator(selector).click();
  await p.keyboard.type(text);  // filterable: the list narrows as the clerk types
  await p.locator(".el-select-dropdown__item:visible", { hasText: text }).first().click();
}

try {
  // -- the call screen, then the clerk calls the ticket the kiosk gave ----------------------
  const screen = await page(SCREEN_SIZE);
  await screen.goto(`${plan.base}/screen/${plan.site}`);
  await screen.locator(".title", { hasText: "叫号信息" }).waitFor();

  const clerk = await page(ROLE_SIZE, { fn: (w) => { try { localStorage.setItem("hall.window", w); } catch { /* the sandboxed document preview */ } }, arg: plan.window });
  await signIn(clerk, plan.clerk);
  await clerk.locator("[data-test=call-next]").waitFor();
  const [called] = await Promise.all([
    clerk.waitForResponse((r) => r.url().endsWith("/hall.v1.FrontDesk/CallNext")),
    clerk.locator("[data-test=call-next]").click(),
  ]);
  const calledAt = Date.now();
  const ticket = await called.json();
  out.ticket = ticket.number;
  await screen.locator("[data-test=call] .no", { hasText: ticket.number }).first().waitFor({ timeout: plan.boardTimeoutMs });
  out.boardMs = Date.now() - calledAt;
  await shot(screen, "call-screen");
  out.steps.push("call screen showed the ticket");

  // -- acceptance through the checklist form --------------------------------------------
  await choose(clerk, "[data-test=item]", plan.item);
  await clerk.locator("[data-test=checklist]").waitFor();
  const a = plan.applicant;
  await clerk.locator(field("applicant-name")).fill(a.name);
  await Promise.all([  // leaving the ID field looks the applicant up in the e-licence library
    clerk.waitForResponse((r) => r.url().endsWith("/hall.v1.BackOffice/FindLicences")),
    clerk.locator(field("applicant-id")).fill(a.id_number).then(() => clerk.locator(field("applicant-id")).press("Tab")),
  ]);
  await clerk.locator(field("applicant-rep")).fill(a.legal_representative);
  await clerk.locator(field("applicant-phone")).fill(a.phone);
  const boxes = clerk.locator("[data-test=checklist] .el-checkbox");
  for (let i = 0; i < await boxes.count(); i++) {
    if (!(await boxes.nth(i).locator("input").isChecked())) await boxes.nth(i).click();
  }
  out.checked = await clerk.locator("[data-test=checklist] .el-checkbox.is-checked").count();
  out.materials = await boxes.count();
  await shot(clerk, "clerk");
  await clerk.locator("[data-test=submit]").click();
  out.caseNo = (await clerk.locator("[data-test=case-no]").textContent()).trim();
  out.resultTitle = (await clerk.locator("[data-test=result] .el-alert__title").textContent()).trim();
  await clerk.frameLocator("iframe.doc").locator("body", { hasText: out.caseNo }).waitFor();
  await shot(clerk, "clerk-result");
  await clerk.getByRole("button", { name: "关闭", exact: true }).click();
  await clerk.locator("[data-test=current-ticket]").waitFor({ state: "detached" });
  out.steps.push("clerk accepted the case");

  // -- the reviewer decides it ------------------------------------------------------------
  const reviewer = await page(ROLE_SIZE);
  await signIn(reviewer, plan.reviewer);
  const row = reviewer.locator("[data-test=worklist] .el-table__body-wrapper tr", { hasText: out.caseNo });
  for (let i = 0; i < 60 && !(await row.count()); i++) {  // routing is asynchronous: refresh until it arrives
    await reviewer.waitForTimeout(500);
    await reviewer.getByRole("button", { name: "刷新" }).click();
  }
  await shot(reviewer, "reviewer");
  // the fixed column of actions is its own table in Element Plus: find its row by index
  const fixedRow = reviewer.locator(`[data-test=worklist] .el-table__body tr:has-text("${out.caseNo}")`).first();
  await fixedRow.getByRole("button", { name: "决定" }).click();
  await reviewer.locator("[data-test=outcome]").getByText("准予许可").click();
  await reviewer.locator("[data-test=confirm-decision]").click();
  await reviewer.locator(".el-message--success", { hasText: "已决定" }).waitFor();
  out.steps.push("reviewer decided");

  // -- other homes, for the screenshots --------------------------------------------------
  for (const [name, who] of Object.entries(plan.others || {})) {
    const p = await page(ROLE_SIZE);
    await signIn(p, who);
    await p.waitForLoadState("networkidle");
    await p.waitForTimeout(300);  // let charts finish their animation
    await shot(p, name);
  }
  {
    await clerk.goto(`${plan.base}/rate?case=${out.caseNo}&ticket=${out.ticket}&window=${plan.window}`);
    await clerk.locator("[data-test=level-5]").click();
    await shot(clerk, "rating-pad");
    await clerk.locator("[data-test=rate]").click();
    await clerk.locator("[data-test=thanks]").waitFor();
    out.steps.push("applicant rated");
  }
} catch (err) {
  out.error = String(err && err.stack || err).slice(0, 2000);
  if (plan.screens) for (const [i, p] of pages.entries()) await p.screenshot({ path: `${plan.screens}/failed-${i}.png` }).catch(() => {});
} finally {
  await browser.close();
  console.log(JSON.stringify(out));
}
