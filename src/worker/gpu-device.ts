import type * as Ort from 'onnxruntime-web';

interface LosableDevice {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}

/**
 * Watches onnxruntime's WebGPU device: once it is lost, WebGPU sessions return garbage
 * instead of failing, so the engine must know and refuse their results.
 */
export class GpuDeviceWatch {
  #device: LosableDevice | undefined;
  lost = false;
  lostReason = '';

  /** Called after a WebGPU session starts, when `ort` (the WebGPU build) has made its device. */
  async watch(ort: typeof Ort): Promise<void> {
    if (this.#device) return;
    const device = (await ort.env.webgpu.device) as unknown as LosableDevice | undefined;
    if (!device) return;
    this.#device = device;
    void device.lost.then((info) => {
      this.lost = true;
      this.lostReason = info.message || info.reason || 'unknown';
    });
  }

  async destroy(): Promise<void> {
    if (!this.#device) throw new Error('no WebGPU device has been created');
    this.#device.destroy();
    await this.#device.lost;
  }
}
