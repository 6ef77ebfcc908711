/**
 * The drift plugin from the `outpost collector` flags: `--registry <dir|url>`,
 * `--root <root.json>`, `--alert-webhook <url>`, `--drift-window <minutes>`. Without
 * `--registry` there is nothing to score against and no plugin is made.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';
import { driftPlugin } from './plugin.js';
import { ReferenceBook } from './references.js';
import { registryReader } from './registry-source.js';
import { createWebhookNotifier } from './webhook.js';

export interface DriftFlags {
  registry?: string;
  root?: string;
  alertWebhook?: string;
  /** Drift window in minutes. @default 60 */
  windowMinutes?: number;
}

/**
 * @example
 * ```ts
 * const drift = await driftPluginFromFlags({ registry: values.registry, root: values.root, alertWebhook: values['alert-webhook'] });
 * const app = await buildCollectorApp({ store, plugins: drift === undefined ? [] : [drift] });
 * ```
 */
export async function driftPluginFromFlags(flags: DriftFlags): Promise<FastifyPluginAsync | undefined> {
  if (flags.registry === undefined) {
    if (flags.root !== undefined || flags.alertWebhook !== undefined) throw new TypeError('--root and --alert-webhook need --registry');
    return undefined;
  }
  if (flags.root === undefined) throw new TypeError('--registry needs --root <root.json>, the root the registry is verified against');
  if (flags.alertWebhook !== undefined && !/^https?:\/\//i.test(flags.alertWebhook)) throw new TypeError('--alert-webhook must be an http(s) URL');
  const references = new ReferenceBook(registryReader(flags.registry), await readFile(flags.root));
  return driftPlugin({
    references,
    ...(flags.alertWebhook === undefined ? {} : { webhook: createWebhookNotifier({ url: flags.alertWebhook }) }),
    ...(flags.windowMinutes === undefined ? {} : { windowMs: flags.windowMinutes * 60_000 }),
  });
}
