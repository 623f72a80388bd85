// Accessibility checks the specs share: axe's serious and critical WCAG 2.1
// AA findings of a page (a spec expects none), and the same in light and
// dark with an optional screenshot of each for a human to look at.
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/**
 * Waits until the page's CSS transitions and finite animations have ended:
 * axe measures contrast against the colours on screen, and a card whose
 * background is still fading after a colour-scheme switch or a re-render
 * shows its text on neither scheme's colour (the fleet page's count cards
 * failed so in CI, twice). getAnimations() applies pending style changes
 * first, so transitions a switch just started are among them.
 */
async function transitionsEnded(page: Page) {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
}

/** Serious and critical WCAG 2.1 AA violations of a page, outside what `exclude` names. */
export async function seriousViolations(page: Page, exclude?: string) {
  await transitionsEnded(page);
  let axe = new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]);
  if (exclude !== undefined) axe = axe.exclude(exclude);
  const results = await axe.analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
    }));
}

/**
 * No serious violation on the page in light nor in dark; with `shots` (a
 * folder), a full-page screenshot of each as `<name>-<scheme>.png`.
 */
export async function checkBothSchemes(
  page: Page,
  name: string,
  { shots }: { shots?: string } = {},
) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    expect(await seriousViolations(page), `${name} (${colorScheme})`).toEqual([]);
    if (shots)
      await page.screenshot({ path: `${shots}/${name}-${colorScheme}.png`, fullPage: true });
  }
}
