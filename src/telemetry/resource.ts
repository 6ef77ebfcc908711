/**
 * Resource attributes (DESIGN §6): the service, the SDK, the browser's coarse
 * capabilities. Never a user id, a URL path or the user agent string.
 */
import type { EngineEnvironment } from '../worker/protocol.js';
import { SDK_NAME, SDK_VERSION } from './names.js';
import type { AttributeValue } from './otlp.js';

interface UserAgentData {
  brands?: Array<{ brand: string; version: string }>;
  platform?: string;
  mobile?: boolean;
}

/**
 * @example
 * ```ts
 * resourceAttributes('shop.example', await engine.environment());
 * ```
 */
export function resourceAttributes(serviceName: string | undefined, env: EngineEnvironment | undefined): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {
    'service.name': serviceName ?? globalThis.location?.host ?? 'unknown',
    'telemetry.sdk.name': SDK_NAME,
    'telemetry.sdk.language': 'webjs',
    'telemetry.sdk.version': SDK_VERSION,
  };
  const uaData = (globalThis.navigator as Navigator & { userAgentData?: UserAgentData } | undefined)?.userAgentData;
  if (uaData?.brands) attributes['browser.brands'] = uaData.brands.map((b) => `${b.brand} ${b.version}`);
  if (uaData?.platform !== undefined) attributes['browser.platform'] = uaData.platform;
  if (uaData?.mobile !== undefined) attributes['browser.mobile'] = uaData.mobile;
  const cores = env?.hardwareConcurrency ?? globalThis.navigator?.hardwareConcurrency;
  if (typeof cores === 'number') attributes['host.cpu.count'] = cores;
  if (env?.webgpu.available) {
    attributes['webgpu.adapter.vendor'] = env.webgpu.vendor;
    attributes['webgpu.adapter.architecture'] = env.webgpu.architecture;
  }
  return attributes;
}
