// The colour theme: the operator's choice in a cookie, read by the layout on
// the server (html[data-theme]) and written by ThemeToggle; `system` follows
// prefers-color-scheme (app/globals.css defines the `dark:` variant so).

export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];
export const THEME_COOKIE = "fleet_theme";

export function parseTheme(value: string | undefined): Theme {
  return value === "light" || value === "dark" ? value : "system";
}
