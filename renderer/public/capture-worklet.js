/* global AudioWorkletProcessor, registerProcessor -- AudioWorkletGlobalScope */
// AudioWorklet processor: hands each 128-sample block of the first input channel to the page.
class CaptureProcessor extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) this.port.postMessage(channel.slice(0));
    return true;
  }
}
registerProcessor('quench-capture', CaptureProcessor);
