import type { EngineEnvironment, WebGpuInfo } from './protocol.js';

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/** What this worker can run on, probed once: WebGPU adapter, WASM threads and SIMD. */
export async function probeEnvironment(): Promise<EngineEnvironment> {
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    threads: globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function',
    simd: wasmSimdSupported(),
    hardwareConcurrency: navigator.hardwareConcurrency ?? 1,
    userAgent: navigator.userAgent,
    webgpu: await probeWebGpu(),
  };
}

async function probeWebGpu(): Promise<WebGpuInfo> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return { available: false, reason: 'navigator.gpu is not exposed' };
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (error) {
    return { available: false, reason: `requestAdapter failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!adapter) return { available: false, reason: 'requestAdapter returned no adapter' };
  const info = adapter.info ?? {};
  const description = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  // SwiftShader (and other CPU rasterisers) are real WebGPU but no accelerator.
  const software =
    info.isFallbackAdapter === true || adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|software/i.test(description);
  return {
    available: true,
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description,
    software,
  };
}

/** Validates a tiny module that uses a v128 instruction. */
function wasmSimdSupported(): boolean {
  try {
    return WebAssembly.validate(
      new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]),
    );
  } catch {
    return false;
  }
}

/** Stable text naming this device, so a measured backend choice is reused only where it was made. */
export function deviceFingerprint(env: EngineEnvironment): string {
  const gpu = env.webgpu.available ? `${env.webgpu.description}${env.webgpu.software ? ' (software)' : ''}` : 'no-webgpu';
  return [env.userAgent, `cores=${env.hardwareConcurrency}`, `threads=${env.threads}`, `simd=${env.simd}`, gpu].join('|');
}
