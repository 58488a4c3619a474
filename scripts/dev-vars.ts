import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { experimental_readRawConfig } from "wrangler";
import { z } from "zod";

/** wrangler's local configuration file, next to wrangler.toml. */
export const DEV_VARS = ".dev.vars";
const EXAMPLE = ".dev.vars.example";

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof Error && "code" in err && err.code === "ENOENT") return null;
    throw err;
  }
}

/** The variables of .dev.vars as wrangler reads them (dotenv syntax), or null when absent. */
export function readDevVars(path = DEV_VARS): Record<string, string> | null {
  const text = readText(path);
  if (text === null) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseEnv(text))) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Creates .dev.vars from the example with a fresh AUTH_SECRET when it is absent.
 * Never overwrites: the file is opened exclusively, so a concurrent or existing one wins.
 */
export function ensureDevVars(path = DEV_VARS): boolean {
  if (readText(path) !== null) return false;
  const example = readText(EXAMPLE);
  if (example === null) throw new Error(`${EXAMPLE} is missing; it is the template for ${path}.`);
  const secret = randomBytes(32).toString("base64url");
  const text = example.replace(/^AUTH_SECRET=.*$/m, `AUTH_SECRET=${secret}`);
  try {
    writeFileSync(path, text, { flag: "wx", mode: 0o600 });
  } catch (err) {
    if (err instanceof Error && "code" in err && err.code === "EEXIST") return false;
    throw err;
  }
  return true;
}

/**
 * Sets a variable that is empty or absent in .dev.vars, keeping every other line as written.
 * A variable that already has a value is left alone.
 */
export function fillDevVar(name: string, value: string, path = DEV_VARS): void {
  const text = readText(path) ?? "";
  const current = parseEnv(text)[name];
  if (current !== undefined && current.trim() !== "") return;
  const line = new RegExp(`^${name}=.*$`, "m");
  const next = line.test(text)
    ? text.replace(line, `${name}=${value}`)
    : `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${name}=${value}\n`;
  writeFileSync(path, next);
}

const WranglerConfigSchema = z.object({
  name: z.string(),
  compatibility_date: z.string(),
  compatibility_flags: z.array(z.string()).optional(),
  d1_databases: z.array(z.looseObject({ binding: z.string() })).optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
});
export type WranglerConfig = z.infer<typeof WranglerConfigSchema>;

/** wrangler.toml, read by wrangler's own parser. */
export function readWranglerConfig(path = "wrangler.toml"): WranglerConfig {
  return WranglerConfigSchema.parse(experimental_readRawConfig({ config: path }).rawConfig);
}

/** The variables `wrangler dev` gives the Worker: wrangler.toml's [vars], then .dev.vars. */
export function localVars(wrangler = readWranglerConfig()): Record<string, unknown> {
  return { ...wrangler.vars, ...readDevVars() };
}
