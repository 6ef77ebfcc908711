// 'auto' explained in words, from the model's backendInfo and the adapter this page sees.
import type { Model } from './outpost.js';
import { formatMs } from './stats.js';

export interface AdapterFacts {
  available: boolean;
  vendor?: string;
  architecture?: string;
  description?: string;
  software: boolean;
}

export function explainAuto(info: Model['backendInfo'], adapter: AdapterFacts): string {
  const t = info.timings;
  const timings =
    t.webgpu !== undefined && t.wasm !== undefined
      ? `WebGPU took ${formatMs(t.webgpu)} ms and WASM ${formatMs(t.wasm)} ms per warm-up run`
      : '';
  const software = adapter.software
    ? ` The WebGPU adapter here is a software one (${adapter.description || adapter.vendor || 'a fallback adapter'}): it emulates a GPU on the CPU, shader by shader, so it loses to WASM's SIMD kernels by a wide margin. A hardware adapter would be measured the same way and could win.`
    : '';
  const failed = info.attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ');
  switch (info.reason) {
    case 'measured':
      return `'auto' started both backends and timed a short warm-up: ${timings}. It kept ${info.backend.toUpperCase()}, the faster, and remembers that for this model version on this device.${software}`;
    case 'remembered':
      return `'auto' measured this model version on this device before${timings ? ` (${timings})` : ''} and started straight on ${info.backend.toUpperCase()}.${software}`;
    case 'only-candidate':
      return `'auto' ran on ${info.backend.toUpperCase()} because it was the only backend available${failed ? ` (${failed})` : ''}.`;
    case 'fallback':
      return `'auto' fell back to ${info.backend.toUpperCase()}${failed ? `: ${failed}` : ''}.`;
    default:
      return `The backend was named by the caller: ${info.backend.toUpperCase()}.${software}`;
  }
}

export async function adapterFacts(): Promise<AdapterFacts> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return { available: false, software: false };
  try {
    const adapter = (await gpu.requestAdapter()) as
      | { info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean }
      | null;
    if (!adapter) return { available: false, software: false };
    const info = adapter.info ?? {};
    const description = info.description ?? '';
    const software =
      info.isFallbackAdapter === true || adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|software/i.test(`${description} ${info.vendor ?? ''} ${info.architecture ?? ''}`);
    return { available: true, vendor: info.vendor ?? '', architecture: info.architecture ?? '', description, software };
  } catch {
    return { available: false, software: false };
  }
}
