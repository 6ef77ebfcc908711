// Collects the microphone's samples into 512-sample frames (Silero VAD's frame at 16 kHz)
// and posts each to the page.
class FrameCollector extends AudioWorkletProcessor {
  constructor() {
    super();
    this.frame = new Float32Array(512);
    this.filled = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) {
      for (let i = 0; i < channel.length; i++) {
        this.frame[this.filled++] = channel[i];
        if (this.filled === this.frame.length) {
          this.port.postMessage(this.frame);
          this.frame = new Float32Array(512);
          this.filled = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor('frame-collector', FrameCollector);
